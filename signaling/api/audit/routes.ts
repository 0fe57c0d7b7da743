/** /api/audit: the company's audit log, newest first, paged by `beforeId` (admins only). */
import Router from '@koa/router';
import { parseQuery } from '../body.js';
import type { ApiContext } from '../context.js';
import { requireActiveUser, requireRole } from '../guard.js';
import { toCsv } from '../csv.js';
import { AuditQuery, type AuditEntryView, type AuditResponse } from './schema.js';

/** The most rows one CSV export holds. */
const CSV_MAX_ROWS = 10_000;

/** The routes of /api/audit. */
export function auditRoutes(api: ApiContext): Router {
	const router = new Router({ prefix: '/api/audit' });

	router.get('/', async (ctx) => {
		const { claims } = await requireActiveUser(ctx, api);
		requireRole(claims, 'admin');
		const query = parseQuery(AuditQuery, ctx);
		const filter = {
			...(query.actor ? { actorId: query.actor } : {}),
			...(query.action ? { action: query.action } : {}),
			...(query.from !== undefined ? { from: query.from } : {}),
			...(query.to !== undefined ? { to: query.to } : {}),
		};
		const csv = query.format === 'csv';
		const entries = await api.store.listAudit(claims.cid, { ...filter, limit: csv ? CSV_MAX_ROWS : query.limit, ...(query.beforeId !== undefined ? { beforeId: query.beforeId } : {}) });
		const [users, keys] = await Promise.all([api.store.listUsers(claims.cid), api.store.listApiKeys(claims.cid)]);
		const names = new Map<string, string>([...users.map((u) => [`user:${u.id}`, u.name] as const), ...keys.map((k) => [`api_key:${k.id}`, k.name] as const)]);
		const views: AuditEntryView[] = entries.map(({ id, at, actorType, actorId, action, sessionId, detail, ip }) => ({
			id,
			at,
			actorType,
			actorId,
			actorName: actorId ? (names.get(`${actorType}:${actorId}`) ?? null) : null,
			action,
			sessionId,
			detail,
			ip,
		}));
		if (csv) {
			api.audit({ companyId: claims.cid, actorType: 'user', actorId: claims.sub, action: 'audit.exported', detail: { rows: views.length }, ip: ctx.ip });
			ctx.type = 'text/csv; charset=utf-8';
			ctx.set('Content-Disposition', 'attachment; filename="audit.csv"');
			ctx.set('Cache-Control', 'no-store');
			ctx.body = toCsv(
				['time (UTC)', 'actor type', 'actor', 'actor id', 'action', 'session', 'detail', 'address'],
				views.map((e) => [new Date(e.at).toISOString(), e.actorType, e.actorName ?? '', e.actorId ?? '', e.action, e.sessionId ?? '', JSON.stringify(e.detail), e.ip ?? '']),
			);
			return;
		}
		ctx.body = { entries: views } satisfies AuditResponse;
	});

	return router;
}
