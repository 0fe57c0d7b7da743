import { describe, expect, it } from 'vitest';
import { DUMMY_HASH, SCRYPT_PARAMS, generatePassword, hashPassword, verifyPassword } from './passwords.js';

describe('passwords', () => {
	it('verifies the password a hash was made from', async () => {
		const hash = await hashPassword('correct horse battery staple');
		expect(hash).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
		expect(await verifyPassword('correct horse battery staple', hash)).toBe(true);
	});

	it('rejects a wrong password', async () => {
		const hash = await hashPassword('correct horse battery staple');
		expect(await verifyPassword('correct horse battery stapler', hash)).toBe(false);
	});

	it('salts each hash differently, so equal passwords give different hashes', async () => {
		const [a, b] = await Promise.all([hashPassword('same password!'), hashPassword('same password!')]);
		expect(a).not.toBe(b);
		expect(await verifyPassword('same password!', b)).toBe(true);
	});

	it('answers false, without throwing, for malformed or hostile hashes', async () => {
		const good = await hashPassword('password1234');
		const [, N, r, p, salt, key] = good.split('$');
		const bad = [
			'',
			'not a hash',
			'bcrypt$2b$10$abc',
			`scrypt$${N}$${r}$${p}$${salt}`,
			`scrypt$${N}$${r}$${p}$${salt}$${key}$extra`,
			`scrypt$1000$${r}$${p}$${salt}$${key}`,
			`scrypt$${2 ** 24}$${r}$${p}$${salt}$${key}`,
			`scrypt$${N}$${r}$${p}$${salt}$${key?.slice(0, 20)}`,
			`scrypt$${N}$${r}$${p}$!!!$${key}`,
			`scrypt$-1$${r}$${p}$${salt}$${key}`,
		];
		for (const encoded of bad) expect(await verifyPassword('password1234', encoded)).toBe(false);
	});

	it('accepts no password against the dummy hash', async () => {
		expect(await verifyPassword('', DUMMY_HASH)).toBe(false);
		expect(await verifyPassword('password1234', DUMMY_HASH)).toBe(false);
	});

	it('makes the dummy hash cost exactly what a real one costs (same scrypt parameters and key size)', async () => {
		const fields = (encoded: string) => {
			const [scheme, N, r, p, salt, key] = encoded.split('$');
			return { scheme, N: Number(N), r: Number(r), p: Number(p), saltBytes: Buffer.from(salt!, 'base64').length, keyBytes: Buffer.from(key!, 'base64').length };
		};
		expect(fields(DUMMY_HASH)).toEqual(fields(await hashPassword('password1234')));
		expect(fields(DUMMY_HASH)).toMatchObject({ scheme: 'scrypt', ...SCRYPT_PARAMS });
		expect(await verifyPassword('anything at all', DUMMY_HASH)).toBe(false);
	});

	it('generates readable passwords of four groups with at least 80 bits and no repeats', () => {
		const seen = new Set<string>();
		for (let i = 0; i < 200; i++) {
			const password = generatePassword();
			expect(password).toMatch(/^[0-9a-hjkmnp-tv-z]{4}(-[0-9a-hjkmnp-tv-z]{4}){3}$/);
			seen.add(password);
		}
		expect(seen.size).toBe(200);
	});
});
