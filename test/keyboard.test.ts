/**
 * Keys, the phone's keyboard and the clipboard, with real viewers (the agent console on a
 * desktop, the customer on a phone): a field focused in the cloud page opens the phone's
 * keyboard (the kind that suits the field); accented letters and IME composition arrive
 * once, in order; the focus leaving the field closes it. Escape reaches the page, and
 * Shift+Escape releases the console's keyboard. Paste types this device's clipboard into
 * the page; copy brings the page's selection to this device's clipboard, except, for the
 * agent, anything masked.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alongside } from '../signaling/Alongside.js';
import { launchViewerBrowser, startAlongside, startFixtureServer } from './helpers.js';
import { onScreen, startSessionInBrowsers } from './ui.js';

const PAGE = `<!doctype html><html><head><meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{margin:0;font:18px system-ui;padding:12px} input{display:block;width:90%;height:56px;margin:0 0 24px;font-size:18px} p{margin:0 0 24px}</style></head>
<body><title>Keys</title>
<label for="name">Name</label><input id="name" autocomplete="off">
<label for="mail">Email</label><input id="mail" type="email" autocomplete="off">
<label for="card">Card number</label><input id="card" autocomplete="cc-number" value="4111 1111 1111 1111">
<p id="note">Order 7731 ships on Friday</p>
<script>
window.keys = [];
addEventListener('keydown', (e) => keys.push(e.key));
window.at = (id) => { const r = document.getElementById(id).getBoundingClientRect(); return [(r.left + r.width / 2) / innerWidth, (r.top + r.height / 2) / innerHeight]; };
window.selectAll = (id) => { const el = document.getElementById(id); if (el.select) { el.focus(); el.select(); } else { el.ownerDocument.activeElement?.blur?.(); getSelection().selectAllChildren(el); } };
</script></body></html>`;

let app: Alongside;
let browser: Browser;
let agent: Page;
let customer: Page;
let fixtures: Awaited<ReturnType<typeof startFixtureServer>>;

const session = () => app.liveSessions()[0]!;
const cloud = () => session().browser;
const value = (id: string) => cloud().page.evaluate((id) => (document.getElementById(id) as HTMLInputElement).value, id);

beforeAll(async () => {
	fixtures = await startFixtureServer({ '/keys': PAGE });
	app = await startAlongside();
	browser = await launchViewerBrowser();
	({ agent, customer } = await startSessionInBrowsers(app, browser, { shape: 'customer' }));
	await agent.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.url });
	await cloud().navigate(`${fixtures.url}/keys`);
});

afterAll(async () => {
	await browser?.close();
	await app?.close();
	await fixtures?.close();
});

/** The phone's keyboard is open: the customer page's keyboard input has the focus; its input mode. */
const phoneKeyboard = () => customer.evaluate(() => (document.activeElement?.classList.contains('text-input') ? (document.activeElement as HTMLInputElement).inputMode || 'text' : null));

describe('the phone keyboard', () => {
	it('opens when a field in the page is focused, with the keyboard that suits it, and types accents and IME text once', async () => {
		const name = await onScreen(customer, cloud().page, 'name');
		await customer.touchscreen.tap(name.x, name.y);
		await expect.poll(phoneKeyboard, { timeout: 5000 }).toBe('text');
		await customer.keyboard.type('Zoë Café ');
		// An IME composition (Japanese): only the committed text arrives, once.
		const cdp = await customer.context().newCDPSession(customer);
		await cdp.send('Input.imeSetComposition', { text: 'か', selectionStart: 1, selectionEnd: 1 });
		await cdp.send('Input.imeSetComposition', { text: 'かな', selectionStart: 2, selectionEnd: 2 });
		await cdp.send('Input.insertText', { text: '仮名' });
		await expect.poll(() => value('name'), { timeout: 5000 }).toBe('Zoë Café 仮名');

		const mail = await onScreen(customer, cloud().page, 'mail');
		await customer.touchscreen.tap(mail.x, mail.y);
		await expect.poll(phoneKeyboard, { timeout: 5000 }).toBe('email');

		// The focus leaves every field (a tap on the text): the keyboard closes.
		const note = await onScreen(customer, cloud().page, 'note');
		await customer.touchscreen.tap(note.x, note.y);
		await expect.poll(phoneKeyboard, { timeout: 5000 }).toBe(null);
	});
});

describe('touch', () => {
	it("pinch-zooms the page from the phone: the cloud page's visual viewport zooms, not the video", async () => {
		expect(await cloud().page.evaluate(() => visualViewport!.scale)).toBe(1);
		const video = (await customer.locator('video').boundingBox())!;
		const [cx, cy] = [video.x + video.width / 2, video.y + video.height / 2];
		const cdp = await customer.context().newCDPSession(customer);
		const fingers = (spread: number) => [
			{ x: cx - spread, y: cy, id: 1 },
			{ x: cx + spread, y: cy, id: 2 },
		];
		await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: fingers(20) });
		for (let i = 1; i <= 10; i++) {
			await new Promise((resolve) => setTimeout(resolve, 30));
			await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: fingers(20 + i * 12) });
		}
		await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
		await expect.poll(() => cloud().page.evaluate(() => visualViewport!.scale), { timeout: 5000 }).toBeGreaterThan(1.5);
		// The customer's video is not scaled: the page zoomed inside it.
		expect(await customer.evaluate(() => getComputedStyle(window.alongside!.video!).transform)).toBe('none');
		// And back out, for the tests after this one.
		await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: fingers(140) });
		for (let i = 1; i <= 10; i++) {
			await new Promise((resolve) => setTimeout(resolve, 30));
			await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: fingers(140 - i * 12) });
		}
		await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
		await expect.poll(() => cloud().page.evaluate(() => visualViewport!.scale), { timeout: 5000 }).toBeLessThan(1.2);
	});
});

describe('keys and the clipboard in the console', () => {
	it('sends Escape to the page, and Shift+Escape releases the keyboard', async () => {
		await cloud().page.evaluate('window.keys.length = 0');
		const name = await onScreen(agent, cloud().page, 'name');
		await agent.mouse.click(name.x, name.y);
		await agent.getByTestId('keyboard-tip').waitFor();
		await agent.keyboard.press('Escape');
		await expect.poll(() => cloud().page.evaluate('window.keys')).toContain('Escape');
		expect(await agent.getByTestId('keyboard-tip').count()).toBe(1);
		await agent.keyboard.press('Shift+Escape');
		await expect.poll(() => agent.getByTestId('keyboard-tip').count()).toBe(0);
		expect(((await cloud().page.evaluate('window.keys')) as string[]).filter((k) => k === 'Escape')).toHaveLength(1);
	});

	it("pastes this device's clipboard into the page, and copies the page's selection, except what is masked", async () => {
		await cloud().page.evaluate(() => ((document.getElementById('name') as HTMLInputElement).value = ''));
		await agent.evaluate(() => navigator.clipboard.writeText('Rossi, via Roma 1'));
		const name = await onScreen(agent, cloud().page, 'name');
		await agent.mouse.click(name.x, name.y);
		await agent.keyboard.press('Control+V');
		await expect.poll(() => value('name'), { timeout: 5000 }).toBe('Rossi, via Roma 1');

		await cloud().page.evaluate(`window.selectAll('note')`);
		await agent.keyboard.press('Control+C');
		await expect.poll(() => agent.evaluate(() => navigator.clipboard.readText())).toBe('Order 7731 ships on Friday');

		// The card number is masked: the agent's copy is refused, the clipboard keeps what it had.
		await cloud().page.evaluate(`window.selectAll('card')`);
		await agent.keyboard.press('Control+C');
		await expect.poll(() => agent.locator('.toast').textContent()).toContain('hidden from you');
		expect(await agent.evaluate(() => navigator.clipboard.readText())).toBe('Order 7731 ships on Friday');
		// The customer may copy it.
		const customerId = session().participants.find((p) => p.role === 'customer')!.id;
		expect(await session().copySelection(customerId)).toBe('4111 1111 1111 1111');
		const agentId = session().participants.find((p) => p.role === 'agent')!.id;
		await expect(session().copySelection(agentId)).rejects.toThrow('hidden from you');
	});
});
