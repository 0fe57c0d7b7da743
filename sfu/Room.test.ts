import type os from 'node:os';
import { describe, expect, it } from 'vitest';
import { announceable, candidateAddress } from './Room.js';

const lan: NodeJS.Dict<os.NetworkInterfaceInfo[]> = {
	lo: [{ address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4', mac: '00:00:00:00:00:00', internal: true, cidr: '127.0.0.1/8' }],
	eth0: [
		{ address: 'fd00::2', netmask: 'ffff:ffff:ffff:ffff::', family: 'IPv6', mac: '02:00:00:00:00:01', internal: false, cidr: 'fd00::2/64', scopeid: 0 },
		{ address: '192.168.1.20', netmask: '255.255.255.0', family: 'IPv4', mac: '02:00:00:00:00:01', internal: false, cidr: '192.168.1.20/24' },
	],
};
const loopbackOnly = { lo: lan.lo };
const everywhere = { listenIp: '0.0.0.0', announcedAddress: undefined };

describe('candidateAddress', () => {
	it('gives a LAN client the address its signaling arrived on', () => {
		expect(candidateAddress(everywhere, { localAddress: '192.168.1.20' }, lan)).toBe('192.168.1.20');
	});

	it("gives a client on this machine the machine's own address, where Chromium's UDP checks get symmetric answers", () => {
		expect(candidateAddress(everywhere, { localAddress: '127.0.0.1' }, lan)).toBe('192.168.1.20');
		expect(candidateAddress(everywhere, { localAddress: announceable('::1') }, lan)).toBe('192.168.1.20');
	});

	it("gives the cloud browser the machine's own address, never the announced one", () => {
		expect(candidateAddress(everywhere, 'internal', lan)).toBe('192.168.1.20');
		expect(candidateAddress({ listenIp: '0.0.0.0', announcedAddress: '203.0.113.7' }, 'internal', lan)).toBe('192.168.1.20');
	});

	it('falls back to loopback on a machine with no other interface', () => {
		expect(candidateAddress(everywhere, 'internal', loopbackOnly)).toBe('127.0.0.1');
		expect(candidateAddress(everywhere, { localAddress: '127.0.0.1' }, loopbackOnly)).toBe('127.0.0.1');
	});

	it('gives clients the announced address when one is configured', () => {
		expect(candidateAddress({ listenIp: '0.0.0.0', announcedAddress: 'media.example.com' }, { localAddress: '127.0.0.1' }, lan)).toBe('media.example.com');
	});

	it('uses a specific listen address for everyone unless one is announced', () => {
		const specific = { listenIp: '10.0.0.5', announcedAddress: undefined };
		expect(candidateAddress(specific, 'internal', lan)).toBe('10.0.0.5');
		expect(candidateAddress(specific, { localAddress: '127.0.0.1' }, lan)).toBe('10.0.0.5');
	});
});

describe('announceable', () => {
	it('unwraps IPv4-mapped IPv6 and maps IPv6 to IPv4 loopback (the server listens on IPv4)', () => {
		expect(announceable('::ffff:192.168.1.20')).toBe('192.168.1.20');
		expect(announceable('::1')).toBe('127.0.0.1');
		expect(announceable('fd00::2')).toBe('127.0.0.1');
	});
});
