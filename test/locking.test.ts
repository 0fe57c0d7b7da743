/**
 * The lock-bypass suite, in a real cloud browser: an agent tries every way we know to
 * activate a locked control (test/locking/pages.ts records each activation in the page)
 * or to type into a masked field; nothing may reach the page, and each attempt must be
 * refused by name. The customer's same actions must get through (so the check can fail),
 * and the agent's harmless ones too (so the gateway is not just refusing everything).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sender } from '../publisher/InputGateway.js';
import type { Alongside } from '../signaling/Alongside.js';
import { type StartedSession, startAlongside, startFixtureServer, startSessionWithPin, WsClient } from './helpers.js';
import { ATTEMPTS, type Attempt, click, FOCUS_CROSS_PLAIN, key, playAttempt, SCROLLED } from './locking/attempts.js';
import { LOCK_INNER, LOCK_PAGE, LOCK_STEP1, LOCK_STEP2 } from './locking/pages.js';

let app: Alongside;
let fixtures: Awaited<ReturnType<typeof startFixtureServer>>;
let crossOrigin: Awaited<ReturnType<typeof startFixtureServer>>;
const cloud = () => app.liveSessions()[0]!.browser;
let started: StartedSession;

beforeAll(async () => {
	crossOrigin = await startFixtureServer({ '/lock-inner': LOCK_INNER }, '127.0.0.2');
	fixtures = await startFixtureServer({
		'/lock': LOCK_PAGE(crossOrigin.url),
		'/lock-step1': LOCK_STEP1,
		'/lock-step2': LOCK_STEP2,
		'/leave': `<!doctype html><a id="away" href="${crossOrigin.url}/lock-inner">Elsewhere</a><form id="f" action="${crossOrigin.url}/lock-inner"></form>`,
		'/refresh': `<!doctype html><meta http-equiv="refresh" content="0;url=${crossOrigin.url}/lock-inner">`,
		'/redirect': { redirect: `${crossOrigin.url}/lock-inner` },
	});
	app = await startAlongside();
	started = await startSessionWithPin(app);
	await app.liveSessions()[0]!.ready;
});

afterAll(async () => {
	await app?.close();
	await fixtures?.close();
	await crossOrigin?.close();
});

const play = (attempt: Attempt, sender: Sender) => playAttempt(cloud(), `${fixtures.url}/lock`, attempt, sender, sender === 'agent' ? 'agent-1' : 'customer-1');

describe('button locking and masked fields: an agent cannot, the customer can', () => {
	for (const attempt of ATTEMPTS) {
		it(attempt.name, async () => {
			const agent = await play(attempt, 'agent');
			expect(agent.hits.filter((h) => attempt.records.includes(h)), `the agent's attempt reached the page (${agent.hits.join(', ')})`).toEqual([]);
			expect(agent.refused.length, 'the refusal is reported').toBeGreaterThan(0);
			expect(agent.refused[0]!.participantId).toBe('agent-1');
			if (attempt.reason) expect(agent.refused[0]!.reason).toBe(attempt.reason);
			const customer = await play(attempt, 'customer');
			expect(customer.hits.some((h) => attempt.records.includes(h)), `the customer's attempt recorded ${customer.hits.join(', ') || 'nothing'}`).toBe(true);
			expect(customer.refused).toEqual([]);
		});
	}

	it("follows the company's lock rules: its own selector and words lock, a built-in switched off lets the agent through", async () => {
		await cloud().setRules({ disabled: ['purchase'], custom: [{ kind: 'lock', value: '#harmless', domains: [] }, { kind: 'lock_label', value: 'Help', domains: [] }, { kind: 'lock', value: '#free', domains: ['elsewhere.example'] }] });
		try {
			const byCompany = await play({ name: 'company selector', target: 'harmless', records: ['harmless'], play: click() }, 'agent');
			expect(byCompany.hits).toEqual([]);
			expect(byCompany.refused[0]?.reason).toBe('company_rule');
			const byWords = await play({ name: 'company words', target: 'relay', records: ['buy'], play: click() }, 'agent');
			expect(byWords.hits).toEqual([]);
			expect(byWords.refused[0]?.reason).toBe('company_rule');
			// "Buy now" with the built-in purchase rule switched off: the agent may press it.
			const builtinOff = await play({ name: 'built-in off', target: 'acquista', records: ['acquista'], play: click() }, 'agent');
			expect(builtinOff.hits).toContain('acquista');
			// A rule scoped to another site does not apply here.
			const elsewhere = await play({ name: 'scoped', focus: 'free', records: ['free-input'], play: key('x', 'KeyX') }, 'agent');
			expect(elsewhere.hits).toContain('free-input');
		} finally {
			await cloud().setRules({ disabled: [], custom: [] });
		}
	});

	it('lets an agent do what nothing locks: a harmless button, typing in a plain field', async () => {
		const agent = await play({ name: 'harmless', target: 'harmless', records: ['harmless'], play: click() }, 'agent');
		expect(agent.hits).toContain('harmless');
		expect(agent.refused).toEqual([]);
		const typing = await play({ name: 'typing', focus: 'free', records: ['free-input'], play: key('x', 'KeyX') }, 'agent');
		expect(typing.hits).toContain('free-input');
		expect(typing.refused).toEqual([]);
	});

	it('lets an agent use what nothing locks where the page cannot be read: a cross-origin iframe, a closed shadow root', async () => {
		const details = await play({ name: 'cross details', target: 'cross', records: ['cross-cross'], play: click() }, 'agent');
		expect(details.refused).toEqual([]);
		expect(details.hits).toContain('cross-cross');
		const typing = await play({ name: 'cross typing', prepare: FOCUS_CROSS_PLAIN, records: ['cross-plain'], play: key('x', 'KeyX') }, 'agent');
		expect(typing.refused).toEqual([]);
		expect(typing.hits).toContain('cross-plain');
		const closed = await play({ name: 'closed details', target: 'closed-free', records: ['closed-free'], play: click() }, 'agent');
		expect(closed.refused).toEqual([]);
		expect(closed.hits).toContain('closed-free');
		// The page scrolled: the check looks where the click lands.
		const scrolled = await play({ name: 'cross details, scrolled', prepare: SCROLLED, target: 'cross', records: ['cross-cross'], play: click() }, 'agent');
		expect(scrolled.refused).toEqual([]);
		expect(scrolled.hits).toContain('cross-cross');
		const closedScrolled = await play({ name: 'closed details, scrolled', prepare: SCROLLED, target: 'closed-free', records: ['closed-free'], play: click() }, 'agent');
		expect(closedScrolled.refused).toEqual([]);
		expect(closedScrolled.hits).toContain('closed-free');
	});
});

describe('the sites a session may open', () => {
	it("keeps the tab on the company's sites, whoever leads it away: the address bar, a link, a form, a script, a redirect, a refresh, window.open", async () => {
		const refused: string[] = [];
		const onRefused = ({ url }: { url: string }) => refused.push(url);
		cloud().on('navigationrefused', onRefused);
		app.liveSessions()[0]!.setAllowedDomains(['127.0.0.1']);
		const customer = await WsClient.connect(app.url);
		try {
			expect((await customer.request('session/join', { token: started.customerToken })).ok).toBe(true);
			const away = `${crossOrigin.url}/lock-inner`;
			const bar = await customer.request('browser/navigate', { url: away });
			expect(bar.error?.message).toBe(`could not open ${away}: 127.0.0.2 is not one of the sites this company allows in co-browsing sessions`);
			for (const url of ['javascript:alert(1)', 'file:///etc/passwd', 'view-source:http://127.0.0.1/', 'chrome://settings']) {
				expect((await customer.request('browser/navigate', { url })).error?.message, url).toMatch(/addresses cannot be opened/);
			}
			const leave = async (how: string) => {
				await cloud().navigate(`${fixtures.url}/leave`);
				const before = refused.length;
				await cloud().page.evaluate(how).catch(() => undefined);
				await expect.poll(() => refused.length, { timeout: 5000 }).toBeGreaterThan(before);
				await new Promise((resolve) => setTimeout(resolve, 300));
				expect(new URL(cloud().page.url()).host, how).toBe(new URL(fixtures.url).host);
			};
			await leave(`document.getElementById('away').click()`);
			await leave(`document.getElementById('f').submit()`);
			await leave(`location.href = ${JSON.stringify(away)}`);
			await leave(`location.href = ${JSON.stringify(`${fixtures.url}/redirect`)}`);
			await leave(`window.open(${JSON.stringify(away)})`);
			const before = refused.length;
			await cloud().navigate(`${fixtures.url}/refresh`);
			await expect.poll(() => refused.length, { timeout: 5000 }).toBeGreaterThan(before);
			// Everyone in the session is told why the page stayed.
			await expect.poll(() => customer.notifications.some((n) => n.type === 'navigation/refused')).toBe(true);
			// Counted apart from dropped input: by where the navigation came from.
			const counted = (await app.metrics.registry.getSingleMetric('alongside_navigation_refusals_total')?.get())?.values ?? [];
			expect(counted.find((v) => v.labels.source === 'address_bar')?.value).toBeGreaterThanOrEqual(1);
			expect(counted.find((v) => v.labels.source === 'page')?.value).toBeGreaterThanOrEqual(6);
			// The allowed site opens as before.
			expect((await customer.request('browser/navigate', { url: `${fixtures.url}/lock` })).ok).toBe(true);
		} finally {
			customer.close();
			app.liveSessions()[0]!.setAllowedDomains([]);
			cloud().off('navigationrefused', onRefused);
		}
	});
});
