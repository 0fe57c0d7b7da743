/**
 * Signed, expiring links to a recording's video: a `<video>` element cannot send the
 * bearer token, so the report hands out a link that names the recording, the user it was
 * made for and when it stops working, under an HMAC only this service can make.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** How long a link works. A player that stops longer asks the report for a new one. */
export const LINK_TTL_MS = 10 * 60_000;

export class RecordingLinks {
	readonly #key: Buffer;

	/** `secret`: a server secret; the links' key is derived from it for this use only. */
	constructor(secret: Buffer) {
		this.#key = createHmac('sha256', secret).update('alongside recording links v1').digest();
	}

	/** The query string of a link to `recordingId` for `userId`, working until `now + ttl`. */
	sign(recordingId: string, userId: string, now = Date.now(), ttl = LINK_TTL_MS): string {
		const exp = now + ttl;
		return new URLSearchParams({ u: userId, exp: String(exp), sig: this.#mac(recordingId, userId, exp) }).toString();
	}

	/** The user a link was made for, if it is genuine, for this recording, and not expired. */
	verify(recordingId: string, query: Record<string, unknown>, now = Date.now()): string | undefined {
		const { u, exp, sig } = query;
		if (typeof u !== 'string' || typeof exp !== 'string' || typeof sig !== 'string' || !/^\d{1,15}$/.test(exp)) return undefined;
		const expires = Number(exp);
		if (expires < now || expires > now + LINK_TTL_MS * 2) return undefined;
		const wanted = Buffer.from(this.#mac(recordingId, u, expires));
		const given = Buffer.from(sig);
		return given.length === wanted.length && timingSafeEqual(given, wanted) ? u : undefined;
	}

	#mac(recordingId: string, userId: string, exp: number): string {
		return createHmac('sha256', this.#key).update(`${recordingId}\n${userId}\n${exp}`).digest('base64url');
	}
}
