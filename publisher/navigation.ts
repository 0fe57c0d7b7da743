/**
 * Why a navigation of the cloud browser failed, in words safe to show to participants.
 *
 * NOTE: what a participant may learn is bounded by the egress proxy, not by this wording:
 * the proxy answers every refused destination the same way without connecting to it, so
 * nothing Chromium reports can depend on whether an internal port is open. This table only
 * keeps Chromium's own error text (and its variations between versions) out of the UI.
 */

/**
 * - `refused`: the egress policy does not let the cloud browser reach the address;
 * - `timeout`: the site did not answer in time;
 * - `certificate`: the site's TLS certificate or handshake failed;
 * - `interrupted`: another navigation or a download took its place;
 * - `unreachable`: anything else (connection refused or reset, empty response...).
 */
export type NavigationFailure = 'refused' | 'timeout' | 'certificate' | 'interrupted' | 'unreachable';

const MESSAGES: Record<NavigationFailure, string> = {
	refused: 'this address cannot be opened in a co-browsing session',
	timeout: 'the site took too long to answer',
	certificate: "the site's secure connection could not be verified",
	interrupted: 'the page was replaced before it loaded',
	unreachable: 'the site could not be reached',
};

/** A failed navigation. `message` is user-safe; `netError` (Chromium's code, e.g. `ERR_TIMED_OUT`) is for logs only. */
export class NavigationError extends Error {
	override name = 'NavigationError';
	constructor(
		readonly reason: NavigationFailure,
		readonly netError?: string,
	) {
		super(MESSAGES[reason]);
	}
}

/**
 * Classifies a puppeteer navigation error. `refusedMeanwhile`: the session's egress proxy
 * refused a request while the navigation ran (a refused CONNECT reaches Chromium only as
 * ERR_TUNNEL_CONNECTION_FAILED, which an unreachable public site gives too).
 */
export function navigationError(error: unknown, refusedMeanwhile: boolean): NavigationError {
	if (error instanceof NavigationError) return error;
	const name = (error as Error | undefined)?.name;
	const netError = /net::(ERR_[A-Z0-9_]+)/.exec(String((error as Error | undefined)?.message ?? ''))?.[1];
	if (netError === 'ERR_TUNNEL_CONNECTION_FAILED' && refusedMeanwhile) return new NavigationError('refused', netError);
	if (name === 'TimeoutError' || netError === 'ERR_TIMED_OUT' || netError === 'ERR_CONNECTION_TIMED_OUT') return new NavigationError('timeout', netError);
	if (netError && /^ERR_(CERT_|SSL_|BAD_SSL_)/.test(netError)) return new NavigationError('certificate', netError);
	if (netError === 'ERR_ABORTED') return new NavigationError('interrupted', netError);
	return new NavigationError('unreachable', netError);
}
