/**
 * The mask-leak test, on what the agent really receives: a real cloud Chromium plays pages
 * that paint sensitive values in magenta (test/masking/scenarios.ts) while they scroll,
 * animate, re-render and are typed into; the real agent console decodes the masked
 * rendition in a real Chromium and every decoded frame it shows is checked for magenta.
 * None may have any. The customer's clear rendition of the same pages must show magenta,
 * so the check can fail; the compositor also counts, before encoding, frames where the
 * colour lay outside what it painted (0) and frames the boxes of their own state alone
 * would have missed (what the N ∪ N+1 rule is for).
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alongside } from '../signaling/Alongside.js';
import { api, launchViewerBrowser, login, metricSum, startAlongside, startFixtureServer, WsClient } from './helpers.js';
import { type ColourCount, startColourCount, takeColourCount } from './masking/check.js';
import { INNER_PAGE, SCENARIOS, SENSITIVE_RGB, scenarioPages } from './masking/scenarios.js';
import { startSessionInBrowsers } from './ui.js';

let app: Alongside;
const session = () => app.liveSessions()[0]!;
let fixtures: Awaited<ReturnType<typeof startFixtureServer>>;
let crossOrigin: Awaited<ReturnType<typeof startFixtureServer>>;
let browser: Browser;
let agent: Page;
let customer: Page;
const totals = { agentFrames: 0, agentDecoded: 0, customerColoured: 0, compositorFrames: 0, staleRuleFrames: 0 };

beforeAll(async () => {
	crossOrigin = await startFixtureServer({ '/inner': INNER_PAGE }, '127.0.0.2');
	fixtures = await startFixtureServer(scenarioPages(crossOrigin.url));
	app = await startAlongside();
	browser = await launchViewerBrowser();
	({ agent, customer } = await startSessionInBrowsers(app, browser));
	session().browser.auditColour(SENSITIVE_RGB);
	await Promise.all([startColourCount(agent, SENSITIVE_RGB), startColourCount(customer, SENSITIVE_RGB)]);
});

afterAll(async () => {
	await browser?.close();
	await app?.close();
	await fixtures?.close();
	await crossOrigin?.close();
});

describe('masking, checked on the decoded video', () => {
	for (const scenario of SCENARIOS) {
		it(`hides every sensitive pixel from the agent, and shows them to the customer: ${scenario.name}`, async () => {
			const cloud = session().browser;
			const before = await cloud.maskTotals();
			const failuresBefore = await metricSum(app, 'alongside_mask_scan_failures_total', 'alongside_mask_bad_reports_total');
			await Promise.all([takeColourCount(agent), takeColourCount(customer)]);
			// The navigation itself is played and checked too.
			await cloud.navigate(`${fixtures.url}${scenario.path}`);
			await scenario.play(
				{
					input: (message) => cloud.inject('driver', message),
					evaluate: (script) => cloud.page.evaluate(script),
					wait: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
					shape: (name) => cloud.setShape(cloud.shapeOf(name, undefined)),
				},
				{ crossOrigin: crossOrigin.url },
			);
			// Let the last frames arrive.
			await new Promise((resolve) => setTimeout(resolve, 400));
			// ALONGSIDE_SHOT_DIR=dir keeps what each viewer shows at the end, to look at.
			if (process.env.ALONGSIDE_SHOT_DIR) {
				const name = scenario.path.replace(/\W/g, '');
				await agent.screenshot({ path: `${process.env.ALONGSIDE_SHOT_DIR}/${name}-agent.png` });
				await customer.screenshot({ path: `${process.env.ALONGSIDE_SHOT_DIR}/${name}-customer.png` });
			}
			const [seen, shown]: ColourCount[] = await Promise.all([takeColourCount(agent), takeColourCount(customer)]);
			const after = await cloud.maskTotals();
			const compositor = { frames: after.frames - before.frames, staleRuleFrames: after.staleRuleFrames - before.staleRuleFrames, auditLeaks: after.auditLeaks - before.auditLeaks };
			totals.agentFrames += seen!.frames;
			totals.agentDecoded += seen!.decoded;
			totals.customerColoured += shown!.coloured;
			totals.compositorFrames += compositor.frames;
			totals.staleRuleFrames += compositor.staleRuleFrames;
			if (after.auditLeaks > before.auditLeaks) console.log('audit', after.auditNotes.join('\n'));
			if (seen!.coloured > 0 && process.env.ALONGSIDE_LEAK_DIR) {
				const fs = await import('node:fs');
				seen!.samples.forEach((url, i) => fs.writeFileSync(`${process.env.ALONGSIDE_LEAK_DIR}/${scenario.path.replace(/\W/g, '')}-${i}.png`, Buffer.from(url.split(',')[1]!, 'base64')));
			}
			// The agent's decoded frames: not one with sensitive pixels.
			expect(seen!.coloured, `frames with sensitive pixels (the worst had ${seen!.worst})`).toBe(0);
			expect(seen!.frames).toBeGreaterThan(10);
			// Before encoding: nothing of the colour outside what the compositor painted.
			expect(compositor.auditLeaks).toBe(0);
			// Hidden by masking, not by covering everything: the detector never failed, and
			// a good part of the frames were painted with boxes. NOTE: while a long page
			// scrolls fast on these two cores, loaded by the tests, up to two thirds of the
			// frames have waited too long for the detector and been covered whole (see the
			// bench's covered_frames for the figure on a quiet machine).
			expect(await metricSum(app, 'alongside_mask_scan_failures_total', 'alongside_mask_bad_reports_total')).toBe(failuresBefore);
			const coveredWhole = Object.values(after.covered).reduce((a, b) => a + b, 0) - Object.values(before.covered).reduce((a, b) => a + b, 0);
			// NOTE: 85%: a clean-clone CI run saw 126 of 163 frames covered whole while a long
			// page scrolled (the bench's covered_frames is the figure on a quiet machine).
			expect(coveredWhole, JSON.stringify(after.covered)).toBeLessThan(compositor.frames * 0.85);
			// The customer sees the values (so the check above could have failed): any frame
			// showing them is the proof (a loaded run painted only 3 while the PDF opened).
			expect(shown!.coloured).toBeGreaterThan(0);
		});
	}

	it('checked enough frames, and the N ∪ N+1 rule mattered', () => {
		console.log(`masking: ${totals.agentFrames} agent frames checked (${totals.agentDecoded} decoded), ${totals.compositorFrames} through the compositor, ${totals.staleRuleFrames} that tag-N boxes alone would have leaked`);
		expect(totals.agentFrames).toBeGreaterThan(250);
		expect(totals.customerColoured).toBeGreaterThan(50);
	});
});

describe('the company\'s own rules', () => {
	it('reach the live session within a second: what they name is hidden from the agent, on the sites they name, and built-ins can be switched off', async () => {
		const cloud = session().browser;
		const admin = await login(app, 'admin');
		let version = (await api(app, 'GET', '/api/company/rules', { token: admin })).body.rules.version as number;
		const rules = (mask: unknown[], disabledBuiltins: string[] = []) => api(app, 'PUT', '/api/company/rules', { token: admin, body: { version, disabledBuiltins, mask } });
		/** Saves, waits a second for the rules to reach the session, then counts frames while the page scrolls a little. */
		const saveAndWatch = async (mask: unknown[], disabledBuiltins: string[] = []) => {
			const saved = await rules(mask, disabledBuiltins);
			expect(saved.status, JSON.stringify(saved.body)).toBe(200);
			version = saved.body.rules.version;
			await new Promise((resolve) => setTimeout(resolve, 1000));
			await Promise.all([takeColourCount(agent), takeColourCount(customer)]);
			for (let i = 0; i < 6; i++) {
				cloud.inject('driver', { type: 'pointer/wheel', x: 0.5, y: 0.5, dx: 0, dy: i % 2 ? -40 : 40 });
				await new Promise((resolve) => setTimeout(resolve, 200));
			}
			// NOTE: then still for a while: while it scrolls, the widened boxes of the values
			// next to one a rule leaves visible cover it too, so few frames show it.
			await new Promise((resolve) => setTimeout(resolve, 900));
			const [seen, shown] = await Promise.all([takeColourCount(agent), takeColourCount(customer)]);
			expect(shown!.coloured).toBeGreaterThan(3);
			expect(seen!.frames).toBeGreaterThan(10);
			if (seen!.coloured > 0 && process.env.ALONGSIDE_LEAK_DIR) {
				const fs = await import('node:fs');
				console.log('rules audit', (await cloud.maskTotals()).auditNotes.join('\n'));
				seen!.samples.forEach((url, i) => fs.writeFileSync(`${process.env.ALONGSIDE_LEAK_DIR}/rules-${version}-${i}.png`, Buffer.from(url.split(',')[1]!, 'base64')));
			}
			return seen!;
		};
		const named = [
			{ kind: 'selector', value: '#balance' },
			{ kind: 'field', value: 'Mother\'s maiden name' },
			{ kind: 'pattern', value: 'ACME-\\d{6}' },
		];
		try {
			// The built-in rules alone leave the three values in view (the check can fail).
			// NOTE: any frame showing them is the proof; a loaded host paints few frames.
			await cloud.navigate(`${fixtures.url}/mask/rules`);
			expect((await saveAndWatch([])).coloured).toBeGreaterThan(0);
			// The company names them: gone from the agent's video within a second.
			expect((await saveAndWatch(named)).coloured).toBe(0);
			// Scoped to another site, the selector rule does not apply here; scoped to this one, it does.
			expect((await saveAndWatch([{ ...named[0], domains: ['elsewhere.example'] }, named[1], named[2]])).coloured).toBeGreaterThan(0);
			expect((await saveAndWatch([{ ...named[0], domains: ['127.0.0.1'] }, named[1], named[2]])).coloured).toBe(0);
			// The built-in password rule switched off: the password field shows.
			expect((await saveAndWatch(named, ['passwords'])).coloured).toBeGreaterThan(0);
		} finally {
			await rules([]);
		}
	});
});

describe('who sees which rendition', () => {
	it('refuses the clear rendition to a supervisor (and counts it), and gives the masked one', async () => {
		const token = await login(app, 'supervisor');
		const supervisor = await WsClient.connect(app.url);
		expect((await supervisor.request('session/join', { token, sessionId: session().id, as: 'supervisor' })).ok).toBe(true);
		const transport = await supervisor.request('transport/create', { direction: 'recv' });
		const rtpCapabilities = session().room.rtpCapabilities as unknown as Record<string, unknown>;
		const before = await metricSum(app, 'alongside_rendition_refusals_total');
		const clear = await supervisor.request('media/consume', { transportId: transport.data.id, rtpCapabilities, rendition: 'clear' });
		expect(clear.error?.code).toBe('forbidden');
		expect(await metricSum(app, 'alongside_rendition_refusals_total')).toBe(before + 1);
		const masked = await supervisor.request('media/consume', { transportId: transport.data.id, rtpCapabilities });
		expect(masked.data.rendition).toBe('masked');
		supervisor.close();
	});

	it('sends the customer the regions hidden from the agent, for the outlines', async () => {
		await session().browser.navigate(`${fixtures.url}/mask/fields`);
		const outlines = await customer.evaluate(
			() =>
				new Promise<number>((resolve) => {
					const check = () => {
						const n = document.querySelectorAll('[data-testid=mask-outline]').length;
						// NOTE: the previous page's outlines may still show for a moment.
						if (n > 3) resolve(n);
						else setTimeout(check, 100);
					};
					check();
				}),
		);
		expect(outlines).toBeGreaterThan(3);
		await expect.poll(() => customer.getByText(/hidden from Alex/).isVisible()).toBe(true);
	});
});
