/**
 * Recording sessions: one recorder per recorded session (sfu/Recorder.ts, on the masked
 * rendition only, never the clear one), its row in the store, its file in the storage.
 *
 * - Starting and stopping tells everyone in the session (Session.setRecording) and goes
 *   into the timeline.
 * - At the session's end the recorder stops before the room closes, then its segments are
 *   remuxed into one MP4 and handed to the storage.
 * - A recording left unfinished by a stopped service is finished at the next start from
 *   the segments on disk (what was recorded up to the crash plays).
 * - Files are deleted with their rows (by an admin, or when retention says).
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { Recorder, remux } from '../../sfu/Recorder.js';
import type { Metrics } from '../metrics.js';
import type { Session } from '../Session.js';
import type { RecordingRecord, Store } from '../store/Store.js';
import { OverlayTrack } from './OverlayTrack.js';
import type { RecordingStorage } from './storage.js';

export interface RecordingsOptions {
	store: Store;
	storage: RecordingStorage;
	/** Where segments are written while sessions run (one directory per recording). */
	workDir: string;
	logger: Logger;
	metrics: Metrics;
	/** The ffmpeg binary. Default `ffmpeg`. */
	ffmpeg?: string;
	/** A recording is stored and ready to watch. */
	onReady?: (record: RecordingRecord & { durationMs: number; bytes: number }) => void;
}

interface Live {
	record: RecordingRecord;
	recorder: Recorder;
	session: Session;
	/** The pointers, drawings and scrolls while recording (see OverlayTrack). */
	overlay: OverlayTrack;
	/** Settles when the recording is finished (stored, or failed). */
	finished?: Promise<void>;
}

export class Recordings {
	readonly #options: RecordingsOptions;
	readonly #live = new Map<string, Live>();

	constructor(options: RecordingsOptions) {
		this.#options = options;
		fs.mkdirSync(options.workDir, { recursive: true, mode: 0o700 });
		options.metrics.bindRecordings(() => [...this.#live.values()].filter((l) => l.recorder.recording).length);
	}

	/** The storage key of a recording's file. */
	static keyOf(record: Pick<RecordingRecord, 'companyId' | 'id'>): string {
		return `${record.companyId}/${record.id}.mp4`;
	}

	/** The storage key of a recording's overlay track (pointers, drawings, scrolls). */
	static overlayKeyOf(record: Pick<RecordingRecord, 'companyId' | 'id'>): string {
		return `${record.companyId}/${record.id}.overlay.json`;
	}

	/** Whether a session is being recorded now. */
	recording(sessionId: string): boolean {
		return this.#live.get(sessionId)?.recorder.recording === true;
	}

	/**
	 * Starts recording a session (a new segment if it was stopped); `by` is who started it
	 * (null: the company's setting). Rejects if the recorder cannot start; the session goes on.
	 */
	async start(session: Session, by: string | null): Promise<void> {
		const binding = session.binding;
		if (!binding || binding.preview || session.ended) return;
		let live = this.#live.get(session.id);
		if (live?.recorder.recording) return;
		if (!live) live = await this.#open(session);
		try {
			await live.recorder.start();
		} catch (error) {
			this.#options.metrics.recorderFailures.inc({ reason: 'start' });
			throw error;
		}
		session.setRecording(true);
		// NOTE: the overlay starts from what is drawn now and where the page is.
		live.overlay.annotation({ type: 'annotation/snapshot', ...session.overlayState });
		session.log({ type: 'recording.started', by });
	}

	/** Stops recording a session (it can start again); `by` is who stopped it. */
	async stop(session: Session, by: string | null): Promise<void> {
		const live = this.#live.get(session.id);
		if (!live?.recorder.recording) return;
		await live.recorder.stop();
		session.setRecording(false);
		session.log({ type: 'recording.stopped', by, reason: 'stopped' });
	}

	async #open(session: Session): Promise<Live> {
		const record: RecordingRecord = {
			id: randomUUID(),
			sessionId: session.id,
			companyId: session.binding!.companyId,
			status: 'recording',
			startedAt: Date.now(),
			endedAt: null,
			durationMs: null,
			bytes: null,
			storageKey: null,
			segments: [],
		};
		await this.#options.store.insertRecording(record);
		const recorder = new Recorder({
			tap: (port) => session.room.recordingTap('masked', port),
			dir: path.join(this.#options.workDir, record.id),
			logger: this.#options.logger.child({ sessionId: session.id, recordingId: record.id }),
			...(this.#options.ffmpeg ? { ffmpeg: this.#options.ffmpeg } : {}),
			onBytes: (bytes) => this.#options.metrics.recordingBytes.inc(bytes),
		});
		const live: Live = { record, recorder, session, overlay: new OverlayTrack() };
		this.#live.set(session.id, live);
		session.on('overlay', (kind, message, who) => {
			if (kind === 'cursor') live.overlay.cursor(message as { type: string; participantId: string }, Date.now(), who);
			else if (kind === 'annotation') live.overlay.annotation(message);
			else if (kind === 'viewport') live.overlay.viewport(message as { width: number; height: number });
			else live.overlay.scroll(message);
		});
		recorder.on('segment', () => {
			record.segments = recorder.segments.map((s) => ({ startedAt: s.startedAt }));
			this.#options.store.updateRecording(record.id, { segments: record.segments }).catch((error: unknown) => this.#options.logger.error({ err: error }, 'could not keep a segment start'));
		});
		recorder.on('restarted', () => this.#options.metrics.recorderFailures.inc({ reason: 'died' }));
		recorder.on('failed', (error) => {
			this.#options.metrics.recorderFailures.inc({ reason: 'gave_up' });
			this.#options.logger.error({ err: error.message }, 'recording failed; the session goes on unrecorded');
			session.setRecording(false, true);
			session.log({ type: 'recording.stopped', by: null, reason: 'failed' });
		});
		// NOTE: the last frames come through the room, so the recorder stops before it closes.
		session.beforeClose(async () => {
			if (live.recorder.recording) session.log({ type: 'recording.stopped', by: null, reason: 'ended' });
			await live.recorder.stop().catch(() => undefined);
		});
		session.once('ended', () => {
			live.finished = this.#finish(live);
		});
		return live;
	}

	/** Remuxes a finished session's segments and hands the file to the storage. */
	async #finish(live: Live): Promise<void> {
		const { record, recorder } = live;
		const dir = path.join(this.#options.workDir, record.id);
		try {
			const finished = await recorder.finish(path.join(dir, 'recording.mp4'));
			await this.#store(record, finished);
			if (finished) {
				const overlay = path.join(dir, 'overlay.json');
				fs.writeFileSync(overlay, JSON.stringify(live.overlay.data()), { mode: 0o600 });
				await this.#options.storage.put(Recordings.overlayKeyOf(record), overlay);
			}
		} catch (error) {
			this.#options.metrics.recorderFailures.inc({ reason: 'finish' });
			this.#options.logger.error({ err: error, recordingId: record.id }, 'could not finish a recording');
			await this.#options.store.updateRecording(record.id, { status: 'failed', endedAt: Date.now() }).catch(() => undefined);
		} finally {
			fs.rmSync(dir, { recursive: true, force: true });
			this.#live.delete(live.session.id);
		}
	}

	async #store(record: RecordingRecord, finished: Awaited<ReturnType<Recorder['finish']>>): Promise<void> {
		if (!finished) {
			this.#options.logger.warn({ recordingId: record.id, segments: record.segments.length }, 'nothing playable was recorded');
			await this.#options.store.updateRecording(record.id, { status: 'failed', endedAt: Date.now() });
			return;
		}
		const key = Recordings.keyOf(record);
		await this.#options.storage.put(key, finished.file);
		await this.#options.store.updateRecording(record.id, {
			status: 'ready',
			endedAt: Date.now(),
			durationMs: finished.durationMs,
			bytes: finished.bytes,
			storageKey: key,
			segments: finished.segments,
		});
		this.#options.onReady?.({ ...record, status: 'ready', durationMs: finished.durationMs, bytes: finished.bytes, storageKey: key });
	}

	/** Settles once every recording of ended sessions is stored (tests, shutdown). */
	async settled(): Promise<void> {
		await Promise.allSettled([...this.#live.values()].map((l) => l.finished));
	}

	/**
	 * Finishes recordings a stopped service left unfinished, from their segments on disk.
	 * Called at start, before any session runs.
	 */
	async recover(): Promise<number> {
		let recovered = 0;
		for (const record of await this.#options.store.listUnfinishedRecordings()) {
			const dir = path.join(this.#options.workDir, record.id);
			const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.part.mp4')).sort() : [];
			const segments = files.map((f, i) => ({ file: path.join(dir, f), startedAt: record.segments[i]?.startedAt ?? record.startedAt }));
			try {
				const finished = await remux(this.#options.ffmpeg ?? 'ffmpeg', segments, path.join(dir, 'recording.mp4'), dir);
				await this.#store(record, finished);
				if (finished) recovered++;
			} catch (error) {
				this.#options.logger.error({ err: error, recordingId: record.id }, 'could not recover a recording');
				await this.#options.store.updateRecording(record.id, { status: 'failed', endedAt: Date.now() });
			}
			fs.rmSync(dir, { recursive: true, force: true });
		}
		return recovered;
	}

	/** Deletes a recording's file and row. */
	async delete(record: RecordingRecord): Promise<void> {
		if (record.storageKey) await this.#options.storage.delete(record.storageKey);
		await this.#options.storage.delete(Recordings.overlayKeyOf(record));
		await this.#options.store.deleteRecording(record.id);
	}
}
