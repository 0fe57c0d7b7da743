/**
 * `npm run bench:start [-- --sessions N] [-- --json]`
 *
 * Session start as an agent lives it: the customer has a PIN; the agent, signed in to the
 * real agent console in headless Chromium, types it and presses Start; the clock stops
 * when the agent's video presents its first frame. Measured cold (no warm browser: a
 * Chromium is launched for the session) and warm (one from the warm pool), p50 over N
 * sessions each.
 */
import type { Page } from 'playwright-core';
import type { Alongside } from '../signaling/Alongside.js';
import { issuePin, launchViewerBrowser, newViewerPage, startAlongside } from '../test/helpers.js';
import { FIRST_FRAME_PROBE, signInToConsole } from '../test/ui.js';
import { quantile, round } from './stats.js';

const args = process.argv.slice(2);
const json = args.includes('--json');
const sessions = Number(args[args.indexOf('--sessions') + 1]) || 20;

/** Starts one session from the PIN screen; returns PIN submitted → first frame, in ms. */
async function startOne(app: Alongside, page: Page): Promise<number> {
	const { pin } = await issuePin(app);
	const before = (await page.evaluate('window.__firstFrames.length')) as number;
	await page.getByLabel("Customer's PIN").fill(pin);
	// NOTE: the clock starts in the page, on the Start button's click, like the agent's.
	await page.evaluate(() => {
		const button = [...document.querySelectorAll('button')].find((b) => b.textContent?.trim() === 'Start')!;
		button.addEventListener('click', () => ((window as unknown as { __t0: number }).__t0 = performance.now()), { once: true, capture: true });
	});
	await page.getByRole('button', { name: 'Start', exact: true }).click();
	const handle = await page.waitForFunction(
		(n) => {
			const w = window as unknown as { __firstFrames: number[]; __t0?: number };
			return w.__firstFrames.length > n && w.__t0 !== undefined ? w.__firstFrames[n]! - w.__t0 : false;
		},
		before,
		{ timeout: 20_000, polling: 5 },
	);
	const ms = (await handle.jsonValue()) as number;
	// End it from the console, and go back to the PIN screen.
	await page.getByRole('button', { name: 'End session' }).click();
	await page.getByRole('dialog').getByRole('button', { name: 'End session' }).click();
	await page.getByRole('button', { name: 'Start another session' }).click();
	await page.getByLabel("Customer's PIN").waitFor();
	// NOTE: the next start is measured on a quiet machine, as an agent's next session would
	// be: this one's cloud browser has gone.
	while (app.liveSessions().length > 0) await new Promise((r) => setTimeout(r, 20));
	return ms;
}

async function run(warm: boolean): Promise<number[]> {
	const app = await startAlongside({ ALONGSIDE_WARM_BROWSERS: warm ? '1' : '0', ALONGSIDE_LOG_LEVEL: 'warn' });
	const browser = await launchViewerBrowser();
	try {
		const page = await newViewerPage(browser, { viewport: { width: 1440, height: 900 } });
		await page.addInitScript(FIRST_FRAME_PROBE);
		await signInToConsole(page, app);
		await page.getByLabel("Customer's PIN").waitFor();
		const times: number[] = [];
		for (let i = 0; i < sessions; i++) {
			if (warm) {
				const deadline = Date.now() + 30_000;
				while (app.warmSessions < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
			}
			times.push(await startOne(app, page));
		}
		return times;
	} finally {
		await browser.close();
		await app.close();
	}
}

async function main(): Promise<void> {
	const cold = await run(false);
	const warm = await run(true);
	const result = {
		bench: 'start',
		sessions,
		cold_p50_ms: Math.round(quantile(cold, 0.5)),
		cold_p95_ms: Math.round(quantile(cold, 0.95)),
		warm_p50_ms: Math.round(quantile(warm, 0.5)),
		warm_p95_ms: Math.round(quantile(warm, 0.95)),
	};
	if (json) {
		process.stdout.write(`${JSON.stringify(result)}\n`);
	} else {
		process.stdout.write(
			[
				`start bench (${sessions} sessions each; PIN submitted in the agent console → first video frame there)`,
				`  cold (Chromium launched per session)  p50 ${result.cold_p50_ms} ms   p95 ${result.cold_p95_ms} ms`,
				`  warm (from the warm pool)              p50 ${result.warm_p50_ms} ms   p95 ${result.warm_p95_ms} ms`,
				`  all cold: ${cold.map((v) => round(v, 0)).join(' ')}`,
				`  all warm: ${warm.map((v) => round(v, 0)).join(' ')}`,
				'',
			].join('\n'),
		);
	}
}

main().then(
	() => process.exit(0),
	(error: unknown) => {
		console.error('bench:start failed:', error);
		process.exit(1);
	},
);

