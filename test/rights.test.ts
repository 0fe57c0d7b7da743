/**
 * Who may be in a session, and as whom, on a live session: account changes take effect on
 * live connections at once, one participant per customer token or user, and names that
 * cannot pass for a role.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alongside } from '../signaling/Alongside.js';
import { account, api, login, metricSum, type StartedSession, startAlongside, startSessionWithPin, until, WsClient } from './helpers.js';

let app: Alongside;
let adminToken: string;

beforeAll(async () => {
	app = await startAlongside();
	adminToken = await login(app, 'admin');
});

afterAll(async () => {
	await app?.close();
});

async function userId(role: 'agent' | 'supervisor'): Promise<string> {
	return (await app.store.getUserByEmail('demo', account(app, role).email))!.id;
}

async function patchUser(role: 'agent' | 'supervisor', body: Record<string, unknown>): Promise<void> {
	const reply = await api(app, 'PATCH', `/api/users/${await userId(role)}`, { token: adminToken, body });
	expect(reply.status).toBe(200);
}

function closeCode(client: WsClient): Promise<number> {
	return new Promise((resolve) => client.socket.once('close', (code) => resolve(code)));
}

async function joined(client: WsClient, data: Record<string, unknown>) {
	const reply = await client.request('session/join', data);
	expect(reply.ok).toBe(true);
	return reply.data;
}

describe('account changes on live connections', () => {
	let started: StartedSession;
	beforeAll(async () => {
		started = await startSessionWithPin(app);
		await app.session(started.sessionId)!.ready;
	});
	afterAll(async () => {
		await patchUser('agent', { disabled: false, permissions: { control: true } });
		await patchUser('supervisor', { permissions: { supervise: true } });
		await app.session(started.sessionId)?.end('agent_ended');
	});

	it('takes control away from a live agent at once: told, input channels closed, navigation and input refused', async () => {
		const agent = await WsClient.connect(app.url);
		expect((await joined(agent, { token: started.agentToken, sessionId: started.sessionId })).inputChannels).toEqual(['pointer', 'control']);
		const send = await agent.request('transport/create', { direction: 'send' });
		expect(send.ok).toBe(true);
		expect((await agent.request('browser/navigate', { url: 'about:blank' })).error?.code).toBe('bad_request'); // joined and allowed: only the URL is wrong

		await patchUser('agent', { permissions: { control: false } });
		await expect.poll(() => agent.notifications.find((n) => n.type === 'participant/rights')?.data).toEqual({ inputChannels: [] });
		expect((await agent.request('browser/navigate', { url: 'https://example.com/' })).error?.code).toBe('forbidden');
		expect((await agent.request('browser/tab', { action: 'new' })).error?.code).toBe('forbidden');
		expect((await agent.request('browser/tab', { action: 'close', id: 't1' })).error?.code).toBe('forbidden');
		expect((await agent.request('input/open', { transportId: send.data.id, label: 'control', sctpStreamParameters: { streamId: 3 } })).error?.code).toBe('forbidden');
		// NOTE: an agent without control still draws on the shared view: its send transport is for that.
		const drawing = await agent.request('transport/create', { direction: 'send' });
		expect(drawing.ok).toBe(true);
		expect((await agent.request('input/open', { transportId: drawing.data.id, label: 'pointer', sctpStreamParameters: { streamId: 1, ordered: false, maxRetransmits: 0 } })).error?.code).toBe('forbidden');
		// Input that was already on its way is dropped by the session, not injected.
		const session = app.session(started.sessionId)!;
		const self = session.participants.find((p) => p.role === 'agent')!;
		const dropped = () => metricSum(app, 'alongside_input_dropped_total{code="forbidden"}');
		const before = await dropped();
		session.room.emit('input', self.id, 'control', Buffer.from(JSON.stringify({ type: 'key/down', key: 'a', code: 'KeyA' })));
		expect(await dropped()).toBe(before + 1);
		// The agent still watches.
		expect((await agent.request('transport/create', { direction: 'recv' })).ok).toBe(true);

		await patchUser('agent', { permissions: { control: true } });
		await expect.poll(() => agent.notifications.filter((n) => n.type === 'participant/rights').at(-1)?.data).toEqual({ inputChannels: ['pointer', 'control'] });
		agent.close();
	});

	it('disconnects a live agent whose account is disabled, and refuses the rejoin', async () => {
		const agent = await WsClient.connect(app.url);
		await joined(agent, { token: started.agentToken, sessionId: started.sessionId });
		const closed = closeCode(agent);
		await patchUser('agent', { disabled: true });
		expect(await closed).toBe(4403);
		expect(app.session(started.sessionId)!.participants.some((p) => p.role === 'agent')).toBe(false);
		const again = await WsClient.connect(app.url);
		expect((await again.request('session/join', { token: started.agentToken, sessionId: started.sessionId })).error?.code).toBe('unauthorized');
		again.close();
		await patchUser('agent', { disabled: false });
		const audit = await app.store.listAudit('demo', { limit: 50 });
		expect(audit.find((e) => e.action === 'session.left' && e.detail.reason === 'rights_revoked')).toBeDefined();
	});

	it('disconnects a live supervisor whose supervise permission is removed', async () => {
		const supervisor = await WsClient.connect(app.url);
		await joined(supervisor, { token: await login(app, 'supervisor'), sessionId: started.sessionId });
		const closed = closeCode(supervisor);
		await patchUser('supervisor', { permissions: { supervise: false } });
		expect(await closed).toBe(4403);
	});
});

describe('one participant per customer token', () => {
	it('moves the customer to the newest connection: the earlier one is told and closed, and the session holds one customer', async () => {
		const started = await startSessionWithPin(app);
		const first = await WsClient.connect(app.url);
		await joined(first, { token: started.customerToken });
		const firstClosed = closeCode(first);
		const second = await WsClient.connect(app.url);
		await joined(second, { token: started.customerToken });
		expect(await firstClosed).toBe(4409);
		expect(first.notifications.map((n) => n.type)).toContain('session/replaced');
		expect(app.session(started.sessionId)!.participants.filter((p) => p.role === 'customer')).toHaveLength(1);
		expect((await second.request('transport/create', { direction: 'recv' })).ok).toBe(true);
		await app.session(started.sessionId)!.end('agent_ended');
		second.close();
		started.customer.close();
	});

	it('hands out the customer token again only until the customer has joined', async () => {
		const started = await startSessionWithPin(app);
		// A reload between redemption and joining gets the token again (the same customer).
		const reloaded = await WsClient.connect(app.url);
		expect((await reloaded.request('pin/watch', { watchToken: started.watchToken })).ok).toBe(true);
		await expect.poll(() => reloaded.notifications.find((n) => n.type === 'pin/redeemed')).toBeDefined();
		const again = (reloaded.notifications.find((n) => n.type === 'pin/redeemed')!.data as { token: string }).token;
		const claims = [started.customerToken, again].map((t) => JSON.parse(Buffer.from(t.split('.')[1]!, 'base64url').toString()).sub);
		expect(claims[0]).toBe(claims[1]);
		const customer = await WsClient.connect(app.url);
		await joined(customer, { token: started.customerToken });
		// Once the customer is in, the PIN's watch token yields nothing more.
		const late = await WsClient.connect(app.url);
		expect((await late.request('pin/watch', { watchToken: started.watchToken })).error?.code).toBe('not_found');
		await app.session(started.sessionId)!.end('agent_ended');
		for (const c of [reloaded, customer, late, started.customer]) c.close();
	});

	it.each(['Alex (Agent)', 'SUPERVISOR', 'Sam, supervisore', 'Ágent Smith', 'Agent\u200b', 'Support team'])(
		'refuses the display name %j, which would pass for a role, and takes a plain one',
		async (name) => {
			const started = await startSessionWithPin(app);
			const customer = await WsClient.connect(app.url);
			const reply = await customer.request('session/join', { token: started.customerToken, name });
			expect(reply.error?.code).toBe('bad_request');
			expect(reply.error?.message).toMatch(/^name: may not name a role/);
			expect((await joined(customer, { token: started.customerToken, name: 'Maria Rossi' })).self.name).toBe('Maria Rossi');
			await app.session(started.sessionId)!.end('agent_ended');
			customer.close();
			started.customer.close();
		},
	);

	it('strips bidirectional overrides and invisible characters from display names', async () => {
		const started = await startSessionWithPin(app);
		const customer = await WsClient.connect(app.url);
		// Displayed with the override, this reads "Alex(Agent)".
		expect((await joined(customer, { token: started.customerToken, name: 'Alex\u202e(tnegA)\u200d' })).self.name).toBe('Alex(tnegA)');
		await app.session(started.sessionId)!.end('agent_ended');
		customer.close();
		started.customer.close();
	});
});

/** A live session with its customer and its agent joined, each on a connection of its own. */
async function withCustomerAndAgent() {
	const started = await startSessionWithPin(app);
	const session = app.session(started.sessionId)!;
	await session.ready;
	const customer = await WsClient.connect(app.url);
	await joined(customer, { token: started.customerToken });
	const agent = await WsClient.connect(app.url);
	await joined(agent, { token: started.agentToken, sessionId: started.sessionId });
	return { started, session, customer, agent };
}

describe("the page's shape", () => {
	it('is reported by the customer and chosen by an agent in control, never the other way round; a bad device is named', async () => {
		const { started, session, customer, agent } = await withCustomerAndAgent();
		const phone = { width: 390, height: 760, dpr: 3, touch: true, mobile: true };

		expect((await customer.request('browser/shape', { name: 'desktop' })).error?.code).toBe('forbidden');
		expect((await agent.request('browser/device', { device: phone })).error?.code).toBe('forbidden');
		const bad = await customer.request('browser/device', { device: { ...phone, width: -5 } });
		expect(bad.error?.code).toBe('bad_request');
		expect(bad.error?.message).toMatch(/^device\.width:/);
		expect((await customer.request('browser/device', { device: { ...phone, dpr: 'high' } })).error?.message).toMatch(/^device\.dpr:/);
		expect((await customer.request('browser/device', { device: phone })).ok).toBe(true);
		expect((await agent.request('browser/shape', { name: 'watch' })).error?.message).toMatch(/^name:/);

		// The customer's phone: the page takes it, its pixel ratio lowered to the pixel budget.
		await session.shapeSettled();
		expect(session.browser.shape).toMatchObject({ name: 'customer', width: 390, height: 760, form: 'phone', mobile: true, touch: true });
		expect(session.browser.shape.dpr).toBeLessThan(3);
		// The agent's choice wins over the customer's next report, until it goes back to "customer".
		expect((await agent.request('browser/shape', { name: 'desktop' })).ok).toBe(true);
		expect((await customer.request('browser/device', { device: { ...phone, width: 800, height: 360 } })).ok).toBe(true);
		await session.shapeSettled();
		expect(session.browser.shape).toMatchObject({ name: 'desktop', width: 1280, height: 720, mobile: false });
		expect((await agent.request('browser/shape', { name: 'customer' })).ok).toBe(true);
		await session.shapeSettled();
		expect(session.browser.shape).toMatchObject({ name: 'customer', width: 800, height: 360, form: 'phone' });

		// The agent's console finds this session again after a reload; nobody else's console does.
		const mine = await api(app, 'GET', '/api/sessions/mine', { token: started.agentToken });
		expect(mine.body.sessions.map((s: { id: string }) => s.id)).toEqual([started.sessionId]);
		const theirs = await api(app, 'GET', '/api/sessions/mine', { token: await login(app, 'admin') });
		expect(theirs.status === 403 || theirs.body.sessions.length === 0).toBe(true);

		// An agent without the control permission cannot change it.
		await patchUser('agent', { permissions: { control: false } });
		try {
			expect((await agent.request('browser/shape', { name: 'desktop' })).error?.code).toBe('forbidden');
		} finally {
			await patchUser('agent', { permissions: { control: true } });
		}
		await session.end('agent_ended');
		for (const client of [customer, agent, started.customer]) client.close();
	});
});

describe("the page's dialogs", () => {
	it('are answered by the customer, by an agent in control except accepting what asks to pay, never by a supervisor; a late answer is refused', async () => {
		const { started, session, customer, agent } = await withCustomerAndAgent();
		const page = session.browser.page;
		await page.evaluate(`window.answers = []; setTimeout(() => answers.push(confirm('Buy now for 20 euros?')), 0)`);
		const opened = await until(() => agent.notifications.find((n) => n.type === 'dialog/opened'));
		const { id, answer } = opened.data as { id: number; answer: string };
		expect(answer).toBe('dismiss');

		// A supervisor joining now is shown it, to watch.
		const supervisor = await WsClient.connect(app.url);
		const watching = await joined(supervisor, { token: await login(app, 'supervisor'), sessionId: started.sessionId });
		expect(watching.dialog).toMatchObject({ id, type: 'confirm', answer: 'none' });
		expect((await supervisor.request('dialog/answer', { id, accept: false })).error?.code).toBe('forbidden');
		expect((await agent.request('dialog/answer', { id, accept: true })).error?.message).toBe('only the customer can accept this');
		expect((await agent.request('dialog/answer', { id: id + 1, accept: false })).error?.code).toBe('conflict');
		expect((await customer.request('dialog/answer', { id, accept: true })).ok).toBe(true);
		await until(() => customer.notifications.find((n) => n.type === 'dialog/closed'));
		expect(await page.evaluate('answers')).toEqual([true]);
		// Answered already: a second answer finds nothing open.
		expect((await agent.request('dialog/answer', { id, accept: false })).error?.code).toBe('conflict');

		// An agent may cancel it.
		await page.evaluate(`setTimeout(() => answers.push(confirm('Paga ora?')), 0)`);
		const second = await until(() => agent.notifications.filter((n) => n.type === 'dialog/opened')[1]);
		expect((await agent.request('dialog/answer', { id: (second.data as { id: number }).id, accept: false })).ok).toBe(true);
		await expect.poll(() => page.evaluate('answers')).toEqual([true, false]);
		await session.end('agent_ended');
		for (const client of [customer, agent, supervisor, started.customer]) client.close();
	});
});
