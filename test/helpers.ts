/**
 * Shared helpers for integration tests: a real Alongside on loopback (port 0), a fixture
 * web server, a real headless Chromium driven by playwright-core, and a WebSocket client.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import WebSocket from 'ws';
import { Alongside } from '../signaling/Alongside.js';
import { loadConfig } from '../signaling/config.js';
import { createLogger } from '../signaling/logger.js';

// NOTE: below the kernel's ephemeral port range (32768-60999 on Linux), from which every outgoing
// connection (the browsers', the egress proxies') takes its local port: a worker's port in
// that range is now and then taken by a client socket just before the worker listens on it.
let nextRtcPort = 10_000 + (process.pid % 250) * 40;

/**
 * Starts the whole service on 127.0.0.1 with a fresh data directory (a real SQLite file)
 * and RTC port range, logs silenced, no warm browsers unless asked. The cloud browsers may
 * reach 127.0.0.0/8 (ALONGSIDE_EGRESS_ALLOW), where the tests' fixture pages listen; the
 * service's own ports there stay refused whatever the allow-list says.
 */
export async function startAlongside(env: Record<string, string> = {}): Promise<Alongside> {
	const rtcPort = nextRtcPort;
	nextRtcPort += 4;
	const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'alongside-test-'));
	const config = loadConfig({
		ALONGSIDE_HOST: '127.0.0.1',
		ALONGSIDE_PORT: '0',
		ALONGSIDE_RTC_PORT: String(rtcPort),
		ALONGSIDE_SFU_WORKERS: '1',
		ALONGSIDE_WARM_BROWSERS: '0',
		// Every test customer comes from 127.0.0.1.
		ALONGSIDE_PIN_ISSUE_MAX: '10000',
		ALONGSIDE_DATA_DIR: dataDir,
		// NOTE: explicit, and only for the tests: the default lets the cloud browser reach
		// public addresses only. startFixtureServer() listens on 127.0.0.1.
		ALONGSIDE_EGRESS_ALLOW: '127.0.0.0/8',
		// NOTE: only root can start the cloud browsers as the browser user (CI runs as root). Run
		// as yourself, the tests use the development setting (same user, sandbox still on), and
		// test/isolation.test.ts fails, as it should.
		...(process.getuid?.() === 0 ? {} : { ALONGSIDE_BROWSER_USER: '@self' }),
		ALONGSIDE_LOG_LEVEL: process.env.ALONGSIDE_TEST_LOG ?? 'silent',
		...env,
	});
	return Alongside.create(config, createLogger(config.signaling.logLevel), { defaultMetrics: false });
}

/** The first-run account of a role (company `demo`). */
export function account(app: Alongside, role: 'admin' | 'agent' | 'supervisor'): { email: string; password: string } {
	const found = app.firstRun?.credentials.find((c) => c.role === role);
	if (!found) throw new Error(`no first-run ${role}`);
	return found;
}

/** Calls the REST API; resolves with status, headers and parsed JSON body (if any). */
export async function api(
	app: Alongside,
	method: string,
	route: string,
	options: { token?: string; body?: unknown; raw?: string } = {},
): Promise<{ status: number; body: any; headers: Headers }> {
	const headers: Record<string, string> = {};
	if (options.token) headers.authorization = `Bearer ${options.token}`;
	if (options.body !== undefined || options.raw !== undefined) headers['content-type'] = 'application/json';
	const response = await fetch(`${app.url}${route}`, {
		method,
		headers,
		body: options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
	});
	const text = await response.text();
	return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
}

/** Signs in and returns the access token. */
export async function login(app: Alongside, role: 'admin' | 'agent' | 'supervisor'): Promise<string> {
	const { email, password } = account(app, role);
	const reply = await api(app, 'POST', '/api/auth/login', { body: { company: 'demo', email, password } });
	if (reply.status !== 200) throw new Error(`login ${role}: ${reply.status} ${JSON.stringify(reply.body)}`);
	return reply.body.accessToken as string;
}

/** What a customer's page gets for a PIN. */
export async function issuePin(app: Alongside, companyId = 'demo'): Promise<{ pin: string; watchToken: string; expiresAt: number; expiresIn: number }> {
	const reply = await api(app, 'POST', `/api/companies/${companyId}/pins`);
	if (reply.status !== 201) throw new Error(`pin: ${reply.status} ${JSON.stringify(reply.body)}`);
	return reply.body;
}

/**
 * The sum of the service's metric lines (GET /metrics) that start with any of `prefixes`,
 * e.g. `alongside_limit_refusals_total{limit="transports"}`, or a whole counter's name.
 */
export async function metricSum(app: Alongside, ...prefixes: string[]): Promise<number> {
	const text = await (await fetch(`${app.url}/metrics`)).text();
	return text
		.split('\n')
		.filter((line) => prefixes.some((prefix) => line.startsWith(prefix)))
		.reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}

/** Polls until `check` returns a value (not undefined). */
export async function until<T>(check: () => T | undefined, timeoutMs = 10_000): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = check();
		if (value !== undefined) return value;
		if (Date.now() > deadline) throw new Error('timed out waiting');
		await new Promise((r) => setTimeout(r, 20));
	}
}

export interface StartedSession {
	sessionId: string;
	agentToken: string;
	customerToken: string;
	/** The customer page's signaling connection, which watched the PIN. */
	customer: WsClient;
	watchToken: string;
}

/**
 * The whole start, as people do it: the customer's page gets a PIN and watches it; the
 * agent signs in and redeems it; the customer's page is told and receives its token.
 */
export async function startSessionWithPin(app: Alongside): Promise<StartedSession> {
	const { pin, watchToken } = await issuePin(app);
	const customer = await WsClient.connect(app.url);
	const watched = await customer.request('pin/watch', { watchToken });
	if (!watched.ok) throw new Error(`pin/watch: ${JSON.stringify(watched.error)}`);
	const agentToken = await login(app, 'agent');
	const started = await api(app, 'POST', '/api/sessions', { token: agentToken, body: { pin } });
	if (started.status !== 201) throw new Error(`start: ${started.status} ${JSON.stringify(started.body)}`);
	const redeemed = await until(() => customer.notifications.find((n) => n.type === 'pin/redeemed'));
	const { sessionId, token } = redeemed.data as { sessionId: string; token: string };
	if (sessionId !== started.body.sessionId) throw new Error('customer told another session');
	return { sessionId, agentToken, customerToken: token, customer, watchToken };
}

/**
 * Serves fixed pages on 127.0.0.1 (or another loopback address) for the cloud browser to
 * open: HTML given as strings, anything else with its content type.
 */
export async function startFixtureServer(
	pages: Record<string, string | { contentType: string; body: Buffer } | { redirect: string } | ((req: http.IncomingMessage) => string)>,
	host = '127.0.0.1',
): Promise<{ url: string; close(): Promise<void> }> {
	const server = http.createServer((req, res) => {
		const entry = pages[req.url ?? '/'];
		const page = typeof entry === 'function' ? entry(req) : entry;
		if (page === undefined) {
			res.writeHead(404).end('not found');
			return;
		}
		if (typeof page === 'string') res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
		else if ('redirect' in page) res.writeHead(302, { location: page.redirect }).end();
		else res.writeHead(200, { 'content-type': page.contentType }).end(page.body);
	});
	await new Promise<void>((resolve) => server.listen(0, host, resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://${host}:${port}`,
		close: () => new Promise((resolve) => server.close(() => resolve())),
	};
}

/** Launches Debian's Chromium for the viewer side (agent, customer, supervisor windows). */
export function launchViewerBrowser(extraArgs: string[] = []): Promise<Browser> {
	return chromium.launch({
		executablePath: process.env.ALONGSIDE_CHROMIUM_PATH ?? '/usr/bin/chromium',
		args: [
			'--no-sandbox',
			'--disable-gpu',
			'--disable-quic',
			'--no-first-run',
			'--disable-background-networking',
			'--disable-component-update',
			'--disable-sync',
			'--disable-dev-shm-usage',
			'--autoplay-policy=no-user-gesture-required',
			...extraArgs,
		],
	});
}

/**
 * Opens a viewer page. NOTE: tests run under tsx, whose keep-names transform wraps inner
 * functions of `page.evaluate` callbacks in `__name(...)`; the page gets a no-op for it.
 */
export async function newViewerPage(browser: Browser, options: BrowserContextOptions = {}): Promise<Page> {
	const context = await browser.newContext(options);
	await context.addInitScript('globalThis.__name = (fn) => fn;');
	return context.newPage();
}

/** A raw signaling client: send frames, await replies by id, collect notifications. */
export class WsClient {
	readonly socket: WebSocket;
	readonly notifications: { type: string; data: unknown }[] = [];
	readonly #pending = new Map<number | null, (reply: unknown) => void>();
	#nextId = 1;

	static async connect(baseUrl: string): Promise<WsClient> {
		const socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/ws`);
		await new Promise<void>((resolve, reject) => {
			socket.once('open', () => resolve());
			socket.once('error', reject);
		});
		return new WsClient(socket);
	}

	private constructor(socket: WebSocket) {
		this.socket = socket;
		socket.on('message', (data) => {
			const message = JSON.parse(data.toString()) as { id?: number | null; type?: string; data?: unknown };
			if ('id' in message) {
				const resolve = this.#pending.get(message.id ?? null);
				this.#pending.delete(message.id ?? null);
				resolve?.(message);
			} else {
				this.notifications.push(message as { type: string; data: unknown });
			}
		});
	}

	/** Sends a request and resolves with the whole reply (`{ id, ok, data | error }`). */
	request(type: string, data: unknown = {}): Promise<{ id: number; ok: boolean; data?: any; error?: { code: string; message: string } }> {
		const id = this.#nextId++;
		return this.raw(JSON.stringify({ id, type, data }), id) as never;
	}

	/** Sends any text frame; resolves with the reply carrying `expectId`. */
	raw(text: string, expectId: number | null): Promise<{ id: number | null; ok: boolean; data?: any; error?: { code: string; message: string } }> {
		return new Promise((resolve, reject) => {
			const timer = setTimeout(() => reject(new Error(`no reply to ${text.slice(0, 60)}`)), 10_000);
			this.#pending.set(expectId, (reply) => {
				clearTimeout(timer);
				resolve(reply as never);
			});
			this.socket.send(text);
		});
	}

	close(): void {
		this.socket.close();
	}
}
