/**
 * Viewers for benches: a session started the way people start one (the agent console on a
 * desktop, the customer's page on a phone), and a click timed in a viewer's own video.
 */
import type { Page } from 'playwright-core';
import type { Alongside } from '../signaling/Alongside.js';
import { type launchViewerBrowser, newViewerPage } from '../test/helpers.js';
import { enterPin, signInToConsole } from '../test/ui.js';

/** A page whose box flips between red and blue on every mouse press. */
export const CLICK_PAGE = `<!doctype html><html><body style="margin:0;background:#f4f6fb;font:20px system-ui">
<p style="margin:24px">Masking bench: each click flips the box. Card <b>4111 1111 1111 1111</b>, <input type="password" value="secret"></p>
<div id="box" style="position:absolute;left:480px;top:240px;width:320px;height:240px;background:rgb(230,40,40)"></div>
<script>let on = false; addEventListener('mousedown', () => { on = !on; document.getElementById('box').style.background = on ? 'rgb(40,80,230)' : 'rgb(230,40,40)'; });</script></body></html>`;

export interface Viewers {
	agent: Page;
	customer: Page;
}

/** Starts a session the way people do, with the agent console and a phone-sized customer page. */
export async function startSession(app: Alongside, browser: Awaited<ReturnType<typeof launchViewerBrowser>>): Promise<Viewers> {
	const agent = await newViewerPage(browser, { viewport: { width: 1280, height: 800 } });
	const customer = await newViewerPage(browser, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
	await customer.goto(`${app.url}/c/demo`);
	const pin = ((await customer.getByTestId('pin').textContent()) ?? '').replace(/\D/g, '');
	await signInToConsole(agent, app);
	await enterPin(agent, pin);
	await Promise.all([agent.waitForSelector('body[data-status=live]'), customer.waitForSelector('body[data-status=live]')]);
	await app.liveSessions()[0]!.ready;
	return { agent, customer };
}

/** One click trial in a viewer: send a click, wait for the box to change colour in its own video. */
export async function clickTrial(page: Page, expectBlue: boolean): Promise<number | null> {
	return page.evaluate(async (wantBlue) => {
		const hook = window.alongside!;
		const video = hook.video!;
		const canvas = new OffscreenCanvas(8, 8);
		const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
		const start = performance.now();
		hook.send({ type: 'pointer/down', x: 0.5, y: 0.5, button: 'left', clickCount: 1, modifiers: 0 });
		hook.send({ type: 'pointer/up', x: 0.5, y: 0.5, button: 'left', clickCount: 1, modifiers: 0 });
		return new Promise<number | null>((resolve) => {
			const timeout = setTimeout(() => resolve(null), 5000);
			const onFrame = () => {
				ctx.drawImage(video, video.videoWidth * 0.5 - 4, video.videoHeight * 0.5 - 4, 8, 8, 0, 0, 8, 8);
				const [r, , b] = ctx.getImageData(4, 4, 1, 1).data;
				if ((wantBlue && b! > r! + 60) || (!wantBlue && r! > b! + 60)) {
					clearTimeout(timeout);
					resolve(performance.now() - start);
				} else video.requestVideoFrameCallback(onFrame);
			};
			video.requestVideoFrameCallback(onFrame);
		});
	}, expectBlue);
}

