/**
 * Webhooks against a real HTTP receiver on loopback: registration by admins only, checked
 * against the egress rules; signed deliveries that verify; retries until the receiver
 * answers (exactly one success); nothing lost across a restart (a real SQLite file);
 * redelivery with the same event id; no redirects followed.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEgressAllowList } from '../../../publisher/egress/policy.js';
import { Metrics } from '../../metrics.js';
import { SqliteStore } from '../../store/SqliteStore.js';
import { SecretBox } from '../../webhooks/secrets.js';
import { verifySignature } from '../../webhooks/signature.js';
import { Webhooks } from '../../webhooks/Webhooks.js';
import { authRoutes } from '../auth/routes.js';
import { startTestApi, type TestApi } from '../testing.js';
import { webhookRoutes } from './routes.js';

interface Received {
	headers: http.IncomingHttpHeaders;
	body: string;
}

/** A receiver whose answers the test scripts: a status per request (the last one repeats; 0 drops the connection). */
async function receiver(statuses: number[] = [204]) {
	const received: Received[] = [];
	let i = 0;
	const server = http.createServer((req, res) => {
		let body = '';
		req.on('data', (c: Buffer) => (body += c.toString()));
		req.on('end', () => {
			received.push({ headers: req.headers, body });
			const status = statuses[Math.min(i++, statuses.length - 1)]!;
			// NOTE: 0: the connection drops without an answer.
			if (status === 0) return void req.socket.destroy();
			if (status >= 300 && status < 400) res.setHeader('Location', 'http://127.0.0.1:1/elsewhere');
			res.writeHead(status).end();
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const port = (server.address() as { port: number }).port;
	return { url: `http://127.0.0.1:${port}/hook`, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const until = async <T>(check: () => T | undefined | false | Promise<T | undefined | false>, ms = 10_000): Promise<T> => {
	const end = Date.now() + ms;
	for (;;) {
		const value = await check();
		if (value) return value;
		if (Date.now() > end) throw new Error('timed out waiting');
		await new Promise((r) => setTimeout(r, 20));
	}
};

let t: TestApi;
let admin: string;

beforeAll(async () => {
	t = await startTestApi([authRoutes, webhookRoutes]);
	t.api.webhooks.start();
	await t.seedCompany('acme');
	await t.seedCompany('other');
	await t.seedUser('acme', 'ada@acme.test', 'admin');
	await t.seedUser('acme', 'sam@acme.test', 'supervisor');
	await t.seedUser('other', 'otto@other.test', 'admin');
	admin = (await t.login('ada@acme.test')).accessToken;
});

afterAll(() => t?.close());

async function register(url: string, events = ['session.ended']): Promise<{ id: string; secret: string }> {
	const response = await t.request('POST', '/api/webhooks', { token: admin, body: { url, events } });
	expect(response.status, await response.clone().text()).toBe(201);
	const body = await response.json();
	return { id: body.webhook.id, secret: body.secret };
}

describe('webhook endpoints', () => {
	it('are registered by admins only, where the cloud browser could go, the secret shown once', async () => {
		const supervisor = (await t.login('sam@acme.test')).accessToken;
		expect((await t.request('POST', '/api/webhooks', { token: supervisor, body: { url: 'https://crm.example/hook', events: ['session.ended'] } })).status).toBe(403);
		for (const [url, why] of [
			['ftp://crm.example/hook', 'https'],
			['http://10.1.2.3:8080/hook', 'not a public address'],
			['http://169.254.169.254/latest/meta-data', 'not a public address'],
			['http://127.0.0.1:22/hook', 'port 22'],
			['http://user:pass@127.0.0.1:8080/hook', 'user name or password'],
			['not a url', 'not an address'],
		] as const) {
			const refused = await t.request('POST', '/api/webhooks', { token: admin, body: { url, events: ['session.ended'] } });
			expect(refused.status, url).toBe(400);
			expect((await refused.json()).error.message, url).toContain(why);
		}
		expect((await t.request('POST', '/api/webhooks', { token: admin, body: { url: 'http://127.0.0.1:9999/x', events: ['everything'] } })).status).toBe(400);
		const hook = await register('http://127.0.0.1:9999/x');
		expect(hook.secret).toMatch(/^whsec_/);
		const listed = await (await t.request('GET', '/api/webhooks', { token: admin })).text();
		expect(listed).not.toContain(hook.secret.slice(6));
		// Another company's admin does not see it, and cannot touch it.
		const otto = (await t.login('otto@other.test')).accessToken;
		expect((await (await t.request('GET', '/api/webhooks', { token: otto })).json()).webhooks).toEqual([]);
		expect((await t.request('DELETE', `/api/webhooks/${hook.id}`, { token: otto })).status).toBe(404);
		expect((await t.request('GET', `/api/webhooks/${hook.id}/deliveries`, { token: otto })).status).toBe(404);
		expect((await t.request('DELETE', `/api/webhooks/${hook.id}`, { token: admin })).status).toBe(204);
	});
});

describe('webhook deliveries', () => {
	it('are signed, verify with the secret, and carry the event', async () => {
		const crm = await receiver();
		const hook = await register(crm.url, ['session.ended', 'session.started']);
		await t.api.webhooks.emit('acme', 'session.ended', { sessionId: 's1', reference: 'CASE-1' });
		// Not subscribed, and another company's: nothing.
		await t.api.webhooks.emit('acme', 'policy.refused', { sessionId: 's1' });
		await t.api.webhooks.emit('other', 'session.ended', { sessionId: 's2' });
		const [got] = await until(() => crm.received.length === 1 && crm.received);
		await new Promise((r) => setTimeout(r, 300));
		expect(crm.received).toHaveLength(1);
		expect(verifySignature(hook.secret, got!.body, String(got!.headers['alongside-signature']))).toBe(true);
		expect(verifySignature('whsec_wrong', got!.body, String(got!.headers['alongside-signature']))).toBe(false);
		const event = JSON.parse(got!.body);
		expect(event).toMatchObject({ type: 'session.ended', companyId: 'acme', data: { sessionId: 's1', reference: 'CASE-1' } });
		expect(got!.headers['alongside-event-id']).toBe(event.id);
		await t.request('DELETE', `/api/webhooks/${hook.id}`, { token: admin });
		await crm.close();
	});

	it('are retried until the receiver answers: three failures, then exactly one success, one event id', async () => {
		const crm = await receiver([500, 503, 0, 200]);
		const hook = await register(crm.url);
		await t.api.webhooks.emit('acme', 'session.ended', { sessionId: 's3' });
		await until(() => crm.received.length >= 4);
		const deliveries = await until(async () => {
			const list = (await (await t.request('GET', `/api/webhooks/${hook.id}/deliveries`, { token: admin })).json()).deliveries;
			return list[0]?.status === 'delivered' && list;
		});
		expect(deliveries).toHaveLength(1);
		expect(deliveries[0]).toMatchObject({ status: 'delivered', attempts: 4, lastStatus: 200, lastError: null });
		await new Promise((r) => setTimeout(r, 300));
		expect(crm.received).toHaveLength(4);
		expect(new Set(crm.received.map((r) => r.headers['alongside-event-id'])).size).toBe(1);
		// Sent again by hand: the same event (id and body), a new delivery.
		const again = await t.request('POST', `/api/webhooks/${hook.id}/deliveries/${deliveries[0].id}/redeliver`, { token: admin });
		expect(again.status).toBe(202);
		await until(() => crm.received.length === 5);
		expect(crm.received[4]!.headers['alongside-event-id']).toBe(crm.received[0]!.headers['alongside-event-id']);
		expect(crm.received[4]!.body).toBe(crm.received[0]!.body);
		expect(crm.received[4]!.headers['alongside-delivery']).not.toBe(crm.received[0]!.headers['alongside-delivery']);
		await t.request('DELETE', `/api/webhooks/${hook.id}`, { token: admin });
		await crm.close();
	});

	it('do not follow redirects: a 3xx is a failure, tried again later', async () => {
		const crm = await receiver([302]);
		const hook = await register(crm.url);
		await t.api.webhooks.emit('acme', 'session.ended', { sessionId: 's4' });
		const [delivery] = await until(async () => {
			const list = (await (await t.request('GET', `/api/webhooks/${hook.id}/deliveries`, { token: admin })).json()).deliveries;
			return list[0]?.attempts >= 1 && list;
		});
		expect(delivery).toMatchObject({ status: 'pending', lastStatus: 302 });
		expect(delivery.lastError).toContain('redirects are not followed');
		await t.request('DELETE', `/api/webhooks/${hook.id}`, { token: admin });
		await crm.close();
	});
});

describe('the outbox', () => {
	it('loses nothing when the service stops during retries: the next run delivers', async () => {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alongside-outbox-'));
		const file = path.join(dir, 'alongside.db');
		const crm = await receiver([500]);
		const box = new SecretBox(() => Buffer.alloc(32, 9));
		const make = (store: SqliteStore) =>
			new Webhooks({ store, box, logger: pino({ level: 'silent' }), metrics: new Metrics({ defaultMetrics: false }), egress: { allow: parseEgressAllowList('127.0.0.0/8'), protectedPorts: () => [] }, allowHttp: true, retryBaseMs: 100 });
		let store = SqliteStore.open(file);
		await store.createCompany({ id: 'acme', name: 'Acme', settings: (await t.store.getCompany('acme'))!.settings, createdAt: Date.now() });
		await store.insertWebhook({ id: 'w1', companyId: 'acme', url: crm.url, events: ['session.ended'], secret: box.seal('whsec_x'), createdAt: Date.now(), createdBy: null, disabled: false });
		let webhooks = make(store);
		webhooks.start();
		await webhooks.emit('acme', 'session.ended', { sessionId: 's5' });
		await until(() => crm.received.length >= 1);
		// The service stops (mid-retries), and starts again later; the receiver is back.
		await webhooks.stop();
		await store.close();
		await crm.close();
		const back = await receiver([200]);
		store = SqliteStore.open(file);
		await store.updateWebhook('acme', 'w1', { url: back.url });
		webhooks = make(store);
		webhooks.start();
		await until(() => back.received.length === 1);
		const [delivery] = await until(async () => {
			const list = await store.listDeliveries('w1', 10);
			return list[0]?.status === 'delivered' && list;
		});
		expect(delivery!.attempts).toBeGreaterThanOrEqual(2);
		expect(JSON.parse(back.received[0]!.body).data).toEqual({ sessionId: 's5' });
		expect(back.received[0]!.headers['alongside-event-id']).toBe(crm.received[0]!.headers['alongside-event-id']);
		await webhooks.stop();
		await store.close();
		await back.close();
		fs.rmSync(dir, { recursive: true, force: true });
	});
});
