/**
 * What makes a company's masking rule valid, beyond its shape: a CSS selector the cloud
 * browser understands and that selects elements (not pseudo-elements), a pattern that is a
 * JavaScript regular expression that cannot match empty text or backtrack for ever, a
 * field word with letters or digits in it, and domains that are host names.
 *
 * A rule that would silently select nothing is an error here, never a no-op in a session:
 * the admin believes it masks something. Each check returns the problem in words, or
 * undefined when the value is fine.
 */
import { parse as parseSelector, type Selector } from 'css-what';
import safeRegex from 'safe-regex2';

/**
 * Pseudo-classes Chromium's querySelectorAll accepts (an unknown one makes it throw, which
 * the detector would treat as "cannot tell": the whole view covered).
 */
const PSEUDO_CLASSES = new Set([
	'active', 'any-link', 'autofill', 'checked', 'default', 'defined', 'dir', 'disabled', 'empty', 'enabled', 'first-child',
	'first-of-type', 'focus', 'focus-visible', 'focus-within', 'has', 'hover', 'in-range', 'indeterminate', 'invalid', 'is',
	'lang', 'last-child', 'last-of-type', 'link', 'modal', 'not', 'nth-child', 'nth-last-child', 'nth-last-of-type',
	'nth-of-type', 'only-child', 'only-of-type', 'open', 'optional', 'out-of-range', 'placeholder-shown', 'popover-open',
	'read-only', 'read-write', 'required', 'root', 'scope', 'target', 'user-invalid', 'user-valid', 'valid', 'visited', 'where',
]);

/** Why a CSS selector cannot be a masking rule, or undefined. */
export function selectorProblem(value: string): string | undefined {
	let parsed: Selector[][];
	try {
		parsed = parseSelector(value);
	} catch (error) {
		return `not a CSS selector (${(error as Error).message})`;
	}
	for (const selector of parsed.flat(1)) {
		const problem = tokenProblem(selector);
		if (problem) return problem;
	}
	return undefined;
}

function tokenProblem(token: Selector): string | undefined {
	if (token.type === 'pseudo-element') return `"::${token.name}" is a pseudo-element: it has no box of its own to mask; name its element instead`;
	if (token.type === 'pseudo') {
		if (!PSEUDO_CLASSES.has(token.name)) return `":${token.name}" is not a pseudo-class the cloud browser knows`;
		if (Array.isArray(token.data)) {
			for (const inner of token.data.flat(1)) {
				const problem = tokenProblem(inner);
				if (problem) return problem;
			}
		}
	}
	return undefined;
}

/** Why a regular expression cannot be a masking pattern, or undefined. */
export function patternProblem(value: string): string | undefined {
	let pattern: RegExp;
	try {
		pattern = new RegExp(value, 'i');
	} catch (error) {
		return `not a regular expression (${(error as Error).message.replace(/^Invalid regular expression: /, '')})`;
	}
	if (pattern.test('')) return 'matches empty text: it would mask nothing useful and everything around it';
	// NOTE: patterns run over every page's text in the cloud browser, on the page's own main
	// thread: one that backtracks exponentially would freeze the customer's page.
	if (!safeRegex(pattern)) return 'may take exponential time on some text (nested repetition such as (a+)+): simplify it';
	return undefined;
}

/** Why a field word cannot be a rule, or undefined. Words are matched without case, spaces or punctuation. */
export function fieldWordProblem(value: string): string | undefined {
	if (!/[\p{L}\p{N}]/u.test(value)) return 'needs at least one letter or digit';
	if (value.toLowerCase().replace(/[^a-z0-9]/g, '').length === 0) return 'is matched on the letters a–z and digits only; this word has none';
	return undefined;
}

/**
 * The host name a domain entry names (lower case, no trailing dot), or a problem. A domain
 * covers itself and its subdomains: `example.com` covers `shop.example.com`.
 */
export function normalizeDomain(value: string): { domain: string } | { problem: string } {
	const domain = value.trim().toLowerCase().replace(/\.$/, '');
	if (domain.includes('://') || domain.includes('/')) return { problem: `"${value}" is a URL; give its host name only, e.g. example.com` };
	if (domain.length > 253 || !/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/.test(domain)) {
		return { problem: `"${value}" is not a host name` };
	}
	return { domain };
}
