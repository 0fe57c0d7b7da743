/**
 * Reading a PDF together, with real viewers: a PDF opens in the cloud browser's viewer,
 * scrolls, goes to a page, zooms and finds words, all driven through the agent's video;
 * the card numbers and IBANs in it (magenta) never show in the agent's decoded video while
 * it moves, though the customer's shows them.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alongside } from '../signaling/Alongside.js';
import { launchViewerBrowser, startAlongside, startFixtureServer } from './helpers.js';
import { startColourCount, takeColourCount } from './masking/check.js';
import { statementPdf } from './masking/pdf.js';
import { startSessionInBrowsers, videoPoint } from './ui.js';

let app: Alongside;
let browser: Browser;
let agent: Page;
let customer: Page;
let fixtures: Awaited<ReturnType<typeof startFixtureServer>>;

const session = () => app.liveSessions()[0]!;
const cloud = () => session().browser;
const MAGENTA: [number, number, number] = [255, 0, 255];

beforeAll(async () => {
	fixtures = await startFixtureServer({ '/statement.pdf': { contentType: 'application/pdf', body: statementPdf() } });
	app = await startAlongside();
	browser = await launchViewerBrowser();
	({ agent, customer } = await startSessionInBrowsers(app, browser));
	await startColourCount(agent, MAGENTA);
	await startColourCount(customer, MAGENTA);
	await cloud().navigate(`${fixtures.url}/statement.pdf`);
	await drawn();
	await takeColourCount(agent);
	await takeColourCount(customer);
});

afterAll(async () => {
	await browser?.close();
	await app?.close();
	await fixtures?.close();
});

/** Waits until the viewer has drawn both pages. */
async function drawn(): Promise<void> {
	const deadline = Date.now() + 15_000;
	while ((await cloud().page.evaluate(() => document.querySelectorAll('.page canvas[style*="visible"]').length).catch(() => 0)) !== 2) {
		if (Date.now() > deadline) throw new Error('the PDF was not drawn in 15 s');
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
}

/** Clicks, in the agent's video, the middle of what `selector` finds in the cloud page. */
async function click(selector: string): Promise<void> {
	const [nx, ny] = (await cloud().page.evaluate((selector) => {
		const r = document.querySelector(selector)!.getBoundingClientRect();
		return [(r.left + r.width / 2) / innerWidth, (r.top + r.height / 2) / innerHeight];
	}, selector)) as [number, number];
	const { x, y } = await videoPoint(agent, nx, ny);
	await agent.mouse.click(x, y);
}

const text = (id: string) => cloud().page.evaluate((id) => document.getElementById(id)!.textContent, id);
const field = (id: string) => cloud().page.evaluate((id) => (document.getElementById(id) as HTMLInputElement).value, id);

describe('a PDF read together', () => {
	it('scrolls, goes to a page, zooms and finds words, through the agent\'s video', async () => {
		expect(await text('count')).toBe('/ 2');
		// Scroll with the wheel over the video.
		const box = (await agent.locator('video').boundingBox())!;
		await agent.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
		await agent.mouse.wheel(0, 600);
		await expect.poll(() => cloud().page.evaluate(() => scrollY), { timeout: 5000 }).toBeGreaterThan(300);

		await click('#next');
		await expect.poll(() => field('page'), { timeout: 5000 }).toBe('2');
		await click('#prev');
		await expect.poll(() => field('page'), { timeout: 5000 }).toBe('1');

		await click('#zoomIn');
		await expect.poll(() => text('zoom'), { timeout: 5000 }).toBe('125%');
		await expect.poll(() => cloud().page.evaluate(() => document.querySelectorAll('.page canvas[style*="visible"]').length), { timeout: 15_000 }).toBe(2);

		await click('#find');
		await agent.keyboard.type('groceries');
		await agent.keyboard.press('Enter');
		await expect.poll(() => text('found'), { timeout: 5000 }).toMatch(/^\d+\/12$/);
		await agent.keyboard.press('Enter');
		await expect.poll(() => text('found'), { timeout: 5000 }).toMatch(/^[2-3]\/12$/);
		expect(await cloud().page.evaluate(() => document.querySelectorAll('.textLayer span.hit').length)).toBe(12);
		if (process.env.ALONGSIDE_SHOTS) {
			await new Promise((resolve) => setTimeout(resolve, 500));
			await agent.screenshot({ path: `${process.env.ALONGSIDE_SHOTS}/pdf-console.png` });
			await customer.screenshot({ path: `${process.env.ALONGSIDE_SHOTS}/pdf-phone.png` });
		}
	});

	it("never shows the agent the PDF's card numbers and IBANs, while the customer sees them", async () => {
		const agentSaw = await takeColourCount(agent);
		const customerSaw = await takeColourCount(customer);
		// NOTE: how many frames the check gets to depends on the machine's load (9 on a busy CI run).
		expect(agentSaw.frames).toBeGreaterThan(3);
		expect(agentSaw.coloured).toBe(0);
		expect(customerSaw.coloured).toBeGreaterThan(0);
	});
});
