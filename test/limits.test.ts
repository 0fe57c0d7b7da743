/**
 * Resource caps, on a real server with a real session: what one participant may hold on the
 * SFU, and how many sessions one agent, one company and the machine run at once. Each
 * refusal has its code and is counted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alongside } from '../signaling/Alongside.js';
import { api, issuePin, login, metricSum, type StartedSession, startAlongside, startSessionWithPin, WsClient } from './helpers.js';

async function joinAs(app: Alongside, started: StartedSession, role: 'agent' | 'customer'): Promise<WsClient> {
	const client = await WsClient.connect(app.url);
	const reply = await client.request('session/join', role === 'customer' ? { token: started.customerToken } : { token: started.agentToken, sessionId: started.sessionId });
	expect(reply.ok).toBe(true);
	return client;
}

describe('what one participant may hold on the SFU', () => {
	let app: Alongside;
	let started: StartedSession;
	beforeAll(async () => {
		app = await startAlongside({ ALONGSIDE_MAX_TRANSPORTS_PER_PARTICIPANT: '3', ALONGSIDE_MAX_DATA_CHANNELS_PER_PARTICIPANT: '5' });
		started = await startSessionWithPin(app);
	});
	afterAll(async () => {
		await app?.close();
	});

	it('refuses transports over the cap with limit_reached, and admits one again once the participant leaves', async () => {
		const agent = await joinAs(app, started, 'agent');
		const replies = await Promise.all(Array.from({ length: 10 }, (_, i) => agent.request('transport/create', { direction: i % 2 ? 'send' : 'recv' })));
		expect(replies.filter((r) => r.ok)).toHaveLength(3);
		const refused = replies.filter((r) => !r.ok);
		expect(refused).toHaveLength(7);
		for (const r of refused) expect(r.error).toEqual({ code: 'limit_reached', message: 'at most 3 transports per participant' });
		expect(await metricSum(app, 'alongside_limit_refusals_total{limit="transports"}')).toBeGreaterThanOrEqual(7);
		agent.close();
		// A new participant (the same agent, rejoined) starts from nothing.
		const again = await joinAs(app, started, 'agent');
		expect((await again.request('transport/create', { direction: 'recv' })).ok).toBe(true);
		again.close();
	});

	it('opens each input channel once even when asked for it five times at once', async () => {
		const customer = await joinAs(app, started, 'customer');
		const send = await customer.request('transport/create', { direction: 'send' });
		const opens = await Promise.all(
			Array.from({ length: 5 }, () => customer.request('input/open', { transportId: send.data.id, label: 'control', sctpStreamParameters: { streamId: 7, ordered: true } })),
		);
		expect(opens.filter((r) => r.ok)).toHaveLength(1);
		for (const r of opens.filter((r) => !r.ok)) expect(r.error?.message).toBe('label: input channel "control" is already open');
		customer.close();
	});

	it('opens the control channel only reliable and ordered, as the channel table says', async () => {
		const customer = await joinAs(app, started, 'customer');
		const send = await customer.request('transport/create', { direction: 'send' });
		for (const lossy of [{ ordered: false }, { ordered: true, maxRetransmits: 0 }, { ordered: true, maxPacketLifeTime: 100 }]) {
			const open = await customer.request('input/open', { transportId: send.data.id, label: 'control', sctpStreamParameters: { streamId: 9, ...lossy } });
			expect(open.error?.message, JSON.stringify(lossy)).toBe('sctpStreamParameters: the control channel must be ordered and reliable');
		}
		expect((await customer.request('input/open', { transportId: send.data.id, label: 'control', sctpStreamParameters: { streamId: 9, ordered: true } })).ok).toBe(true);
		customer.close();
	});

	it('caps data channels: cursor subscriptions over the cap are refused', async () => {
		const customer = await joinAs(app, started, 'customer');
		const recv = await customer.request('transport/create', { direction: 'recv' });
		const replies = await Promise.all(Array.from({ length: 8 }, () => customer.request('cursors/consume', { transportId: recv.data.id })));
		expect(replies.filter((r) => r.ok)).toHaveLength(5);
		expect(replies.filter((r) => !r.ok).every((r) => r.error?.code === 'limit_reached')).toBe(true);
		customer.close();
	});
});

describe('how many sessions run at once', () => {
	let app: Alongside;
	beforeAll(async () => {
		// Two sessions on this "machine", one per agent; the company limit is the host's.
		app = await startAlongside({ ALONGSIDE_MAX_SESSIONS: '2' });
	});
	afterAll(async () => {
		await app?.close();
	});

	async function start(token: string, pin: string, replace?: boolean) {
		return api(app, 'POST', '/api/sessions', { token, body: replace === undefined ? { pin } : { pin, replace } });
	}

	it('lets an agent run one session: a second start is agent_busy and leaves its PIN usable; replace ends the first', async () => {
		const agent = await login(app, 'agent');
		const first = await start(agent, (await issuePin(app)).pin);
		expect(first.status).toBe(201);
		const { pin } = await issuePin(app);
		const second = await start(agent, pin);
		expect(second.status).toBe(409);
		expect(second.body.error.code).toBe('agent_busy');
		expect(app.liveSessions().map((s) => s.id)).toEqual([first.body.sessionId]);
		// The PIN was not spent by the refusal: the agent can choose to replace.
		const replaced = await start(agent, pin, true);
		expect(replaced.status).toBe(201);
		expect(app.liveSessions().map((s) => s.id)).toEqual([replaced.body.sessionId]);
		await expect.poll(async () => (await app.store.getSession(first.body.sessionId))?.endReason).toBe('agent_ended');
		await app.session(replaced.body.sessionId)!.end('agent_ended');
	});

	it('admits exactly one of two starts sent at once by the same agent', async () => {
		const agent = await login(app, 'agent');
		const [a, b] = await Promise.all([start(agent, (await issuePin(app)).pin), start(agent, (await issuePin(app)).pin)]);
		expect([a.status, b.status].sort()).toEqual([201, 409]);
		expect(app.liveSessions()).toHaveLength(1);
		await Promise.all(app.liveSessions().map((s) => s.end('agent_ended')));
	});

	it('refuses a start over the machine’s capacity with at_capacity and Retry-After', async () => {
		const admin = await login(app, 'admin');
		const agent = await login(app, 'agent');
		expect((await start(admin, (await issuePin(app)).pin)).status).toBe(201);
		expect((await start(agent, (await issuePin(app)).pin)).status).toBe(201);
		const before = await metricSum(app, 'alongside_limit_refusals_total{limit="sessions_per_host"}');
		// A third agent of the company (made by the admin) finds the machine full.
		const created = await api(app, 'POST', '/api/users', { token: admin, body: { email: 'third@demo.local', name: 'Third', role: 'agent', password: 'third agent password' } });
		expect(created.status).toBe(201);
		const third = (await api(app, 'POST', '/api/auth/login', { body: { company: 'demo', email: 'third@demo.local', password: 'third agent password' } })).body.accessToken as string;
		const refused = await start(third, (await issuePin(app)).pin);
		expect(refused.status).toBe(503);
		expect(refused.body.error.code).toBe('at_capacity');
		expect(refused.headers.get('retry-after')).toBe('60');
		expect(await metricSum(app, 'alongside_limit_refusals_total{limit="sessions_per_host"}')).toBe(before + 1);
		await Promise.all(app.liveSessions().map((s) => s.end('agent_ended')));
	});
});

describe('sessions per company', () => {
	it('refuses a company over its own limit with limit_reached', async () => {
		const app = await startAlongside({ ALONGSIDE_MAX_SESSIONS_PER_COMPANY: '1' });
		try {
			const admin = await login(app, 'admin');
			const agent = await login(app, 'agent');
			expect((await api(app, 'POST', '/api/sessions', { token: admin, body: { pin: (await issuePin(app)).pin } })).status).toBe(201);
			const refused = await api(app, 'POST', '/api/sessions', { token: agent, body: { pin: (await issuePin(app)).pin } });
			expect(refused.status).toBe(429);
			expect(refused.body.error.code).toBe('limit_reached');
		} finally {
			await app.close();
		}
	});
});
