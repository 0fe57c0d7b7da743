/**
 * `npm run bench:masking [-- --rounds N] [-- --json] [-- --page URL --colour RRGGBB]`
 *
 * Masking on this machine, measured on what viewers really receive:
 * - leaks: the mask-leak scenarios (test/masking/scenarios.ts: scrolling, animations,
 *   fields, frames and shadow roots, a stalled main thread, navigations) are played N times
 *   while the real agent console decodes the masked rendition; every decoded frame it gets
 *   to is checked for the sensitive colour (`leaked_frames` must be 0), and the customer's
 *   clear rendition must show it. The compositor's own counts come with it: frames covered
 *   whole because it could not tell (`covered_frames`), and frames the boxes of their own
 *   state alone would have missed (`stale_rule_frames`, what the N ∪ N+1 rule is for).
 *   With `--page URL --colour RRGGBB`, that page is scrolled up and down instead, with the
 *   built-in rules (its host is allowed for this run only).
 * - latency, side by side in the same session: click → visible change for the agent
 *   (masked rendition) and for the customer (clear rendition), alternating.
 * - CPU of the cloud browser's process tree on a scrolling page, with the masked rendition
 *   and without it (a session publishing the clear one only), alternating.
 */
import { lookup } from 'node:dns/promises';
import type { Page } from 'playwright-core';
import type { Alongside } from '../signaling/Alongside.js';
import { launchViewerBrowser, newViewerPage, startAlongside, startFixtureServer, startSessionWithPin } from '../test/helpers.js';
import { startColourCount, takeColourCount } from '../test/masking/check.js';
import { type Driver, INNER_PAGE, SCENARIOS, SENSITIVE_RGB, scenarioPages } from '../test/masking/scenarios.js';
import { enterPin, signInToConsole } from '../test/ui.js';
import { cpuPercentDuring } from './proc.js';
import { quantile, round } from './stats.js';

const args = process.argv.slice(2);
const json = args.includes('--json');
const option = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const rounds = Number(option('--rounds')) || 4;
const pageUrl = option('--page');
const colour = option('--colour');
const LATENCY_TRIALS = Number(option('--trials')) || 40;

const CLICK_PAGE = `<!doctype html><html><body style="margin:0;background:#f4f6fb;font:20px system-ui">
<p style="margin:24px">Masking bench: each click flips the box. Card <b>4111 1111 1111 1111</b>, <input type="password" value="secret"></p>
<div id="box" style="position:absolute;left:480px;top:240px;width:320px;height:240px;background:rgb(230,40,40)"></div>
<script>let on = false; addEventListener('mousedown', () => { on = !on; document.getElementById('box').style.background = on ? 'rgb(40,80,230)' : 'rgb(230,40,40)'; });</script></body></html>`;

function parseColour(hex: string): [number, number, number] {
	if (!/^[0-9a-fA-F]{6}$/.test(hex)) throw new Error(`--colour: expected RRGGBB (six hex digits), got "${hex}"`);
	return [0, 2, 4].map((i) => Number.parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];
}

interface Viewers {
	agent: Page;
	customer: Page;
}

/** Starts a session the way people do, with the agent console and a phone-sized customer page. */
async function startSession(app: Alongside, browser: Awaited<ReturnType<typeof launchViewerBrowser>>): Promise<Viewers> {
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

/** Scrolls a page down and up with the wheel and the keyboard for about `ms`. */
async function scrollAbout(driver: Driver, ms: number): Promise<void> {
	const end = Date.now() + ms;
	let down = true;
	while (Date.now() < end) {
		for (let i = 0; i < 12; i++) {
			driver.input({ type: 'pointer/wheel', x: 0.5, y: 0.6, dx: 0, dy: down ? 120 : -120 });
			await driver.wait(40);
		}
		const key = down ? 'PageDown' : 'PageUp';
		driver.input({ type: 'key/down', key, code: key, modifiers: 0 });
		driver.input({ type: 'key/up', key, code: key, modifiers: 0 });
		await driver.wait(300);
		down = !down;
	}
}

async function main(): Promise<void> {
	const rgb = colour ? parseColour(colour) : SENSITIVE_RGB;
	if (pageUrl && !URL.canParse(pageUrl)) throw new Error(`--page: not a URL: "${pageUrl}"`);
	if (pageUrl && !colour) throw new Error('--page needs --colour RRGGBB: the colour its sensitive values are painted in');
	const crossOrigin = await startFixtureServer({ '/inner': INNER_PAGE }, '127.0.0.2');
	const fixtures = await startFixtureServer({ ...scenarioPages(crossOrigin.url), '/click': CLICK_PAGE, '/scroll': scenarioPages(crossOrigin.url)['/mask/scroll']! });
	// NOTE: the page under test is allowed for this run only (loopback is always allowed here).
	const extraAllow = pageUrl ? (await lookup(new URL(pageUrl).hostname, { all: true })).map((a) => a.address) : [];
	const env = {
		ALONGSIDE_WARM_BROWSERS: '0',
		ALONGSIDE_LOG_LEVEL: process.env.ALONGSIDE_LOG_LEVEL ?? 'warn',
		ALONGSIDE_EGRESS_ALLOW: ['127.0.0.0/8', ...extraAllow].join(','),
	};
	const app = await startAlongside(env);
	const browser = await launchViewerBrowser();
	try {
		const { agent, customer } = await startSession(app, browser);
		const session = app.liveSessions()[0]!;
		const cloud = session.browser;
		const driver: Driver = {
			input: (message) => cloud.inject('bench', message),
			evaluate: (script) => cloud.page.evaluate(script),
			wait: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
		};

		// --- leaks ------------------------------------------------------------------------
		cloud.auditColour(rgb);
		await Promise.all([startColourCount(agent, rgb), startColourCount(customer, rgb)]);
		const before = await cloud.maskTotals();
		await Promise.all([takeColourCount(agent), takeColourCount(customer)]);
		if (pageUrl) {
			await cloud.navigate(pageUrl);
			await scrollAbout(driver, 20_000 * rounds);
		} else {
			for (let round = 0; round < rounds; round++) {
				for (const scenario of SCENARIOS) {
					await cloud.navigate(`${fixtures.url}${scenario.path}`);
					await scenario.play(driver, { crossOrigin: crossOrigin.url });
				}
			}
		}
		await driver.wait(500);
		const [seen, shown] = await Promise.all([takeColourCount(agent), takeColourCount(customer)]);
		const after = await cloud.maskTotals();
		cloud.auditColour(null);
		const covered = Object.values(after.covered).reduce((a, b) => a + b, 0) - Object.values(before.covered).reduce((a, b) => a + b, 0);
		const coveredBy = Object.fromEntries(Object.keys(after.covered).map((k) => [k, (after.covered[k] ?? 0) - (before.covered[k] ?? 0)]).filter(([, n]) => (n as number) > 0));

		// --- latency: agent (masked) and customer (clear), alternating ------------------------
		await cloud.navigate(`${fixtures.url}/click`);
		await driver.wait(500);
		const masked: number[] = [];
		const unmasked: number[] = [];
		let blue = false;
		for (let i = 0; i < LATENCY_TRIALS + 4; i++) {
			for (const [viewer, out] of [[agent, masked], [customer, unmasked]] as const) {
				blue = !blue;
				const ms = await clickTrial(viewer, blue);
				if (ms === null) blue = await cloud.page.evaluate(() => document.getElementById('box')!.style.background.includes('40, 80'));
				else if (i >= 4) out.push(ms);
				await driver.wait(150 + Math.random() * 150);
			}
		}

		// --- CPU with and without the masked rendition ---------------------------------------
		const cpu = { masked: [] as number[], unmasked: [] as number[] };
		const measureCpu = async (target: Alongside, into: number[]) => {
			const s = target.liveSessions()[0]!;
			await s.browser.navigate(`${fixtures.url}/scroll`);
			await driver.wait(800);
			const d: Driver = { ...driver, input: (message) => s.browser.inject('bench', message) };
			into.push((await cpuPercentDuring(s.browser.pid!, () => scrollAbout(d, 6000))).cpuPct);
		};
		// NOTE: a second service whose sessions publish the clear rendition only; both run now,
		// each measured while the other idles.
		const plain = await startAlongside(env);
		plain.config.publisher.renditions = ['clear'];
		try {
			await startSessionWithPin(plain);
			await plain.liveSessions()[0]!.ready;
			for (let i = 0; i < 2; i++) {
				await measureCpu(app, cpu.masked);
				await measureCpu(plain, cpu.unmasked);
			}
		} finally {
			await plain.close();
		}

		const result = {
			bench: 'masking',
			page: pageUrl ?? 'scenarios',
			rounds,
			frames_checked: seen!.frames,
			frames_decoded: seen!.decoded,
			leaked_frames: seen!.coloured,
			customer_frames_with_colour: shown!.coloured,
			compositor_frames: after.frames - before.frames,
			compositor_audit_leaks: after.auditLeaks - before.auditLeaks,
			covered_frames: covered,
			covered_by: coveredBy,
			stale_rule_frames: after.staleRuleFrames - before.staleRuleFrames,
			latency_masked_p50_ms: round(quantile(masked, 0.5)),
			latency_unmasked_p50_ms: round(quantile(unmasked, 0.5)),
			latency_masked_p95_ms: round(quantile(masked, 0.95)),
			latency_unmasked_p95_ms: round(quantile(unmasked, 0.95)),
			masked_cpu_pct: round(quantile(cpu.masked, 0.5)),
			unmasked_cpu_pct: round(quantile(cpu.unmasked, 0.5)),
		};
		if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
		else {
			process.stdout.write(
				[
					`masking bench (${result.page}, ${rounds} round(s))`,
					`  agent's decoded frames   ${result.frames_checked} checked of ${result.frames_decoded} decoded, ${result.leaked_frames} with sensitive pixels`,
					`  customer's clear frames  ${result.customer_frames_with_colour} showing them (the check can fail)`,
					`  compositor               ${result.compositor_frames} frames, ${result.covered_frames} covered whole ${JSON.stringify(coveredBy)}, ${result.compositor_audit_leaks} with the colour outside its boxes`,
					`  N-only rule would leak   ${result.stale_rule_frames} frames`,
					...after.auditNotes.slice(-(after.auditLeaks - before.auditLeaks)).map((note) => `  audit leak: ${note}`),
					`  click → visible (p50)    masked ${result.latency_masked_p50_ms} ms, clear ${result.latency_unmasked_p50_ms} ms (p95 ${result.latency_masked_p95_ms} / ${result.latency_unmasked_p95_ms} ms, ${masked.length}/${unmasked.length} trials)`,
					`  cloud browser CPU        ${result.masked_cpu_pct}% of a core with the masked rendition, ${result.unmasked_cpu_pct}% without (scrolling)`,
					'',
				].join('\n'),
			);
		}
	} finally {
		await browser.close();
		await app.close();
		await fixtures.close();
		await crossOrigin.close();
	}
}

main().then(
	() => process.exit(0),
	(error: unknown) => {
		console.error('bench:masking failed:', error instanceof Error ? error.message : error);
		process.exit(1);
	},
);
