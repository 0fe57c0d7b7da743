/**
 * Where finished recordings are kept. Local disk (the data directory, readable by this
 * service's user only) by default; an object store can stand behind the same interface.
 * Keys are made by Alongside (`<company>/<recording>.mp4`), never by a request.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { SignalingConfig } from '../config.js';

type RecordingStoreConfig = SignalingConfig['recordingStore'];

export interface RecordingStorage {
	/** Takes the file at `from` (moved, or uploaded and removed) under `key`. */
	put(key: string, from: string): Promise<void>;
	/** The stored file's size, or undefined if there is none. */
	size(key: string): Promise<number | undefined>;
	/** The bytes `start` to `end` (inclusive) of the stored file. */
	read(key: string, range: { start: number; end: number }): Promise<Readable>;
	/** Deletes the file; nothing if it is already gone. */
	delete(key: string): Promise<void>;
}

/** The storage the configuration names; an S3 bucket is checked first (a wrong setting fails the start, by name). */
export async function openRecordingStorage(store: RecordingStoreConfig, dataDir: string): Promise<RecordingStorage & { close?(): void }> {
	if (store.kind === 'local') return new LocalRecordingStorage(path.join(dataDir, 'recordings'));
	// NOTE: loaded only when used: the SDK is large.
	const { S3RecordingStorage } = await import('./s3Storage.js');
	const s3 = new S3RecordingStorage({ bucket: store.bucket, prefix: store.prefix, region: store.region, endpoint: store.endpoint, forcePathStyle: store.endpoint !== undefined, serverSideEncryption: store.sse });
	try {
		await s3.check();
	} catch (error) {
		s3.close();
		throw error;
	}
	return s3;
}

/** Files under one directory. */
export class LocalRecordingStorage implements RecordingStorage {
	readonly #dir: string;

	constructor(dir: string) {
		this.#dir = dir;
		fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
	}

	async put(key: string, from: string): Promise<void> {
		const to = this.#path(key);
		fs.mkdirSync(path.dirname(to), { recursive: true, mode: 0o700 });
		try {
			fs.renameSync(from, to);
		} catch (error) {
			// NOTE: another file system (a work directory on tmpfs): copy, then remove.
			if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
			fs.copyFileSync(from, to);
			fs.rmSync(from, { force: true });
		}
		fs.chmodSync(to, 0o600);
	}

	async size(key: string): Promise<number | undefined> {
		try {
			return fs.statSync(this.#path(key)).size;
		} catch {
			return undefined;
		}
	}

	async read(key: string, range: { start: number; end: number }): Promise<Readable> {
		return fs.createReadStream(this.#path(key), range);
	}

	async delete(key: string): Promise<void> {
		fs.rmSync(this.#path(key), { force: true });
	}

	/** The file of a key; refuses a key that would leave the directory. */
	#path(key: string): string {
		assertRecordingKey(key);
		return path.join(this.#dir, key);
	}
}

/** Refuses anything but `<company>/<id>.mp4` or `<company>/<id>.overlay.json` (no path can leave its place). */
export function assertRecordingKey(key: string): void {
	if (!/^[A-Za-z0-9_-]+\/[A-Za-z0-9_-]+\.(mp4|overlay\.json)$/.test(key)) throw new Error(`not a recording key: ${JSON.stringify(key)}`);
}
