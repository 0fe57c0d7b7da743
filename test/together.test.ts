/**
 * Working together, with real viewers: an Italian customer on a phone (it-IT, Europe/Rome),
 * an agent on an English desktop, and a supervisor. Strokes the agent draws appear on the
 * customer's view, anchored to the page (they follow its scroll), without clicking it; the
 * highlighter fades, "clear all" clears. Chat goes both ways, keeps card numbers from the
 * agent, and is in the report. The customer's pages are Italian and so is the cloud page
 * (Accept-Language, navigator.language, time zone); the agent's console is English. The
 * customer pauses the agent's control and gives it back when asked; a supervisor's note
 * reaches the agent only, and a supervisor can end the session.
 */
import { deflateSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WELCOME_URL } from '../publisher/internalPages.js';
import type { Alongside } from '../signaling/Alongside.js';
import en from '../web/src/lib/i18n/en.js';
import it_ from '../web/src/lib/i18n/it.js';
import { api, launchViewerBrowser, login, newViewerPage, startAlongside, startFixtureServer } from './helpers.js';
import { enterPin, PHONE, shot, signInToConsole, videoPoint } from './ui.js';

const PAGE = `<!doctype html><html><head><meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{margin:0;font:18px system-ui} #go{position:absolute;left:40%;top:200px;width:20%;height:60px} .tall{height:4000px;background:linear-gradient(#fff,#eef)}</style></head>
<body><title>Together</title><button id="go">Go</button><div class="tall"></div>
<script>
window.clicks = 0;
window.presses = 0;
document.getElementById('go').addEventListener('click', () => window.clicks++);
addEventListener('mousedown', () => window.presses++, true);
window.at = (id) => { const r = document.getElementById(id).getBoundingClientRect(); return [(r.left + r.width / 2) / innerWidth, (r.top + r.height / 2) / innerHeight]; };
</script></body></html>`;

let app: Alongside;
let browser: Browser;
let agent: Page;
let customer: Page;
let fixtures: Awaited<ReturnType<typeof startFixtureServer>>;
const languages: string[] = [];

const session = () => app.liveSessions()[0]!;
const cloud = () => session().browser;
const state = (page: Page) => page.evaluate(() => window.alongside!.state());

beforeAll(async () => {
	fixtures = await startFixtureServer({
		'/together': (req) => {
			languages.push(String(req.headers['accept-language'] ?? ''));
			return PAGE;
		},
	});
	app = await startAlongside();
	// The company's brand: its colour and logo on the customer's pages, the agent shown as "Alex A.".
	const demo = (await app.store.getCompany('demo'))!;
	await app.store.updateCompanySettings('demo', { ...demo.settings, brandName: 'Banca Demo', brandColor: '#1e40af', logoVersion: 1, agentNameFormat: 'first_initial' });
	await app.store.setCompanyLogo('demo', { type: 'image/png', bytes: tinyPng() });
	const alex = (await app.store.getUserByEmail('demo', 'agent@demo.local'))!;
	await app.store.updateUser(alex.id, { name: 'Alex Agnelli' });
	browser = await launchViewerBrowser();
	agent = await newViewerPage(browser, { viewport: { width: 1280, height: 800 }, locale: 'en-US' });
	customer = await newViewerPage(browser, { ...PHONE, locale: 'it-IT', timezoneId: 'Europe/Rome' });
	await customer.goto(`${app.url}/c/demo`);
	const pin = ((await customer.getByTestId('pin').textContent()) ?? '').replace(/\D/g, '');
	await shot(customer, 'together-pin-it');
	await signInToConsole(agent, app);
	await enterPin(agent, pin);
	await Promise.all([agent.waitForSelector('body[data-status=live]'), customer.waitForSelector('body[data-status=live]')]);
	await session().ready;
	await agent.getByTestId('shape').selectOption('desktop');
	await agent.waitForFunction(() => window.alongside?.state().browser?.shape.name === 'desktop');
	await session().shapeSettled();
	await cloud().navigate(`${fixtures.url}/together`);
	await customer.waitForFunction(() => window.alongside!.state().scroll.tab !== '', undefined, { timeout: 5000 });
});

afterAll(async () => {
	await browser?.close();
	await app?.close();
	await fixtures?.close();
});

/** A valid 8×8 PNG, blue. */
function tinyPng(): Uint8Array {
	const crc = (buf: Buffer) => {
		let c = ~0;
		for (const b of buf) {
			c ^= b;
			for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
		}
		return ~c >>> 0;
	};
	const chunk = (type: string, data: Buffer) => {
		const body = Buffer.concat([Buffer.from(type), data]);
		const out = Buffer.alloc(12 + data.length);
		out.writeUInt32BE(data.length, 0);
		body.copy(out, 4);
		out.writeUInt32BE(crc(body), 8 + data.length);
		return out;
	};
	const header = Buffer.alloc(13);
	header.writeUInt32BE(8, 0);
	header.writeUInt32BE(8, 4);
	header.set([8, 2, 0, 0, 0], 8);
	const rows = Buffer.concat(Array.from({ length: 8 }, () => Buffer.from([0, ...Array.from({ length: 8 }, () => [30, 64, 175]).flat()])));
	return new Uint8Array(Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]));
}

/** The colour of the customer's annotation canvas at a point of the frame (fractions): [r, g, b, a]. */
async function inkAt(viewer: Page, nx: number, ny: number): Promise<number[]> {
	const { x, y } = await videoPoint(viewer, nx, ny);
	return viewer.evaluate(
		([px, py]) => {
			const canvas = document.querySelector('[data-testid=annotation-layer]') as HTMLCanvasElement;
			const r = canvas.getBoundingClientRect();
			const k = canvas.width / r.width;
			// NOTE: the most opaque pixel of a small square (a stroke is a few pixels wide).
			const data = canvas.getContext('2d')!.getImageData(Math.round((px! - r.left) * k) - 3, Math.round((py! - r.top) * k) - 3, 7, 7).data;
			let best = [0, 0, 0, 0];
			for (let i = 0; i < data.length; i += 4) if (data[i + 3]! > best[3]!) best = [data[i]!, data[i + 1]!, data[i + 2]!, data[i + 3]!];
			return best;
		},
		[x, y],
	);
}

/** Draws a horizontal line on the agent's stage, from nx0 to nx1 at ny (fractions of the frame). */
async function drawLine(nx0: number, nx1: number, ny: number): Promise<void> {
	const from = await videoPoint(agent, nx0, ny);
	const to = await videoPoint(agent, nx1, ny);
	await agent.mouse.move(from.x, from.y);
	await agent.mouse.down();
	await agent.mouse.move(to.x, to.y, { steps: 20 });
	await agent.mouse.up();
}

describe("the customer's language", () => {
	it('shows the Italian customer Italian pages, and the agent an English console', async () => {
		expect(await customer.evaluate(() => document.documentElement.lang)).toBe('it');
		await expect.poll(() => customer.getByRole('button', { name: it_['customer.end'] }).count()).toBe(1);
		expect(await agent.evaluate(() => document.documentElement.lang)).toBe('en');
		expect(await agent.getByRole('button', { name: en['agent.end'] }).count()).toBe(1);
	});

	it('gives the cloud page the customer\'s language and time zone', async () => {
		expect(languages.at(-1)).toMatch(/^it-IT/);
		const page = (await cloud().page.evaluate('[navigator.language, Intl.DateTimeFormat().resolvedOptions().timeZone, new Intl.NumberFormat().format(1234.5)]')) as string[];
		expect(page).toEqual(['it-IT', 'Europe/Rome', '1234,5']);
	});
});

describe("the cloud browser's own pages", () => {
	it("speak the customer's language: the start page and the error page", async () => {
		await cloud().navigate(WELCOME_URL);
		await expect.poll(() => cloud().page.evaluate(() => document.querySelector('h1')?.textContent)).toBe('State navigando insieme');
		await cloud().navigate('https://127.0.0.1:9/').catch(() => undefined);
		await expect.poll(() => cloud().page.evaluate(() => document.body?.innerText ?? ''), { timeout: 15_000 }).toContain('Impossibile aprire questa pagina');
		await cloud().navigate(`${fixtures.url}/together`);
	});
});

describe("the company's brand", () => {
	it("dresses the customer's page in the company's colour and logo, and names the agent as the company chose", async () => {
		expect(await customer.evaluate(() => getComputedStyle(document.querySelector('[data-testid=customer-app]')!).getPropertyValue('--brand').trim())).toBe('#1e40af');
		await expect.poll(() => customer.getByTestId('brand-logo').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(8);
		expect((await state(customer)).participants.find((p: { role: string }) => p.role === 'agent')?.name).toBe('Alex A.');
	});
});

describe('annotations', () => {
	it("shows the agent's pen stroke on the customer's view, never clicks the page, and keeps it on the page as it scrolls", async () => {
		const [bx, by] = (await cloud().page.evaluate("window.at('go')")) as [number, number];
		await agent.getByTestId('annotate-toggle').click();
		// NOTE: the stroke crosses the page's button: drawing must not press it.
		await drawLine(bx - 0.15, bx + 0.15, by);
		await expect.poll(async () => (await state(customer)).strokes, { timeout: 5000 }).toBe(1);
		const ink = await inkAt(customer, bx, by);
		expect(ink[3]).toBeGreaterThan(200);
		expect(ink[0]).toBeGreaterThan(150); // red, the default colour
		// Not even pressed: a drag would select the page's text or move what is under it.
		expect(await cloud().page.evaluate('window.presses')).toBe(0);
		expect(await cloud().page.evaluate('window.clicks')).toBe(0);
		await shot(customer, 'together-stroke-it');

		// The page scrolls by 100 CSS px: the stroke moves up with it.
		const height = (await state(customer)).browser!.viewport.height;
		await cloud().page.evaluate('window.scrollTo(0, 100)');
		await expect.poll(async () => (await state(customer)).scroll.y, { timeout: 5000 }).toBe(100);
		await expect.poll(async () => (await inkAt(customer, bx, by - 100 / height))[3], { timeout: 5000 }).toBeGreaterThan(200);
		expect((await inkAt(customer, bx, by))[3]).toBe(0);
		await cloud().page.evaluate('window.scrollTo(0, 0)');
	});

	it('fades the highlighter after a few seconds; the pen stays until cleared', async () => {
		await agent.getByTestId('tool-highlighter').click();
		await drawLine(0.1, 0.3, 0.6);
		await expect.poll(async () => (await state(customer)).strokes, { timeout: 5000 }).toBe(2);
		await expect.poll(async () => (await state(customer)).strokes, { timeout: 8000, interval: 250 }).toBe(1);
		await agent.getByTestId('annotate-clear-all').click();
		await expect.poll(async () => (await state(customer)).strokes, { timeout: 5000 }).toBe(0);
		await agent.getByTestId('annotate-toggle').click();
	});
});

describe('chat', () => {
	it('carries messages both ways with names, keeps a card number from the agent, and keeps them for the report', async () => {
		await agent.getByTestId('chat-toggle').click();
		await agent.getByTestId('chat-input').fill('Hello! Could you read me the serial number?');
		await agent.keyboard.press('Enter');
		await expect.poll(() => customer.getByTestId('chat-unread').textContent(), { timeout: 5000 }).toBe('1');
		await customer.getByTestId('chat-toggle').click();
		await expect.poll(() => customer.getByTestId('chat-message').count()).toBe(1);
		expect(await customer.getByTestId('chat-message').first().textContent()).toContain('Hello! Could you read me the serial number?');
		expect(await customer.getByTestId('chat-unread').count()).toBe(0);

		await customer.getByTestId('chat-input').fill('SN-4471-B <b>bold</b>, card 4111 1111 1111 1111');
		await customer.getByTestId('chat-send').click();
		await expect.poll(() => agent.getByTestId('chat-message').count(), { timeout: 5000 }).toBe(2);
		const seen = (await agent.getByTestId('chat-message').nth(1).textContent()) ?? '';
		expect(seen).toContain('SN-4471-B <b>bold</b>');
		expect(seen).not.toMatch(/4111|1111 1111/);
		// NOTE: markup stays text: nothing was rendered as an element.
		expect(await agent.locator('[data-testid=chat-message] b').count()).toBe(0);
		await shot(customer, 'together-chat-it');
		await shot(agent, 'together-console-chat');

		const token = await login(app, 'supervisor');
		const report = await api(app, 'GET', `/api/sessions/${session().id}/report`, { token });
		expect(report.status).toBe(200);
		const chat = (report.body as { chat: Array<{ role: string; text: string }> }).chat;
		expect(chat.map((m) => m.role)).toEqual(['agent', 'customer']);
		expect(chat[1]!.text).toContain('SN-4471-B');
		expect(chat[1]!.text).not.toContain('4111');
		await customer.getByTestId('chat-toggle').click();
	});
});

describe('the customer keeps control', () => {
	it("pauses the agent's control with one tap, and gives it back when the agent asks", async () => {
		await customer.getByTestId('pause-control').tap();
		await agent.getByTestId('control-paused').waitFor({ timeout: 5000 });
		await expect.poll(async () => (await state(agent)).interactive, { timeout: 5000 }).toBe(false);
		const [gx, gy] = (await cloud().page.evaluate("window.at('go')")) as [number, number];
		const go = await videoPoint(agent, gx, gy);
		await agent.mouse.click(go.x, go.y);
		await new Promise((resolve) => setTimeout(resolve, 500));
		expect(await cloud().page.evaluate('window.clicks')).toBe(0);

		await agent.getByTestId('ask-control').click();
		await customer.getByTestId('control-request').waitFor({ timeout: 5000 });
		await shot(customer, 'together-control-request-it');
		await customer.getByTestId('control-accept').tap();
		await expect.poll(async () => (await state(agent)).interactive, { timeout: 10_000 }).toBe(true);
		await agent.waitForSelector('body[data-status=live]');
		await expect
			.poll(
				async () => {
					// NOTE: where the button is now (the paused bar above the video is gone).
					const at = await videoPoint(agent, gx, gy);
					await agent.mouse.click(at.x, at.y);
					return cloud().page.evaluate('window.clicks');
				},
				{ timeout: 10_000, interval: 500 },
			)
			.toBeGreaterThan(0);
	});
});

describe('supervisors step in', () => {
	it('sends the agent a private note the customer never sees, and ends the session, audited', async () => {
		const supervisor = await newViewerPage(browser, { viewport: { width: 1280, height: 800 } });
		await signInToConsole(supervisor, app, 'supervisor', '/supervisor/');
		// The wall: a small live picture of what the agent sees, which follows the page.
		await expect.poll(() => supervisor.getByTestId('thumbnail').evaluate((img: HTMLImageElement) => img.naturalWidth), { timeout: 10_000 }).toBeGreaterThan(100);
		await shot(supervisor, 'supervisor-wall');
		const token = await login(app, 'supervisor');
		const picture = async () => {
			const response = await fetch(`${app.url}/api/sessions/${session().id}/thumbnail`, { headers: { authorization: `Bearer ${token}` } });
			return response.status === 200 ? Buffer.from(await response.arrayBuffer()) : undefined;
		};
		let before: Buffer | undefined;
		await expect.poll(async () => (before = await picture()) !== undefined, { timeout: 10_000 }).toBe(true);
		expect(before!.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
		await cloud().page.evaluate(`document.body.style.background = '#b91c1c'; document.querySelector('.tall').style.background = '#b91c1c'`);
		await expect.poll(async () => !(await picture())?.equals(before!), { timeout: 10_000, interval: 500 }).toBe(true);
		// Another company's supervisor (or nobody) gets nothing.
		expect((await fetch(`${app.url}/api/sessions/${session().id}/thumbnail`)).status).toBe(401);
		await supervisor.getByRole('button', { name: /Watch/ }).first().click();
		await supervisor.waitForSelector('body[data-status=live]');
		await supervisor.getByTestId('chat-input').fill('Offer the 10% discount');
		await supervisor.getByTestId('chat-send').click();
		await expect.poll(() => agent.locator('[data-testid=chat-message].note').count(), { timeout: 5000 }).toBe(1);
		expect(await agent.locator('[data-testid=chat-message].note').textContent()).toContain('Offer the 10% discount');
		await customer.getByTestId('chat-toggle').click();
		expect(((await customer.getByTestId('chat').textContent()) ?? '').includes('discount')).toBe(false);
		expect((await state(customer)).chat.some((m: { text: string }) => m.text.includes('discount'))).toBe(false);

		await supervisor.getByTestId('supervisor-end').click();
		await supervisor.getByRole('dialog').getByRole('button', { name: en['supervisor.end'] }).click();
		// NOTE: the agent is told a supervisor ended it; the customer, who was not told sessions may be supervised, only that it ended.
		await expect.poll(async () => (await state(agent)).endReason, { timeout: 10_000 }).toBe('supervisor_ended');
		await expect.poll(async () => (await state(customer)).endReason, { timeout: 10_000 }).toBe('agent_ended');
		const audit = await api(app, 'GET', '/api/audit?limit=300', { token: await login(app, 'admin') });
		const actions = (audit.body as { entries: Array<{ action: string }> }).entries.map((e) => e.action);
		expect(actions).toContain('session.note');
		expect(actions).toContain('session.ended_by_supervisor');
		expect(actions).toContain('control.paused');
	});
});
