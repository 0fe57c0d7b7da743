/**
 * The admin's Company tab in a real browser: the sites sessions may open are typed as host
 * names (a URL is named wrong beside the field, nothing saved), saved, and reach the store.
 * On a desktop and a phone.
 */
import fs from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alongside } from '../signaling/Alongside.js';
import { launchViewerBrowser, newViewerPage, startAlongside } from './helpers.js';
import { PHONE, signInToConsole } from './ui.js';

let app: Alongside;
let browser: Browser;

beforeAll(async () => {
	app = await startAlongside();
	browser = await launchViewerBrowser();
});

afterAll(async () => {
	await browser?.close();
	await app?.close();
});

const shot = async (page: Page, name: string) => {
	if (process.env.ALONGSIDE_SHOTS) {
		fs.mkdirSync(process.env.ALONGSIDE_SHOTS, { recursive: true });
		await page.screenshot({ path: `${process.env.ALONGSIDE_SHOTS}/${name}.png`, fullPage: true });
	}
};

describe("the admin's company settings", () => {
	for (const [device, options] of [['desktop', { viewport: { width: 1280, height: 900 } }], ['phone', PHONE]] as const) {
		it(`keeps sessions to the sites the admin names, as host names (${device})`, async () => {
			const page = await newViewerPage(browser, options);
			await signInToConsole(page, app, 'admin', '/admin/#company');
			const sites = page.getByLabel('Sites sessions may open (optional)');
			await sites.waitFor();
			await sites.fill('https://bank.example/login');
			await page.getByRole('button', { name: 'Save' }).click();
			await page.getByText('Give host names only, such as bank.example, one per line.').waitFor();
			expect((await app.store.getCompany('demo'))?.settings.allowedDomains).toEqual([]);
			await shot(page, `admin-company-${device}-problem`);
			await sites.fill('Bank.Example\nshop.example');
			await page.getByRole('button', { name: 'Save' }).click();
			await page.getByText('Saved').first().waitFor();
			expect((await app.store.getCompany('demo'))?.settings.allowedDomains).toEqual(['bank.example', 'shop.example']);
			await shot(page, `admin-company-${device}-saved`);
			// Shown again as saved, one per line; cleared: any public site again.
			await page.reload();
			await sites.waitFor();
			expect(await sites.inputValue()).toBe('bank.example\nshop.example');
			await sites.fill('');
			await page.getByRole('button', { name: 'Save' }).click();
			await expect.poll(async () => (await app.store.getCompany('demo'))?.settings.allowedDomains).toEqual([]);
			await page.close();
		});
	}

	it('fits a phone: no tab widens the page (a table scrolls inside its own box)', async () => {
		const page = await newViewerPage(browser, PHONE);
		await signInToConsole(page, app, 'admin', '/admin/');
		await page.getByRole('tab').first().waitFor();
		for (const tab of await page.getByRole('tab').all()) {
			await tab.click();
			await page.waitForTimeout(400);
			const [scroll, client] = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
			expect(scroll, (await tab.textContent()) ?? '').toBeLessThanOrEqual(client);
		}
		await page.close();
	});
});
