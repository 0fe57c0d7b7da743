/**
 * Property-based fuzzing of every input edge, against the real service: WebSocket frames
 * (anonymous and joined), data-channel input messages, REST bodies, paths and query strings,
 * configuration values, and the requests a cloud browser's pages make through the egress
 * proxy. Generated from the schemas, mutated, and hostile (prototype keys, out-of-range
 * numbers, deep nesting, long and broken strings).
 *
 * Every property checks that the input got exactly one clear answer (or was dropped and
 * counted), that nothing was half-applied, and, after the run, that the service still
 * answers, the session still works and memory came back.
 *
 * `npm test` runs a bounded budget; `npm run fuzz` runs a long one (ALONGSIDE_FUZZ_RUNS).
 * Each property prints how many inputs it tried.
 */
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import v8 from 'node:v8';
import fc from 'fast-check';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EgressProxy } from '../publisher/egress/EgressProxy.js';
import { ConfigError } from '../protocol/env.js';
import { AnnotateMessage } from '../protocol/annotations.js';
import { ErrorCode, InputMessage, Requests, type RequestType } from '../protocol/wire.js';
import type { Alongside } from '../signaling/Alongside.js';
import { LoginBody } from '../signaling/api/auth/schema.js';
import { UpdateCompanySettingsBody } from '../signaling/api/company/schema.js';
import { ReviewBody, StartSessionBody, WrapUpBody } from '../signaling/api/sessions/schema.js';
import { CreateUserBody, UpdateUserBody } from '../signaling/api/users/schema.js';
import { CreateApiKeyBody } from '../signaling/api/apikeys/schema.js';
import { IssuePinBody, ListSessionsQuery } from '../signaling/api/v1/schema.js';
import { loadConfig } from '../signaling/config.js';
import { hostileJsonText, hostileValue, mutated, PROTOTYPE_KEYS, valuesOf } from './fuzz/arbitraries.js';
import { account, login, metricSum, type StartedSession, startAlongside, startSessionWithPin, WsClient } from './helpers.js';

/** Property runs per edge; each run sends one input or a small batch. */
const RUNS = Number(process.env.ALONGSIDE_FUZZ_RUNS ?? 400);
const repo = path.resolve(import.meta.dirname, '..');
const ERROR_CODES = new Set<string>(ErrorCode.options);
const tried: Record<string, number> = {};

function count(edge: string, n = 1): void {
	tried[edge] = (tried[edge] ?? 0) + n;
}

afterAll(() => {
	process.stdout.write(`\nfuzz: inputs tried per edge (ALONGSIDE_FUZZ_RUNS=${RUNS})\n`);
	for (const [edge, n] of Object.entries(tried)) process.stdout.write(`  ${edge.padEnd(34)} ${n}\n`);
	// NOTE: checked here once for all edges: a parser that assigned through __proto__ would have polluted every object.
	expect(({} as Record<string, unknown>).polluted).toBeUndefined();
});

describe('fuzz: configuration values', () => {
	const keys = [
		...new Set(
			['signaling/config.ts', 'sfu/config.ts', 'publisher/config.ts'].flatMap((file) => fs.readFileSync(path.join(repo, file), 'utf8').match(/ALONGSIDE_[A-Z0-9_]+/g) ?? []),
		),
	];

	it('loads every environment or throws a ConfigError naming each bad key, never echoing a value', () => {
		// NOTE: values that could be secrets carry a canary; no message may ever contain it.
		const value = fc.oneof(
			fc.constantFrom('', '0', '-1', '1', '65536', '1e3', 'NaN', 'true', 'false', 'yes', '0.0.0.0', '::', '1280x720', 'http://x', '10.0.0.0/8', ' ', 'null'),
			fc.string({ maxLength: 30 }).map((v) => `CANARY${v}`),
			fc.string({ maxLength: 20, unit: 'binary' }).map((v) => `${v}CANARY`),
		);
		fc.assert(
			fc.property(fc.dictionary(fc.constantFrom(...keys), value, { maxKeys: 6 }), (env) => {
				count('config values');
				try {
					loadConfig({ ...env, ALONGSIDE_DATA_DIR: '/tmp/alongside-fuzz' });
				} catch (error) {
					expect(error).toBeInstanceOf(ConfigError);
					const message = (error as Error).message;
					expect(message).toMatch(/^invalid configuration: ALONGSIDE_/);
					expect(message).not.toContain('CANARY');
				}
			}),
			{ numRuns: RUNS * 5 },
		);
	});
});

describe('fuzz: the service', () => {
	let app: Alongside;
	let started: StartedSession;
	let adminToken: string;
	let agentToken: string;
	let heapBefore = 0;

	beforeAll(async () => {
		app = await startAlongside({
			// The fuzzer is one client on 127.0.0.1: give it room, and keep the limits on.
			ALONGSIDE_WS_FRAMES_PER_SECOND_PER_ADDRESS: '100000',
			ALONGSIDE_MAX_WEBSOCKETS_PER_ADDRESS: '1000',
			ALONGSIDE_SOCKETS_PER_SECOND_PER_ADDRESS: '100000',
			ALONGSIDE_MAX_SOCKETS_PER_ADDRESS: '1000',
		});
		started = await startSessionWithPin(app);
		await app.session(started.sessionId)!.ready;
		adminToken = await login(app, 'admin');
		agentToken = started.agentToken;
		(globalThis as { gc?: () => void }).gc?.();
		heapBefore = v8.getHeapStatistics().used_heap_size;
	});

	afterAll(async () => {
		started?.customer.close();
		await app?.close();
	});

	/** Sends frames on one socket and collects exactly as many replies, or fails naming what is missing. */
	async function exchange(client: WsClient, frames: Array<string | Buffer>): Promise<Array<{ id: number | null; ok: boolean; error?: { code: string } }>> {
		const replies: Array<{ id: number | null; ok: boolean; error?: { code: string } }> = [];
		const done = new Promise<void>((resolve, reject) => {
			const timer = setTimeout(() => reject(new Error(`${replies.length} replies to ${frames.length} frames`)), 15_000);
			client.socket.once('close', (code) => reject(new Error(`the socket closed (${code}) after ${replies.length} replies to ${frames.length} frames`)));
			const onMessage = (data: Buffer) => {
				const message = JSON.parse(data.toString()) as { id?: number | null; ok?: boolean };
				if (!('id' in message)) return; // a notification
				replies.push(message as never);
				if (replies.length === frames.length) {
					clearTimeout(timer);
					client.socket.off('message', onMessage);
					resolve();
				}
			};
			client.socket.on('message', onMessage);
		});
		for (const frame of frames) client.socket.send(frame);
		await done;
		return replies;
	}

	/** A frame from a generated request: well-formed, mutated, or with a hostile type or id. */
	function requestFrame(types: RequestType[]): fc.Arbitrary<{ id: number | null; text: string }> {
		const request = fc.oneof(
			...types.map((type) =>
				fc.record({ type: fc.constant(type as string), data: fc.oneof({ weight: 3, arbitrary: valuesOf(Requests[type]) }, { weight: 2, arbitrary: mutated(valuesOf(Requests[type])) }) }),
			),
			fc.record({ type: fc.oneof(fc.constantFrom(...PROTOTYPE_KEYS), fc.string({ maxLength: 70 })), data: hostileValue }),
		);
		return fc.oneof(
			{ weight: 6, arbitrary: request.map((r) => ({ id: 0, text: JSON.stringify({ id: 0, ...r }) })) },
			{ weight: 1, arbitrary: fc.tuple(request, fc.constantFrom<unknown>(-1, 1.5, '7', null, 2 ** 53 + 2, [], {})).map(([r, id]) => ({ id: null, text: JSON.stringify({ id, ...r }) })) },
			{ weight: 2, arbitrary: hostileJsonText.map((text) => ({ id: null, text })) },
		);
	}

	/** Gives each addressed frame its own id; returns the frames and the ids to expect. */
	function numbered(frames: Array<{ id: number | null; text: string }>, base: number): { texts: string[]; ids: Array<number | null> } {
		const ids: Array<number | null> = [];
		const texts = frames.map((frame, i) => {
			if (frame.id === null) {
				// NOTE: hostile texts may still carry a usable id (e.g. '{"id":3,...}'); then the reply carries it.
				const id = (() => {
					try {
						const parsed = JSON.parse(frame.text) as { id?: unknown };
						return typeof parsed?.id === 'number' && Number.isSafeInteger(parsed.id) && parsed.id >= 0 ? parsed.id : null;
					} catch {
						return null;
					}
				})();
				// NOTE: -0 is a valid id; it comes back as 0.
				ids.push(id === null ? null : id + 0);
				return frame.text;
			}
			ids.push(base + i);
			return frame.text.replace(/^\{"id":0/, `{"id":${base + i}`);
		});
		return { texts, ids };
	}

	function expectOneReplyEach(replies: Array<{ id: number | null; ok: boolean; error?: { code: string } }>, ids: Array<number | null>): void {
		expect(replies.map((r) => r.id).sort()).toEqual([...ids].sort());
		for (const reply of replies) if (!reply.ok) expect(ERROR_CODES.has(reply.error!.code)).toBe(true);
	}

	it('answers every frame on an anonymous socket exactly once, with a known code', async () => {
		let base = 1;
		await fc.assert(
			fc.asyncProperty(fc.array(requestFrame(Object.keys(Requests) as RequestType[]), { minLength: 1, maxLength: 12 }), async (frames) => {
				// NOTE: a socket per batch: one that never joins is closed after the join timeout.
				const client = await WsClient.connect(app.url);
				const { texts, ids } = numbered(frames, base);
				base += frames.length;
				count('websocket frames (anonymous)', frames.length);
				expectOneReplyEach(await exchange(client, texts), ids);
				client.close();
			}),
			{ numRuns: RUNS },
		);
		// Binary frames are refused the same way.
		const client = await WsClient.connect(app.url);
		const binary = await exchange(client, [Buffer.from([0, 1, 2, 255])]);
		expect(binary).toEqual([{ id: null, ok: false, error: { code: 'bad_request', message: 'frames must be JSON text' } }]);
		count('websocket frames (anonymous)');
		// A frame over the limit (64 KiB) closes that socket (1009), and only that one.
		const closed = new Promise((resolve) => client.socket.once('close', resolve));
		client.socket.send(JSON.stringify({ id: 1, type: 'session/join', data: { token: 'x'.repeat(70_000) } }));
		count('websocket frames (anonymous)');
		expect(await closed).toBe(1009);
		const other = await WsClient.connect(app.url);
		expect((await other.request('session/leave')).error?.code).toBe('not_joined');
		other.close();
	});

	it('answers every frame of a joined customer exactly once, and leaves nothing behind on the SFU', async () => {
		const session = app.session(started.sessionId)!;
		const baseline = session.room.transportCount;
		// NOTE: no session/end (it would end the session under test) and few navigations (each loads a page).
		const types = (Object.keys(Requests) as RequestType[]).filter((t) => !['session/end', 'browser/navigate', 'browser/history'].includes(t));
		let base = 1;
		await fc.assert(
			fc.asyncProperty(fc.array(requestFrame(types), { minLength: 1, maxLength: 10 }), async (frames) => {
				const client = await WsClient.connect(app.url);
				const join = await client.request('session/join', { token: started.customerToken });
				expect(join.ok).toBe(true);
				const { texts, ids } = numbered(frames, base + 1000);
				base += frames.length + 1000;
				count('websocket frames (joined)', frames.length);
				expectOneReplyEach(await exchange(client, texts), ids);
				client.close();
				await new Promise((resolve) => client.socket.once('close', resolve));
			}),
			{ numRuns: Math.ceil(RUNS / 4) },
		);
		// Whatever was created and refused, what the customers held went with them.
		await expect.poll(() => session.room.transportCount).toBe(baseline);
		expect(session.ended).toBe(false);
	});

	it('injects or drops (and counts) every data-channel input message, exactly once', async () => {
		const customer = await WsClient.connect(app.url);
		const self = (await customer.request('session/join', { token: started.customerToken })).data.self.id as string;
		const session = app.session(started.sessionId)!;
		const counted = () => metricSum(app, 'alongside_input_events_total', 'alongside_input_dropped_total');
		const before = await counted();
		let sent = 0;
		const payload = fc.oneof(
			{ weight: 4, arbitrary: valuesOf(InputMessage).map((m) => Buffer.from(JSON.stringify(m))) },
			{ weight: 3, arbitrary: mutated(valuesOf(InputMessage)).map((m) => Buffer.from(JSON.stringify(m) ?? 'undefined')) },
			{ weight: 1, arbitrary: hostileJsonText.map((t) => Buffer.from(t)) },
			{ weight: 1, arbitrary: fc.uint8Array({ maxLength: 16 * 1024 }).map((a) => Buffer.from(a)) },
		);
		fc.assert(
			fc.property(fc.constantFrom('pointer', 'control'), payload, (channel, bytes) => {
				// NOTE: exactly what the DirectTransport hands the session for one SCTP message.
				session.room.emit('input', self, channel as 'pointer' | 'control', bytes);
				sent++;
			}),
			{ numRuns: RUNS * 5 },
		);
		count('data-channel input messages', sent);
		await expect.poll(async () => (await counted()) - before).toBe(sent);
		expect(session.ended).toBe(false);
		expect((await session.browser.state()).url).toBeTruthy();

		// The same from the agent, whose input passes the policy gateway (checked in the page,
		// refused or sent), mixed with the customer's: the page and the session live on.
		const agent = await WsClient.connect(app.url);
		const agentSelf = (await agent.request('session/join', { token: agentToken, sessionId: started.sessionId })).data.self.id as string;
		const agentBefore = await counted();
		let agentSent = 0;
		fc.assert(
			fc.property(fc.boolean(), fc.constantFrom('pointer', 'control'), payload, (asAgent, channel, bytes) => {
				session.room.emit('input', asAgent ? agentSelf : self, channel as 'pointer' | 'control', bytes);
				agentSent++;
			}),
			{ numRuns: RUNS * 2 },
		);
		count('data-channel input messages, agent and customer mixed', agentSent);
		await expect.poll(async () => (await counted()) - agentBefore, { timeout: 30_000 }).toBe(agentSent);
		expect(session.ended).toBe(false);
		// NOTE: fuzzed clicks may have followed a link (in a new tab too): the page answers once it has loaded.
		await expect.poll(() => session.browser.page.evaluate('1 + 1').catch(() => 0), { timeout: 10_000 }).toBe(2);
		agent.close();
		customer.close();
	});

	it('fans out or drops (and counts) every annotation message, exactly once, from who may draw and who may not', async () => {
		const customer = await WsClient.connect(app.url);
		const self = (await customer.request('session/join', { token: started.customerToken })).data.self.id as string;
		const agent = await WsClient.connect(app.url);
		const agentSelf = (await agent.request('session/join', { token: agentToken, sessionId: started.sessionId })).data.self.id as string;
		const session = app.session(started.sessionId)!;
		const counted = () => metricSum(app, 'alongside_annotation_messages_total', 'alongside_annotations_dropped_total');
		const before = await counted();
		let sent = 0;
		const payload = fc.oneof(
			{ weight: 4, arbitrary: valuesOf(AnnotateMessage).map((m) => Buffer.from(JSON.stringify(m))) },
			{ weight: 3, arbitrary: mutated(valuesOf(AnnotateMessage)).map((m) => Buffer.from(JSON.stringify(m) ?? 'undefined')) },
			{ weight: 1, arbitrary: hostileJsonText.map((t) => Buffer.from(t)) },
			{ weight: 1, arbitrary: fc.uint8Array({ maxLength: 16 * 1024 }).map((a) => Buffer.from(a)) },
		);
		fc.assert(
			fc.property(fc.boolean(), payload, (asAgent, bytes) => {
				// NOTE: the customer may not draw in this company: all of its messages are dropped.
				session.room.emit('annotate', asAgent ? agentSelf : self, bytes);
				sent++;
			}),
			{ numRuns: RUNS * 3 },
		);
		count('data-channel annotation messages', sent);
		await expect.poll(async () => (await counted()) - before).toBe(sent);
		expect(await metricSum(app, 'alongside_annotations_dropped_total{code="forbidden"}')).toBeGreaterThan(0);
		expect(session.ended).toBe(false);
		expect(session.annotationsFor(agentSelf).annotations.length).toBeLessThanOrEqual(200);
		agent.close();
		customer.close();
	});

	describe('REST', () => {
		type Snapshot = string;
		const snapshot = async (): Promise<Snapshot> => JSON.stringify([await app.store.listUsers('demo'), await app.store.getCompany('demo')]);

		async function send(method: string, route: string, body: string | undefined, token?: string, contentType = 'application/json') {
			const response = await fetch(`${app.url}${route}`, {
				method,
				headers: { ...(body === undefined ? {} : { 'content-type': contentType }), ...(token ? { authorization: `Bearer ${token}` } : {}) },
				body,
			});
			const text = await response.text();
			return { status: response.status, text };
		}

		function expectClearAnswer(result: { status: number; text: string }): void {
			expect(result.status, result.text).toBeLessThan(500);
			if (result.status >= 400 && result.text) {
				const body = JSON.parse(result.text) as { error?: { code: string; message: string } };
				expect(ERROR_CODES.has(body.error!.code)).toBe(true);
				expect(body.error!.message.length).toBeGreaterThan(0);
			}
		}

		const bodyOf = (schema: Parameters<typeof valuesOf>[0]) =>
			fc.oneof(
				{ weight: 3, arbitrary: valuesOf(schema).map((v) => JSON.stringify(v)) },
				{ weight: 3, arbitrary: mutated(valuesOf(schema)).map((v) => JSON.stringify(v) ?? 'null') },
				{ weight: 1, arbitrary: hostileJsonText },
			);

		it('answers every body on every mutating route clearly, and a refusal changes nothing', async () => {
			const ids = [(await app.store.getUserByEmail('demo', account(app, 'agent').email))!.id, (await app.store.getUserByEmail('demo', account(app, 'supervisor').email))!.id];
			const request = fc.oneof(
				fc.tuple(fc.constant('POST'), fc.constant('/api/users'), bodyOf(CreateUserBody)),
				fc.tuple(fc.constant('PATCH'), fc.constantFrom(...ids.map((id) => `/api/users/${id}`), '/api/users/nope', '/api/users/__proto__'), bodyOf(UpdateUserBody)),
				fc.tuple(fc.constant('PATCH'), fc.constant('/api/company'), bodyOf(UpdateCompanySettingsBody)),
				fc.tuple(fc.constant('PUT'), fc.constantFrom(`/api/sessions/${started.sessionId}/review`, '/api/sessions/nope/review', '/api/sessions/__proto__/review'), bodyOf(ReviewBody)),
				fc.tuple(fc.constant('POST'), fc.constantFrom(`/api/sessions/${started.sessionId}/wrapup`, '/api/sessions/nope/wrapup'), bodyOf(WrapUpBody)),
				fc.tuple(fc.constant('POST'), fc.constant('/api/api-keys'), bodyOf(CreateApiKeyBody)),
			);
			await fc.assert(
				fc.asyncProperty(request, async ([method, route, body]) => {
					count('REST bodies', 1);
					const before = await snapshot();
					const result = await send(method, route, body, adminToken);
					expectClearAnswer(result);
					if (result.status >= 400) expect(await snapshot()).toBe(before);
				}),
				{ numRuns: RUNS },
			);
		});

		it('answers every session start and sign-in body clearly', async () => {
			const request = fc.oneof(
				{ weight: 4, arbitrary: fc.tuple(fc.constant('/api/sessions'), bodyOf(StartSessionBody), fc.constant(agentToken)) },
				// NOTE: few sign-ins: each one that parses runs scrypt.
				{ weight: 1, arbitrary: fc.tuple(fc.constant('/api/auth/login'), bodyOf(LoginBody), fc.constant(undefined)) },
				{ weight: 1, arbitrary: fc.tuple(fc.constantFrom('/api/auth/refresh', '/api/auth/logout'), hostileJsonText, fc.constant(undefined)) },
			);
			const live = app.liveSessions().length;
			await fc.assert(
				fc.asyncProperty(request, async ([route, body, token]) => {
					count('REST bodies', 1);
					expectClearAnswer(await send('POST', route, body, token));
				}),
				{ numRuns: Math.ceil(RUNS / 2) },
			);
			// No guessed PIN started anything (and the agent's one session is still the only one).
			expect(app.liveSessions().length).toBe(live);
		});

		it('answers every integration API call clearly, with a key or without', async () => {
			const created = await fetch(`${app.url}/api/api-keys`, { method: 'POST', headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'fuzz', scopes: ['sessions:read', 'sessions:write', 'reports:read', 'recordings:read'] }) });
			const key = ((await created.json()) as { token: string }).token;
			const queryText = valuesOf(ListSessionsQuery).map((q) => new URLSearchParams(Object.entries(q as Record<string, unknown>).map(([k, v]) => [k, String(v)])).toString());
			const request = fc.oneof(
				fc.tuple(fc.constant('POST'), fc.constant('/api/v1/pins'), bodyOf(IssuePinBody)),
				fc.tuple(fc.constant('GET'), fc.oneof(queryText, fc.string({ maxLength: 30 })).map((q) => `/api/v1/sessions?${q}`), fc.constant(undefined)),
				fc.tuple(fc.constantFrom('GET', 'POST'), fc.constantFrom(`/api/v1/sessions/${started.sessionId}`, `/api/v1/sessions/${started.sessionId}/report`, '/api/v1/sessions/nope/end', '/api/v1/sessions/__proto__', '/api/v1/recordings/nope/link', '/api/v1/recordings/%00/link'), fc.option(hostileJsonText, { nil: undefined })),
			);
			await fc.assert(
				fc.asyncProperty(request, fc.constantFrom(key, `${key}x`, 'alsk_x', adminToken, undefined), async ([method, route, body], token) => {
					count('REST bodies', 1);
					const result = await send(method, route, method === 'GET' ? undefined : body, token);
					expectClearAnswer(result);
					// NOTE: a method the path does not take, or a path that does not decode, is refused
					// before the key is looked at; anything else without a good key is a 401 (a body
					// is not even parsed).
					if (token !== key) expect(route.includes('%00') ? [400, 401, 405] : [401, 405]).toContain(result.status);
				}),
				{ numRuns: Math.ceil(RUNS / 2) },
			);
			// The fuzzed session is still running: no call ended it.
			expect(app.session(started.sessionId)?.ended).toBe(false);
		});

		it('answers every path, query string and content type clearly', async () => {
			const segment = fc.oneof(
				fc.constantFrom('api', 'users', 'audit', 'company', 'companies', 'demo', 'pins', 'public', 'sessions', 'c', 'agent', 'assets', 'reports', 'recordings', 'history', 'report', 'review', 'wrapup', 'video', 'v1', 'api-keys', 'openapi.json', 'end', 'link', started.sessionId, '..', '%2e%2e', '%00', '%ff', '__proto__'),
				fc.string({ maxLength: 12 }).map(encodeURIComponent),
			);
			const query = fc.dictionary(fc.constantFrom('limit', 'beforeId', 'x', '__proto__', 'from', 'to', 'actor', 'action', 'format', 'tz', 'agent', 'u', 'exp', 'sig'), fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('-1', '0', '1e400', 'NaN', '9'.repeat(30))), { maxKeys: 3 });
			await fc.assert(
				fc.asyncProperty(
					fc.array(segment, { minLength: 1, maxLength: 5 }),
					query,
					fc.constantFrom('GET', 'POST', 'PATCH', 'DELETE', 'PUT'),
					fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x'),
					fc.option(hostileJsonText, { nil: undefined }),
					async (segments, params, method, contentType, body) => {
						count('REST paths and queries', 1);
						const route = `/${segments.join('/')}?${new URLSearchParams(params)}`;
						const result = await send(method, route, method === 'GET' ? undefined : body, adminToken, contentType);
						expect(result.status, `${method} ${route}`).toBeLessThan(500);
					},
				),
				{ numRuns: RUNS },
			);
		});
	});

	it('still serves everyone afterwards, and its memory came back', async () => {
		const gc = (globalThis as { gc?: () => void }).gc;
		gc?.();
		const heap = v8.getHeapStatistics().used_heap_size;
		expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
		// The session under fuzz still works: the agent joins and gets a transport. NOTE: the
		// REST fuzz made valid edits too (it may have disabled or demoted the agent): undo them.
		const agentId = (await app.store.getUserByEmail('demo', account(app, 'agent').email))!.id;
		const restore = { role: 'agent', disabled: false, permissions: { cobrowse: true, control: true, supervise: false } };
		expect((await fetch(`${app.url}/api/users/${agentId}`, { method: 'PATCH', headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' }, body: JSON.stringify(restore) })).status).toBe(200);
		const agent = await WsClient.connect(app.url);
		expect((await agent.request('session/join', { token: agentToken, sessionId: started.sessionId })).ok).toBe(true);
		expect((await agent.request('transport/create', { direction: 'recv' })).ok).toBe(true);
		agent.close();
		expect(app.watchers.size).toBe(0);
		// NOTE: the heap of this test process (server and fuzzer together), after a full GC: a
		// few KB kept per input would show; caches that fill once (statements, code) do not.
		const growth = heap - heapBefore;
		process.stdout.write(`fuzz: heap after the service edges ${(heap / 2 ** 20).toFixed(1)} MiB (${growth >= 0 ? '+' : ''}${(growth / 2 ** 20).toFixed(1)} MiB)\n`);
		expect(gc === undefined || growth < 64 * 1024 * 1024).toBe(true);
	});
});

describe('fuzz: what a cloud browser page may ask the egress proxy', () => {
	let proxy: EgressProxy;
	let forbidden: net.Server;
	let forbiddenConnections = 0;
	let allowed: http.Server;

	beforeAll(async () => {
		// A loopback server the policy forbids (any internal service), and one it allows (a public site).
		forbidden = net.createServer((socket) => {
			forbiddenConnections++;
			socket.destroy();
		});
		await new Promise<void>((resolve) => forbidden.listen(0, '127.0.0.1', resolve));
		allowed = http.createServer((_req, res) => res.end('public'));
		await new Promise<void>((resolve) => allowed.listen(0, '127.0.0.2', resolve));
		// NOTE: the proxy refuses its own port on every loopback address; the kernel may give the
		// proxy (127.0.0.1) the allowed server's number (127.0.0.2): then take another.
		const allowedPort = (allowed.address() as net.AddressInfo).port;
		do {
			await proxy?.close();
			proxy = await EgressProxy.create({
				policy: { allow: [{ address: '127.0.0.2', prefixLength: 32 }], ownAddresses: ['127.0.0.1'], protectedPorts: [] },
				logger: pino({ level: 'silent' }),
				// NOTE: names "resolve" to the forbidden server, as a rebinding attacker's would.
				lookup: async () => [{ address: '127.0.0.1', family: 4 }],
			});
		} while (proxy.port === allowedPort);
	});

	afterAll(async () => {
		await proxy?.close();
		await new Promise((resolve) => forbidden?.close(resolve));
		await new Promise((resolve) => allowed?.close(resolve));
	});

	/** One request on a raw socket; resolves with the status line (or '' if the proxy just closed). */
	function raw(text: string): Promise<string> {
		return new Promise((resolve) => {
			const socket = net.connect(proxy.port, '127.0.0.1');
			let answer = '';
			socket.setTimeout(5000, () => socket.destroy());
			socket.on('data', (chunk) => {
				answer += chunk.toString('latin1');
				if (answer.includes('\r\n')) socket.destroy();
			});
			socket.on('error', () => undefined);
			socket.on('close', () => resolve(answer.split('\r\n')[0] ?? ''));
			socket.write(text, 'latin1');
		});
	}

	it('never connects to a forbidden address, whatever the spelling of its host, and answers every request', async () => {
		const port = (forbidden.address() as net.AddressInfo).port;
		const host = fc.oneof(
			fc.constantFrom('127.0.0.1', '2130706433', '0x7f000001', '0x7f.1', '0177.0.0.1', '127.1', '127.0.0.1.', '[::1]', '[::ffff:127.0.0.1]', '[::ffff:7f00:1]', '[0:0:0:0:0:ffff:7f00:1]', 'localhost', 'LOCALHOST', 'evil.example', 'xn--80ak6aa92e.com', '0', '0.0.0.0', '[::]'),
			fc.string({ maxLength: 30 }),
			fc.domain(),
		);
		await fc.assert(
			// NOTE: junk is never empty: blank lines before a request line are valid HTTP, and the proxy rightly waits.
			fc.asyncProperty(host, fc.constantFrom('connect', 'absolute', 'garbage'), fc.string({ minLength: 1, maxLength: 40 }), async (h, form, junk) => {
				count('egress proxy requests', 1);
				const text =
					form === 'connect'
						? `CONNECT ${h}:${port} HTTP/1.1\r\nHost: ${h}:${port}\r\n\r\n`
						: form === 'absolute'
							? `GET http://${h}:${port}/${encodeURIComponent(junk)} HTTP/1.1\r\nHost: ${h}\r\n\r\n`
							: `${junk}\r\n\r\n`;
				const status = await raw(text);
				expect(status === '' || /^HTTP\/1\.1 (400|403|404|405|431|501|502) /.test(status), status).toBe(true);
			}),
			{ numRuns: RUNS },
		);
		expect(forbiddenConnections).toBe(0);
		// And it still serves an allowed destination.
		const allowedPort = (allowed.address() as net.AddressInfo).port;
		expect(await raw(`GET http://127.0.0.2:${allowedPort}/ HTTP/1.1\r\nHost: 127.0.0.2\r\n\r\n`)).toBe('HTTP/1.1 200 OK');
	});
});
