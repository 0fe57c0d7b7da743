/**
 * Structured JSON logs (pino). Services take a logger and make child loggers carrying
 * `sessionId` and `participantId`. Tokens, PINs and masked values are never logged; the
 * redaction list below is a safety net, not the mechanism.
 */
import { pino, type Logger } from 'pino';

export type { Logger };

/** Creates the root logger. `level` defaults to `info`; `silent` for tests. */
export function createLogger(level: string = 'info'): Logger {
	return pino({
		level,
		base: { service: 'alongside' },
		redact: {
			paths: ['token', '*.token', 'data.token', 'password', '*.password', 'pin', '*.pin', 'authorization', '*.authorization'],
			censor: '[redacted]',
		},
	});
}
