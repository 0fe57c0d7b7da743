import { describe, expect, it } from 'vitest';
import { SecretBox } from './secrets.js';
import { signatureHeader, verifySignature } from './signature.js';

describe('webhook signatures', () => {
	const body = '{"id":"e1","type":"session.ended"}';
	it('verify for the same secret, body and a time within five minutes, and for nothing else', () => {
		const at = 1_800_000_000_000;
		const header = signatureHeader('whsec_a', body, at);
		expect(header).toMatch(/^t=1800000000,v1=[0-9a-f]{64}$/);
		expect(verifySignature('whsec_a', body, header, at + 299_000)).toBe(true);
		expect(verifySignature('whsec_b', body, header, at)).toBe(false);
		expect(verifySignature('whsec_a', `${body} `, header, at)).toBe(false);
		// A replay later than the tolerance.
		expect(verifySignature('whsec_a', body, header, at + 301_000)).toBe(false);
		for (const bad of ['', 't=x,v1=y', `t=1800000000,v1=${'0'.repeat(64)}`, header.replace('t=1800000000', 't=1800000001')]) expect(verifySignature('whsec_a', body, bad, at), bad).toBe(false);
	});
});

describe('webhook secrets at rest', () => {
	it('open only with the service secret that sealed them, and unaltered', () => {
		const box = new SecretBox(() => Buffer.alloc(32, 1));
		const sealed = box.seal('whsec_abc');
		expect(sealed).not.toContain('whsec_abc');
		expect(box.open(sealed)).toBe('whsec_abc');
		expect(() => new SecretBox(() => Buffer.alloc(32, 2)).open(sealed)).toThrow();
		const [v, iv, tag, data] = sealed.split('.');
		const altered = `${data![0] === 'A' ? 'B' : 'A'}${data!.slice(1)}`;
		expect(() => box.open([v, iv, tag, altered].join('.'))).toThrow();
		expect(() => box.open('plain')).toThrow(/not a sealed secret/);
	});
});
