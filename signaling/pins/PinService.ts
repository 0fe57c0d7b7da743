/**
 * PINs: how a session starts. A customer gets a short PIN bound to a company; an agent of
 * that company redeems it. PINs are random, single use and expiring, and guessing is
 * bounded by attempt limits per agent, per company and per address, with lockout.
 *
 * A PIN is stored only as HMAC(pepper, companyId + ':' + pin). Looking a PIN up *is*
 * computing that HMAC with the agent's company, so a PIN of another company and a PIN
 * that does not exist take the very same path: one HMAC, one indexed query, the same
 * answer ("invalid PIN"). Nothing distinguishes them, by content or by timing.
 */
import { createHash, createHmac, randomBytes, randomInt, randomUUID } from 'node:crypto';
import { AppError, TooManyAttemptsError } from '../../protocol/errors.js';
import type { AttemptResult, Pin, Store } from '../store/Store.js';
import type { Tokens } from '../auth/types.js';

/** Attempt limits. Each counts failures only; exceeding `max` in `windowMs` locks for `lockMs`. */
export const PIN_LIMITS = {
	/** One agent guessing: 5 wrong PINs in 10 minutes locks that agent out for 15 minutes. */
	agent: { windowMs: 10 * 60_000, max: 5, lockMs: 15 * 60_000 },
	/** All agents of a company together: 30 in 10 minutes locks the company's redemptions for 5 minutes. */
	company: { windowMs: 10 * 60_000, max: 30, lockMs: 5 * 60_000 },
	/** One network address: 20 in 10 minutes locks it for 15 minutes. */
	address: { windowMs: 10 * 60_000, max: 20, lockMs: 15 * 60_000 },
	/**
	 * Issuing PINs, per address: 30 in 10 minutes, then 10 minutes' pause (stops flooding).
	 * Generous because many phones share one address behind carrier-grade NAT; configurable
	 * with ALONGSIDE_PIN_ISSUE_MAX.
	 */
	issue: { windowMs: 10 * 60_000, max: 30, lockMs: 10 * 60_000 },
} as const;

export const PIN_DIGITS = 6;

/** The one answer for every PIN that cannot be redeemed: wrong, expired, used, or another company's. */
export class InvalidPinError extends AppError {
	constructor() {
		super('invalid_pin', 'invalid PIN', 404);
	}
}

export interface IssuedPin {
	pin: string;
	expiresAt: number;
	watchToken: string;
	pinId: string;
}

export interface PinServiceOptions {
	store: Store;
	pepper: Buffer;
	/** PINs one address may request per 10 minutes. Default {@link PIN_LIMITS}.issue.max. */
	issueMax?: number;
	now?: () => number;
}

export class PinService {
	readonly #store: Store;
	readonly #pepper: Buffer;
	readonly #now: () => number;
	readonly #issueLimit: { windowMs: number; max: number; lockMs: number };

	constructor(options: PinServiceOptions) {
		this.#store = options.store;
		this.#pepper = options.pepper;
		this.#now = options.now ?? Date.now;
		this.#issueLimit = { ...PIN_LIMITS.issue, max: options.issueMax ?? PIN_LIMITS.issue.max };
	}

	/** Issues a PIN for a company, valid for `ttlSeconds`. Rate-limited per address. */
	async issue(companyId: string, ttlSeconds: number, address: string, locale?: Pin['locale'], reference: string | null = null): Promise<IssuedPin> {
		const now = this.#now();
		const limited = await this.#store.hitAttempt(`pin-issue:ip:${address}`, now, this.#issueLimit);
		if (!limited.allowed) throw lockout(limited, now, 'too many codes requested; try again later', 'rate_limited');
		// NOTE: retry on the rare collision with another open PIN of the same company.
		for (let attempt = 0; attempt < 5; attempt++) {
			const pin = String(randomInt(0, 10 ** PIN_DIGITS)).padStart(PIN_DIGITS, '0');
			const lookup = this.lookup(companyId, pin);
			if (await this.#store.findOpenPin(lookup, now)) continue;
			const watchToken = randomBytes(32).toString('base64url');
			const record: Pin = {
				id: randomUUID(),
				companyId,
				lookup,
				watchTokenHash: sha256(watchToken),
				createdAt: now,
				expiresAt: now + ttlSeconds * 1000,
				redeemedAt: null,
				redeemedBy: null,
				sessionId: null,
				locale: locale ?? null,
				reference,
			};
			await this.#store.insertPin(record);
			return { pin, expiresAt: record.expiresAt, watchToken, pinId: record.id };
		}
		throw new AppError('internal', 'could not issue a PIN; try again', 500);
	}

	/**
	 * Finds the open PIN an agent typed, within the agent's own company, enforcing the
	 * attempt limits. Does not redeem it: call {@link redeem} once the session exists.
	 * Throws TooManyAttemptsError (429) or InvalidPinError (404).
	 */
	async find(companyId: string, userId: string, pin: string, address: string): Promise<Pin> {
		const now = this.#now();
		const keys = { agent: `pin:agent:${userId}`, company: `pin:company:${companyId}`, address: `pin:ip:${address}` };
		for (const key of Object.values(keys)) {
			const until = await this.#store.lockedUntil(key, now);
			if (until !== null) throw TooManyAttemptsError.until(until, now, 'too many wrong PINs; try again later');
		}
		const found = await this.#store.findOpenPin(this.lookup(companyId, pin), now);
		if (found) return found;
		const results = await Promise.all([
			this.#store.hitAttempt(keys.agent, now, PIN_LIMITS.agent),
			this.#store.hitAttempt(keys.company, now, PIN_LIMITS.company),
			this.#store.hitAttempt(keys.address, now, PIN_LIMITS.address),
		]);
		const locked = results.find((r) => !r.allowed);
		if (locked) throw lockout(locked, now, 'too many wrong PINs; try again later');
		throw new InvalidPinError();
	}

	/** Marks a found PIN used by `sessionId`. False if someone redeemed it in the meantime. */
	redeem(pin: Pin, userId: string, sessionId: string): Promise<boolean> {
		return this.#store.redeemPin(pin.id, this.#now(), userId, sessionId);
	}

	/** The PIN a customer's watch token belongs to, if any. */
	byWatchToken(watchToken: string): Promise<Pin | undefined> {
		return this.#store.getPinByWatchTokenHash(sha256(watchToken));
	}

	/** HMAC of a company-bound PIN; the only form in which PINs are stored or compared. */
	lookup(companyId: string, pin: string): string {
		return createHmac('sha256', this.#pepper).update(`${companyId}:${pin}`).digest('hex');
	}
}

function sha256(text: string): string {
	return createHash('sha256').update(text).digest('hex');
}

function lockout(result: AttemptResult, now: number, message: string, code: 'locked_out' | 'rate_limited' = 'locked_out'): TooManyAttemptsError {
	return TooManyAttemptsError.until(result.lockedUntil ?? now, now, message, code);
}

/**
 * The session token a redeemed PIN yields its customer (the WebSocket's pin/watch and the
 * embed's HTTP watch). NOTE: every token a PIN yields names the same customer (its subject
 * is the PIN's id), and the session admits one participant per customer.
 */
export function customerSessionToken(tokens: Pick<Tokens, 'issueSessionToken'>, pin: Pick<Pin, 'id' | 'companyId'>, sessionId: string): string {
	return tokens.issueSessionToken({ sub: pin.id, cid: pin.companyId, sid: sessionId, role: 'customer', name: 'Customer' });
}
