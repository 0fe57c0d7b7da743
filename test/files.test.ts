/**
 * Files between the customer's phone and the cloud page, with real viewers: an upload field
 * in the page asks for a file; the customer (only) is offered their device's chooser and
 * the file lands in the page's field; the agent is told, never gets a way to send one.
 * Size and type limits hold. A download in the cloud page reaches only the customer, and is
 * gone once the session ends.
 */
import fs from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alongside } from '../signaling/Alongside.js';
import { launchViewerBrowser, startAlongside, startFixtureServer } from './helpers.js';
import { onScreen, shot, startSessionInBrowsers } from './ui.js';

const PAGE = `<!doctype html><html><head><meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{margin:0;font:18px system-ui;padding:12px} input,a{display:block;width:90%;height:60px;margin:0 0 30px;font-size:18px}</style></head>
<body><title>Files</title>
<label for="doc">Your document</label><input id="doc" type="file" accept=".txt,.pdf,image/*">
<a id="report" href="/report.csv" download="report.csv">Download the report</a>
<button id="blob" style="display:block;width:90%;height:60px;font-size:18px" onclick="const a = document.createElement('a'); a.href = window.URL.createObjectURL(new Blob(['made in the page'], { type: 'text/plain' })); a.download = 'note.txt'; document.body.append(a); a.click(); a.remove();">Download a note</button>
<script>
window.received = [];
document.getElementById('doc').addEventListener('change', async (e) => {
	for (const file of e.target.files) received.push({ name: file.name, size: file.size, type: file.type, text: await file.text() });
});
window.at = (id) => { const r = document.getElementById(id).getBoundingClientRect(); return [(r.left + r.width / 2) / innerWidth, (r.top + r.height / 2) / innerHeight]; };
</script></body></html>`;

const REPORT = 'month,total\nnovember,1234\n';

let app: Alongside;
let browser: Browser;
let agent: Page;
let customer: Page;
let fixtures: Awaited<ReturnType<typeof startFixtureServer>>;

const session = () => app.liveSessions()[0]!;
const cloud = () => session().browser;

beforeAll(async () => {
	fixtures = await startFixtureServer({ '/files': PAGE, '/report.csv': REPORT });
	app = await startAlongside({ ALONGSIDE_UPLOAD_MAX_BYTES: '2000', ALONGSIDE_UPLOAD_TYPES: '.txt,.pdf,.png' });
	browser = await launchViewerBrowser();
	({ agent, customer } = await startSessionInBrowsers(app, browser, { shape: 'customer' }));
	await cloud().navigate(`${fixtures.url}/files`);
});

afterAll(async () => {
	await browser?.close();
	await app?.close();
	await fixtures?.close();
});

const received = () => cloud().page.evaluate('window.received') as Promise<Array<{ name: string; size: number; type: string; text: string }>>;

describe('files', () => {
	it("offers the page's upload field to the customer's device only, and the chosen file lands in the page", async () => {
		const { x, y } = await onScreen(customer, cloud().page, 'doc');
		await customer.touchscreen.tap(x, y);
		await customer.getByTestId('file-request').waitFor();
		// The agent is told the page waits for the customer, with nothing to send a file with.
		await agent.getByTestId('file-waiting').waitFor();
		expect(await agent.getByTestId('file-input').count()).toBe(0);
		expect(await customer.getByTestId('file-input').getAttribute('accept')).toBe('.txt,.pdf,image/*');
		await shot(customer, 'file-request-phone');
		await shot(agent, 'file-request-console');

		// Too large for the service (2000 bytes here): refused, nothing in the page.
		await customer.getByTestId('file-input').setInputFiles({ name: 'big.txt', mimeType: 'text/plain', buffer: Buffer.alloc(3000, 'x') });
		await expect.poll(() => customer.getByTestId('file-request').getByRole('alert').textContent()).toContain('too large');
		// A kind the field does not take: refused by the server.
		await customer.getByTestId('file-input').setInputFiles({ name: 'run.png.exe', mimeType: 'application/octet-stream', buffer: Buffer.from('MZ') });
		await expect.poll(() => customer.getByTestId('file-request').getByRole('alert').textContent()).toContain('cannot be sent');
		expect(await received()).toEqual([]);

		await customer.getByTestId('file-input').setInputFiles({ name: 'Zoë identity.txt', mimeType: 'text/plain', buffer: Buffer.from('passport 123') });
		await expect.poll(received, { timeout: 10_000 }).toEqual([{ name: 'Zoë identity.txt', size: 12, type: 'text/plain', text: 'passport 123' }]);
		await expect.poll(() => customer.getByTestId('file-request').count()).toBe(0);
		await expect.poll(() => agent.getByTestId('file-waiting').count()).toBe(0);
	});

	it('refuses an upload without the customer\'s token, or once the request is closed', async () => {
		const post = (headers: Record<string, string>) => fetch(`${app.url}/api/files/upload`, { method: 'POST', headers: { 'X-File-Name': 'x.txt', 'Content-Type': 'text/plain', ...headers }, body: 'hello' });
		expect((await post({})).status).toBe(404);
		expect((await post({ 'X-Alongside-Upload': 'A'.repeat(32) })).status).toBe(404);
		expect(await received()).toHaveLength(1);
	});

	it("offers the page's downloads to the customer only, and they are gone after the session", async () => {
		const { x, y } = await onScreen(customer, cloud().page, 'report');
		await customer.touchscreen.tap(x, y);
		await customer.getByTestId('downloads').waitFor({ timeout: 10_000 });
		expect(await customer.getByTestId('downloads').textContent()).toContain('report.csv');
		await shot(customer, 'download-phone');
		// The agent hears of it, and has nothing to save.
		expect(await agent.getByTestId('downloads').count()).toBe(0);
		const saved = customer.waitForEvent('download');
		await customer.getByTestId('download-save').first().click();
		const download = await saved;
		expect(download.suggestedFilename()).toBe('report.csv');
		const path = await download.path();
		expect(fs.readFileSync(path!, 'utf8')).toBe(REPORT);

		// A file the page makes itself (a blob) is passed on too.
		const blob = await onScreen(customer, cloud().page, 'blob');
		await customer.touchscreen.tap(blob.x, blob.y);
		await expect.poll(() => customer.evaluate(() => window.alongside!.state().downloads.length), { timeout: 10_000 }).toBe(2);
		expect(await customer.getByTestId('downloads').textContent()).toContain('note.txt');

		// The token only works while the session lives.
		const token = await customer.evaluate(() => window.alongside!.state().downloads?.[0]?.token as string | undefined);
		expect(token).toBeTruthy();
		const get = () => fetch(`${app.url}/api/files/download`, { headers: { 'X-Alongside-Download': token! } });
		const response = await get();
		expect(response.status).toBe(200);
		expect(response.headers.get('content-disposition')).toContain('attachment');
		expect(response.headers.get('x-content-type-options')).toBe('nosniff');
		expect(await response.text()).toBe(REPORT);
		await session().end('agent_ended');
		expect((await get()).status).toBe(404);
	});
});
