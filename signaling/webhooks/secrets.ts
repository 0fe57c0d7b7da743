/**
 * Webhook secrets at rest: each endpoint's signing secret must be read back to sign (so it
 * cannot be kept as a hash), and is kept sealed with AES-256-GCM under a key derived from
 * the service's secret, so that a copy of the database alone does not let anyone forge
 * deliveries.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

export class SecretBox {
	readonly #key: () => Buffer;

	/** `secret`: the service's secret (the key store's pepper); the sealing key is derived for this use only. */
	constructor(secret: () => Buffer) {
		this.#key = () => Buffer.from(hkdfSync('sha256', secret(), Buffer.alloc(0), 'alongside webhook secrets v1', 32));
	}

	/** `v1.<iv>.<tag>.<ciphertext>`, base64url. */
	seal(plain: string): string {
		const iv = randomBytes(12);
		const cipher = createCipheriv('aes-256-gcm', this.#key(), iv);
		const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
		return ['v1', iv, cipher.getAuthTag(), sealed].map((part) => (typeof part === 'string' ? part : part.toString('base64url'))).join('.');
	}

	/** The plain secret; throws if it was not sealed by this service's secret, or was altered. */
	open(sealed: string): string {
		const [version, iv, tag, data] = sealed.split('.');
		if (version !== 'v1' || !iv || !tag || data === undefined) throw new Error('not a sealed secret');
		const decipher = createDecipheriv('aes-256-gcm', this.#key(), Buffer.from(iv, 'base64url'));
		decipher.setAuthTag(Buffer.from(tag, 'base64url'));
		return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
	}
}
