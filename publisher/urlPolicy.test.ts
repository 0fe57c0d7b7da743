import { describe, expect, it } from 'vitest';
import { ANY_SITE, siteAllowed, urlProblem } from './urlPolicy.js';

describe('urlProblem', () => {
	it('refuses what is not a web address, names the scheme, and credentials', () => {
		for (const url of ['javascript:alert(1)', 'file:///etc/passwd', 'view-source:https://a.example/', 'chrome://settings', 'devtools://devtools/x', 'data:text/html,hi']) {
			expect(urlProblem(url, ANY_SITE), url).toMatch(/addresses cannot be opened/);
		}
		expect(urlProblem('https://u:p@a.example/', ANY_SITE)).toMatch(/credentials/);
		expect(urlProblem('not a url', ANY_SITE)).toMatch(/not a web address/);
		expect(urlProblem('https://a.example/x', ANY_SITE)).toBeUndefined();
	});

	it("keeps to the company's sites when it names any, subdomains included; its own pages always", () => {
		const policy = { allowedDomains: ['bank.example', 'shop.example'] };
		expect(urlProblem('https://www.bank.example/login', policy)).toBeUndefined();
		expect(urlProblem('https://shop.example/', policy)).toBeUndefined();
		expect(urlProblem('https://evil.example/', policy)).toBe('evil.example is not one of the sites this company allows in co-browsing sessions');
		expect(urlProblem('https://bank.example.evil.example/', policy)).toMatch(/not one of the sites/);
		expect(urlProblem('https://notbank.example/', policy)).toMatch(/not one of the sites/);
		expect(urlProblem('http://alongside.internal/welcome/', policy)).toBeUndefined();
		expect(siteAllowed('WWW.Bank.Example.', policy)).toBe(true);
	});
});
