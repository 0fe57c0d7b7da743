/**
 * /api/webhooks: a company's admins register endpoints (checked against the egress rules,
 * the signing secret shown once), change or delete them, read their latest deliveries and
 * send one again, or send a test event. Audited.
 */
import { randomUUID } from 'node:crypto';
import Router from '@koa/router';
import { BadRequestError, ConflictError, NotFoundError } from '../../../protocol/errors.js';
import type { Webhook, WebhookDelivery } from '../../store/Store.js';
import { Webhooks } from '../../webhooks/Webhooks.js';
import { jsonBody, parseBody } from '../body.js';
import type { ApiContext } from '../context.js';
import { requireAdmin } from '../guard.js';
import { CreateWebhookBody, type CreateWebhookResponse, type DeliveryView, type ListDeliveriesResponse, type ListWebhooksResponse, UpdateWebhookBody, type WebhookView } from './schema.js';

/** The most endpoints a company may register. */
const MAX_WEBHOOKS = 20;

export function webhookRoutes(api: ApiContext): Router {
	const router = new Router({ prefix: '/api/webhooks' });
	router.use(jsonBody());

	/** An endpoint of the admin's company, or 404. */
	const own = async (companyId: string, id: string): Promise<Webhook> => {
		const hook = await api.store.getWebhook(id);
		if (!hook || hook.companyId !== companyId) throw new NotFoundError('webhook');
		return hook;
	};

	const checkUrl = async (url: string) => {
		const problem = await api.webhooks.checkUrl(url);
		if (problem) throw new BadRequestError(problem);
	};

	router.get('/', async (ctx) => {
		const admin = await requireAdmin(ctx, api);
		ctx.set('Cache-Control', 'no-store');
		ctx.body = { webhooks: (await api.store.listWebhooks(admin.cid)).map(view) } satisfies ListWebhooksResponse;
	});

	router.post('/', async (ctx) => {
		const admin = await requireAdmin(ctx, api);
		const body = parseBody(CreateWebhookBody, ctx);
		if ((await api.store.listWebhooks(admin.cid)).length >= MAX_WEBHOOKS) throw new ConflictError(`a company may register ${MAX_WEBHOOKS} endpoints at most`);
		await checkUrl(body.url);
		const secret = Webhooks.newSecret();
		const hook: Webhook = { id: randomUUID(), companyId: admin.cid, url: body.url, events: [...new Set(body.events)], secret: api.webhooks.seal(secret), createdAt: Date.now(), createdBy: admin.sub, disabled: false };
		await api.store.insertWebhook(hook);
		api.audit({ companyId: admin.cid, actorType: 'user', actorId: admin.sub, action: 'webhook.created', detail: { webhookId: hook.id, url: hook.url, events: hook.events }, ip: ctx.ip });
		ctx.status = 201;
		ctx.set('Cache-Control', 'no-store');
		ctx.body = { webhook: view(hook), secret } satisfies CreateWebhookResponse;
	});

	router.patch('/:id', async (ctx) => {
		const admin = await requireAdmin(ctx, api);
		const hook = await own(admin.cid, String(ctx.params.id));
		const body = parseBody(UpdateWebhookBody, ctx);
		if (body.url !== undefined) await checkUrl(body.url);
		await api.store.updateWebhook(admin.cid, hook.id, { ...body, ...(body.events ? { events: [...new Set(body.events)] } : {}) });
		api.audit({ companyId: admin.cid, actorType: 'user', actorId: admin.sub, action: 'webhook.updated', detail: { webhookId: hook.id, fields: Object.keys(body) }, ip: ctx.ip });
		ctx.body = view((await api.store.getWebhook(hook.id))!);
	});

	router.delete('/:id', async (ctx) => {
		const admin = await requireAdmin(ctx, api);
		const hook = await own(admin.cid, String(ctx.params.id));
		await api.store.deleteWebhook(admin.cid, hook.id);
		api.audit({ companyId: admin.cid, actorType: 'user', actorId: admin.sub, action: 'webhook.deleted', detail: { webhookId: hook.id, url: hook.url }, ip: ctx.ip });
		ctx.status = 204;
	});

	router.get('/:id/deliveries', async (ctx) => {
		const admin = await requireAdmin(ctx, api);
		const hook = await own(admin.cid, String(ctx.params.id));
		ctx.set('Cache-Control', 'no-store');
		ctx.body = { deliveries: (await api.store.listDeliveries(hook.id, 50)).map(deliveryView) } satisfies ListDeliveriesResponse;
	});

	router.post('/:id/test', async (ctx) => {
		const admin = await requireAdmin(ctx, api);
		const hook = await own(admin.cid, String(ctx.params.id));
		await api.webhooks.test(hook);
		ctx.status = 202;
		ctx.body = { queued: true };
	});

	router.post('/:id/deliveries/:deliveryId/redeliver', async (ctx) => {
		const admin = await requireAdmin(ctx, api);
		const hook = await own(admin.cid, String(ctx.params.id));
		const delivery = await api.store.getDelivery(String(ctx.params.deliveryId));
		if (!delivery || delivery.webhookId !== hook.id) throw new NotFoundError('delivery');
		if (delivery.status === 'pending') throw new ConflictError('this delivery is still being tried');
		const again = await api.webhooks.redeliver(delivery);
		api.audit({ companyId: admin.cid, actorType: 'user', actorId: admin.sub, action: 'webhook.redelivered', detail: { webhookId: hook.id, eventId: delivery.eventId }, ip: ctx.ip });
		ctx.status = 202;
		ctx.body = deliveryView(again);
	});

	return router;
}

function view(hook: Webhook): WebhookView {
	return { id: hook.id, url: hook.url, events: hook.events, createdAt: hook.createdAt, disabled: hook.disabled };
}

function deliveryView(d: WebhookDelivery): DeliveryView {
	return { id: d.id, eventId: d.eventId, eventType: d.eventType, status: d.status, attempts: d.attempts, nextAttemptAt: d.nextAttemptAt, lastStatus: d.lastStatus, lastError: d.lastError, createdAt: d.createdAt, deliveredAt: d.deliveredAt };
}
