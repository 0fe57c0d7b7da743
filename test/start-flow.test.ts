/**
 * A session's whole life in real browsers, as its people live it: the customer on a phone
 * gets a PIN, the agent redeems it in the console, a supervisor watches silently, the
 * customer ends it, and nothing of the session but its report is left.
 */
import fs from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alongside } from '../signaling/Alongside.js';
import { launchViewerBrowser, newViewerPage, startAlongside } from './helpers.js';
import { enterPin, PHONE, signInToConsole } from './ui.js';

let app: Alongside;
let browser: Browser;
let customer: Page;
let agent: Page;
let supervisor: Page;

beforeAll(async () => {
	app = await startAlongside();
	browser = await launchViewerBrowser();
	customer = await newViewerPage(browser, PHONE);
	agent = await newViewerPage(browser, { viewport: { width: 1280, height: 800 } });
	supervisor = await newViewerPage(browser, { viewport: { width: 1280, height: 800 } });
});

afterAll(async () => {
	await browser?.close();
	await app?.close();
});

describe('a session from PIN to end', () => {
	let sessionId: string;
	let profileDir: string;

	it('starts when the agent types the PIN the customer reads from the phone', async () => {
		await customer.goto(`${app.url}/c/demo`);
		const pin = ((await customer.getByTestId('pin').textContent()) ?? '').replace(/\D/g, '');
		expect(pin).toMatch(/^\d{6}$/);
		await signInToConsole(agent, app);
		await enterPin(agent, pin);
		await Promise.all([agent.waitForSelector('body[data-status=live]'), customer.waitForSelector('body[data-status=live]')]);
		const session = app.liveSessions()[0]!;
		sessionId = session.id;
		await session.ready;
		profileDir = session.browser.profileDir;
		expect(fs.existsSync(profileDir)).toBe(true);
		await expect.poll(() => customer.getByText('Connected with Alex').count()).toBeGreaterThan(0);
	});

	it('refuses a wrong PIN in the console with a clear message', async () => {
		const other = await newViewerPage(browser, { viewport: { width: 1280, height: 800 } });
		await signInToConsole(other, app);
		await enterPin(other, '000000');
		await expect.poll(() => other.getByRole('alert').textContent()).toMatch(/not valid/);
		expect(app.liveSessions().length).toBe(1);
		await other.context().close();
	});

	it('lets a supervisor watch silently: the customer page shows no extra participant', async () => {
		await signInToConsole(supervisor, app, 'supervisor', '/supervisor/');
		await supervisor.getByRole('button', { name: /Watch/ }).first().click();
		await supervisor.waitForSelector('body[data-status=live]');
		await expect.poll(() => supervisor.getByText('You are watching silently').count()).toBeGreaterThan(0);
		const seenByCustomer = await customer.evaluate(() => window.alongside!.state().participants as { role: string; name: string }[]);
		expect(seenByCustomer.map((p) => p.role)).toEqual(['agent']);
		expect(await customer.getByText('Sam').count()).toBe(0);
		const roles = app.session(sessionId)!.participants.map((p) => p.role).sort();
		expect(roles).toEqual(['agent', 'customer', 'supervisor']);
		// Supervisors get no input channel at all.
		expect(await supervisor.evaluate(() => window.alongside!.send({ type: 'pointer/move', x: 0.5, y: 0.5 }))).toBe(false);
	});

	it('ends when the customer presses End, for everyone', async () => {
		await customer.getByRole('button', { name: 'End', exact: true }).click();
		await customer.getByRole('dialog').getByRole('button', { name: 'End', exact: true }).click();
		await expect.poll(() => customer.getByText('Session ended').count()).toBeGreaterThan(0);
		await expect.poll(() => agent.evaluate(() => document.body.dataset.status)).toBe('ended');
		await expect.poll(() => app.session(sessionId)).toBeUndefined();
	});

	it('leaves no profile directory and no session data behind, only the report', async () => {
		expect(fs.existsSync(profileDir)).toBe(false);
		const record = await app.store.getSession(sessionId);
		expect(record).toMatchObject({ endReason: 'customer_ended' });
		expect(record!.endedAt).toBeGreaterThan(record!.startedAt);
		const audit = (await app.store.listAudit('demo', { limit: 100 })).filter((e) => e.sessionId === sessionId).map((e) => e.action);
		expect(audit).toEqual(expect.arrayContaining(['pin.redeemed', 'session.joined', 'session.ended']));
		const supervisorJoin = (await app.store.listAudit('demo', { limit: 100 })).find((e) => e.sessionId === sessionId && e.action === 'session.joined' && e.detail.role === 'supervisor');
		expect(supervisorJoin).toBeTruthy();
		await expect.poll(async () => (await app.store.listSessions('demo', { live: true, limit: 10 })).length).toBe(0);
	});
});
