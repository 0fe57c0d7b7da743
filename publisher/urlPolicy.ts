/**
 * Where the cloud browser may go, in one place: the address bar (signaling), navigations the
 * page starts and pages it opens (the document gate, publisher/documents.ts) ask here.
 *
 * - Only web addresses (http, https) without credentials: never `javascript:`, `file:`,
 *   `view-source:`, `chrome:`, `devtools:` or `data:` (Chromium already keeps pages from
 *   opening most of these; the address bar is refused them here).
 * - Only the company's allowed sites when it names any (each with its subdomains); the
 *   service's own internal pages always. This applies to everyone in the session, the
 *   customer too: it is the company's rule for its sessions.
 *
 * What the network may reach at all (public addresses only) is the egress proxy's rule.
 */
import { hostMatches } from '../protocol/detector.js';
import { INTERNAL_HOST } from './egress/EgressProxy.js';

export interface UrlPolicy {
	/** Host names (lower case) whose sites, with their subdomains, may be opened; empty: any. */
	allowedDomains: readonly string[];
}

export const ANY_SITE: UrlPolicy = { allowedDomains: [] };

/** Why `url` may not be opened as a page, in words safe to show; undefined if it may. */
export function urlProblem(url: string, policy: UrlPolicy): string | undefined {
	let parsed: URL;
	try {
		parsed = new URL(url);
	} catch {
		return `"${url.slice(0, 80)}" is not a web address`;
	}
	if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return `${parsed.protocol} addresses cannot be opened in a co-browsing session`;
	if (parsed.username || parsed.password) return 'addresses with credentials are not allowed';
	if (parsed.hostname === INTERNAL_HOST) return undefined;
	if (!siteAllowed(parsed.hostname, policy)) return `${parsed.hostname} is not one of the sites this company allows in co-browsing sessions`;
	return undefined;
}

/** Whether a host is one of the allowed sites (or any host is). */
export function siteAllowed(host: string, policy: UrlPolicy): boolean {
	const name = host.toLowerCase().replace(/\.$/, '').replace(/^\[|\]$/g, '');
	return policy.allowedDomains.length === 0 || policy.allowedDomains.some((domain) => hostMatches(name, domain));
}
