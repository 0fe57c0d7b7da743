/**
 * Who a request comes from: the client's network address, taken from X-Forwarded-For only
 * through the proxy hops the operator trusts, and the key that per-address limits count
 * under (an IPv6 client counts per /64, since one subscriber usually holds a whole /64).
 */
import type { IncomingMessage } from 'node:http';
import ipaddr from 'ipaddr.js';
import proxyaddr from 'proxy-addr';

/**
 * Which proxies in front of the service are trusted to report the client's address:
 * - `none`: X-Forwarded-For is ignored; the client is the socket's peer (default).
 * - `hops`: the last `hops` hops are trusted (each appends the address it saw).
 * - `addresses`: peers in these addresses or CIDR ranges are trusted, wherever they are in
 *   the chain (proxy-addr's names `loopback`, `linklocal`, `uniquelocal` allowed too).
 */
export type TrustProxy = { kind: 'none' } | { kind: 'hops'; hops: number } | { kind: 'addresses'; list: string[] };

/**
 * Parses ALONGSIDE_TRUST_PROXY: `false`, a hop count (`1`), or a comma-separated list of
 * addresses and CIDR ranges. Throws naming the problem. NOTE: `true` ("trust whatever the
 * client says") is refused: it lets any client choose the address every limit counts.
 */
export function parseTrustProxy(value: string): TrustProxy {
	const text = value.trim();
	if (text === '' || text === 'false') return { kind: 'none' };
	if (text === 'true') {
		throw new Error('"true" would trust any address a client writes into X-Forwarded-For; give the number of proxy hops (e.g. 1) or their addresses (e.g. 10.0.0.0/8)');
	}
	if (/^\d+$/.test(text)) {
		const hops = Number(text);
		if (hops < 1 || hops > 10) throw new Error('expected 1 to 10 proxy hops');
		return { kind: 'hops', hops };
	}
	const list = text.split(',').map((entry) => entry.trim()).filter(Boolean);
	for (const [index, entry] of list.entries()) {
		try {
			proxyaddr.compile(entry);
		} catch {
			// NOTE: named by position: configuration values are never echoed (see readEnv).
			throw new Error(`entry ${index + 1} is not an address, a CIDR range or loopback/linklocal/uniquelocal`);
		}
	}
	return { kind: 'addresses', list };
}

/** Computes client addresses for one TrustProxy setting. */
export class ClientAddresses {
	readonly #trust: (address: string, index: number) => boolean;

	constructor(trust: TrustProxy) {
		if (trust.kind === 'none') this.#trust = () => false;
		else if (trust.kind === 'hops') this.#trust = (_address, index) => index < trust.hops;
		else this.#trust = proxyaddr.compile(trust.list);
	}

	/** The client's address for a request (an HTTP request or a WebSocket upgrade). */
	of(request: IncomingMessage): string {
		// NOTE: a socket already closed has no remoteAddress; proxy-addr then throws.
		if (!request.socket.remoteAddress) return '';
		return canonicalAddress(proxyaddr(request, this.#trust));
	}

	/** Whether the socket's peer is a trusted proxy (its own connections are not limited per address). */
	isTrustedPeer(address: string): boolean {
		return this.#trust(address, 0);
	}
}

/** An address in canonical text: IPv4-mapped IPv6 unwrapped, IPv6 compressed; unparseable text as is. */
export function canonicalAddress(address: string): string {
	try {
		return ipaddr.process(address).toString();
	} catch {
		return address;
	}
}

/**
 * The key that per-address limits count under: an IPv4 address itself; for IPv6, its /64
 * (a subscriber gets at least a /64 and can use any address in it).
 */
export function addressKey(address: string): string {
	let parsed: ipaddr.IPv4 | ipaddr.IPv6;
	try {
		parsed = ipaddr.process(address);
	} catch {
		return address;
	}
	if (parsed.kind() === 'ipv4') return parsed.toString();
	const parts = (parsed as ipaddr.IPv6).parts.slice(0, 4);
	return `${new ipaddr.IPv6([...parts, 0, 0, 0, 0]).toString()}/64`;
}
