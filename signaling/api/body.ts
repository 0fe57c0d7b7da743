/**
 * Request input at the edge: JSON body parsing and schema validation. Every body and query
 * is parsed against its schema; a failure is a 400 `bad_request` naming the field.
 */
import { bodyParser } from '@koa/bodyparser';
import type { Middleware } from 'koa';
import type { ParsedUrlQuery } from 'node:querystring';
import type { z } from 'zod';
import { AppError, BadRequestError } from '../../protocol/errors.js';
import { describeZodError } from '../../protocol/wire.js';

/** Largest JSON body accepted. */
export const JSON_BODY_LIMIT = '32kb';

/**
 * Parses JSON bodies (and only JSON: other types leave the body `{}`), up to
 * {@link JSON_BODY_LIMIT}. Malformed JSON is a 400 `bad_request`; an oversized body a 413.
 */
export function jsonBody(): Middleware {
	return bodyParser({
		enableTypes: ['json'],
		jsonLimit: JSON_BODY_LIMIT,
		onError(error) {
			if ((error as { status?: number }).status === 413) throw new AppError('bad_request', `body is too large (limit ${JSON_BODY_LIMIT})`, 413);
			throw new BadRequestError('body is not valid JSON');
		},
	}) as Middleware;
}

/** The request body parsed by `schema`; throws BadRequestError naming the offending fields. */
export function parseBody<S extends z.ZodType>(schema: S, ctx: { request: { body?: unknown } }): z.output<S> {
	const result = schema.safeParse(ctx.request.body ?? {});
	if (!result.success) throw new BadRequestError(describeZodError(result.error));
	return result.data;
}

/** The query string parsed by `schema`; throws BadRequestError naming the offending parameters. */
export function parseQuery<S extends z.ZodType>(schema: S, ctx: { query: ParsedUrlQuery }): z.output<S> {
	const result = schema.safeParse(ctx.query);
	if (!result.success) throw new BadRequestError(describeZodError(result.error));
	return result.data;
}
