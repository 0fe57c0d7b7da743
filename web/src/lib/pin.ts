/**
 * Pure rules of the PIN screens: how a PIN is written and typed, the countdown text, and
 * whether a PIN kept in sessionStorage may still be shown after a reload.
 */
import { CompanyId } from '../../../signaling/api/common';

/** "123456" → "123 456" (groups of three, read aloud more easily). */
export function formatPin(pin: string): string {
	const digits = pin.replace(/\D/g, '');
	return digits.length === 6 ? `${digits.slice(0, 3)} ${digits.slice(3)}` : digits;
}

/** What the agent typed ("123 456", "123-456") as six digits, or null if it is not a PIN. */
export function parsePin(input: string): string | null {
	const digits = input.replace(/[\s-]/g, '');
	return /^\d{6}$/.test(digits) ? digits : null;
}

/** Milliseconds left → "9:41" (minutes:seconds, rounded up so 0:00 means expired). */
export function formatCountdown(ms: number): string {
	const total = Math.max(0, Math.ceil(ms / 1000));
	const minutes = Math.floor(total / 60);
	const seconds = total % 60;
	return `${minutes}:${String(seconds).padStart(2, '0')}`;
}

/** A PIN as the customer's page keeps it across reloads. */
export interface StoredPin {
	pin: string;
	watchToken: string;
	/** Milliseconds since the epoch. */
	expiresAt: number;
}

/** Keep a stored PIN only while it has at least this long to live. */
const MIN_REMAINING_MS = 5_000;

/** Parses a stored PIN; null if missing, malformed or (nearly) expired. */
export function usableStoredPin(raw: string | null, now: number): StoredPin | null {
	if (!raw) return null;
	try {
		const value = JSON.parse(raw) as Partial<StoredPin>;
		if (typeof value.pin !== 'string' || typeof value.watchToken !== 'string' || typeof value.expiresAt !== 'number') return null;
		if (value.expiresAt - now < MIN_REMAINING_MS) return null;
		return { pin: value.pin, watchToken: value.watchToken, expiresAt: value.expiresAt };
	} catch {
		return null;
	}
}

/**
 * The PIN an integration's link carries (`/c/<company>#pin=…&watch=…&exp=…`, see
 * POST /api/v1/pins), or null. In the fragment, so that no server, proxy or log sees it.
 */
export function pinFromLink(hash: string, now: number): StoredPin | null {
	const params = new URLSearchParams(hash.replace(/^#/, ''));
	const pin = params.get('pin') ?? '';
	const watchToken = params.get('watch') ?? '';
	const exp = Number(params.get('exp'));
	if (!/^\d{6}$/.test(pin) || !/^[A-Za-z0-9_-]{43}$/.test(watchToken)) return null;
	// NOTE: this device's clock may be off; the watch's answer corrects the countdown.
	const expiresAt = Number.isFinite(exp) && exp > now ? Math.min(exp, now + 24 * 3600_000) : now + 60_000;
	return { pin, watchToken, expiresAt };
}

/** The customer's session token as kept across reloads. */
export interface StoredSession {
	sessionId: string;
	token: string;
}

export function parseStoredSession(raw: string | null): StoredSession | null {
	if (!raw) return null;
	try {
		const value = JSON.parse(raw) as Partial<StoredSession>;
		return typeof value.sessionId === 'string' && typeof value.token === 'string' && value.token ? { sessionId: value.sessionId, token: value.token } : null;
	} catch {
		return null;
	}
}

/**
 * The session the embed's "Open the shared view" link hands over (`#session=…&token=…`:
 * the agent already redeemed the PIN on the company's own site), or null.
 */
export function sessionFromLink(hash: string): StoredSession | null {
	const params = new URLSearchParams(hash.replace(/^#/, ''));
	const sessionId = params.get('session') ?? '';
	const token = params.get('token') ?? '';
	return /^[A-Za-z0-9-]{1,64}$/.test(sessionId) && /^[A-Za-z0-9_.-]{20,4096}$/.test(token) ? { sessionId, token } : null;
}

/** The company id of a customer link's path (`/c/<id>`), or null. */
export function companyIdFromPath(pathname: string): string | null {
	const match = /^\/c\/([^/]+)\/?$/.exec(pathname);
	if (!match) return null;
	let id: string;
	try {
		id = decodeURIComponent(match[1]!);
	} catch {
		return null;
	}
	return CompanyId.safeParse(id).success ? id : null;
}
