/**
 * /api/v1: the integration API, for a company's own systems with an API key (see
 * apikeys/ApiKeys.ts). Every operation of spec.ts is served here and nothing else: the key
 * is checked (401), then its scope (403), its rate (429), then the input against the
 * operation's schemas (400 naming the field). A key sees its own company only: anything of
 * another company is a 404, as if it did not exist. Changes are audited as the key.
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import type { z } from 'zod';
import { ConflictError, ForbiddenError, NotFoundError } from '../../../protocol/errors.js';
import { reportParts } from '../sessions/timeline.js';
import type { ApiKey, SessionRecord } from '../../store/Store.js';
import { LINK_TTL_MS } from '../../recordings/links.js';
import { jsonBody, parseInput } from '../body.js';
import type { ApiContext } from '../context.js';
import type { IssuedPin, SessionList, SessionReport, SessionSummary, RecordingLink } from './schema.js';
import { OPERATIONS, type Operation, type OperationId } from './spec.js';

type Op<I extends OperationId> = Extract<(typeof OPERATIONS)[number], { id: I }>;
type Parsed<O, K extends 'params' | 'query' | 'body'> = O extends { [P in K]: infer S extends z.ZodType } ? z.output<S> : undefined;
type Input<O> = { params: Parsed<O, 'params'>; query: Parsed<O, 'query'>; body: Parsed<O, 'body'>; key: ApiKey; ctx: Context };
type Output<O> = O extends { response: infer S extends z.ZodType } ? z.input<S> : void;
type Handlers = { [I in OperationId]: (input: Input<Op<I>>) => Promise<Output<Op<I>>> };

export function v1Routes(api: ApiContext): Router {
	const router = new Router({ prefix: '/api/v1' });
	// NOTE: the key first: nobody without one gets as far as having a body parsed.
	router.use(async (ctx, next) => {
		ctx.state.apiKey = await api.apiKeys.authenticate(ctx.get('Authorization'));
		await next();
	});
	router.use(jsonBody());

	const audit = (key: ApiKey, ctx: Context, action: string, sessionId: string | null, detail: Record<string, unknown>) =>
		api.audit({ companyId: key.companyId, actorType: 'api_key', actorId: key.id, action, sessionId, detail, ip: ctx.ip });

	/** A session of the key's company, or 404. */
	const sessionOf = async (key: ApiKey, id: string): Promise<SessionRecord> => {
		const record = await api.store.getSession(id);
		if (!record || record.companyId !== key.companyId) throw new NotFoundError('session');
		return record;
	};

	/** A session as the API shows it; `agentName` when the caller already has it (a list). */
	const summary = async (record: SessionRecord, agentName?: string | null): Promise<z.input<typeof SessionSummary>> => {
		const name = agentName !== undefined ? agentName : ((await api.store.getUser(record.agentUserId))?.name ?? null);
		return {
			id: record.id,
			reference: record.reference ?? null,
			live: record.endedAt === null && api.liveSession(record.id) !== undefined,
			agent: { id: record.agentUserId, name },
			startedAt: record.startedAt,
			endedAt: record.endedAt,
			endReason: record.endReason,
			outcome: record.outcome ?? null,
		};
	};

	const handlers: Handlers = {
		async issuePin({ body, key, ctx }) {
			const company = await api.store.getCompany(key.companyId);
			if (!company) throw new NotFoundError('company');
			const locale = body.lang ? { lang: body.lang, ...(body.timeZone ? { timeZone: body.timeZone } : {}) } : undefined;
			// NOTE: issued under the key's own limit, not the caller's address (a CRM is one address for many agents).
			const issued = await api.pins.issue(company.id, company.settings.pinTtlSeconds, `api-key:${key.id}`, locale, body.reference ?? null);
			api.metrics.pinsIssued.inc();
			audit(key, ctx, 'pin.issued', null, { reference: body.reference ?? null });
			const base = api.publicUrl(ctx);
			const fragment = new URLSearchParams({ pin: issued.pin, watch: issued.watchToken, exp: String(issued.expiresAt) });
			return {
				pin: issued.pin,
				expiresAt: issued.expiresAt,
				expiresIn: Math.max(0, Math.round((issued.expiresAt - Date.now()) / 1000)),
				customerUrl: `${base}/c/${encodeURIComponent(company.id)}#${fragment}`,
				reference: body.reference ?? null,
			} satisfies z.input<typeof IssuedPin>;
		},

		async listSessions({ query, key }) {
			const records = await api.store.listSessions(key.companyId, {
				...(query.status ? { live: query.status === 'live' } : {}),
				...(query.reference ? { reference: query.reference } : {}),
				...(query.before !== undefined ? { before: query.before } : {}),
				limit: query.limit,
			});
			// NOTE: the company's people once, not one lookup per session listed.
			const names = new Map((await api.store.listUsers(key.companyId)).map((u) => [u.id, u.name]));
			return { sessions: await Promise.all(records.map((r) => summary(r, names.get(r.agentUserId) ?? null))) } satisfies z.input<typeof SessionList>;
		},

		async getSession({ params, key }) {
			return summary(await sessionOf(key, params.id));
		},

		async endSession({ params, key, ctx }) {
			const record = await sessionOf(key, params.id);
			const live = api.liveSession(record.id);
			if (!live || record.endedAt !== null) throw new ConflictError('the session has already ended');
			audit(key, ctx, 'session.ended_by_api', record.id, {});
			await live.end('api_ended');
		},

		async getSessionReport({ params, key, ctx }) {
			const record = await sessionOf(key, params.id);
			const [{ events, chat, recordings }, session] = await Promise.all([reportParts(api, record), summary(record)]);
			audit(key, ctx, 'session.report_viewed', record.id, {});
			ctx.set('Cache-Control', 'no-store');
			return {
				session,
				wrapupNotes: record.wrapupNotes ?? null,
				events,
				chat,
				recordings: recordings.map((r) => ({ id: r.id, status: r.status, startedAt: r.startedAt, endedAt: r.endedAt, durationMs: r.durationMs, bytes: r.bytes })),
			} satisfies z.input<typeof SessionReport>;
		},

		async getRecordingLink({ params, key, ctx }) {
			const recording = await api.store.getRecording(params.id);
			if (!recording || recording.companyId !== key.companyId) throw new NotFoundError('recording');
			if (recording.status !== 'ready') throw new ConflictError(recording.status === 'recording' ? 'the recording is not finished yet' : 'the recording failed: there is nothing to watch');
			const now = Date.now();
			audit(key, ctx, 'recording.link_issued', recording.sessionId, { recordingId: recording.id });
			ctx.set('Cache-Control', 'no-store');
			return {
				url: `${api.publicUrl(ctx)}/api/recordings/${recording.id}/video?${api.links.sign(recording.id, `key:${key.id}`, now)}`,
				expiresAt: now + LINK_TTL_MS,
			} satisfies z.input<typeof RecordingLink>;
		},
	};

	for (const op of OPERATIONS as readonly Operation[]) {
		const path = op.path.replace(/\{(\w+)\}/g, ':$1');
		router[op.method](path, async (ctx) => {
			const key = ctx.state.apiKey as ApiKey;
			if (!key.scopes.includes(op.scope)) throw new ForbiddenError(`this API key lacks the ${op.scope} scope`);
			const input = {
				params: op.params ? parseInput(op.params, ctx.params, 'path') : undefined,
				query: op.query ? parseInput(op.query, ctx.query, 'query') : undefined,
				body: op.body ? parseInput(op.body, ctx.request.body ?? {}, 'body') : undefined,
				key,
				ctx,
			};
			const result = await (handlers[op.id as OperationId] as (input: unknown) => Promise<unknown>)(input);
			ctx.status = op.status;
			if (op.response) ctx.body = result;
		});
	}
	return router;
}


