/**
 * Tabs in the cloud browser, with real viewers (the agent console on a desktop, the
 * customer on a phone): a `target=_blank` link and `window.open` open real tabs (the
 * popup keeps its opener), both people see the tab strip, either can switch and close
 * tabs, the video follows the captured tab on the same producers, each tab keeps its own
 * history, and closing the last tab opens the start page. A tab holding a card number is
 * masked for the agent from its first frame.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alongside } from '../signaling/Alongside.js';
import { launchViewerBrowser, startAlongside, startFixtureServer } from './helpers.js';
import { startColourCount, takeColourCount } from './masking/check.js';
import { shot, startSessionInBrowsers, videoPoint } from './ui.js';

const full = 'position:fixed;top:0;height:100%;display:block;margin:0;border:0;font-size:40px;color:#fff';
const PAGES: Record<string, string> = {
	'/a': `<title>Page A</title><body style="margin:0;background:rgb(200,30,30)">
<a id="blank" href="/b" target="_blank" style="${full};left:0;width:50%">new tab</a>
<button id="popup" style="${full};left:50%;width:50%;background:rgb(200,30,30)" onclick="window.open('/popup', 'win', 'width=500,height=500')">popup</button></body>`,
	'/b': `<title>Page B</title><body style="margin:0;background:rgb(30,60,200)"><a href="/b2" style="${full};left:0;width:100%">next</a></body>`,
	'/b2': `<title>Page B2</title><body style="margin:0;background:rgb(30,160,60)">b2</body>`,
	'/popup': `<title>Sign in</title><body style="margin:0;background:rgb(230,200,20)">
<script>window.opener.signedIn = 'yes from ' + location.pathname;</script>popup</body>`,
	'/card': `<title>Card 4111 1111 1111 1111</title><body style="margin:0;background:#fff;font:64px monospace"><p>Card <span style="color:rgb(255,0,200)">4111 1111 1111 1111</span></p></body>`,
};

let app: Alongside;
let browser: Browser;
let agent: Page;
let customer: Page;
let fixtures: Awaited<ReturnType<typeof startFixtureServer>>;

const session = () => app.liveSessions()[0]!;
const cloud = () => session().browser;

beforeAll(async () => {
	fixtures = await startFixtureServer(PAGES);
	app = await startAlongside();
	browser = await launchViewerBrowser();
	({ agent, customer } = await startSessionInBrowsers(app, browser));
	await cloud().navigate(`${fixtures.url}/a`);
});

afterAll(async () => {
	await browser?.close();
	await app?.close();
	await fixtures?.close();
});

/** Clicks a viewer's video at a point of the cloud page (fractions of the frame). */
async function clickAt(viewer: Page, nx: number, ny: number): Promise<void> {
	const { x, y } = await videoPoint(viewer, nx, ny);
	await viewer.mouse.click(x, y);
}

/** Writes what leaked (PNG data URLs) where the shots go, or to the temporary directory, to look at. */
function keepSamples(name: string, samples: string[]): void {
	samples.forEach((sample, i) => {
		const dir = process.env.ALONGSIDE_SHOTS ?? os.tmpdir();
		fs.mkdirSync(dir, { recursive: true });
		fs.writeFileSync(path.join(dir, `${name}-${i}.png`), Buffer.from(sample.replace(/^data:image\/png;base64,/, ''), 'base64'));
	});
}

/** The colour at the middle of a point of a viewer's video (fractions of the frame), as [r, g, b]. */
function videoColour(viewer: Page, x = 0.25, y = 0.5): Promise<[number, number, number]> {
	return viewer.evaluate(
		([x, y]) => {
			const video = window.alongside!.video!;
			const canvas = document.createElement('canvas');
			[canvas.width, canvas.height] = [video.videoWidth, video.videoHeight];
			const g = canvas.getContext('2d')!;
			g.drawImage(video, 0, 0);
			const [r, gr, b] = g.getImageData(Math.floor(canvas.width * x), Math.floor(canvas.height * y), 1, 1).data;
			return [r!, gr!, b!] as [number, number, number];
		},
		[x, y] as const,
	);
}

/** Which of the fixtures' colours a viewer's video shows (nearest), or '?' when none is close. */
async function showing(viewer: Page, x = 0.25): Promise<string> {
	const [r, g, b] = await videoColour(viewer, x);
	const colours: Record<string, [number, number, number]> = { a: [200, 30, 30], b: [30, 60, 200], b2: [30, 160, 60], popup: [230, 200, 20], white: [255, 255, 255] };
	for (const [name, [cr, cg, cb]] of Object.entries(colours)) if (Math.abs(r - cr) + Math.abs(g - cg) + Math.abs(b - cb) < 60) return name;
	return '?';
}

const tabTitles = (viewer: Page) => viewer.locator('[data-testid=tab] .title').allTextContents().then((all) => all.map((t) => t.trim()));
const activeTitle = (viewer: Page) => viewer.locator('[data-testid=tab][data-active=true] .title').textContent().then((t) => t?.trim());

describe('tabs', () => {
	it('opens a target=_blank link in a new tab that both people see; the video follows it and either can switch back', async () => {
		await expect.poll(() => showing(agent), { timeout: 10_000 }).toBe('a');
		let producerChanges = 0;
		session().room.on('producerchange', () => producerChanges++);
		await clickAt(agent, 0.25, 0.5);
		await expect.poll(() => tabTitles(agent), { timeout: 10_000 }).toEqual(['Page A', 'Page B']);
		await expect.poll(() => tabTitles(customer)).toEqual(['Page A', 'Page B']);
		expect(await activeTitle(agent)).toBe('Page B');
		await expect.poll(() => showing(agent), { timeout: 5000 }).toBe('b');
		await expect.poll(() => showing(customer), { timeout: 5000 }).toBe('b');
		// Both tabs are real: the first keeps its page.
		expect(cloud().tabs.map((t) => new URL(t.page.url()).pathname)).toEqual(['/a', '/b']);
		// The same producers carry the new tab (no renegotiation).
		expect(producerChanges).toBe(0);
		await shot(agent, 'tabs-console');
		await shot(customer, 'tabs-phone');

		// The customer taps the first tab on the phone.
		await customer.getByTestId('tab').first().locator('button.pick').click();
		await expect.poll(() => activeTitle(agent)).toBe('Page A');
		await expect.poll(() => showing(customer), { timeout: 5000 }).toBe('a');
		await expect.poll(() => showing(agent), { timeout: 5000 }).toBe('a');
	});

	it('keeps a popup opened with window.open tied to its opener, and closing it shows the tab before it', async () => {
		await clickAt(agent, 0.75, 0.5);
		await expect.poll(() => tabTitles(agent), { timeout: 10_000 }).toEqual(['Page A', 'Page B', 'Sign in']);
		// NOTE: a popup is resized to the session's shape before its first frame; on a loaded host that takes seconds.
		await expect.poll(() => showing(agent), { timeout: 15_000 }).toBe('popup');
		// The popup reached its opener (sign-in and 3-D Secure popups need it).
		expect(await cloud().tabs[0]!.page.evaluate('window.signedIn')).toBe('yes from /popup');
		// The popup takes the session's shape, whatever size it asked for.
		expect(await cloud().page.evaluate('[innerWidth, innerHeight]')).toEqual([cloud().shape.width, cloud().shape.height]);

		await agent.locator('[data-testid=tab][data-active=true] [data-testid=tab-close]').click();
		await expect.poll(() => tabTitles(agent)).toEqual(['Page A', 'Page B']);
		expect(await activeTitle(agent)).toBe('Page A');
		await expect.poll(() => showing(agent), { timeout: 5000 }).toBe('a');
	});

	it('keeps each tab its own history', async () => {
		await agent.getByTestId('tab').nth(1).locator('button.pick').click();
		await expect.poll(() => showing(agent), { timeout: 5000 }).toBe('b');
		await clickAt(agent, 0.5, 0.5);
		await expect.poll(() => activeTitle(agent), { timeout: 10_000 }).toBe('Page B2');
		await agent.getByRole('button', { name: 'Back' }).click();
		await expect.poll(() => activeTitle(agent), { timeout: 10_000 }).toBe('Page B');
		// The first tab's history is its own: it cannot go back past its first page to B.
		await agent.getByTestId('tab').first().locator('button.pick').click();
		await expect.poll(() => activeTitle(agent)).toBe('Page A');
		await agent.getByRole('button', { name: 'Forward' }).click();
		await new Promise((resolve) => setTimeout(resolve, 500));
		expect(await activeTitle(agent)).toBe('Page A');
	});

	it('masks a tab it switches to from its first frame, for the agent only', async () => {
		const magenta: [number, number, number] = [255, 0, 200];
		await cloud().navigate(`${fixtures.url}/a`);
		await startColourCount(agent, magenta);
		await startColourCount(customer, magenta);
		await takeColourCount(agent);
		await takeColourCount(customer);
		await cloud().newTab(`${fixtures.url}/card`);
		await expect.poll(() => activeTitle(customer), { timeout: 10_000 }).toBe('Card 4111 1111 1111 1111');
		// A title can hold what masking hides: the agent's strip and title bar show it hidden.
		await expect.poll(() => activeTitle(agent)).toBe('Card ••••');
		expect(await agent.title()).not.toContain('4111');
		// An address holding a card number, however encoded, is hidden too; a plain one is shown as it is.
		await cloud().navigate(`${fixtures.url}/card?n=4111+1111+1111+1111`);
		await expect.poll(() => agent.locator('form.urlbar input').inputValue()).toContain('••••');
		expect(await agent.locator('form.urlbar input').inputValue()).not.toContain('4111');
		await expect.poll(() => customer.evaluate(() => window.alongside!.state().browser.url)).toContain('4111+1111');
		await cloud().navigate(`${fixtures.url}/card?n=red+shoes`);
		await expect.poll(() => agent.locator('form.urlbar input').inputValue()).toBe(`${fixtures.url}/card?n=red+shoes`);
		await cloud().navigate(`${fixtures.url}/card`);
		await expect.poll(() => activeTitle(agent)).toBe('Card ••••');
		// The customer sees the card number (the check can see it), the agent never.
		await expect.poll(async () => (await takeColourCount(customer)).coloured, { timeout: 10_000 }).toBeGreaterThan(0);
		await new Promise((resolve) => setTimeout(resolve, 1000));
		const seen = await takeColourCount(agent);
		expect(seen.frames).toBeGreaterThan(0);
		keepSamples('tab-switch-leak', seen.samples);
		expect(seen.coloured).toBe(0);
		// Switching away and back again: still masked.
		await agent.getByTestId('tab').first().locator('button.pick').click();
		await expect.poll(() => showing(agent), { timeout: 5000 }).toBe('a');
		await agent.locator('[data-testid=tab]', { hasText: 'Card' }).locator('button.pick').click();
		await expect.poll(() => activeTitle(agent)).toBe('Card ••••');
		await new Promise((resolve) => setTimeout(resolve, 1000));
		const again = await takeColourCount(agent);
		keepSamples('tab-switch-back-leak', again.samples);
		expect(again.coloured).toBe(0);
		expect(await cloud().maskTotals().then((t) => t.auditLeaks)).toBe(0);
	});

	it('opens the start page when the last tab is closed, and a new tab from the strip', async () => {
		while ((await agent.getByTestId('tab').count()) > 1) {
			const count = await agent.getByTestId('tab').count();
			await agent.getByTestId('tab-close').first().click();
			await expect.poll(() => agent.getByTestId('tab').count()).toBe(count - 1);
		}
		const last = session().browserState.activeTab;
		await agent.getByTestId('tab-close').click();
		await expect.poll(() => session().browserState.activeTab).not.toBe(last);
		await expect.poll(() => session().browserState.tabs.length).toBe(1);
		await expect.poll(() => session().browserState.url, { timeout: 10_000 }).toMatch(/\/welcome/);

		await customer.getByTestId('tab-new').click();
		await expect.poll(() => session().browserState.tabs.length).toBe(2);
		await expect.poll(() => session().browserState.activeTab).toBe(session().browserState.tabs[1]!.id);
	});

	it('refuses a ninth tab with a message', async () => {
		while (cloud().tabs.length < 8) await cloud().newTab(`${fixtures.url}/b2`);
		await agent.getByTestId('tab-new').click();
		await expect.poll(() => agent.locator('.nav-error').textContent()).toContain('at most 8 tabs');
		expect(cloud().tabs).toHaveLength(8);
	});
});
