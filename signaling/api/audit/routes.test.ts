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
		expect(body.entries[1]).toEqual({ id: expect.any(Number), at: expect.any(Number), actorType: 'system', actorId: null, actorName: null, action: 'test.acme5', sessionId: 's5', detail: {}, ip: null });
		// A user is named (as the account is named now), not only by id.
		expect(body.entries[0]).toMatchObject({ action: 'auth.login', actorType: 'user', actorName: 'admin' });
	});

	it('pages with limit and beforeId', async () => {
		const first = await get('?limit=2');
		expect(first.body.entries.map((e) => e.action)).toEqual(['auth.login', 'test.acme5']);
		const second = await get(`?limit=2&beforeId=${first.body.entries[1]?.id}`);
		expect(second.body.entries.map((e) => e.action)).toEqual(['test.acme4', 'test.acme3']);
	});

	it('filters by who, by what (an action or a domain of them) and by when', async () => {
		const admin = (await t.store.getUserByEmail('acme', 'admin@acme.test'))!;
		expect((await get(`?actor=${admin.id}`)).body.entries.map((e) => e.action)).toEqual(['auth.login']);
		expect((await get('?action=test.acme3')).body.entries.map((e) => e.action)).toEqual(['test.acme3']);
		expect((await get('?action=test.')).body.entries).toHaveLength(5);
		// A domain is matched whole: "tes." is not "test.".
		expect((await get('?action=tes.')).body.entries).toHaveLength(0);
		const all = (await get('')).body.entries;
		const third = all.find((e) => e.action === 'test.acme3')!;
		const window = (await get(`?from=${third.at}&to=${third.at + 1}&action=test.`)).body.entries;
		expect(window.every((e) => e.at === third.at)).toBe(true);
		expect((await get(`?to=1`)).body.entries).toHaveLength(0);
		expect((await get('?action=DROP TABLE')).status).toBe(400);
	});

	it('exports what the filters match as CSV a spreadsheet opens safely, and audits the export', async () => {
		await t.store.audit({ companyId: 'acme', actorType: 'system', actorId: null, action: 'test.formula', detail: { note: '=cmd|calc' } });
		const response = await t.request('GET', '/api/audit?format=csv&action=test.', { token: adminToken });
		expect(response.status).toBe(200);
		expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
		expect(response.headers.get('content-disposition')).toMatch(/attachment/);
		const lines = (await response.text()).replace(/^\uFEFF/, '').trim().split('\r\n');
		expect(lines[0]).toBe('time (UTC),actor type,actor,actor id,action,session,detail,address');
		expect(lines).toHaveLength(1 + 6);
		expect(lines.some((l) => l.includes('test.acme1'))).toBe(true);
		expect(lines.some((l) => l.includes('test.globex'))).toBe(false);
		// The JSON cell starts with "{", so it is quoted, never a formula.
		expect(lines.find((l) => l.includes('test.formula'))).toContain('"{""note"":""=cmd|calc""}"');
		await new Promise((r) => setTimeout(r, 50));
		expect((await get('?action=audit.exported')).body.entries).toHaveLength(1);
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
