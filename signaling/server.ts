/**
 * The HTTP side: koa with @koa/router for health, metrics and the web apps, plus the
 * WebSocket signaling endpoint at `/ws` on the same port.
 */
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Router from '@koa/router';
import Koa from 'koa';
import serve from 'koa-static';
import type { Logger } from 'pino';
import { type WebSocket, WebSocketServer } from 'ws';
import { toAppError } from './errors.js';
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
	wsMaxFrame: number;
	metrics: Metrics;
	logger: Logger;
	connection: ConnectionContext;
	/** Health for `/healthz`; `ok: false` answers 503 so supervisors restart the service. */
	health(): { ok: boolean } & Record<string, unknown>;
}

export interface RunningServer {
	server: http.Server;
	port: number;
	close(): Promise<void>;
}

/** Builds the koa application: REST routes, static web apps, error mapping. */
export function createApp(options: Pick<ServerOptions, 'metrics' | 'logger' | 'health'>): Koa {
	const app = new Koa();
	const router = new Router({ strict: true });

	app.use(async (ctx, next) => {
		ctx.set('X-Content-Type-Options', 'nosniff');
		ctx.set('Referrer-Policy', 'no-referrer');
		try {
			await next();
		} catch (error) {
			const appError = toAppError(error);
			if (appError.code === 'internal') options.logger.error({ err: error, path: ctx.path }, 'request failed');
			options.metrics.signalingErrors.inc({ code: appError.code });
			ctx.status = appError.status;
			ctx.body = { error: { code: appError.code, message: appError.message } };
		}
	});

	router.get('/healthz', (ctx) => {
		const health = options.health();
		ctx.status = health.ok ? 200 : 503;
		ctx.body = health;
	});
	router.get('/metrics', async (ctx) => {
		ctx.type = options.metrics.registry.contentType;
		ctx.body = await options.metrics.registry.metrics();
	});
	router.get('/', (ctx) => ctx.redirect('/agent/'));
	router.get('/agent', (ctx) => ctx.redirect('/agent/'));
	router.get('/customer', (ctx) => ctx.redirect('/customer/'));

	app.use(router.routes());
	app.use(router.allowedMethods());
	app.use(serve(WEB_DIST, { index: 'index.html', maxage: 0 }));
	app.use(serve(PAGES, { index: 'index.html' }));
	return app;
}

/** Starts the HTTP server and the WebSocket endpoint. */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
	const app = createApp(options);
	const server = http.createServer(app.callback());
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
