/**
 * Sessions you can trust, on a real server with a real SQLite store: the PIN flow and
 * every way of getting it wrong. Each refusal asserts its code and that nothing changed.
 */
import { createHash, generateKeyPairSync, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PERMISSIONS } from '../signaling/api/common.js';
import { hashPassword } from '../signaling/auth/passwords.js';
import { KeyStore } from '../signaling/auth/KeyStore.js';
import type { Alongside } from '../signaling/Alongside.js';
import { PIN_LIMITS } from '../signaling/pins/PinService.js';
import { api, issuePin, login, startAlongside, startSessionWithPin, until, WsClient } from './helpers.js';

let app: Alongside;
let agentToken: string;
let otherAgentToken: string;

/** A second company with its own agent, to try crossing the company boundary. */
async function createOtherCompany(): Promise<string> {
	await app.store.createCompany({
		id: 'other',
		name: 'Other Ltd',
		settings: { announceSupervision: true, pinTtlSeconds: 600, brandName: null, startUrl: null, allowedDomains: [], customerAnnotations: false, brandColor: null, agentNameFormat: 'full', logoVersion: null, recording: 'off', retentionDays: 30, outcomes: [] },
		createdAt: Date.now(),
	});
	const password = 'other-agent-password-1';
	await app.store.createUser({
		id: randomUUID(),
		companyId: 'other',
		email: 'agent@other.example',
		name: 'Olga',
		role: 'agent',
		permissions: DEFAULT_PERMISSIONS.agent,
		disabled: false,
		passwordHash: await hashPassword(password),
		createdAt: Date.now(),
	});
	const reply = await api(app, 'POST', '/api/auth/login', { body: { company: 'other', email: 'agent@other.example', password } });
	return reply.body.accessToken;
}

async function liveSessions(): Promise<number> {
	return (await (await fetch(`${app.url}/healthz`)).json()).sessions;
}

beforeAll(async () => {
	app = await startAlongside();
	agentToken = await login(app, 'agent');
	otherAgentToken = await createOtherCompany();
});

afterAll(async () => {
	await app?.close();
});

describe('PIN start', () => {
	it('starts a session when an agent of the company redeems the customer PIN, and tells the customer page', async () => {
		const started = await startSessionWithPin(app);
		const session = app.session(started.sessionId)!;
		expect(session.binding).toMatchObject({ companyId: 'demo', agentName: 'Alex' });
		const join = await started.customer.request('session/join', { token: started.customerToken });
		expect(join.data.self.role).toBe('customer');
		expect(join.data.inputChannels).toEqual(['pointer', 'control']);
		const entries = await app.store.listAudit('demo', { limit: 50 });
		expect(entries.map((e) => e.action)).toEqual(expect.arrayContaining(['pin.redeemed', 'session.joined', 'auth.login']));
		// The redemption records when its PIN was issued; issuing itself is not audited (see below).
		expect(entries.find((e) => e.action === 'pin.redeemed')?.detail).toMatchObject({ issuedAt: expect.any(Number) });
		await session.end('agent_ended');
		started.customer.close();
	});

	it("does not let anonymous PIN requests fill the company's audit log", async () => {
		const before = (await app.store.listAudit('demo', { limit: 500 })).length;
		for (let i = 0; i < 20; i++) await issuePin(app);
		expect((await app.store.listAudit('demo', { limit: 500 })).length).toBe(before);
		expect(await (await fetch(`${app.url}/metrics`)).text()).toMatch(/alongside_pins_issued_total [1-9]\d*/);
	});

	it('answers "invalid PIN" to an agent of another company, and nothing starts', async () => {
		const { pin } = await issuePin(app, 'demo');
		const before = await liveSessions();
		const crossed = await api(app, 'POST', '/api/sessions', { token: otherAgentToken, body: { pin } });
		const missing = await api(app, 'POST', '/api/sessions', { token: otherAgentToken, body: { pin: pin === '000000' ? '000001' : '000000' } });
		expect(crossed.status).toBe(404);
		expect(crossed.body).toEqual({ error: { code: 'invalid_pin', message: 'invalid PIN' } });
		// Exactly the answer for a PIN that does not exist: nothing tells the two apart.
		expect(missing.status).toBe(crossed.status);
		expect(missing.body).toEqual(crossed.body);
		expect(await liveSessions()).toBe(before);
		// The PIN still works for its own company.
		const own = await api(app, 'POST', '/api/sessions', { token: agentToken, body: { pin } });
		expect(own.status).toBe(201);
		await app.session(own.body.sessionId)!.end('agent_ended');
	});

	it('refuses a PIN the second time', async () => {
		const { pin } = await issuePin(app);
		const first = await api(app, 'POST', '/api/sessions', { token: agentToken, body: { pin } });
		expect(first.status).toBe(201);
		const before = await liveSessions();
		const second = await api(app, 'POST', '/api/sessions', { token: agentToken, body: { pin } });
		expect(second.body.error.code).toBe('invalid_pin');
		expect(await liveSessions()).toBe(before);
		await app.session(first.body.sessionId)!.end('agent_ended');
	});

	it('refuses an expired PIN and tells the waiting customer page it expired', async () => {
		const pin = '424242';
		const watchToken = 'w'.repeat(43);
		await app.store.insertPin({
			id: randomUUID(),
			companyId: 'demo',
			lookup: app.pins.lookup('demo', pin),
			watchTokenHash: createHash('sha256').update(watchToken).digest('hex'),
			createdAt: Date.now() - 700_000,
			expiresAt: Date.now() - 100_000,
			redeemedAt: null,
			redeemedBy: null,
			sessionId: null,
		});
		const reply = await api(app, 'POST', '/api/sessions', { token: agentToken, body: { pin } });
		expect(reply.body.error.code).toBe('invalid_pin');
		const page = await WsClient.connect(app.url);
		await page.request('pin/watch', { watchToken });
		await until(() => page.notifications.find((n) => n.type === 'pin/expired'));
		page.close();
	});

	it("tells the customer page how long the PIN lasts by the server's clock (phones' clocks drift)", async () => {
		const issued = await issuePin(app);
		expect(issued.expiresIn).toBe(600);
		const page = await WsClient.connect(app.url);
		const watched = await page.request('pin/watch', { watchToken: issued.watchToken });
		expect(watched.data.expiresIn).toBeGreaterThan(595);
		expect(watched.data.expiresIn).toBeLessThanOrEqual(600);
		page.close();
	});

	it('accepts the PIN as people read it, with spaces, and names the field when it is malformed', async () => {
		const bad = await api(app, 'POST', '/api/sessions', { token: agentToken, body: { pin: '12-34' } });
		expect(bad.status).toBe(400);
		expect(bad.body.error.message).toMatch(/^pin: /);
		const { pin } = await issuePin(app);
		const spaced = await api(app, 'POST', '/api/sessions', { token: agentToken, body: { pin: `${pin.slice(0, 3)} ${pin.slice(3)}` } });
		expect(spaced.status).toBe(201);
		await app.session(spaced.body.sessionId)!.end('agent_ended');
	});

	it('locks an agent out after repeated wrong PINs, even for a right one, with Retry-After', async () => {
		const guesser = await createGuesser();
		const { pin } = await issuePin(app);
		const wrong = pin === '999999' ? '999998' : '999999';
		for (let i = 0; i < PIN_LIMITS.agent.max; i++) {
			expect((await api(app, 'POST', '/api/sessions', { token: guesser, body: { pin: wrong } })).body.error.code).toBe('invalid_pin');
		}
		const locked = await api(app, 'POST', '/api/sessions', { token: guesser, body: { pin: wrong } });
		expect(locked.status).toBe(429);
		expect(locked.body.error.code).toBe('locked_out');
		expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(60);
		const right = await api(app, 'POST', '/api/sessions', { token: guesser, body: { pin } });
		expect(right.status).toBe(429);
		// Nothing started, and the PIN is still there for an agent who is not locked out.
		const other = await api(app, 'POST', '/api/sessions', { token: agentToken, body: { pin } });
		expect(other.status).toBe(201);
		await app.session(other.body.sessionId)!.end('agent_ended');
		const refusals = (await app.store.listAudit('demo', { limit: 100 })).filter((e) => e.action === 'pin.refused');
		expect(refusals.some((e) => e.detail.reason === 'locked_out')).toBe(true);
	});
});

/** A fresh agent of `demo` (so its lockout does not affect other tests). */
async function createGuesser(): Promise<string> {
	const email = `guesser-${randomUUID().slice(0, 8)}@demo.local`;
	const password = 'guesser-password-123';
	await app.store.createUser({
		id: randomUUID(),
		companyId: 'demo',
		email,
		name: 'Guesser',
		role: 'agent',
		permissions: DEFAULT_PERMISSIONS.agent,
		disabled: false,
		passwordHash: await hashPassword(password),
		createdAt: Date.now(),
	});
	return (await api(app, 'POST', '/api/auth/login', { body: { company: 'demo', email, password } })).body.accessToken;
}

describe('tokens', () => {
	const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
	const headerOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString());

	it('refuses a token signed with another key under the same kid', async () => {
		const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
		const forged = jwt.sign(claimsOf(agentToken), privateKey, { algorithm: 'ES256', keyid: headerOf(agentToken).kid });
		expect((await api(app, 'GET', '/api/auth/me', { token: forged })).status).toBe(401);
		expect((await api(app, 'POST', '/api/sessions', { token: forged, body: { pin: '123456' } })).status).toBe(401);
	});

	it('refuses alg none', async () => {
		const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT', kid: headerOf(agentToken).kid })).toString('base64url');
		const payload = Buffer.from(JSON.stringify({ ...claimsOf(agentToken), role: 'admin' })).toString('base64url');
		const unsigned = `${header}.${payload}.`;
		expect((await api(app, 'GET', '/api/auth/me', { token: unsigned })).status).toBe(401);
		const ws = await WsClient.connect(app.url);
		expect((await ws.request('session/join', { token: unsigned, sessionId: 'x' })).error?.code).toBe('unauthorized');
		ws.close();
	});

	it('refuses an edited payload (agent promoting itself to admin)', async () => {
		const [h, , sig] = agentToken.split('.');
		const payload = Buffer.from(JSON.stringify({ ...claimsOf(agentToken), role: 'admin', perms: DEFAULT_PERMISSIONS.admin })).toString('base64url');
		const edited = `${h}.${payload}.${sig}`;
		const reply = await api(app, 'GET', '/api/users', { token: edited });
		expect(reply.status).toBe(401);
		expect(reply.body.error.code).toBe('unauthorized');
	});

	it('refuses an expired token, even one signed with the real key', async () => {
		const keys = KeyStore.open(app.config.signaling.dataDir);
		const { kid, privateKey } = keys.current();
		const { exp: _exp, iat: _iat, ...claims } = claimsOf(agentToken);
		const expired = jwt.sign({ ...claims, iat: Math.floor(Date.now() / 1000) - 3600, exp: Math.floor(Date.now() / 1000) - 60 }, privateKey, {
			algorithm: 'ES256',
			keyid: kid,
		});
		const reply = await api(app, 'GET', '/api/auth/me', { token: expired });
		expect(reply.status).toBe(401);
		expect(reply.body.error.message).toMatch(/expired/);
	});
});

describe('roles and companies', () => {
	it('keeps customers off every user route', async () => {
		const started = await startSessionWithPin(app);
		const token = started.customerToken;
		for (const [method, route] of [
			['GET', '/api/auth/me'],
			['GET', '/api/users'],
			['POST', '/api/users'],
			['PATCH', '/api/company'],
			['GET', '/api/audit'],
			['GET', '/api/sessions'],
			['POST', '/api/sessions'],
		] as const) {
			const reply = await api(app, method, route, { token, body: method === 'GET' ? undefined : {} });
			expect([route, reply.status]).toEqual([route, 401]);
		}
		await app.session(started.sessionId)!.end('agent_ended');
		started.customer.close();
	});

	it('keeps agents and supervisors off admin routes, and each role off what it may not do', async () => {
		const supervisor = await login(app, 'supervisor');
		for (const token of [agentToken, supervisor]) {
			expect((await api(app, 'GET', '/api/users', { token })).status).toBe(403);
			expect((await api(app, 'POST', '/api/users', { token, body: { email: 'x@demo.local', name: 'X', role: 'admin' } })).status).toBe(403);
			expect((await api(app, 'PATCH', '/api/company', { token, body: { announceSupervision: true } })).status).toBe(403);
			expect((await api(app, 'GET', '/api/audit', { token })).status).toBe(403);
		}
		expect((await api(app, 'GET', '/api/sessions', { token: agentToken })).status).toBe(403);
		expect((await api(app, 'POST', '/api/sessions', { token: supervisor, body: { pin: '123456' } })).status).toBe(403);
		expect((await app.store.getCompany('demo'))!.settings.announceSupervision).toBe(false);
		expect(await app.store.getUserByEmail('demo', 'x@demo.local')).toBeUndefined();
	});

	it("does not let another company's agent or supervisor see or join a session", async () => {
		const started = await startSessionWithPin(app);
		const ws = await WsClient.connect(app.url);
		for (const as of ['agent', 'supervisor'] as const) {
			const reply = await ws.request('session/join', { token: otherAgentToken, sessionId: started.sessionId, as });
			expect(reply.error?.code).toBe('not_found');
		}
		expect(app.session(started.sessionId)!.participants).toEqual([]);
		await app.session(started.sessionId)!.end('agent_ended');
		ws.close();
		started.customer.close();
	});

	it('lists live sessions to supervisors of the same company only', async () => {
		const started = await startSessionWithPin(app);
		const supervisor = await login(app, 'supervisor');
		const listed = await api(app, 'GET', '/api/sessions', { token: supervisor });
		expect(listed.body.sessions.map((s: { id: string }) => s.id)).toContain(started.sessionId);
		expect(listed.body.sessions[0].agent.name).toBe('Alex');
		await app.session(started.sessionId)!.end('agent_ended');
		started.customer.close();
	});

	it('lets a supervisor join silently and writes it to the audit log', async () => {
		const started = await startSessionWithPin(app);
		const customer = started.customer;
		await customer.request('session/join', { token: started.customerToken });
		const supervisor = await WsClient.connect(app.url);
		const join = await supervisor.request('session/join', { token: await login(app, 'supervisor'), sessionId: started.sessionId });
		expect(join.data.self.role).toBe('supervisor');
		await new Promise((r) => setTimeout(r, 200));
		expect(customer.notifications.filter((n) => n.type === 'participant/joined')).toEqual([]);
		const entries = await app.store.listAudit('demo', { limit: 20 });
		expect(entries.find((e) => e.action === 'session.joined' && e.detail.role === 'supervisor')).toBeTruthy();
		await app.session(started.sessionId)!.end('agent_ended');
		supervisor.close();
		customer.close();
	});

	it('shuts out a disabled agent at once, though their token has not expired', async () => {
		const email = `leaver-${randomUUID().slice(0, 8)}@demo.local`;
		const id = randomUUID();
		await app.store.createUser({
			id, companyId: 'demo', email, name: 'Leaver', role: 'agent', permissions: DEFAULT_PERMISSIONS.agent, disabled: false,
			passwordHash: await hashPassword('leaver-password-12'), createdAt: Date.now(),
		});
		const token = (await api(app, 'POST', '/api/auth/login', { body: { company: 'demo', email, password: 'leaver-password-12' } })).body.accessToken;
		const admin = await login(app, 'admin');
		expect((await api(app, 'PATCH', `/api/users/${id}`, { token: admin, body: { disabled: true } })).status).toBe(200);
		const { pin } = await issuePin(app);
		const reply = await api(app, 'POST', '/api/sessions', { token, body: { pin } });
		expect(reply.status).toBe(401);
	});
});

describe('ending', () => {
	it('lets the customer end the session: the agent is told, the browser closes, the record keeps why', async () => {
		const started = await startSessionWithPin(app);
		const session = app.session(started.sessionId)!;
		await session.ready;
		const profile = session.browser.profileDir;
		const agent = await WsClient.connect(app.url);
		await agent.request('session/join', { token: started.agentToken, sessionId: started.sessionId });
		await started.customer.request('session/join', { token: started.customerToken });
		expect((await started.customer.request('session/end')).ok).toBe(true);
		const told = await until(() => agent.notifications.find((n) => n.type === 'session/ended'));
		expect(told.data).toEqual({ reason: 'customer_ended' });
		expect(app.session(started.sessionId)).toBeUndefined();
		expect(existsSync(profile)).toBe(false);
		await expect.poll(async () => (await app.store.getSession(started.sessionId))?.endReason).toBe('customer_ended');
		// Session data is gone (the PIN), the report stays (the record, the audit log).
		const pinId = (await app.store.getSession(started.sessionId))!.pinId!;
		await expect.poll(async () => app.store.getPinByWatchTokenHash(createHash('sha256').update(started.watchToken).digest('hex'))).toBeUndefined();
		expect(pinId).toBeTruthy();
		await expect
			.poll(async () => (await app.store.listAudit('demo', { limit: 20 })).some((e) => e.action === 'session.ended' && e.sessionId === started.sessionId))
			.toBe(true);
		agent.close();
		started.customer.close();
	});

	it('lets the agent end the session too', async () => {
		const started = await startSessionWithPin(app);
		const agent = await WsClient.connect(app.url);
		await agent.request('session/join', { token: started.agentToken, sessionId: started.sessionId });
		await started.customer.request('session/join', { token: started.customerToken });
		await agent.request('session/end');
		const told = await until(() => started.customer.notifications.find((n) => n.type === 'session/ended'));
		expect(told.data).toEqual({ reason: 'agent_ended' });
		agent.close();
		started.customer.close();
	});
});

