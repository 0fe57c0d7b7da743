/**
 * Who a signaling connection is. A participant presents a token in `session/join`; a
 * {@link CredentialVerifier} turns it into {@link Claims}. The demo verifier below holds
 * random per-boot tokens for the demo session; signed tokens replace it with the PIN flow.
 */
import { randomBytes } from 'node:crypto';
import type { Role } from './protocol.js';
import { UnauthorizedError } from './errors.js';

export interface Claims {
	sessionId: string;
	role: Role;
	name: string;
}

export interface CredentialVerifier {
	/** Returns the token's claims, or throws UnauthorizedError. */
	verify(token: string): Claims;
}

/** Random bearer tokens issued in memory; they die with the process. */
export class MemoryTokens implements CredentialVerifier {
	readonly #tokens = new Map<string, Claims>();

	/** Issues a new token (32 random bytes, base64url) for the claims. */
	issue(claims: Claims): string {
		const token = randomBytes(32).toString('base64url');
		this.#tokens.set(token, claims);
		return token;
	}

	verify(token: string): Claims {
		// NOTE: tokens carry 256 random bits, so a hash lookup leaks nothing useful by timing.
		const claims = this.#tokens.get(token);
		if (!claims) throw new UnauthorizedError('invalid or expired link');
		return claims;
	}

	/** Forgets every token of a session (it ended). */
	revokeSession(sessionId: string): void {
		for (const [token, claims] of this.#tokens) if (claims.sessionId === sessionId) this.#tokens.delete(token);
	}
}
