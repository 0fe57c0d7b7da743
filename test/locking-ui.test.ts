/**
 * Button locking as people see it, in real browsers: the agent clicks "Buy now" in the
 * video of the real console; nothing reaches the page, the agent sees why next to the
 * pointer, and the customer (on a phone) is told the agent tried. The customer's own tap
 * on the same button goes through.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alongside } from '../signaling/Alongside.js';
import { launchViewerBrowser, metricSum, startAlongside, startFixtureServer } from './helpers.js';
import { LOCK_INNER, LOCK_PAGE } from './locking/pages.js';
import { onScreen, shot, startSessionInBrowsers } from './ui.js';

let app: Alongside;
let fixtures: Awaited<ReturnType<typeof startFixtureServer>>;
let browser: Browser;
let agent: Page;
let customer: Page;
const cloud = () => app.liveSessions()[0]!.browser;

beforeAll(async () => {
	fixtures = await startFixtureServer({ '/lock': LOCK_PAGE('http://127.0.0.2:1'), '/lock-inner': LOCK_INNER });
	app = await startAlongside();
	browser = await launchViewerBrowser();
	({ agent, customer } = await startSessionInBrowsers(app, browser));
	await cloud().navigate(`${fixtures.url}/lock`);
});

afterAll(async () => {
	await browser?.close();
	await app?.close();
	await fixtures?.close();
});

describe('locked controls, for the people in the session', () => {
	it('refuses the agent\'s click on "Buy now", tells the agent why beside the pointer and the customer that the agent tried', async () => {
		const refusalsBefore = await metricSum(app, 'alongside_input_refusals_total');
		const { x, y } = await onScreen(agent, cloud().page, 'buy');
		await agent.mouse.click(x, y);
		const bubble = agent.getByTestId('refusal');
		await bubble.waitFor();
		expect(await bubble.textContent()).toContain('Only the customer can do this');
		const bubbleBox = (await bubble.boundingBox())!;
		// Beside where the agent clicked.
		expect(Math.abs(bubbleBox.y + bubbleBox.height / 2 - y)).toBeLessThan(40);
		expect(Math.abs(bubbleBox.x - x)).toBeLessThan(60);
		await shot(agent, 'lock-agent-refused');
		await customer.getByRole('alert').filter({ hasText: 'tried to press something only you can press' }).waitFor();
		await shot(customer, 'lock-customer-told');
		expect(await cloud().page.evaluate('window.hits')).toEqual([]);
		expect(await metricSum(app, 'alongside_input_refusals_total')).toBeGreaterThan(refusalsBefore);
		// Kept for the session report: who, which rule, what was tried.
		const entries = await app.store.listAudit('demo', { limit: 50 });
		const refused = entries.filter((e) => e.action === 'input.refused');
		expect(refused.length).toBeGreaterThan(0);
		expect(refused[0]!.detail).toMatchObject({ reason: 'purchase', kind: 'click' });
	});

	it('lets the customer tap the same button', async () => {
		await cloud().navigate(`${fixtures.url}/lock`);
		const { x, y } = await onScreen(customer, cloud().page, 'buy');
		await customer.touchscreen.tap(x, y);
		await expect.poll(() => cloud().page.evaluate('window.hits'), { timeout: 5000 }).toContain('buy');
	});
});
