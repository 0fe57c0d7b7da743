/**
 * Recording a rendition from the SFU: a PlainTransport consumer of the producer (see
 * Room.recordingTap) feeds ffmpeg over loopback RTP, and ffmpeg copies the H.264 into a
 * fragmented MP4 (no re-encode). A fragmented file stays playable up to its last fragment
 * if ffmpeg or this process dies; {@link Recorder.finish} remuxes the segments into one MP4
 * with its index in front, which every browser streams.
 *
 * A recording is a list of segments: a new one starts when recording starts again after a
 * stop, when the publisher's producer is replaced, and when ffmpeg dies (restarted a few
 * times, then the recorder gives up and says so). Each segment knows when it started, so
 * a timeline can map wall-clock times onto the finished video.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { RecordingTap } from './RoomTypes.js';

export interface RecorderOptions {
	/** A tap of the rendition sending to 127.0.0.1:port (Room.recordingTap bound to a rendition). */
	tap(port: number): Promise<RecordingTap>;
	/** Where the segments are written (made if missing; only this process's user reads it). */
	dir: string;
	logger: Logger;
	/** The ffmpeg binary. Default `ffmpeg` on the PATH. */
	ffmpeg?: string;
	/** How often a key frame is asked for, so the video can be sought and a crash loses little. Default 4 s. */
	keyFrameEveryMs?: number;
	/** How many times ffmpeg is started again after dying, in one recording. Default 3. */
	maxRestarts?: number;
	/** Bytes written to segments since the last call (for the metrics). */
	onBytes?(bytes: number): void;
}

/** A stretch of the recording made by one ffmpeg run. */
export interface Segment {
	file: string;
	/** When the tap started sending (wall clock, ms): video time 0 of this segment. */
	startedAt: number;
	/** When it stopped (undefined while running). */
	endedAt?: number;
	/** Why it ended, if not by a stop. */
	ended?: 'stopped' | 'producer_changed' | 'recorder_died';
}

/** What a finished recording is: one MP4 and where its segments sit in it. */
export interface FinishedRecording {
	file: string;
	bytes: number;
	durationMs: number;
	/** Each segment's start (wall clock) and its length in the file, in order. */
	segments: Array<{ startedAt: number; durationMs: number }>;
}

export interface RecorderEvents {
	/** ffmpeg died and was not started again (too many restarts, or no tap): recording stopped. */
	failed: [error: Error];
	/** ffmpeg died and a new segment was started. */
	restarted: [];
	/** A segment started (its first frame came): keep its start where a crash cannot lose it. */
	segment: [segment: Segment];
}

const KEY_FRAME_EVERY_MS = 4000;
/** How long ffmpeg is given to close its file after SIGINT, before SIGKILL. */
const STOP_GRACE_MS = 3000;
/** How long the first frame is waited for after the tap resumes (Chromium spaces key frames about a second apart). */
const FIRST_FRAME_MS = 5000;
/** When a second key frame is asked for after the first (Chromium takes one request a second). */
const SECOND_FRAME_MS = 1500;
/** How long a stop waits for one more frame, so that the video lasts until the stop. */
const LAST_FRAME_MS = 1500;

export class Recorder extends EventEmitter<RecorderEvents> {
	readonly #options: RecorderOptions;
	readonly #ffmpeg: string;
	readonly segments: Segment[] = [];
	#current: { segment: Segment; process: ChildProcess; tap: RecordingTap; timer: NodeJS.Timeout; exited: Promise<void>; stopping: boolean; bytes: number; stderr: () => string } | undefined;
	/** Serialises starts and stops. */
	#queue: Promise<unknown> = Promise.resolve();
	#restarts = 0;
	#finished = false;

	constructor(options: RecorderOptions) {
		super();
		this.#options = options;
		this.#ffmpeg = options.ffmpeg ?? 'ffmpeg';
		fs.mkdirSync(options.dir, { recursive: true, mode: 0o700 });
	}

	/** Whether a segment is being recorded now. */
	get recording(): boolean {
		return this.#current !== undefined && !this.#current.stopping;
	}

	/** The running ffmpeg's process id (tests kill it). */
	get pid(): number | undefined {
		return this.#current?.process.pid;
	}

	/** Starts recording (a new segment); nothing if already recording. Tried twice (a port taken meanwhile, a slow start). */
	start(): Promise<void> {
		return this.#serial(async () => {
			if (this.#finished) throw new Error('the recording is finished');
			if (this.#current) return;
			try {
				await this.#startSegment();
			} catch (error) {
				this.#options.logger.warn({ err: (error as Error).message }, 'the recorder did not start; trying again');
				await this.#startSegment();
			}
		});
	}

	/** Stops recording (the segment is closed); nothing if not recording. */
	stop(): Promise<void> {
		return this.#serial(() => this.#stopSegment('stopped'));
	}

	/** The producer was replaced: the running segment ends and a new one taps the new producer. */
	producerChanged(): Promise<void> {
		return this.#serial(async () => {
			if (!this.#current || this.#finished) return;
			await this.#stopSegment('producer_changed');
			await this.#startSegment();
		});
	}

	/**
	 * Stops, then remuxes every segment that holds video into `out` (an MP4 with its index
	 * first). Undefined when nothing playable was recorded. The segments are deleted once
	 * `out` is written.
	 */
	finish(out: string): Promise<FinishedRecording | undefined> {
		return this.#serial(async () => {
			this.#finished = true;
			await this.#stopSegment('stopped');
			return remux(this.#ffmpeg, this.segments, out, this.#options.dir);
		});
	}

	/** Stops ffmpeg at once (the session is being torn down); the segments stay on disk. */
	async abort(): Promise<void> {
		this.#finished = true;
		const current = this.#current;
		if (!current) return;
		current.stopping = true;
		clearInterval(current.timer);
		current.tap.close();
		current.process.kill('SIGKILL');
		await current.exited;
	}

	#serial<T>(work: () => Promise<T>): Promise<T> {
		const next = this.#queue.then(work);
		this.#queue = next.catch(() => undefined);
		return next;
	}

	async #startSegment(): Promise<void> {
		const index = this.segments.length;
		const file = path.join(this.#options.dir, `segment-${String(index).padStart(3, '0')}.part.mp4`);
		const sdpFile = path.join(this.#options.dir, `segment-${String(index).padStart(3, '0')}.sdp`);
		const port = await freeUdpPort();
		const tap = await this.#options.tap(port);
		let process_: ChildProcess;
		try {
			fs.writeFileSync(sdpFile, sdp(tap, port), { mode: 0o600 });
			process_ = spawn(this.#ffmpeg, ffmpegArgs(sdpFile, file), { stdio: ['ignore', 'ignore', 'pipe'] });
		} catch (error) {
			tap.close();
			throw error;
		}
		let stderr = '';
		process_.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
			stderr = (stderr + chunk).slice(-2000);
		});
		const exited = new Promise<void>((resolve) => {
			process_.once('exit', () => resolve());
			process_.once('error', () => resolve());
		});
		try {
			// NOTE: RTP sent before ffmpeg listens is lost, and the key frame asked for at the
			// resume with it; ffmpeg binds its socket in tens of milliseconds.
			await waitForUdpListener(port, exited, 10_000);
			await tap.resume();
			await tap.requestKeyFrame();
			// NOTE: the video's time 0 is its first frame, a key frame: when it was sent is when
			// this segment starts, for the timeline.
			await waitFor(async () => (await tap.stats()).packets > 0, FIRST_FRAME_MS);
		} catch (error) {
			tap.close();
			process_.kill('SIGKILL');
			await exited;
			throw new Error(`the recorder did not start: ${(error as Error).message}${stderr ? `; ffmpeg said: ${stderr.trim()}` : ''}`);
		}
		const segment: Segment = { file, startedAt: Date.now() };
		// NOTE: ffmpeg writes nothing until a second frame comes (on a page at rest, perhaps
		// not for seconds): one is asked for as soon as Chromium takes another request.
		setTimeout(() => void tap.requestKeyFrame().catch(() => undefined), SECOND_FRAME_MS).unref();
		this.segments.push(segment);
		this.emit('segment', segment);
		const timer = setInterval(() => {
			void tap.requestKeyFrame().catch(() => undefined);
			this.#countBytes();
		}, this.#options.keyFrameEveryMs ?? KEY_FRAME_EVERY_MS);
		timer.unref();
		const current = { segment, process: process_, tap, timer, exited, stopping: false, bytes: 0, stderr: () => stderr };
		this.#current = current;
		void exited.then(() => {
			if (current.stopping) return;
			// NOTE: ffmpeg died under us (killed, or its input timed out): what it wrote stays
			// playable; a new segment goes on recording.
			this.#options.logger.warn({ code: process_.exitCode, signal: process_.signalCode, ffmpeg: stderr.trim().slice(-300) }, 'the recorder died');
			void this.#serial(async () => {
				if (this.#current !== current) return;
				await this.#stopSegment('recorder_died');
				if (this.#finished) return;
				if (this.#restarts >= (this.#options.maxRestarts ?? 3)) {
					this.emit('failed', new Error('the recorder died too often'));
					return;
				}
				this.#restarts++;
				try {
					await this.#startSegment();
					this.emit('restarted');
				} catch (error) {
					this.emit('failed', error as Error);
				}
			});
		});
	}

	async #stopSegment(reason: NonNullable<Segment['ended']>): Promise<void> {
		const current = this.#current;
		if (!current) return;
		current.stopping = true;
		clearInterval(current.timer);
		const live = reason !== 'recorder_died' && !current.tap.closed();
		if (live) {
			// NOTE: a page at rest sends no frames: one more makes the video last until now.
			const before = (await current.tap.stats().catch(() => ({ packets: 0 }))).packets;
			await current.tap.requestKeyFrame().catch(() => undefined);
			await waitFor(async () => (await current.tap.stats()).packets > before, LAST_FRAME_MS).catch(() => undefined);
		}
		// NOTE: on SIGINT ffmpeg finishes the packet it reads and writes what it holds, but it
		// waits in its read until a frame comes (on a quiet page, until its input times out,
		// 10 s): a key frame asked for now comes within a second or so (Chromium spaces them).
		// A second signal would make it drop what it holds.
		current.process.kill('SIGINT');
		if (live) await current.tap.requestKeyFrame().catch(() => undefined);
		if (!(await within(current.exited, STOP_GRACE_MS))) {
			current.process.kill('SIGKILL');
			await current.exited;
		}
		// NOTE: the last frame came as ffmpeg stopped: the video ends now.
		current.segment.endedAt = Date.now();
		const sent = await current.tap.stats().catch(() => null);
		current.tap.close();
		this.#options.logger.debug({ sent, reason, ffmpeg: current.stderr().trim().slice(-1500) }, 'recording segment ended');
		current.segment.ended = reason;
		this.#countBytes(current);
		this.#current = undefined;
	}

	#countBytes(current = this.#current): void {
		if (!current) return;
		const size = fileSize(current.segment.file);
		if (size > current.bytes) {
			this.#options.onBytes?.(size - current.bytes);
			current.bytes = size;
		}
	}
}

/** ffmpeg: read the SDP's RTP, copy the video into a fragmented MP4 (1 s fragments). */
function ffmpegArgs(sdpFile: string, out: string): string[] {
	return [
		'-hide_banner', '-nostdin', '-nostats', '-loglevel', process.env.REC_FFLOG ?? 'error',
		'-protocol_whitelist', 'file,rtp,udp',
		// NOTE: reordering over loopback is rare; a small queue keeps latency and memory low.
		'-reorder_queue_size', '0',
		// NOTE: on loopback only; by default ffmpeg listens on every interface, where anyone
		// could send it packets to record.
		'-localaddr', '127.0.0.1',
		// NOTE: a page at rest sends a frame now and then, and by default ffmpeg decodes seven
		// frames before it writes anything (minutes, on a quiet page). It need not: the first
		// packet is the key frame's parameter sets, and the time stamps come from RTP.
		'-probesize', '32', '-analyzeduration', '0',
		'-i', sdpFile,
		'-map', '0:v:0', '-c:v', 'copy',
		// NOTE: fragmented (half a second, or at a key frame), each written out at once, so that
		// what was recorded plays if ffmpeg or this process is killed: all but the last
		// fragment, which waits for a frame after it (on a quiet page, the last picture).
		'-f', 'mp4', '-movflags', '+frag_keyframe+delay_moov+default_base_moof', '-frag_duration', '500000', '-flush_packets', '1',
		'-y', out,
	];
}

/** The SDP ffmpeg reads: one H.264 stream on 127.0.0.1:port, RTCP on the same port. */
export function sdp(tap: Pick<RecordingTap, 'codec'>, port: number): string {
	const { payloadType, clockRate, mimeType, parameters } = tap.codec;
	const name = mimeType.split('/')[1];
	const fmtp = Object.entries(parameters)
		.filter(([key]) => /^[a-z0-9-]+$/i.test(key))
		.map(([key, value]) => `${key}=${String(value)}`)
		.join(';');
	return [
		'v=0',
		'o=- 0 0 IN IP4 127.0.0.1',
		's=alongside recording',
		'c=IN IP4 127.0.0.1',
		't=0 0',
		`m=video ${port} RTP/AVP ${payloadType}`,
		`a=rtpmap:${payloadType} ${name}/${clockRate}`,
		...(fmtp ? [`a=fmtp:${payloadType} ${fmtp}`] : []),
		'a=rtcp-mux',
		'a=recvonly',
		'',
	].join('\n');
}

/**
 * Joins the segments that hold video into one MP4 with its index first (codec copy).
 * Segments are checked with ffprobe first: one that ffmpeg died in before writing a
 * fragment is left out.
 */
export async function remux(ffmpeg: string, segments: Array<Pick<Segment, 'file' | 'startedAt'>>, out: string, dir: string): Promise<FinishedRecording | undefined> {
	const playable: Array<{ segment: Pick<Segment, 'file' | 'startedAt'>; durationMs: number }> = [];
	for (const segment of segments) {
		const durationMs = await probeDurationMs(segment.file);
		// NOTE: one frame is a picture worth keeping (a short recording of a page at rest).
		if (durationMs !== undefined) playable.push({ segment, durationMs });
	}
	if (playable.length === 0) return undefined;
	const tmp = `${out}.part`;
	let input: string[];
	if (playable.length === 1) {
		input = ['-i', playable[0]!.segment.file];
	} else {
		const list = path.join(dir, 'segments.txt');
		fs.writeFileSync(list, playable.map((p) => `file '${p.segment.file.replace(/'/g, "'\\''")}'\n`).join(''), { mode: 0o600 });
		input = ['-f', 'concat', '-safe', '0', '-i', list];
	}
	await run(ffmpeg, ['-hide_banner', '-nostats', '-loglevel', 'error', ...input, '-map', '0:v:0', '-c', 'copy', '-movflags', '+faststart', '-f', 'mp4', '-y', tmp]);
	fs.renameSync(tmp, out);
	const durationMs = (await probeDurationMs(out)) ?? playable.reduce((n, p) => n + p.durationMs, 0);
	for (const segment of segments) {
		fs.rmSync(segment.file, { force: true });
		fs.rmSync(segment.file.replace(/\.part\.mp4$/, '.sdp'), { force: true });
	}
	fs.rmSync(path.join(dir, 'segments.txt'), { force: true });
	return { file: out, bytes: fs.statSync(out).size, durationMs, segments: playable.map((p) => ({ startedAt: p.segment.startedAt, durationMs: p.durationMs })) };
}

/**
 * A media file's duration by ffprobe, or undefined if it holds no video. A fragmented MP4
 * cut short (ffmpeg killed) has no duration of its own: its last frame's time stands in.
 */
export async function probeDurationMs(file: string, ffprobe = 'ffprobe'): Promise<number | undefined> {
	if (fileSize(file) === 0) return undefined;
	try {
		// NOTE: a file closed properly knows its duration (fast); one cut short is read packet by packet.
		const format = Number.parseFloat((await run(ffprobe, ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'format=duration', '-of', 'csv=p=0', file])).trim());
		if (Number.isFinite(format) && format > 0) return Math.round(format * 1000);
		const out = await run(ffprobe, ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts_time', '-of', 'csv=p=0', file]);
		const times = out.trim().split('\n').filter(Boolean).map((l) => Number.parseFloat(l));
		if (times.length === 0) return undefined; // NOTE: no video packet at all.
		// NOTE: ffmpeg's H.264 parser hands a frame on when the next one starts: the last frame
		// sent before a stop is not in the file, and a page at rest may leave a segment of one frame.
		const last = Math.max(0, ...times.filter(Number.isFinite));
		return Math.round(last * 1000);
	} catch {
		return undefined;
	}
}

/** Runs a program to its end; resolves with its stdout, rejects with its stderr's tail. */
function run(program: string, args: string[]): Promise<string> {
	return new Promise((resolve, reject) => {
		const child = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'] });
		let out = '';
		let err = '';
		child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
		child.stderr.setEncoding('utf8').on('data', (c: string) => (err = (err + c).slice(-2000)));
		child.once('error', reject);
		child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${path.basename(program)} exited with ${code}: ${err.trim()}`))));
	});
}

/** A UDP port on 127.0.0.1 that was free a moment ago. */
function freeUdpPort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const socket = dgram.createSocket('udp4');
		socket.once('error', reject);
		socket.bind(0, '127.0.0.1', () => {
			const { port } = socket.address();
			socket.close(() => resolve(port));
		});
	});
}

/** Waits until something listens on UDP 127.0.0.1:port (/proc/net/udp), or fails. */
async function waitForUdpListener(port: number, exited: Promise<void>, timeoutMs: number): Promise<void> {
	let gone = false;
	void exited.then(() => (gone = true));
	const wanted = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
	const until = Date.now() + timeoutMs;
	while (Date.now() < until) {
		if (gone) throw new Error('ffmpeg exited');
		if (fs.readFileSync('/proc/net/udp', 'utf8').includes(` ${wanted} `)) return;
		await delay(15);
	}
	throw new Error(`ffmpeg did not listen on UDP port ${port} in ${timeoutMs} ms`);
}

/** Polls `check` every 10 ms until it holds; rejects after `ms`. */
async function waitFor(check: () => Promise<boolean>, ms: number): Promise<void> {
	const until = Date.now() + ms;
	while (!(await check())) {
		if (Date.now() > until) throw new Error(`no frame came in ${ms} ms`);
		await delay(10);
	}
}

function fileSize(file: string): number {
	try {
		return fs.statSync(file).size;
	} catch {
		return 0;
	}
}

function delay(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Whether the promise settled within `ms`. */
async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
	let timer: NodeJS.Timeout | undefined;
	const settled = await Promise.race([promise.then(() => true), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)))]);
	clearTimeout(timer);
	return settled;
}
