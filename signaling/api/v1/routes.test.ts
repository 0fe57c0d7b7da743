/**
 * The integration API with real keys on a real server and store: keys made and revoked by
 * admins only, scopes on every operation, another company's data invisible, per-key rate
 * limits, audit entries in the key's name; and every answer conforms to the served OpenAPI
 * document, which itself validates as OpenAPI 3.1.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyRoutes } from '../apikeys/routes.js';
import { auditRoutes } from '../audit/routes.js';
import { authRoutes } from '../auth/routes.js';
import { recordingRoutes } from '../recordings/routes.js';
import { startTestApi, type TestApi } from '../testing.js';
import { openApiRoutes } from './openapi.js';
import { v1Routes } from './routes.js';
import { OPERATIONS } from './spec.js';

let t: TestApi;
let admin: string;
let supervisor: string;
let otherAdmin: string;
let doc: { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
let ajv: Ajv2020;
const ids = { acmeSession: randomUUID(), acmeLive: randomUUID(), otherSession: randomUUID(), recording: randomUUID(), otherRecording: randomUUID() };

async function makeKey(token: string, scopes: string[], name = 'CRM'): Promise<{ id: string; token: string }> {
	const response = await t.request('POST', '/api/api-keys', { token, body: { name, scopes } });
	expect(response.status).toBe(201);
	const body = await response.json();
	return { id: body.key.id, token: body.token };
}

/** Calls an operation with a key, and checks the answer against the OpenAPI document. */
async function call(opId: (typeof OPERATIONS)[number]['id'], key: string | null, args: { path?: Record<string, string>; query?: string; body?: unknown } = {}): Promise<{ status: number; body: any; headers: Headers }> {
	const op = OPERATIONS.find((o) => o.id === opId)!;
	const url = `/api/v1${op.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(args.path?.[name] ?? ''))}${args.query ? `?${args.query}` : ''}`;
	const response = await t.request(op.method.toUpperCase(), url, { ...(key ? { token: key } : {}), ...(args.body !== undefined ? { body: args.body } : {}) });
	const text = await response.text();
	const body = text ? JSON.parse(text) : undefined;
	const documentedOp = doc.paths[`/api/v1${op.path}`]![op.method]! as unknown as { responses: Record<string, unknown>; requestBody?: unknown };
	// A request the server took conforms to the document too.
	if (response.status < 300 && documentedOp.requestBody && args.body !== undefined) {
		const validate = ajv.compile({ $ref: `openapi#/paths/${`/api/v1${op.path}`.replace(/~/g, '~0').replace(/\//g, '~1')}/${op.method}/requestBody/content/application~1json/schema` });
		expect(validate(args.body), `${opId} request: ${JSON.stringify(validate.errors)}`).toBe(true);
	}
	const documented = documentedOp.responses[String(response.status)] as { content?: unknown } | undefined;
	expect(documented, `${opId} answered ${response.status}, which the document does not list`).toBeDefined();
	if (documented?.content) {
		const pointer = `openapi#/paths/${`/api/v1${op.path}`.replace(/~/g, '~0').replace(/\//g, '~1')}/${op.method}/responses/${response.status}/content/application~1json/schema`;
		const validate = ajv.compile({ $ref: pointer });
		expect(validate(body), `${opId} ${response.status}: ${JSON.stringify(validate.errors)}`).toBe(true);
	}
	return { status: response.status, body, headers: response.headers };
}

beforeAll(async () => {
	t = await startTestApi([authRoutes, apiKeyRoutes, auditRoutes, recordingRoutes, v1Routes, (api) => openApiRoutes(api.publicUrl)]);
	await t.seedCompany('acme');
	await t.seedCompany('other');
	const agent = await t.seedUser('acme', 'alex@acme.test', 'agent', { name: 'Alex' });
	await t.seedUser('acme', 'ada@acme.test', 'admin');
	await t.seedUser('acme', 'sam@acme.test', 'supervisor');
	const otto = await t.seedUser('other', 'otto@other.test', 'admin');
	admin = (await t.login('ada@acme.test')).accessToken;
	supervisor = (await t.login('sam@acme.test')).accessToken;
	otherAdmin = (await t.login('otto@other.test')).accessToken;
	const now = Date.now();
	await t.store.insertSession({ id: ids.acmeSession, companyId: 'acme', agentUserId: agent.id, pinId: null, startedAt: now - 60_000, endedAt: now, endReason: 'agent_ended', reference: 'CASE-1' });
	await t.store.insertSession({ id: ids.acmeLive, companyId: 'acme', agentUserId: agent.id, pinId: null, startedAt: now - 1000, endedAt: null, endReason: null, reference: 'CASE-2' });
	await t.store.insertSession({ id: ids.otherSession, companyId: 'other', agentUserId: otto.id, pinId: null, startedAt: now, endedAt: now, endReason: 'agent_ended', reference: 'CASE-1' });
	await t.store.insertSessionMessage({ sessionId: ids.acmeSession, at: now - 30_000, authorType: 'customer', authorId: 'c', authorName: 'Cid', authorRole: 'customer', text: 'my card is 4111 1111 1111 1111', note: false });
	await t.store.insertSessionEvent({ sessionId: ids.acmeSession, at: now - 20_000, type: 'page.visited', detail: { tab: 't1', url: 'https://shop.example/cart', title: 'Cart' } });
	const dir = path.join(t.api.config.signaling.dataDir, 'recordings', 'acme');
	fs.mkdirSync(dir, { recursive: true });
	fs.writeFileSync(path.join(dir, `${ids.recording}.mp4`), Buffer.alloc(1000, 7));
	await t.store.insertRecording({ id: ids.recording, sessionId: ids.acmeSession, companyId: 'acme', status: 'ready', startedAt: now - 60_000, endedAt: now, durationMs: 60_000, bytes: 1000, storageKey: `acme/${ids.recording}.mp4`, segments: [] });
	await t.store.insertRecording({ id: ids.otherRecording, sessionId: ids.otherSession, companyId: 'other', status: 'ready', startedAt: now, endedAt: now, durationMs: 1, bytes: 1, storageKey: `other/${ids.otherRecording}.mp4`, segments: [] });
	doc = await (await t.request('GET', '/api/openapi.json')).json();
	ajv = new Ajv2020({ strict: false, allErrors: true });
	ajv.addFormat('uri', /^https?:\/\/\S+$/);
	ajv.addSchema(doc, 'openapi');
});

afterAll(() => t?.close());

describe('the OpenAPI document', () => {
	it('is valid OpenAPI 3.1, and lists every operation with its scope', async () => {
		const result = await new Validator().validate(doc as unknown as Parameters<Validator["validate"]>[0]);
		expect(result.errors ?? [], JSON.stringify(result.errors)).toEqual([]);
		expect(result.valid).toBe(true);
		expect((doc as unknown as { openapi: string }).openapi).toBe('3.1.0');
		for (const op of OPERATIONS) {
			const documented = doc.paths[`/api/v1${op.path}`]![op.method] as unknown as { operationId: string; 'x-scope': string };
			expect(documented.operationId).toBe(op.id);
			expect(documented['x-scope']).toBe(op.scope);
		}
	});
});

describe('API keys', () => {
	it('are made by admins only, shown once, and listed without their secret', async () => {
		expect((await t.request('POST', '/api/api-keys', { token: supervisor, body: { name: 'x', scopes: ['sessions:read'] } })).status).toBe(403);
		expect((await t.request('GET', '/api/api-keys', { token: supervisor })).status).toBe(403);
		expect((await t.request('POST', '/api/api-keys', { token: admin, body: { name: '', scopes: [] } })).status).toBe(400);
		expect((await t.request('POST', '/api/api-keys', { token: admin, body: { name: 'x', scopes: ['everything'] } })).status).toBe(400);
		const key = await makeKey(admin, ['sessions:read']);
		expect(key.token).toMatch(/^alsk_[a-z2-7]{16}_[A-Za-z0-9_-]{43}$/);
		const listed = await (await t.request('GET', '/api/api-keys', { token: admin })).json();
		const text = JSON.stringify(listed);
		expect(text).not.toContain(key.token.slice(22));
		expect(text).not.toMatch(/secret|hash/i);
		expect(listed.keys.find((k: { id: string }) => k.id === key.id)).toMatchObject({ name: 'CRM', scopes: ['sessions:read'], revokedAt: null });
		// Another company's admin sees none of them, and cannot revoke one.
		expect((await (await t.request('GET', '/api/api-keys', { token: otherAdmin })).json()).keys).toEqual([]);
		expect((await t.request('DELETE', `/api/api-keys/${key.id}`, { token: otherAdmin })).status).toBe(404);
	});

	it('are refused at once once revoked, and when malformed, unknown or wrong', async () => {
		const key = await makeKey(admin, ['sessions:read']);
		expect((await call('listSessions', key.token)).status).toBe(200);
		expect((await t.request('DELETE', `/api/api-keys/${key.id}`, { token: admin })).status).toBe(204);
		expect((await call('listSessions', key.token)).status).toBe(401);
		// NOTE: alsk_ + 16 characters of id + _ + the secret (which may hold _ itself).
		const [id, secret] = [key.token.slice(5, 21), key.token.slice(22)];
		const wrongSecret = `alsk_${id}_${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`;
		for (const bad of [null, 'nonsense', `alsk_${'a'.repeat(16)}_${'b'.repeat(43)}`, wrongSecret, admin]) {
			const answer = await call('listSessions', bad);
			expect(answer.status, String(bad)).toBe(401);
			expect(answer.body.error.code).toBe('unauthorized');
		}
	});

	it('can do only what their scopes say, on every operation', async () => {
		const key = await makeKey(admin, ['reports:read']);
		for (const op of OPERATIONS) {
			const answer = await call(op.id, key.token, { path: { id: op.id === 'getRecordingLink' ? ids.recording : ids.acmeSession }, ...(op.method === 'post' ? { body: {} } : {}) });
			if (op.scope === 'reports:read') expect(answer.status, op.id).toBe(200);
			else {
				expect(answer.status, op.id).toBe(403);
				expect(answer.body.error.message).toContain(op.scope);
			}
		}
	});

	it('are limited each on its own (bursts of twice the rate, then 429 with Retry-After)', async () => {
		const busy = await makeKey(admin, ['sessions:read'], 'busy');
		const calm = await makeKey(admin, ['sessions:read'], 'calm');
		const answers = await Promise.all(Array.from({ length: 30 }, () => call('listSessions', busy.token)));
		const refused = answers.filter((a) => a.status === 429);
		expect(refused.length).toBeGreaterThanOrEqual(5);
		expect(refused[0]!.headers.get('retry-after')).toBe('1');
		expect(refused[0]!.body.error.code).toBe('rate_limited');
		expect((await call('listSessions', calm.token)).status).toBe(200);
	});
});

describe('the integration API', () => {
	it('issues a PIN with the caller reference and a link for the customer, audited as the key', async () => {
		const key = await makeKey(admin, ['sessions:write'], 'Dynamics');
		expect((await call('issuePin', key.token, { body: { reference: 'CASE-9', lang: 'it-IT', timeZone: 'Europe/Rome' } })).status).toBe(201);
		const issued = await call('issuePin', key.token, { body: { reference: 'CASE-9' } });
		expect(issued.status).toBe(201);
		expect(issued.body.pin).toMatch(/^\d{6}$/);
		expect(issued.body.reference).toBe('CASE-9');
		const link = new URL(issued.body.customerUrl);
		expect(link.pathname).toBe('/c/acme');
		// The watch secret travels in the fragment: browsers never send it to a server.
		const fragment = new URLSearchParams(link.hash.slice(1));
		expect(fragment.get('pin')).toBe(issued.body.pin);
		expect(fragment.get('watch')).toMatch(/^[A-Za-z0-9_-]{43}$/);
		expect(link.search).toBe('');
		// The PIN is the company's, with the reference, ready for an agent of the company.
		const found = await t.api.pins.find('acme', 'someone', issued.body.pin, 'test');
		expect(found.reference).toBe('CASE-9');
		// Bad input is named.
		const bad = await call('issuePin', key.token, { body: { reference: 'x'.repeat(201), colour: 'red' } });
		expect(bad.status).toBe(400);
		expect(bad.body.error.message).toMatch(/reference|colour/);
		await new Promise((r) => setTimeout(r, 100));
		const audit = (await (await t.request('GET', '/api/audit', { token: admin })).json()).entries;
		expect(audit.find((e: { action: string }) => e.action === 'pin.issued')).toMatchObject({ actorType: 'api_key', actorId: key.id, actorName: 'Dynamics', detail: { reference: 'CASE-9' } });
	});

	it("lists and reads the company's sessions by reference, and never another company's", async () => {
		const key = await makeKey(admin, ['sessions:read', 'reports:read']);
		const byReference = await call('listSessions', key.token, { query: 'reference=CASE-1' });
		expect(byReference.body.sessions.map((s: { id: string }) => s.id)).toEqual([ids.acmeSession]);
		const live = await call('listSessions', key.token, { query: 'status=live' });
		expect(live.body.sessions.map((s: { id: string }) => s.id)).toEqual([ids.acmeLive]);
		// Live in the store, but not running here: the test server runs no sessions.
		expect(live.body.sessions[0].live).toBe(false);
		expect((await call('listSessions', key.token, { query: 'limit=0' })).status).toBe(400);
		const one = await call('getSession', key.token, { path: { id: ids.acmeSession } });
		expect(one.body).toMatchObject({ id: ids.acmeSession, reference: 'CASE-1', agent: { name: 'Alex' }, endReason: 'agent_ended' });
		expect((await call('getSession', key.token, { path: { id: ids.otherSession } })).status).toBe(404);
		expect((await call('getSession', key.token, { path: { id: 'not an id' } })).status).toBe(400);
		const report = await call('getSessionReport', key.token, { path: { id: ids.acmeSession } });
		expect(report.body.events.map((e: { type: string }) => e.type)).toEqual(['page.visited']);
		// The chat as supervisors see it: the card number hidden.
		expect(JSON.stringify(report.body.chat)).not.toContain('4111');
		expect(report.body.recordings.map((r: { id: string }) => r.id)).toEqual([ids.recording]);
		expect((await call('getSessionReport', key.token, { path: { id: ids.otherSession } })).status).toBe(404);
	});

	it('hands out a recording link that works for the key, until the key is revoked', async () => {
		const key = await makeKey(admin, ['recordings:read']);
		expect((await call('getRecordingLink', key.token, { path: { id: ids.otherRecording } })).status).toBe(404);
		const link = await call('getRecordingLink', key.token, { path: { id: ids.recording } });
		expect(link.status).toBe(200);
		const url = new URL(link.body.url);
		const ranged = await fetch(`${t.url}${url.pathname}${url.search}`, { headers: { Range: 'bytes=0-9' } });
		expect(ranged.status).toBe(206);
		expect((await ranged.arrayBuffer()).byteLength).toBe(10);
		// The same link names the key; another recording with it is unknown.
		expect((await fetch(`${t.url}/api/recordings/${ids.otherRecording}/video${url.search}`)).status).toBe(404);
		await t.request('DELETE', `/api/api-keys/${key.id}`, { token: admin });
		expect((await fetch(`${t.url}${url.pathname}${url.search}`)).status).toBe(404);
	});

	it('refuses to end a session that is not running, naming why', async () => {
		const key = await makeKey(admin, ['sessions:write']);
		const ended = await call('endSession', key.token, { path: { id: ids.acmeSession } });
		expect(ended.status).toBe(409);
		expect(ended.body.error.message).toContain('ended');
		expect((await call('endSession', key.token, { path: { id: ids.otherSession } })).status).toBe(404);
	});
});
