import { describe, expect, it } from 'vitest';
import { validateNavigationUrl } from './urls.js';

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
