/**
 * API keys for integrations (a CRM, a contact-centre suite): made by a company's admins,
 * each with scopes, shown once and kept only as a keyed hash, revocable at once, rate
 * limited each on its own.
 *
 * A key reads `alsk_<id>_<secret>`: the id finds the row (an index lookup, no scan of
 * hashes), the secret is checked against its HMAC in constant time. The prefix lets secret
 * scanners recognise a leaked key.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { TooManyAttemptsError, UnauthorizedError } from '../../protocol/errors.js';
import type { ApiKey, ApiScope, Store } from '../store/Store.js';
import { TokenBucket } from '../TokenBucket.js';

const TOKEN = /^alsk_([a-z2-7]{16})_([A-Za-z0-9_-]{43})$/;
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
/** How often a key's "last used" is written (a busy key is not a write per request). */
const TOUCH_EVERY_MS = 60_000;

export interface ApiKeyOptions {
	store: Store;
	/** The service's secret the hashes are keyed with. */
	pepper: () => Buffer;
	/** Requests a second one key may make, sustained (bursts of twice that). */
	ratePerSecond: number;
	now?: () => number;
}

export class ApiKeys {
	readonly #options: ApiKeyOptions;
	readonly #now: () => number;
	readonly #buckets = new Map<string, TokenBucket>();
	readonly #touched = new Map<string, number>();

	constructor(options: ApiKeyOptions) {
		this.#options = options;
		this.#now = options.now ?? Date.now;
	}

	/** Makes a key; the returned token is the only time its secret exists outside the caller. */
	async create(companyId: string, name: string, scopes: ApiScope[], createdBy: string | null): Promise<{ key: ApiKey; token: string }> {
		const id = Array.from(randomBytes(16), (b) => BASE32[b % 32]).join('');
		const secret = randomBytes(32).toString('base64url');
		const key: ApiKey = { id, companyId, name, scopes: [...new Set(scopes)], secretHash: this.#hash(secret), createdAt: this.#now(), createdBy, lastUsedAt: null, revokedAt: null };
		await this.#options.store.insertApiKey(key);
		return { key, token: `alsk_${id}_${secret}` };
	}

	/**
	 * The live key an `Authorization: Bearer` token names. Throws 401 for anything else (one
	 * answer for a malformed, unknown, wrong or revoked key) and 429 past the key's rate.
	 */
	async authenticate(authorization: string): Promise<ApiKey> {
		const match = /^Bearer (\S+)$/i.exec(authorization.trim());
		const parts = match ? TOKEN.exec(match[1]!) : null;
		if (!parts) throw new UnauthorizedError('an API key is needed: Authorization: Bearer alsk_…');
		const [, id, secret] = parts as unknown as [string, string, string];
		const key = await this.#options.store.getApiKey(id);
		const expected = Buffer.from(key?.secretHash ?? '0'.repeat(64), 'hex');
		const given = Buffer.from(this.#hash(secret), 'hex');
		// NOTE: compared even for an unknown id, so timing does not tell ids apart.
		const matches = expected.length === given.length && timingSafeEqual(expected, given);
		if (!key || !matches || key.revokedAt !== null) throw new UnauthorizedError('invalid or revoked API key');
		const now = this.#now();
		let bucket = this.#buckets.get(id);
		if (!bucket) this.#buckets.set(id, (bucket = new TokenBucket(this.#options.ratePerSecond, this.#options.ratePerSecond * 2, now)));
		if (!bucket.take(now)) throw new TooManyAttemptsError('rate_limited', 'too many requests with this API key; slow down', 1);
		if (now - (this.#touched.get(id) ?? 0) >= TOUCH_EVERY_MS) {
			this.#touched.set(id, now);
			await this.#options.store.touchApiKey(id, now);
		}
		return key;
	}

	/** Forgets the rate state of keys at rest (called now and then; a full bucket is a fresh one). */
	sweep(): void {
		const now = this.#now();
		for (const [id, bucket] of this.#buckets) if (bucket.full(now)) this.#buckets.delete(id);
		for (const [id, at] of this.#touched) if (now - at >= TOUCH_EVERY_MS) this.#touched.delete(id);
	}

	#hash(secret: string): string {
		return createHmac('sha256', this.#options.pepper()).update(`api-key:${secret}`).digest('hex');
	}
}
