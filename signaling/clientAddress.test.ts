import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { addressKey, canonicalAddress, ClientAddresses, parseTrustProxy } from './clientAddress.js';

/** A request as proxy-addr reads it: the socket's peer and X-Forwarded-For. */
function request(peer: string, forwardedFor?: string): IncomingMessage {
	return { socket: { remoteAddress: peer }, connection: { remoteAddress: peer }, headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor } } as unknown as IncomingMessage;
}

describe('parseTrustProxy', () => {
	it('reads false, hop counts and address lists', () => {
		expect(parseTrustProxy('false')).toEqual({ kind: 'none' });
		expect(parseTrustProxy('')).toEqual({ kind: 'none' });
		expect(parseTrustProxy('2')).toEqual({ kind: 'hops', hops: 2 });
		expect(parseTrustProxy('10.0.0.0/8, loopback')).toEqual({ kind: 'addresses', list: ['10.0.0.0/8', 'loopback'] });
	});

	it('refuses "true", which would trust any address a client writes', () => {
		expect(() => parseTrustProxy('true')).toThrow(/number of proxy hops/);
	});

	it('names a bad address list', () => {
		expect(() => parseTrustProxy('10.0.0.0/8,not-an-ip')).toThrow('entry 2 is not an address, a CIDR range or loopback/linklocal/uniquelocal');
		expect(() => parseTrustProxy('0')).toThrow(/1 to 10/);
	});
});

describe('ClientAddresses', () => {
	it('ignores X-Forwarded-For unless proxies are trusted', () => {
		const none = new ClientAddresses({ kind: 'none' });
		expect(none.of(request('203.0.113.7', '198.51.100.1'))).toBe('203.0.113.7');
	});

	it('takes the address the trusted hop saw, not the left-most entry a client can forge', () => {
		const oneHop = new ClientAddresses({ kind: 'hops', hops: 1 });
		// The client forged "1.1.1.1"; the proxy appended the address it really saw.
		expect(oneHop.of(request('10.0.0.5', '1.1.1.1, 198.51.100.23'))).toBe('198.51.100.23');
		expect(oneHop.of(request('10.0.0.5'))).toBe('10.0.0.5');
	});

	it('walks back through trusted proxy addresses only', () => {
		const trusted = new ClientAddresses({ kind: 'addresses', list: ['10.0.0.0/8'] });
		expect(trusted.of(request('10.0.0.5', '1.1.1.1, 198.51.100.23, 10.1.2.3'))).toBe('198.51.100.23');
		// A peer outside the trusted ranges is the client, whatever it forwards.
		expect(trusted.of(request('198.51.100.99', '1.1.1.1'))).toBe('198.51.100.99');
		expect(trusted.isTrustedPeer('10.9.9.9')).toBe(true);
		expect(trusted.isTrustedPeer('198.51.100.99')).toBe(false);
	});

	it('unwraps IPv4-mapped IPv6 peers', () => {
		expect(new ClientAddresses({ kind: 'none' }).of(request('::ffff:192.0.2.9'))).toBe('192.0.2.9');
	});
});

describe('addressKey', () => {
	it('counts IPv4 per address and IPv6 per /64', () => {
		expect(addressKey('192.0.2.9')).toBe('192.0.2.9');
		expect(addressKey('::ffff:192.0.2.9')).toBe('192.0.2.9');
		expect(addressKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
		expect(addressKey('2001:db8:1:2:ffff:ffff:ffff:ffff')).toBe(addressKey('2001:db8:1:2::5'));
		expect(addressKey('2001:db8:1:3::5')).not.toBe(addressKey('2001:db8:1:2::5'));
	});

	it('keeps text that is not an address as it is', () => {
		expect(addressKey('')).toBe('');
		expect(canonicalAddress('nonsense')).toBe('nonsense');
	});
});
