/**
 * Integrations end to end, as a company wires its CRM in: an admin makes an API key in the
 * admin page (shown once), the CRM issues a PIN with its ticket number, the customer opens
 * the link on a phone (the PIN is already there), an agent redeems it, the CRM finds the
 * session by its ticket number and ends it, and the customer is told. Revoking the key in
 * the admin page shuts the CRM out at once.
 */
import http from 'node:http';
import type { Browser } from 'playwright-core';
import { verifySignature } from '../signaling/webhooks/signature.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alongside } from '../signaling/Alongside.js';
import { api, launchViewerBrowser, login, newViewerPage, startAlongside, until } from './helpers.js';
import { enterPin, PHONE, shot, signInToConsole } from './ui.js';

let app: Alongside;
let browser: Browser;

beforeAll(async () => {
	app = await startAlongside({ ALONGSIDE_WEBHOOKS_ALLOW_HTTP: 'true', ALONGSIDE_WEBHOOK_RETRY_MS: '200' });
	browser = await launchViewerBrowser();
});

afterAll(async () => {
	await browser?.close();
	await app?.close();
});

const v1 = (token: string, method: string, path: string, body?: unknown) =>
	fetch(`${app.url}/api/v1${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });

describe('a CRM wired in with an API key', () => {
	it('issues a PIN with its ticket number, finds the session by it, and ends it; revoked, it is shut out', async () => {
		// The admin makes a key for the CRM.
		const admin = await newViewerPage(browser, { viewport: { width: 1280, height: 900 } });
		await signInToConsole(admin, app, 'admin', '/admin/#integrations');
		// The one line for the company's site is there, ready to copy.
		expect(await admin.getByTestId('embed-snippet').textContent()).toBe(`<script async src="${app.url}/embed.js" data-company="demo"></script>`);
		const form = admin.getByTestId('new-key');
		await form.getByLabel('Name').fill('Dynamics 365');
		await form.getByLabel('Read reports').check();
		await form.getByRole('button', { name: 'Create key' }).click();
		const token = (await admin.getByTestId('api-token').textContent())!.trim();
		expect(token).toMatch(/^alsk_/);
		await shot(admin, 'integrations-key-created');
		await admin.getByRole('dialog').getByRole('button', { name: 'Close', exact: true }).last().click();
		await expect.poll(() => admin.getByTestId('api-keys').locator('tbody tr').count()).toBe(1);
		// Shown once: not in the page any more, nor in what the page can fetch.
		expect(await admin.content()).not.toContain(token.slice(22));

		// The CRM also listens for sessions starting and ending (a webhook, registered by the admin).
		const heard: Array<{ type: string; data: Record<string, unknown>; signature: string; body: string }> = [];
		const crm = http.createServer((req, res) => {
			let body = '';
			req.on('data', (c: Buffer) => (body += c.toString()));
			req.on('end', () => {
				heard.push({ ...JSON.parse(body), signature: String(req.headers['alongside-signature']), body });
				res.writeHead(204).end();
			});
		});
		await new Promise<void>((resolve) => crm.listen(0, '127.0.0.1', resolve));
		const hook = await api(app, 'POST', '/api/webhooks', { token: await login(app, 'admin'), body: { url: `http://127.0.0.1:${(crm.address() as { port: number }).port}/alongside`, events: ['session.started', 'session.ended'] } });
		expect(hook.status).toBe(201);

		// The CRM issues a PIN for ticket CASE-1042 and texts the link to the customer.
		const issued = await v1(token, 'POST', '/pins', { reference: 'CASE-1042', lang: 'it-IT' });
		expect(issued.status).toBe(201);
		const { pin, customerUrl } = await issued.json();
		const customer = await newViewerPage(browser, PHONE);
		await customer.goto(customerUrl);
		await expect.poll(async () => ((await customer.getByTestId('pin').textContent()) ?? '').replace(/\D/g, '')).toBe(pin);
		// The secret left the address bar.
		expect(new URL(customer.url()).hash).toBe('');
		await shot(customer, 'integrations-customer-link');

		// An agent redeems it: both are in the session, which keeps the ticket number.
		const agent = await newViewerPage(browser, { viewport: { width: 1280, height: 800 } });
		await signInToConsole(agent, app);
		await enterPin(agent, pin);
		await Promise.all([agent.waitForSelector('body[data-status=live]'), customer.waitForSelector('body[data-status=live]')]);
		const listed = await (await v1(token, 'GET', '/sessions?reference=CASE-1042')).json();
		expect(listed.sessions).toHaveLength(1);
		expect(listed.sessions[0]).toMatchObject({ reference: 'CASE-1042', live: true, agent: { name: 'Alex' } });

		// The CRM closes the ticket: the session ends for everyone, and says by whom.
		const ended = await v1(token, 'POST', `/sessions/${listed.sessions[0].id}/end`);
		expect(ended.status).toBe(204);
		await customer.waitForSelector('body[data-status=ended]');
		await agent.waitForSelector('body[data-status=ended]');
		await expect.poll(async () => (await (await v1(token, 'GET', `/sessions/${listed.sessions[0].id}`)).json()).endReason).toBe('api_ended');
		const report = await (await v1(token, 'GET', `/sessions/${listed.sessions[0].id}/report`)).json();
		expect(report.events.map((e: { type: string }) => e.type)).toContain('session.ended');
		// The CRM heard both, signed, with its ticket number.
		await until(() => (heard.length >= 2 ? true : undefined));
		expect(heard.map((h) => h.type)).toEqual(['session.started', 'session.ended']);
		expect(heard.every((h) => h.data.reference === 'CASE-1042' && h.data.sessionId === listed.sessions[0].id)).toBe(true);
		expect(heard[1]!.data.reason).toBe('api_ended');
		expect(heard.every((h) => verifySignature(hook.body.secret, h.body, h.signature))).toBe(true);
		await new Promise<void>((resolve) => crm.close(() => resolve()));

		// The admin revokes the key: the next call is refused.
		await admin.getByRole('button', { name: 'Revoke' }).click();
		await admin.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click();
		await expect.poll(async () => (await v1(token, 'GET', '/sessions')).status).toBe(401);
		await expect.poll(() => admin.getByTestId('api-keys').getByText(/Revoked/).count()).toBe(1);
		await shot(admin, 'integrations-key-revoked');
		for (const page of [admin, customer, agent]) await page.close();
	});
});
