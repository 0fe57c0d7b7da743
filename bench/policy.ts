/**
 * `npm run bench:policy [-- --json] [-- --rounds N] [-- --trials N] [-- --page URL --lock SELECTOR]`
 *
 * The policy gateway on this machine, in a real session (the agent console and the
 * customer's page in real browsers, a real cloud browser):
 * - bypass attempts: the lock-bypass suite's attempts (test/locking/attempts.ts) played as
 *   the agent, N rounds; `activations` (what reached the page's locked controls) must be 0,
 *   and each attempt should be refused and reported. With `--page URL --lock SELECTOR`, that
 *   page instead: SELECTOR is added to the rules as a company lock rule for this run (the
 *   page's host is allowed for this run only), each element it matches (up to 20) is tried
 *   with clicks of each button and count, a tap, a long press, and Enter and Space once
 *   focused, and activations are the requests the page makes to `/__hit` on its own origin.
 * - the gateway's check time per checked event (Node → page → Node), p50 and p99, and the
 *   page's own part of it;
 * - latency, side by side in the same session: the agent's click → visible change in the
 *   agent's own video, with the gateway on and off (alternating trials; off exists for
 *   benches only, see InputGateway.enforce).
 */
import { lookup } from 'node:dns/promises';
import type { CloudBrowser } from '../publisher/CloudBrowser.js';
import type { Refusal } from '../publisher/InputGateway.js';
import type { InputMessage } from '../protocol/wire.js';
import { launchViewerBrowser, startAlongside, startFixtureServer } from '../test/helpers.js';
import { ATTEMPTS, playAttempt, wait } from '../test/locking/attempts.js';
import { LOCK_INNER, LOCK_PAGE, LOCK_STEP1, LOCK_STEP2 } from '../test/locking/pages.js';
import { quantile, round } from './stats.js';
import { startSessionInBrowsers } from '../test/ui.js';
import { alternatingClicks, CLICK_PAGE } from './viewers.js';

const args = process.argv.slice(2);
const json = args.includes('--json');
const option = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const rounds = Number(option('--rounds')) || 1;
const trials = Number(option('--trials')) || 40;
const pageUrl = option('--page');
const lockSelector = option('--lock');

/** Generic attempts on one element of a page under test (normalized centre `x`, `y`). */
async function tryElement(cloud: CloudBrowser, index: number, x: number, y: number): Promise<number> {
	const send = (message: InputMessage) => cloud.inject('bench-agent', message, 'agent');
	const focus = () => cloud.page.evaluate(`document.querySelectorAll(${JSON.stringify(lockSelector)})[${index}]?.focus()`);
	const tries: Array<() => Promise<void>> = [];
	for (const button of ['left', 'middle', 'right'] as const) {
		for (const clickCount of [1, 2]) {
			tries.push(async () => {
				for (let i = 1; i <= clickCount; i++) {
					send({ type: 'pointer/down', x, y, button, clickCount: i, modifiers: 0 });
					send({ type: 'pointer/up', x, y, button, clickCount: i, modifiers: 0 });
				}
			});
		}
	}
	for (const hold of [0, 600]) {
		tries.push(async () => {
			send({ type: 'touch/start', touches: [{ id: 1, x, y }] });
			if (hold) await wait(hold);
			send({ type: 'touch/end', touches: [] });
		});
	}
	for (const [key, code] of [['Enter', 'Enter'], [' ', 'Space']]) {
		tries.push(async () => {
			await focus();
			send({ type: 'key/down', key: key!, code: code!, modifiers: 0 });
			send({ type: 'key/up', key: key!, code: code!, modifiers: 0 });
		});
	}
	for (const attempt of tries) {
		await attempt();
		await wait(250);
	}
	return tries.length;
}

async function main(): Promise<void> {
	if (pageUrl && !URL.canParse(pageUrl)) throw new Error(`--page: not a URL: "${pageUrl}"`);
	if (pageUrl && !lockSelector) throw new Error('--page needs --lock SELECTOR: the controls only the customer may activate');
	const crossOrigin = await startFixtureServer({ '/lock-inner': LOCK_INNER }, '127.0.0.2');
	const fixtures = await startFixtureServer({ '/lock': LOCK_PAGE(crossOrigin.url), '/lock-step1': LOCK_STEP1, '/lock-step2': LOCK_STEP2, '/click': CLICK_PAGE });
	// NOTE: the page under test is allowed for this run only (loopback is always allowed here).
	const extraAllow = pageUrl ? (await lookup(new URL(pageUrl).hostname, { all: true })).map((a) => a.address) : [];
	const app = await startAlongside({
		ALONGSIDE_WARM_BROWSERS: '0',
		ALONGSIDE_LOG_LEVEL: process.env.ALONGSIDE_LOG_LEVEL ?? 'warn',
		ALONGSIDE_EGRESS_ALLOW: ['127.0.0.0/8', ...extraAllow].join(','),
	});
	const browser = await launchViewerBrowser();
	try {
		const { agent } = await startSessionInBrowsers(app, browser);
		const cloud = app.liveSessions()[0]!.browser;
		let attempts = 0;
		let activations = 0;
		let refusalsReported = 0;
		const refusedBy: Record<string, number> = {};
		cloud.gateway.takeCheckTimes();

		// --- bypass attempts ----------------------------------------------------------------
		if (pageUrl) {
			await cloud.setRules({ disabled: [], custom: [{ kind: 'lock', value: lockSelector!, domains: [] }] });
			const origin = new URL(pageUrl).origin;
			let hits = 0;
			cloud.page.on('request', (request) => {
				const url = new URL(request.url());
				if (url.origin === origin && url.pathname === '/__hit') hits++;
			});
			const refusals: Refusal[] = [];
			cloud.on('refused', (refusal) => refusals.push(refusal));
			for (let r = 0; r < rounds; r++) {
				await cloud.navigate(pageUrl);
				await wait(500);
				const places = (await cloud.page.evaluate(`[...document.querySelectorAll(${JSON.stringify(lockSelector)})].slice(0, 20).map((el) => { const b = el.getBoundingClientRect(); return b.width > 0 && b.height > 0 ? [(b.left + b.width / 2) / innerWidth, (b.top + b.height / 2) / innerHeight] : null; })`)) as Array<[number, number] | null>;
				if (places.length === 0) throw new Error(`--lock: "${lockSelector}" matches nothing on ${pageUrl}`);
				for (const [i, place] of places.entries()) {
					if (!place) continue;
					const before = refusals.length;
					const tried = await tryElement(cloud, i, place[0], place[1]);
					attempts += tried;
					refusalsReported += Math.min(tried, refusals.length - before);
				}
			}
			activations = hits;
			for (const refusal of refusals) refusedBy[refusal.reason] = (refusedBy[refusal.reason] ?? 0) + 1;
		} else {
			for (let r = 0; r < rounds; r++) {
				for (const attempt of ATTEMPTS) {
					const played = await playAttempt(cloud, `${fixtures.url}/lock`, attempt, 'agent', 'bench-agent');
					attempts++;
					activations += played.hits.filter((hit) => attempt.records.includes(hit)).length;
					if (played.refused.length > 0) refusalsReported++;
					for (const refusal of played.refused.slice(0, 1)) refusedBy[refusal.reason] = (refusedBy[refusal.reason] ?? 0) + 1;
				}
			}
		}
		const bypassChecks = cloud.gateway.takeCheckTimes();

		// --- the agent's click, gateway on and off, alternating ---------------------------------
		await cloud.setRules({ disabled: [], custom: [] });
		await cloud.navigate(`${fixtures.url}/click`);
		await wait(500);
		const on: number[] = [];
		const off: number[] = [];
		await alternatingClicks(
			cloud,
			[
				{ viewer: agent, before: () => cloud.gateway.enforce(true), times: on },
				{ viewer: agent, before: () => cloud.gateway.enforce(false), times: off },
			],
			trials,
		);
		cloud.gateway.enforce(true);
		const latencyChecks = cloud.gateway.takeCheckTimes();
		const checks = [...bypassChecks.roundTrip, ...latencyChecks.roundTrip];
		const pageChecks = [...bypassChecks.page, ...latencyChecks.page];

		const result = {
			bench: 'policy',
			page: pageUrl ?? 'lock-bypass suite',
			rounds,
			attempts,
			activations,
			refusals_reported: refusalsReported,
			refused_by: refusedBy,
			checks: checks.length,
			check_p50_ms: round(quantile(checks, 0.5)),
			check_p99_ms: round(quantile(checks, 0.99)),
			check_in_page_p50_ms: round(quantile(pageChecks, 0.5)),
			check_in_page_p99_ms: round(quantile(pageChecks, 0.99)),
			latency_agent_click_p50_ms: round(quantile(on, 0.5)),
			latency_agent_click_off_p50_ms: round(quantile(off, 0.5)),
			latency_agent_click_p95_ms: round(quantile(on, 0.95)),
			latency_agent_click_off_p95_ms: round(quantile(off, 0.95)),
		};
		if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
		else {
			process.stdout.write(
				[
					`policy bench (${result.page}, ${rounds} round(s))`,
					`  agent's attempts        ${attempts}: ${activations} reached a locked control, ${refusalsReported} refused and reported ${JSON.stringify(refusedBy)}`,
					`  gateway check           p50 ${result.check_p50_ms} ms, p99 ${result.check_p99_ms} ms (${checks.length} checks; in the page p50 ${result.check_in_page_p50_ms} ms, p99 ${result.check_in_page_p99_ms} ms)`,
					`  agent click → visible   gateway on ${result.latency_agent_click_p50_ms} ms, off ${result.latency_agent_click_off_p50_ms} ms (p50; p95 ${result.latency_agent_click_p95_ms} / ${result.latency_agent_click_off_p95_ms} ms; ${on.length}/${off.length} trials)`,
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
		console.error('bench:policy failed:', error instanceof Error ? error.message : error);
		process.exit(1);
	},
);
