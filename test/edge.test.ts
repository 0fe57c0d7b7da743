/**
 * The service's edge against hostile clients, on a real server: forwarded addresses,
 * per-address caps, slow and idle sockets, WebSocket origins, browser-side headers and
 * path probes. Limits are set low so that each is reached quickly.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Alongside } from '../signaling/Alongside.js';
import { account, api, issuePin, metricSum, startAlongside, WsClient } from './helpers.js';

let app: Alongside;

beforeAll(async () => {
	app = await startAlongside({
		ALONGSIDE_ALLOWED_ORIGINS: 'https://shop.example',
		ALONGSIDE_JOIN_TIMEOUT: '2',
		ALONGSIDE_HTTP_HEADERS_TIMEOUT: '1',
		ALONGSIDE_MAX_WEBSOCKETS_PER_ADDRESS: '6',
		ALONGSIDE_WS_FRAMES_PER_SECOND_PER_ADDRESS: '20',
		ALONGSIDE_MAX_SOCKETS_PER_ADDRESS: '40',
		ALONGSIDE_SOCKETS_PER_SECOND_PER_ADDRESS: '1000',
	});
});

afterAll(async () => {
	await app?.close();
});

const metric = (name: string) => metricSum(app, name);

/** Opens a WebSocket with the given headers; resolves with it once open, or with the refusal's status. */
function openSocket(headers: Record<string, string> = {}): Promise<WebSocket | number> {
	return new Promise((resolve) => {
		const socket = new WebSocket(`${app.url.replace(/^http/, 'ws')}/ws`, { headers });
		socket.once('open', () => resolve(socket));
		socket.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
		socket.once('error', () => resolve(0));
	});
}

function closed(socket: WebSocket | net.Socket): Promise<number | undefined> {
	return new Promise((resolve) => {
		if (socket instanceof WebSocket) {
			if (socket.readyState === WebSocket.CLOSED) resolve(undefined);
			socket.once('close', (code) => resolve(code));
		} else {
			if (socket.destroyed) resolve(undefined);
			socket.once('close', () => resolve(undefined));
		}
	});
}

describe('forwarded client addresses', () => {
	/** Signs in with a wrong password through a "proxy" that appended `real` to a forged chain; the audited address. */
	async function auditedAddress(behind: Alongside, forwardedFor: string): Promise<string | null | undefined> {
		const response = await fetch(`${behind.url}/api/auth/login`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
			body: JSON.stringify({ company: 'demo', email: account(behind, 'agent').email, password: 'wrong password here' }),
		});
		expect(response.status).toBe(401);
		const failures = async () => (await behind.store.listAudit('demo', { limit: 100 })).filter((e) => e.action === 'auth.login_failed');
		await expect.poll(async () => (await failures()).length).toBeGreaterThan(0);
		return (await failures())[0]?.ip;
	}

	it('counts the address the trusted proxy saw, not the left-most entry a client can forge', async () => {
		const behind = await startAlongside({ ALONGSIDE_TRUST_PROXY: '1' });
		try {
			expect(await auditedAddress(behind, '198.51.100.1, 203.0.113.50')).toBe('203.0.113.50');
		} finally {
			await behind.close();
		}
	});

	it('ignores X-Forwarded-For when no proxy is trusted', async () => {
		expect(await auditedAddress(app, '198.51.100.1')).toBe('127.0.0.1');
	});
});

describe('WebSocket origins', () => {
	it('refuses a page of another site, and admits the service’s own pages, allowed origins and non-browser clients', async () => {
		const before = await metric('alongside_limit_refusals_total{limit="websocket_origin"}');
		expect(await openSocket({ origin: 'https://evil.example' })).toBe(403);
		expect(await metric('alongside_limit_refusals_total{limit="websocket_origin"}')).toBe(before + 1);
		for (const headers of [{ origin: app.url }, { origin: 'https://shop.example' }, {}] as Record<string, string>[]) {
			const socket = await openSocket(headers);
			expect(socket).toBeInstanceOf(WebSocket);
			(socket as WebSocket).close();
		}
	});
});

describe('idle and greedy sockets', () => {
	it('closes a WebSocket that does not join or watch a PIN within the join timeout, and keeps one that watches', async () => {
		const idle = (await openSocket()) as WebSocket;
		const watching = await WsClient.connect(app.url);
		const { watchToken } = await issuePin(app);
		expect((await watching.request('pin/watch', { watchToken })).ok).toBe(true);
		expect(await closed(idle)).toBe(4408);
		await new Promise((resolve) => setTimeout(resolve, 500));
		expect(watching.socket.readyState).toBe(WebSocket.OPEN);
		watching.close();
	});

	it('refuses WebSockets over the per-address cap with 429, and admits again once one closes', async () => {
		const open: WebSocket[] = [];
		for (let i = 0; i < 6; i++) open.push((await openSocket()) as WebSocket);
		expect(await openSocket()).toBe(429);
		const last = open.pop()!;
		last.close();
		await closed(last);
		await new Promise((resolve) => setTimeout(resolve, 100));
		const again = await openSocket();
		expect(again).toBeInstanceOf(WebSocket);
		for (const socket of [...open, again as WebSocket]) socket.close();
	});

	it('closes requests whose headers do not arrive within the headers timeout', async () => {
		const sockets = await Promise.all(
			Array.from({ length: 20 }, async () => {
				const socket = net.connect(app.port, '127.0.0.1');
				await new Promise((resolve) => socket.once('connect', resolve));
				socket.on('error', () => undefined);
				// NOTE: a paused socket never sees the server's close; read whatever comes.
				socket.resume();
				socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: ');
				return socket;
			}),
		);
		const started = Date.now();
		await Promise.all(sockets.map(closed));
		expect(Date.now() - started).toBeLessThan(5000);
		expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
	});

	it('refuses TCP connections over the per-address cap, and serves again once they close', async () => {
		const held: net.Socket[] = [];
		for (let i = 0; i < 45; i++) {
			const socket = net.connect(app.port, '127.0.0.1');
			socket.on('error', () => undefined);
			socket.resume();
			held.push(socket);
		}
		await Promise.all(held.map((s) => new Promise((resolve) => (s.connecting ? s.once('connect', resolve) : resolve(null)))));
		await new Promise((resolve) => setTimeout(resolve, 200));
		const before = await metric('alongside_limit_refusals_total{limit="address_sockets"}');
		expect(held.filter((s) => s.destroyed || s.readableEnded).length).toBeGreaterThanOrEqual(5);
		expect(before).toBeGreaterThanOrEqual(5);
		for (const socket of held) socket.destroy();
		await new Promise((resolve) => setTimeout(resolve, 200));
		expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
	});

	it('drops frames over the per-address rate with a rate_limited notice, and keeps the connection', async () => {
		const client = await WsClient.connect(app.url);
		const replies: unknown[] = [];
		client.socket.on('message', (data) => replies.push(JSON.parse(data.toString())));
		for (let i = 0; i < 200; i++) client.socket.send(JSON.stringify({ id: 1000 + i, type: 'session/leave' }));
		await new Promise((resolve) => setTimeout(resolve, 300));
		const limited = replies.filter((r) => (r as { error?: { code: string } }).error?.code === 'rate_limited');
		const answered = replies.filter((r) => (r as { error?: { code: string } }).error?.code === 'not_joined');
		expect(limited.length).toBeGreaterThanOrEqual(1);
		expect(answered.length).toBeLessThan(100);
		expect(await metric('alongside_limit_refusals_total{limit="address_frames"}')).toBeGreaterThanOrEqual(100);
		await new Promise((resolve) => setTimeout(resolve, 1200));
		expect((await client.request('session/leave')).error?.code).toBe('not_joined');
		client.close();
	});
});

describe('browser-side protections', () => {
	it('sends a Content-Security-Policy that forbids framing and foreign scripts, and the other protective headers', async () => {
		for (const path of ['/agent/', '/c/demo', '/api/companies/demo/public']) {
			const response = await fetch(`${app.url}${path}`);
			const csp = response.headers.get('content-security-policy') ?? '';
			expect(csp).toContain("frame-ancestors 'none'");
			expect(csp).toContain("script-src 'self'");
			expect(csp).toContain("object-src 'none'");
			expect(response.headers.get('x-content-type-options')).toBe('nosniff');
			expect(response.headers.get('x-frame-options')).toBe('DENY');
			// Served over plain HTTP here: no HSTS (it is sent over HTTPS, see tls.test.ts).
			expect(response.headers.get('strict-transport-security')).toBeNull();
		}
	});
});

describe('path probes', () => {
	it.each(['/..%2f..%2fetc%2fpasswd', '/agent/..%2f..%2f..%2fsignaling%2fconfig.ts', '/%2e%2e/%2e%2e/etc/passwd', '/assets/%00.js'])(
		'%s answers a 4xx, not a 500, and logs no error',
		async (path) => {
			const before = await metric('alongside_signaling_errors_total{code="internal"}');
			const response = await fetch(`${app.url}${path}`);
			expect(response.status).toBeGreaterThanOrEqual(400);
			expect(response.status).toBeLessThan(500);
			expect(await response.text()).not.toContain('root:');
			expect(await metric('alongside_signaling_errors_total{code="internal"}')).toBe(before);
		},
	);

	it('keeps answering JSON errors for the API', async () => {
		const reply = await api(app, 'GET', '/api/users');
		expect(reply.status).toBe(401);
		expect(reply.body.error.code).toBe('unauthorized');
	});
});
