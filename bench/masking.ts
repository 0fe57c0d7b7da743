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
import type { Alongside } from '../signaling/Alongside.js';
import { launchViewerBrowser, startAlongside, startFixtureServer, startSessionWithPin } from '../test/helpers.js';
import { startColourCount, takeColourCount } from '../test/masking/check.js';
import { type Driver, INNER_PAGE, SCENARIOS, SENSITIVE_RGB, scenarioPages } from '../test/masking/scenarios.js';
import { cpuPercentDuring } from './proc.js';
import { startSessionInBrowsers } from '../test/ui.js';
import { alternatingClicks, CLICK_PAGE } from './viewers.js';
import { quantile, round } from './stats.js';

const args = process.argv.slice(2);
const json = args.includes('--json');
const option = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const rounds = Number(option('--rounds')) || 4;
const pageUrl = option('--page');
const colour = option('--colour');
const LATENCY_TRIALS = Number(option('--trials')) || 40;

function parseColour(hex: string): [number, number, number] {
	if (!/^[0-9a-fA-F]{6}$/.test(hex)) throw new Error(`--colour: expected RRGGBB (six hex digits), got "${hex}"`);
	return [0, 2, 4].map((i) => Number.parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];
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
		const { agent, customer } = await startSessionInBrowsers(app, browser);
		const session = app.liveSessions()[0]!;
		const cloud = session.browser;
		const driver: Driver = {
			input: (message) => cloud.inject('bench', message),
			evaluate: (script) => cloud.page.evaluate(script),
			wait: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
			shape: (name) => cloud.setShape(cloud.shapeOf(name, undefined)),
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
		await alternatingClicks(cloud, [{ viewer: agent, times: masked }, { viewer: customer, times: unmasked }], LATENCY_TRIALS);

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
