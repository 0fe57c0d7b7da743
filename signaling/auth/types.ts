/**
 * What the rest of the service needs from authentication. Implemented by TokenService
 * (ES256 JWTs with rotating keys, opaque rotating refresh tokens).
 */
import type { Permissions, UserRole } from '../api/common.js';
import type { User } from '../store/Store.js';

/** Claims of a user's short-lived access token. */
export interface AccessClaims {
	typ: 'access';
	/** User id. */
	sub: string;
	/** Company id. */
	cid: string;
	role: UserRole;
	name: string;
	perms: Permissions;
}

/** Claims of a customer's session-scoped token, issued when an agent redeems their PIN. */
export interface SessionClaims {
	typ: 'session';
	/** A random participant key, unique per issued token. */
	sub: string;
	cid: string;
	/** The one session this token may join. */
	sid: string;
	role: 'customer';
	name: string;
}

export type Claims = AccessClaims | SessionClaims;

export interface TokenPair {
	accessToken: string;
	expiresIn: number;
	refreshToken: string;
}

export interface Tokens {
	/** Access-token lifetime in seconds. */
	readonly accessTtlSeconds: number;
	/** Signs an access token for the user (current key, ES256, `kid` header). */
	issueAccess(user: User): string;
	/** Signs a customer's session token; lives until the session's maximum length. */
	issueSessionToken(claims: Omit<SessionClaims, 'typ'>): string;
	/**
	 * Verifies signature (ES256 only: `alg: none`, HS256 and others are refused), expiry,
	 * issuer and type. Throws UnauthorizedError with a user-safe message.
	 */
	verify(token: string): Claims;
	/** Starts a refresh-token family for a login and returns the first pair. */
	login(user: User): Promise<TokenPair>;
	/**
	 * Spends a refresh token and returns a new pair. A token that was already spent revokes
	 * its whole family (stolen-token reuse) and fails. Also fails for disabled users.
	 */
	refresh(refreshToken: string): Promise<{ pair: TokenPair; user: User }>;
	/**
	 * Revokes the family of a refresh token (logout). Unknown tokens are ignored. Returns the
	 * id of the user whose family was revoked (for the audit log), or null for unknown tokens.
	 */
	logout(refreshToken: string): Promise<string | null>;
}
