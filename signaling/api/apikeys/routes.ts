/**
 * /api/api-keys: a company's admins make keys for the integration API (each with its
 * scopes; the token is shown once), list them with when each was last used, and revoke
 * them (refused from the next request on). Audited.
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import { ConflictError, NotFoundError } from '../../../protocol/errors.js';
import type { ApiKey } from '../../store/Store.js';
import { jsonBody, parseBody } from '../body.js';
import type { ApiContext } from '../context.js';
import { requireAdmin as requireCompanyAdmin } from '../guard.js';
import { type ApiKeyView, CreateApiKeyBody, type CreateApiKeyResponse, type ListApiKeysResponse } from './schema.js';

/** The most live keys a company may hold (each is a door: few, named, revocable). */
const MAX_LIVE_KEYS = 50;

export function apiKeyRoutes(api: ApiContext): Router {
	const router = new Router({ prefix: '/api/api-keys' });
	router.use(jsonBody());

	const requireAdmin = (ctx: Context) => requireCompanyAdmin(ctx, api);

	router.get('/', async (ctx) => {
		const admin = await requireAdmin(ctx);
		ctx.set('Cache-Control', 'no-store');
		ctx.body = { keys: (await api.store.listApiKeys(admin.cid)).map(view) } satisfies ListApiKeysResponse;
	});

	router.post('/', async (ctx) => {
		const admin = await requireAdmin(ctx);
		const body = parseBody(CreateApiKeyBody, ctx);
		const live = (await api.store.listApiKeys(admin.cid)).filter((k) => k.revokedAt === null);
		if (live.length >= MAX_LIVE_KEYS) throw new ConflictError(`a company may hold ${MAX_LIVE_KEYS} keys at most; revoke one first`);
		const { key, token } = await api.apiKeys.create(admin.cid, body.name, body.scopes, admin.sub);
		api.audit({ companyId: admin.cid, actorType: 'user', actorId: admin.sub, action: 'api_key.created', detail: { keyId: key.id, name: key.name, scopes: key.scopes }, ip: ctx.ip });
		ctx.status = 201;
		ctx.set('Cache-Control', 'no-store');
		ctx.body = { key: view(key), token } satisfies CreateApiKeyResponse;
	});

	router.delete('/:id', async (ctx) => {
		const admin = await requireAdmin(ctx);
		const id = String(ctx.params.id);
		if (!(await api.store.revokeApiKey(admin.cid, id, Date.now()))) throw new NotFoundError('API key');
		api.audit({ companyId: admin.cid, actorType: 'user', actorId: admin.sub, action: 'api_key.revoked', detail: { keyId: id }, ip: ctx.ip });
		ctx.status = 204;
	});

	return router;
}

function view(key: ApiKey): ApiKeyView {
	return { id: key.id, name: key.name, scopes: key.scopes, createdAt: key.createdAt, createdBy: key.createdBy, lastUsedAt: key.lastUsedAt, revokedAt: key.revokedAt };
}
