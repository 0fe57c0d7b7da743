/**
 * The one place REST errors become HTTP responses: any AppError answers with its status
 * and `{ error: { code, message } }` (ErrorBody); anything else is logged and answers 500
 * `internal` with a generic message. Every error is counted by code. A refusal carrying
 * `retryAfterSeconds` also sets the `Retry-After` header.
 */
import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import { AppError, LimitReachedError, TooManyAttemptsError, toAppError } from '../../protocol/errors.js';
import type { Metrics } from '../metrics.js';
import type { ErrorBody } from './common.js';

/** Koa middleware mapping thrown errors to responses. Mount it before every route. */
export function errorMiddleware(metrics: Metrics, logger: Logger): Middleware {
	return async (ctx, next) => {
		try {
			await next();
		} catch (error) {
			const appError = toAppError(error);
			if (appError.code === 'internal') logger.error({ err: error, method: ctx.method, path: ctx.path }, 'request failed');
			metrics.signalingErrors.inc({ code: appError.code });
			if (appError instanceof LimitReachedError) metrics.limitRefusals.inc({ limit: appError.limit });
			const retryAfter = appError instanceof TooManyAttemptsError || appError instanceof LimitReachedError ? appError.retryAfterSeconds : undefined;
			if (typeof retryAfter === 'number' && retryAfter > 0) ctx.set('Retry-After', String(Math.ceil(retryAfter)));
			ctx.status = appError.status;
			ctx.body = { error: { code: appError.code, message: appError.message } } satisfies ErrorBody;
		}
	};
}

/**
 * Options for each router's `allowedMethods()`: a method the path does not take answers like
 * every other error (JSON with a stable code), not with koa-router's plain text.
 */
export const ALLOWED_METHODS = {
	throw: true,
	methodNotAllowed: () => new AppError('bad_request', 'this path does not take that method', 405),
	notImplemented: () => new AppError('bad_request', 'method not supported', 501),
};
