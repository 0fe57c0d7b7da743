/**
 * A session's lifecycle with a real cloud browser: what it leaves behind when it ends.
 */
import fs from 'node:fs';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alongside } from '../signaling/Alongside.js';
import { startAlongside, startFixtureServer, tokenOf, WsClient } from './helpers.js';

let app: Alongside;

beforeAll(async () => {
	app = await startAlongside({ ALONGSIDE_DEMO: 'false' });
});

afterAll(async () => {
	await app?.close();
});

/** Whether something accepts TCP connections on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const socket = net.connect(port, '127.0.0.1');
		socket.once('connect', () => {
			socket.destroy();
			resolve(true);
		});
		socket.once('error', () => resolve(false));
	});
}

describe('session lifecycle', () => {
	it('deletes the cloud browser profile and stops Chromium when the session ends', async () => {
		const session = await app.createSession('lifecycle');
		const profile = session.browser.profileDir;
		const pid = session.browser.pid!;
		expect(fs.existsSync(profile)).toBe(true);
		await session.end('agent_ended');
		expect(fs.existsSync(profile)).toBe(false);
		expect(() => process.kill(pid, 0)).toThrow();
		expect(app.session('lifecycle')).toBeUndefined();
	});

	it('tells participants why it ended and refuses their links afterwards', async () => {
		const session = await app.createSession('told');
		const link = app.link('told', 'customer', 'Casey');
		const client = await WsClient.connect(app.url);
		expect((await client.request('session/join', { token: tokenOf(link) })).ok).toBe(true);
		await session.end('agent_ended');
		await expect.poll(() => client.notifications.map((n) => n.type)).toContain('session/ended');
		expect(client.notifications.find((n) => n.type === 'session/ended')?.data).toEqual({ reason: 'agent_ended' });
		const again = await WsClient.connect(app.url);
		expect((await again.request('session/join', { token: tokenOf(link) })).error?.code).toBe('unauthorized');
		again.close();
	});

	it('opens a link meant for a new tab in the captured tab, so everyone sees it', async () => {
		const fixtures = await startFixtureServer({
			'/first': '<a id="l" href="/second" target="_blank" style="display:block;width:1280px;height:720px">open</a>',
			'/second': '<title>Second</title><p>second page</p>',
		});
		const session = await app.createSession('popup', `${fixtures.url}/first`);
		session.browser.inject('someone', { type: 'pointer/down', x: 0.5, y: 0.5, button: 'left', clickCount: 1, modifiers: 0 });
		session.browser.inject('someone', { type: 'pointer/up', x: 0.5, y: 0.5, button: 'left', clickCount: 1, modifiers: 0 });
		await expect.poll(() => session.browserState.url, { timeout: 10_000 }).toBe(`${fixtures.url}/second`);
		const pages = (await session.browser.page.browser().pages()).filter((p) => !p.url().startsWith('chrome-extension://'));
		expect(pages.map((p) => p.url())).toEqual([`${fixtures.url}/second`]);
		await session.end('agent_ended');
		await fixtures.close();
	});

	it("leaves no puppeteer-stream recorder socket open (it listens on every interface)", async () => {
		const session = await app.createSession('sockets');
		// puppeteer-stream's extension page URL carries its recorder port after '#'.
		const port = Number(new URL((await session.browser.page.browser().pages()).map((p) => p.url()).find((u) => u.startsWith('chrome-extension://'))!).hash.slice(1));
		expect(port).toBeGreaterThanOrEqual(55200);
		expect(await listening(port)).toBe(false);
		await session.end('agent_ended');
	});
});

describe('behind NAT (announced address configured)', () => {
	it('tells clients the announced address while the cloud browser streams over loopback', async () => {
		// 192.0.2.1 is TEST-NET-1: never routed. The client below never connects its transport,
		// so nothing is sent there.
		const natted = await startAlongside({ ALONGSIDE_RTC_ANNOUNCED_ADDRESS: '192.0.2.1' });
		try {
			const session = natted.session('demo')!;
			await expect.poll(async () => (await session.room.producerStats('clear'))[0]?.bitrate ?? 0, { timeout: 10_000 }).toBeGreaterThan(0);
			const client = await WsClient.connect(natted.url);
			await client.request('session/join', { token: tokenOf(natted.demoLinks!.agent) });
			const transport = await client.request('transport/create', { direction: 'recv' });
			expect(new Set((transport.data.iceCandidates as { address: string }[]).map((c) => c.address))).toEqual(new Set(['192.0.2.1']));
			client.close();
		} finally {
			await natted.close();
		}
	});
});

describe('when a mediasoup worker dies', () => {
	it('ends its sessions as media_failed and turns /healthz to 503 so the supervisor restarts us', async () => {
		const doomed = await startAlongside();
		try {
			const ended = new Promise((resolve) => doomed.session('demo')!.once('ended', resolve));
			expect((await fetch(`${doomed.url}/healthz`)).status).toBe(200);
			for (const pid of doomed.sfuPids) process.kill(pid, 'SIGKILL');
			expect(await ended).toBe('media_failed');
			const health = await fetch(`${doomed.url}/healthz`);
			expect(health.status).toBe(503);
			expect(await health.json()).toEqual({ ok: false, sessions: 0 });
		} finally {
			await doomed.close();
		}
	});
});
