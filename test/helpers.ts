/**
 * Shared helpers for integration tests: a real Alongside on loopback (port 0), a fixture
 * web server, a real headless Chromium driven by playwright-core, and a WebSocket client.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import WebSocket from 'ws';
import { Alongside } from '../signaling/Alongside.js';
import { loadConfig } from '../signaling/config.js';
import { createLogger } from '../signaling/logger.js';

let nextRtcPort = 42000 + (process.pid % 50) * 40;

/** Starts the whole service on 127.0.0.1 with a fresh RTC port range, logs silenced. */
export async function startAlongside(env: Record<string, string> = {}): Promise<Alongside> {
	const rtcPort = nextRtcPort;
	nextRtcPort += 4;
	const config = loadConfig({
		ALONGSIDE_HOST: '127.0.0.1',
		ALONGSIDE_PORT: '0',
		ALONGSIDE_RTC_PORT: String(rtcPort),
		ALONGSIDE_SFU_WORKERS: '1',
		ALONGSIDE_LOG_LEVEL: process.env.ALONGSIDE_TEST_LOG ?? 'silent',
		...env,
	});
	return Alongside.create(config, createLogger(config.signaling.logLevel), { defaultMetrics: false });
}

/** Serves fixed HTML pages on 127.0.0.1 for the cloud browser to open. */
export async function startFixtureServer(pages: Record<string, string>): Promise<{ url: string; close(): Promise<void> }> {
	const server = http.createServer((req, res) => {
		const page = pages[req.url ?? '/'];
		if (page === undefined) {
			res.writeHead(404).end('not found');
			return;
		}
		res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
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

/** The token inside a link's fragment. */
export function tokenOf(link: string): string {
	return new URL(link).hash.replace(/^#t=/, '');
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
