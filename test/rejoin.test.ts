/**
 * Coming back to a live session, in real browsers: an agent who reloads the console, and a
 * customer who closes the tab and opens the company link again, are back in the same
 * session as the same person; a link opened after the session ended says so. A customer
 * whose network stops (a TCP proxy between the phone and the service stops passing bytes,
 * as a phone changing networks does) is shown as reconnecting to the agent at once, sees
 * it too, and comes back as the same participant when the network does.
 */
import net from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alongside } from '../signaling/Alongside.js';
import { launchViewerBrowser, newViewerPage, startAlongside } from './helpers.js';
import { enterPin, PHONE, signInToConsole, startSessionInBrowsers } from './ui.js';

let app: Alongside;
let browser: Browser;
let agent: Page;
let customer: Page;

const sessionIdOf = (page: Page) => page.evaluate(() => window.alongside!.state().sessionId as string | undefined);
const othersOf = (page: Page) => page.evaluate(() => (window.alongside!.state().participants as Array<{ role: string }>).map((p) => p.role).sort());

beforeAll(async () => {
	app = await startAlongside();
	browser = await launchViewerBrowser();
	({ agent, customer } = await startSessionInBrowsers(app, browser));
});

afterAll(async () => {
	await browser?.close();
	await app?.close();
});

describe('coming back to a live session', () => {
	it('takes an agent who reloads the console back into the session, the customer still there', async () => {
		const sessionId = await sessionIdOf(agent);
		expect(sessionId).toBeTruthy();
		await agent.reload();
		await agent.waitForSelector('body[data-status=live]');
		expect(await sessionIdOf(agent)).toBe(sessionId);
		expect(await othersOf(agent)).toEqual(['customer']);
		// One agent in the session, not two.
		await expect.poll(() => othersOf(customer)).toEqual(['agent']);
		expect(app.liveSessions()).toHaveLength(1);
	});

	it('shows an agent who opens the console elsewhere the live session, to rejoin it there', async () => {
		const sessionId = await sessionIdOf(agent);
		const elsewhere = await newViewerPage(browser, { viewport: { width: 1280, height: 800 } });
		await signInToConsole(elsewhere, app);
		await elsewhere.getByTestId('live-session').getByRole('button', { name: 'Rejoin' }).click();
		await elsewhere.waitForSelector('body[data-status=live]');
		expect(await sessionIdOf(elsewhere)).toBe(sessionId);
		// The first console is told the session is open elsewhere, and can take it back.
		await agent.waitForSelector('body[data-status=elsewhere]');
		await agent.getByRole('button', { name: /use it here/i }).click();
		await agent.waitForSelector('body[data-status=live]');
		await elsewhere.context().close();
	});

	it('takes a customer who closes the tab and opens the link again back into the session', async () => {
		const sessionId = await sessionIdOf(customer);
		const customerId = await customer.evaluate(() => window.alongside!.state().self.id as string);
		const context = customer.context();
		await customer.close();
		// Gone for now: the agent sees the customer reconnecting, not leaving.
		await expect.poll(() => agent.getByTestId('person-customer').getAttribute('class')).toContain('reconnecting');
		customer = await context.newPage();
		await customer.goto(`${app.url}/c/demo`);
		await customer.waitForSelector('body[data-status=live]');
		expect(await sessionIdOf(customer)).toBe(sessionId);
		expect(await customer.evaluate(() => window.alongside!.state().self.id)).toBe(customerId);
		await expect.poll(() => agent.getByTestId('person-customer').getAttribute('class')).not.toContain('reconnecting');
		expect(await othersOf(agent)).toEqual(['customer']);
		expect(await customer.getByTestId('pin').count()).toBe(0);
	});

	it('tells a customer who opens the link after the session ended that it ended, then offers a new code', async () => {
		const context = customer.context();
		await customer.close();
		await app.liveSessions()[0]!.end('agent_ended');
		customer = await context.newPage();
		await customer.goto(`${app.url}/c/demo`);
		await expect.poll(() => customer.getByRole('heading', { name: /ended/i }).count(), { timeout: 10_000 }).toBe(1);
		await customer.getByRole('button', { name: /new code/i }).click();
		await expect.poll(() => customer.getByTestId('pin').count(), { timeout: 10_000 }).toBe(1);
	});
});

/** A TCP proxy to the service that can stop passing bytes (its connections hang, as on a dead network) and start again. */
class Network {
	readonly #pairs = new Set<[net.Socket, net.Socket]>();
	readonly #held: net.Socket[] = [];
	readonly #server: net.Server;
	#down = false;

	constructor(readonly target: number) {
		this.#server = net.createServer((client) => {
			client.on('error', () => undefined);
			if (this.#down) {
				client.pause();
				this.#held.push(client);
			} else this.#connect(client);
		});
	}

	listen(): Promise<number> {
		return new Promise((resolve) => this.#server.listen(0, '127.0.0.1', () => resolve((this.#server.address() as net.AddressInfo).port)));
	}

	#connect(client: net.Socket): void {
		const upstream = net.connect(this.target, '127.0.0.1');
		upstream.on('error', () => client.destroy());
		client.on('error', () => upstream.destroy());
		client.pipe(upstream);
		upstream.pipe(client);
		const pair: [net.Socket, net.Socket] = [client, upstream];
		this.#pairs.add(pair);
		const forget = () => this.#pairs.delete(pair);
		client.on('close', forget);
		client.resume();
	}

	/** Bytes stop, both ways; new connections wait. */
	down(): void {
		this.#down = true;
		for (const [client, upstream] of this.#pairs) {
			client.unpipe(upstream);
			upstream.unpipe(client);
			client.pause();
			upstream.pause();
		}
	}

	/** The network is back (a new one: the connections of the old are gone); waiting connections go through. */
	up(): void {
		this.#down = false;
		for (const [client, upstream] of this.#pairs) {
			client.destroy();
			upstream.destroy();
		}
		this.#pairs.clear();
		for (const client of this.#held.splice(0)) this.#connect(client);
	}

	close(): void {
		this.up();
		for (const [client, upstream] of this.#pairs) {
			client.destroy();
			upstream.destroy();
		}
		this.#server.close();
	}
}

describe('a customer whose network drops', () => {
	it('is shown as reconnecting at once, sees it too, and comes back as the same participant', async () => {
		// NOTE: the agent may run one session: the one of the tests above goes first.
		for (const live of app.liveSessions()) await live.end('agent_ended');
		const network = new Network(Number(new URL(app.url).port));
		const port = await network.listen();
		try {
			const phone = await newViewerPage(browser, PHONE);
			await phone.goto(`http://127.0.0.1:${port}/c/demo`);
			const pin = ((await phone.getByTestId('pin').textContent()) ?? '').replace(/\D/g, '');
			const console_ = await newViewerPage(browser, { viewport: { width: 1280, height: 800 } });
			await signInToConsole(console_, app);
			await enterPin(console_, pin);
			await Promise.all([console_.waitForSelector('body[data-status=live]'), phone.waitForSelector('body[data-status=live]')]);
			const customerId = await phone.evaluate(() => window.alongside!.state().self.id as string);
			const person = console_.getByTestId('person-customer');

			const cut = Date.now();
			network.down();
			await expect.poll(() => person.getAttribute('class'), { timeout: 10_000 }).toContain('reconnecting');
			const agentSaw = Date.now() - cut;
			await expect.poll(() => phone.getByTestId('link-trouble').count(), { timeout: 10_000 }).toBe(1);
			const customerSaw = Date.now() - cut;
			expect(await person.textContent()).toContain('reconnecting…');
			if (process.env.ALONGSIDE_SHOT_DIR) {
				await phone.screenshot({ path: `${process.env.ALONGSIDE_SHOT_DIR}/customer-reconnecting.png` });
				await console_.screenshot({ path: `${process.env.ALONGSIDE_SHOT_DIR}/console-customer-reconnecting.png` });
			}

			await new Promise((resolve) => setTimeout(resolve, 3000));
			const back = Date.now();
			network.up();
			await expect.poll(() => person.getAttribute('class'), { timeout: 30_000 }).not.toContain('reconnecting');
			const resumedIn = Date.now() - back;
			await phone.waitForSelector('body[data-status=live]');
			expect(await phone.getByTestId('link-trouble').count()).toBe(0);
			// The same participant: same id, one customer, and one join in the audit log.
			expect(await phone.evaluate(() => window.alongside!.state().self.id)).toBe(customerId);
			expect(await console_.evaluate(() => (window.alongside!.state().participants as Array<{ id: string }>).map((p) => p.id))).toEqual([customerId]);
			const sessionId = await console_.evaluate(() => window.alongside!.state().sessionId as string);
			const audit = (await app.store.listAudit('demo', { limit: 100 })).filter((e) => e.sessionId === sessionId && e.actorType === 'customer');
			expect(audit.filter((e) => e.action === 'session.joined')).toHaveLength(1);
			expect(audit.filter((e) => e.action === 'session.resumed').length).toBeGreaterThanOrEqual(1);
			expect(audit.filter((e) => e.action === 'session.left')).toHaveLength(0);
			console.log(`network drop: the agent saw "reconnecting" after ${agentSaw} ms, the customer after ${customerSaw} ms; back ${resumedIn} ms after the network returned`);
		} finally {
			network.close();
		}
	});
});
