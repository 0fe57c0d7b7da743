/** /api/reports: the company's reports (supervisors and admins), as JSON or CSV. */
import Router from '@koa/router';
import { BadRequestError } from '../../../protocol/errors.js';
import { parseQuery } from '../body.js';
import type { ApiContext } from '../context.js';
import { toCsv } from '../csv.js';
import { requireActiveUser, requirePermission } from '../guard.js';
import { ReportQuery } from './schema.js';
import { summarize, validTimeZone } from './summary.js';

/** The most sessions one report covers. */
const MAX_SESSIONS = 50_000;
const DAY = 86_400_000;

export function reportRoutes(api: ApiContext): Router {
	const router = new Router({ prefix: '/api/reports' });

	router.get('/', async (ctx) => {
		const { claims } = await requireActiveUser(ctx, api);
		if (claims.role !== 'admin') requirePermission(claims, 'supervise');
		const query = parseQuery(ReportQuery, ctx);
		if (!validTimeZone(query.tz)) throw new BadRequestError('tz: not a time zone this server knows');
		const to = query.to ?? Date.now();
		const from = query.from ?? to - 30 * DAY;
		if (from >= to) throw new BadRequestError('from: must be before to');
		if (to - from > 400 * DAY) throw new BadRequestError('from: at most 400 days at once');
		const sessions = await api.store.reportSessions(claims.cid, { from, to, limit: MAX_SESSIONS, ...(query.agent ? { agentUserId: query.agent } : {}) });
		const names = new Map((await api.store.listUsers(claims.cid)).map((u) => [u.id, u.name]));
		ctx.set('Cache-Control', 'no-store');
		if (query.format === 'csv') {
			ctx.type = 'text/csv; charset=utf-8';
			ctx.set('Content-Disposition', 'attachment; filename="sessions.csv"');
			ctx.body = toCsv(
				['started (UTC)', 'ended (UTC)', 'agent', 'duration (s)', 'ended how', 'outcome', 'refusals', 'recorded', 'session'],
				sessions.map((s) => [
					new Date(s.startedAt).toISOString(),
					s.endedAt === null ? '' : new Date(s.endedAt).toISOString(),
					names.get(s.agentUserId) ?? s.agentUserId,
					s.endedAt === null ? '' : Math.round((s.endedAt - s.startedAt) / 1000),
					s.endReason ?? '',
					s.outcome ?? '',
					Object.values(s.refusals).reduce((a, b) => a + b, 0),
					s.recorded ? 'yes' : 'no',
					s.id,
				]),
			);
			return;
		}
		ctx.body = summarize(sessions, { from, to, timeZone: query.tz, names });
	});

	return router;
}
