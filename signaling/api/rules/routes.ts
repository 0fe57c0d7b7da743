/**
 * /api/company/rules: the company's masking rules. Admins and supervisors read them; admins
 * save them, and live sessions of the company get them at once (within a second).
 *
 * /api/company/rules/preview: an admin tries draft rules before saving them, in a cloud
 * browser of their own (no customer, no PIN), watching its masked video beside the clear
 * one. Draft rules reach it as they are edited; it ends when the admin closes it or leaves.
 */
import { randomBytes } from 'node:crypto';
import Router from '@koa/router';
import { ALL_BUILTIN_RULES } from '../../../protocol/detector.js';
import { ConflictError, NotFoundError } from '../../../protocol/errors.js';
import type { CompanyRules, MaskRule } from '../../store/Store.js';
import { jsonBody, parseBody } from '../body.js';
import type { ApiContext } from '../context.js';
import { requireActiveUser, requireRole } from '../guard.js';
import { detectorRules, PreviewRulesBody, type RulesResponse, SaveRulesBody, StartPreviewBody, type StartPreviewResponse } from './schema.js';

export function ruleRoutes(api: ApiContext): Router {
	const router = new Router({ prefix: '/api/company/rules' });
	router.use(jsonBody());

	router.get('/', async (ctx) => {
		const { claims } = await requireActiveUser(ctx, api);
		requireRole(claims, 'admin', 'supervisor');
		ctx.body = { rules: await api.store.getRules(claims.cid), builtins: ALL_BUILTIN_RULES } satisfies RulesResponse;
	});

	router.put('/', async (ctx) => {
		const { claims } = await requireActiveUser(ctx, api);
		requireRole(claims, 'admin');
		const body = parseBody(SaveRulesBody, ctx);
		const before = await api.store.getRules(claims.cid);
		if (before.version !== body.version) throw staleVersion();
		// NOTE: an id the company's rules do not have is not kept: ids are the server's to give.
		const known = new Set(before.mask.map((rule) => rule.id));
		const mask: MaskRule[] = body.mask.map(({ id, kind, value, domains, note }) => ({ id: id && known.has(id) ? id : newRuleId(), kind, value, domains, note }));
		const saved = await api.store.saveRules(claims.cid, { disabledBuiltins: body.disabledBuiltins, mask }, body.version, Date.now(), claims.sub);
		if (!saved) throw staleVersion();
		api.rulesChanged(claims.cid, saved);
		api.audit({ companyId: claims.cid, actorType: 'user', actorId: claims.sub, action: 'rules.updated', detail: changes(before, saved), ip: ctx.ip });
		ctx.body = { rules: saved, builtins: ALL_BUILTIN_RULES } satisfies RulesResponse;
	});

	router.post('/preview', async (ctx) => {
		const { claims, user } = await requireActiveUser(ctx, api);
		requireRole(claims, 'admin');
		const body = parseBody(StartPreviewBody, ctx);
		const session = await api.startSession(user, null, { preview: true });
		session.setRules(detectorRules(body));
		void session.ready
			.then(() => session.browser.navigate(body.url))
			.catch((error: Error) => api.logger.info({ sessionId: session.id, err: error.message }, 'preview page did not load'));
		api.audit({ companyId: claims.cid, actorType: 'user', actorId: claims.sub, action: 'rules.preview', sessionId: session.id, detail: { host: new URL(body.url).host }, ip: ctx.ip });
		ctx.status = 201;
		ctx.body = { sessionId: session.id } satisfies StartPreviewResponse;
	});

	router.put('/preview/:sessionId', async (ctx) => {
		const { claims } = await requireActiveUser(ctx, api);
		requireRole(claims, 'admin');
		const session = ownPreview(ctx.params.sessionId, claims.sub, claims.cid);
		session.setRules(detectorRules(parseBody(PreviewRulesBody, ctx)));
		ctx.status = 204;
	});

	router.delete('/preview/:sessionId', async (ctx) => {
		const { claims } = await requireActiveUser(ctx, api);
		requireRole(claims, 'admin');
		await ownPreview(ctx.params.sessionId, claims.sub, claims.cid).end('agent_ended');
		ctx.status = 204;
	});

	/** The admin's own live preview; anything else (another admin's, a real session) is not found. */
	function ownPreview(sessionId: string | undefined, userId: string, companyId: string) {
		const session = sessionId ? api.liveSession(sessionId) : undefined;
		const binding = session?.binding;
		if (!session || !binding?.preview || binding.agentUserId !== userId || binding.companyId !== companyId) throw new NotFoundError('preview');
		return session;
	}

	return router;
}

function staleVersion(): ConflictError {
	return new ConflictError('version: the rules were saved by someone else since you loaded them; reload to see theirs, then make your change again');
}

function newRuleId(): string {
	return randomBytes(6).toString('base64url');
}

/** What a save changed, for the audit log: rule ids and built-ins, not values (they may describe a customer's page). */
function changes(before: CompanyRules, after: CompanyRules): Record<string, unknown> {
	const was = new Map(before.mask.map((rule) => [rule.id, JSON.stringify(rule)]));
	const now = new Set(after.mask.map((rule) => rule.id));
	return {
		version: after.version,
		added: after.mask.filter((rule) => !was.has(rule.id)).map((rule) => rule.id),
		changed: after.mask.filter((rule) => was.has(rule.id) && was.get(rule.id) !== JSON.stringify(rule)).map((rule) => rule.id),
		removed: before.mask.filter((rule) => !now.has(rule.id)).map((rule) => rule.id),
		builtinsOff: after.disabledBuiltins,
	};
}
