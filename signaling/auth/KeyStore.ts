/**
 * The service's secrets: ES256 signing keys for tokens and the pepper for PIN lookups.
 * Generated on first run and kept in `<dataDir>/keys.json` (mode 0600, directory 0700),
 * never hard-coded and never logged.
 *
 * Keys rotate: `rotate()` adds a new current key and keeps the previous ones (up to
 * {@link KEEP_PREVIOUS_KEYS}) so tokens they signed still verify until they expire. The file
 * is rewritten atomically, and a running server notices a rotation made by another process
 * (the `keys:rotate` CLI) within a second.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { z } from 'zod';

/** Name of the secrets file inside the data directory. */
export const KEYS_FILE = 'keys.json';
/** How many previous signing keys stay valid for verification after a rotation. */
export const KEEP_PREVIOUS_KEYS = 2;

const StoredKey = z.object({
	kid: z.string().min(1),
	privateKeyPem: z.string().startsWith('-----BEGIN'),
	publicKeyPem: z.string().startsWith('-----BEGIN'),
	createdAt: z.number().int(),
});
type StoredKey = z.infer<typeof StoredKey>;

const KeysFile = z.object({
	version: z.literal(1),
	/** Newest first: `keys[0]` signs. */
	keys: z.array(StoredKey).min(1),
	pinPepper: z.base64().refine((value) => Buffer.from(value, 'base64').length >= 32, 'must be at least 32 bytes'),
});
type KeysFile = z.infer<typeof KeysFile>;

interface LoadedKey {
	kid: string;
	privateKey: KeyObject;
	publicKey: KeyObject;
}

export interface KeyStoreOptions {
	/** How often lookups may check the file for changes, in ms. Default 1000. */
	reloadIntervalMs?: number;
	/** Where reload failures are reported (the previous keys stay in use). Default: nowhere. */
	logger?: Logger;
}

export class KeyStore {
	readonly #file: string;
	readonly #reloadIntervalMs: number;
	readonly #logger: Logger | undefined;
	#keys: LoadedKey[] = [];
	#pepper: Buffer = Buffer.alloc(0);
	#stamp = '';
	#checkedAt = 0;

	private constructor(file: string, options: KeyStoreOptions) {
		this.#file = file;
		this.#reloadIntervalMs = options.reloadIntervalMs ?? 1_000;
		this.#logger = options.logger;
	}

	/**
	 * Opens the secrets of `dataDir`, creating the directory (0700) and the file (0600) with
	 * a fresh key and pepper on first run. Throws if the file exists but is malformed.
	 */
	static open(dataDir: string, options: KeyStoreOptions = {}): KeyStore {
		fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
		const file = path.join(dataDir, KEYS_FILE);
		const store = new KeyStore(file, options);
		if (!fs.existsSync(file)) {
			const initial: KeysFile = { version: 1, keys: [newKey()], pinPepper: randomBytes(32).toString('base64') };
			try {
				// NOTE: 'wx' fails if another process created the file meanwhile; then we use theirs.
				fs.writeFileSync(file, JSON.stringify(initial, null, '\t'), { mode: 0o600, flag: 'wx' });
			} catch (error) {
				if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
			}
		}
		if ((fs.statSync(file).mode & 0o077) !== 0) fs.chmodSync(file, 0o600);
		store.#load();
		return store;
	}

	/** The key that signs new tokens. */
	current(): { kid: string; privateKey: KeyObject } {
		this.#maybeReload();
		const key = this.#keys[0] as LoadedKey;
		return { kid: key.kid, privateKey: key.privateKey };
	}

	/** The public key with this id, if it is still kept (current or one of the previous). */
	publicKey(kid: string): KeyObject | undefined {
		this.#maybeReload();
		return this.#keys.find((key) => key.kid === kid)?.publicKey;
	}

	/** Ids of the kept keys, newest first. */
	get kids(): string[] {
		this.#maybeReload();
		return this.#keys.map((key) => key.kid);
	}

	/** Secret for PIN lookups (HMAC key); 32 bytes, never rotated. */
	get pinPepper(): Buffer {
		this.#maybeReload();
		return this.#pepper;
	}

	/**
	 * Makes a new current signing key, keeps the previous {@link KEEP_PREVIOUS_KEYS}, writes
	 * the file atomically and returns the new key's id.
	 */
	rotate(): string {
		// NOTE: start from the file, not memory, so a rotation by another process is not lost.
		const data = this.#read();
		const key = newKey();
		const next: KeysFile = { ...data, keys: [key, ...data.keys].slice(0, KEEP_PREVIOUS_KEYS + 1) };
		const temp = `${this.#file}.${randomBytes(6).toString('hex')}.tmp`;
		try {
			const fd = fs.openSync(temp, 'wx', 0o600);
			try {
				fs.writeFileSync(fd, JSON.stringify(next, null, '\t'));
				fs.fsyncSync(fd);
			} finally {
				fs.closeSync(fd);
			}
			fs.renameSync(temp, this.#file);
		} catch (error) {
			fs.rmSync(temp, { force: true });
			throw error;
		}
		this.#load();
		return key.kid;
	}

	#read(): KeysFile {
		const text = fs.readFileSync(this.#file, 'utf8');
		let raw: unknown;
		try {
			raw = JSON.parse(text);
		} catch {
			// NOTE: JSON.parse's message quotes the text, which is secret: say only what failed.
			throw new Error(`malformed ${this.#file}: not valid JSON`);
		}
		const parsed = KeysFile.safeParse(raw);
		// NOTE: name the offending fields only; the file's values are secrets.
		if (!parsed.success) throw new Error(`malformed ${this.#file}: ${parsed.error.issues.map((i) => i.path.join('.') || '(file)').join(', ')}`);
		return parsed.data;
	}

	#load(): void {
		const stat = fs.statSync(this.#file);
		const data = this.#read();
		this.#keys = data.keys.map((key) => ({
			kid: key.kid,
			privateKey: createPrivateKey(key.privateKeyPem),
			publicKey: createPublicKey(key.publicKeyPem),
		}));
		this.#pepper = Buffer.from(data.pinPepper, 'base64');
		this.#stamp = stampOf(stat);
		this.#checkedAt = Date.now();
	}

	#maybeReload(): void {
		const now = Date.now();
		if (now - this.#checkedAt < this.#reloadIntervalMs) return;
		this.#checkedAt = now;
		try {
			if (stampOf(fs.statSync(this.#file)) !== this.#stamp) this.#load();
		} catch (error) {
			// NOTE: keep signing with the keys we have; a broken file must not stop logins.
			this.#logger?.error({ err: error, file: this.#file }, 'reloading signing keys failed; keeping the previous ones');
		}
	}
}

function newKey(): StoredKey {
	const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
	return {
		kid: randomBytes(9).toString('base64url'),
		privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
		publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }) as string,
		createdAt: Date.now(),
	};
}

/** Changes whenever the file is replaced (new inode on rename) or rewritten. */
function stampOf(stat: fs.Stats): string {
	return `${stat.ino}:${stat.mtimeMs}:${stat.size}`;
}
