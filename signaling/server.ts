/**
 * The HTTP side: koa with @koa/router for health, metrics and the web apps, plus the
 * WebSocket signaling endpoint at `/ws` on the same port.
 *
 * The edge defends itself before any route runs: client addresses come from trusted proxy
 * hops only; each address may hold so many sockets and open them so fast; requests must
 * send their headers within a few seconds; a WebSocket must come from the service's own
 * pages (or an allowed origin) and join within a few seconds; every response carries the
 * browser-side protections (CSP, frame-ancestors, nosniff, HSTS over HTTPS).
 */
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Router from '@koa/router';
import Koa from 'koa';
import serve from 'koa-static';
import type { Logger } from 'pino';
import { type WebSocket, WebSocketServer } from 'ws';
import { AddressLimits } from './AddressLimits.js';
import { auditRoutes } from './api/audit/routes.js';
import { authRoutes } from './api/auth/routes.js';
import { companyRoutes } from './api/company/routes.js';
import { ruleRoutes } from './api/rules/routes.js';
import type { ApiContext } from './api/context.js';
import { NotFoundError } from '../protocol/errors.js';
import { ALLOWED_METHODS, errorMiddleware } from './api/errors-middleware.js';
import { pinRoutes } from './api/pins/routes.js';
import { sessionRoutes } from './api/sessions/routes.js';
import { recordingRoutes } from './api/recordings/routes.js';
import { reportRoutes } from './api/reports/routes.js';
import { fileRoutes } from './api/files/routes.js';
import { userRoutes } from './api/users/routes.js';
import { apiKeyRoutes } from './api/apikeys/routes.js';
import { webhookRoutes } from './api/webhooks/routes.js';
import { v1Routes } from './api/v1/routes.js';
import { openApiRoutes } from './api/v1/openapi.js';
import { addressKey, ClientAddresses } from './clientAddress.js';
import type { SignalingConfig } from './config.js';
import type { Metrics } from './metrics.js';
import { type ConnectionContext, SignalingConnection } from './SignalingConnection.js';

const here = path.dirname(fileURLToPath(import.meta.url));
/** Built web apps (vite build output). */
export const WEB_DIST = path.resolve(here, '..', 'web', 'dist');

/** How long a request may take once its headers are in (bodies are at most 32 KiB). */
const REQUEST_TIMEOUT_MS = 30_000;

/**
 * The Content-Security-Policy of every response. The apps load only their own scripts and
 * styles (Svelte's `style:` directives need inline style attributes), talk only to this
 * origin (`'self'` covers its ws:/wss: too), and may not be framed.
 */
export const CONTENT_SECURITY_POLICY = [
	"default-src 'self'",
	"script-src 'self'",
	"style-src 'self' 'unsafe-inline'",
	"img-src 'self' data: blob:",
	"media-src 'self' blob:",
	"font-src 'self'",
	"connect-src 'self'",
	"worker-src 'self' blob:",
	"object-src 'none'",
	"base-uri 'none'",
	"form-action 'self'",
	"frame-ancestors 'none'",
].join('; ');

export interface ServerOptions {
	config: Pick<
		SignalingConfig,
		'host' | 'port' | 'tls' | 'publicUrl' | 'trustProxy' | 'allowedOrigins' | 'wsMaxFrame' | 'joinTimeout' | 'searchUrl' | 'httpHeadersTimeout' | 'addressLimits'
	>;
	api: ApiContext;
	metrics: Metrics;
	logger: Logger;
	connection: Omit<ConnectionContext, 'clientAddress' | 'takeFrame' | 'joinTimeoutMs' | 'searchUrl'>;
	/** Health for `/healthz`; `ok: false` answers 503 so supervisors restart the service. */
	health(): { ok: boolean } & Record<string, unknown>;
}

export interface RunningServer {
	server: http.Server | https.Server;
	port: number;
	close(): Promise<void>;
}

/** Builds the koa application: security headers, client addresses, REST routes, static web apps, error mapping. */
export function createApp(options: Pick<ServerOptions, 'metrics' | 'logger' | 'health' | 'api'> & { addresses: ClientAddresses; https: boolean }): Koa {
	const app = new Koa();
	const router = new Router({ strict: true });

	app.use(async (ctx, next) => {
		// NOTE: koa's own X-Forwarded-For handling trusts the left-most entry; ours trusts
		// only the configured hops.
		ctx.request.ip = options.addresses.of(ctx.req);
		ctx.set('Content-Security-Policy', CONTENT_SECURITY_POLICY);
		ctx.set('X-Content-Type-Options', 'nosniff');
		ctx.set('Referrer-Policy', 'no-referrer');
		ctx.set('X-Frame-Options', 'DENY');
		ctx.set('Cross-Origin-Opener-Policy', 'same-origin');
		ctx.set('Cross-Origin-Resource-Policy', 'same-origin');
		ctx.set('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), hid=()');
		if (options.https) ctx.set('Strict-Transport-Security', 'max-age=31536000');
		await next();
	});
	app.use(errorMiddleware(options.metrics, options.logger));
	// NOTE: no body parser here: each router parses JSON for its own routes, after checking
	// who calls where it can (the integration API checks the key first).

	router.get('/healthz', (ctx) => {
		const health = options.health();
		ctx.status = health.ok ? 200 : 503;
		ctx.body = health;
	});
	router.get('/metrics', async (ctx) => {
		ctx.type = options.metrics.registry.contentType;
		ctx.body = await options.metrics.registry.metrics();
	});
	for (const app of ['agent', 'customer', 'supervisor', 'admin', 'developers']) router.get(`/${app}`, (ctx) => ctx.redirect(`/${app}/`));
	// The one line of code on a company's site (web/embed/embed.ts): loaded by other sites' pages.
	router.get('/embed.js', async (ctx) => {
		const script = await fs.promises.readFile(path.join(WEB_DIST, 'embed.js')).catch(() => undefined);
		if (!script) throw new NotFoundError('embed.js (the web apps are not built: npm run build:web)');
		ctx.type = 'application/javascript; charset=utf-8';
		ctx.set('Cache-Control', 'public, max-age=300');
		ctx.set('Cross-Origin-Resource-Policy', 'cross-origin');
		ctx.set('Access-Control-Allow-Origin', '*');
		ctx.body = script;
	});
	// The customer app answers every company link: /c/<company>.
	router.get(['/c/:companyId', '/c/:companyId/'], (ctx) => {
		ctx.type = 'html';
		ctx.set('Cache-Control', 'no-cache');
		ctx.body = fs.createReadStream(path.join(WEB_DIST, 'customer', 'index.html'));
	});

	for (const routes of [authRoutes, userRoutes, ruleRoutes, companyRoutes, auditRoutes, pinRoutes, sessionRoutes, recordingRoutes, reportRoutes, fileRoutes, apiKeyRoutes, webhookRoutes, v1Routes, (api: ApiContext) => openApiRoutes(api.publicUrl)]) {
		const r = routes(options.api);
		app.use(r.routes());
		app.use(r.allowedMethods(ALLOWED_METHODS));
	}
	app.use(router.routes());
	app.use(router.allowedMethods(ALLOWED_METHODS));
	app.use(serve(WEB_DIST, { index: 'index.html', maxage: 0 }));
	return app;
}

/** Starts the HTTP server and the WebSocket endpoint. */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
	const { config, metrics, logger } = options;
	const addresses = new ClientAddresses(config.trustProxy);
	const limits = new AddressLimits(config.addressLimits);
	const secure = Boolean(config.tls) || Boolean(config.publicUrl?.startsWith('https:'));
	const app = createApp({ ...options, addresses, https: secure });
	const serverOptions: http.ServerOptions = {
		headersTimeout: config.httpHeadersTimeout * 1000,
		requestTimeout: REQUEST_TIMEOUT_MS,
		// NOTE: how often Node looks for requests past those timeouts (default 30 s).
		connectionsCheckingInterval: 1000,
		maxHeaderSize: 16 * 1024,
	};
	const server = config.tls
		? https.createServer({ ...serverOptions, cert: fs.readFileSync(config.tls.cert), key: fs.readFileSync(config.tls.key) }, app.callback())
		: http.createServer(serverOptions, app.callback());
	server.maxHeadersCount = 100;
	server.on('connection', (socket: Socket) => {
		const peer = socket.remoteAddress ?? '';
		// NOTE: behind a trusted proxy every client shares its address; they are limited per
		// client address once their requests are read (login, PINs, WebSockets).
		if (addresses.isTrustedPeer(peer)) return;
		const admitted = limits.openSocket(addressKey(peer));
		if ('refused' in admitted) {
			metrics.limitRefusals.inc({ limit: admitted.refused === 'rate' ? 'address_socket_rate' : 'address_sockets' });
			socket.destroy();
			return;
		}
		socket.once('close', admitted.release);
	});
	server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
		// NOTE: malformed requests and timeouts: answer if the socket still can, never throw.
		if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT' || error.code === 'ERR_HTTP_HEADERS_TIMEOUT') metrics.limitRefusals.inc({ limit: 'http_timeout' });
		if (socket.writable && !socket.writableEnded) socket.end(`HTTP/1.1 ${error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request'}\r\nConnection: close\r\n\r\n`);
		socket.destroy();
	});

	const wss = new WebSocketServer({ noServer: true, maxPayload: config.wsMaxFrame });
	const connections = new Set<SignalingConnection>();
	const alive = new WeakMap<WebSocket, boolean>();
	const ownOrigins = new Set([...config.allowedOrigins, ...(config.publicUrl ? [new URL(config.publicUrl).origin] : [])]);
	// NOTE: proxies drop idle WebSockets (nginx after 60 s by default); a ping every 25 s keeps
	// them open, and a peer that missed a whole interval is gone: its socket is terminated.
	const keepalive = setInterval(() => {
		for (const ws of wss.clients) {
			if (alive.get(ws) === false) {
				ws.terminate();
				continue;
			}
			alive.set(ws, false);
			ws.ping();
		}
		limits.prune();
	}, 25_000);
	keepalive.unref();

	server.on('upgrade', (request: http.IncomingMessage, socket: Socket, head: Buffer) => {
		const refuse = (status: string, limit?: string) => {
			if (limit) metrics.limitRefusals.inc({ limit });
			socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
		};
		socket.on('error', (error) => logger.debug({ err: error.message }, 'upgrade socket error'));
		if (new URL(request.url ?? '/', 'http://localhost').pathname !== '/ws') return refuse('404 Not Found');
		// NOTE: browsers always send Origin; a page of another site must not open a socket
		// that carries its visitor's cookies or tokens (cross-site WebSocket hijacking).
		// Clients that are not browsers send none.
		const origin = request.headers.origin;
		if (origin !== undefined && !sameOrigin(origin, request.headers.host) && !ownOrigins.has(origin)) {
			return refuse('403 Forbidden', 'websocket_origin');
		}
		const client = addresses.of(request);
		const key = addressKey(client);
		const release = limits.openWebSocket(key);
		if (!release) return refuse('429 Too Many Requests', 'address_websockets');
		wss.handleUpgrade(request, socket, head, (ws) => {
			alive.set(ws, true);
			ws.on('pong', () => alive.set(ws, true));
			const connection = new SignalingConnection(ws, request.socket.localAddress ?? '127.0.0.1', {
				...options.connection,
				clientAddress: client,
				takeFrame: () => limits.takeFrame(key),
				joinTimeoutMs: config.joinTimeout * 1000,
				searchUrl: config.searchUrl,
			});
			connections.add(connection);
			ws.on('close', () => {
				connections.delete(connection);
				release();
			});
		});
	});

	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(config.port, config.host, () => resolve());
	});
	const address = server.address();
	const port = typeof address === 'object' && address ? address.port : config.port;

	return {
		server,
		port,
		async close() {
			clearInterval(keepalive);
			for (const connection of connections) connection.close();
			wss.close();
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}

/** Whether a browser's Origin is the host it connected to (the service's own pages). */
function sameOrigin(origin: string, host: string | undefined): boolean {
	if (!host || !URL.canParse(origin)) return false;
	const url = new URL(origin);
	return /^https?:$/.test(url.protocol) && url.host === host.toLowerCase();
}
