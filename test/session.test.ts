/**
 * A session's lifecycle with a real cloud browser: what it leaves behind when it ends.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandLine, processIds } from '../publisher/processGroup.js';
import type { Alongside } from '../signaling/Alongside.js';
import { account, startAlongside, startSessionWithPin, WsClient } from './helpers.js';

let app: Alongside;

beforeAll(async () => {
	app = await startAlongside();
});

/** Starts a session for the demo agent directly (the PIN flow has its own tests). */
async function newSession(startUrl?: string) {
	const agent = (await app.store.getUserByEmail('demo', account(app, 'agent').email))!;
	const session = await app.startSession(agent);
	await session.ready;
	if (startUrl) await session.browser.navigate(startUrl);
	return session;
}

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
		const session = await newSession();
		const profile = session.browser.profileDir;
		const pid = session.browser.pid!;
		expect(fs.existsSync(profile)).toBe(true);
		expect(leftovers(session.id).chromiums).toContain(pid);
		await session.end('agent_ended');
		expect(fs.existsSync(profile)).toBe(false);
		expect(leftovers(session.id)).toEqual({ profiles: [], chromiums: [] });
		expect(() => process.kill(pid, 0)).toThrow();
		expect(app.session(session.id)).toBeUndefined();
		await expect.poll(async () => (await app.store.getSession(session.id))?.endReason).toBe('agent_ended');
	});

	it('tells participants why it ended and refuses their tokens afterwards', async () => {
		const started = await startSessionWithPin(app);
		const client = started.customer;
		expect((await client.request('session/join', { token: started.customerToken })).ok).toBe(true);
		await app.session(started.sessionId)!.end('agent_ended');
		await expect.poll(() => client.notifications.map((n) => n.type)).toContain('session/ended');
		expect(client.notifications.find((n) => n.type === 'session/ended')?.data).toEqual({ reason: 'agent_ended' });
		const again = await WsClient.connect(app.url);
		expect((await again.request('session/join', { token: started.customerToken })).error?.code).toBe('session_ended');
		again.close();
		client.close();
	});

	it("leaves no puppeteer-stream recorder socket open (it listens on every interface)", async () => {
		const session = await newSession();
		// puppeteer-stream's extension page URL carries its recorder port after '#'.
		const port = Number(new URL((await session.browser.page.browser().pages()).map((p) => p.url()).find((u) => u.startsWith('chrome-extension://'))!).hash.slice(1));
		expect(port).toBeGreaterThanOrEqual(55200);
		expect(await listening(port)).toBe(false);
		await session.end('agent_ended');
	});
});

/**
 * Session directories and running Chromium processes that belong to a session, in any
 * instance directory under the profile root (`<root>/<instance>/<first 8 of sessionId>-XXXXXX`).
 */
function leftovers(sessionId: string): { profiles: string[]; chromiums: number[] } {
	const root = app.config.publisher.profileDir;
	const prefix = `${sessionId.slice(0, 8)}-`;
	const profiles: string[] = [];
	for (const instance of fs.existsSync(root) ? fs.readdirSync(root) : []) {
		const dir = path.join(root, instance);
		try {
			profiles.push(...fs.readdirSync(dir).filter((name) => name.startsWith(prefix)).map((name) => path.join(dir, name)));
		} catch {
			continue; // NOTE: not a directory, or another test's instance closed meanwhile.
		}
	}
	const chromiums = processIds().filter((pid) => {
		const cmdline = commandLine(pid) ?? '';
		return cmdline.includes(`--user-data-dir=${root}/`) && cmdline.includes(`/${prefix}`);
	});
	return { profiles, chromiums };
}

describe('ending a session while its cloud browser starts', () => {
	// Ended at once (Chromium launching), while the extension and capture are set up, and
	// while it starts publishing.
	it.each([0, 250, 500, 800])('stops Chromium and deletes its profile when ended %i ms into the start', async (delayMs) => {
		const unhandled: unknown[] = [];
		const onUnhandled = (reason: unknown) => unhandled.push(reason);
		process.on('unhandledRejection', onUnhandled);
		try {
			const agent = (await app.store.getUserByEmail('demo', account(app, 'agent').email))!;
			const session = await app.startSession(agent);
			const ready = session.ready.then(() => 'ready', () => 'failed');
			await new Promise((resolve) => setTimeout(resolve, delayMs));
			await session.end('agent_ended');
			expect(leftovers(session.id)).toEqual({ profiles: [], chromiums: [] });
			await ready;
			// A rejection nobody handles surfaces within a turn or two of the browser closing.
			await new Promise((resolve) => setTimeout(resolve, 300));
			expect(unhandled).toEqual([]);
			await expect.poll(async () => (await app.store.getSession(session.id))?.endReason).toBe('agent_ended');
		} finally {
			process.off('unhandledRejection', onUnhandled);
		}
	});
});

describe('behind NAT (announced address configured)', () => {
	it("tells clients the announced address while the cloud browser streams over this machine's own address", async () => {
		// 192.0.2.1 is TEST-NET-1: never routed. The client below never connects its transport,
		// so nothing is sent there.
		const natted = await startAlongside({ ALONGSIDE_RTC_ANNOUNCED_ADDRESS: '192.0.2.1' });
		try {
			const started = await startSessionWithPin(natted);
			const session = natted.session(started.sessionId)!;
			await expect.poll(async () => (await session.room.producerStats('clear'))[0]?.bitrate ?? 0, { timeout: 10_000 }).toBeGreaterThan(0);
			const client = await WsClient.connect(natted.url);
			await client.request('session/join', { token: started.agentToken, sessionId: started.sessionId });
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
			const started = await startSessionWithPin(doomed);
			const ended = new Promise((resolve) => doomed.session(started.sessionId)!.once('ended', resolve));
			expect((await fetch(`${doomed.url}/healthz`)).status).toBe(200);
			for (const pid of doomed.sfuPids) process.kill(pid, 'SIGKILL');
			expect(await ended).toBe('media_failed');
			const health = await fetch(`${doomed.url}/healthz`);
			expect(health.status).toBe(503);
			expect(await health.json()).toEqual({ ok: false, sessions: 0, warm: 0 });
		} finally {
			await doomed.close();
		}
	});
});

describe('shutting down while a session is ending', () => {
	it('waits for the ending, so its record keeps the real reason', async () => {
		const closing = await startAlongside();
		const started = await startSessionWithPin(closing);
		const dataDir = closing.config.signaling.dataDir;
		void closing.session(started.sessionId)!.end('customer_ended');
		await closing.close();
		started.customer.close();
		const { SqliteStore } = await import('../signaling/store/SqliteStore.js');
		const reopened = SqliteStore.open(`${dataDir}/alongside.db`);
		try {
			expect((await reopened.getSession(started.sessionId))?.endReason).toBe('customer_ended');
		} finally {
			await reopened.close();
		}
	});
});
