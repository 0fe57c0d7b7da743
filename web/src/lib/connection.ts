/**
 * Pure rules of the connection life cycle: how long to wait before reconnecting, and
 * which failures are worth a retry.
 */

/**
 * Delay before reconnect attempt `attempt` (1-based): 0.5 s doubling to at most 30 s,
 * with ±20 % jitter so that a server restart is not hit by every viewer at once.
 */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
	const base = Math.min(30_000, 500 * 2 ** Math.max(0, attempt - 1));
	return Math.round(base * (0.8 + 0.4 * random()));
}

/** What to do after a failure, by the error code it carried. */
export type FailureKind = 'retry' | 'ended' | 'fatal';

/**
 * `session_ended` ends the session; codes that a retry cannot fix (the link is bad or
 * this participant may not join) are fatal; everything else, including a dropped socket
 * and timeouts, is retried.
 */
export function classifyFailure(code: string | undefined): FailureKind {
	switch (code) {
		case 'session_ended':
			return 'ended';
		case 'unauthorized':
		case 'forbidden':
		case 'not_found':
		case 'bad_request':
		case 'unknown_type':
			return 'fatal';
		default:
			return 'retry';
	}
}
