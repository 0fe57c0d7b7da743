/**
 * The cloud page takes the customer's device shape, in real browsers: a customer on a
 * phone (390×844, touch) and the agent console on a desktop. The page gets the phone's
 * viewport, pixel ratio, touch and a phone's user agent (also in what it sends to sites);
 * the customer's video fills the phone; taps land; the agent switches the shape from the
 * console; the page turns with the phone.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alongside } from '../signaling/Alongside.js';
import { launchViewerBrowser, startAlongside } from './helpers.js';
import { startSessionInBrowsers } from './ui.js';

const PAGE = `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{margin:0;font:18px system-ui}#tap{position:absolute;left:20px;top:120px;width:200px;height:80px;font-size:20px}</style></head>
<body><p style="margin:16px">Shapes</p><button id="tap">Tap me</button>
<script>
window.loads = (window.loads || 0) + 1;
window.events = [];
const tap = document.getElementById('tap');
for (const type of ['touchstart', 'click']) tap.addEventListener(type, (e) => events.push(type));
</script></body></html>`;

let app: Alongside;
let browser: Browser;
let agent: Page;
let customer: Page;
let site: { url: string; close(): Promise<void> };
/** What the cloud browser sent the site: user agent and the mobile client hint, per request. */
const requests: Array<{ ua: string; mobile: string | undefined }> = [];

const session = () => app.liveSessions()[0]!;
const cloudPage = () => session().browser.page;

/** What the cloud page sees of its device. */
function seen() {
	return cloudPage().evaluate(() => ({
		width: innerWidth,
		height: innerHeight,
		dpr: devicePixelRatio,
		touchPoints: navigator.maxTouchPoints,
		coarse: matchMedia('(pointer: coarse)').matches,
		ua: navigator.userAgent,
		mobile: (navigator as unknown as { userAgentData?: { mobile: boolean } }).userAgentData?.mobile,
		loads: (window as unknown as { loads: number }).loads,
	}));
}

/** The stage's box and the video's drawn content on a viewer's screen. */
function shown(page: Page) {
	return page.evaluate(() => {
		const video = window.alongside!.video!;
		const box = video.getBoundingClientRect();
		const scale = Math.min(box.width / video.videoWidth, box.height / video.videoHeight);
		return { stage: { width: box.width, height: box.height }, video: { width: video.videoWidth, height: video.videoHeight }, drawn: { width: video.videoWidth * scale, height: video.videoHeight * scale }, left: box.left + (box.width - video.videoWidth * scale) / 2, top: box.top + (box.height - video.videoHeight * scale) / 2, scale };
	});
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!(await check().catch(() => false))) {
		if (Date.now() > deadline) throw new Error(`timed out waiting: ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
}

beforeAll(async () => {
	const server = http.createServer((req, res) => {
		requests.push({ ua: req.headers['user-agent'] ?? '', mobile: req.headers['sec-ch-ua-mobile'] as string | undefined });
		res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	site = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
	app = await startAlongside();
	browser = await launchViewerBrowser();
	({ agent, customer } = await startSessionInBrowsers(app, browser, { shape: 'customer' }));
	await session().browser.navigate(`${site.url}/shop`);
	// The video shows the page's new document in the phone's shape.
	await until(async () => (await shown(customer)).video.width === (await seen()).width, 'the video in the phone shape');
});

afterAll(async () => {
	await browser?.close();
	await app?.close();
	await site?.close();
});

describe("the customer's phone", () => {
	it('is the shape of the page: its viewport, pixel ratio, touch and a phone user agent, also in what sites are sent', async () => {
		const page = await seen();
		const stage = (await shown(customer)).stage;
		// The stage's size, in even pixels (what the video's encoder takes).
		expect(page.width).toBe(2 * Math.floor(stage.width / 2));
		expect(page.height).toBe(2 * Math.floor(stage.height / 2));
		expect(page.dpr).toBeGreaterThan(1);
		expect(page.dpr).toBeLessThanOrEqual(2);
		expect(page.touchPoints).toBeGreaterThan(0);
		expect(page.coarse).toBe(true);
		expect(page.ua).toMatch(/Android.*Mobile/);
		expect(page.ua).not.toMatch(/Headless/);
		expect(page.mobile).toBe(true);
		const last = requests.at(-1)!;
		expect(last.ua).toMatch(/Android.*Mobile/);
		expect(last.mobile).toBe('?1');
	});

	it("fills the phone's screen, and the agent sees the same phone-shaped page", async () => {
		const phone = await shown(customer);
		expect(phone.video).toEqual({ width: (await seen()).width, height: (await seen()).height });
		expect(phone.drawn.width / 390).toBeGreaterThanOrEqual(0.9);
		const console_ = await shown(agent);
		expect(console_.video).toEqual(phone.video);
		// Letterboxed in the console at a readable size (not shrunk to a thumbnail).
		expect(console_.scale).toBeGreaterThan(0.75);
		if (process.env.ALONGSIDE_SHOT_DIR) {
			await customer.screenshot({ path: `${process.env.ALONGSIDE_SHOT_DIR}/customer-phone.png` });
			await agent.screenshot({ path: `${process.env.ALONGSIDE_SHOT_DIR}/console-phone-shape.png` });
		}
	});

	it("takes the customer's tap where it was aimed, as a touch", async () => {
		const box = await cloudPage().evaluate(() => {
			const r = document.getElementById('tap')!.getBoundingClientRect();
			return { x: (r.left + r.width / 2) / innerWidth, y: (r.top + r.height / 2) / innerHeight };
		});
		const view = await shown(customer);
		await customer.touchscreen.tap(view.left + box.x * view.drawn.width, view.top + box.y * view.drawn.height);
		await until(async () => ((await cloudPage().evaluate('events')) as string[]).includes('click'), 'the tap');
		expect(await cloudPage().evaluate('events')).toEqual(['touchstart', 'click']);
	});

	it("takes the agent's mouse click on the phone-shaped page", async () => {
		const box = await cloudPage().evaluate(() => {
			const r = document.getElementById('tap')!.getBoundingClientRect();
			(window as unknown as { events: string[] }).events = [];
			return { x: (r.left + r.width / 2) / innerWidth, y: (r.top + r.height / 2) / innerHeight };
		});
		await agent.evaluate((at) => {
			window.alongside!.send({ type: 'pointer/down', x: at.x, y: at.y, button: 'left', clickCount: 1, modifiers: 0 });
			window.alongside!.send({ type: 'pointer/up', x: at.x, y: at.y, button: 'left', clickCount: 1, modifiers: 0 });
		}, box);
		await until(async () => ((await cloudPage().evaluate('events')) as string[]).includes('click'), "the agent's click");
	});

	it('turns with the phone, without reloading the page', async () => {
		const before = await seen();
		await customer.setViewportSize({ width: 844, height: 390 });
		try {
			await until(async () => (await seen()).width > (await seen()).height, 'the page in landscape');
			const after = await seen();
			expect(after.loads).toBe(before.loads);
			expect(after.ua).toMatch(/Mobile/);
			await until(async () => (await shown(customer)).video.width === after.width, 'the landscape video');
			expect((await shown(customer)).drawn.width / 844).toBeGreaterThanOrEqual(0.9);
		} finally {
			await customer.setViewportSize({ width: 390, height: 844 });
		}
		await until(async () => (await seen()).width === before.width, 'the page in portrait again');
	});
});

describe("the agent's choice of shape", () => {
	it('switches the page to a desktop, a tablet, and back to the customer’s phone, from the console', async () => {
		const phone = await seen();
		const choose = (name: string) => agent.getByTestId('shape').selectOption(name);

		await choose('desktop');
		await until(async () => (await seen()).width === 1280, 'the desktop shape');
		await session().shapeSettled();
		const desktop = await seen();
		expect(desktop).toMatchObject({ width: 1280, height: 720, dpr: 1, touchPoints: 0, coarse: false, mobile: false });
		expect(desktop.ua).not.toMatch(/Mobile|Android|Headless/);
		// A user agent change reloads the page: the site is asked as a desktop now.
		expect(desktop.loads).toBe(1);
		expect(requests.at(-1)!.mobile).toBe('?0');
		await until(async () => (await shown(agent)).video.width === 1280, "the agent's desktop video");
		expect((await shown(agent)).video).toEqual({ width: 1280, height: 720 });

		await choose('tablet');
		await until(async () => (await seen()).width === 820, 'the tablet shape');
		await session().shapeSettled();
		const tablet = await seen();
		expect(tablet).toMatchObject({ width: 820, height: 1100, mobile: false });
		expect(tablet.ua).toMatch(/Android/);
		expect(tablet.ua).not.toMatch(/Mobile/);
		expect(tablet.touchPoints).toBeGreaterThan(0);

		await choose('customer');
		await until(async () => (await seen()).width === phone.width, "the customer's phone again");
		await session().shapeSettled();
		expect(await seen()).toMatchObject({ width: phone.width, height: phone.height, mobile: true });
		expect(await agent.getByTestId('shape').inputValue()).toBe('customer');
	});
});
