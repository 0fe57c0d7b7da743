import { sign, verify } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KEEP_PREVIOUS_KEYS, KEYS_FILE, KeyStore } from './KeyStore.js';

/** The public key `kid`, failing the test if it is gone. */
function publicKeyOf(keys: KeyStore, kid: string) {
	const key = keys.publicKey(kid);
	if (!key) throw new Error(`key ${kid} is gone`);
	return key;
}

describe('KeyStore', () => {
	let dir: string;

	beforeEach(() => {
		dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alongside-keys-'));
	});

	afterEach(() => {
		fs.rmSync(dir, { recursive: true, force: true });
	});

	it('creates the keys file with mode 0600 in a 0700 directory on first open', () => {
		const dataDir = path.join(dir, 'data');
		const keys = KeyStore.open(dataDir);
		const file = path.join(dataDir, KEYS_FILE);
		expect(fs.statSync(file).mode & 0o777).toBe(0o600);
		expect(fs.statSync(dataDir).mode & 0o777).toBe(0o700);
		expect(keys.pinPepper.length).toBe(32);
		expect(keys.current().privateKey.asymmetricKeyType).toBe('ec');
		expect(keys.current().privateKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
	});

	it('gives the same keys and pepper when reopened', () => {
		const first = KeyStore.open(dir);
		const second = KeyStore.open(dir);
		expect(second.current().kid).toBe(first.current().kid);
		expect(second.pinPepper.equals(first.pinPepper)).toBe(true);
		const signature = sign('sha256', Buffer.from('hello'), first.current().privateKey);
		expect(verify('sha256', Buffer.from('hello'), publicKeyOf(second, first.current().kid), signature)).toBe(true);
	});

	it('keeps the previous keys verifying after a rotation, up to the limit', () => {
		const keys = KeyStore.open(dir);
		const oldKid = keys.current().kid;
		const signature = sign('sha256', Buffer.from('token'), keys.current().privateKey);
		const pepper = keys.pinPepper;

		const newKid = keys.rotate();
		expect(newKid).not.toBe(oldKid);
		expect(keys.current().kid).toBe(newKid);
		expect(verify('sha256', Buffer.from('token'), publicKeyOf(keys, oldKid), signature)).toBe(true);
		expect(keys.pinPepper.equals(pepper)).toBe(true);

		for (let i = 0; i < KEEP_PREVIOUS_KEYS; i++) keys.rotate();
		expect(keys.kids).toHaveLength(KEEP_PREVIOUS_KEYS + 1);
		expect(keys.publicKey(oldKid)).toBeUndefined();
		expect(fs.statSync(path.join(dir, KEYS_FILE)).mode & 0o777).toBe(0o600);
		expect(fs.readdirSync(dir)).toEqual([KEYS_FILE]);
	});

	it('picks up a rotation made by another instance (the CLI) from the file', () => {
		const server = KeyStore.open(dir, { reloadIntervalMs: 0 });
		const cli = KeyStore.open(dir);
		const kid = cli.rotate();
		expect(server.current().kid).toBe(kid);
		expect(server.publicKey(kid)).toBeDefined();
	});

	it('checks the file at most once per interval', () => {
		const server = KeyStore.open(dir, { reloadIntervalMs: 60_000 });
		const before = server.current().kid;
		KeyStore.open(dir).rotate();
		expect(server.current().kid).toBe(before);
	});

	it('refuses a malformed keys file without quoting its contents', () => {
		fs.writeFileSync(path.join(dir, KEYS_FILE), '{"version":1,"keys":[],"pinPepper":"c2VjcmV0LXNlY3JldA=="', { mode: 0o600 });
		expect(() => KeyStore.open(dir)).toThrow(/not valid JSON/);
		fs.writeFileSync(path.join(dir, KEYS_FILE), '{"version":1,"keys":[],"pinPepper":"c2VjcmV0LXNlY3JldA=="}', { mode: 0o600 });
		let message = '';
		try {
			KeyStore.open(dir);
		} catch (error) {
			message = (error as Error).message;
		}
		expect(message).toMatch(/malformed .*keys, pinPepper/);
		expect(message).not.toMatch(/c2VjcmV0/);
	});

	it('tightens the mode of an existing keys file that others could read', () => {
		KeyStore.open(dir);
		fs.chmodSync(path.join(dir, KEYS_FILE), 0o644);
		KeyStore.open(dir);
		expect(fs.statSync(path.join(dir, KEYS_FILE)).mode & 0o777).toBe(0o600);
	});
});
