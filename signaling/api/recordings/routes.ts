/**
 * /api/recordings: a recording's video, streamed by a signed link from its session's report
 * (checked again against the account as it is now), and its deletion by an admin.
 */
import Router from '@koa/router';
import { NotFoundError } from '../../../protocol/errors.js';
import type { ApiContext } from '../context.js';
import { requireActiveUser, requireRole } from '../guard.js';

export function recordingRoutes(api: ApiContext): Router {
	const router = new Router({ prefix: '/api/recordings' });

	/** The recording a signed link names, if the link is genuine and its user may watch it now. */
	async function linked(ctx: { params: Record<string, string>; query: Record<string, unknown> }) {
		const id = String(ctx.params.id);
		const principal = api.links.verify(id, ctx.query);
		// NOTE: a bad, expired or someone else's link is as unknown as a recording that does not exist.
		if (!principal) throw new NotFoundError('recording');
		const recording = await api.store.getRecording(id);
		const viewer = await viewerOf(principal);
		if (!viewer || !recording || recording.companyId !== viewer.companyId || recording.status !== 'ready' || !recording.storageKey) throw new NotFoundError('recording');
		return { viewer, recording: { ...recording, storageKey: recording.storageKey } };
	}

	/**
	 * Who a link was made for, if they may still watch: a user (enabled, supervisor or admin),
	 * or an API key (`key:<id>`: not revoked, with the recordings:read scope), as they are now.
	 */
	async function viewerOf(principal: string): Promise<{ companyId: string; actorType: 'user' | 'api_key'; actorId: string } | undefined> {
		if (principal.startsWith('key:')) {
			const key = await api.store.getApiKey(principal.slice(4));
			return key && key.revokedAt === null && key.scopes.includes('recordings:read') ? { companyId: key.companyId, actorType: 'api_key', actorId: key.id } : undefined;
		}
		const user = await api.store.getUser(principal);
		return user && !user.disabled && (user.role === 'admin' || user.permissions.supervise) ? { companyId: user.companyId, actorType: 'user', actorId: user.id } : undefined;
	}

	// The pointers, drawings and page scrolls while it was recorded, for the player to draw again.
	router.get('/:id/overlay', async (ctx) => {
		const { recording } = await linked(ctx);
		const key = `${recording.companyId}/${recording.id}.overlay.json`;
		const size = await api.recordingStorage.size(key);
		if (size === undefined) throw new NotFoundError('overlay');
		ctx.set('Cache-Control', 'private, no-store');
		ctx.type = 'application/json';
		ctx.length = size;
		ctx.body = await api.recordingStorage.read(key, { start: 0, end: Math.max(0, size - 1) });
	});

	// The MP4, with byte ranges (a player seeks by asking for them).
	router.get('/:id/video', async (ctx) => {
		const { viewer, recording } = await linked(ctx);
		const id = recording.id;
		const size = await api.recordingStorage.size(recording.storageKey);
		if (size === undefined) throw new NotFoundError('recording');
		ctx.set('Accept-Ranges', 'bytes');
		ctx.set('Cache-Control', 'private, no-store');
		ctx.set('X-Content-Type-Options', 'nosniff');
		ctx.set('Content-Disposition', 'inline; filename="recording.mp4"');
		ctx.type = 'video/mp4';
		const range = parseRange(ctx.get('Range'), size);
		if (range === 'unsatisfiable') {
			ctx.status = 416;
			ctx.set('Content-Range', `bytes */${size}`);
			return;
		}
		const { start, end } = range ?? { start: 0, end: size - 1 };
		if (range) {
			ctx.status = 206;
			ctx.set('Content-Range', `bytes ${start}-${end}/${size}`);
		} else {
			// NOTE: a whole download (not a player's range request) is audited once.
			api.audit({ companyId: viewer.companyId, actorType: viewer.actorType, actorId: viewer.actorId, action: 'recording.downloaded', sessionId: recording.sessionId, detail: { recordingId: id }, ip: ctx.ip });
		}
		ctx.length = end - start + 1;
		ctx.body = await api.recordingStorage.read(recording.storageKey, { start, end });
	});

	// Deletes one recording for good (admins); the rest of the report stays. Audited.
	router.delete('/:id', async (ctx) => {
		const { claims } = await requireActiveUser(ctx, api);
		requireRole(claims, 'admin');
		const recording = await api.store.getRecording(String(ctx.params.id));
		if (!recording || recording.companyId !== claims.cid) throw new NotFoundError('recording');
		await api.deleteRecording(recording);
		api.audit({ companyId: claims.cid, actorType: 'user', actorId: claims.sub, action: 'recording.deleted', sessionId: recording.sessionId, detail: { recordingId: recording.id, by: 'admin' }, ip: ctx.ip });
		ctx.status = 204;
	});

	return router;
}

/**
 * One byte range of an HTTP Range header (`bytes=a-b`, `bytes=a-`, `bytes=-n`); undefined
 * for none (or one this server does not serve, such as several ranges: the whole file then).
 */
export function parseRange(header: string, size: number): { start: number; end: number } | 'unsatisfiable' | undefined {
	const match = /^bytes=(\d{0,15})-(\d{0,15})$/.exec(header.trim());
	if (!match || (match[1] === '' && match[2] === '')) return undefined;
	let start: number;
	let end: number;
	if (match[1] === '') {
		start = Math.max(0, size - Number(match[2]));
		end = size - 1;
	} else {
		start = Number(match[1]);
		end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
	}
	if (start >= size || start > end) return 'unsatisfiable';
	return { start, end };
}
