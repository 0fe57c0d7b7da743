/**
 * Tokens for users and customers.
 *
 * - Access tokens (users) and session tokens (customers) are JWTs signed with ES256 by the
 *   KeyStore's current key, naming it in the `kid` header. Verification accepts ES256 only,
 *   resolves the key by `kid` among the kept keys, checks expiry, issuer, `typ` and the
 *   shape of every claim.
 * - Refresh tokens are opaque (32 random bytes, base64url), stored only as a SHA-256 hash,
 *   single use and rotated on each refresh. All tokens from one login form a family; a spent
 *   token presented again means it was copied, so the whole family is revoked.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { z } from 'zod';
import { Permissions, UserRole } from '../api/common.js';
import { UnauthorizedError } from '../../protocol/errors.js';
import type { Store, User } from '../store/Store.js';
import type { KeyStore } from './KeyStore.js';
import type { Claims, SessionClaims, TokenPair, Tokens } from './types.js';

/** Access-token lifetime: 10 minutes. Short, because access cannot be revoked before expiry. */
export const ACCESS_TTL_SECONDS = 600;
/** Refresh-token lifetime: 7 days, renewed by each refresh. */
export const REFRESH_TTL_SECONDS = 7 * 24 * 3600;
/** Customer session-token lifetime: 12 hours, longer than any session. */
export const SESSION_TOKEN_TTL_SECONDS = 12 * 3600;
/** The `iss` claim of every token. */
export const TOKEN_ISSUER = 'alongside';

const AccessClaimsSchema = z.object({
	typ: z.literal('access'),
	sub: z.string().min(1),
	cid: z.string().min(1),
	role: UserRole,
	name: z.string(),
	perms: Permissions,
});
const SessionClaimsSchema = z.object({
	typ: z.literal('session'),
	sub: z.string().min(1),
	cid: z.string().min(1),
	sid: z.string().min(1),
	role: z.literal('customer'),
	name: z.string(),
});
const ClaimsSchema = z.discriminatedUnion('typ', [AccessClaimsSchema, SessionClaimsSchema]);

export interface TokenServiceOptions {
	keys: KeyStore;
	store: Store;
	/** Default {@link ACCESS_TTL_SECONDS} (600). */
	accessTtlSeconds?: number;
	/** Default {@link REFRESH_TTL_SECONDS} (7 days). */
	refreshTtlSeconds?: number;
	/** Default {@link SESSION_TOKEN_TTL_SECONDS} (12 hours). */
	sessionTokenTtlSeconds?: number;
	/** Default {@link TOKEN_ISSUER} (`alongside`). */
	issuer?: string;
}

/**
 * A spent refresh token was presented again (a stolen copy, or a replay): its whole family
 * is revoked. To the client it is the same "invalid token" as any other; the server knows
 * whose it was, to record it.
 */
export class RefreshTokenReusedError extends UnauthorizedError {
	constructor(
		readonly userId: string,
		readonly familyId: string,
	) {
		super('invalid token');
	}
}

/** SHA-256 of a refresh token, hex: what the store keeps. */
export function hashRefreshToken(token: string): string {
	return createHash('sha256').update(token).digest('hex');
}

export class TokenService implements Tokens {
	readonly accessTtlSeconds: number;
	readonly #keys: KeyStore;
	readonly #store: Store;
	readonly #refreshTtlSeconds: number;
	readonly #sessionTokenTtlSeconds: number;
	readonly #issuer: string;

	constructor(options: TokenServiceOptions) {
		this.#keys = options.keys;
		this.#store = options.store;
		this.accessTtlSeconds = options.accessTtlSeconds ?? ACCESS_TTL_SECONDS;
		this.#refreshTtlSeconds = options.refreshTtlSeconds ?? REFRESH_TTL_SECONDS;
		this.#sessionTokenTtlSeconds = options.sessionTokenTtlSeconds ?? SESSION_TOKEN_TTL_SECONDS;
		this.#issuer = options.issuer ?? TOKEN_ISSUER;
	}

	issueAccess(user: User): string {
		return this.#sign({ typ: 'access', sub: user.id, cid: user.companyId, role: user.role, name: user.name, perms: user.permissions }, this.accessTtlSeconds);
	}

	issueSessionToken(claims: Omit<SessionClaims, 'typ'>): string {
		return this.#sign({ ...claims, typ: 'session' }, this.#sessionTokenTtlSeconds);
	}

	#sign(claims: Claims, ttlSeconds: number): string {
		const { kid, privateKey } = this.#keys.current();
		return jwt.sign(claims, privateKey, { algorithm: 'ES256', keyid: kid, expiresIn: ttlSeconds, issuer: this.#issuer });
	}

	verify(token: string): Claims {
		const invalid = new UnauthorizedError('invalid token');
		const decoded = jwt.decode(token, { complete: true });
		const kid = decoded?.header.kid;
		if (typeof kid !== 'string') throw invalid;
		const key = this.#keys.publicKey(kid);
		if (!key) throw invalid;
		let payload: unknown;
		try {
			payload = jwt.verify(token, key, { algorithms: ['ES256'], issuer: this.#issuer });
		} catch (error) {
			if (error instanceof jwt.TokenExpiredError) throw new UnauthorizedError('token expired');
			throw invalid;
		}
		const claims = ClaimsSchema.safeParse(payload);
		if (!claims.success) throw invalid;
		return claims.data;
	}

	async login(user: User): Promise<TokenPair> {
		return this.#pair(user, randomUUID());
	}

	async refresh(refreshToken: string): Promise<{ pair: TokenPair; user: User }> {
		const now = Date.now();
		const row = await this.#store.getRefreshTokenByHash(hashRefreshToken(refreshToken));
		if (!row || row.revokedAt !== null) throw new UnauthorizedError('invalid token');
		if (row.usedAt !== null) await this.#reused(row.userId, row.familyId, now);
		if (row.expiresAt <= now) throw new UnauthorizedError('token expired');
		const user = await this.#store.getUser(row.userId);
		if (!user || user.disabled) {
			await this.#store.revokeRefreshFamily(row.familyId, now);
			throw new UnauthorizedError('invalid token');
		}
		// NOTE: the conditional update decides between two concurrent refreshes with the same
		// token: the loser is treated as reuse, like any second presentation.
		if (!(await this.#store.useRefreshToken(row.id, now))) await this.#reused(row.userId, row.familyId, now);
		return { pair: await this.#pair(user, row.familyId), user };
	}

	async logout(refreshToken: string): Promise<string | null> {
		const row = await this.#store.getRefreshTokenByHash(hashRefreshToken(refreshToken));
		if (!row) return null;
		await this.#store.revokeRefreshFamily(row.familyId, Date.now());
		return row.userId;
	}

	/** Revokes the family of a spent token presented again; the caller sees "invalid token" like any other. */
	async #reused(userId: string, familyId: string, now: number): Promise<never> {
		await this.#store.revokeRefreshFamily(familyId, now);
		throw new RefreshTokenReusedError(userId, familyId);
	}

	async #pair(user: User, familyId: string): Promise<TokenPair> {
		const now = Date.now();
		const refreshToken = randomBytes(32).toString('base64url');
		await this.#store.insertRefreshToken({
			id: randomUUID(),
			userId: user.id,
			familyId,
			tokenHash: hashRefreshToken(refreshToken),
			expiresAt: now + this.#refreshTtlSeconds * 1000,
			usedAt: null,
			revokedAt: null,
			createdAt: now,
		});
		return { accessToken: this.issueAccess(user), expiresIn: this.accessTtlSeconds, refreshToken };
	}
}
