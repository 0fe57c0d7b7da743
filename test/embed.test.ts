/**
 * The one line of code on a company's site, in a real browser: a page of another origin
 * with a strict CSP (script-src and connect-src allowing Alongside, no inline anything)
 * loads embed.js; the visitor clicks "Get help" and reads the PIN from the panel; an agent
 * redeems it; the panel says the agent joined and opens the shared view, where the visitor
 * is in the session. The host page's DOM and globals are as they were, apart from the
 * script's own element. The panel lives in a closed shadow root (the host page's scripts
 * cannot read the session link), so the test reads it through the DevTools protocol, as
 * assistive technology would.
 */
import http from 'node:http';
import zlib from 'node:zlib';
import type { Browser, CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alongside } from '../signaling/Alongside.js';
import { launchViewerBrowser, newViewerPage, startAlongside } from './helpers.js';
import { enterPin, PHONE, shot, signInToConsole } from './ui.js';

let app: Alongside;
let browser: Browser;
let site: http.Server;
let siteUrl: string;
const cspViolations: string[] = [];

beforeAll(async () => {
	app = await startAlongside();
	browser = await launchViewerBrowser();
	const alongside = new URL(app.url).origin;
	site = http.createServer((req, res) => {
		if (req.url === '/csp-report' && req.method === 'POST') {
			let body = '';
			req.on('data', (c: Buffer) => (body += c.toString()));
			req.on('end', () => {
				cspViolations.push(body);
				res.writeHead(204).end();
			});
			return;
		}
		if (req.url === '/host.js') {
			res.writeHead(200, { 'Content-Type': 'application/javascript' });
			// The host page's own script: what it had before the embed came.
			res.end(`window.hostGlobals = Object.getOwnPropertyNames(window); window.hostBody = document.body.innerHTML;`);
			return;
		}
		res.writeHead(200, {
			'Content-Type': 'text/html; charset=utf-8',
			'Content-Security-Policy': `default-src 'none'; script-src 'self' ${alongside}; connect-src ${alongside}; style-src 'self'; img-src 'self'; report-uri /csp-report`,
		});
		res.end(`<!doctype html><html lang="en"><head><meta name="viewport" content="width=device-width, initial-scale=1"><title>Acme shop</title></head><body><h1 class="title">Acme shop</h1><p id="intro">Welcome.</p><button class="launch">The shop's own button</button>
<script src="/host.js"></script>
<script async src="${alongside}/embed.js" data-company="demo" data-label="Get help"></script></body></html>`);
	});
	await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
	siteUrl = `http://127.0.0.1:${(site.address() as { port: number }).port}/`;
});

afterAll(async () => {
	await browser?.close();
	await app?.close();
	await new Promise<void>((resolve) => site?.close(() => resolve()));
});

interface DomNode {
	nodeId: number;
	backendNodeId: number;
	nodeName: string;
	nodeValue?: string;
	attributes?: string[];
	children?: DomNode[];
	shadowRoots?: DomNode[];
}

/** The page's DOM, closed shadow roots included (DevTools protocol). */
async function dom(cdp: CDPSession): Promise<DomNode> {
	return (await cdp.send('DOM.getDocument', { depth: -1, pierce: true })).root as DomNode;
}

function find(node: DomNode, match: (n: DomNode) => boolean): DomNode | undefined {
	if (match(node)) return node;
	for (const child of [...(node.children ?? []), ...(node.shadowRoots ?? [])]) {
		const found = find(child, match);
		if (found) return found;
	}
	return undefined;
}

const attr = (node: DomNode | undefined, name: string) => {
	const list = node?.attributes ?? [];
	const i = list.indexOf(name);
	return i >= 0 ? list[i + 1] : undefined;
};
const text = (node: DomNode | undefined): string => (node ? (node.nodeValue ?? '') + (node.children ?? []).map(text).join('') : '');
const inShadow = (root: DomNode) => find(root, (n) => n.nodeName === 'ALONGSIDE-HELP')!.shadowRoots![0]!;

async function clickNode(page: Page, cdp: CDPSession, node: DomNode): Promise<void> {
	const { model } = (await cdp.send('DOM.getBoxModel', { backendNodeId: node.backendNodeId })) as { model: { content: number[] } };
	const [x1, y1, , , x3, y3] = model.content as [number, number, number, number, number, number];
	await page.mouse.click((x1 + x3) / 2, (y1 + y3) / 2);
}

describe('the embed script', () => {
	it("adds Get help to a strict-CSP page of another site, shows the PIN, and hands the visitor into the session once an agent joins; the host page is untouched", async () => {
		const visitor = await newViewerPage(browser, { viewport: { width: 1280, height: 800 } });
		await visitor.goto(siteUrl);
		const cdp = await visitor.context().newCDPSession(visitor);
		await expect.poll(async () => find(await dom(cdp), (n) => n.nodeName === 'ALONGSIDE-HELP') !== undefined).toBe(true);
		// Styled despite the CSP (a constructed stylesheet, not inline style): a floating button.
		await cdp.send('DOM.enable');
		await cdp.send('CSS.enable');
		const launch = find(inShadow(await dom(cdp)), (n) => n.nodeName === 'BUTTON' && (attr(n, 'class') ?? '').includes('launch'))!;
		expect(text(launch)).toBe('Get help');
		const { computedStyle } = (await cdp.send('CSS.getComputedStyleForNode', { nodeId: launch.nodeId })) as { computedStyle: Array<{ name: string; value: string }> };
		expect(computedStyle.find((p) => p.name === 'position')?.value).toBe('fixed');
		// The shop's own button of the same class is not restyled (no CSS bleed either way).
		expect(await visitor.locator('body > button.launch').evaluate((b) => getComputedStyle(b).position)).toBe('static');
		await shot(visitor, 'embed-button');

		await clickNode(visitor, cdp, launch);
		const pinNode = await expect
			.poll(async () => text(find(inShadow(await dom(cdp)), (n) => attr(n, 'data-testid') === 'embed-pin')).replace(/\D/g, ''), { timeout: 10_000 })
			.toMatch(/^\d{6}$/)
			.then(async () => text(find(inShadow(await dom(cdp)), (n) => attr(n, 'data-testid') === 'embed-pin')).replace(/\D/g, ''));
		await shot(visitor, 'embed-pin');

		// An agent of the company redeems it.
		const agent = await newViewerPage(browser, { viewport: { width: 1280, height: 800 } });
		await signInToConsole(agent, app);
		await enterPin(agent, pinNode);
		const link = await expect
			.poll(async () => attr(find(inShadow(await dom(cdp)), (n) => attr(n, 'data-testid') === 'embed-open'), 'href') ?? '', { timeout: 30_000 })
			.toContain('/c/demo#session=')
			.then(async () => attr(find(inShadow(await dom(cdp)), (n) => attr(n, 'data-testid') === 'embed-open'), 'href')!);
		expect(text(inShadow(await dom(cdp)))).toContain('Your agent has joined.');
		await shot(visitor, 'embed-joined');

		// The host page: its DOM as it was apart from the embed's one element, no new globals,
		// nothing refused by its CSP.
		const host = await visitor.evaluate(() => {
			const w = window as unknown as { hostGlobals: string[]; hostBody: string };
			const now = Object.getOwnPropertyNames(window).filter((k) => !w.hostGlobals.includes(k) && k !== 'hostGlobals' && k !== 'hostBody');
			const clone = document.body.cloneNode(true) as HTMLElement;
			clone.querySelector('alongside-help')?.remove();
			return { added: now, same: clone.innerHTML.includes(w.hostBody.trim()), helpers: document.querySelectorAll('alongside-help').length, shadowVisible: (document.querySelector('alongside-help') as HTMLElement).shadowRoot };
		});
		expect(host.added).toEqual([]);
		expect(host.same).toBe(true);
		expect(host.helpers).toBe(1);
		// Closed: the host page's scripts cannot reach the session link.
		expect(host.shadowVisible).toBeNull();
		expect(cspViolations).toEqual([]);

		// The link opens the shared view: the visitor is in the session.
		const shared = await newViewerPage(browser, PHONE);
		await shared.goto(link);
		await Promise.all([shared.waitForSelector('body[data-status=live]'), agent.waitForSelector('body[data-status=live]')]);
		expect(new URL(shared.url()).hash).toBe('');
		for (const page of [shared, agent, visitor]) await page.close();
	});

	it('fits a phone: the panel stays on screen', async () => {
		const phone = await newViewerPage(browser, PHONE);
		await phone.goto(siteUrl);
		const cdp = await phone.context().newCDPSession(phone);
		await cdp.send('DOM.enable');
		await expect.poll(async () => find(await dom(cdp), (n) => n.nodeName === 'ALONGSIDE-HELP') !== undefined).toBe(true);
		const launch = find(inShadow(await dom(cdp)), (n) => n.nodeName === 'BUTTON' && (attr(n, 'class') ?? '').includes('launch'))!;
		await clickNode(phone, cdp, launch);
		await expect.poll(async () => text(find(inShadow(await dom(cdp)), (n) => attr(n, 'data-testid') === 'embed-pin')).replace(/\D/g, ''), { timeout: 10_000 }).toMatch(/^\d{6}$/);
		const panel = find(inShadow(await dom(cdp)), (n) => attr(n, 'role') === 'dialog')!;
		const { model } = (await cdp.send('DOM.getBoxModel', { backendNodeId: panel.backendNodeId })) as { model: { border: number[] } };
		const [left, top, right, , , bottom] = model.border as [number, number, number, number, number, number];
		expect(left).toBeGreaterThanOrEqual(0);
		expect(top).toBeGreaterThanOrEqual(0);
		expect(right).toBeLessThanOrEqual(PHONE.viewport.width);
		expect(bottom).toBeLessThanOrEqual(PHONE.viewport.height);
		await shot(phone, 'embed-phone');
		await phone.close();
	});

	it('is small: embed.js gzipped', async () => {
		const body = Buffer.from(await (await fetch(`${app.url}/embed.js`)).arrayBuffer());
		const gzipped = zlib.gzipSync(body, { level: 9 }).length;
		console.log(`embed.js: ${body.length} bytes, ${gzipped} bytes gzipped`);
		expect(gzipped).toBeLessThan(15 * 1024);
	});
});
