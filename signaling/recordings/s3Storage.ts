/**
 * Recordings in an S3-compatible object store (AWS S3, MinIO, Ceph, R2…): one object per
 * key, under a prefix, in one bucket. The service reads them back for the signed-link
 * routes (byte ranges), so the bucket stays private: no public or presigned URLs are
 * handed out, and every read is checked against the reader's account as it is now.
 *
 * Credentials come from the SDK's usual chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY,
 * a shared profile, an instance or pod role); none are kept in Alongside's configuration.
 */
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, HeadBucketCommand, HeadObjectCommand, S3Client, S3ServiceException, type ServerSideEncryption } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { assertRecordingKey, type RecordingStorage } from './storage.js';

export interface S3StorageOptions {
	bucket: string;
	/** Prepended to every key (`recordings/` → `recordings/<company>/<id>.mp4`). */
	prefix: string;
	region: string;
	/** An S3-compatible service's address; undefined: AWS. */
	endpoint?: string;
	/** Path-style addresses (`endpoint/bucket/key`), which most S3-compatible services need. */
	forcePathStyle: boolean;
	/** Encryption at rest asked of the store; undefined: the bucket's default. */
	serverSideEncryption?: ServerSideEncryption;
	/** Credentials for tests; otherwise the SDK's chain. */
	credentials?: { accessKeyId: string; secretAccessKey: string };
}

export class S3RecordingStorage implements RecordingStorage {
	readonly #client: S3Client;
	readonly #options: S3StorageOptions;

	constructor(options: S3StorageOptions) {
		this.#options = options;
		this.#client = new S3Client({
			region: options.region,
			forcePathStyle: options.forcePathStyle,
			...(options.endpoint ? { endpoint: options.endpoint } : {}),
			...(options.credentials ? { credentials: options.credentials } : {}),
			// NOTE: a store that does not answer fails a request in seconds, not minutes.
			requestHandler: { requestTimeout: 30_000, connectionTimeout: 5000 },
			maxAttempts: 3,
			// NOTE: checksums only where S3 requires them: many S3-compatible stores refuse the
			// SDK's newer default (a CRC trailer on every upload).
			requestChecksumCalculation: 'WHEN_REQUIRED',
			responseChecksumValidation: 'WHEN_REQUIRED',
		});
	}

	/** Checks the bucket is there and reachable with these credentials (at start: a wrong setting fails early, by name). */
	async check(): Promise<void> {
		try {
			await this.#client.send(new HeadBucketCommand({ Bucket: this.#options.bucket }));
		} catch (error) {
			throw new Error(`the recordings bucket ${JSON.stringify(this.#options.bucket)} cannot be reached: ${describe(error)}`);
		}
	}

	async put(key: string, from: string): Promise<void> {
		const upload = new Upload({
			client: this.#client,
			params: {
				Bucket: this.#options.bucket,
				Key: this.#key(key),
				Body: fs.createReadStream(from),
				ContentType: key.endsWith('.mp4') ? 'video/mp4' : 'application/json',
				...(this.#options.serverSideEncryption ? { ServerSideEncryption: this.#options.serverSideEncryption } : {}),
			},
			// NOTE: parts of 8 MiB, two at a time: an hour's recording is about 60 MB.
			partSize: 8 * 1024 * 1024,
			queueSize: 2,
		});
		await upload.done();
		fs.rmSync(from, { force: true });
	}

	async size(key: string): Promise<number | undefined> {
		try {
			const head = await this.#client.send(new HeadObjectCommand({ Bucket: this.#options.bucket, Key: this.#key(key) }));
			return head.ContentLength;
		} catch (error) {
			if (notFound(error)) return undefined;
			throw error;
		}
	}

	async read(key: string, range: { start: number; end: number }): Promise<Readable> {
		const object = await this.#client.send(new GetObjectCommand({ Bucket: this.#options.bucket, Key: this.#key(key), Range: `bytes=${range.start}-${range.end}` }));
		if (!(object.Body instanceof Readable)) throw new Error('the object store sent no body');
		return object.Body;
	}

	async delete(key: string): Promise<void> {
		// NOTE: S3 answers a delete of a missing object with success: nothing to catch.
		await this.#client.send(new DeleteObjectCommand({ Bucket: this.#options.bucket, Key: this.#key(key) }));
	}

	close(): void {
		this.#client.destroy();
	}

	#key(key: string): string {
		assertRecordingKey(key);
		return `${this.#options.prefix}${key}`;
	}
}

function notFound(error: unknown): boolean {
	return error instanceof S3ServiceException && (error.$metadata.httpStatusCode === 404 || error.name === 'NotFound' || error.name === 'NoSuchKey');
}

/** What went wrong, without the request's signature or credentials. */
function describe(error: unknown): string {
	if (error instanceof S3ServiceException) return `${error.name} (HTTP ${error.$metadata.httpStatusCode ?? '?'})`;
	return error instanceof Error ? error.message : String(error);
}
