/**
 * What the cloud browser may be asked to open from the URL bar.
 */
import { looksLikeAddress } from '../protocol/address.js';
import { BadRequestError } from '../protocol/errors.js';

/**
 * What the URL bar opens for `input`: the address it names (see {@link validateNavigationUrl}),
 * or, for words that are not an address, a search with `searchUrl` (its `%s` replaced by
 * them). Without a search engine configured, words are refused with a clear message.
 */
export function navigationTarget(input: string, searchUrl: string | undefined): string {
	const text = input.trim();
	if (looksLikeAddress(text)) return validateNavigationUrl(text);
	if (!searchUrl) throw new BadRequestError(`url: "${text.slice(0, 80)}" is not a web address; type one like example.com`);
	return searchUrl.replace('%s', encodeURIComponent(text));
}

/**
 * Normalizes what a person typed into a URL bar ("example.com/x" → "https://example.com/x")
 * and refuses browser-level escapes: only http and https are allowed, so `javascript:`,
 * `file:`, `view-source:`, `chrome:` and `data:` URLs are refused with a clear message.
 */
export function validateNavigationUrl(input: string): string {
	const text = input.trim();
	const hasScheme = /^[a-z][a-z0-9+.-]*:/i.test(text);
	const looksLikeHostPort = /^[^/:]+:\d+(\/|$)/.test(text);
	const candidate = hasScheme && !looksLikeHostPort ? text : `https://${text}`;
	let url: URL;
	try {
		url = new URL(candidate);
	} catch {
		throw new BadRequestError(`url: "${text.slice(0, 80)}" is not a web address`);
	}
	if (url.protocol !== 'http:' && url.protocol !== 'https:') {
		throw new BadRequestError(`url: ${url.protocol} addresses cannot be opened in a co-browsing session`);
	}
	if (url.username || url.password) throw new BadRequestError('url: addresses with credentials are not allowed');
	return url.href;
}
