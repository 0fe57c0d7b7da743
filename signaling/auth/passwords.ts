/**
 * Password hashing with scrypt (node:crypto): memory-hard, so guessing on GPUs is costly.
 * Hashes are self-describing, `scrypt$N$r$p$saltB64$hashB64`, so parameters can be raised
 * later without invalidating stored hashes.
 */
import { randomBytes, randomInt, scrypt, timingSafeEqual } from 'node:crypto';

/** scrypt cost: N = 2^15, r = 8, p = 1 (32 MiB, about 100 ms per hash on one core). */
export const SCRYPT_PARAMS = { N: 2 ** 15, r: 8, p: 1 } as const;
/** Bytes of random salt per hash. */
export const SALT_BYTES = 16;
/** Bytes of derived key. */
export const KEY_BYTES = 32;
/** Upper bound on scrypt's memory, 64 MiB: twice what the parameters above need. */
const MAX_MEM = 64 * 1024 * 1024;

/**
 * A well-formed hash of no password anyone knows, with the current parameters. Verify
 * against it when a login names an unknown email, so the answer takes as long as for a
 * known one and timing does not tell which emails exist.
 */
export const DUMMY_HASH = 'scrypt$32768$8$1$M2Zq1eX8c0dCwYV3mG1iSw==$3Vb3fZ0sQjQGq1yqf0o7rVtC3YI6XH8k2m1n7d4p9Zc=';

function derive(password: string, salt: Buffer, params: { N: number; r: number; p: number }): Promise<Buffer> {
	return new Promise((resolve, reject) => {
		scrypt(password.normalize('NFC'), salt, KEY_BYTES, { ...params, maxmem: MAX_MEM }, (error, key) => (error ? reject(error) : resolve(key)));
	});
}

/** Hashes a password with a fresh random salt; returns the encoded `scrypt$…` string. */
export async function hashPassword(password: string): Promise<string> {
	const salt = randomBytes(SALT_BYTES);
	const key = await derive(password, salt, SCRYPT_PARAMS);
	const { N, r, p } = SCRYPT_PARAMS;
	return `scrypt$${N}$${r}$${p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/**
 * Whether `password` matches the encoded hash. Compares in constant time. A malformed hash,
 * or one whose parameters are out of the accepted range, is simply no match: false, never
 * an exception.
 */
export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
	const parsed = parseHash(encoded);
	if (!parsed) return false;
	const key = await derive(password, parsed.salt, parsed.params);
	return timingSafeEqual(key, parsed.key);
}

function parseHash(encoded: string): { params: { N: number; r: number; p: number }; salt: Buffer; key: Buffer } | undefined {
	const parts = encoded.split('$');
	if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
	const [N, r, p] = parts.slice(1, 4).map((part) => (/^\d{1,7}$/.test(part) ? Number(part) : Number.NaN)) as [number, number, number];
	// NOTE: bounds keep a corrupted or hostile hash from asking scrypt for unbounded work.
	const validN = N >= 2 && N <= 2 ** 17 && (N & (N - 1)) === 0;
	if (!validN || !(r >= 1 && r <= 16) || !(p >= 1 && p <= 4) || 128 * N * r > MAX_MEM / 1.5) return undefined;
	const base64 = /^[A-Za-z0-9+/]+={0,2}$/;
	if (!base64.test(parts[4] as string) || !base64.test(parts[5] as string)) return undefined;
	const salt = Buffer.from(parts[4] as string, 'base64');
	const key = Buffer.from(parts[5] as string, 'base64');
	if (salt.length < 8 || key.length !== KEY_BYTES) return undefined;
	return { params: { N, r, p }, salt, key };
}

/** Lower-case letters and digits without i, l, o, u: easy to read aloud and type. */
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/**
 * A random password to hand to a new user: four groups of four characters from a
 * 32-symbol alphabet, e.g. `k3qz-8m2d-x7rt-9pwa` (80 bits).
 */
export function generatePassword(): string {
	const groups: string[] = [];
	for (let g = 0; g < 4; g++) {
		let group = '';
		for (let c = 0; c < 4; c++) group += ALPHABET[randomInt(ALPHABET.length)];
		groups.push(group);
	}
	return groups.join('-');
}
