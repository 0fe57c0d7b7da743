import { describe, expect, it } from 'vitest';
import { looksLikeAddress } from './address.js';

describe('looksLikeAddress', () => {
	it('takes hosts, addresses with a scheme, localhost and IP literals as addresses', () => {
		for (const text of ['example.com', 'shop.example.it/cart?x=1', 'https://example.com', 'http://intranet', 'localhost:3000', 'localhost', '127.0.0.1:8080/x', '[::1]:8080', 'javascript:alert(1)', 'data:text/html,x', 'example.com:8443/x']) {
			expect(looksLikeAddress(text), text).toBe(true);
		}
	});

	it('takes words as words, to search for', () => {
		for (const text of ['shoes', 'red shoes', 'how to pay my bill?', 'example .com', '', '  ', '.com', 'x.', 'what is example.com']) {
			expect(looksLikeAddress(text), text).toBe(false);
		}
	});
});
