/**
 * /api/files: files between the customer's device and the cloud page. Both routes take a
 * one-time token the session gave the customer's connection alone (never a user's access
 * token, never in the URL): an upload token while the page asks for a file, a download
 * token for each file a page downloaded (valid until the session ends).
 *
 * - `POST /api/files/upload`: the file as the body (its type as Content-Type, its name
 *   URI-encoded in `X-File-Name`), the token in `X-Alongside-Upload`. The body is read up
 *   to the service's limit and refused past it (413).
 * - `GET /api/files/download`: the token in `X-Alongside-Download`; the file comes as an
 *   attachment that no browser renders (a page's HTML must never run on this origin).
 */
import Router from '@koa/router';
import { AppError, NotFoundError } from '../../../protocol/errors.js';
import { readRawBody } from '../body.js';
import type { ApiContext } from '../context.js';

const TOKEN = /^[A-Za-z0-9_-]{16,64}$/;

export function fileRoutes(api: ApiContext): Router {
	const router = new Router({ prefix: '/api/files' });

	router.post('/upload', async (ctx) => {
		const token = ctx.get('X-Alongside-Upload');
		const session = TOKEN.test(token) ? api.uploadFor(token) : undefined;
		if (!session) throw new NotFoundError('file request');
		let name: string;
		try {
			name = decodeURIComponent(ctx.get('X-File-Name'));
		} catch {
			throw new AppError('bad_request', 'X-File-Name is not URI-encoded', 400);
		}
		const type = (ctx.get('Content-Type') || 'application/octet-stream').slice(0, 100);
		const bytes = await readRawBody(ctx, api.config.publisher.files.uploadMaxBytes, 'file');
		await session.upload(token, { name, type, bytes });
		ctx.status = 204;
	});

	router.get('/download', async (ctx) => {
		const token = ctx.get('X-Alongside-Download');
		const file = TOKEN.test(token) ? api.downloadFor(token) : undefined;
		if (!file) throw new NotFoundError('file');
		const ascii = file.name.replace(/[^\x20-\x7e]|["\\]/g, '_');
		ctx.set('Content-Disposition', `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(file.name)}`);
		ctx.set('X-Content-Type-Options', 'nosniff');
		ctx.set('Content-Security-Policy', "sandbox; default-src 'none'");
		ctx.set('Cache-Control', 'no-store');
		ctx.type = 'application/octet-stream';
		ctx.body = Buffer.from(file.bytes);
	});

	return router;
}
