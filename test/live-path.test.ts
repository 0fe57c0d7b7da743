/**
 * The live path end to end, in real browsers: the server with a real mediasoup worker and
 * a real cloud Chromium; the agent console and a phone-sized customer page in another
 * real Chromium. The agent navigates and clicks, the customer taps and types, and both
 * see the result in their decoded video.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alongside } from '../signaling/Alongside.js';
import { launchViewerBrowser, startAlongside, startFixtureServer } from './helpers.js';
import { startSessionInBrowsers, videoPoint } from './ui.js';

const FORM_PAGE = `<!doctype html><html><body style="margin:0;font:24px system-ui;background:#fff">
<button id="paint" style="position:absolute;left:40px;top:40px;width:300px;height:120px;font-size:28px">Paint</button>
<input id="name" autocomplete="off" style="position:absolute;left:40px;top:240px;width:400px;height:50px;font-size:28px">
<div id="panel" style="position:absolute;left:640px;top:360px;width:400px;height:240px;background:rgb(230,40,40)"></div>
<script>
window.clicks = [];
document.getElementById('paint').addEventListener('click', (e) => {
	clicks.push({ trusted: e.isTrusted });
	document.getElementById('panel').style.background = 'rgb(40,80,230)';
});
</script></body></html>`;

/** Cloud-page CSS pixel → normalized frame coordinates. */
const at = (x: number, y: number) => ({ x: x / 1280, y: y / 720 });

/** The colour of the viewer's decoded video at a normalized point. */
async function videoPixel(page: Page, nx: number, ny: number): Promise<[number, number, number]> {
	return page.evaluate(
		([x, y]) => {
			const video = window.alongside!.video!;
			const canvas = document.createElement('canvas');
			canvas.width = video.videoWidth;
			canvas.height = video.videoHeight;
			const ctx = canvas.getContext('2d')!;
			ctx.drawImage(video, 0, 0);
			const d = ctx.getImageData(Math.round(x! * canvas.width), Math.round(y! * canvas.height), 1, 1).data;
			return [d[0]!, d[1]!, d[2]!] as [number, number, number];
		},
		[nx, ny],
	);
}

const isBlue = ([r, , b]: number[]) => b! > 150 && r! < 120;
const isRed = ([r, , b]: number[]) => r! > 150 && b! < 120;

let app: Alongside;
/** The one live session of the test. */
const session = () => app.liveSessions()[0]!;
let fixtures: Awaited<ReturnType<typeof startFixtureServer>>;
let browser: Browser;
let agent: Page;
let customer: Page;

beforeAll(async () => {
	fixtures = await startFixtureServer({ '/form': FORM_PAGE });
	app = await startAlongside();
	browser = await launchViewerBrowser();
	({ agent, customer } = await startSessionInBrowsers(app, browser));
});

afterAll(async () => {
	await browser?.close();
	await app?.close();
	await fixtures?.close();
});

describe('the live path', () => {
	it('streams the cloud tab as H.264 to both viewers', async () => {
		const published = await session().browser.captureStats();
		expect(published.codec).toBe('video/H264');
		expect(published.frameWidth).toBe(1280);
		for (const page of [agent, customer]) {
			await expect.poll(async () => (await page.evaluate(() => window.alongside!.stats()))?.codec, { timeout: 10_000 }).toBe('video/H264');
		}
	});

	it('opens a page typed into the agent console URL bar', async () => {
		await agent.locator('form.urlbar input').fill(`${fixtures.url}/form`);
		await agent.locator('form.urlbar input').press('Enter');
		await expect.poll(() => session().browserState.url, { timeout: 10_000 }).toBe(`${fixtures.url}/form`);
		const panel = at(840, 480);
		await expect.poll(() => videoPixel(agent, panel.x, panel.y), { timeout: 10_000 }).toSatisfy(isRed);
	});

	it("carries an agent's click into the cloud page and shows the change in the agent's video", async () => {
		const button = at(190, 100);
		const point = await videoPoint(agent, button.x, button.y);
		await agent.mouse.click(point.x, point.y);
		const page = session().browser.page;
		await expect.poll(() => page.evaluate('window.clicks'), { timeout: 5000 }).toEqual([{ trusted: true }]);
		const panel = at(840, 480);
		await expect.poll(() => videoPixel(agent, panel.x, panel.y), { timeout: 5000 }).toSatisfy(isBlue);
		await expect.poll(() => videoPixel(customer, panel.x, panel.y), { timeout: 5000 }).toSatisfy(isBlue);
	});

	it('lets the customer tap a field and type into it with the on-screen keyboard', async () => {
		const field = at(240, 265);
		const point = await videoPoint(customer, field.x, field.y);
		await customer.touchscreen.tap(point.x, point.y);
		const page = session().browser.page;
		await expect.poll(() => page.evaluate('document.activeElement && document.activeElement.id'), { timeout: 5000 }).toBe('name');
		// The phone's keyboard opens by itself (its button shows it open).
		await expect.poll(() => customer.getByRole('button', { name: 'Open the keyboard' }).getAttribute('aria-pressed'), { timeout: 5000 }).toBe('true');
		await customer.keyboard.type('ciao 42');
		await expect.poll(() => page.evaluate('document.getElementById("name").value'), { timeout: 5000 }).toBe('ciao 42');
	});

	it("shows each participant the other's labelled cursor", async () => {
		const point = await videoPoint(agent, 0.7, 0.2);
		await agent.mouse.move(point.x - 5, point.y);
		await agent.mouse.move(point.x, point.y);
		await expect.poll(() => customer.locator('.cursor.agent .label').textContent(), { timeout: 5000 }).toMatch(/Alex.*Agent/);
		const p2 = await videoPoint(customer, 0.3, 0.3);
		await customer.touchscreen.tap(p2.x, p2.y);
		await expect.poll(() => agent.locator('.cursor.customer .label').textContent(), { timeout: 5000 }).toMatch(/Customer/);
		await expect(agent.locator('.cursor.agent').count()).resolves.toBe(0);
		// On the phone the label is small; a cursor that stopped moving fades out, and comes back with the next move.
		expect(await customer.locator('.cursor.agent .label').evaluate((el) => parseFloat(getComputedStyle(el).fontSize))).toBeLessThanOrEqual(10);
		await expect.poll(() => customer.locator('.cursor.agent').evaluate((el) => getComputedStyle(el).opacity), { timeout: 6000 }).toBe('0');
		await agent.mouse.move(point.x + 10, point.y + 10);
		await expect.poll(() => customer.locator('.cursor.agent').evaluate((el) => getComputedStyle(el).opacity), { timeout: 3000 }).toBe('1');
	});

	it('drops malformed data-channel messages, counts them, and keeps the session running', async () => {
		const sent = await agent.evaluate(() => [
			window.alongside!.sendRaw('control', 'not json'),
			window.alongside!.sendRaw('control', JSON.stringify({ type: 'pointer/down', x: 7, y: -1 })),
			window.alongside!.sendRaw('control', JSON.stringify({ type: 'pointer/move', x: 0.1, y: 0.1 })),
		]);
		expect(sent).toEqual([true, true, true]);
		const dropped = async () => {
			const text = await app.metrics.registry.getSingleMetricAsString('alongside_input_dropped_total');
			return ['invalid_json', 'invalid_message', 'wrong_channel'].map((code) => new RegExp(`code="${code}"} 1`).test(text));
		};
		await expect.poll(dropped, { timeout: 5000 }).toEqual([true, true, true]);
		// Still live: a valid click goes through after the bad ones.
		const page = session().browser.page;
		const point = await videoPoint(agent, at(190, 100).x, at(190, 100).y);
		await agent.mouse.click(point.x, point.y);
		await expect.poll(() => page.evaluate('window.clicks.length'), { timeout: 5000 }).toBe(2);
	});
});
