import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { ConfigError } from '../protocol/env.js';

describe('loadConfig', () => {
	it('runs with no configuration at all', () => {
		const config = loadConfig({});
		expect(config.signaling.port).toBe(8080);
		expect(config.publisher.viewport).toEqual({ width: 1280, height: 720 });
		expect(config.sfu.workers).toBeGreaterThanOrEqual(1);
		expect(config.sfu.announcedAddress).toBeUndefined();
	});

	it('treats empty values as unset', () => {
		expect(loadConfig({ ALONGSIDE_PORT: '' }).signaling.port).toBe(8080);
	});

	it('names every bad key without echoing values', () => {
		let error: unknown;
		try {
			loadConfig({ ALONGSIDE_PORT: 'eighty', ALONGSIDE_VIEWPORT: 'huge' });
		} catch (e) {
			error = e;
		}
		expect(error).toBeInstanceOf(ConfigError);
		expect(String(error)).toMatch(/ALONGSIDE_PORT/);
		expect(String(error)).toMatch(/ALONGSIDE_VIEWPORT/);
		expect(String(error)).not.toMatch(/eighty|huge/);
	});

	it('rejects a malformed viewport and names it', () => {
		expect(() => loadConfig({ ALONGSIDE_VIEWPORT: '1280*720' })).toThrow(/ALONGSIDE_VIEWPORT: expected WIDTHxHEIGHT/);
	});

	it('keeps recordings in the data directory unless a bucket is named, and checks the bucket settings', () => {
		expect(loadConfig({}).signaling.recordingStore).toEqual({ kind: 'local' });
		expect(loadConfig({ ALONGSIDE_RECORDINGS_S3_BUCKET: 'acme-recordings', ALONGSIDE_RECORDINGS_S3_PREFIX: 'alongside/eu/', AWS_REGION: 'eu-west-1' }).signaling.recordingStore).toEqual({
			kind: 's3',
			bucket: 'acme-recordings',
			prefix: 'alongside/eu/',
			region: 'eu-west-1',
			endpoint: undefined,
			sse: undefined,
		});
		expect(() => loadConfig({ ALONGSIDE_RECORDINGS_S3_BUCKET: 'Not_A_Bucket' })).toThrow(/ALONGSIDE_RECORDINGS_S3_BUCKET: not a bucket name/);
		for (const prefix of ['no-slash', '../up/', '/root/', 'a//b/']) expect(() => loadConfig({ ALONGSIDE_RECORDINGS_S3_BUCKET: 'b-1', ALONGSIDE_RECORDINGS_S3_PREFIX: prefix }), prefix).toThrow(/ALONGSIDE_RECORDINGS_S3_PREFIX/);
		expect(() => loadConfig({ ALONGSIDE_RECORDINGS_S3_ENDPOINT: 'file:///etc' })).toThrow(/ALONGSIDE_RECORDINGS_S3_ENDPOINT/);
		expect(() => loadConfig({ ALONGSIDE_RECORDINGS_S3_SSE: 'rot13' })).toThrow(/ALONGSIDE_RECORDINGS_S3_SSE/);
	});
});
