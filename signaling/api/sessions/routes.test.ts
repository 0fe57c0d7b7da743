import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authRoutes } from '../auth/routes.js';
import { auditRoutes } from '../audit/routes.js';
import { startTestApi, type TestApi } from '../testing.js';
import { sessionRoutes } from './routes.js';

let t: TestApi;
let agent: string;
let otherAgent: string;
let supervisor: string;
let otherCompanySupervisor: string;
let admin: string;
const OUTCOMES = ['Resolved', 'Call back'];

beforeAll(async () => {
	t = await startTestApi([authRoutes, sessionRoutes, auditRoutes]);
	const acme = await t.seedCompany('acme');
	await t.store.updateCompanySettings('acme', { ...acme.settings, outcomes: OUTCOMES });
	await t.seedCompany('other');
	const alex = await t.seedUser('acme', 'alex@acme.test', 'agent');
	await t.seedUser('acme', 'bea@acme.test', 'agent');
	await t.seedUser('acme', 'sam@acme.test', 'supervisor');
	await t.seedUser('acme', 'ada@acme.test', 'admin');
	await t.seedUser('other', 'otto@other.test', 'supervisor');
	agent = (await t.login('alex@acme.test')).accessToken;
	otherAgent = (await t.login('bea@acme.test')).accessToken;
	supervisor = (await t.login('sam@acme.test')).accessToken;
	admin = (await t.login('ada@acme.test')).accessToken;
	otherCompanySupervisor = (await t.login('otto@other.test')).accessToken;
	await t.store.insertSession({ id: 's-ended', companyId: 'acme', agentUserId: alex.id, pinId: null, startedAt: Date.now() - 60_000, endedAt: Date.now() - 1000, endReason: 'agent_ended' });
	await t.store.insertSession({ id: 's-live', companyId: 'acme', agentUserId: alex.id, pinId: null, startedAt: Date.now() - 1000, endedAt: null, endReason: null });
	// NOTE: s-live runs in this process; a session left without an end by a stopped service does not.
	t.api.liveSession = (id) => (id === 's-live' ? ({ id } as unknown as ReturnType<typeof t.api.liveSession>) : undefined);
});

afterAll(() => t?.close());

describe('wrap-up', () => {
	it('lets the agent who ran an ended session pick one of the company\'s outcomes and write notes, shown in the report', async () => {
		const form = await t.request('GET', '/api/sessions/s-ended/wrapup', { token: agent });
		expect(await form.json()).toEqual({ outcomes: OUTCOMES, outcome: null, notes: '', ended: true });
		const saved = await t.request('POST', '/api/sessions/s-ended/wrapup', { token: agent, body: { outcome: 'Call back', notes: 'Customer will send the form tomorrow.' } });
		expect(saved.status, await saved.clone().text()).toBe(204);
		const report = await (await t.request('GET', '/api/sessions/s-ended/report', { token: supervisor })).json();
		expect(report.session).toMatchObject({ outcome: 'Call back', wrapupNotes: 'Customer will send the form tomorrow.' });
		const history = await (await t.request('GET', '/api/sessions/history', { token: supervisor })).json();
		expect(history.sessions.find((s: { id: string }) => s.id === 's-ended').outcome).toBe('Call back');
	});

	it('refuses an outcome the company does not have, a running session, and anyone but its agent', async () => {
		const bad = await t.request('POST', '/api/sessions/s-ended/wrapup', { token: agent, body: { outcome: 'Made up' } });
		expect(bad.status).toBe(400);
		expect((await bad.json()).error.message).toMatch(/^outcome:/);
		expect((await t.request('POST', '/api/sessions/s-live/wrapup', { token: agent, body: { outcome: 'Resolved' } })).status).toBe(409);
		expect((await t.request('POST', '/api/sessions/s-ended/wrapup', { token: otherAgent, body: { outcome: 'Resolved' } })).status).toBe(404);
		expect((await t.request('POST', '/api/sessions/s-ended/wrapup', { token: supervisor, body: { outcome: 'Resolved' } })).status).toBe(404);
		expect((await t.request('POST', '/api/sessions/s-ended/wrapup', { token: agent, body: { outcome: 'Resolved', notes: 'x'.repeat(2001) } })).status).toBe(400);
		expect((await t.request('POST', '/api/sessions/s-ended/wrapup', { token: agent, body: { outcome: 'Resolved', extra: 1 } })).status).toBe(400);
		// Nothing of the refused ones was applied.
		const report = await (await t.request('GET', '/api/sessions/s-ended/report', { token: supervisor })).json();
		expect(report.session.outcome).toBe('Call back');
	});
});

describe('review', () => {
	it('keeps a supervisor\'s rating and notes on the report, audited without the notes', async () => {
		expect((await t.request('PUT', '/api/sessions/s-ended/review', { token: supervisor, body: { rating: 4, notes: 'Good pace; confirm the address next time.' } })).status).toBe(204);
		const report = await (await t.request('GET', '/api/sessions/s-ended/report', { token: admin })).json();
		expect(report.review).toMatchObject({ rating: 4, notes: 'Good pace; confirm the address next time.', reviewer: 'sam' });
		await new Promise((r) => setTimeout(r, 50));
		const audit = await (await t.request('GET', '/api/audit', { token: admin })).json();
		const entry = audit.entries.find((e: { action: string }) => e.action === 'session.reviewed');
		expect(entry.detail).toEqual({ rating: 4 });
	});

	it('refuses agents, another company, a rating out of range', async () => {
		expect((await t.request('PUT', '/api/sessions/s-ended/review', { token: agent, body: { rating: 5, notes: '' } })).status).toBe(403);
		expect((await t.request('PUT', '/api/sessions/s-ended/review', { token: otherCompanySupervisor, body: { rating: 5, notes: '' } })).status).toBe(404);
		expect((await t.request('PUT', '/api/sessions/s-ended/review', { token: supervisor, body: { rating: 6, notes: '' } })).status).toBe(400);
		expect((await t.request('PUT', '/api/sessions/s-ended/review', { token: supervisor, body: { rating: 2.5, notes: '' } })).status).toBe(400);
		const report = await (await t.request('GET', '/api/sessions/s-ended/report', { token: admin })).json();
		expect(report.review.rating).toBe(4);
	});
});
