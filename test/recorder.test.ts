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
import { RECORDED_PAGES } from './recording/pages.js';

const MAGENTA = { rgb: [255, 0, 255] as [number, number, number], tolerance: 60 };
const BLUE = { rgb: [0, 0, 255] as [number, number, number], tolerance: 50 };
const GREEN = { rgb: [0, 160, 0] as [number, number, number], tolerance: 50 };


let app: Alongside;
let fixtures: Awaited<ReturnType<typeof startFixtureServer>>;
let dir: string;
const logger = pino({ level: process.env.REC_LOG ?? 'silent' });

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

	it('keeps a short recording of a page at rest, started and stopped by hand', async () => {
		const started = await startSessionWithPin(app);
		const session = app.session(started.sessionId)!;
		await session.ready;
		await new Promise((r) => setTimeout(r, 1000));
		const recorder = new Recorder({ tap: (port) => session.room.recordingTap('masked', port), dir: path.join(dir, 'short'), logger });
		await recorder.start();
		// NOTE: a recording of a page at rest shorter than about two seconds may hold nothing:
		// ffmpeg keeps a frame until the next one starts, and Chromium sends one a second at most.
		await new Promise((r) => setTimeout(r, 3000));
		await recorder.stop();
		const finished = await recorder.finish(path.join(dir, 'short.mp4'));
		expect(finished, 'a playable file').toBeDefined();
		expect((await probe(finished!.file)).codec).toBe('h264');
		expect((await colourCounts(finished!.file, {}, 4)).length).toBeGreaterThan(0);
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
