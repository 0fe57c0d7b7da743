/**
 * Whether what someone typed into the URL bar is meant as a web address, rather than words
 * to search for. Shared by the agent console and the server, which decide the same way.
 */

/** An address: no spaces, and a scheme, a host with a dot, `localhost` or an IPv6 literal. */
export function looksLikeAddress(input: string): boolean {
	const text = input.trim();
	if (text === '' || /\s/.test(text)) return false;
	// NOTE: any scheme counts (`javascript:` is an address, refused as one, never searched for).
	if (/^[a-z][a-z0-9+.-]*:/i.test(text)) return true;
	if (/^(localhost|\[[0-9a-f:.]+\])(:\d+)?([/?#]|$)/i.test(text)) return true;
	return /^[^/?#]*[^/?#.]\.[^/?#.]/.test(text);
}
