/**
 * Recording as a company uses it, end to end on the real service: a company that records
 * every session, a real cloud browser with a card number on screen, the customer told,
 * the session's report with its timeline and a signed link to the MP4, role and company
 * checks on every route, and retention that deletes files and rows and says so in the
 * audit log.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PERMISSIONS } from '../signaling/api/common.js';
import { hashPassword } from '../signaling/auth/passwords.js';
import type { Alongside } from '../signaling/Alongside.js';
import { api, launchViewerBrowser, login, metricSum, newViewerPage, startAlongside, startFixtureServer, startSessionWithPin, until, WsClient } from './helpers.js';
import { shot, signInToConsole, startSessionInBrowsers, videoPoint } from './ui.js';
import { videoTimeOf } from '../protocol/timeline.js';
import { RECORDED_PAGES } from './recording/pages.js';
import { colourCounts, probe } from './recording/frames.js';

const MAGENTA = { rgb: [255, 0, 255] as [number, number, number], tolerance: 60 };
const BLUE = { rgb: [0, 0, 255] as [number, number, number], tolerance: 50 };

let app: Alongside;
let fixtures: Awaited<ReturnType<typeof startFixtureServer>>;
let admin: string;
let supervisor: string;
let otherSupervisor: string;
let dir: string;

async function otherCompanySupervisor(): Promise<string> {
	await app.store.createCompany({ id: 'other', name: 'Other Ltd', settings: { ...(await app.store.getCompany('demo'))!.settings }, createdAt: Date.now() });
	const password = 'other-supervisor-password-1';
	await app.store.createUser({
		id: randomUUID(),
		companyId: 'other',
		email: 'sup@other.example',
		name: 'Otto',
		role: 'supervisor',
		permissions: DEFAULT_PERMISSIONS.supervisor,
		disabled: false,
		passwordHash: await hashPassword(password),
		createdAt: Date.now(),
	});
	return (await api(app, 'POST', '/api/auth/login', { body: { company: 'other', email: 'sup@other.example', password } })).body.accessToken;
}

beforeAll(async () => {
	// NOTE: the fixture server serves exact paths; this one checks the timeline drops the query.
	fixtures = await startFixtureServer({ ...RECORDED_PAGES, '/blue?order=12345': RECORDED_PAGES['/blue'] });
	app = await startAlongside();
	admin = await login(app, 'admin');
	supervisor = await login(app, 'supervisor');
	otherSupervisor = await otherCompanySupervisor();
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alongside-recording-'));
});

// NOTE: a test that fails midway leaves no live session behind to make the next one's agent busy.
afterEach(async () => {
	await Promise.all(app.liveSessions().map((s) => s.end('agent_ended')));
	await app.recordings.settled();
});

afterAll(async () => {
	await app?.close();
	await fixtures?.close();
	fs.rmSync(dir, { recursive: true, force: true });
});

/** A started session with the customer joined (told whether it is recorded). */
async function recordedSession() {
	const started = await startSessionWithPin(app);
	const joined = await started.customer.request('session/join', { token: started.customerToken });
	expect(joined.ok, JSON.stringify(joined)).toBe(true);
	const session = app.session(started.sessionId)!;
	await session.ready;
	return { ...started, session, joined: joined.data as { recording: boolean } };
}

describe('recording a session', () => {
	let sessionId: string;
	let videoUrl: string;

	it('records from the start where the company says so, tells the customer, and keeps an MP4 of what agents saw', async () => {
		expect((await api(app, 'PATCH', '/api/company', { token: admin, body: { recording: 'always', retentionDays: 7 } })).status).toBe(200);
		const { session, customer, joined } = await recordedSession();
		sessionId = session.id;
		// NOTE: a loaded host (CI runs suites side by side) can take seconds to bring ffmpeg up.
		const told = joined.recording || (await until(() => customer.notifications.find((n) => n.type === 'recording/state' && (n.data as { recording: boolean }).recording), 30_000)) !== undefined;
		expect(told).toBe(true);
		expect(session.recording).toBe(true);
		expect(await metricSum(app, 'alongside_recordings_active')).toBe(1);
		await session.browser.navigate(`${fixtures.url}/blue?order=12345#top`);
		await new Promise((r) => setTimeout(r, 2500));
		await session.browser.navigate(`${fixtures.url}/green`);
		await new Promise((r) => setTimeout(r, 1500));
		await session.end('agent_ended');
		await app.recordings.settled();
		expect(await metricSum(app, 'alongside_recordings_active')).toBe(0);
		expect(await metricSum(app, 'alongside_recording_bytes_total')).toBeGreaterThan(10_000);

		const report = await api(app, 'GET', `/api/sessions/${sessionId}/report`, { token: supervisor });
		expect(report.status).toBe(200);
		const [recording] = report.body.recordings;
		expect(recording.status).toBe('ready');
		videoUrl = recording.videoUrl;
		const types: string[] = report.body.events.map((e: { type: string }) => e.type);
		for (const type of ['participant.joined', 'recording.started', 'page.visited', 'recording.stopped', 'session.ended']) expect(types, type).toContain(type);
		// Addresses in the timeline: origin and path, never the query or fragment.
		const visited = report.body.events.filter((e: { type: string }) => e.type === 'page.visited').map((e: { url: string }) => e.url);
		expect(visited).toContain(`${fixtures.url}/blue`);
		expect(JSON.stringify(report.body.events)).not.toContain('12345');

		// The pointers and drawings kept beside the video (none moved here: it starts from the drawings shown).
		const overlay = await (await fetch(`${app.url}${recording.overlayUrl}`)).json();
		expect(overlay.partial).toBe(false);
		expect(overlay.entries[0][2].type).toBe('annotation/snapshot');
		const response = await fetch(`${app.url}${videoUrl}`);
		expect(response.status).toBe(200);
		expect(response.headers.get('content-type')).toBe('video/mp4');
		const file = path.join(dir, 'session.mp4');
		fs.writeFileSync(file, Buffer.from(await response.arrayBuffer()));
		const info = await probe(file);
		expect(info.codec).toBe('h264');
		expect(info.faststart).toBe(true);
		// The video lasts as long as the recording did (within a second).
		const span = (recording.endedAt ?? 0) - recording.segments[0].startedAt;
		expect(Math.abs(info.durationMs - recording.durationMs)).toBeLessThan(300);
		expect(recording.durationMs).toBeGreaterThan(3000);
		expect(span - recording.durationMs).toBeLessThan(2500);
		const frames = await colourCounts(file, { magenta: MAGENTA, blue: BLUE });
		expect(frames.some((f) => f.counts.blue! > 2000)).toBe(true);
		expect(Math.max(...frames.map((f) => f.counts.magenta!))).toBe(0);
		// The work directory is gone; the file is in the data directory, for this user only.
		expect(fs.readdirSync(path.join(app.config.signaling.dataDir, 'recordings-work'))).toEqual([]);
	});

	it('serves byte ranges to a player, and only by a genuine, unexpired link for someone of the company who may watch', async () => {
		const ranged = await fetch(`${app.url}${videoUrl}`, { headers: { Range: 'bytes=0-99' } });
		expect(ranged.status).toBe(206);
		expect(ranged.headers.get('content-range')).toMatch(/^bytes 0-99\/\d+$/);
		expect((await ranged.arrayBuffer()).byteLength).toBe(100);
		const url = new URL(videoUrl, app.url);
		const tampered = new URL(url);
		tampered.searchParams.set('exp', String(Number(url.searchParams.get('exp')) + 1000));
		const unsigned = new URL(url.pathname, app.url);
		const otherId = new URL(url);
		otherId.pathname = `/api/recordings/${randomUUID()}/video`;
		for (const bad of [tampered, unsigned, otherId]) expect((await fetch(bad)).status, bad.toString()).toBe(404);
		// Another company's supervisor does not learn the report exists.
		expect((await api(app, 'GET', `/api/sessions/${sessionId}/report`, { token: otherSupervisor })).status).toBe(404);
		// The agent may not read reports.
		expect((await api(app, 'GET', `/api/sessions/${sessionId}/report`, { token: await login(app, 'agent') })).status).toBe(403);
		// A link made for a user who may no longer supervise stops working.
		const supervisorUser = (await app.store.listUsers('demo')).find((u) => u.role === 'supervisor')!;
		await app.store.updateUser(supervisorUser.id, { permissions: { ...supervisorUser.permissions, supervise: false } });
		expect((await fetch(`${app.url}${videoUrl}`)).status).toBe(404);
		await app.store.updateUser(supervisorUser.id, { permissions: supervisorUser.permissions });
	});

	it('lets an agent start and stop recording only where the company lets agents, and tells everyone', async () => {
		expect((await api(app, 'PATCH', '/api/company', { token: admin, body: { recording: 'agent' } })).status).toBe(200);
		const { session, customer, sessionId: id, agentToken } = await recordedSession();
		expect(session.recording).toBe(false);
		const agent = await WsClient.connect(app.url);
		const joined = await agent.request('session/join', { token: agentToken, sessionId: id });
		expect((joined.data as { mayRecord: boolean }).mayRecord).toBe(true);
		expect((await agent.request('recording/set', { recording: true })).ok).toBe(true);
		await until(() => customer.notifications.find((n) => n.type === 'recording/state' && (n.data as { recording: boolean }).recording));
		await session.browser.navigate(`${fixtures.url}/busy`);
		await new Promise((r) => setTimeout(r, 2000));
		expect((await agent.request('recording/set', { recording: false })).ok).toBe(true);
		await until(() => customer.notifications.find((n) => n.type === 'recording/state' && !(n.data as { recording: boolean }).recording));
		// The customer cannot.
		const refused = await customer.request('recording/set', { recording: true });
		expect(refused.ok).toBe(false);
		await session.end('agent_ended');
		await app.recordings.settled();
		const report = await api(app, 'GET', `/api/sessions/${id}/report`, { token: admin });
		expect(report.body.recordings[0].status).toBe('ready');
		const by = report.body.events.find((e: { type: string }) => e.type === 'recording.started').by;
		expect(by).toBeTruthy();
		agent.close();
		expect((await api(app, 'PATCH', '/api/company', { token: admin, body: { recording: 'off' } })).status).toBe(200);
	});

	it('shows the report in the browser: the recording beside its timeline, and clicking an event plays the recording from there', async () => {
		const report = (await api(app, 'GET', `/api/sessions/${sessionId}/report`, { token: supervisor })).body;
		const green = [...report.events].reverse().find((e: { type: string; url?: string }) => e.type === 'page.visited' && e.url?.endsWith('/green'));
		const expected = videoTimeOf(report.recordings[0], green.at)!;
		expect(expected).toBeGreaterThan(1);
		const browser = await launchViewerBrowser();
		try {
			for (const viewport of [{ width: 1280, height: 800 }, { width: 390, height: 844 }]) {
				const page = await newViewerPage(browser, { viewport });
				await signInToConsole(page, app, 'supervisor', '/supervisor/');
				await page.getByTestId('past-sessions').click();
				// The first session recorded is the oldest: the last row.
				await page.getByTestId('history-row').last().getByRole('button').click();
				await page.getByTestId('report-video').waitFor();
				await page.waitForFunction(() => (document.querySelector('[data-testid=report-video]') as HTMLVideoElement).readyState >= 1);
				const item = page.locator('[data-testid=timeline] li[data-kind="page.visited"]').last();
				await item.getByRole('button').click();
				await page.waitForFunction(() => (document.querySelector('[data-testid=report-video]') as HTMLVideoElement).readyState >= 2);
				const at = await page.evaluate(() => (document.querySelector('[data-testid=report-video]') as HTMLVideoElement).currentTime);
				expect(Math.abs(at - expected), `video at ${at}, event at ${expected}`).toBeLessThan(0.6);
				await page.evaluate(() => (document.querySelector('[data-testid=report-video]') as HTMLVideoElement).pause());
				expect(await item.getAttribute('class')).toContain('playing');
				if (viewport.width === 1280) {
					// A review for coaching: four stars and a note, kept on the report.
					await page.getByRole('radio', { name: '4 out of 5' }).check();
					await page.getByLabel('Notes for coaching').fill('Good pace; confirm the address next time.');
					await page.getByRole('button', { name: 'Save review' }).click();
					await page.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
					const saved = (await api(app, 'GET', `/api/sessions/${sessionId}/report`, { token: admin })).body.review;
					expect(saved).toMatchObject({ rating: 4, notes: 'Good pace; confirm the address next time.', reviewer: 'Sam' });
				}
				await shot(page, `report-${viewport.width}`);
				// The company's reports: this session is counted, with its recording.
				await page.getByTestId('company-reports').click();
				const totals = page.getByTestId('report-totals');
				await totals.waitFor();
				const api_ = (await api(app, 'GET', '/api/reports', { token: supervisor })).body;
				expect(api_.totals.sessions).toBeGreaterThanOrEqual(1);
				expect(api_.totals.recorded).toBeGreaterThanOrEqual(1);
				expect(await totals.locator('li').first().locator('strong').textContent()).toBe(String(api_.totals.sessions));
				await shot(page, `company-reports-${viewport.width}`, { fullPage: true });
				await page.close();
			}
		} finally {
			await browser.close();
		}
	});

	it('asks the agent, when a session ends, how it went: the outcome and notes go into the report', async () => {
		// Recorded, so that the agent's pointer is kept beside the video.
		expect((await api(app, 'PATCH', '/api/company', { token: admin, body: { recording: 'always' } })).status).toBe(200);
		const browser = await launchViewerBrowser();
		try {
			const { agent } = await startSessionInBrowsers(app, browser);
			const live = app.liveSessions()[0]!;
			const id = live.id;
			await until(() => (live.recording ? true : undefined), 30_000);
			// The agent points across the page, then draws a line under it.
			let pointedAt = 0;
			for (let i = 1; i <= 10; i++) {
				const p = await videoPoint(agent, i / 12, 0.5);
				await agent.mouse.move(p.x, p.y);
				if (i === 6) pointedAt = Date.now();
				await new Promise((r) => setTimeout(r, 150));
			}
			const beforeDrawing = Date.now();
			await agent.getByTestId('annotate-toggle').click();
			const from = await videoPoint(agent, 0.2, 0.7);
			const to = await videoPoint(agent, 0.6, 0.7);
			await agent.mouse.move(from.x, from.y);
			await agent.mouse.down();
			await agent.mouse.move(to.x, to.y, { steps: 20 });
			await agent.mouse.up();
			await agent.getByTestId('annotate-toggle').click();
			await new Promise((r) => setTimeout(r, 700));
			const afterDrawing = Date.now();
			await agent.getByRole('button', { name: 'End session' }).click();
			await agent.getByRole('dialog').getByRole('button', { name: 'End session' }).click();
			const form = agent.getByTestId('wrapup');
			await form.waitFor({ timeout: 15_000 }).catch(async (error) => {
				await agent.screenshot({ path: '/tmp/wrapup-fail.png' });
				throw error;
			});
			await form.getByLabel('Follow-up needed').check();
			await form.getByLabel('Notes for the report (optional)').fill('Customer will send the signed form.');
			await form.getByRole('button', { name: 'Save' }).click();
			await agent.getByTestId('wrapup-saved').waitFor();
			await shot(agent, 'wrapup');
			const report = (await api(app, 'GET', `/api/sessions/${id}/report`, { token: supervisor })).body;
			expect(report.session).toMatchObject({ outcome: 'Follow-up needed', wrapupNotes: 'Customer will send the signed form.' });
			// The agent's pointer, kept beside the recording, thinned to 10 a second.
			let recording: { status: string; overlayUrl: string } | undefined;
			for (let i = 0; i < 100 && recording?.status !== 'ready'; i++) {
				await new Promise((r) => setTimeout(r, 100));
				recording = (await api(app, 'GET', `/api/sessions/${id}/report`, { token: supervisor })).body.recordings[0];
			}
			const overlay = await (await fetch(`${app.url}${recording!.overlayUrl}`)).json();
			const moves = overlay.entries.filter((e: [number, string, { type: string }]) => e[1] === 'cursor' && e[2].type === 'cursor/move');
			expect(moves.length).toBeGreaterThanOrEqual(5);
			expect(moves.length).toBeLessThanOrEqual(40);
			expect(overlay.people[moves[0][2].participantId]).toEqual({ name: 'Alex', role: 'agent' });

			// The report's player draws them again over the video, as they were at each moment.
			const full = (await api(app, 'GET', `/api/sessions/${id}/report`, { token: supervisor })).body.recordings[0];
			const page = await newViewerPage(browser, { viewport: { width: 1280, height: 800 } });
			await signInToConsole(page, app, 'supervisor', '/supervisor/');
			await page.getByTestId('past-sessions').click();
			await page.getByTestId('history-row').first().getByRole('button').click();
			await page.waitForFunction(() => (document.querySelector('[data-testid=report-video]') as HTMLVideoElement | null)?.readyState! >= 1);
			const showAt = async (wall: number) => {
				const seconds = videoTimeOf(full, wall)!;
				expect(seconds, 'recorded then').not.toBeNull();
				// NOTE: the file may end a frame before the recording's last moment: a player stops there.
				const target = await page.evaluate((s) => {
					const video = document.querySelector('[data-testid=report-video]') as HTMLVideoElement;
					video.pause();
					const at = Math.min(s, video.duration - 0.05);
					video.currentTime = at;
					return at;
				}, seconds);
				await page.waitForFunction((s) => {
					const video = document.querySelector('[data-testid=report-video]') as HTMLVideoElement;
					return !video.seeking && Math.abs(video.currentTime - s) < 0.05;
				}, target);
				await new Promise((r) => setTimeout(r, 100));
			};
			const ink = async (nx: number, ny: number) => {
				const { x, y } = await videoPoint(page, nx, ny, '[data-testid=report-video]');
				return page.evaluate(([px, py]) => {
					const canvas = document.querySelector('[data-testid=replay-drawings]') as HTMLCanvasElement | null;
					if (!canvas) return 0;
					const r = canvas.getBoundingClientRect();
					const k = canvas.width / r.width;
					const data = canvas.getContext('2d')!.getImageData(Math.round((px! - r.left) * k) - 3, Math.round((py! - r.top) * k) - 3, 7, 7).data;
					let alpha = 0;
					for (let i = 3; i < data.length; i += 4) alpha = Math.max(alpha, data[i]!);
					return alpha;
				}, [x, y]);
			};
			// The pointer, where the track has it then, named.
			const seekTo = pointedAt + 60;
			await showAt(seekTo);
			const kept = moves.filter((e: [number]) => e[0] <= seekTo).at(-1)[2] as { x: number; y: number };
			expect(kept.x).toBeGreaterThan(0.3);
			expect(kept.x).toBeLessThan(0.55);
			const cursor = page.getByTestId('replay-pointers').getByTestId('cursor');
			await expect.poll(() => cursor.count()).toBe(1);
			expect(await cursor.getAttribute('aria-label')).toContain('Alex');
			const shownAt = await cursor.evaluate((el) => {
				const m = /translate3d\(([-\d.]+)px, ([-\d.]+)px/.exec((el as HTMLElement).style.transform)!;
				const box = el.parentElement!.getBoundingClientRect();
				return { x: box.left + Number(m[1]), y: box.top + Number(m[2]) };
			});
			const expected = await videoPoint(page, kept.x, kept.y, '[data-testid=report-video]');
			expect(Math.abs(shownAt.x - expected.x)).toBeLessThan(2);
			expect(Math.abs(shownAt.y - expected.y)).toBeLessThan(2);
			await shot(page, 'report-replay-pointer-1280');
			// Not drawn yet then; drawn afterwards, where the agent drew it.
			expect(await ink(0.4, 0.7)).toBe(0);
			await showAt(beforeDrawing - 300);
			expect(await ink(0.4, 0.7)).toBe(0);
			await showAt(afterDrawing);
			await expect.poll(() => ink(0.4, 0.7)).toBeGreaterThan(200);
			expect(await ink(0.4, 0.5)).toBe(0);
			await shot(page, 'report-replay-1280');
			// Hidden at the reader's wish.
			await page.getByTestId('show-overlay').uncheck();
			expect(await page.getByTestId('replay-drawings').count()).toBe(0);
			await page.getByTestId('show-overlay').check();
			await page.setViewportSize({ width: 390, height: 844 });
			await expect.poll(() => ink(0.4, 0.7)).toBeGreaterThan(200);
			await shot(page, 'report-replay-390', { fullPage: true });
			await page.close();
			expect((await api(app, 'PATCH', '/api/company', { token: admin, body: { recording: 'off' } })).status).toBe(200);
		} finally {
			await browser.close();
		}
	});

	it('deletes one recording by hand (admins only), and every report past the retention period, files and rows, in the audit log', async () => {
		const report = await api(app, 'GET', `/api/sessions/${sessionId}/report`, { token: admin });
		const recordingId = report.body.recordings[0].id as string;
		const file = path.join(app.config.signaling.dataDir, 'recordings', 'demo', `${recordingId}.mp4`);
		expect(fs.existsSync(file)).toBe(true);
		expect((await api(app, 'DELETE', `/api/recordings/${recordingId}`, { token: supervisor })).status).toBe(403);
		expect((await api(app, 'DELETE', `/api/recordings/${recordingId}`, { token: admin })).status).toBe(204);
		expect(fs.existsSync(file)).toBe(false);
		expect((await api(app, 'GET', `/api/sessions/${sessionId}/report`, { token: admin })).body.recordings).toEqual([]);

		// Retention: a week later (the company keeps reports 7 days), every report of the demo company goes.
		const files = fs.readdirSync(path.join(app.config.signaling.dataDir, 'recordings', 'demo'));
		expect(files.length).toBeGreaterThan(0);
		const deleted = await app.expireReports(Date.now() + 8 * 86400_000);
		expect(deleted).toBeGreaterThanOrEqual(2);
		expect(fs.readdirSync(path.join(app.config.signaling.dataDir, 'recordings', 'demo'))).toEqual([]);
		expect((await api(app, 'GET', `/api/sessions/${sessionId}/report`, { token: admin })).status).toBe(404);
		expect(await app.store.listSessionEvents(sessionId)).toEqual([]);
		// NOTE: audit entries are written in the background.
		await new Promise((r) => setTimeout(r, 200));
		const audit = (await api(app, 'GET', '/api/audit?limit=200', { token: admin })).body.entries as Array<{ action: string; detail: Record<string, unknown>; sessionId: string | null }>;
		expect(audit.some((e) => e.action === 'report.deleted' && e.detail.reason === 'retention' && e.sessionId === sessionId)).toBe(true);
		expect(audit.some((e) => e.action === 'recording.deleted' && e.sessionId === sessionId)).toBe(true);
	});

	it('finishes, at the next start, a recording the service left unfinished (what was recorded up to the crash plays)', async () => {
		expect((await api(app, 'PATCH', '/api/company', { token: admin, body: { recording: 'always', retentionDays: 30 } })).status).toBe(200);
		const { session } = await recordedSession();
		await until(() => (session.recording ? true : undefined), 30_000);
		await session.browser.navigate(`${fixtures.url}/busy`);
		await new Promise((r) => setTimeout(r, 2500));
		// What a crash leaves: the segment ffmpeg was writing, and the row still "recording".
		const [row] = await app.store.listSessionRecordings(session.id);
		const work = path.join(app.config.signaling.dataDir, 'recordings-work', row!.id);
		const segment = fs.readdirSync(work).find((f) => f.endsWith('.part.mp4'))!;
		const saved = path.join(dir, 'crashed.part.mp4');
		fs.copyFileSync(path.join(work, segment), saved);
		const dataDir = app.config.signaling.dataDir;
		await app.close();
		fs.rmSync(path.join(dataDir, 'recordings', 'demo', `${row!.id}.mp4`), { force: true });
		fs.mkdirSync(work, { recursive: true });
		fs.copyFileSync(saved, path.join(work, segment));
		await app.store.close().catch(() => undefined);
		const { SqliteStore } = await import('../signaling/store/SqliteStore.js');
		const store = SqliteStore.open(path.join(dataDir, 'alongside.db'));
		await store.updateRecording(row!.id, { status: 'recording', storageKey: null, durationMs: null, bytes: null, endedAt: null });
		await store.close();

		app = await startAlongside({ ALONGSIDE_DATA_DIR: dataDir });
		const recovered = await app.store.getRecording(row!.id);
		expect(recovered?.status).toBe('ready');
		const file = path.join(dataDir, 'recordings', 'demo', `${row!.id}.mp4`);
		expect((await probe(file)).codec).toBe('h264');
		expect((await colourCounts(file, { blue: BLUE })).some((f) => f.counts.blue! > 2000)).toBe(true);
		expect(fs.existsSync(work)).toBe(false);
	});

	it('tells everyone, and the timeline, when the recorder cannot start, and the session goes on', async () => {
		await app.close();
		// An ffmpeg that exits at once: every try fails (each start is tried twice, the company's "always" three times).
		app = await startAlongside({ ALONGSIDE_FFMPEG: '/bin/false' });
		expect((await api(app, 'PATCH', '/api/company', { token: await login(app, 'admin'), body: { recording: 'always' } })).status).toBe(200);
		const { session, customer } = await recordedSession();
		const failed = await until(() => customer.notifications.find((n) => n.type === 'recording/state' && (n.data as { failed?: boolean }).failed), 30_000);
		expect(failed.data).toEqual({ recording: false, failed: true });
		expect(session.ended).toBe(false);
		expect(session.recording).toBe(false);
		expect(await metricSum(app, 'alongside_recorder_failures_total')).toBeGreaterThanOrEqual(3);
		await session.end('agent_ended');
		await app.recordings.settled();
		const report = await api(app, 'GET', `/api/sessions/${session.id}/report`, { token: await login(app, 'supervisor') });
		const stopped = report.body.events.filter((e: { type: string }) => e.type === 'recording.stopped');
		expect(stopped).toEqual([expect.objectContaining({ reason: 'failed', by: null })]);
		expect(report.body.events.some((e: { type: string }) => e.type === 'recording.started')).toBe(false);
		expect(report.body.recordings.map((r: { status: string }) => r.status)).toEqual(['failed']);
	});

	it('keeps recordings in an S3-compatible bucket where configured, serves them from there, and will not start without the bucket', async () => {
		await app.close();
		const store = path.join(dir, 's3');
		const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: store, configureBuckets: [{ name: 'recordings', configs: [] }] });
		const { port } = await server.run();
		const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
		process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
		process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
		try {
			const s3 = { ALONGSIDE_RECORDINGS_S3_BUCKET: 'recordings', ALONGSIDE_RECORDINGS_S3_PREFIX: 'alongside/', ALONGSIDE_RECORDINGS_S3_ENDPOINT: `http://127.0.0.1:${port}` };
			await expect(startAlongside({ ...s3, ALONGSIDE_RECORDINGS_S3_BUCKET: 'not-there' })).rejects.toThrow(/"not-there" cannot be reached/);
			app = await startAlongside(s3);
			const adminToken = await login(app, 'admin');
			expect((await api(app, 'PATCH', '/api/company', { token: adminToken, body: { recording: 'always' } })).status).toBe(200);
			const { session } = await recordedSession();
			await until(() => (session.recording ? true : undefined), 30_000);
			await session.browser.navigate(`${fixtures.url}/blue`);
			await new Promise((r) => setTimeout(r, 2500));
			await session.end('agent_ended');
			await app.recordings.settled();
			const [recording] = (await api(app, 'GET', `/api/sessions/${session.id}/report`, { token: await login(app, 'supervisor') })).body.recordings;
			expect(recording.status).toBe('ready');
			// In the bucket, under the prefix; not in the data directory.
			const objects = fs.readdirSync(path.join(store, 'recordings', 'alongside', 'demo'));
			expect(objects.some((f) => f.startsWith(`${recording.id}.mp4`))).toBe(true);
			expect(objects.some((f) => f.startsWith(`${recording.id}.overlay.json`))).toBe(true);
			expect(fs.existsSync(path.join(app.config.signaling.dataDir, 'recordings', 'demo', `${recording.id}.mp4`))).toBe(false);
			const ranged = await fetch(`${app.url}${recording.videoUrl}`, { headers: { Range: 'bytes=0-99' } });
			expect(ranged.status).toBe(206);
			expect((await ranged.arrayBuffer()).byteLength).toBe(100);
			const whole = path.join(dir, 's3-session.mp4');
			fs.writeFileSync(whole, Buffer.from(await (await fetch(`${app.url}${recording.videoUrl}`)).arrayBuffer()));
			expect((await probe(whole)).codec).toBe('h264');
			expect((await colourCounts(whole, { blue: BLUE })).some((f) => f.counts.blue! > 2000)).toBe(true);
			// Deleted from the bucket with the recording.
			expect((await api(app, 'DELETE', `/api/recordings/${recording.id}`, { token: adminToken })).status).toBe(204);
			const left = fs.existsSync(path.join(store, 'recordings', 'alongside', 'demo')) ? fs.readdirSync(path.join(store, 'recordings', 'alongside', 'demo')) : [];
			expect(left.some((f) => f.startsWith(recording.id))).toBe(false);
		} finally {
			for (const [name, value] of [['AWS_ACCESS_KEY_ID', saved.id], ['AWS_SECRET_ACCESS_KEY', saved.secret]] as const) {
				if (value === undefined) delete process.env[name];
				else process.env[name] = value;
			}
			await app.close();
			await server.close();
		}
	});
});
