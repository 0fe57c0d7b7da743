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

/** The raw request body, at most `limit` bytes (413 past it, without reading the rest). */
export async function readRawBody(ctx: { get(name: string): string; req: import('node:http').IncomingMessage }, limit: number, what = 'body'): Promise<Uint8Array> {
	const declared = Number(ctx.get('Content-Length') || 0);
	const tooLarge = () => new AppError('bad_request', `the ${what} is too large (at most ${limit >= 1024 * 1024 ? `${Math.floor(limit / (1024 * 1024))} MB` : `${Math.floor(limit / 1024)} KB`})`, 413);
	if (declared > limit) throw tooLarge();
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
		size += chunk.byteLength;
		if (size > limit) {
			ctx.req.destroy();
			throw tooLarge();
		}
		chunks.push(chunk);
	}
	return Buffer.concat(chunks);
}

/** `value` parsed by `schema`; throws BadRequestError naming the offending fields (after `where: `, if given). */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, where?: string): z.output<S> {
	const result = schema.safeParse(value);
	if (!result.success) throw new BadRequestError(where ? `${where}: ${describeZodError(result.error)}` : describeZodError(result.error));
	return result.data;
}

/** The request body parsed by `schema`; throws BadRequestError naming the offending fields. */
export function parseBody<S extends z.ZodType>(schema: S, ctx: { request: { body?: unknown } }): z.output<S> {
	return parseInput(schema, ctx.request.body ?? {});
}

/** The query string parsed by `schema`; throws BadRequestError naming the offending parameters. */
export function parseQuery<S extends z.ZodType>(schema: S, ctx: { query: ParsedUrlQuery }): z.output<S> {
	return parseInput(schema, ctx.query);
}
