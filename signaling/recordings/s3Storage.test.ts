/**
 * The S3 backend against a real S3-protocol server on loopback (s3rver: objects on disk;
 * it checks the access key of signed requests, not their V4 signature): upload (multipart for a large file), size, byte ranges,
 * delete; a wrong secret or a missing bucket fails the start by name.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { text } from 'node:stream/consumers';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3RecordingStorage } from './s3Storage.js';

let server: S3rver;
let endpoint: string;
let dir: string;
const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

function storage(options: Partial<ConstructorParameters<typeof S3RecordingStorage>[0]> = {}): S3RecordingStorage {
	return new S3RecordingStorage({ bucket: 'recordings', prefix: 'alongside/', region: 'us-east-1', endpoint, forcePathStyle: true, credentials, ...options });
}

function file(bytes: Buffer): string {
	const at = path.join(dir, crypto.randomUUID());
	fs.writeFileSync(at, bytes);
	return at;
}

beforeAll(async () => {
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alongside-s3-'));
	server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: path.join(dir, 'store'), configureBuckets: [{ name: 'recordings', configs: [] }] });
	const { port } = await server.run();
	endpoint = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
	await server?.close();
	fs.rmSync(dir, { recursive: true, force: true });
});

describe('recordings in an S3-compatible store', () => {
	it('keeps a file under its key (the local copy goes), and reads back its size and any byte range', async () => {
		const s3 = storage();
		await s3.check();
		const bytes = crypto.randomBytes(100_000);
		const from = file(bytes);
		await s3.put('demo/rec-1.mp4', from);
		expect(fs.existsSync(from)).toBe(false);
		expect(await s3.size('demo/rec-1.mp4')).toBe(100_000);
		const range = Buffer.from(await (await s3.read('demo/rec-1.mp4', { start: 1000, end: 1999 })).toArray().then((chunks) => Buffer.concat(chunks)));
		expect(range.equals(bytes.subarray(1000, 2000))).toBe(true);
		// Under the prefix, in the bucket.
		expect(fs.readdirSync(path.join(dir, 'store', 'recordings', 'alongside', 'demo')).some((f) => f.startsWith('rec-1.mp4'))).toBe(true);
		await s3.put('demo/rec-1.overlay.json', file(Buffer.from('{"entries":[]}')));
		expect(await text(await s3.read('demo/rec-1.overlay.json', { start: 0, end: 13 }))).toBe('{"entries":[]}');
		await s3.delete('demo/rec-1.mp4');
		expect(await s3.size('demo/rec-1.mp4')).toBeUndefined();
		// Deleting what is gone is not an error.
		await s3.delete('demo/rec-1.mp4');
		s3.close();
	});

	it('uploads a long recording in parts', async () => {
		const s3 = storage();
		const bytes = crypto.randomBytes(17 * 1024 * 1024);
		await s3.put('demo/long.mp4', file(bytes));
		expect(await s3.size('demo/long.mp4')).toBe(bytes.length);
		const tail = Buffer.concat(await (await s3.read('demo/long.mp4', { start: bytes.length - 10, end: bytes.length - 1 })).toArray());
		expect(tail.equals(bytes.subarray(bytes.length - 10))).toBe(true);
		s3.close();
	});

	it('fails the start, naming the bucket, with unknown credentials or a bucket that is not there', async () => {
		const wrong = storage({ credentials: { accessKeyId: 'AKIDNOTKNOWN', secretAccessKey: 'not-the-secret' } });
		await expect(wrong.check()).rejects.toThrow(/"recordings" cannot be reached/);
		const missing = storage({ bucket: 'no-such-bucket' });
		await expect(missing.check()).rejects.toThrow(/"no-such-bucket" cannot be reached/);
		// The error never carries the secret.
		await wrong.check().catch((error: Error) => expect(error.message).not.toContain('not-the-secret'));
		wrong.close();
		missing.close();
	});

	it('refuses a key that is not a recording key', async () => {
		const s3 = storage();
		await expect(s3.size('../etc/passwd')).rejects.toThrow(/not a recording key/);
		await expect(s3.put('demo/../../x.mp4', file(Buffer.from('x')))).rejects.toThrow(/not a recording key/);
		s3.close();
	});
});
