/**
 * /api/sessions: an agent starts a session by redeeming the customer's PIN, and finds its
 * own live ones again (/mine); supervisors list their company's live sessions.
 */
import Router from '@koa/router';
import { TooManyAttemptsError } from '../../../protocol/errors.js';
import { InvalidPinError } from '../../pins/PinService.js';
import { jsonBody, parseBody } from '../body.js';
import { addressKey } from '../../clientAddress.js';
import type { ApiContext, LiveSessionInfo } from '../context.js';
import { requireActiveUser, requirePermission, requireRole } from '../guard.js';
import { BadRequestError, ConflictError, NotFoundError } from '../../../protocol/errors.js';
import type { SessionRecord, User } from '../../store/Store.js';
import { reportParts } from './timeline.js';
import { type ListSessionsResponse, type LiveSessionView, ReviewBody, type SessionHistoryResponse, type SessionReportResponse, WrapUpBody, type WrapUpResponse, StartSessionBody, type StartSessionResponse } from './schema.js';

export function sessionRoutes(api: ApiContext): Router {
	const router = new Router({ prefix: '/api/sessions' });
	router.use(jsonBody());
	/** Who has seen which session's thumbnails (audited once each). */
	const wallViewers = new Set<string>();

	router.post('/', async (ctx) => {
		const { claims, user } = await requireActiveUser(ctx, api);
		requirePermission(claims, 'cobrowse');
		const { pin, replace } = parseBody(StartSessionBody, ctx);
		let found;
		try {
			found = await api.pins.find(user.companyId, user.id, pin, addressKey(ctx.ip));
		} catch (error) {
			const reason = error instanceof TooManyAttemptsError ? 'locked_out' : error instanceof InvalidPinError ? 'invalid' : 'error';
			api.audit({ companyId: user.companyId, actorType: 'user', actorId: user.id, action: 'pin.refused', detail: { reason }, ip: ctx.ip });
			throw error;
		}
		// NOTE: a refusal by a session limit leaves the PIN unredeemed: the agent can retry.
		const session = await api.startSession(user, found.id, { replace, locale: found.locale ?? null, reference: found.reference ?? null });
		if (!(await api.pins.redeem(found, user.id, session.id))) {
			// NOTE: another agent redeemed the same PIN between our lookup and now.
			await session.end('agent_ended');
			throw new InvalidPinError();
		}
		api.audit({ companyId: user.companyId, actorType: 'user', actorId: user.id, action: 'pin.redeemed', sessionId: session.id, detail: { pinId: found.id, issuedAt: found.createdAt }, ip: ctx.ip });
		api.watchers.redeemed(found.id, session.id);
		const body: StartSessionResponse = { sessionId: session.id };
		ctx.status = 201;
		ctx.body = body;
	});

	// The agent's own live sessions (its console reloaded, or opened elsewhere, rejoins them).
	router.get('/mine', async (ctx) => {
		const { claims } = await requireActiveUser(ctx, api);
		requirePermission(claims, 'cobrowse');
		const body: ListSessionsResponse = { sessions: api.sessions.live(claims.cid).filter((s) => s.agentUserId === claims.sub).map(view) };
		ctx.body = body;
	});

	// Sessions that ended, newest first (supervisors and admins): the way to their reports.
	router.get('/history', async (ctx) => {
		const { claims } = await requireActiveUser(ctx, api);
		if (claims.role !== 'admin') requirePermission(claims, 'supervise');
		const sessions = await api.store.listSessions(claims.cid, { live: false, limit: 200 });
		const names = new Map((await api.store.listUsers(claims.cid)).map((u) => [u.id, u.name]));
		const body: SessionHistoryResponse = {
			sessions: sessions.map((s) => ({ id: s.id, agent: { id: s.agentUserId, name: names.get(s.agentUserId) ?? null }, startedAt: s.startedAt, endedAt: s.endedAt, endReason: s.endReason, outcome: s.outcome ?? null })),
		};
		ctx.body = body;
	});

	// A session's report: its record, timeline, chat and recordings (supervisors and admins of its company).
	router.get('/:id/report', async (ctx) => {
		const { claims } = await requireActiveUser(ctx, api);
		if (claims.role !== 'admin') requirePermission(claims, 'supervise');
		const record = await api.store.getSession(String(ctx.params.id));
		// NOTE: another company's session is as unknown as one that never existed.
		if (!record || record.companyId !== claims.cid) throw new NotFoundError('session');
		const [{ events, chat, recordings }, agent, review] = await Promise.all([reportParts(api, record), api.store.getUser(record.agentUserId), api.store.getReview(record.id)]);
		const reviewer = review ? await api.store.getUser(review.reviewerId) : undefined;
		api.audit({ companyId: claims.cid, actorType: 'user', actorId: claims.sub, action: 'session.report_viewed', sessionId: record.id, detail: {}, ip: ctx.ip });
		const body: SessionReportResponse = {
			session: {
				id: record.id,
				agentUserId: record.agentUserId,
				agentName: agent?.name ?? null,
				startedAt: record.startedAt,
				endedAt: record.endedAt,
				endReason: record.endReason,
				outcome: record.outcome ?? null,
				wrapupNotes: record.wrapupNotes ?? null,
			},
			review: review ? { rating: review.rating, notes: review.notes, at: review.at, reviewer: reviewer?.name ?? null } : null,
			chat,
			events,
			recordings: recordings.map((r) => ({
				id: r.id,
				status: r.status,
				startedAt: r.startedAt,
				endedAt: r.endedAt,
				durationMs: r.durationMs,
				bytes: r.bytes,
				segments: r.segments,
				// NOTE: a <video> cannot send the token: a link signed for this user, for minutes.
				videoUrl: r.status === 'ready' ? `/api/recordings/${r.id}/video?${api.links.sign(r.id, claims.sub)}` : null,
				overlayUrl: r.status === 'ready' ? `/api/recordings/${r.id}/overlay?${api.links.sign(r.id, claims.sub)}` : null,
			})),
		};
		ctx.set('Cache-Control', 'no-store');
		ctx.body = body;
	});

	// The agent's wrap-up form of a session it ran: the company's outcomes and what was saved.
	router.get('/:id/wrapup', async (ctx) => {
		const { user } = await requireActiveUser(ctx, api);
		const record = await agentsOwn(String(ctx.params.id), user);
		const company = await api.store.getCompany(user.companyId);
		const body: WrapUpResponse = { outcomes: company?.settings.outcomes ?? [], outcome: record.outcome ?? null, notes: record.wrapupNotes ?? '', ended: record.endedAt !== null || !api.liveSession(record.id) };
		ctx.set('Cache-Control', 'no-store');
		ctx.body = body;
	});

	// The agent records the outcome of a session it ran, once it has ended (again to correct it). Audited.
	router.post('/:id/wrapup', async (ctx) => {
		const { user } = await requireActiveUser(ctx, api);
		const record = await agentsOwn(String(ctx.params.id), user);
		const { outcome, notes } = parseBody(WrapUpBody, ctx);
		// NOTE: a session that is ending (its recording being finished) counts as ended.
		if (record.endedAt === null && api.liveSession(record.id)) throw new ConflictError('the session is still running');
		const company = await api.store.getCompany(user.companyId);
		if (!company?.settings.outcomes.includes(outcome)) throw new BadRequestError("outcome: not one of your company's outcomes");
		await api.store.wrapUpSession(record.id, { outcome, notes, at: Date.now() });
		api.audit({ companyId: user.companyId, actorType: 'user', actorId: user.id, action: 'session.wrapped_up', sessionId: record.id, detail: { outcome }, ip: ctx.ip });
		ctx.status = 204;
	});

	// A supervisor's (or admin's) review of a session, for coaching: a rating and notes. Audited, without the notes.
	router.put('/:id/review', async (ctx) => {
		const { claims } = await requireActiveUser(ctx, api);
		if (claims.role !== 'admin') requirePermission(claims, 'supervise');
		const record = await api.store.getSession(String(ctx.params.id));
		if (!record || record.companyId !== claims.cid) throw new NotFoundError('session');
		const { rating, notes } = parseBody(ReviewBody, ctx);
		await api.store.saveReview({ sessionId: record.id, reviewerId: claims.sub, rating, notes, at: Date.now() });
		api.audit({ companyId: claims.cid, actorType: 'user', actorId: claims.sub, action: 'session.reviewed', sessionId: record.id, detail: { rating }, ip: ctx.ip });
		ctx.status = 204;
	});

	/** A session the user ran as its agent; anything else is unknown. */
	async function agentsOwn(id: string, user: User): Promise<SessionRecord> {
		const record = await api.store.getSession(id);
		if (!record || record.companyId !== user.companyId || record.agentUserId !== user.id) throw new NotFoundError('session');
		return record;
	}

	// Deletes a session's report and its recordings for good (admins). Audited.
	router.delete('/:id/report', async (ctx) => {
		const { claims } = await requireActiveUser(ctx, api);
		requireRole(claims, 'admin');
		const record = await api.store.getSession(String(ctx.params.id));
		if (!record || record.companyId !== claims.cid) throw new NotFoundError('session');
		if (record.endedAt === null) throw new ConflictError('the session is still running');
		const deleted = await api.deleteReport(record.id);
		api.audit({ companyId: claims.cid, actorType: 'user', actorId: claims.sub, action: 'report.deleted', sessionId: record.id, detail: { recordings: deleted }, ip: ctx.ip });
		ctx.status = 204;
	});

	// A small, low-rate picture of what agents see (the masked rendition), for the supervisor's wall.
	router.get('/:id/thumbnail', async (ctx) => {
		const { claims } = await requireActiveUser(ctx, api);
		requirePermission(claims, 'supervise');
		const id = String(ctx.params.id);
		const live = api.sessions.get(id);
		if (!live || live.companyId !== claims.cid) throw new NotFoundError('session');
		// NOTE: looking at a session is audited once per supervisor and session, like joining it.
		const seen = `${claims.sub}:${id}`;
		if (!wallViewers.has(seen)) {
			wallViewers.add(seen);
			if (wallViewers.size > 10_000) wallViewers.delete(wallViewers.values().next().value!);
			api.audit({ companyId: claims.cid, actorType: 'user', actorId: claims.sub, action: 'session.thumbnail_viewed', sessionId: id, detail: {}, ip: ctx.ip });
		}
		const jpeg = await api.sessions.thumbnail(id);
		ctx.set('Cache-Control', 'no-store');
		ctx.set('X-Content-Type-Options', 'nosniff');
		if (!jpeg) {
			// NOTE: asking started them: the first one comes within a second or two.
			ctx.status = 204;
			return;
		}
		ctx.type = 'image/jpeg';
		ctx.body = Buffer.from(jpeg);
	});

	router.get('/', async (ctx) => {
		const { claims } = await requireActiveUser(ctx, api);
		requirePermission(claims, 'supervise');
		const body: ListSessionsResponse = { sessions: api.sessions.live(claims.cid).map(view) };
		ctx.body = body;
	});

	return router;
}

function view(s: LiveSessionInfo): LiveSessionView {
	return {
		id: s.id,
		startedAt: s.startedAt,
		agent: { id: s.agentUserId, name: s.agentName },
		customerPresent: s.customerPresent,
		url: s.url,
		title: s.title,
		refusals: s.refusals,
	};
}

