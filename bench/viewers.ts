/**
 * Clicks timed in a viewer's own video, for benches (sessions start with test/ui.ts's
 * startSessionInBrowsers, as people start them).
 */
import type { Page } from 'playwright-core';
import type { CloudBrowser } from '../publisher/CloudBrowser.js';

/** A page whose box flips between red and blue on every mouse press. */
export const CLICK_PAGE = `<!doctype html><html><body style="margin:0;background:#f4f6fb;font:20px system-ui">
<p style="margin:24px">Masking bench: each click flips the box. Card <b>4111 1111 1111 1111</b>, <input type="password" value="secret"></p>
<div id="box" style="position:absolute;left:480px;top:240px;width:320px;height:240px;background:rgb(230,40,40)"></div>
<script>let on = false; addEventListener('mousedown', () => { on = !on; document.getElementById('box').style.background = on ? 'rgb(40,80,230)' : 'rgb(230,40,40)'; });</script></body></html>`;

/** One click trial in a viewer: send a click, wait for the box to change colour in its own video. */
async function clickTrial(page: Page, expectBlue: boolean): Promise<number | null> {
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


/** One side of a side-by-side click measurement: who clicks, what to set first, where times go. */
export interface ClickVariant {
	viewer: Page;
	/** Run before each of this variant's trials (e.g. switching the gateway on or off). */
	before?: () => void;
	times: number[];
}

/**
 * Times `trials` clicks per variant on CLICK_PAGE (open in `cloud`), the variants taking
 * turns, after 4 warm-up rounds, with a short random pause between trials. A click whose
 * change never showed is not counted; the box's colour is then read back from the page.
 */
export async function alternatingClicks(cloud: CloudBrowser, variants: ClickVariant[], trials: number): Promise<void> {
	let blue = false;
	for (let i = 0; i < trials + 4; i++) {
		for (const variant of variants) {
			variant.before?.();
			blue = !blue;
			const ms = await clickTrial(variant.viewer, blue);
			if (ms === null) blue = await cloud.page.evaluate(() => document.getElementById('box')!.style.background.includes('40, 80'));
			else if (i >= 4) variant.times.push(ms);
			await new Promise((resolve) => setTimeout(resolve, 150 + Math.random() * 150));
		}
	}
}
