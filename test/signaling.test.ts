/**
 * The signaling protocol over a real server with a real session started by PIN: bad
 * frames get clear errors and the connection stays usable; roles are enforced on every
 * request.
 */
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alongside } from '../signaling/Alongside.js';
import { login, type StartedSession, startAlongside, startSessionWithPin, WsClient } from './helpers.js';

let app: Alongside;
let started: StartedSession;
let supervisorToken: string;

beforeAll(async () => {
	app = await startAlongside();
	started = await startSessionWithPin(app);
	supervisorToken = await login(app, 'supervisor');
});

afterAll(async () => {
	await app?.close();
});

async function joined(role: 'agent' | 'customer' | 'supervisor'): Promise<WsClient> {
	const client = await WsClient.connect(app.url);
	const data =
		role === 'customer'
			? { token: started.customerToken }
			: { token: role === 'agent' ? started.agentToken : supervisorToken, sessionId: started.sessionId };
	const reply = await client.request('session/join', data);
	expect(reply.ok).toBe(true);
	return client;
}

describe('signaling', () => {
	it('answers a frame that is not JSON with bad_request and keeps the connection', async () => {
		const client = await joined('agent');
		const bad = await client.raw('{not json', null);
		expect(bad).toMatchObject({ id: null, ok: false, error: { code: 'bad_request', message: 'frame is not valid JSON' } });
		const good = await client.request('transport/create', { direction: 'recv' });
		expect(good.ok).toBe(true);
		client.close();
	});

	it('names the missing field of a malformed request', async () => {
		const client = await joined('agent');
		const reply = await client.request('transport/create', { direction: 'sideways' });
		expect(reply.ok).toBe(false);
		expect(reply.error?.code).toBe('bad_request');
		expect(reply.error?.message).toMatch(/^direction: /);
		client.close();
	});

	it('refuses unknown message types by name', async () => {
		const client = await joined('customer');
		const reply = await client.request('admin/shutdown');
		expect(reply.error).toEqual({ code: 'unknown_type', message: 'unknown message type "admin/shutdown"' });
		client.close();
	});

	it('requires joining before anything else', async () => {
		const client = await WsClient.connect(app.url);
		const reply = await client.request('transport/create', { direction: 'recv' });
		expect(reply.error?.code).toBe('not_joined');
		client.close();
	});

	it('announces agents and customers to each other but never supervisors', async () => {
		// NOTE: the customer of the earlier tests dropped its connection (it may still come
		// back as itself): here it leaves for good first, to join anew.
		const earlier = await joined('customer');
		expect((await earlier.request('session/leave')).ok).toBe(true);
		earlier.close();
		const agent = await joined('agent');
		const supervisor = await joined('supervisor');
		const customer = await WsClient.connect(app.url);
		const reply = await customer.request('session/join', { token: started.customerToken });
		const roles = (reply.data.participants as { role: string }[]).map((p) => p.role);
		expect(roles).toEqual(['agent']);
		await new Promise((r) => setTimeout(r, 100));
		expect(agent.notifications.filter((n) => n.type === 'participant/joined').map((n) => (n.data as { role: string }).role)).toEqual(['customer']);
		for (const c of [agent, supervisor, customer]) c.close();
	});

	it('gives a supervisor no input channel, no send transport, no navigation, no drawing and no chat of its own (only notes to the agent)', async () => {
		const supervisor = await WsClient.connect(app.url);
		const join = await supervisor.request('session/join', { token: supervisorToken, sessionId: started.sessionId });
		expect(join.data.self.role).toBe('supervisor');
		expect(join.data.inputChannels).toEqual([]);
		expect((await supervisor.request('transport/create', { direction: 'send' })).error?.code).toBe('forbidden');
		const recv = await supervisor.request('transport/create', { direction: 'recv' });
		const open = await supervisor.request('input/open', { transportId: recv.data.id, label: 'control', sctpStreamParameters: { streamId: 1 } });
		expect(open.error?.code).toBe('forbidden');
		expect((await supervisor.request('browser/navigate', { url: 'https://example.com' })).error?.code).toBe('forbidden');
		expect((await supervisor.request('annotations/open', { transportId: recv.data.id, sctpStreamParameters: { streamId: 2 } })).error?.code).toBe('forbidden');
		expect((await supervisor.request('chat/send', { text: 'hello' })).error?.code).toBe('forbidden');
		expect((await supervisor.request('control/pause', { paused: true })).error?.code).toBe('forbidden');
		expect(join.data.mayAnnotate).toBe(false);
		expect(app.session(started.sessionId)?.ended).toBe(false);
		supervisor.close();
	});

	it('lets a supervisor join only as a supervisor, never as the agent', async () => {
		const client = await WsClient.connect(app.url);
		const reply = await client.request('session/join', { token: supervisorToken, sessionId: started.sessionId, as: 'agent' });
		expect(reply.error?.code).toBe('forbidden');
		client.close();
	});

	it("does not let one participant touch another's transport", async () => {
		const agent = await joined('agent');
		const customer = await joined('customer');
		const transport = await agent.request('transport/create', { direction: 'recv' });
		const steal = await customer.request('transport/connect', { transportId: transport.data.id, dtlsParameters: { role: 'client', fingerprints: [] } });
		expect(steal.error).toEqual({ code: 'not_found', message: 'transport not found' });
		agent.close();
		customer.close();
	});

	it('refuses browser-level escapes from the URL bar', async () => {
		const agent = await joined('agent');
		const before = app.session(started.sessionId)!.browserState.url;
		const reply = await agent.request('browser/navigate', { url: 'javascript:alert(1)' });
		expect(reply.error?.code).toBe('bad_request');
		expect(app.session(started.sessionId)!.browserState.url).toBe(before);
		agent.close();
	});

	it("announces ICE candidates on this machine's own address to a client that came in over loopback", async () => {
		const agent = await joined('agent');
		const reply = await agent.request('transport/create', { direction: 'recv' });
		const addresses = (reply.data.iceCandidates as { address: string }[]).map((c) => c.address);
		const own = Object.values(os.networkInterfaces()).flat().find((i) => i?.family === 'IPv4' && !i.internal)?.address;
		expect(new Set(addresses)).toEqual(new Set([own ?? '127.0.0.1']));
		agent.close();
	});

	it('serves health and metrics', async () => {
		const health = await (await fetch(`${app.url}/healthz`)).json();
		expect(health).toEqual({ ok: true, sessions: 1, warm: 0 });
		const metrics = await (await fetch(`${app.url}/metrics`)).text();
		expect(metrics).toMatch(/alongside_sessions 1/);
		expect(metrics).toMatch(/alongside_signaling_errors_total\{code="bad_request"\} [1-9]/);
	});
});
