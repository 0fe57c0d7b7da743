/**
 * The small table of error classes. Each carries a stable `code` (see `ErrorCode` in the
 * protocol), an HTTP status, and a message that is safe to show to the user. Internal
 * detail goes to the log, never into these messages.
 *
 * One place maps them to HTTP responses (server.ts) and one to WebSocket error replies
 * (SignalingConnection.ts). This module is a leaf: every service may import it.
 */
import type { ErrorCode } from './wire.js';

export class AppError extends Error {
	override name = 'AppError';
	constructor(
		readonly code: ErrorCode,
		message: string,
		readonly status: number,
	) {
		super(message);
	}
}

/** The request is malformed; the message names the field. */
export class BadRequestError extends AppError {
	constructor(message: string) {
		super('bad_request', message, 400);
	}
}

/** No valid credentials. */
export class UnauthorizedError extends AppError {
	constructor(message = 'not signed in') {
		super('unauthorized', message, 401);
	}
}

/** Valid credentials, but this role may not do this. */
export class ForbiddenError extends AppError {
	constructor(message = 'not allowed for your role') {
		super('forbidden', message, 403);
	}
}

/** The thing does not exist, or belongs to someone else (we do not say which). */
export class NotFoundError extends AppError {
	constructor(what: string) {
		super('not_found', `${what} not found`, 404);
	}
}

/** The operation needs state that is not there yet (e.g. the cloud browser is starting). */
export class NotReadyError extends AppError {
	constructor(message: string) {
		super('not_ready', message, 409);
	}
}

/** The request conflicts with what exists (a duplicate, the last admin). */
export class ConflictError extends AppError {
	constructor(message: string) {
		super('conflict', message, 409);
	}
}

/** Wrong company, email or password: one answer for all, so none is revealed. */
export class InvalidCredentialsError extends AppError {
	constructor() {
		super('invalid_credentials', 'wrong company, email or password', 401);
	}
}

/**
 * Refused: too many attempts (`locked_out`: the key is locked for a while) or requests
 * (`rate_limited`). `retryAfterSeconds` becomes the Retry-After header.
 */
export class TooManyAttemptsError extends AppError {
	constructor(
		code: 'locked_out' | 'rate_limited',
		message: string,
		readonly retryAfterSeconds: number,
	) {
		super(code, message, 429);
	}

	/** Refused until `lockedUntil` (ms since the epoch); at least one second. */
	static until(lockedUntil: number, now: number, message: string, code: 'locked_out' | 'rate_limited' = 'locked_out'): TooManyAttemptsError {
		return new TooManyAttemptsError(code, message, Math.max(1, Math.ceil((lockedUntil - now) / 1000)));
	}
}

/**
 * A resource cap or capacity was reached. `limit` names which (`transports`,
 * `sessions_per_company`, ...): it labels the `alongside_limit_refusals_total` metric
 * wherever the error is answered.
 */
export class LimitReachedError extends AppError {
	constructor(
		readonly limit: string,
		message: string,
		code: 'limit_reached' | 'at_capacity' | 'agent_busy' = 'limit_reached',
		status = code === 'at_capacity' ? 503 : code === 'agent_busy' ? 409 : 429,
		readonly retryAfterSeconds?: number,
	) {
		super(code, message, status);
	}
}

/** The code of a client error (4xx) that middleware raised with `http-errors`. */
const CODE_OF_STATUS: Partial<Record<number, ErrorCode>> = {
	400: 'bad_request',
	401: 'unauthorized',
	403: 'forbidden',
	404: 'not_found',
	409: 'conflict',
	429: 'rate_limited',
};

/**
 * Maps anything thrown to an AppError. A client error raised by middleware (koa-static's
 * 403 for a path outside its root, 404, 413 from the body parser: `http-errors` objects
 * with a 4xx `status` and `expose: true`) keeps its status; anything else becomes
 * `internal` with a generic message.
 */
export function toAppError(error: unknown): AppError {
	if (error instanceof AppError) return error;
	const { status, expose, message } = (error ?? {}) as { status?: unknown; expose?: unknown; message?: unknown };
	if (typeof status === 'number' && Number.isInteger(status) && status >= 400 && status < 500 && expose === true) {
		return new AppError(CODE_OF_STATUS[status] ?? 'bad_request', typeof message === 'string' ? message.slice(0, 200) : 'bad request', status);
	}
	return new AppError('internal', 'internal error', 500);
}
