/**
 * Where the cloud browser may connect: the destination policy that {@link EgressProxy} applies
 * to every address a request resolves to. Pure apart from {@link ownAddresses}.
 *
 * Only globally routable unicast is allowed by default. Two layers decide that: ipaddr.js's
 * range table (anything it does not call 'unicast' is refused) and {@link NON_GLOBAL_RANGES},
 * this module's own table of the IANA special-purpose ranges that are not globally reachable,
 * so that a gap or a change in either one does not open the other.
 */
import net from 'node:net';
import os from 'node:os';
import ipaddr from 'ipaddr.js';

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** One entry of the operator's allow-list: an address or CIDR range, optionally limited to one port. */
export interface AllowEntry {
	/** Network address as written (IPv4-mapped IPv6 is stored as IPv4). */
	readonly address: string;
	/** 32 or 128 for a single address. */
	readonly prefixLength: number;
	/** Only this port is allowed; absent means any port rule (a) lets through. */
	readonly port?: number;
}

export interface EgressPolicy {
	/** Destinations allowed although they are not public (`ALONGSIDE_EGRESS_ALLOW`). */
	allow: AllowEntry[];
	/** This machine's addresses (see {@link ownAddresses}); refused unless allowed, and never allowed on `protectedPorts`. */
	ownAddresses: string[];
	/** The service's own listening ports (HTTP, media, the proxy itself); never reachable on this machine, whatever `allow` says. */
	protectedPorts: number[];
}

/**
 * Why a destination is refused; stable codes for logs and metrics.
 * - `port`: not 80, 443 or 1024–65535.
 * - `protected`: one of the service's own ports on this machine.
 * - `own_address`: this machine, on a port that is not protected.
 * - `non_public`: not globally routable unicast (loopback, private, link-local, reserved...).
 * - `invalid`: not an IP address.
 */
export type DenyReason = 'port' | 'protected' | 'own_address' | 'non_public' | 'invalid';

export type Verdict = { allowed: true } | { allowed: false; reason: DenyReason };

/**
 * Special-purpose ranges that are not globally reachable (IANA IPv4 and IPv6 special-purpose
 * address registries), refused even where ipaddr.js would say 'unicast'. IPv6 outside 2000::/3
 * is refused besides (see {@link destinationVerdict}), which covers ::/96 IPv4-compatible
 * addresses, 100::/64 discard and 64:ff9b::/96 NAT64 too; they are listed for the record.
 */
export const NON_GLOBAL_RANGES: ReadonlyArray<readonly [cidr: string, what: string]> = [
	['0.0.0.0/8', 'this network; 0.0.0.0 reaches this machine'],
	['10.0.0.0/8', 'private'],
	['100.64.0.0/10', 'carrier-grade NAT'],
	['127.0.0.0/8', 'loopback'],
	['169.254.0.0/16', 'link-local, cloud metadata'],
	['172.16.0.0/12', 'private'],
	['192.0.0.0/24', 'IETF protocol assignments'],
	['192.0.2.0/24', 'documentation'],
	['192.31.196.0/24', 'AS112'],
	['192.52.193.0/24', 'AMT'],
	['192.88.99.0/24', '6to4 relay anycast, deprecated'],
	['192.168.0.0/16', 'private'],
	['192.175.48.0/24', 'AS112'],
	['198.18.0.0/15', 'benchmarking'],
	['198.51.100.0/24', 'documentation'],
	['203.0.113.0/24', 'documentation'],
	['224.0.0.0/4', 'multicast'],
	['240.0.0.0/4', 'reserved'],
	['255.255.255.255/32', 'broadcast'],
	['::/96', 'unspecified, loopback, IPv4-compatible'],
	['::ffff:0:0:0/96', 'IPv4-translated'],
	['64:ff9b::/96', 'NAT64'],
	['64:ff9b:1::/48', 'local-use NAT64'],
	['100::/64', 'discard'],
	['2001::/23', 'IETF protocol assignments (Teredo, benchmarking, ORCHID...)'],
	['2001:db8::/32', 'documentation'],
	['2002::/16', '6to4, embeds any IPv4 address'],
	['2620:4f:8000::/48', 'AS112'],
	['3fff::/20', 'documentation'],
	['5f00::/16', 'segment routing SIDs'],
	['fc00::/7', 'unique-local'],
	['fe80::/10', 'link-local'],
	['fec0::/10', 'site-local, deprecated'],
	['ff00::/8', 'multicast'],
];

const NON_GLOBAL = NON_GLOBAL_RANGES.map(([cidr]) => ipaddr.parseCIDR(cidr));
const IPV6_GLOBAL_UNICAST = ipaddr.parseCIDR('2000::/3');
/** Addresses that reach this machine whatever its interfaces: loopback, and "this host" (connecting to 0.0.0.0 or :: is local on Linux). */
const LOCAL = ['127.0.0.0/8', '::1/128', '0.0.0.0/8', '::/128'].map((cidr) => ipaddr.parseCIDR(cidr));

/**
 * Parses `ALONGSIDE_EGRESS_ALLOW`: comma-separated addresses (`10.1.2.3`, `fd00::5`), CIDR
 * ranges (`10.0.0.0/8`, `fd00::/8`) and addresses with a port (`127.0.0.1:8443`, `[::1]:8443`).
 * Whitespace around entries is ignored; an empty string allows nothing extra.
 * @throws Error naming the first entry that is none of these.
 */
export function parseEgressAllowList(text: string): AllowEntry[] {
	return text
		.split(',')
		.map((entry) => entry.trim())
		.filter((entry) => entry !== '')
		.map((entry) => {
			const parsed = parseAllowEntry(entry);
			if (!parsed) throw new Error(`ALONGSIDE_EGRESS_ALLOW: "${entry}" is not an IP address, CIDR range or address:port`);
			return parsed;
		});
}

function parseAllowEntry(entry: string): AllowEntry | undefined {
	// NOTE: net.isIP, not ipaddr.js, decides what an address is: ipaddr.js also reads
	// inet_aton forms (`0x7f.1`, `2130706433`), which have no place in configuration.
	let host = entry;
	let port: number | undefined;
	let prefixLength: number | undefined;
	const bracketed = /^\[([^\]]+)\]:(\d{1,5})$/.exec(entry);
	if (bracketed && net.isIP(bracketed[1]!) !== 6) return undefined;
	const withPort = bracketed ?? /^([^:/]+):(\d{1,5})$/.exec(entry);
	const withPrefix = /^([^/]+)\/(\d{1,3})$/.exec(entry);
	if (withPort) {
		host = withPort[1]!;
		port = Number(withPort[2]);
		if (port < 1 || port > 65535) return undefined;
	} else if (withPrefix) {
		host = withPrefix[1]!;
		prefixLength = Number(withPrefix[2]);
	}
	const family = net.isIP(host);
	if (family === 0 || host.includes('%')) return undefined;
	let address: Address = ipaddr.parse(host);
	prefixLength ??= family === 4 ? 32 : 128;
	if (prefixLength > (family === 4 ? 32 : 128)) return undefined;
	if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress() && prefixLength >= 96) {
		address = (address as ipaddr.IPv6).toIPv4Address();
		prefixLength -= 96;
	}
	return { address: address.toString(), prefixLength, ...(port === undefined ? {} : { port }) };
}

/**
 * Whether the cloud browser may connect to `address` (an IP address as a resolver returns
 * it) on `port`. Rules, first match wins:
 * 1. a port other than 80, 443 or 1024–65535 is refused (`port`);
 * 2. this machine (loopback, 0.0.0.0, `ownAddresses`) on a protected port is refused (`protected`);
 * 3. an allow-list match (address, and port if the entry has one) is allowed;
 * 4. this machine on any other port is refused (`own_address`);
 * 5. anything but globally routable unicast is refused (`non_public`).
 *
 * IPv4-mapped IPv6 (`::ffff:127.0.0.1`, `::ffff:7f00:1`) is judged as the IPv4 address it maps.
 */
export function destinationVerdict(address: string, port: number, policy: EgressPolicy): Verdict {
	if (!allowedPort(port)) return deny('port');
	const ip = parseAddress(address);
	if (!ip) return deny('invalid');
	const own = policy.ownAddresses.some((other) => sameAddress(ip, other));
	if ((own || LOCAL.some((range) => inRange(ip, range))) && policy.protectedPorts.includes(port)) return deny('protected');
	if (policy.allow.some((entry) => allowMatches(entry, ip, port))) return { allowed: true };
	if (own) return deny('own_address');
	if (ip.range() !== 'unicast') return deny('non_public');
	if (NON_GLOBAL.some((range) => inRange(ip, range))) return deny('non_public');
	if (ip.kind() === 'ipv6' && !inRange(ip, IPV6_GLOBAL_UNICAST)) return deny('non_public');
	return { allowed: true };
}

/** Rule 1 of {@link destinationVerdict}: ports 80, 443 and 1024–65535; checked before a name is resolved too. */
export function allowedPort(port: number): boolean {
	return Number.isInteger(port) && (port === 80 || port === 443 || (port >= 1024 && port <= 65535));
}

/** This machine's addresses, for {@link EgressPolicy.ownAddresses}: every interface's (os.networkInterfaces()) plus loopback. */
export function ownAddresses(): string[] {
	const addresses = new Set(['127.0.0.1', '::1']);
	for (const list of Object.values(os.networkInterfaces())) {
		for (const info of list ?? []) addresses.add(info.address);
	}
	return [...addresses];
}

function deny(reason: DenyReason): Verdict {
	return { allowed: false, reason };
}

/** The address to judge: IPv4-mapped IPv6 unwrapped, undefined if not an IP address (zone ids allowed). */
function parseAddress(address: string): Address | undefined {
	if (net.isIP(address) === 0) return undefined;
	try {
		return ipaddr.process(address);
	} catch {
		return undefined; // NOTE: net.isIP and ipaddr.js disagree on some zone-id spellings; either way it is not an address to use.
	}
}

function inRange(ip: Address, [network, prefixLength]: [Address, number]): boolean {
	return ip.kind() === network.kind() && ip.match(network, prefixLength);
}

function sameAddress(ip: Address, other: string): boolean {
	const parsed = parseAddress(other);
	return parsed !== undefined && inRange(ip, [parsed, parsed.kind() === 'ipv4' ? 32 : 128]);
}

function allowMatches(entry: AllowEntry, ip: Address, port: number): boolean {
	if (entry.port !== undefined && entry.port !== port) return false;
	return inRange(ip, [ipaddr.parse(entry.address), entry.prefixLength]);
}
