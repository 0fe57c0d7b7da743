/**
 * `npm run bench:recording [-- --seconds N] [-- --json]`
 *
 * The cost of recording one session, with and without recording in one run: a real
 * session on a page that never rests (a counter every frame, the most a page makes), then
 * alternating windows of N seconds (default 20) without and with the recorder. Measured:
 * - recorder_cpu_pct: ffmpeg's CPU, % of one core, while recording;
 * - sfu_extra_cpu_pct: what the SFU workers spend more while recording (the extra consumer);
 * - recorder_rss_mb: ffmpeg's resident memory;
 * - mb_per_minute: what the recording grows by;
 * - finalize_ms: stop and remux of the recorded session; finalize_10min_ms: the remux of a
 *   10-minute recording made from it (a 10-minute session's finish).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { Recorder, remux } from '../sfu/Recorder.js';
import { startAlongside, startFixtureServer, startSessionWithPin } from '../test/helpers.js';
import { RECORDED_PAGES } from '../test/recording/pages.js';
import { cpuSeconds, memoryMiB } from './proc.js';
import { round } from './stats.js';

const args = process.argv.slice(2);
const json = args.includes('--json');
const seconds = Number(args[args.indexOf('--seconds') + 1]) || 20;
const WINDOWS = 2;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alongside-bench-recording-'));
const fixtures = await startFixtureServer(RECORDED_PAGES);
const app = await startAlongside({ ALONGSIDE_LOG_LEVEL: 'warn' });
const log = (line: string) => {
	if (!json) console.log(line);
};
try {
	const started = await startSessionWithPin(app);
	const session = app.session(started.sessionId)!;
	await session.ready;
	await session.browser.navigate(`${fixtures.url}/busy`);
	await new Promise((r) => setTimeout(r, 2000));
	const sfu = app.sfuPids;
	const logger = pino({ level: 'warn' });
	const recorder = new Recorder({ tap: (port) => session.room.recordingTap('masked', port), dir: path.join(dir, 'work'), logger });
	const without: number[] = [];
	const withSfu: number[] = [];
	const withFfmpeg: number[] = [];
	const rss: number[] = [];
	let recordedMs = 0;
	for (let w = 0; w < WINDOWS; w++) {
		// Without recording.
		let cpu0 = cpuSeconds(sfu);
		let t0 = performance.now();
		await new Promise((r) => setTimeout(r, seconds * 1000));
		without.push(((cpuSeconds(sfu) - cpu0) / ((performance.now() - t0) / 1000)) * 100);
		// With recording (a new segment each window, as a stop and a start by the agent make).
		await recorder.start();
		const pid = recorder.pid!;
		cpu0 = cpuSeconds(sfu);
		const ff0 = cpuSeconds([pid]);
		t0 = performance.now();
		for (let s = 0; s < seconds; s++) {
			await new Promise((r) => setTimeout(r, 1000));
			rss.push(memoryMiB([pid]).rss);
		}
		const elapsed = (performance.now() - t0) / 1000;
		withSfu.push(((cpuSeconds(sfu) - cpu0) / elapsed) * 100);
		withFfmpeg.push(((cpuSeconds([pid]) - ff0) / elapsed) * 100);
		recordedMs += elapsed * 1000;
		await recorder.stop();
		log(`window ${w + 1}: SFU ${round(without.at(-1)!)}% without, ${round(withSfu.at(-1)!)}% with; ffmpeg ${round(withFfmpeg.at(-1)!)}%`);
	}
	const t = performance.now();
	const finished = await recorder.finish(path.join(dir, 'recording.mp4'));
	const finalizeMs = performance.now() - t;
	if (!finished) throw new Error('nothing was recorded');
	// A 10-minute recording: this one's video, looped, as one fragmented file like a segment.
	const looped = path.join(dir, 'ten.part.mp4');
	const loops = Math.ceil(600_000 / finished.durationMs);
	fs.writeFileSync(path.join(dir, 'loop.txt'), Array.from({ length: loops }, () => `file '${finished.file}'\n`).join(''));
	execFileSync('ffmpeg', ['-v', 'error', '-f', 'concat', '-safe', '0', '-i', path.join(dir, 'loop.txt'), '-c', 'copy', '-t', '600', '-f', 'mp4', '-movflags', '+frag_keyframe+empty_moov+default_base_moof', '-frag_duration', '500000', '-y', looped]);
	const t10 = performance.now();
	const ten = await remux('ffmpeg', [{ file: looped, startedAt: 0 }], path.join(dir, 'ten.mp4'), dir);
	const finalize10Ms = performance.now() - t10;
	const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
	const result = {
		bench: 'recording',
		seconds_recorded: round(recordedMs / 1000),
		recorder_cpu_pct: round(mean(withFfmpeg), 2),
		sfu_extra_cpu_pct: round(mean(withSfu) - mean(without), 2),
		sfu_cpu_pct_without: round(mean(without), 2),
		sfu_cpu_pct_with: round(mean(withSfu), 2),
		recorder_rss_mb: round(Math.max(...rss)),
		mb_per_minute: round(finished.bytes / 1e6 / (recordedMs / 60_000), 2),
		finalize_ms: Math.round(finalizeMs),
		finalize_10min_ms: Math.round(finalize10Ms),
		ten_minute_mb: round((ten?.bytes ?? 0) / 1e6, 1),
	};
	if (json) console.log(JSON.stringify(result));
	else {
		console.log(`recorder (ffmpeg, codec copy): ${result.recorder_cpu_pct}% of a core, ${result.recorder_rss_mb} MB resident (target ≤ 5%)`);
		console.log(`SFU workers: ${result.sfu_cpu_pct_without}% without, ${result.sfu_cpu_pct_with}% with (+${result.sfu_extra_cpu_pct})`);
		console.log(`size: ${result.mb_per_minute} MB a minute of a page that never rests`);
		console.log(`finish: ${result.finalize_ms} ms for ${result.seconds_recorded} s; remux of 10 minutes (${result.ten_minute_mb} MB): ${result.finalize_10min_ms} ms (target ≤ 2000)`);
	}
	await session.end('agent_ended');
} finally {
	await app.close();
	await fixtures.close();
	fs.rmSync(dir, { recursive: true, force: true });
}
