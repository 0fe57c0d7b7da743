/**
 * Browser-drawn pickers (a select's list, a date or colour picker) through the stream, with
 * real viewers: Chromium draws them outside the page, so the capture never shows them. The
 * customer taps a select on the phone; both people see its options; a choice lands in the
 * cloud page as the browser's own would (the value, then input and change events). The
 * agent chooses too, a date included. A masked field's options are hidden from the agent,
 * who cannot choose there.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alongside } from '../signaling/Alongside.js';
import { launchViewerBrowser, startAlongside, startFixtureServer } from './helpers.js';
import { onScreen, shot, startSessionInBrowsers } from './ui.js';

const PAGE = `<!doctype html><html><head><meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{margin:0;font:18px system-ui;padding:12px} select,input{display:block;width:90%;height:56px;margin:0 0 28px;font-size:18px}</style></head>
<body><title>Pickers</title>
<label for="size">Size</label>
<select id="size"><option value="S">Small</option><option value="M" selected>Medium</option><optgroup label="Big"><option value="L">Large</option><option value="XL" disabled>Extra large</option></optgroup></select>
<label for="when">Delivery date</label><input id="when" type="date" min="2026-01-01" max="2027-12-31">
<div id="accounts"><label for="acct">Pay from</label><select id="acct"><option>Current account 12-34-56</option><option>Savings 65-43-21</option></select></div>
<label for="month">Expiry month</label>
<select id="month" autocomplete="cc-exp-month"><option>01</option><option>02</option><option>03</option></select>
<script>
window.changes = [];
for (const id of ['size', 'when', 'month', 'acct']) {
	const el = document.getElementById(id);
	el.addEventListener('input', () => changes.push('input:' + id + '=' + el.value));
	el.addEventListener('change', () => changes.push('change:' + id + '=' + el.value));
}
window.at = (id) => { const r = document.getElementById(id).getBoundingClientRect(); return [(r.left + r.width / 2) / innerWidth, (r.top + r.height / 2) / innerHeight]; };
</script></body></html>`;

let app: Alongside;
let browser: Browser;
let agent: Page;
let customer: Page;
let fixtures: Awaited<ReturnType<typeof startFixtureServer>>;

const session = () => app.liveSessions()[0]!;
const cloud = () => session().browser;

beforeAll(async () => {
	fixtures = await startFixtureServer({ '/pickers': PAGE });
	app = await startAlongside();
	browser = await launchViewerBrowser();
	({ agent, customer } = await startSessionInBrowsers(app, browser, { shape: 'customer' }));
	await cloud().navigate(`${fixtures.url}/pickers`);
});

afterAll(async () => {
	await browser?.close();
	await app?.close();
	await fixtures?.close();
});

const changes = () => cloud().page.evaluate('window.changes.splice(0)') as Promise<string[]>;
const options = (viewer: Page) => viewer.getByTestId('picker-option').allTextContents().then((all) => all.map((t) => t.replace('✓', '').trim()));

describe('browser-drawn pickers', () => {
	it("shows a select's options to both people when the customer taps it, and the customer's choice lands in the page", async () => {
		await changes();
		const { x, y } = await onScreen(customer, cloud().page, 'size');
		await customer.touchscreen.tap(x, y);
		await customer.getByTestId('page-picker').waitFor();
		expect(await options(customer)).toEqual(['Small', 'Medium', 'Large', 'Extra large']);
		// The agent sees the same list, and may choose too.
		await agent.getByTestId('page-picker').waitFor();
		expect(await options(agent)).toEqual(['Small', 'Medium', 'Large', 'Extra large']);
		await shot(customer, 'picker-phone');
		await shot(agent, 'picker-console');
		expect(await agent.getByTestId('picker-option').nth(1).getAttribute('aria-selected')).toBe('true');
		expect(await customer.getByTestId('picker-option').nth(3).isDisabled()).toBe(true);
		// No list opened in the cloud browser itself (it would take the page's input).
		await customer.getByTestId('picker-option').nth(2).click();
		await expect.poll(() => cloud().page.evaluate(() => (document.getElementById('size') as HTMLSelectElement).value)).toBe('L');
		expect(await changes()).toEqual(['input:size=L', 'change:size=L']);
		await expect.poll(() => agent.getByTestId('page-picker').count()).toBe(0);
		await expect.poll(() => customer.getByTestId('page-picker').count()).toBe(0);
	});

	it('lets the agent open a select and choose, and a date', async () => {
		const size = await onScreen(agent, cloud().page, 'size');
		await agent.mouse.click(size.x, size.y);
		await agent.getByTestId('page-picker').waitFor();
		await customer.getByTestId('page-picker').waitFor();
		await agent.getByTestId('picker-option').first().click();
		await expect.poll(() => cloud().page.evaluate(() => (document.getElementById('size') as HTMLSelectElement).value)).toBe('S');
		await expect.poll(() => customer.getByTestId('page-picker').count()).toBe(0);

		await changes();
		const when = await onScreen(agent, cloud().page, 'when');
		await agent.mouse.click(when.x, when.y);
		await agent.getByTestId('picker-field').fill('2026-12-24');
		await agent.getByTestId('picker-done').click();
		await expect.poll(() => cloud().page.evaluate(() => (document.getElementById('when') as HTMLInputElement).value)).toBe('2026-12-24');
		expect(await changes()).toEqual(['input:when=2026-12-24', 'change:when=2026-12-24']);
	});

	it("hides a masked field's options from the agent, who cannot choose there; the customer can", async () => {
		const { x, y } = await onScreen(customer, cloud().page, 'month');
		await customer.touchscreen.tap(x, y);
		await agent.getByTestId('page-picker').waitFor();
		expect(await options(customer)).toEqual(['01', '02', '03']);
		expect(await options(agent)).toEqual(['••••', '••••', '••••']);
		expect(await agent.getByTestId('picker-option').first().isDisabled()).toBe(true);
		// Asked directly, the session refuses the agent too.
		const picker = cloud().picker!;
		expect(picker.masked).toBe(true);
		const agentId = session().participants.find((p) => p.role === 'agent')!.id;
		await expect(session().answerPicker(agentId, picker.id, '0')).rejects.toThrow('only the customer can choose here');
		await customer.getByTestId('picker-option').nth(2).click();
		await expect.poll(() => cloud().page.evaluate(() => (document.getElementById('month') as HTMLSelectElement).value)).toBe('03');
	});

	it('hides the options of a select inside a region a company rule masks, though the select itself is not named', async () => {
		session().setRules({ disabled: [], custom: [{ kind: 'selector', value: '#accounts', domains: [] }] });
		await new Promise((resolve) => setTimeout(resolve, 500));
		const { x, y } = await onScreen(customer, cloud().page, 'acct');
		await customer.touchscreen.tap(x, y);
		await agent.getByTestId('page-picker').waitFor();
		expect(await options(customer)).toEqual(['Current account 12-34-56', 'Savings 65-43-21']);
		expect(await options(agent)).toEqual(['••••', '••••']);
		expect(await agent.getByTestId('picker-option').first().isDisabled()).toBe(true);
		await customer.getByTestId('picker-option').nth(1).click();
		await expect.poll(() => cloud().page.evaluate(() => (document.getElementById('acct') as HTMLSelectElement).selectedIndex)).toBe(1);
	});
});
