import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { authRoutes } from '../auth/routes.js';
import type { ErrorBody } from '../common.js';
import { startTestApi, type TestApi } from '../testing.js';
import { auditRoutes } from './routes.js';
import type { AuditResponse } from './schema.js';

describe('/api/audit', () => {
	let t: TestApi;
	let adminToken: string;

	beforeEach(async () => {
		t = await startTestApi([authRoutes, auditRoutes]);
		await t.seedCompany('acme');
		await t.seedCompany('globex');
		await t.seedUser('acme', 'admin@acme.test', 'admin');
		await t.seedUser('acme', 'super@acme.test', 'supervisor');
		for (let i = 1; i <= 5; i++) {
			await t.store.audit({ companyId: 'acme', actorType: 'system', actorId: null, action: `test.acme${i}`, sessionId: `s${i}` });
			await t.store.audit({ companyId: 'globex', actorType: 'system', actorId: null, action: `test.globex${i}` });
		}
		adminToken = (await t.login('admin@acme.test')).accessToken;
	});

	afterEach(async () => {
		await t.close();
	});

	const get = async (query: string, token = adminToken) => {
		const response = await t.request('GET', `/api/audit${query}`, { token });
		return { status: response.status, body: (await response.json()) as AuditResponse & ErrorBody };
	};

	it('lists the company’s entries newest first, and only that company’s', async () => {
		const { status, body } = await get('');
		expect(status).toBe(200);
		expect(body.entries.map((e) => e.action)).toEqual(['auth.login', 'test.acme5', 'test.acme4', 'test.acme3', 'test.acme2', 'test.acme1']);
		expect(body.entries[1]).toEqual({ id: expect.any(Number), at: expect.any(Number), actorType: 'system', actorId: null, action: 'test.acme5', sessionId: 's5', detail: {}, ip: null });
	});

	it('pages with limit and beforeId', async () => {
		const first = await get('?limit=2');
		expect(first.body.entries.map((e) => e.action)).toEqual(['auth.login', 'test.acme5']);
		const second = await get(`?limit=2&beforeId=${first.body.entries[1]?.id}`);
		expect(second.body.entries.map((e) => e.action)).toEqual(['test.acme4', 'test.acme3']);
	});

	it('names a bad query parameter', async () => {
		const { status, body } = await get('?limit=5000');
		expect(status).toBe(400);
		expect(body.error.message).toMatch(/^limit: /);
		expect((await get('?beforeId=abc')).body.error.message).toMatch(/^beforeId: /);
	});

	it('refuses supervisors and customers', async () => {
		const { accessToken } = await t.login('super@acme.test');
		expect((await get('', accessToken)).status).toBe(403);
		const session = t.tokens.issueSessionToken({ sub: 'c1', cid: 'acme', sid: 's1', role: 'customer', name: 'Customer' });
		expect((await get('', session)).status).toBe(401);
	});
});
