/**
 * The cloud browser reaches the network only through its egress proxy, with a real
 * Chromium and a real service: internal destinations are refused however they are spelled
 * and whatever leads there (the URL bar, redirects, iframes, fetch, XHR, WebSocket,
 * EventSource), the refused target never sees a connection, and the error a participant
 * sees is the same whether an internal port is open or closed.
 */
import dgram from 'node:dgram';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alongside } from '../signaling/Alongside.js';
import { launchViewerBrowser, newViewerPage, startAlongside, startSessionWithPin, WsClient } from './helpers.js';

/** Content the internal target would show: it must never reach a participant. */
const SECRET = 'internal-secret-content';

let app: Alongside;
/** The allowed fixture, the only destination on the allow-list besides public addresses. */
let allowed: { port: number; url: string; close(): Promise<void> };
/** An internal target on a loopback port that is not allowed; it counts the connections it sees. */
let internal: { port: number; connections: number; close(): Promise<void> };
/** A loopback port where nothing listens. */
let closedPort: number;
let customer: WsClient;
let sessionId: string;

/** A page on the allowed fixture that tries every way to reach the internal target, and its own origin as the control. */
function probePage(internalPort: number): string {
	const target = `127.0.0.1:${internalPort}`;
	return `<!doctype html><title>Probe</title>
<iframe id="own" src="/data"></iframe>
<iframe id="internal" src="http://${target}/"></iframe>
<iframe id="redirected" src="/redirect"></iframe>
<script>
const results = {};
const settle = (name, promise) => promise.then((v) => (results[name] = v), (e) => (results[name] = 'error:' + (e && e.message || e)));
const xhr = (url) => new Promise((resolve, reject) => {
	const r = new XMLHttpRequest();
	r.open('GET', url);
	r.onload = () => resolve('status:' + r.status + ':' + r.responseText);
	r.onerror = () => reject(new Error('xhr failed'));
	r.send();
});
const socket = (url) => new Promise((resolve, reject) => {
	const ws = new WebSocket(url);
	ws.onopen = () => resolve('open');
	ws.onerror = () => reject(new Error('websocket failed'));
});
const events = (url) => new Promise((resolve, reject) => {
	const source = new EventSource(url);
	source.onmessage = (e) => resolve('message:' + e.data);
	source.onerror = () => { source.close(); reject(new Error('eventsource failed')); };
});
window.__done = Promise.all([
	settle('ownFetch', fetch('/data').then((r) => r.text())),
	settle('internalFetch', fetch('http://${target}/', { mode: 'no-cors' }).then((r) => 'type:' + r.type)),
	settle('internalFetchLocalhost', fetch('http://localhost:${internalPort}/', { mode: 'no-cors' }).then((r) => 'type:' + r.type)),
	settle('internalFetchV6', fetch('http://[::1]:${internalPort}/', { mode: 'no-cors' }).then((r) => 'type:' + r.type)),
	settle('internalHttps', fetch('https://${target}/', { mode: 'no-cors' }).then((r) => 'type:' + r.type)),
	settle('redirectFetch', fetch('/redirect').then((r) => 'status:' + r.status)),
	settle('ownXhr', xhr('/data')),
	settle('internalXhr', xhr('http://${target}/')),
	settle('internalWebSocket', socket('ws://${target}/')),
	settle('internalEventSource', events('http://${target}/events')),
	settle('ownEventSource', events('/events')),
	new Promise((resolve) => setTimeout(resolve, 1500)),
]).then(() => results);
</script>`;
}

beforeAll(async () => {
	internal = await countingServer();
	closedPort = await freePort();
	allowed = await allowedFixture(internal.port);
	app = await startAlongside({ ALONGSIDE_EGRESS_ALLOW: `127.0.0.1:${allowed.port}` });
	const started = await startSessionWithPin(app);
	customer = started.customer;
	sessionId = started.sessionId;
	const joined = await customer.request('session/join', { token: started.customerToken });
	if (!joined.ok) throw new Error(`join: ${JSON.stringify(joined.error)}`);
	await app.session(sessionId)!.ready;
});

afterAll(async () => {
	customer?.close();
	await app?.close();
	await allowed?.close();
	await internal?.close();
});

/** Navigates as the customer would, from the URL bar. */
function navigate(url: string) {
	return customer.request('browser/navigate', { url });
}

/** Every title and URL participants were told, and what the cloud browser's tab shows. */
async function shown(): Promise<string> {
	const states = customer.notifications.filter((n) => n.type === 'browser/state').map((n) => JSON.stringify(n.data));
	const page = await app
		.session(sessionId)!
		.browser.page.evaluate(() => document.documentElement.outerHTML)
		.catch(() => '');
	return [...states, page].join('\n');
}

describe('the egress filter, as participants use the cloud browser', () => {
	it('lets a customer open the allowed fixture (the control: the filter does let pages through)', async () => {
		const reply = await navigate(`${allowed.url}/`);
		expect(reply.ok).toBe(true);
		await expect.poll(() => app.session(sessionId)!.browserState.title).toBe('Allowed page');
	});

	it('refuses internal destinations however they are spelled, and the internal target never sees a connection', async () => {
		const urls = [
			`http://127.0.0.1:${app.port}/metrics`,
			`http://127.0.0.1:${internal.port}/`,
			`https://127.0.0.1:${internal.port}/`,
			`http://2130706433:${internal.port}/`,
			`http://0x7f.1:${internal.port}/`,
			`http://[::1]:${internal.port}/`,
			`http://localhost:${internal.port}/`,
			`http://[::ffff:127.0.0.1]:${internal.port}/`,
			'http://10.0.0.1/',
			'http://192.168.1.1:8080/',
			'http://169.254.169.254/latest/meta-data/',
			'http://[fc00::1]/',
		];
		for (const url of urls) {
			const started = performance.now();
			const reply = await navigate(url);
			expect(reply.ok, url).toBe(false);
			expect(reply.error?.message, url).toMatch(/cannot be opened in a co-browsing session/);
			// NOTE: refused before any connection: no connect timeout to wait for.
			expect(performance.now() - started, url).toBeLessThan(5000);
		}
		expect(internal.connections).toBe(0);
		const everything = await shown();
		expect(everything).not.toContain(SECRET);
		expect(everything).not.toContain('alongside_');
	});

	it('refuses what an allowed page reaches for: redirects, iframes, fetch, XHR, WebSocket, EventSource, while its own origin works', async () => {
		expect((await navigate(`${allowed.url}/redirect`)).error?.message).toMatch(/cannot be opened/);
		expect((await navigate(`${allowed.url}/probe`)).ok).toBe(true);
		const page = app.session(sessionId)!.browser.page;
		const results = (await page.evaluate('window.__done')) as Record<string, string>;
		// The control: the same page reaches its own (allowed) origin.
		expect(results.ownFetch).toBe('allowed data');
		expect(results.ownXhr).toBe('status:200:allowed data');
		expect(results.ownEventSource).toBe('message:allowed event');
		const ownFrame = page.frames().find((frame) => frame.url().endsWith('/data'));
		expect(await ownFrame?.evaluate(() => document.body.innerText)).toBe('allowed data');
		// Everything aimed at the internal target failed, or (a no-cors fetch over plain http) got
		// the proxy's refusal as an opaque response, which a page cannot read.
		for (const name of ['internalFetch', 'internalFetchLocalhost', 'internalFetchV6', 'internalHttps', 'redirectFetch', 'internalXhr', 'internalWebSocket', 'internalEventSource']) {
			expect(results[name], name).toMatch(/^(error:|type:opaque$)/);
		}
		expect(results.internalHttps).toMatch(/^error:/);
		expect(results.internalWebSocket).toMatch(/^error:/);
		expect(JSON.stringify(results)).not.toContain(SECRET);
		expect(internal.connections).toBe(0);
		expect(await shown()).not.toContain(SECRET);
		for (const frame of page.frames()) expect(await frame.content().catch(() => '')).not.toContain(SECRET);
	});

	it('gives a participant the same error for an open and a closed internal port', async () => {
		for (const scheme of ['http', 'https']) {
			const open = await navigate(`${scheme}://127.0.0.1:${internal.port}/x`);
			const closed = await navigate(`${scheme}://127.0.0.1:${closedPort}/x`);
			expect(open.ok).toBe(false);
			expect({ ...closed.error, message: closed.error?.message.replace(String(closedPort), 'PORT') }).toEqual({
				...open.error,
				message: open.error?.message.replace(String(internal.port), 'PORT'),
			});
		}
		expect(internal.connections).toBe(0);
	});

	it("keeps a page's WebRTC from sending UDP around the proxy (a browser without the policy does send it)", async () => {
		const stun = await stunListener();
		let packets = 0;
		stun.on('message', (message) => {
			if (isStunServerRequest(message)) packets++;
		});
		const address = lanAddress();
		const gather = `(async () => {
			const pc = new RTCPeerConnection({ iceServers: [{ urls: 'stun:${address}:${stun.address().port}' }] });
			pc.createDataChannel('x');
			await pc.setLocalDescription(await pc.createOffer());
			await new Promise((resolve) => setTimeout(resolve, 1500));
			pc.close();
		})()`;
		try {
			expect((await navigate(`${allowed.url}/`)).ok).toBe(true);
			// NOTE: once in a few runs puppeteer's evaluate right after the navigation hits the
			// context of the document before ("Execution context was destroyed"); once more then.
			const page = app.session(sessionId)!.browser.page;
			await page.evaluate(gather).catch(async (error: Error) => {
				if (!/context was destroyed/i.test(error.message)) throw error;
				await page.waitForFunction(() => document.readyState !== 'loading');
				await page.evaluate(gather);
			});
			expect(packets).toBe(0);
			// The control: an ordinary Chromium on the same page sends its STUN requests.
			const viewer = await launchViewerBrowser();
			try {
				const page = await newViewerPage(viewer);
				await page.goto(`${allowed.url}/`);
				await page.evaluate(gather);
				expect(packets).toBeGreaterThan(0);
			} finally {
				await viewer.close();
			}
		} finally {
			stun.close();
		}
	});

	it('still publishes the tab to the SFU over UDP (the publishing extension is exempt from that policy)', async () => {
		const stats = await app.session(sessionId)!.browser.captureStats();
		expect(stats.framesEncoded).toBeGreaterThan(0);
		expect(stats.transportProtocol).toBe('udp');
	});

	it('counts every refusal in a metric, by reason', async () => {
		const metric = await app.metrics.egressRefusals.get();
		const reasons = new Map(metric.values.map((value) => [value.labels.reason, value.value]));
		expect(reasons.get('protected')).toBeGreaterThanOrEqual(1);
		expect(reasons.get('own_address')).toBeGreaterThanOrEqual(1);
		expect(reasons.get('non_public')).toBeGreaterThanOrEqual(4);
	});
});

describe('with loopback allowed (as the other tests run)', () => {
	it("still refuses the service's own HTTP and media ports", async () => {
		const loose = await startAlongside();
		try {
			const started = await startSessionWithPin(loose);
			const client = started.customer;
			await client.request('session/join', { token: started.customerToken });
			await loose.session(started.sessionId)!.ready;
			for (const url of [`http://127.0.0.1:${loose.port}/metrics`, `http://localhost:${loose.port}/healthz`, `http://127.0.0.1:${loose.config.sfu.port}/`]) {
				const reply = await client.request('browser/navigate', { url });
				expect(reply.error?.message, url).toMatch(/cannot be opened/);
			}
			// The allow-list does let loopback fixtures through.
			expect((await client.request('browser/navigate', { url: `${allowed.url}/` })).ok).toBe(true);
			client.close();
		} finally {
			await loose.close();
		}
	});
});

/** A fixture on 127.0.0.1 with a page, data, an event stream, a redirect to the internal target, and the probe page. */
async function allowedFixture(internalPort: number) {
	const server = http.createServer((req, res) => {
		switch (req.url) {
			case '/':
				res.writeHead(200, { 'content-type': 'text/html' }).end('<title>Allowed page</title><p>allowed</p>');
				return;
			case '/data':
				res.writeHead(200, { 'content-type': 'text/plain' }).end('allowed data');
				return;
			case '/events':
				res.writeHead(200, { 'content-type': 'text/event-stream' }).end('data: allowed event\n\n');
				return;
			case '/redirect':
				res.writeHead(302, { location: `http://127.0.0.1:${internalPort}/` }).end();
				return;
			case '/probe':
				res.writeHead(200, { 'content-type': 'text/html' }).end(probePage(internalPort));
				return;
			default:
				res.writeHead(404).end();
		}
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as net.AddressInfo;
	return { port, url: `http://127.0.0.1:${port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** An HTTP server on every loopback address (127.0.0.1 and ::1) that serves {@link SECRET} and counts connections. */
async function countingServer() {
	const state = { port: 0, connections: 0, close: async () => undefined as void };
	const server = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(`<title>${SECRET}</title>${SECRET}`));
	server.on('connection', () => state.connections++);
	await new Promise<void>((resolve) => server.listen({ port: 0, host: '::', ipv6Only: false }, resolve));
	state.port = (server.address() as net.AddressInfo).port;
	state.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
	return state;
}

/** A port that nothing listens on (bound, then released). */
async function freePort(): Promise<number> {
	const server = net.createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as net.AddressInfo;
	await new Promise((resolve) => server.close(resolve));
	return port;
}

/** This machine's first non-internal IPv4 address (Chromium gathers no loopback candidates). */
function lanAddress(): string {
	for (const list of Object.values(os.networkInterfaces())) {
		for (const info of list ?? []) if (info.family === 'IPv4' && !info.internal) return info.address;
	}
	throw new Error('no LAN address');
}

/**
 * A UDP socket for STUN requests, on a port outside the kernel's ephemeral range, so that
 * no stray packet meant for a socket that another test just closed arrives here.
 */
async function stunListener(): Promise<dgram.Socket> {
	for (;;) {
		const socket = dgram.createSocket('udp4');
		const port = 20_000 + Math.floor(Math.random() * 10_000);
		const bound = await new Promise<boolean>((resolve) => {
			socket.once('error', () => resolve(false));
			socket.bind(port, '0.0.0.0', () => resolve(true));
		});
		if (bound) return socket;
		socket.close();
	}
}

/** A STUN Binding request to a STUN server (candidate gathering), not an ICE check (which carries USERNAME). */
function isStunServerRequest(message: Buffer): boolean {
	if (message.length < 20 || message.readUInt16BE(0) !== 0x0001 || message.readUInt32BE(4) !== 0x2112a442) return false;
	for (let offset = 20; offset + 4 <= message.length; ) {
		const type = message.readUInt16BE(offset);
		if (type === 0x0006) return false;
		offset += 4 + Math.ceil(message.readUInt16BE(offset + 2) / 4) * 4;
	}
	return true;
}
