/**
 * The HTTP side: koa with @koa/router for health, metrics and the web apps, plus the
 * WebSocket signaling endpoint at `/ws` on the same port.
 */
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Router from '@koa/router';
import Koa from 'koa';
import serve from 'koa-static';
import type { Logger } from 'pino';
import { type WebSocket, WebSocketServer } from 'ws';
import { auditRoutes } from './api/audit/routes.js';
import { authRoutes } from './api/auth/routes.js';
import { jsonBody } from './api/body.js';
import { companyRoutes } from './api/company/routes.js';
import type { ApiContext } from './api/context.js';
import { errorMiddleware } from './api/errors-middleware.js';
import { pinRoutes } from './api/pins/routes.js';
import { sessionRoutes } from './api/sessions/routes.js';
import { userRoutes } from './api/users/routes.js';
import type { Metrics } from './metrics.js';
import { type ConnectionContext, SignalingConnection } from './SignalingConnection.js';

const here = path.dirname(fileURLToPath(import.meta.url));
/** Built web apps (vite build output). */
export const WEB_DIST = path.resolve(here, '..', 'web', 'dist');
/** Pages the cloud browser can open on this server (the welcome page). */
const PAGES = path.resolve(here, 'pages');

export interface ServerOptions {
	host: string;
	port: number;
	/** PEM files; when given the server speaks HTTPS and WSS. */
	tls: { cert: string; key: string } | undefined;
	/** Trust X-Forwarded-For (behind a reverse proxy). */
	trustProxy: boolean;
	wsMaxFrame: number;
	api: ApiContext;
	metrics: Metrics;
	logger: Logger;
	connection: ConnectionContext;
	/** Health for `/healthz`; `ok: false` answers 503 so supervisors restart the service. */
	health(): { ok: boolean } & Record<string, unknown>;
}

export interface RunningServer {
	server: http.Server | https.Server;
	port: number;
	close(): Promise<void>;
}

/** Builds the koa application: REST routes, static web apps, error mapping. */
export function createApp(options: Pick<ServerOptions, 'metrics' | 'logger' | 'health' | 'api' | 'trustProxy'>): Koa {
	const app = new Koa({ proxy: options.trustProxy });
	const router = new Router({ strict: true });

	app.use(async (ctx, next) => {
		ctx.set('X-Content-Type-Options', 'nosniff');
		ctx.set('Referrer-Policy', 'no-referrer');
		ctx.set('X-Frame-Options', 'DENY');
		await next();
	});
	app.use(errorMiddleware(options.metrics, options.logger));
	app.use(jsonBody());

	router.get('/healthz', (ctx) => {
		const health = options.health();
		ctx.status = health.ok ? 200 : 503;
		ctx.body = health;
	});
	router.get('/metrics', async (ctx) => {
		ctx.type = options.metrics.registry.contentType;
		ctx.body = await options.metrics.registry.metrics();
	});
	for (const app of ['agent', 'customer', 'supervisor', 'admin']) router.get(`/${app}`, (ctx) => ctx.redirect(`/${app}/`));
	// The customer app answers every company link: /c/<company>.
	router.get(['/c/:companyId', '/c/:companyId/'], (ctx) => {
		ctx.type = 'html';
		ctx.set('Cache-Control', 'no-cache');
		ctx.body = fs.createReadStream(path.join(WEB_DIST, 'customer', 'index.html'));
	});

	for (const routes of [authRoutes, userRoutes, companyRoutes, auditRoutes, pinRoutes, sessionRoutes]) {
		const r = routes(options.api);
		app.use(r.routes());
		app.use(r.allowedMethods());
	}
	app.use(router.routes());
	app.use(router.allowedMethods());
	app.use(serve(WEB_DIST, { index: 'index.html', maxage: 0 }));
	app.use(serve(PAGES, { index: 'index.html' }));
	return app;
}

/** Starts the HTTP server and the WebSocket endpoint. */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
	const app = createApp(options);
	const server = options.tls
		? https.createServer({ cert: fs.readFileSync(options.tls.cert), key: fs.readFileSync(options.tls.key) }, app.callback())
		: http.createServer(app.callback());
	const wss = new WebSocketServer({ noServer: true, maxPayload: options.wsMaxFrame });
	const connections = new Set<SignalingConnection>();
	const alive = new WeakMap<WebSocket, boolean>();
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
	}, 25_000);
	keepalive.unref();

	server.on('upgrade', (request, socket, head) => {
		if (new URL(request.url ?? '/', 'http://localhost').pathname !== '/ws') {
			socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
			return;
		}
		wss.handleUpgrade(request, socket, head, (ws) => {
			alive.set(ws, true);
			ws.on('pong', () => alive.set(ws, true));
			const connection = new SignalingConnection(ws, request.socket.localAddress ?? '127.0.0.1', options.connection);
			connections.add(connection);
			ws.on('close', () => connections.delete(connection));
		});
	});

	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(options.port, options.host, () => resolve());
	});
	const address = server.address();
	const port = typeof address === 'object' && address ? address.port : options.port;

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
