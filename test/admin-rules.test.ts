/**
 * The admin's Masking tab in a real browser: built-in rules switched off, the company's own
 * rules added, a bad one named beside it before anything is saved, saved rules kept, and a
 * save over another admin's refused with a way to reload. On a desktop and a phone.
 */
import fs from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alongside } from '../signaling/Alongside.js';
import { api, launchViewerBrowser, login, newViewerPage, startAlongside, startFixtureServer, WsClient } from './helpers.js';
import { startColourCount, takeColourCount } from './masking/check.js';
import { RULES_PAGE, SENSITIVE_RGB } from './masking/scenarios.js';
import { PHONE, signInToConsole } from './ui.js';

let app: Alongside;
let browser: Browser;
let fixtures: Awaited<ReturnType<typeof startFixtureServer>>;

beforeAll(async () => {
	app = await startAlongside();
	browser = await launchViewerBrowser();
	fixtures = await startFixtureServer({ '/rules': RULES_PAGE });
});

afterAll(async () => {
	await browser?.close();
	await app?.close();
	await fixtures?.close();
});

async function openMaskingTab(page: Page): Promise<void> {
	await signInToConsole(page, app, 'admin', '/admin/#masking');
	await page.getByRole('heading', { name: 'Built-in rules' }).waitFor();
}

const shot = async (page: Page, name: string) => {
	if (process.env.ALONGSIDE_SHOTS) {
		fs.mkdirSync(process.env.ALONGSIDE_SHOTS, { recursive: true });
		await page.screenshot({ path: `${process.env.ALONGSIDE_SHOTS}/${name}.png`, fullPage: true });
	}
};

describe('the admin\'s masking rules', () => {
	it('switches a built-in rule off, adds rules, names a bad one beside it, and saves what is right', async () => {
		const page = await newViewerPage(browser, { viewport: { width: 1280, height: 900 } });
		await openMaskingTab(page);
		await expect.poll(() => page.getByText('No rules of your own yet').isVisible()).toBe(true);

		await page.locator('label.toggle', { hasText: 'Tax codes' }).click();
		expect(await page.getByRole('switch', { name: 'Tax codes' }).isChecked()).toBe(false);
		await page.getByRole('button', { name: 'Add rule' }).click();
		// The new rule's value field has the focus.
		await page.keyboard.type('#balance');
		await page.getByRole('button', { name: 'Add rule' }).click();
		const second = page.locator('li.rule').nth(1);
		const value = (rule: typeof second) => rule.locator('input.mono');
		await second.getByLabel('Kind').selectOption('pattern');
		await value(second).fill('(a+)+b');
		await second.getByLabel('Sites').fill('bank.example, https://shop.example/');
		await page.getByRole('button', { name: 'Add rule' }).click();
		const third = page.locator('li.rule').nth(2);
		await third.getByLabel('Kind').selectOption('field');
		await value(third).fill("Mother's maiden name");
		await third.getByLabel('Note').fill('security question');
		await page.getByRole('button', { name: 'Save rules' }).click();

		// Checked before sending: the bad pattern is named beside it, and focused; nothing saved.
		await expect.poll(() => second.getByText(/exponential time/).isVisible()).toBe(true);
		expect(await value(second).evaluate((el) => el === document.activeElement)).toBe(true);
		await expect.poll(() => page.getByText('Fix the rules marked below').isVisible()).toBe(true);
		await shot(page, 'admin-rules-problem');
		const token = await login(app, 'admin');
		expect((await api(app, 'GET', '/api/company/rules', { token })).body.rules.version).toBe(0);

		await value(second).fill('ACME-\\d{6}');
		await page.getByRole('button', { name: 'Save rules' }).click();
		// The site given as a URL is refused beside its rule.
		await expect.poll(() => second.getByText(/host name only/).isVisible()).toBe(true);
		await second.getByLabel('Sites').fill('bank.example shop.example');
		await page.getByRole('button', { name: 'Save rules' }).click();
		await expect.poll(() => page.getByText('Saved: live sessions use them now').isVisible()).toBe(true);
		await shot(page, 'admin-rules-saved');

		const saved = (await api(app, 'GET', '/api/company/rules', { token })).body.rules;
		expect(saved.version).toBe(1);
		expect(saved.disabledBuiltins).toEqual(['tax_codes']);
		expect(saved.mask.map((r: { kind: string; value: string; domains: string[]; note: string | null }) => [r.kind, r.value, r.domains, r.note])).toEqual([
			['selector', '#balance', [], null],
			['pattern', 'ACME-\\d{6}', ['bank.example', 'shop.example'], null],
			['field', "Mother's maiden name", [], 'security question'],
		]);

		// After a reload, the page shows what is saved.
		await page.reload();
		await page.getByRole('heading', { name: 'Built-in rules' }).waitFor();
		await expect.poll(() => page.locator('li.rule').count()).toBe(3);
		expect(await page.getByRole('switch', { name: 'Tax codes' }).isChecked()).toBe(false);
		expect(await page.locator('li.rule').nth(1).getByLabel('Sites').inputValue()).toBe('bank.example, shop.example');

		// Another admin saves meanwhile: this page's save is refused, and Reload shows theirs.
		const theirs = await api(app, 'PUT', '/api/company/rules', { token, body: { version: 1, disabledBuiltins: [], mask: [] } });
		expect(theirs.status).toBe(200);
		await page.locator('li.rule').first().getByRole('button', { name: 'Remove rule 1' }).click();
		await page.getByRole('button', { name: 'Save rules' }).click();
		await expect.poll(() => page.getByText(/Someone else saved rules/).isVisible()).toBe(true);
		await page.getByRole('button', { name: 'Reload' }).click();
		await expect.poll(() => page.getByText('No rules of your own yet').isVisible()).toBe(true);
		expect(await page.getByRole('switch', { name: 'Tax codes' }).isChecked()).toBe(true);
		await page.context().close();
	});

	it('works on a phone', async () => {
		const page = await newViewerPage(browser, PHONE);
		await openMaskingTab(page);
		await shot(page, 'admin-rules-phone-empty');
		await page.getByRole('button', { name: 'Add rule' }).click();
		await page.keyboard.type('.iban-box');
		const width = await page.evaluate(() => document.documentElement.scrollWidth);
		expect(width).toBeLessThanOrEqual(390);
		await shot(page, 'admin-rules-phone');
		await page.context().close();
	});

	it('previews draft rules live on any page: the masked view beside the clear one, following each edit before it is saved', async () => {
		const page = await newViewerPage(browser, { viewport: { width: 1280, height: 1000 } });
		await openMaskingTab(page);
		const token = await login(app, 'admin');
		const versionBefore = (await api(app, 'GET', '/api/company/rules', { token })).body.rules.version as number;
		const masked = '[data-testid=preview-masked] video';
		const clear = '[data-testid=preview-clear] video';
		const add = async (kind: string, value: string) => {
			await page.getByRole('button', { name: 'Add rule' }).click();
			const rule = page.locator('li.rule').last();
			await rule.getByLabel('Kind').selectOption(kind);
			await rule.locator('input.mono').fill(value);
		};
		await add('selector', '#balance');
		await add('field', "Mother's maiden name");
		await add('pattern', 'ACME-\\d{6}');
		await page.getByLabel('Page to open').fill(`${fixtures.url}/rules`);
		await page.getByRole('button', { name: 'Open preview' }).click();
		await page.waitForFunction((selector) => (document.querySelector(selector) as HTMLVideoElement | null)?.videoWidth, masked, { timeout: 30_000 });
		await page.waitForFunction((selector) => (document.querySelector(selector) as HTMLVideoElement | null)?.videoWidth, clear, { timeout: 30_000 });
		await expect.poll(() => page.getByText('/rules').first().isVisible(), { timeout: 15_000 }).toBe(true);
		await Promise.all([startColourCount(page, SENSITIVE_RGB, masked), startColourCount(page, SENSITIVE_RGB, clear)]);
		const watch = async () => {
			await Promise.all([takeColourCount(page, masked), takeColourCount(page, clear)]);
			await new Promise((resolve) => setTimeout(resolve, 1500));
			return Promise.all([takeColourCount(page, masked), takeColourCount(page, clear)]);
		};
		await new Promise((resolve) => setTimeout(resolve, 1000));
		// The controls only the customer may press are outlined in both views: "Buy now", not "Details".
		await page.getByTestId('lock-outline').first().waitFor({ timeout: 10_000 });
		expect(await page.locator('[data-testid=preview-clear] [data-testid=lock-outline]').count()).toBe(1);
		await page.getByText('Outlined in orange: only the customer can press these').waitFor();
		// The draft rules (never saved) hide all four values from the masked view; the clear view shows them.
		let [agents, customer] = await watch();
		await shot(page, 'admin-preview');
		expect(agents!.frames).toBeGreaterThan(5);
		if (agents!.coloured > 0 && process.env.ALONGSIDE_LEAK_DIR) {
			agents!.samples.forEach((url, i) => fs.writeFileSync(`${process.env.ALONGSIDE_LEAK_DIR}/preview-${Date.now()}-${i}.png`, Buffer.from(url.split(',')[1]!, 'base64')));
		}
		expect(agents!.coloured).toBe(0);
		expect(customer!.coloured).toBeGreaterThan(3);
		// Another admin saving the company's rules meanwhile does not replace the preview's drafts.
		const saved = await api(app, 'PUT', '/api/company/rules', { token, body: { version: versionBefore, disabledBuiltins: [], mask: [] } });
		expect(saved.status).toBe(200);
		await new Promise((resolve) => setTimeout(resolve, 1000));
		[agents] = await watch();
		expect(agents!.coloured).toBe(0);
		// Removing a draft rule shows its value in the masked view within a second.
		await page.getByRole('button', { name: 'Remove rule 1' }).click();
		await new Promise((resolve) => setTimeout(resolve, 1000));
		[agents] = await watch();
		expect(agents!.coloured).toBeGreaterThan(3);
		// The preview saved nothing (the one save above is the other admin's).
		expect((await api(app, 'GET', '/api/company/rules', { token })).body.rules.version).toBe(versionBefore + 1);
		// The preview is the admin's own: not listed for supervisors; closing it ends its browser.
		expect((await api(app, 'GET', '/api/sessions', { token })).body.sessions ?? []).toEqual([]);
		const [previewSession] = app.liveSessions().filter((s) => s.binding?.preview);
		expect(previewSession).toBeDefined();
		// Nobody else joins it: not a supervisor, not an agent of the company.
		for (const role of ['supervisor', 'agent'] as const) {
			const client = await WsClient.connect(app.url);
			const reply = await client.request('session/join', { token: await login(app, role), sessionId: previewSession!.id });
			expect(reply.ok, role).toBe(false);
			expect(reply.error?.code).toMatch(/forbidden|not_found/);
			client.close();
		}
		await page.getByRole('button', { name: 'Close preview' }).click();
		await expect.poll(() => app.liveSessions().filter((s) => s.binding?.preview).length, { timeout: 10_000 }).toBe(0);
		await page.context().close();
	});
});
