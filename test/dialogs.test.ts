/**
 * The page's own dialogs, in real browsers: Chromium draws alert, confirm and prompt outside
 * the page, so the video never shows them and the page is frozen until one is answered.
 * Everyone in the session is shown the dialog; the customer answers anything, the agent
 * anything but accepting what asks to pay, and never sees what masking hides.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alongside } from '../signaling/Alongside.js';
import { launchViewerBrowser, startAlongside, startFixtureServer } from './helpers.js';
import { startSessionInBrowsers } from './ui.js';

const PAGE = `<!doctype html><html><head><meta charset="utf-8"></head><body style="margin:0;font:20px system-ui">
<button id="go" style="position:absolute;left:40px;top:40px;width:240px;height:80px">Count</button>
<script>window.results = []; window.count = 0; document.getElementById('go').onclick = () => count++;</script></body></html>`;

let app: Alongside;
let browser: Browser;
let agent: Page;
let customer: Page;
let fixtures: Awaited<ReturnType<typeof startFixtureServer>>;
const cloud = () => app.liveSessions()[0]!.browser;

/** Has the cloud page open a dialog by itself (as a page's script does), recording the answer. */
function open(call: string): Promise<unknown> {
	return cloud().page.evaluate(`setTimeout(() => results.push(${call}), 0)`);
}

const dialogOf = (page: Page) => page.getByTestId('page-dialog');

beforeAll(async () => {
	fixtures = await startFixtureServer({ '/page': PAGE });
	app = await startAlongside();
	browser = await launchViewerBrowser();
	({ agent, customer } = await startSessionInBrowsers(app, browser));
	await cloud().navigate(`${fixtures.url}/page`);
});

afterAll(async () => {
	await browser?.close();
	await app?.close();
	await fixtures?.close();
});

describe("the page's dialogs", () => {
	it('shows an alert to everyone; once the customer answers, the page goes on and takes input again', async () => {
		await open(`(alert('Your changes are saved'), 'alert')`);
		for (const page of [agent, customer]) await expect.poll(() => dialogOf(page).textContent()).toContain('Your changes are saved');
		if (process.env.ALONGSIDE_SHOT_DIR) {
			await customer.screenshot({ path: `${process.env.ALONGSIDE_SHOT_DIR}/customer-dialog.png` });
			await agent.screenshot({ path: `${process.env.ALONGSIDE_SHOT_DIR}/console-dialog.png` });
		}
		await dialogOf(customer).getByRole('button', { name: 'OK' }).click();
		for (const page of [agent, customer]) await expect.poll(() => dialogOf(page).count()).toBe(0);
		await expect.poll(() => cloud().page.evaluate('results')).toEqual(['alert']);
		// The agent is told who answered.
		await expect.poll(() => agent.getByRole('alert').filter({ hasText: "answered the page's message" }).count()).toBe(1);
		// Not frozen: the agent's click counts.
		const before = (await cloud().page.evaluate('count')) as number;
		await agent.evaluate(() => {
			window.alongside!.send({ type: 'pointer/down', x: 160 / 1280, y: 80 / 720, button: 'left', clickCount: 1, modifiers: 0 });
			window.alongside!.send({ type: 'pointer/up', x: 160 / 1280, y: 80 / 720, button: 'left', clickCount: 1, modifiers: 0 });
		});
		await expect.poll(() => cloud().page.evaluate('count')).toBe(before + 1);
	});

	it('lets the agent only cancel a dialog that asks to pay; the customer confirms it', async () => {
		await open(`confirm('Confirm the payment of 20 euros?')`);
		await expect.poll(() => dialogOf(agent).textContent()).toContain('Only the customer can confirm this.');
		await expect(dialogOf(agent).getByRole('button', { name: 'OK' }).isDisabled()).resolves.toBe(true);
		await expect(dialogOf(agent).getByRole('button', { name: 'Cancel' }).isEnabled()).resolves.toBe(true);
		await expect(dialogOf(customer).getByRole('button', { name: 'OK' }).isEnabled()).resolves.toBe(true);
		await dialogOf(customer).getByRole('button', { name: 'OK' }).click();
		await expect.poll(() => cloud().page.evaluate('results.at(-1)')).toBe(true);
	});

	it("takes the agent's answer to a prompt, accents and all", async () => {
		await open(`prompt('Name on the parcel?', 'Maria')`);
		await expect.poll(() => dialogOf(agent).getByRole('textbox').inputValue()).toBe('Maria');
		await dialogOf(agent).getByRole('textbox').fill('Zoë Müller-Café');
		await dialogOf(agent).getByRole('button', { name: 'OK' }).click();
		await expect.poll(() => cloud().page.evaluate('results.at(-1)')).toBe('Zoë Müller-Café');
		await expect.poll(() => dialogOf(customer).count()).toBe(0);
	});

	it('never shows the agent what masking hides, while the customer reads it whole', async () => {
		await open(`(alert('Card 4111 1111 1111 1111 charged'), 'card')`);
		await expect.poll(() => dialogOf(customer).textContent()).toContain('Card 4111 1111 1111 1111 charged');
		const seen = await dialogOf(agent).textContent();
		expect(seen).toContain('Card •••• charged');
		expect(seen).not.toMatch(/4111/);
		await dialogOf(agent).getByRole('button', { name: 'OK' }).click();
		await expect.poll(() => cloud().page.evaluate('results.at(-1)')).toBe('card');
	});
});
