/**
 * `npm run bench:latency [-- --trials N] [-- --json]`
 *
 * Glass-to-glass latency of the live path on this machine: a viewer (the real agent
 * console in a second headless Chromium) sends a click over its input data channel; the
 * click is injected into the cloud browser with CDP; the page flips a box's colour; the
 * tab capture is encoded, forwarded by the SFU, decoded by the viewer; the trial ends when
 * the viewer's `requestVideoFrameCallback` runs for the first frame showing the new
 * colour (the frame has been handed to the compositor by then). Also reported per trial:
 * when that frame's last packet arrived (`receiveTime`) and when it was submitted for
 * composition (`presentationTime`).
 * NOTE: `expectedDisplayTime` is not used: in headless Chromium it is off by up to ±450 ms
 * after idle periods, which once looked like a sending-side stall.
 *
 * Two phases: click trials with 0.2–0.5 s gaps, then idle trials with 3 s gaps, because a
 * co-browsed page is mostly idle and the first change after a pause is what people see.
 *
 * Then the phone shape (the page as a customer's phone has it: 390×760, touch, a phone's
 * user agent), timed in blocks that alternate with the desktop shape, side by side; then
 * tab switches (a click on the other tab in the console's strip → the first frame of that
 * tab in the viewer's video).
 *
 * Then working together: a customer (a phone) and a supervisor have joined from the start;
 * strokes the customer draws are timed from the customer's page sending them to the first
 * animation frame after they reach the agent's (`annotation_p50_ms`), and click trials run
 * in blocks that alternate between quiet and busy, side by side: busy while the agent and
 * the customer each stream a cursor and highlighter strokes at 60 Hz (a supervisor cannot
 * send: two of the three participants stream). `BENCH_STREAM=cursors` or `strokes`
 * streams only those, to tell their costs apart.
 *
 * Also reported: frames per second delivered to the viewer on an animated page, first
 * frame time from session start, CPU (% of one core) and memory of the session's
 * Chromium tree, and the codec and encoder in use.
 */
import type { Page } from 'playwright-core';
import { launchViewerBrowser, newViewerPage, startAlongside, startFixtureServer } from '../test/helpers.js';
import { enterPin, FIRST_FRAME_PROBE, PHONE, signInToConsole } from '../test/ui.js';
import { cpuPercentDuring, memoryMiB, processTree } from './proc.js';
import { quantile, round } from './stats.js';

const args = process.argv.slice(2);
const json = args.includes('--json');
const trials = Number(args[args.indexOf('--trials') + 1]) || 120;
const idleTrials = Number(args[args.indexOf('--idle-trials') + 1]) || 10;
const WARMUP = 5;

const CLICK_PAGE = `<!doctype html><html><body style="margin:0;background:#f4f6fb;font:20px system-ui">
<p style="margin:24px">Latency bench: each click flips the box.</p>
<div id="box" style="position:absolute;left:480px;top:240px;width:320px;height:240px;background:rgb(230,40,40)"></div>
<script>
let on = false; window.hits = [];
addEventListener('mousedown', () => {
	on = !on;
	document.getElementById('box').style.background = on ? 'rgb(40,80,230)' : 'rgb(230,40,40)';
	hits.push(performance.timeOrigin + performance.now());
});
</script></body></html>`;

/** The same, for any shape: the box covers the middle of the viewport. */
const CLICK_ANY_PAGE = CLICK_PAGE.replace('left:480px;top:240px;width:320px;height:240px', 'left:25%;top:25%;width:50%;height:50%');

/** Tab switches timed. */
const TAB_SWITCHES = 30;

/** Trials per block of the phone / desktop comparison (and of the quiet / busy one). */
const BLOCK = 15;

/** Strokes timed from one viewer to the other. */
const STROKE_TRIALS = 60;

/**
 * Starts (or stops) a participant streaming a cursor and highlighter strokes at 60 Hz, in
 * its page: a stroke of 60 points a second, then the next.
 */
function streaming(page: Page, on: boolean, seed: number): Promise<void> {
	return page.evaluate(
		([start, base, mode]) => {
			const w = window as unknown as { __stream?: ReturnType<typeof setInterval> };
			clearInterval(w.__stream);
			if (!start) return;
			const hook = window.alongside!;
			let tick = 0;
			let stroke = base!;
			w.__stream = setInterval(() => {
				const x = 0.15 + 0.1 * Math.cos(tick / 9);
				const y = 0.15 + 0.1 * Math.sin(tick / 9);
				if (mode !== 'strokes') hook.send({ type: 'pointer/move', x, y });
				const point: [number, number] = [x * 1000, y * 600];
				if (mode === 'cursors') {
					tick++;
					return;
				}
				if (tick % 60 === 0) {
					if (tick > 0) hook.annotate({ type: 'annotate/end', stroke });
					stroke++;
					hook.annotate({ type: 'annotate/start', stroke, tab: (hook.state() as { scroll?: { tab: string } }).scroll?.tab || 't1', tool: 'highlighter', color: 'blue', points: [point] });
				} else {
					hook.annotate({ type: 'annotate/points', stroke, points: [point] });
				}
				tick++;
			}, 1000 / 60);
		},
		[on, seed, process.env.BENCH_STREAM ?? 'both'] as const,
	);
}

const ANIMATED_PAGE = `<!doctype html><html><body style="margin:0;background:#10131a;overflow:hidden">
<canvas id="c" width="1280" height="720"></canvas>
<script>
const ctx = document.getElementById('c').getContext('2d');
let t = 0;
function draw() {
	t++;
	ctx.fillStyle = '#10131a'; ctx.fillRect(0, 0, 1280, 720);
	for (let i = 0; i < 12; i++) {
		ctx.fillStyle = 'hsl(' + ((t * 2 + i * 30) % 360) + ',70%,55%)';
		ctx.fillRect((t * 4 + i * 110) % 1280, 60 + i * 52, 120, 40);
	}
	ctx.fillStyle = '#fff'; ctx.font = '48px system-ui'; ctx.fillText('frame ' + t, 40, 680);
	requestAnimationFrame(draw);
}
draw();
</script></body></html>`;

interface TrialResult {
	/** Send → rVFC callback for the first changed frame. */
	latency: number;
	/** Send → last packet of that frame received. */
	receive: number;
	/** Send → frame submitted for composition. */
	present: number;
	sentAt: number;
}

/** One click trial, run inside the viewer page. Resolves when the new colour is displayed. */
async function clickTrial(page: Page, expectBlue: boolean): Promise<TrialResult | null> {
	type TrialResultInPage = TrialResult;
	return page.evaluate(async (wantBlue) => {
		const hook = window.alongside!;
		const video = hook.video!;
		const canvas = new OffscreenCanvas(8, 8);
		const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
		const sentAt = performance.timeOrigin + performance.now();
		const start = performance.now();
		hook.send({ type: 'pointer/down', x: 0.5, y: 0.5, button: 'left', clickCount: 1, modifiers: 0 });
		hook.send({ type: 'pointer/up', x: 0.5, y: 0.5, button: 'left', clickCount: 1, modifiers: 0 });
		return new Promise<TrialResultInPage | null>((resolve) => {
			const timeout = setTimeout(() => resolve(null), 5000);
			const onFrame = (_now: number, meta: VideoFrameCallbackMetadata) => {
				const w = video.videoWidth;
				const h = video.videoHeight;
				ctx.drawImage(video, w * 0.5 - 4, h * 0.5 - 4, 8, 8, 0, 0, 8, 8);
				const [r, , b] = ctx.getImageData(4, 4, 1, 1).data;
				const isBlue = b! > r! + 60;
				const isRed = r! > b! + 60;
				if ((wantBlue && isBlue) || (!wantBlue && isRed)) {
					clearTimeout(timeout);
					resolve({
						latency: performance.now() - start,
						receive: (meta.receiveTime ?? Number.NaN) - start,
						present: meta.presentationTime - start,
						sentAt,
					});
				} else {
					video.requestVideoFrameCallback(onFrame);
				}
			};
			video.requestVideoFrameCallback(onFrame);
		});
	}, expectBlue);
}

/**
 * One tab switch: the viewer clicks the other tab in the console's tab strip (the switch
 * request goes out); resolves with the time until its video presents the first frame of
 * that tab (red or blue all over), or null after 5 s.
 */
async function tabSwitchTrial(page: Page, wantBlue: boolean): Promise<number | null> {
	return page.evaluate(async (wantBlue) => {
		const video = window.alongside!.video!;
		const canvas = new OffscreenCanvas(8, 8);
		const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
		const other = document.querySelector<HTMLButtonElement>('[data-testid=tab][data-active=false] button.pick');
		if (!other) return null;
		const start = performance.now();
		other.click();
		return new Promise<number | null>((resolve) => {
			const timeout = setTimeout(() => resolve(null), 5000);
			const onFrame = () => {
				ctx.drawImage(video, video.videoWidth * 0.5 - 4, video.videoHeight * 0.5 - 4, 8, 8, 0, 0, 8, 8);
				const [r, , b] = ctx.getImageData(4, 4, 1, 1).data;
				if ((wantBlue && b! > r! + 60) || (!wantBlue && r! > b! + 60)) {
					clearTimeout(timeout);
					resolve(performance.now() - start);
				} else {
					video.requestVideoFrameCallback(onFrame);
				}
			};
			video.requestVideoFrameCallback(onFrame);
		});
	}, wantBlue);
}

/** Frames presented by the viewer's video element over `ms`. */
async function presentedFps(page: Page, ms: number): Promise<number> {
	return page.evaluate(async (duration) => {
		const video = window.alongside!.video!;
		let frames = 0;
		const start = performance.now();
		await new Promise<void>((resolve) => {
			const onFrame = () => {
				frames++;
				if (performance.now() - start < duration) video.requestVideoFrameCallback(onFrame);
				else resolve();
			};
			video.requestVideoFrameCallback(onFrame);
		});
		return (frames * 1000) / (performance.now() - start);
	}, ms);
}

async function main(): Promise<void> {
	const fixtures = await startFixtureServer({
		'/click': CLICK_PAGE,
		'/click-any': CLICK_ANY_PAGE,
		'/animated': ANIMATED_PAGE,
		'/red': '<title>Red</title><body style="margin:0;background:rgb(230,40,40)"></body>',
		'/blue': '<title>Blue</title><body style="margin:0;background:rgb(40,80,230)"></body>',
	});
	// NOTE: no warm browser, so the first-frame figure includes launching Chromium.
	const app = await startAlongside({ ALONGSIDE_WARM_BROWSERS: '0', ALONGSIDE_LOG_LEVEL: process.env.ALONGSIDE_LOG_LEVEL ?? 'warn' });
	const viewerBrowser = await launchViewerBrowser(process.env.BENCH_VIEWER_ARGS ? process.env.BENCH_VIEWER_ARGS.split(' ') : []);
	try {
		const viewer = await newViewerPage(viewerBrowser, { viewport: { width: 1440, height: 900 } });
		await viewer.addInitScript(FIRST_FRAME_PROBE);
		// NOTE: the customer may draw too (for the strokes timed from the customer to the agent).
		const demo = (await app.store.getCompany('demo'))!;
		await app.store.updateCompanySettings('demo', { ...demo.settings, customerAnnotations: true });
		const customer = await newViewerPage(viewerBrowser, PHONE);
		await customer.goto(`${app.url}/c/demo`);
		const pin = ((await customer.getByTestId('pin').textContent()) ?? '').replace(/\D/g, '');

		// First frame: the agent submits the customer's PIN → first frame in the agent's video.
		await signInToConsole(viewer, app);
		await viewer.getByLabel("Customer's PIN").fill(pin);
		const submittedAt = await viewer.evaluate(() => performance.now());
		await enterPin(viewer, pin);
		const firstFrameMs = ((await (await viewer.waitForFunction(() => (window as unknown as { __firstFrames: number[] }).__firstFrames[0], undefined, { timeout: 20_000, polling: 5 })).jsonValue()) as number) - submittedAt;
		await viewer.waitForSelector('body[data-status=live]');
		await customer.waitForSelector('body[data-status=live]');
		const session = app.liveSessions()[0]!;
		await session.ready;
		// A supervisor watches (silent, receiving only).
		const supervisor = await newViewerPage(viewerBrowser, { viewport: { width: 1280, height: 800 } });
		await signInToConsole(supervisor, app, 'supervisor', '/supervisor/');
		await supervisor.getByRole('button', { name: /Watch/ }).first().click();
		await supervisor.waitForSelector('body[data-status=live]');
		// NOTE: the agent chooses the desktop shape, as the trials below were always run in.
		await viewer.getByTestId('shape').selectOption('desktop');
		await session.shapeSettled();
		await session.browser.navigate(`${fixtures.url}/click`);
		await new Promise((r) => setTimeout(r, 500));

		const chromiumPid = session.browser.pid;
		if (!chromiumPid) throw new Error('no Chromium pid');

		// Click trials, with short gaps like a person's, then a few after long idle gaps.
		let blue = false;
		let lost = 0;
		const runTrials = async (count: number, gapMs: () => number): Promise<TrialResult[]> => {
			const results: TrialResult[] = [];
			for (let i = 0; i < count; i++) {
				blue = !blue;
				const result = await clickTrial(viewer, blue);
				if (!result) {
					lost++;
					// NOTE: resynchronise with what the page shows now.
					blue = await session.browser.page.evaluate(() => document.getElementById('box')!.style.background.includes('40, 80'));
				} else {
					results.push(result);
				}
				await new Promise((r) => setTimeout(r, gapMs()));
			}
			return results;
		};
		await runTrials(WARMUP, () => 300);
		const { result: active, cpuPct: cpuInteractive } = await cpuPercentDuring(chromiumPid, () => runTrials(trials, () => 200 + Math.random() * 300));
		const idle = await runTrials(idleTrials, () => 3000);
		const hits = (await session.browser.page.evaluate('window.hits')) as number[];
		const inputLegs = active.map((t) => (hits.find((h) => h >= t.sentAt) ?? Number.NaN) - t.sentAt).filter(Number.isFinite);
		const latencies = active.map((t) => t.latency);
		const memory = memoryMiB(processTree(chromiumPid));

		// The phone shape beside the desktop one: alternating blocks, each after a switch in
		// the console (the page reloads with the other user agent).
		const shaped: Record<'phone' | 'desktop', number[]> = { phone: [], desktop: [] };
		let phoneResolution = '';
		await session.browser.navigate(`${fixtures.url}/click-any`);
		for (let block = 0; block < Math.max(2, Math.round(trials / BLOCK / 2)) * 2; block++) {
			const shape = block % 2 === 0 ? 'phone' : 'desktop';
			await viewer.getByTestId('shape').selectOption(shape);
			await viewer.waitForFunction((name) => window.alongside?.state().browser?.shape.name === name, shape);
			await session.shapeSettled();
			await new Promise((r) => setTimeout(r, 500));
			blue = await session.browser.page.evaluate(() => document.getElementById('box')!.style.background.includes('40, 80'));
			shaped[shape].push(...(await runTrials(BLOCK, () => 200 + Math.random() * 300)).map((t) => t.latency));
			if (shape === 'phone') {
				const stats = await session.browser.captureStats();
				phoneResolution = `${stats.frameWidth}x${stats.frameHeight}`;
			}
		}

		// Tab switches: two tabs, red and blue; the agent clicks the other one in the strip.
		await viewer.getByTestId('shape').selectOption('desktop');
		await session.shapeSettled();
		await session.browser.navigate(`${fixtures.url}/red`);
		await session.browser.newTab(`${fixtures.url}/blue`);
		await new Promise((r) => setTimeout(r, 1000));
		const switches: number[] = [];
		let switchesLost = 0;
		for (let i = 0; i < TAB_SWITCHES; i++) {
			// NOTE: the blue tab is captured now: the switch shows red, then blue, and so on.
			const ms = await tabSwitchTrial(viewer, i % 2 === 1);
			if (ms === null) switchesLost++;
			else switches.push(ms);
			await new Promise((r) => setTimeout(r, 300 + Math.random() * 300));
		}
		await session.browser.closeTab(session.browser.activeTab.id);

		// Working together: strokes from the customer to the agent, then click trials in
		// alternating quiet and busy blocks.
		await session.browser.navigate(`${fixtures.url}/click`);
		await new Promise((r) => setTimeout(r, 500));
		await viewer.waitForFunction(() => (window.alongside!.state() as { media: { annotate: string | null } | null }).media?.annotate === 'open');
		await customer.waitForFunction(() => (window.alongside!.state() as { media: { annotate: string | null } | null }).media?.annotate === 'open');
		const customerId = await customer.evaluate(() => (window.alongside!.state() as { self: { id: string } }).self.id);
		const strokeTimes: number[] = [];
		let strokeLost = 0;
		for (let i = 0; i < STROKE_TRIALS; i++) {
			const stroke = 1_000_000 + i;
			const shown = viewer.evaluate(([by, id]) => window.alongside!.strokeShown(by!, Number(id)), [customerId, String(stroke)] as const);
			await new Promise((r) => setTimeout(r, 30));
			const sentAt = await customer.evaluate((id) => {
				const at = performance.timeOrigin + performance.now();
				window.alongside!.annotate({ type: 'annotate/start', stroke: id, tab: (window.alongside!.state() as { scroll: { tab: string } }).scroll.tab || 't1', tool: 'highlighter', color: 'red', points: [[100, 100]] });
				window.alongside!.annotate({ type: 'annotate/end', stroke: id });
				return at;
			}, stroke);
			const at = await shown;
			if (at === null) strokeLost++;
			else strokeTimes.push(at - sentAt);
			await new Promise((r) => setTimeout(r, 100 + Math.random() * 150));
		}
		const together: Record<'quiet' | 'busy', number[]> = { quiet: [], busy: [] };
		blue = await session.browser.page.evaluate(() => document.getElementById('box')!.style.background.includes('40, 80'));
		for (let block = 0; block < Math.max(2, Math.round(trials / BLOCK / 2)) * 2; block++) {
			const busy = block % 2 === 1;
			await Promise.all([streaming(viewer, busy, 2_000_000 + block * 1000), streaming(customer, busy, 3_000_000 + block * 1000)]);
			await new Promise((r) => setTimeout(r, 300));
			together[busy ? 'busy' : 'quiet'].push(...(await runTrials(BLOCK, () => 200 + Math.random() * 300)).map((t) => t.latency));
		}
		await Promise.all([streaming(viewer, false, 0), streaming(customer, false, 0)]);
		const annotationDrops = Number((await (await fetch(`${app.url}/metrics`)).text()).match(/^alongside_annotations_dropped_total\{code="rate_limited"\} (\d+)/m)?.[1] ?? 0);

		// Animated page: delivered frame rate and CPU under continuous change.
		await session.browser.navigate(`${fixtures.url}/animated`);
		await new Promise((r) => setTimeout(r, 1500));
		const { result: fps, cpuPct: cpuAnimated } = await cpuPercentDuring(chromiumPid, () => presentedFps(viewer, 4000));
		const capture = await session.browser.captureStats();

		const result = {
			bench: 'latency',
			trials: latencies.length,
			lost,
			p50_ms: round(quantile(latencies, 0.5)),
			p95_ms: round(quantile(latencies, 0.95)),
			max_ms: round(Math.max(...latencies)),
			receive_p50_ms: round(quantile(active.map((t) => t.receive), 0.5)),
			present_p50_ms: round(quantile(active.map((t) => t.present), 0.5)),
			input_leg_p50_ms: round(quantile(inputLegs, 0.5)),
			idle_trials: idle.length,
			idle_p50_ms: round(quantile(idle.map((t) => t.latency), 0.5)),
			idle_max_ms: round(Math.max(...idle.map((t) => t.latency))),
			fps: round(fps),
			first_frame_ms: Math.round(firstFrameMs),
			cpu_pct: round(cpuAnimated),
			cpu_interactive_pct: round(cpuInteractive),
			rss_mb: Math.round(memory.rss),
			pss_mb: Math.round(memory.pss),
			codec: capture.codec ?? 'unknown',
			encoder: capture.encoder ?? 'unknown',
			resolution: `${capture.frameWidth}x${capture.frameHeight}`,
			phone_trials: shaped.phone.length,
			phone_p50_ms: round(quantile(shaped.phone, 0.5)),
			phone_p95_ms: round(quantile(shaped.phone, 0.95)),
			phone_resolution: phoneResolution,
			desktop_beside_phone_p50_ms: round(quantile(shaped.desktop, 0.5)),
			desktop_beside_phone_p95_ms: round(quantile(shaped.desktop, 0.95)),
			tab_switches: switches.length,
			tab_switches_lost: switchesLost,
			tab_switch_ms: round(quantile(switches, 0.5)),
			tab_switch_p95_ms: round(quantile(switches, 0.95)),
			annotation_trials: strokeTimes.length,
			annotation_lost: strokeLost,
			annotation_p50_ms: round(quantile(strokeTimes, 0.5)),
			annotation_p95_ms: round(quantile(strokeTimes, 0.95)),
			together_quiet_p50_ms: round(quantile(together.quiet, 0.5)),
			together_quiet_p95_ms: round(quantile(together.quiet, 0.95)),
			together_busy_p50_ms: round(quantile(together.busy, 0.5)),
			together_busy_p95_ms: round(quantile(together.busy, 0.95)),
			together_trials: together.quiet.length + together.busy.length,
			annotations_rate_limited: annotationDrops,
		};
		if (json) {
			process.stdout.write(`${JSON.stringify(result)}\n`);
		} else {
			process.stdout.write(
				[
					`latency bench (${result.trials} trials, ${lost} lost, loopback, ${result.resolution})`,
					`  input → visible change   p50 ${result.p50_ms} ms   p95 ${result.p95_ms} ms   max ${result.max_ms} ms`,
					`  legs (p50)               page handler ${result.input_leg_p50_ms} ms → frame received ${result.receive_p50_ms} ms → presented ${result.present_p50_ms} ms`,
					`  after 3 s idle           p50 ${result.idle_p50_ms} ms   max ${result.idle_max_ms} ms (${result.idle_trials} trials)`,
					`  phone shape (${result.phone_resolution})  p50 ${result.phone_p50_ms} ms   p95 ${result.phone_p95_ms} ms; desktop in the blocks beside it p50 ${result.desktop_beside_phone_p50_ms} ms   p95 ${result.desktop_beside_phone_p95_ms} ms`,
					`  tab switch               p50 ${result.tab_switch_ms} ms   p95 ${result.tab_switch_p95_ms} ms from the click on the tab to its first frame (${result.tab_switches} switches, ${switchesLost} lost)`,
					`  strokes                  p50 ${result.annotation_p50_ms} ms   p95 ${result.annotation_p95_ms} ms from the customer's page sending to the agent's drawing them (${result.annotation_trials} strokes, ${strokeLost} lost)`,
					`  input while together     quiet p50 ${result.together_quiet_p50_ms} ms   p95 ${result.together_quiet_p95_ms} ms; agent and customer streaming cursors and strokes at 60 Hz p50 ${result.together_busy_p50_ms} ms   p95 ${result.together_busy_p95_ms} ms (${result.together_trials} trials, alternating blocks; ${result.annotations_rate_limited} annotation messages over the rate limit)`,
					`  delivered frame rate     ${result.fps} fps (animated page)`,
					`  first frame              ${result.first_frame_ms} ms from the agent submitting the PIN (cold: Chromium launched for the session)`,
					`  Chromium tree CPU        ${result.cpu_pct}% of a core animated, ${result.cpu_interactive_pct}% during click trials`,
					`  Chromium tree memory     RSS ${result.rss_mb} MiB (PSS ${result.pss_mb} MiB)`,
					`  codec                    ${result.codec} (${result.encoder})`,
					'',
				].join('\n'),
			);
		}
	} finally {
		await viewerBrowser.close();
		await app.close();
		await fixtures.close();
	}
}

main().then(
	() => process.exit(0),
	(error: unknown) => {
		console.error('bench:latency failed:', error);
		process.exit(1);
	},
);
