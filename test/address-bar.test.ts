/**
 * The console's URL bar behaves like a browser's, in real browsers: words are searched for
 * with the configured search engine, and a page that cannot be opened shows a plain error
 * page (not Chromium's `chrome-error://` with a network code), under the address typed.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alongside } from '../signaling/Alongside.js';
import { launchViewerBrowser, startAlongside, startFixtureServer } from './helpers.js';
import { startSessionInBrowsers } from './ui.js';

let app: Alongside;
let browser: Browser;
let agent: Page;
let fixtures: Awaited<ReturnType<typeof startFixtureServer>>;
const cloud = () => app.liveSessions()[0]!.browser;

async function type(text: string): Promise<void> {
	const bar = agent.locator('form.urlbar input');
	await bar.fill(text);
	await bar.press('Enter');
}

beforeAll(async () => {
	fixtures = await startFixtureServer({ '/search?q=red%20shoes': '<!doctype html><title>Results</title><p>Results for red shoes</p>' });
	app = await startAlongside({ ALONGSIDE_SEARCH_URL: `${fixtures.url}/search?q=%s` });
	browser = await launchViewerBrowser();
	({ agent } = await startSessionInBrowsers(app, browser));
});

afterAll(async () => {
	await browser?.close();
	await app?.close();
	await fixtures?.close();
});

describe('the URL bar', () => {
	it('searches for words that are not an address', async () => {
		await type('red shoes');
		await expect.poll(() => cloud().page.url(), { timeout: 10_000 }).toBe(`${fixtures.url}/search?q=red%20shoes`);
		await expect.poll(() => agent.locator('form.urlbar input').inputValue()).toBe(`${fixtures.url}/search?q=red%20shoes`);
	});

	it('shows a plain error page, under the address typed, when a page cannot be opened', async () => {
		const url = 'https://127.0.0.1:9/';
		await type(url);
		await expect.poll(() => agent.getByRole('alert').filter({ hasText: 'could not be reached' }).count(), { timeout: 20_000 }).toBe(1);
		await expect.poll(() => cloud().page.evaluate(() => document.body?.innerText ?? ''), { timeout: 10_000 }).toContain('This page could not be opened');
		const text = (await cloud().page.evaluate(() => document.body.innerText)) as string;
		expect(text).toContain('The site could not be reached.');
		expect(text).toContain(url);
		expect(text).not.toMatch(/ERR_|chrome-error/);
		await expect.poll(() => agent.locator('form.urlbar input').inputValue()).toBe(url);
		expect(app.liveSessions()[0]!.browserState.url).toBe(url);
		// NOTE: Chromium's own error page shows for a moment before ours replaces it.
		if (process.env.ALONGSIDE_SHOT_DIR) await new Promise((r) => setTimeout(r, 1500));
		if (process.env.ALONGSIDE_SHOT_DIR) await agent.screenshot({ path: `${process.env.ALONGSIDE_SHOT_DIR}/console-error-page.png` });
	});
});
