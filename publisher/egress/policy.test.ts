import { describe, expect, it } from 'vitest';
import { destinationVerdict, type EgressPolicy, NON_GLOBAL_RANGES, ownAddresses, parseEgressAllowList } from './policy.js';

const open: EgressPolicy = { allow: [], ownAddresses: [], protectedPorts: [] };

describe('destinationVerdict', () => {
	it.each([
		['93.184.215.14', 'a public IPv4 address'],
		['8.8.8.8', 'a public resolver'],
		['1.1.1.1', 'a public resolver'],
		['2606:4700:4700::1111', 'a public IPv6 address'],
		['2a00:1450:4001:80b::200e', 'a public IPv6 address'],
		['::ffff:93.184.215.14', 'a public address, IPv4-mapped'],
		['100.63.255.255', 'the address just below carrier-grade NAT'],
		['172.32.0.1', 'the address just above 172.16/12'],
		['11.0.0.1', 'the address just above 10/8'],
		['223.255.255.254', 'the address just below multicast'],
	])('allows %s (%s) on 443', (address) => {
		expect(destinationVerdict(address, 443, open)).toEqual({ allowed: true });
	});

	it.each([
		['127.0.0.1', 'loopback'],
		['127.255.255.254', 'loopback, end of 127/8'],
		['::1', 'IPv6 loopback'],
		['::ffff:127.0.0.1', 'IPv4-mapped loopback, dotted'],
		['::ffff:7f00:1', 'IPv4-mapped loopback, hex'],
		['0:0:0:0:0:ffff:7f00:0001', 'IPv4-mapped loopback, long form'],
		['::127.0.0.1', 'IPv4-compatible loopback'],
		['::7f00:1', 'IPv4-compatible loopback, hex'],
		['10.0.0.1', 'private 10/8'],
		['172.16.0.1', 'private 172.16/12'],
		['172.31.255.254', 'private 172.16/12, end'],
		['192.168.1.1', 'private 192.168/16'],
		['::ffff:10.1.2.3', 'IPv4-mapped private'],
		['169.254.169.254', 'link-local: cloud metadata'],
		['::ffff:169.254.169.254', 'IPv4-mapped cloud metadata'],
		['fe80::1', 'IPv6 link-local'],
		['fe80::1%eth0', 'IPv6 link-local with zone'],
		['fd00:ec2::254', 'unique-local: AWS IPv6 metadata'],
		['fc00::1', 'unique-local'],
		['fec0::1', 'site-local, deprecated'],
		['100.64.0.1', 'carrier-grade NAT'],
		['100.127.255.254', 'carrier-grade NAT, end'],
		['0.0.0.0', 'unspecified'],
		['0.1.2.3', 'this network 0/8'],
		['::', 'IPv6 unspecified'],
		['224.0.0.1', 'multicast'],
		['239.255.255.250', 'multicast (SSDP)'],
		['ff02::1', 'IPv6 multicast'],
		['255.255.255.255', 'broadcast'],
		['240.0.0.1', 'reserved 240/4'],
		['192.0.0.8', 'IETF protocol assignments 192.0.0/24'],
		['192.0.2.1', 'TEST-NET-1'],
		['198.51.100.1', 'TEST-NET-2'],
		['203.0.113.1', 'TEST-NET-3'],
		['198.18.0.1', 'benchmarking'],
		['198.19.255.254', 'benchmarking, end'],
		['192.88.99.1', '6to4 relay anycast'],
		['192.31.196.1', 'AS112'],
		['192.175.48.1', 'AS112'],
		['192.52.193.1', 'AMT'],
		['2002:7f00:1::1', '6to4 embedding 127.0.0.1'],
		['2001::1', 'Teredo'],
		['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'Teredo'],
		['2001:db8::1', 'documentation'],
		['2001:2::1', 'benchmarking'],
		['2001:10::1', 'ORCHID'],
		['2001:20::1', 'ORCHIDv2'],
		['2001:1::1', 'IETF protocol assignments 2001::/23'],
		['3fff::1', 'documentation 3fff::/20'],
		['64:ff9b::7f00:1', 'NAT64 of 127.0.0.1'],
		['64:ff9b::a9fe:a9fe', 'NAT64 of the metadata address'],
		['64:ff9b:1::1', 'local-use NAT64'],
		['100::1', 'discard'],
		['::ffff:0:7f00:1', 'IPv4-translated'],
		['5f00::1', 'segment routing'],
		['2620:4f:8000::1', 'AS112 IPv6'],
		['4000::1', 'IPv6 outside 2000::/3'],
	])('refuses %s (%s) as non_public', (address) => {
		expect(destinationVerdict(address, 443, open)).toEqual({ allowed: false, reason: 'non_public' });
	});

	it.each(['localhost', '', 'example.com', '2130706433', '0x7f.1', '0177.0.0.1', '127.1', '1.2.3.4.5', '[::1]', '::1:', '127.0.0.1:80'])(
		'refuses %j as invalid: only IP addresses as a resolver writes them are judged',
		(address) => {
			expect(destinationVerdict(address, 443, open)).toEqual({ allowed: false, reason: 'invalid' });
		},
	);

	it.each([0, 1, 22, 25, 79, 81, 442, 444, 1023, 65536, -1, 8080.5])('refuses port %d before looking at the address', (port) => {
		expect(destinationVerdict('93.184.215.14', port, open)).toEqual({ allowed: false, reason: 'port' });
	});

	it.each([80, 443, 1024, 8080, 65535])('allows port %d', (port) => {
		expect(destinationVerdict('93.184.215.14', port, open)).toEqual({ allowed: true });
	});

	it('refuses every range in its own table, so the table and the rules agree', () => {
		for (const [cidr] of NON_GLOBAL_RANGES) {
			const network = cidr.split('/')[0]!;
			const probe = network.includes(':') ? network.replace(/::$/, '::2') : network.replace(/\.0$/, '.2');
			expect(destinationVerdict(probe, 443, open), cidr).toEqual({ allowed: false, reason: 'non_public' });
		}
	});

	it('allows a non-public address in the allow-list, on any port unless the entry names one', () => {
		const policy: EgressPolicy = { ...open, allow: parseEgressAllowList('10.0.0.0/8, fd00::/8, 127.0.0.2, 127.0.0.1:8443, [::1]:9443') };
		expect(destinationVerdict('10.20.30.40', 443, policy)).toEqual({ allowed: true });
		expect(destinationVerdict('::ffff:10.20.30.40', 8080, policy)).toEqual({ allowed: true });
		expect(destinationVerdict('fd12::1', 443, policy)).toEqual({ allowed: true });
		expect(destinationVerdict('127.0.0.2', 5000, policy)).toEqual({ allowed: true });
		expect(destinationVerdict('127.0.0.3', 5000, policy)).toEqual({ allowed: false, reason: 'non_public' });
		expect(destinationVerdict('127.0.0.1', 8443, policy)).toEqual({ allowed: true });
		expect(destinationVerdict('::ffff:127.0.0.1', 8443, policy)).toEqual({ allowed: true });
		expect(destinationVerdict('127.0.0.1', 8444, policy)).toEqual({ allowed: false, reason: 'non_public' });
		expect(destinationVerdict('::1', 9443, policy)).toEqual({ allowed: true });
		expect(destinationVerdict('::1', 8443, policy)).toEqual({ allowed: false, reason: 'non_public' });
		expect(destinationVerdict('169.254.169.254', 80, policy)).toEqual({ allowed: false, reason: 'non_public' });
	});

	it('does not let the allow-list open a port outside 80, 443 and 1024–65535', () => {
		const policy: EgressPolicy = { ...open, allow: parseEgressAllowList('10.0.0.0/8, 10.0.0.1:22') };
		expect(destinationVerdict('10.0.0.1', 22, policy)).toEqual({ allowed: false, reason: 'port' });
	});

	it('refuses a protected port on this machine even where the allow-list allows it', () => {
		const policy: EgressPolicy = {
			allow: parseEgressAllowList('0.0.0.0/0, ::/0, 127.0.0.1:3000'),
			ownAddresses: ['127.0.0.1', '::1', '192.0.2.2', 'fd00::2'],
			protectedPorts: [3000, 40000],
		};
		for (const address of ['127.0.0.1', '127.0.0.2', '::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '0.0.0.0', '::', '192.0.2.2', '::ffff:192.0.2.2', 'fd00::2']) {
			expect(destinationVerdict(address, 3000, policy), address).toEqual({ allowed: false, reason: 'protected' });
			expect(destinationVerdict(address, 40000, policy), address).toEqual({ allowed: false, reason: 'protected' });
			expect(destinationVerdict(address, 3001, policy), address).toEqual({ allowed: true });
		}
		expect(destinationVerdict('10.0.0.1', 3000, policy)).toEqual({ allowed: true });
	});

	it("refuses this machine's own public address as own_address unless the allow-list names it", () => {
		const policy: EgressPolicy = { allow: [], ownAddresses: ['93.184.215.14', '2606:4700::6810:84e5'], protectedPorts: [3000] };
		expect(destinationVerdict('93.184.215.14', 443, policy)).toEqual({ allowed: false, reason: 'own_address' });
		expect(destinationVerdict('::ffff:93.184.215.14', 443, policy)).toEqual({ allowed: false, reason: 'own_address' });
		expect(destinationVerdict('2606:4700:0::6810:84E5', 443, policy)).toEqual({ allowed: false, reason: 'own_address' });
		expect(destinationVerdict('93.184.215.14', 3000, policy)).toEqual({ allowed: false, reason: 'protected' });
		const allowed = { ...policy, allow: parseEgressAllowList('93.184.215.14:443') };
		expect(destinationVerdict('93.184.215.14', 443, allowed)).toEqual({ allowed: true });
		expect(destinationVerdict('93.184.215.14', 8443, allowed)).toEqual({ allowed: false, reason: 'own_address' });
	});
});

describe('parseEgressAllowList', () => {
	it('reads addresses, CIDR ranges and address:port entries, tolerating whitespace', () => {
		expect(parseEgressAllowList(' 10.0.0.0/8 ,fd00::/8,\t127.0.0.1:8443 , [::1]:8443, 192.168.1.5, 2001:db8::1 ,::ffff:10.0.0.0/104')).toEqual([
			{ address: '10.0.0.0', prefixLength: 8 },
			{ address: 'fd00::', prefixLength: 8 },
			{ address: '127.0.0.1', prefixLength: 32, port: 8443 },
			{ address: '::1', prefixLength: 128, port: 8443 },
			{ address: '192.168.1.5', prefixLength: 32 },
			{ address: '2001:db8::1', prefixLength: 128 },
			{ address: '10.0.0.0', prefixLength: 8 },
		]);
	});

	it.each(['', '  ', ',', ' , '])('reads %j as an empty list', (text) => {
		expect(parseEgressAllowList(text)).toEqual([]);
	});

	it.each([
		['10.0.0.0/8, example.com', 'example.com'],
		['localhost', 'localhost'],
		['10.0.0.0/33', '10.0.0.0/33'],
		['fd00::/129', 'fd00::/129'],
		['127.0.0.1:0', '127.0.0.1:0'],
		['127.0.0.1:65536', '127.0.0.1:65536'],
		['::1:8443x', '::1:8443x'],
		['[::1]', '[::1]'],
		['[127.0.0.1]:80', '[127.0.0.1]:80'],
		['2130706433', '2130706433'],
		['0x7f.1', '0x7f.1'],
		['10.0.0.0/8:443', '10.0.0.0/8:443'],
		['fe80::1%eth0', 'fe80::1%eth0'],
		['10.0.0.1/', '10.0.0.1/'],
	])('refuses %j, naming the bad entry', (text, entry) => {
		expect(() => parseEgressAllowList(text)).toThrow(`ALONGSIDE_EGRESS_ALLOW: "${entry}" is not an IP address, CIDR range or address:port`);
	});
});

describe('ownAddresses', () => {
	it('includes both loopback addresses and every interface address', () => {
		const addresses = ownAddresses();
		expect(addresses).toEqual(expect.arrayContaining(['127.0.0.1', '::1']));
		const policy = { allow: [], ownAddresses: addresses, protectedPorts: [] };
		expect(addresses.filter((address) => destinationVerdict(address, 443, policy).allowed)).toEqual([]);
	});
});
