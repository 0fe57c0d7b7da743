/**
 * Accessibility of every app's main screens, checked with axe-core in a real browser: no
 * serious or critical violation (contrast, names of controls, labels, roles, landmarks) on
 * the home page, sign-in, the agent's start screen and live console (with the chat and the
 * drawing tools open), the customer's PIN page and live session on a phone (in Italian
 * too), the supervisor's wall and watch view, and the admin's pages.
 */
import { createRequire } from 'node:module';
import fs from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alongside } from '../signaling/Alongside.js';
import { launchViewerBrowser, newViewerPage, startAlongside } from './helpers.js';
import { enterPin, PHONE, signInToConsole } from './ui.js';

const AXE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface Violation {
	id: string;
	impact: string | null;
	help: string;
	nodes: Array<{ target: string[]; failureSummary?: string }>;
}

/** Runs axe on the page as it is; the serious and critical violations, described. */
async function violations(page: Page): Promise<string[]> {
	// NOTE: evaluated, not added as a script tag: the apps' CSP refuses inline scripts.
	if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(`${AXE}\n;undefined`);
	const found = (await page.evaluate(async () => {
		const axe = (window as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: unknown[] }> } }).axe;
		// NOTE: the shared video is another site's page, not ours to judge.
		const result = await axe.run({ exclude: [['video']] }, { resultTypes: ['violations'] });
		return result.violations;
	})) as Violation[];
	return found
		.filter((v) => v.impact === 'serious' || v.impact === 'critical')
		.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}

let app: Alongside;
let browser: Browser;
let agent: Page;
let customer: Page;

beforeAll(async () => {
	app = await startAlongside();
	browser = await launchViewerBrowser();
});

afterAll(async () => {
	await browser?.close();
	await app?.close();
});

describe('accessibility', () => {
	it('home and sign-in', async () => {
		const page = await newViewerPage(browser, { viewport: { width: 1280, height: 800 } });
		await page.goto(`${app.url}/`);
		expect(await violations(page)).toEqual([]);
		await page.goto(`${app.url}/agent/`);
		await page.getByLabel('Email').waitFor();
		expect(await violations(page)).toEqual([]);
		await page.close();
	});

	it("the customer's PIN page on a phone, in Italian", async () => {
		customer = await newViewerPage(browser, { ...PHONE, locale: 'it-IT' });
		await customer.goto(`${app.url}/c/demo`);
		await customer.getByTestId('pin').waitFor();
		expect(await violations(customer)).toEqual([]);
	});

	it("the agent's start screen and live console, with the chat and the drawing tools open; the customer's live session", async () => {
		agent = await newViewerPage(browser, { viewport: { width: 1280, height: 800 } });
		await signInToConsole(agent, app);
		await agent.getByLabel("Customer's PIN").waitFor();
		expect(await violations(agent)).toEqual([]);
		const pin = ((await customer.getByTestId('pin').textContent()) ?? '').replace(/\D/g, '');
		await enterPin(agent, pin);
		await Promise.all([agent.waitForSelector('body[data-status=live]'), customer.waitForSelector('body[data-status=live]')]);
		expect(await violations(agent)).toEqual([]);
		await agent.getByTestId('chat-toggle').click();
		await agent.getByTestId('annotate-toggle').click();
		expect(await violations(agent)).toEqual([]);
		expect(await violations(customer)).toEqual([]);
		await customer.getByTestId('chat-toggle').click();
		expect(await violations(customer)).toEqual([]);
	});

	it("the supervisor's wall and watch view", async () => {
		const page = await newViewerPage(browser, { viewport: { width: 1280, height: 800 } });
		await signInToConsole(page, app, 'supervisor', '/supervisor/');
		await page.getByTestId('wall-card').waitFor();
		expect(await violations(page)).toEqual([]);
		await page.getByRole('button', { name: /Watch/ }).first().click();
		await page.waitForSelector('body[data-status=live]');
		expect(await violations(page)).toEqual([]);
		await page.close();
	});

	it("the integration API's reference", async () => {
		const page = await newViewerPage(browser, { viewport: { width: 1280, height: 800 } });
		await page.goto(`${app.url}/developers/`);
		// Made from the served OpenAPI document: every operation, and the webhooks.
		await expect.poll(() => page.getByTestId('operation').count()).toBe(6);
		expect(await page.locator('#webhooks').count()).toBe(1);
		expect(await violations(page)).toEqual([]);
		await page.close();
	});

	it("the admin's pages", async () => {
		const page = await newViewerPage(browser, { viewport: { width: 1280, height: 800 } });
		await signInToConsole(page, app, 'admin', '/admin/');
		await page.getByRole('tab').first().waitFor();
		for (const tab of await page.getByRole('tab').all()) {
			await tab.click();
			await page.waitForTimeout(300);
			expect(await violations(page), await tab.textContent() ?? '').toEqual([]);
		}
		await page.close();
	});
});
