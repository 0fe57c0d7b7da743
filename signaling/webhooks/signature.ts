/**
 * How deliveries are signed, and how a receiver checks them (the reference page shows the
 * same steps). The header reads `Alongside-Signature: t=<unix seconds>,v1=<hex>` where
 * `<hex>` is HMAC-SHA256(secret, `<t>.<raw body>`). A receiver recomputes it over the raw
 * body, compares in constant time, refuses a `t` more than five minutes from its clock (a
 * replayed delivery), and ignores an `Alongside-Event-Id` it has already handled.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'Alongside-Signature';
/** How far a delivery's time may be from the receiver's clock. */
export const TOLERANCE_SECONDS = 300;

export function signatureHeader(secret: string, body: string, nowMs = Date.now()): string {
	const t = Math.floor(nowMs / 1000);
	return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
}

/** Whether `header` signs `body` with `secret`, within the tolerance of `nowMs`. */
export function verifySignature(secret: string, body: string, header: string, nowMs = Date.now()): boolean {
	const parts = Object.fromEntries(header.split(',').map((kv) => kv.trim().split('=') as [string, string]));
	const t = Number(parts.t);
	if (!Number.isInteger(t) || !/^[0-9a-f]{64}$/.test(parts.v1 ?? '')) return false;
	if (Math.abs(nowMs / 1000 - t) > TOLERANCE_SECONDS) return false;
	const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest();
	return timingSafeEqual(expected, Buffer.from(parts.v1!, 'hex'));
}
