import type { Logger } from 'pino';
import type { DenyReason, EgressPolicy } from './policy.js';

/** Resolves a host name to every address it has, in the order to try them. */
export type EgressLookup = (hostname: string) => Promise<Array<{ address: string; family: 4 | 6 }>>;

/** A page the proxy serves itself at `http://alongside.internal<path>`. */
export interface InternalPage {
	contentType: string;
	body: Buffer | string;
}

/**
 * Why the proxy refused a request: a {@link DenyReason} for every address the destination had,
 * or
 * - `dns`: the name did not resolve (or is the reserved `alongside.internal` on a port or
 *   method it does not serve); answered exactly like a denied destination;
 * - `bad_request`: not a request a forward proxy serves (origin-form, https: absolute form,
 *   WebSocket upgrade, unparseable);
 * - `limit`: too many client connections.
 */
export type EgressRefusalReason = DenyReason | 'dns' | 'bad_request' | 'limit';

/** What a refusal was about: never the path or the query, which may carry secrets. `host` is '' and `port` 0 where there was no target yet. */
export interface EgressRefusal {
	host: string;
	port: number;
	reason: EgressRefusalReason;
}

export interface EgressProxyOptions {
	/** Where connections may go. The proxy's own port is protected in addition to `policy.protectedPorts`. */
	policy: EgressPolicy;
	/** Default: `dns.promises.lookup(hostname, { all: true, verbatim: true })`. Not called for IP literals or `alongside.internal`. */
	lookup?: EgressLookup;
	/** Pages served for GET/HEAD `http://alongside.internal<path>` (port 80 only), keyed by path; other paths there are 404. Default: none. */
	internalPages?: Map<string, InternalPage>;
	/** Called for every refusal, after the answer is sent. Default: none. */
	onRefusal?: (info: EgressRefusal) => void;
	logger: Logger;
	/** Concurrent client connections (tunnels included); connections over it are closed at once. Default 256. */
	maxConnections?: number;
	/** How long one upstream address may take to accept a connection before the next is tried. Default 10 000 ms. */
	connectTimeoutMs?: number;
	/** How long a client may take to send a request's headers. Default 10 000 ms. */
	headersTimeoutMs?: number;
	/** How long a client connection may sit idle between requests. Tunnels have no idle limit. Default 60 000 ms. */
	idleTimeoutMs?: number;
}

/** Totals since the proxy started. */
export interface EgressProxyStats {
	/** CONNECT tunnels established. */
	tunnels: number;
	/** Absolute-form requests forwarded or served from `internalPages`. */
	requests: number;
	/** Requests and connections refused, for any {@link EgressRefusalReason}. */
	refused: number;
}
