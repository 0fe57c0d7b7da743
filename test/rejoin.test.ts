/**
 * Coming back to a live session, in real browsers: an agent who reloads the console, and a
 * customer who closes the tab and opens the company link again, are back in the same
 * session as the same person; a link opened after the session ended says so.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alongside } from '../signaling/Alongside.js';
import { launchViewerBrowser, startAlongside } from './helpers.js';
import { startSessionInBrowsers } from './ui.js';

let app: Alongside;
let browser: Browser;
let agent: Page;
let customer: Page;

const sessionIdOf = (page: Page) => page.evaluate(() => window.alongside!.state().sessionId as string | undefined);
const othersOf = (page: Page) => page.evaluate(() => (window.alongside!.state().participants as Array<{ role: string }>).map((p) => p.role).sort());

beforeAll(async () => {
	app = await startAlongside();
	browser = await launchViewerBrowser();
	({ agent, customer } = await startSessionInBrowsers(app, browser));
});

afterAll(async () => {
	await browser?.close();
	await app?.close();
});

describe('coming back to a live session', () => {
	it('takes an agent who reloads the console back into the session, the customer still there', async () => {
		const sessionId = await sessionIdOf(agent);
		expect(sessionId).toBeTruthy();
		await agent.reload();
		await agent.waitForSelector('body[data-status=live]');
		expect(await sessionIdOf(agent)).toBe(sessionId);
		expect(await othersOf(agent)).toEqual(['customer']);
		// One agent in the session, not two.
		await expect.poll(() => othersOf(customer)).toEqual(['agent']);
		expect(app.liveSessions()).toHaveLength(1);
	});

	it('takes a customer who closes the tab and opens the link again back into the session', async () => {
		const sessionId = await sessionIdOf(customer);
		const context = customer.context();
		await customer.close();
		await expect.poll(() => othersOf(agent)).toEqual([]);
		customer = await context.newPage();
		await customer.goto(`${app.url}/c/demo`);
		await customer.waitForSelector('body[data-status=live]');
		expect(await sessionIdOf(customer)).toBe(sessionId);
		await expect.poll(() => othersOf(agent)).toEqual(['customer']);
		expect(await customer.getByTestId('pin').count()).toBe(0);
	});

	it('tells a customer who opens the link after the session ended that it ended, then offers a new code', async () => {
		const context = customer.context();
		await customer.close();
		await app.liveSessions()[0]!.end('agent_ended');
		customer = await context.newPage();
		await customer.goto(`${app.url}/c/demo`);
		await expect.poll(() => customer.getByRole('heading', { name: /ended/i }).count(), { timeout: 10_000 }).toBe(1);
		await customer.getByRole('button', { name: /new code/i }).click();
		await expect.poll(() => customer.getByTestId('pin').count(), { timeout: 10_000 }).toBe(1);
	});
});
