/** /api/audit: the company's audit log, newest first, paged by `beforeId` (admins only). */
import Router from '@koa/router';
import { parseQuery } from '../body.js';
import type { ApiContext } from '../context.js';
import { requireActiveUser, requireRole } from '../guard.js';
import { AuditQuery, type AuditResponse } from './schema.js';

/** The routes of /api/audit. */
export function auditRoutes(api: ApiContext): Router {
	const router = new Router({ prefix: '/api/audit' });

	router.get('/', async (ctx) => {
		const { claims } = await requireActiveUser(ctx, api);
		requireRole(claims, 'admin');
		const query = parseQuery(AuditQuery, ctx);
		const entries = await api.store.listAudit(claims.cid, query.beforeId === undefined ? { limit: query.limit } : { limit: query.limit, beforeId: query.beforeId });
		ctx.body = {
			entries: entries.map(({ id, at, actorType, actorId, action, sessionId, detail, ip }) => ({ id, at, actorType, actorId, action, sessionId, detail, ip })),
		} satisfies AuditResponse;
	});

	return router;
}
