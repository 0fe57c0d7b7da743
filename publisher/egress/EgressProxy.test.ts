import http from 'node:http';
import net from 'node:net';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EgressProxy } from './EgressProxy.js';
import type { EgressLookup, EgressProxyOptions, EgressRefusal } from './EgressProxyTypes.js';
import { ownAddresses, parseEgressAllowList } from './policy.js';

// NOTE: offline, the stand-in for "the public internet" is 127.0.0.2, which the tests' policy
// allows; 127.0.0.1 stays denied like any loopback address.
const PUBLIC = '127.0.0.2';
const cleanups: Array<() => Promise<unknown> | unknown> = [];
/**
 * Port numbers of this test's proxies and targets. NOTE: the proxy listens on 127.0.0.1 and
 * targets on 127.0.0.2, and the kernel may give both the same number; the proxy refuses its
 * own port on every loopback address, so a target must never share it.
 */
const proxyPorts = new Set<number>();
const targetPorts = new Set<number>();

afterEach(async () => {
	for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
	proxyPorts.clear();
	targetPorts.clear();
});

async function startProxy(overrides: Partial<EgressProxyOptions> = {}) {
	const refusals: EgressRefusal[] = [];
	let proxy: EgressProxy;
	for (;;) {
		proxy = await EgressProxy.create({
			policy: { allow: parseEgressAllowList(PUBLIC), ownAddresses: ownAddresses(), protectedPorts: [] },
			logger: pino({ level: 'silent' }),
			onRefusal: (info) => refusals.push(info),
			lookup: async (hostname) => {
				throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
			},
			...overrides,
		});
		if (!targetPorts.has(proxy.port)) break;
		await proxy.close();
	}
	proxyPorts.add(proxy.port);
	cleanups.push(() => proxy.close());
	return { proxy, refusals };
}

/** Listens on `host` at a free port (0) that no proxy of this test uses; resolves with the port. */
async function listenApart(server: net.Server, host: string): Promise<number> {
	for (;;) {
		await new Promise<void>((resolve) => server.listen(0, host, resolve));
		const { port } = server.address() as net.AddressInfo;
		if (!proxyPorts.has(port)) {
			targetPorts.add(port);
			return port;
		}
		await new Promise((resolve) => server.close(resolve));
	}
}

/** A TCP server that answers every chunk with `echo:<chunk>` and counts the connections it sees. */
async function echoServer(host: string, port = 0) {
	const sockets: net.Socket[] = [];
	const server = net.createServer((socket) => {
		sockets.push(socket);
		socket.on('error', () => socket.destroy());
		socket.on('data', (data) => socket.write(`echo:${data}`));
	});
	if (port === 0) await listenApart(server, host);
	else await new Promise<void>((resolve) => server.listen(port, host, resolve));
	cleanups.push(() => {
		for (const socket of sockets) socket.destroy();
		return new Promise((resolve) => server.close(resolve));
	});
	return { port: (server.address() as net.AddressInfo).port, sockets };
}

/** A raw client connection to the proxy, collecting everything it receives. */
function client(port: number) {
	const socket = net.connect(port, '127.0.0.1');
	const state = { socket, received: '', closed: false, error: undefined as Error | undefined };
	socket.on('data', (data) => (state.received += data.toString('latin1')));
	socket.on('error', (error) => (state.error = error));
	socket.on('close', () => (state.closed = true));
	cleanups.push(() => socket.destroy());
	return state;
}

/** Sends `request` and returns all the proxy answered before closing the connection. */
async function exchange(port: number, request: string): Promise<string> {
	const c = client(port);
	c.socket.write(request);
	await vi.waitFor(() => expect(c.closed).toBe(true));
	return c.received;
}

async function openTunnel(port: number, authority: string, early = '') {
	const c = client(port);
	c.socket.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n\r\n${early}`);
	await vi.waitFor(() => expect(c.received).toContain('\r\n\r\n'));
	return c;
}

function countingLookup(answer: (call: number) => string[]) {
	const calls: string[] = [];
	const lookup: EgressLookup = async (hostname) => {
		calls.push(hostname);
		return answer(calls.length).map((address) => ({ address, family: net.isIP(address) === 6 ? 6 : 4 }));
	};
	return { lookup, calls };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 100));

describe('EgressProxy CONNECT', () => {
	it('answers a CONNECT to a denied address with 403, and the destination sees no connection at all', async () => {
		const { proxy, refusals } = await startProxy();
		const denied = await echoServer('127.0.0.1');
		const answer = await exchange(proxy.port, `CONNECT 127.0.0.1:${denied.port} HTTP/1.1\r\n\r\n`);
		expect(answer).toMatch(/^HTTP\/1\.1 403 Forbidden\r\n/);
		await settle();
		expect(denied.sockets).toHaveLength(0);
		expect(refusals).toEqual([{ host: '127.0.0.1', port: denied.port, reason: 'own_address' }]);
		expect(proxy.stats).toEqual({ tunnels: 0, requests: 0, refused: 1 });
	});

	it('tunnels bytes both ways to an allowed address, including bytes sent with the CONNECT', async () => {
		const { proxy } = await startProxy();
		const target = await echoServer(PUBLIC);
		const c = await openTunnel(proxy.port, `${PUBLIC}:${target.port}`, 'early');
		expect(c.received.startsWith('HTTP/1.1 200 Connection Established\r\n\r\n')).toBe(true);
		await vi.waitFor(() => expect(c.received).toContain('echo:early'));
		c.socket.write('ping');
		await vi.waitFor(() => expect(c.received).toContain('echo:ping'));
		expect(proxy.stats.tunnels).toBe(1);
	});

	it('closes the tunnel when the destination closes, and the destination side when the client closes', async () => {
		const target = await echoServer(PUBLIC);
		const { proxy } = await startProxy();
		const first = await openTunnel(proxy.port, `${PUBLIC}:${target.port}`);
		await vi.waitFor(() => expect(target.sockets).toHaveLength(1));
		target.sockets[0]!.destroy();
		await vi.waitFor(() => expect(first.closed).toBe(true));
		const second = await openTunnel(proxy.port, `${PUBLIC}:${target.port}`);
		await vi.waitFor(() => expect(target.sockets).toHaveLength(2));
		const upstreamClosed = new Promise((resolve) => target.sockets[1]!.once('close', resolve));
		second.socket.destroy();
		await upstreamClosed;
	});

	it('tries the allowed addresses in order and tunnels to the first that accepts', async () => {
		const target = await echoServer(PUBLIC);
		const { lookup } = countingLookup(() => ['10.0.0.1', '127.0.0.3', PUBLIC]);
		const { proxy } = await startProxy({ lookup, policy: { allow: parseEgressAllowList(`${PUBLIC}, 127.0.0.3`), ownAddresses: [], protectedPorts: [] } });
		const c = await openTunnel(proxy.port, `multi.example:${target.port}`);
		expect(c.received).toMatch(/^HTTP\/1\.1 200 /);
		expect(target.sockets).toHaveLength(1);
	});

	it('answers 502 when no allowed address accepts a connection', async () => {
		const { proxy, refusals } = await startProxy();
		const probe = net.createServer();
		const closedPort = await listenApart(probe, PUBLIC);
		await new Promise((resolve) => probe.close(resolve));
		const answer = await exchange(proxy.port, `CONNECT ${PUBLIC}:${closedPort} HTTP/1.1\r\n\r\n`);
		expect(answer).toMatch(/^HTTP\/1\.1 502 Bad Gateway\r\n/);
		expect(refusals).toEqual([]);
	});

	it('refuses a protected port on an allowed loopback address, and its own port, whatever the allow-list says', async () => {
		const service = await echoServer(PUBLIC);
		const policy = { allow: parseEgressAllowList('127.0.0.0/8'), ownAddresses: ownAddresses(), protectedPorts: [service.port] };
		const { proxy, refusals } = await startProxy({ policy });
		expect(await exchange(proxy.port, `CONNECT ${PUBLIC}:${service.port} HTTP/1.1\r\n\r\n`)).toMatch(/^HTTP\/1\.1 403 /);
		expect(await exchange(proxy.port, `CONNECT 127.0.0.1:${proxy.port} HTTP/1.1\r\n\r\n`)).toMatch(/^HTTP\/1\.1 403 /);
		await settle();
		expect(service.sockets).toHaveLength(0);
		expect(refusals.map((refusal) => refusal.reason)).toEqual(['protected', 'protected']);
	});

	it('refuses ports other than 80, 443 and 1024–65535 without resolving the name', async () => {
		const { lookup, calls } = countingLookup(() => [PUBLIC]);
		const { proxy, refusals } = await startProxy({ lookup });
		expect(await exchange(proxy.port, 'CONNECT mail.example:25 HTTP/1.1\r\n\r\n')).toMatch(/^HTTP\/1\.1 403 /);
		expect(calls).toEqual([]);
		expect(refusals).toEqual([{ host: 'mail.example', port: 25, reason: 'port' }]);
	});
});

describe('EgressProxy name resolution', () => {
	it('refuses a name whose addresses are all denied', async () => {
		const denied = await echoServer('127.0.0.1');
		const { lookup } = countingLookup(() => ['127.0.0.1', '10.0.0.1', '169.254.169.254']);
		const { proxy, refusals } = await startProxy({ lookup });
		expect(await exchange(proxy.port, `CONNECT internal.example:${denied.port} HTTP/1.1\r\n\r\n`)).toMatch(/^HTTP\/1\.1 403 /);
		await settle();
		expect(denied.sockets).toHaveLength(0);
		expect(refusals).toEqual([{ host: 'internal.example', port: denied.port, reason: 'own_address' }]);
	});

	it('answers a name that does not resolve byte for byte as it answers a denied destination', async () => {
		const { proxy, refusals } = await startProxy();
		const denied = await exchange(proxy.port, 'CONNECT 10.1.2.3:443 HTTP/1.1\r\n\r\n');
		const nxdomain = await exchange(proxy.port, 'CONNECT no-such-name.internal.example:443 HTTP/1.1\r\n\r\n');
		expect(nxdomain).toBe(denied);
		const request = (host: string) => `GET http://${host}/secret?token=1 HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`;
		const deniedGet = await exchange(proxy.port, request('10.1.2.3'));
		expect(await exchange(proxy.port, request('no-such-name.internal.example'))).toBe(deniedGet);
		expect(deniedGet).toMatch(/^HTTP\/1\.1 403 Forbidden\r\n/);
		expect(deniedGet).not.toMatch(/\r\nDate:/i);
		expect(refusals.map((refusal) => refusal.reason)).toEqual(['non_public', 'dns', 'non_public', 'dns']);
	});

	it('connects to the address it checked, asking the resolver once, so DNS rebinding reaches nothing', async () => {
		const allowed = await echoServer(PUBLIC);
		const denied = await echoServer('127.0.0.1', allowed.port);
		const http1 = http.createServer((req, res) => res.end('public'));
		await listenApart(http1, PUBLIC);
		cleanups.push(() => new Promise((resolve) => http1.close(resolve)));
		const httpPort = (http1.address() as net.AddressInfo).port;
		const deniedHttp = await echoServer('127.0.0.1', httpPort);
		let rebind = countingLookup((call) => (call === 1 ? [PUBLIC] : ['127.0.0.1']));
		const { proxy } = await startProxy({ lookup: (hostname) => rebind.lookup(hostname) });

		const c = await openTunnel(proxy.port, `rebind.example:${allowed.port}`);
		c.socket.write('hello');
		await vi.waitFor(() => expect(c.received).toContain('echo:hello'));
		expect(rebind.calls).toEqual(['rebind.example']);

		rebind = countingLookup((call) => (call === 1 ? [PUBLIC] : ['127.0.0.1']));
		const answer = await exchange(proxy.port, `GET http://rebind.example:${httpPort}/ HTTP/1.1\r\nHost: rebind.example:${httpPort}\r\nConnection: close\r\n\r\n`);
		expect(answer).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\npublic$/);
		expect(rebind.calls).toEqual(['rebind.example']);
		await settle();
		expect(denied.sockets).toHaveLength(0);
		expect(deniedHttp.sockets).toHaveLength(0);
	});

	it('refuses decimal, hex, octal, short and IPv6 spellings of loopback without asking the resolver', async () => {
		const denied = await echoServer('127.0.0.1');
		const { lookup, calls } = countingLookup(() => [PUBLIC]);
		const { proxy, refusals } = await startProxy({ lookup });
		const port = denied.port;
		const hosts = ['2130706433', '0x7f000001', '0x7f.1', '0177.0.0.1', '127.1', '127.0.0.1.', '0', '[::]'];
		hosts.push('[::1]', '[::ffff:127.0.0.1]', '[::ffff:7f00:1]', '[0:0:0:0:0:ffff:7f00:1]');
		for (const host of hosts) {
			expect(await exchange(proxy.port, `CONNECT ${host}:${port} HTTP/1.1\r\n\r\n`), host).toMatch(/^HTTP\/1\.1 403 /);
			const get = `GET http://${host}:${port}/ HTTP/1.1\r\nHost: ${host}:${port}\r\nConnection: close\r\n\r\n`;
			expect(await exchange(proxy.port, get), host).toMatch(/^HTTP\/1\.1 403 /);
		}
		await settle();
		expect(denied.sockets).toHaveLength(0);
		expect(calls).toEqual([]);
		expect(new Set(refusals.map((refusal) => refusal.host))).toEqual(new Set(['127.0.0.1', '::1', '::ffff:7f00:1', '0.0.0.0', '::']));
	});

	it('refuses a name the system resolver maps to loopback', async () => {
		const denied = await echoServer('127.0.0.1');
		const { proxy, refusals } = await startProxy({ lookup: undefined });
		expect(await exchange(proxy.port, `CONNECT localhost:${denied.port} HTTP/1.1\r\n\r\n`)).toMatch(/^HTTP\/1\.1 403 /);
		expect(await exchange(proxy.port, `CONNECT 2130706433:${denied.port} HTTP/1.1\r\n\r\n`)).toMatch(/^HTTP\/1\.1 403 /);
		await settle();
		expect(denied.sockets).toHaveLength(0);
		// NOTE: the test policy's ownAddresses include loopback, which rule 4 names before rule 5.
		expect(refusals.map((refusal) => refusal.reason)).toEqual(['own_address', 'own_address']);
	});
});

describe('EgressProxy absolute-form requests', () => {
	it('forwards method, path, headers and body, and relays the response without hop-by-hop headers', async () => {
		let seen: { method?: string; url?: string; headers: http.IncomingHttpHeaders; body: string } | undefined;
		const upstream = http.createServer((req, res) => {
			let body = '';
			req.on('data', (chunk) => (body += chunk));
			req.on('end', () => {
				seen = { method: req.method, url: req.url, headers: req.headers, body };
				res.writeHead(201, 'Made', {
					'Content-Type': 'text/plain',
					'Set-Cookie': ['a=1', 'b=2'],
					'X-Upstream': 'yes',
					'X-Hop-Reply': 'secret',
					Connection: 'X-Hop-Reply',
					'Keep-Alive': 'timeout=1',
					'Proxy-Authenticate': 'Basic',
				});
				res.end('created');
			});
		});
		await listenApart(upstream, PUBLIC);
		cleanups.push(() => new Promise((resolve) => upstream.close(resolve)));
		const port = (upstream.address() as net.AddressInfo).port;
		const { proxy } = await startProxy();

		const c = client(proxy.port);
		c.socket.write(
			[
				`PUT http://${PUBLIC}:${port}/items/7?q=a%20b HTTP/1.1`,
				`Host: ${PUBLIC}:${port}`,
				'X-Custom: kept',
				'Connection: keep-alive, X-Hop',
				'X-Hop: dropped',
				'Proxy-Connection: keep-alive',
				'Proxy-Authorization: Basic c2VjcmV0',
				'Keep-Alive: 300',
				'TE: trailers',
				'Trailer: X-Later',
				'Content-Length: 5',
				'',
				'hello',
			].join('\r\n'),
		);
		await vi.waitFor(() => expect(c.received).toContain('created'));

		expect(seen).toMatchObject({ method: 'PUT', url: '/items/7?q=a%20b', body: 'hello' });
		expect(seen!.headers).toMatchObject({ host: `${PUBLIC}:${port}`, 'x-custom': 'kept', 'content-length': '5' });
		for (const name of ['x-hop', 'proxy-connection', 'proxy-authorization', 'keep-alive', 'te', 'trailer']) expect(seen!.headers).not.toHaveProperty(name);

		const [head] = c.received.split('\r\n\r\n');
		const lines = head!.split('\r\n');
		expect(lines[0]).toBe('HTTP/1.1 201 Made');
		const headers = lines.slice(1).map((line) => line.toLowerCase());
		const relayed = ['x-upstream: yes', 'set-cookie: a=1', 'set-cookie: b=2', 'content-type: text/plain', 'connection: keep-alive'];
		expect(headers).toEqual(expect.arrayContaining(relayed));
		expect(headers.some((line) => /^(x-hop-reply|proxy-authenticate):/.test(line) || line === 'keep-alive: timeout=1')).toBe(false);
		expect(proxy.stats.requests).toBe(1);

		// The client connection stays usable for the next request.
		c.received = '';
		c.socket.write(`GET http://${PUBLIC}:${port}/again HTTP/1.1\r\nHost: ${PUBLIC}:${port}\r\n\r\n`);
		await vi.waitFor(() => expect(c.received).toContain('created'));
		expect(seen).toMatchObject({ method: 'GET', url: '/again' });
	});

	it('streams a chunked request body and a chunked response', async () => {
		const upstream = http.createServer((req, res) => {
			res.writeHead(200, { 'Content-Type': 'text/plain' });
			req.on('data', (chunk) => res.write(`got:${chunk};`));
			req.on('end', () => res.end('done'));
		});
		await listenApart(upstream, PUBLIC);
		cleanups.push(() => new Promise((resolve) => upstream.close(resolve)));
		const port = (upstream.address() as net.AddressInfo).port;
		const { proxy } = await startProxy();
		const response = await new Promise<string>((resolve, reject) => {
			const path = `http://${PUBLIC}:${port}/upload`;
			const req = http.request({ host: '127.0.0.1', port: proxy.port, method: 'POST', path, headers: { Host: `${PUBLIC}:${port}` } });
			req.on('error', reject);
			req.on('response', (res) => {
				let body = '';
				res.on('data', (chunk) => (body += chunk));
				res.on('end', () => resolve(body));
			});
			req.write('one');
			setTimeout(() => req.end('two'), 50);
		});
		expect(response).toContain('got:one;');
		expect(response).toContain('two');
		expect(response.endsWith('done')).toBe(true);
	});

	it('answers 502 to a response Node cannot parse or relay, and keeps serving', async () => {
		const replies = ['garbage\r\n\r\n', 'HTTP/1.1 099 Odd\r\nContent-Length: 0\r\n\r\n', 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok'];
		const upstream = net.createServer((socket) => {
			socket.on('error', () => socket.destroy());
			socket.once('data', () => socket.end(replies.shift() ?? ''));
		});
		await listenApart(upstream, PUBLIC);
		cleanups.push(() => new Promise((resolve) => upstream.close(resolve)));
		const port = (upstream.address() as net.AddressInfo).port;
		const { proxy } = await startProxy();
		const get = `GET http://${PUBLIC}:${port}/ HTTP/1.1\r\nHost: ${PUBLIC}:${port}\r\nConnection: close\r\n\r\n`;
		for (let i = 0; i < 3; i++) expect(await exchange(proxy.port, get)).toMatch(/^HTTP\/1\.1 502 /);
		const target = await echoServer(PUBLIC);
		expect((await openTunnel(proxy.port, `${PUBLIC}:${target.port}`)).received).toMatch(/^HTTP\/1\.1 200 /);
	});

	it.each([
		['origin form', 'GET / HTTP/1.1\r\nHost: example.com\r\n\r\n'],
		['https absolute form', 'GET https://example.com/ HTTP/1.1\r\nHost: example.com\r\n\r\n'],
		['ftp absolute form', 'GET ftp://example.com/ HTTP/1.1\r\nHost: example.com\r\n\r\n'],
		['a bad URL', 'GET http://exa mple.com/ HTTP/1.1\r\nHost: example.com\r\n\r\n'],
		['an empty host', 'GET http:/// HTTP/1.1\r\nHost: example.com\r\n\r\n'],
	])('answers %s with 400', async (_name, request) => {
		const { proxy, refusals } = await startProxy();
		expect(await exchange(proxy.port, request.replace('\r\n\r\n', '\r\nConnection: close\r\n\r\n'))).toMatch(/^HTTP\/1\.1 400 /);
		expect(refusals.map((refusal) => refusal.reason)).toEqual(['bad_request']);
	});

	it('refuses a WebSocket upgrade in absolute form with 501', async () => {
		const { proxy } = await startProxy();
		const request = `GET http://${PUBLIC}:8080/ws HTTP/1.1\r\nHost: ${PUBLIC}:8080\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n`;
		expect(await exchange(proxy.port, request)).toMatch(/^HTTP\/1\.1 501 /);
	});

	it('serves alongside.internal pages from internalPages with their content type, without resolving', async () => {
		const { lookup, calls } = countingLookup(() => [PUBLIC]);
		const internalPages = new Map([['/welcome/', { contentType: 'text/html; charset=utf-8', body: '<h1>Welcome</h1>' }]]);
		const { proxy } = await startProxy({ lookup, internalPages });
		const get = (target: string, method = 'GET') => exchange(proxy.port, `${method} ${target} HTTP/1.1\r\nHost: alongside.internal\r\nConnection: close\r\n\r\n`);

		const page = await get('http://alongside.internal/welcome/?from=start');
		expect(page).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
		expect(page).toContain('Content-Type: text/html; charset=utf-8\r\n');
		expect(page.endsWith('\r\n\r\n<h1>Welcome</h1>')).toBe(true);
		const head = await get('http://ALONGSIDE.internal./welcome/', 'HEAD');
		expect(head).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*Content-Length: 16\r\n[\s\S]*\r\n\r\n$/);
		expect(await get('http://alongside.internal/other')).toMatch(/^HTTP\/1\.1 404 /);
		expect(await get('http://alongside.internal/welcome/', 'DELETE')).toMatch(/^HTTP\/1\.1 405 /);
		expect(await get('http://alongside.internal:8080/welcome/')).toMatch(/^HTTP\/1\.1 403 /);
		expect(await exchange(proxy.port, 'CONNECT alongside.internal:443 HTTP/1.1\r\n\r\n')).toMatch(/^HTTP\/1\.1 403 /);
		expect(await exchange(proxy.port, 'CONNECT x.alongside.internal:443 HTTP/1.1\r\n\r\n')).toMatch(/^HTTP\/1\.1 403 /);
		expect(calls).toEqual([]);
	});
});

describe('EgressProxy robustness', () => {
	it('survives garbage, half-sent requests and clients that leave mid-way, and still serves the next client', async () => {
		const target = await echoServer(PUBLIC);
		let release!: () => void;
		const slowLookup: EgressLookup = async () => {
			await new Promise<void>((resolve) => (release = resolve));
			return [{ address: PUBLIC, family: 4 }];
		};
		const { proxy } = await startProxy({ lookup: slowLookup });

		expect(await exchange(proxy.port, '\x00\xff\x16\x03\x01 garbage \r\n\r\n')).toMatch(/^HTTP\/1\.1 400 /);
		expect(await exchange(proxy.port, 'CONNECT ::1:443 HTTP/1.1\r\n\r\n')).toMatch(/^HTTP\/1\.1 400 /);
		expect(await exchange(proxy.port, 'CONNECT a b c\r\n\r\n')).toMatch(/^HTTP\/1\.1 400 /);
		expect(await exchange(proxy.port, 'CONNECT user@127.0.0.2:443 HTTP/1.1\r\n\r\n')).toMatch(/^HTTP\/1\.1 400 /);
		expect(await exchange(proxy.port, 'CONNECT 127.0.0.2 HTTP/1.1\r\n\r\n')).toMatch(/^HTTP\/1\.1 400 /);
		expect(await exchange(proxy.port, `GET http://${PUBLIC}/ HTTP/1.1\r\nX: ${'a'.repeat(20_000)}\r\n\r\n`)).toMatch(/^HTTP\/1\.1 431 /);
		const half = client(proxy.port);
		half.socket.write(`GET http://${PUBLIC}:${target.port}/ HTTP/1.1\r\nHost:`);
		await settle();
		half.socket.destroy();
		const resetting = client(proxy.port);
		resetting.socket.write(`POST http://${PUBLIC}:${target.port}/ HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc`);
		await settle();
		resetting.socket.resetAndDestroy();

		// A client that leaves while its name is being resolved causes no connection.
		const untouched = await echoServer(PUBLIC);
		const leaving = client(proxy.port);
		leaving.socket.write(`CONNECT slow.example:${untouched.port} HTTP/1.1\r\n\r\n`);
		await vi.waitFor(() => expect(release).toBeDefined());
		leaving.socket.destroy();
		await settle();
		release();
		await settle();
		const leavingGet = client(proxy.port);
		leavingGet.socket.write(`GET http://slow.example:${untouched.port}/ HTTP/1.1\r\nHost: slow.example\r\n\r\n`);
		await settle();
		leavingGet.socket.end();
		await settle();
		release();
		await settle();
		expect(untouched.sockets).toHaveLength(0);

		const next = client(proxy.port);
		next.socket.write(`CONNECT ${PUBLIC}:${target.port} HTTP/1.1\r\n\r\n`);
		await vi.waitFor(() => expect(release).toBeDefined());
		await vi.waitFor(() => {
			release();
			expect(next.received).toMatch(/^HTTP\/1\.1 200 /);
		});
		next.socket.write('still here');
		await vi.waitFor(() => expect(next.received).toContain('echo:still here'));
	});

	it('cuts off a client that does not finish its request head in time, but not an established tunnel', async () => {
		const target = await echoServer(PUBLIC);
		const { proxy } = await startProxy({ headersTimeoutMs: 300 });
		const slow = client(proxy.port);
		slow.socket.write(`GET http://${PUBLIC}/ HTTP/1.1\r\n`);
		const silent = client(proxy.port);
		const tunnel = await openTunnel(proxy.port, `${PUBLIC}:${target.port}`);
		await vi.waitFor(() => expect(slow.closed && silent.closed).toBe(true), { timeout: 4000 });
		expect(slow.received).toMatch(/^HTTP\/1\.1 408 /);
		await new Promise((resolve) => setTimeout(resolve, 1500));
		tunnel.socket.write('alive');
		await vi.waitFor(() => expect(tunnel.received).toContain('echo:alive'));
		expect(tunnel.closed).toBe(false);
	});

	it('closes a client connection that sits idle between requests', async () => {
		const { proxy } = await startProxy({ idleTimeoutMs: 300, internalPages: new Map([['/', { contentType: 'text/plain', body: 'hi' }]]) });
		const c = client(proxy.port);
		c.socket.write('GET http://alongside.internal/ HTTP/1.1\r\nHost: alongside.internal\r\n\r\n');
		await vi.waitFor(() => expect(c.received).toMatch(/\r\n\r\nhi$/));
		const answered = performance.now();
		await vi.waitFor(() => expect(c.closed).toBe(true), { timeout: 3000 });
		expect(performance.now() - answered).toBeGreaterThan(200);
	});

	it('closes connections over maxConnections at once', async () => {
		const { proxy, refusals } = await startProxy({ maxConnections: 2 });
		const first = client(proxy.port);
		const second = client(proxy.port);
		await settle();
		const third = client(proxy.port);
		await vi.waitFor(() => expect(third.closed).toBe(true));
		expect(third.received).toBe('');
		expect(first.closed || second.closed).toBe(false);
		expect(refusals).toEqual([{ host: '', port: 0, reason: 'limit' }]);
	});

	it('ends open tunnels on close(), and close() may be called twice', async () => {
		const target = await echoServer(PUBLIC);
		const { proxy } = await startProxy();
		const tunnel = await openTunnel(proxy.port, `${PUBLIC}:${target.port}`);
		const idle = client(proxy.port);
		await vi.waitFor(() => expect(target.sockets).toHaveLength(1));
		const upstreamClosed = new Promise((resolve) => target.sockets[0]!.once('close', resolve));
		await Promise.all([proxy.close(), proxy.close()]);
		await proxy.close();
		await upstreamClosed;
		await vi.waitFor(() => expect(tunnel.closed && idle.closed).toBe(true));
		const late = client(proxy.port);
		await vi.waitFor(() => expect(late.error).toBeDefined());
	});
});
