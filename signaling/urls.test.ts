import { describe, expect, it } from 'vitest';
import { navigationTarget, validateNavigationUrl } from './urls.js';

describe('validateNavigationUrl', () => {
	it('adds https to a bare host, as a URL bar does', () => {
		expect(validateNavigationUrl('example.com/shop')).toBe('https://example.com/shop');
	});

	it('keeps explicit http and https addresses, including host:port', () => {
		expect(validateNavigationUrl('http://127.0.0.1:8080/x')).toBe('http://127.0.0.1:8080/x');
		expect(validateNavigationUrl('localhost:3000')).toBe('https://localhost:3000/');
	});

	it.each(['javascript:alert(1)', 'file:///etc/passwd', 'view-source:https://example.com', 'chrome://settings', 'data:text/html,hi'])(
		'refuses the browser-level escape %s',
		(url) => {
			expect(() => validateNavigationUrl(url)).toThrow(/cannot be opened/);
		},
	);

	it('refuses addresses carrying credentials', () => {
		expect(() => validateNavigationUrl('https://user:pw@example.com')).toThrow(/credentials/);
	});

	it('names the problem when the text is not an address at all', () => {
		expect(() => validateNavigationUrl('http://')).toThrow(/not a web address/);
	});
});

describe('navigationTarget', () => {
	const search = 'https://search.example/?q=%s';
	it('opens addresses, and searches for words', () => {
		expect(navigationTarget('example.com/shop', search)).toBe('https://example.com/shop');
		expect(navigationTarget('  red shoes & socks ', search)).toBe('https://search.example/?q=red%20shoes%20%26%20socks');
		expect(navigationTarget('scarpe', search)).toBe('https://search.example/?q=scarpe');
	});

	it('never searches for what names a scheme: it is refused as an address', () => {
		expect(() => navigationTarget('javascript:alert(1)', search)).toThrow(/cannot be opened/);
	});

	it('says words are not an address when no search engine is configured', () => {
		expect(() => navigationTarget('red shoes', undefined)).toThrow(/"red shoes" is not a web address; type one like example.com/);
	});
});
