/**
 * The cloud browser's only way out: a forward HTTP proxy on 127.0.0.1 that resolves every
 * destination once, checks each address against the {@link EgressPolicy}, and connects to a
 * checked address (never to the name again, so DNS rebinding between check and connect is
 * not possible).
 *
 * - `CONNECT host:port` (https, ws, wss) is tunnelled as bytes.
 * - `GET http://host/path` (absolute form, plain http) is forwarded as a new request.
 * - `http://alongside.internal/<path>` is answered from `internalPages` without the network.
 *
 * A refused destination, a name that does not resolve and a reserved name all get the same
 * 403, byte for byte, and no connection is attempted to a refused address: the proxy tells
 * nothing about internal names or ports.
 */
import dns from 'node:dns';
import http from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { pipeline } from 'node:stream';
import type { Logger } from 'pino';
import type { EgressLookup, EgressProxyOptions, EgressProxyStats, EgressRefusal, EgressRefusalReason, InternalPage } from './EgressProxyTypes.js';
import { allowedPort, destinationVerdict, type EgressPolicy } from './policy.js';

/** The reserved host the proxy answers itself; never resolved. */
export const INTERNAL_HOST = 'alongside.internal';

const FORBIDDEN_BODY = 'Refused by the egress policy.\n';
const FORBIDDEN_HEAD = `HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nContent-Length: ${FORBIDDEN_BODY.length}\r\nConnection: close\r\n\r\n`;
/** The one answer to a refused, unresolvable or reserved CONNECT target. */
const FORBIDDEN = FORBIDDEN_HEAD + FORBIDDEN_BODY;
const BAD_REQUEST = 'HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n';
const REQUEST_TIMEOUT = 'HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\nConnection: close\r\n\r\n';
const HEADERS_TOO_LARGE = 'HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n';
const BAD_GATEWAY = 'HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n';
const NOT_IMPLEMENTED = 'HTTP/1.1 501 Not Implemented\r\nContent-Length: 0\r\nConnection: close\r\n\r\n';
const ESTABLISHED = 'HTTP/1.1 200 Connection Established\r\n\r\n';
/** Bytes a CONNECT client may send before its tunnel is up; reading stops there until it is. */
const MAX_EARLY_BYTES = 64 * 1024;
/** How long a socket answered with an error may linger for the client to read it. */
const LINGER_MS = 2000;
/** Hop-by-hop headers (RFC 9110 7.6.1, plus the legacy Proxy-Connection); Connection names more. */
const HOP_BY_HOP = new Set([
	'connection',
	'proxy-connection',
	'keep-alive',
	'te',
	'trailer',
	'transfer-encoding',
	'upgrade',
	'proxy-authorization',
	'proxy-authenticate',
]);

const defaultLookup: EgressLookup = async (hostname) => {
	const addresses = await dns.promises.lookup(hostname, { all: true, verbatim: true });
	return addresses.map(({ address, family }) => ({ address, family: family === 6 ? 6 : 4 }));
};

interface Target {
	/** Canonical host: lower-case name or IP address without brackets. */
	host: string;
	port: number;
}

export class EgressProxy {
	/** The port the proxy listens on at 127.0.0.1. */
	readonly port: number;
	readonly #server: http.Server;
	readonly #policy: EgressPolicy;
	readonly #lookup: EgressLookup;
	readonly #internalPages: Map<string, InternalPage>;
	readonly #onRefusal: ((info: EgressRefusal) => void) | undefined;
	readonly #logger: Logger;
	readonly #maxConnections: number;
	readonly #connectTimeoutMs: number;
	/** Client connections, tunnels included. */
	readonly #clients = new Set<net.Socket>();
	readonly #upstreams = new Set<net.Socket>();
	readonly #stats: EgressProxyStats = { tunnels: 0, requests: 0, refused: 0 };
	#closed: Promise<void> | undefined;

	static async create(options: EgressProxyOptions): Promise<EgressProxy> {
		const server = http.createServer({
			headersTimeout: options.headersTimeoutMs ?? 10_000,
			// NOTE: an upload may take long; a stalled client is caught by the idle timeout instead.
			requestTimeout: 0,
			// NOTE: Node checks headersTimeout only this often (default 30 s), so 10 s would be up to 40 s.
			connectionsCheckingInterval: 1000,
		});
		server.keepAliveTimeout = options.idleTimeoutMs ?? 60_000;
		// NOTE: no inactivity timeout while a request is in flight: a long poll waits quietly for minutes.
		server.timeout = 0;
		await new Promise<void>((resolve, reject) => {
			server.once('error', reject);
			server.listen(0, '127.0.0.1', () => {
				server.off('error', reject);
				resolve();
			});
		});
		return new EgressProxy(options, server);
	}

	private constructor(options: EgressProxyOptions, server: http.Server) {
		this.#server = server;
		this.port = (server.address() as net.AddressInfo).port;
		this.#policy = { ...options.policy, protectedPorts: [...options.policy.protectedPorts, this.port] };
		this.#lookup = options.lookup ?? defaultLookup;
		this.#internalPages = options.internalPages ?? new Map();
		this.#onRefusal = options.onRefusal;
		this.#logger = options.logger;
		this.#maxConnections = options.maxConnections ?? 256;
		this.#connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
		server.on('error', (error) => this.#logger.warn({ err: error }, 'egress proxy server error'));
		server.on('connection', (socket: net.Socket) => this.#accept(socket));
		server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => this.#clientError(error, socket));
		server.on('connect', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
			this.#tunnel(req, socket as net.Socket, head).catch((error: unknown) => this.#failed(error, socket));
		});
		server.on('upgrade', (_req: http.IncomingMessage, socket: Duplex) => {
			socket.on('error', (error) => this.#logger.debug({ err: error }, 'egress client error'));
			this.#refuse(undefined, 'bad_request');
			endSoon(socket, NOT_IMPLEMENTED);
		});
		server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
			this.#forward(req, res).catch((error: unknown) => this.#failed(error, req.socket));
		});
	}

	/** Totals since start. */
	get stats(): EgressProxyStats {
		return { ...this.#stats };
	}

	/** Stops listening and destroys every client connection, tunnel and upstream connection. Safe to call twice. */
	close(): Promise<void> {
		this.#closed ??= new Promise<void>((resolve) => {
			this.#server.close(() => resolve());
			for (const socket of [...this.#clients, ...this.#upstreams]) socket.destroy();
		});
		return this.#closed;
	}

	#accept(socket: net.Socket): void {
		if (this.#closed || this.#clients.size >= this.#maxConnections) {
			socket.destroy();
			this.#refuse(undefined, 'limit');
			return;
		}
		this.#clients.add(socket);
		socket.once('close', () => this.#clients.delete(socket));
	}

	#clientError(error: NodeJS.ErrnoException, socket: Duplex): void {
		if (error.code === 'ECONNRESET' || !socket.writable) {
			socket.destroy();
			return;
		}
		if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
			endSoon(socket, REQUEST_TIMEOUT);
			return;
		}
		this.#refuse(undefined, 'bad_request');
		endSoon(socket, error.code === 'HPE_HEADER_OVERFLOW' ? HEADERS_TOO_LARGE : BAD_REQUEST);
	}

	async #tunnel(req: http.IncomingMessage, client: net.Socket, head: Buffer): Promise<void> {
		// NOTE: once it emits 'connect', Node's HTTP server has removed its own listeners from the socket.
		client.on('error', (error) => this.#logger.debug({ err: error }, 'egress client error'));
		client.setTimeout(0);
		// NOTE: read what the client sends while its destination is resolved, so that a client that
		// leaves (FIN, which a half-open server socket otherwise notices only when read) causes no connection.
		const early = head.length > 0 ? [head] : [];
		let earlyBytes = head.length;
		const onEarlyData = (chunk: Buffer) => {
			early.push(chunk);
			earlyBytes += chunk.length;
			if (earlyBytes >= MAX_EARLY_BYTES) client.pause();
		};
		const onEarlyEnd = () => client.destroy();
		client.on('data', onEarlyData);
		client.once('end', onEarlyEnd);
		const target = parseAuthority(req.url ?? '');
		if (!target) {
			this.#refuse(undefined, 'bad_request');
			client.off('end', onEarlyEnd);
			endSoon(client, BAD_REQUEST);
			return;
		}
		const addresses = await this.#destinations(target);
		if (typeof addresses === 'string') {
			this.#refuse(target, addresses);
			client.off('end', onEarlyEnd);
			endSoon(client, FORBIDDEN);
			return;
		}
		const upstream = await this.#connect(addresses, target.port, client);
		if (!upstream) {
			if (!client.destroyed) endSoon(client, BAD_GATEWAY);
			return;
		}
		this.#stats.tunnels++;
		client.off('data', onEarlyData);
		client.off('end', onEarlyEnd);
		upstream.setNoDelay(true);
		client.setNoDelay(true);
		client.write(ESTABLISHED);
		for (const chunk of early) upstream.write(chunk);
		upstream.pipe(client);
		client.pipe(upstream);
		upstream.once('close', () => client.destroy());
		client.once('close', () => upstream.destroy());
	}

	async #forward(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
		const url = parseAbsoluteHttp(req.url ?? '');
		if (!url) {
			this.#refuse(undefined, 'bad_request');
			respond(res, 400, 'Only absolute-form http:// requests and CONNECT are served.\n');
			return;
		}
		const target = { host: url.host, port: url.port };
		if (url.host === INTERNAL_HOST && url.port === 80) {
			this.#serveInternal(req, res, url.pathname);
			return;
		}
		const addresses = await this.#destinations(target);
		if (typeof addresses === 'string') {
			this.#refuse(target, addresses);
			respond(res, 403, FORBIDDEN_BODY);
			return;
		}
		const upstream = await this.#connect(addresses, target.port, req.socket);
		if (!upstream) {
			if (!res.destroyed) respond(res, 502, '');
			return;
		}
		let outgoing: http.ClientRequest;
		try {
			const headers = requestHeaders(req, url.authority);
			outgoing = http.request({ method: req.method, path: url.path, headers, setHost: false, createConnection: () => upstream });
		} catch (error) {
			this.#logger.debug({ host: target.host, port: target.port, err: error }, 'egress request not forwardable');
			upstream.destroy();
			respond(res, 502, '');
			return;
		}
		this.#stats.requests++;
		const failed = (error: unknown) => {
			this.#logger.debug({ host: target.host, port: target.port, err: error }, 'egress upstream request failed');
			outgoing.destroy();
			if (!res.headersSent) respond(res, 502, '');
			else res.destroy();
		};
		outgoing.on('error', failed);
		outgoing.on('response', (incoming) => {
			try {
				res.writeHead(incoming.statusCode ?? 502, incoming.statusMessage, responseHeaders(incoming.rawHeaders));
			} catch (error) {
				failed(error); // NOTE: a status or header Node will not send (status 099, say); thrown here it would be uncaught.
				return;
			}
			pipeline(incoming, res, () => outgoing.destroy());
		});
		res.once('close', () => {
			if (!res.writableFinished) outgoing.destroy();
		});
		pipeline(req, outgoing, (error) => {
			if (error) outgoing.destroy();
		});
	}

	#serveInternal(req: http.IncomingMessage, res: http.ServerResponse, path: string): void {
		const page = this.#internalPages.get(path);
		req.resume();
		if (req.method !== 'GET' && req.method !== 'HEAD') {
			res.setHeader('Allow', 'GET, HEAD');
			respond(res, 405, '');
			return;
		}
		if (!page) {
			respond(res, 404, 'Not found.\n');
			return;
		}
		this.#stats.requests++;
		const body = typeof page.body === 'string' ? Buffer.from(page.body) : page.body;
		res.writeHead(200, { 'Content-Type': page.contentType, 'Content-Length': body.length, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
		res.end(req.method === 'HEAD' ? undefined : body);
	}

	/** The addresses to try, all allowed, or why there are none. Calls lookup at most once. */
	async #destinations(target: Target): Promise<string[] | EgressRefusalReason> {
		if (!allowedPort(target.port)) return 'port';
		let candidates: string[];
		if (net.isIP(target.host) !== 0) {
			candidates = [target.host];
		} else if (target.host === INTERNAL_HOST || target.host.endsWith(`.${INTERNAL_HOST}`)) {
			return 'dns';
		} else {
			try {
				candidates = (await this.#lookup(target.host)).map(({ address }) => address);
			} catch {
				return 'dns'; // NOTE: answered like a refusal; the resolver's error is nobody's business.
			}
		}
		let reason: EgressRefusalReason = 'dns';
		const allowed = candidates.filter((address) => {
			const verdict = destinationVerdict(address, target.port, this.#policy);
			if (!verdict.allowed && reason === 'dns') reason = verdict.reason;
			return verdict.allowed;
		});
		return allowed.length > 0 ? allowed : reason;
	}

	/** Connects to the first of `addresses` that accepts within the connect timeout; undefined if none does or the client has gone. */
	async #connect(addresses: string[], port: number, client: Duplex): Promise<net.Socket | undefined> {
		for (const address of addresses) {
			if (client.destroyed || this.#closed) return undefined;
			// NOTE: `address` is an IP literal, so net.connect does no lookup of its own.
			const socket = net.connect({ host: address, port });
			this.#upstreams.add(socket);
			socket.on('error', (error) => this.#logger.debug({ port, err: error }, 'egress upstream connection error'));
			socket.once('close', () => this.#upstreams.delete(socket));
			const connected = await new Promise<boolean>((resolve) => {
				const timer = setTimeout(() => resolve(false), this.#connectTimeoutMs);
				const settle = (ok: boolean) => {
					clearTimeout(timer);
					resolve(ok);
				};
				socket.once('connect', () => settle(true));
				socket.once('close', () => settle(false));
			});
			if (connected && !client.destroyed && !this.#closed) return socket;
			socket.destroy();
		}
		return undefined;
	}

	#refuse(target: Target | undefined, reason: EgressRefusalReason): void {
		this.#stats.refused++;
		const info = { host: target?.host ?? '', port: target?.port ?? 0, reason };
		this.#logger.debug(info, 'egress refused');
		try {
			this.#onRefusal?.(info);
		} catch (error) {
			this.#logger.warn({ err: error }, 'egress onRefusal callback failed'); // NOTE: some callers are socket event handlers, where a throw would be uncaught.
		}
	}

	#failed(error: unknown, socket: Duplex): void {
		this.#logger.warn({ err: error }, 'egress proxy request failed');
		socket.destroy();
	}
}

/** Ends the socket with `response`, and destroys it if the client has not closed its end shortly after. */
function endSoon(socket: Duplex, response: string): void {
	const timer = setTimeout(() => socket.destroy(), LINGER_MS);
	timer.unref();
	socket.once('close', () => clearTimeout(timer));
	socket.resume();
	socket.end(response);
}

/** A proxy-made response: the same bytes every time (no Date), so that refusals cannot be told apart. */
function respond(res: http.ServerResponse, status: number, body: string): void {
	res.sendDate = false;
	res.writeHead(status, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(body) });
	res.end(body);
}

/** Canonical host as a browser would write it: WHATWG host parsing turns `2130706433`, `0x7f.1` and `127.1` into 127.0.0.1. */
function canonicalHost(host: string): string | undefined {
	try {
		const hostname = new URL(`http://${host}/`).hostname;
		const unbracketed = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname.replace(/\.$/, '');
		return unbracketed === '' ? undefined : unbracketed;
	} catch {
		return undefined;
	}
}

/** `host:port` or `[v6]:port` of a CONNECT request; the port is required. */
function parseAuthority(authority: string): Target | undefined {
	const match = /^(\[[0-9a-fA-F:.]+\]|[^\s/?#@\\[\]:]+):(\d{1,5})$/.exec(authority);
	if (!match) return undefined;
	const host = canonicalHost(match[1]!);
	const port = Number(match[2]);
	return host && port >= 1 && port <= 65535 ? { host, port } : undefined;
}

/** An absolute-form `http://` request target, or undefined for anything else (origin form, https:, bad URLs). */
function parseAbsoluteHttp(requestTarget: string): { host: string; port: number; authority: string; path: string; pathname: string } | undefined {
	if (!/^http:\/\/[^/]/i.test(requestTarget)) return undefined;
	let url: URL;
	try {
		url = new URL(requestTarget);
	} catch {
		return undefined;
	}
	const host = canonicalHost(url.host);
	if (url.protocol !== 'http:' || !host) return undefined;
	return { host, port: url.port === '' ? 80 : Number(url.port), authority: url.host, path: `${url.pathname}${url.search}`, pathname: url.pathname };
}

/** Names in Connection headers: hop-by-hop too. */
function connectionTokens(rawHeaders: string[]): Set<string> {
	const tokens = new Set<string>();
	for (let i = 0; i < rawHeaders.length; i += 2) {
		if (rawHeaders[i]!.toLowerCase() !== 'connection') continue;
		for (const token of rawHeaders[i + 1]!.split(',')) tokens.add(token.trim().toLowerCase());
	}
	return tokens;
}

function endToEnd(rawHeaders: string[], also: string[] = []): string[] {
	const drop = new Set([...HOP_BY_HOP, ...connectionTokens(rawHeaders), ...also]);
	const kept: string[] = [];
	for (let i = 0; i < rawHeaders.length; i += 2) {
		if (!drop.has(rawHeaders[i]!.toLowerCase())) kept.push(rawHeaders[i]!, rawHeaders[i + 1]!);
	}
	return kept;
}

/**
 * Headers for the upstream request. NOTE: Host is the request target's authority, as RFC 9112
 * 3.2.2 requires of a proxy; Chromium sends the same in Host, and a different one would let a
 * client pick another virtual host behind an allowed address.
 */
function requestHeaders(req: http.IncomingMessage, authority: string): string[] {
	const headers = ['Host', authority, ...endToEnd(req.rawHeaders, ['host'])];
	// NOTE: Node has already decoded a chunked body; it must be chunked again on the way out.
	if (req.headers['transfer-encoding'] !== undefined) headers.push('Transfer-Encoding', 'chunked');
	return headers;
}

/** Headers to relay to the client; Node frames the body itself, so a chunked response's Content-Length is dropped too. */
function responseHeaders(rawHeaders: string[]): string[] {
	const chunked = rawHeaders.some((name, i) => i % 2 === 0 && name.toLowerCase() === 'transfer-encoding');
	return endToEnd(rawHeaders, chunked ? ['content-length'] : []);
}
