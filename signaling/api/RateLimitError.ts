/**
 * A refusal because of too many attempts. Carries how long to wait, which the REST error
 * mapping (errors-middleware.ts) sends as the `Retry-After` header.
 */
import { AppError } from '../errors.js';

export class RateLimitError extends AppError {
	/**
	 * @param code `locked_out` (the key is locked for a while) or `rate_limited` (slow down).
	 * @param retryAfterSeconds Whole seconds until a retry can succeed; at least 1.
	 */
	constructor(
		code: 'locked_out' | 'rate_limited',
		message: string,
		readonly retryAfterSeconds: number,
	) {
		super(code, message, 429);
	}

	/** A `locked_out` refusal until `lockedUntil` (ms since the epoch). */
	static lockedOut(lockedUntil: number, now = Date.now()): RateLimitError {
		return new RateLimitError('locked_out', 'too many attempts; try again later', Math.max(1, Math.ceil((lockedUntil - now) / 1000)));
	}
}
