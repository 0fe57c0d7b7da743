/**
 * One person, one place in a session, in real browsers: a customer who opens their session
 * in a second tab carries on there, and the first tab says so and can take it back; an
 * agent who already runs a session is offered to end it and start the new one.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alongside } from '../signaling/Alongside.js';
import { api, issuePin, launchViewerBrowser, login, newViewerPage, startAlongside } from './helpers.js';
import { enterPin, PHONE, signInToConsole } from './ui.js';

let app: Alongside;
let browser: Browser;

beforeAll(async () => {
	app = await startAlongside();
	browser = await launchViewerBrowser();
});

afterAll(async () => {
	await browser?.close();
	await app?.close();
});


describe('one place per person', () => {
	it('moves a customer’s session to the tab opened last, and lets the first tab take it back', async () => {
		const first = await newViewerPage(browser, PHONE);
		await first.goto(`${app.url}/c/demo`);
		const pin = ((await first.getByTestId('pin').textContent()) ?? '').replace(/\D/g, '');
		expect((await api(app, 'POST', '/api/sessions', { token: await login(app, 'agent'), body: { pin } })).status).toBe(201);
		await first.waitForSelector('body[data-status=live]');

		// A duplicated tab carries the tab's storage, and with it the session token.
		const storage = await first.evaluate(() => JSON.stringify(Object.entries(sessionStorage)));
		const second = await first.context().newPage();
		await second.addInitScript((entries: string) => {
			for (const [key, value] of JSON.parse(entries) as [string, string][]) sessionStorage.setItem(key, value);
		}, storage);
		await second.goto(`${app.url}/c/demo`);
		await second.waitForSelector('body[data-status=live]');
		await first.waitForSelector('body[data-status=elsewhere]');
		await expect.poll(() => first.getByText('This session is open in another window or tab.').isVisible()).toBe(true);
		const session = app.liveSessions()[0]!;
		expect(session.participants.filter((p) => p.role === 'customer')).toHaveLength(1);

		await first.getByRole('button', { name: 'Use it here' }).click();
		await first.waitForSelector('body[data-status=live]');
		await second.waitForSelector('body[data-status=elsewhere]');
		expect(session.participants.filter((p) => p.role === 'customer')).toHaveLength(1);
		await session.end('agent_ended');
		await first.context().close();
	});

	it('offers an agent who already runs a session to end it and start the new one', async () => {
		const token = await login(app, 'agent');
		const earlier = await api(app, 'POST', '/api/sessions', { token, body: { pin: (await issuePin(app)).pin } });
		expect(earlier.status).toBe(201);
		const agent = await newViewerPage(browser, { viewport: { width: 1280, height: 800 } });
		await signInToConsole(agent, app);
		await enterPin(agent, (await issuePin(app)).pin);
		await expect.poll(() => agent.getByText('You already have a session running. End it before starting another.').isVisible()).toBe(true);
		expect(app.liveSessions().map((s) => s.id)).toEqual([earlier.body.sessionId]);
		await agent.getByRole('button', { name: 'End it and start this one' }).click();
		await agent.waitForSelector('body[data-status=live]');
		const live = app.liveSessions();
		expect(live).toHaveLength(1);
		expect(live[0]!.id).not.toBe(earlier.body.sessionId);
		await live[0]!.end('agent_ended');
		await agent.context().close();
	});
});
