/**
 * The recorder on its own, on a real session: a PlainTransport consumer of the masked
 * producer on a real mediasoup worker, a real cloud Chromium changing pages with a card
 * number on screen, real ffmpeg. The clear rendition, recorded the same way, shows the
 * card number's colour, so the check on the masked recording could fail.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alongside } from '../signaling/Alongside.js';
import { Recorder } from '../sfu/Recorder.js';
import { startAlongside, startFixtureServer, startSessionWithPin } from './helpers.js';
import { colourCounts, probe } from './recording/frames.js';

const MAGENTA = { rgb: [255, 0, 255] as [number, number, number], tolerance: 60 };
const BLUE = { rgb: [0, 0, 255] as [number, number, number], tolerance: 50 };
const GREEN = { rgb: [0, 160, 0] as [number, number, number], tolerance: 50 };

export const RECORDED_PAGES = {
	'/blue': `<!doctype html><html><body style="margin:0;background:#fff;font:24px sans-serif">
<div style="height:300px;background:#0000ff"></div>
<p><label>Card number <input autocomplete="cc-number" value="4111111111111111" style="color:#f0f;font:bold 64px sans-serif;width:900px;border:0"></label></p>
</body></html>`,
	// A page that never rests (a counter every frame), as a busy page is when a recorder dies.
	'/busy': `<!doctype html><html><body style="margin:0;background:#fff"><div style="height:300px;background:#0000ff"></div><p id="n" style="font:40px sans-serif"></p>
<script>let n = 0; (function tick() { document.getElementById('n').textContent = String(n++); requestAnimationFrame(tick); })();</script></body></html>`,
	'/green': `<!doctype html><html><body style="margin:0;background:#fff"><div style="height:400px;background:#00a000"></div></body></html>`,
};

let app: Alongside;
let fixtures: Awaited<ReturnType<typeof startFixtureServer>>;
let dir: string;
const logger = pino({ level: 'silent' });

beforeAll(async () => {
	fixtures = await startFixtureServer(RECORDED_PAGES);
	app = await startAlongside();
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alongside-recorder-'));
});

afterAll(async () => {
	await app?.close();
	await fixtures?.close();
	if (!process.env.REC_KEEP) fs.rmSync(dir, { recursive: true, force: true });
});

describe('the recorder', () => {
	it('records the masked rendition with codec copy into an MP4 that plays, changes with the page, and never shows what masking hides', async () => {
		const started = await startSessionWithPin(app);
		const session = app.session(started.sessionId)!;
		await session.ready;
		const masked = new Recorder({ tap: (port) => session.room.recordingTap('masked', port), dir: path.join(dir, 'masked'), logger });
		const clear = new Recorder({ tap: (port) => session.room.recordingTap('clear', port), dir: path.join(dir, 'clear'), logger });
		await Promise.all([masked.start(), clear.start()]);
		await session.browser.navigate(`${fixtures.url}/blue`);
		await new Promise((r) => setTimeout(r, 2500));
		await session.browser.navigate(`${fixtures.url}/green`);
		await new Promise((r) => setTimeout(r, 2500));
		const [m, c] = await Promise.all([masked.finish(path.join(dir, 'masked.mp4')), clear.finish(path.join(dir, 'clear.mp4'))]);
		const elapsed = masked.segments[0]!.endedAt! - masked.segments[0]!.startedAt;

		expect(m).toBeDefined();
		const info = await probe(m!.file);

		expect(info.codec).toBe('h264');
		expect(info.faststart).toBe(true);
		expect(Math.abs(info.durationMs - elapsed)).toBeLessThan(1000);
		const frames = await colourCounts(m!.file, { magenta: MAGENTA, blue: BLUE, green: GREEN });
		const clearFrames = await colourCounts(c!.file, { magenta: MAGENTA });
		expect(frames.some((f) => f.counts.blue! > 2000)).toBe(true);
		expect(frames.some((f) => f.counts.green! > 2000)).toBe(true);
		expect(Math.max(...frames.map((f) => f.counts.magenta!))).toBe(0);
		expect(Math.max(...clearFrames.map((f) => f.counts.magenta!))).toBeGreaterThan(500);
		// The segments are gone once the MP4 is written.
		expect(fs.readdirSync(path.join(dir, 'masked')).filter((f) => f.includes('segment'))).toEqual([]);
		await session.end('agent_ended');
	});

	it('goes on in a new segment when ffmpeg is killed, and what each segment holds plays, finished or not', async () => {
		const started = await startSessionWithPin(app);
		const session = app.session(started.sessionId)!;
		await session.ready;
		const recorder = new Recorder({ tap: (port) => session.room.recordingTap('masked', port), dir: path.join(dir, 'killed'), logger });
		const restarted = new Promise<void>((resolve) => recorder.once('restarted', () => resolve()));
		await recorder.start();
		await session.browser.navigate(`${fixtures.url}/busy`);
		await new Promise((r) => setTimeout(r, 2000));
		process.kill(recorder.pid!, 'SIGKILL');
		await restarted;
		// What the killed ffmpeg wrote plays as it is (a crash of the whole service leaves this).
		expect((await probe(recorder.segments[0]!.file)).codec).toBe('h264');
		expect((await colourCounts(recorder.segments[0]!.file, { blue: BLUE })).some((f) => f.counts.blue! > 2000)).toBe(true);
		await session.browser.navigate(`${fixtures.url}/green`);
		await new Promise((r) => setTimeout(r, 2000));
		const finished = await recorder.finish(path.join(dir, 'killed.mp4'));
		expect(recorder.segments.map((s) => s.ended)).toEqual(['recorder_died', 'stopped']);
		expect(finished!.segments).toHaveLength(2);
		const frames = await colourCounts(finished!.file, { blue: BLUE, green: GREEN });
		expect(frames.some((f) => f.counts.blue! > 2000)).toBe(true);
		expect(frames.some((f) => f.counts.green! > 2000)).toBe(true);
		expect(Math.abs(finished!.durationMs - finished!.segments.reduce((n, s) => n + s.durationMs, 0))).toBeLessThan(300);
		await session.end('agent_ended');
	});
});
