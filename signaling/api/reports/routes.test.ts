import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authRoutes } from '../auth/routes.js';
import { startTestApi, type TestApi } from '../testing.js';
import { reportRoutes } from './routes.js';
import type { CompanyReport } from './schema.js';
import { dayIn } from './summary.js';

let t: TestApi;
let supervisor: string;
let agentToken: string;
let otherCompany: string;
let alexId: string;
let beaId: string;
/** 2026-11-30 23:30 UTC: 2026-12-01 00:30 in Rome. */
const LATE = Date.UTC(2026, 10, 30, 23, 30);

beforeAll(async () => {
	t = await startTestApi([authRoutes, reportRoutes]);
	await t.seedCompany('acme');
	await t.seedCompany('other');
	alexId = (await t.seedUser('acme', 'alex@acme.test', 'agent', { name: 'Alex' })).id;
	beaId = (await t.seedUser('acme', 'bea@acme.test', 'agent', { name: 'Bea' })).id;
	await t.seedUser('acme', 'sam@acme.test', 'supervisor');
	await t.seedUser('other', 'otto@other.test', 'supervisor');
	const add = async (id: string, agent: string, startedAt: number, minutes: number | null, endReason: string | null, outcome?: string) => {
		await t.store.insertSession({ id, companyId: 'acme', agentUserId: agent, pinId: null, startedAt, endedAt: minutes === null ? null : startedAt + minutes * 60_000, endReason });
		if (outcome) await t.store.wrapUpSession(id, { outcome, notes: '', at: startedAt });
	};
	await add('a1', alexId, LATE, 10, 'agent_ended', 'Resolved');
	await add('a2', alexId, LATE + 3600_000, 20, 'customer_ended', 'Resolved');
	await add('b1', beaId, LATE + 7200_000, 30, 'browser_crashed');
	await add('b2', beaId, LATE + 8 * 86_400_000, null, null);
	for (const reason of ['button_lock', 'button_lock', 'masked_field']) await t.store.insertSessionEvent({ sessionId: 'b1', at: LATE, type: 'input.refused', detail: { reason, kind: 'click', name: 'Bea' } });
	await t.store.insertRecording({ id: 'r1', sessionId: 'a1', companyId: 'acme', status: 'ready', startedAt: LATE, endedAt: LATE, durationMs: 1, bytes: 1, storageKey: 'acme/r1.mp4', segments: [] });
	supervisor = (await t.login('sam@acme.test')).accessToken;
	agentToken = (await t.login('alex@acme.test')).accessToken;
	otherCompany = (await t.login('otto@other.test')).accessToken;
});

afterAll(() => t?.close());

const report = async (query: string, token = supervisor) => {
	const response = await t.request('GET', `/api/reports${query}`, { token });
	return { status: response.status, body: (await response.json()) as CompanyReport & { error: { message: string } } };
};

describe('company reports', () => {
	const week = `from=${LATE - 86_400_000}&to=${LATE + 7 * 86_400_000}`;

	it('counts sessions per day in the reader\'s time zone, per agent, by ending, outcome and refused rule', async () => {
		const { status, body } = await report(`?${week}&tz=Europe/Rome`);
		expect(status).toBe(200);
		expect(body.totals).toEqual({ sessions: 3, recorded: 1, durationMsMean: 20 * 60_000, durationMsMedian: 20 * 60_000 });
		// 23:30 UTC on 30 November is already 1 December in Rome.
		expect(body.perDay).toEqual([{ day: '2026-12-01', sessions: 3 }]);
		expect(body.perAgent).toEqual([
			{ agentId: alexId, name: 'Alex', sessions: 2, durationMsMean: 15 * 60_000, refusals: 0, outcomes: { Resolved: 2 } },
			{ agentId: beaId, name: 'Bea', sessions: 1, durationMsMean: 30 * 60_000, refusals: 3, outcomes: { '': 1 } },
		]);
		expect(body.endings).toEqual({ agent_ended: 1, customer_ended: 1, browser_crashed: 1 });
		expect(body.outcomes).toEqual({ Resolved: 2, '': 1 });
		expect(body.refusals).toEqual({ button_lock: 2, masked_field: 1 });
		expect((await report(`?${week}`)).body.perDay).toEqual([{ day: '2026-11-30', sessions: 1 }, { day: '2026-12-01', sessions: 2 }]);
	});

	it('filters by agent, and exports one row per session as CSV', async () => {
		expect((await report(`?${week}&agent=${beaId}`)).body.totals.sessions).toBe(1);
		const response = await t.request('GET', `/api/reports?${week}&format=csv`, { token: supervisor });
		const lines = (await response.text()).replace(/^\uFEFF/, '').trim().split('\r\n');
		expect(lines[0]).toBe('started (UTC),ended (UTC),agent,duration (s),ended how,outcome,refusals,recorded,session');
		expect(lines.slice(1).map((l) => l.split(',').slice(2, 8).join(','))).toEqual(['Alex,600,agent_ended,Resolved,0,yes', 'Alex,1200,customer_ended,Resolved,0,no', 'Bea,1800,browser_crashed,,3,no']);
	});

	it('refuses agents, sees nothing of another company, and names a bad range or time zone', async () => {
		expect((await report(`?${week}`, agentToken)).status).toBe(403);
		expect((await report(`?${week}`, otherCompany)).body.totals.sessions).toBe(0);
		expect((await report(`?from=10&to=5`)).body.error.message).toMatch(/^from: /);
		expect((await report(`?${week}&tz=Mars/Olympus`)).body.error.message).toMatch(/^tz: /);
		expect((await report(`?from=0&to=${500 * 86_400_000}`)).body.error.message).toMatch(/400 days/);
	});

	it('knows days across time zones', () => {
		expect(dayIn('UTC', LATE)).toBe('2026-11-30');
		expect(dayIn('America/New_York', LATE)).toBe('2026-11-30');
		expect(dayIn('Asia/Tokyo', LATE)).toBe('2026-12-01');
	});
});
