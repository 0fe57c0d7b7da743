/**
 * Driving the real web apps in a real browser, the way people use them.
 */
import fs from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import type { Alongside } from '../signaling/Alongside.js';
import { account, newViewerPage } from './helpers.js';

/** Opens the agent console and signs in; resolves on the PIN screen. */
export async function signInToConsole(page: Page, app: Alongside, role: 'agent' | 'supervisor' | 'admin' = 'agent', path = '/agent/'): Promise<void> {
	const { email, password } = account(app, role);
	await page.goto(`${app.url}${path}`);
	await page.getByLabel('Company').fill('demo');
	await page.getByLabel('Email').fill(email);
	await page.getByLabel('Password').fill(password);
	await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Types the customer's PIN into the agent console and starts; resolves when the request is sent. */
export async function enterPin(page: Page, pin: string): Promise<void> {
	await page.getByLabel("Customer's PIN").fill(pin);
	await page.getByRole('button', { name: 'Start', exact: true }).click();
}

/** A phone, as customers hold it. */
export const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

/**
 * Starts a session the way people do: the customer opens the company link on a phone and
 * reads the PIN to the agent, who types it into the console on a desktop. Resolves once
 * both see the live page, the cloud browser publishes, and the page has its shape:
 * `desktop` (default: the agent picks "Desktop" in the console, as when a site misbehaves
 * on phones; the tests written for a desktop page use it) or the customer's phone's.
 */
export async function startSessionInBrowsers(app: Alongside, browser: Browser, { shape = 'desktop' }: { shape?: 'desktop' | 'customer' } = {}): Promise<{ agent: Page; customer: Page }> {
	const agent = await newViewerPage(browser, { viewport: { width: 1280, height: 800 } });
	const customer = await newViewerPage(browser, PHONE);
	await customer.goto(`${app.url}/c/demo`);
	const pin = ((await customer.getByTestId('pin').textContent()) ?? '').replace(/\D/g, '');
	await signInToConsole(agent, app);
	await enterPin(agent, pin);
	await Promise.all([agent.waitForSelector('body[data-status=live]'), customer.waitForSelector('body[data-status=live]')]);
	const session = app.liveSessions()[0]!;
	await session.ready;
	if (shape === 'desktop') {
		await agent.getByTestId('shape').selectOption('desktop');
		await agent.waitForFunction(() => window.alongside?.state().browser?.shape.name === 'desktop');
	} else {
		// NOTE: the customer's page reports its device once the stage has settled.
		await agent.waitForFunction(() => window.alongside?.state().browser?.shape.form === 'phone');
	}
	await session.shapeSettled();
	return { agent, customer };
}

/**
 * An init script that records when each new video stream presents its first frame
 * (`window.__firstFrames`, performance.now() values), without touching the app's code.
 */
export const FIRST_FRAME_PROBE = `
	window.__firstFrames = [];
	const desc = Object.getOwnPropertyDescriptor(HTMLMediaElement.prototype, 'srcObject');
	Object.defineProperty(HTMLMediaElement.prototype, 'srcObject', {
		configurable: true,
		get() { return desc.get.call(this); },
		set(stream) {
			desc.set.call(this, stream);
			if (stream && this instanceof HTMLVideoElement) {
				this.requestVideoFrameCallback(() => window.__firstFrames.push(performance.now()));
			}
		},
	});
`;

/** Saves a screenshot of `page` as `<name>.png` in ALONGSIDE_SHOTS, when it is set (to look at what was built). */
export async function shot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<void> {
	if (!process.env.ALONGSIDE_SHOTS) return;
	fs.mkdirSync(process.env.ALONGSIDE_SHOTS, { recursive: true });
	await page.screenshot({ path: `${process.env.ALONGSIDE_SHOTS}/${name}.png`, ...options });
}

/**
 * Where a point of the cloud page (fractions of the frame) is on a viewer's screen: the
 * video keeps its aspect ratio inside its box (object-fit: contain). `selector`: another
 * video than the stage's (a report's player).
 */
export async function videoPoint(viewer: Page, nx: number, ny: number, selector?: string): Promise<{ x: number; y: number }> {
	return viewer.evaluate(
		([x, y, sel]) => {
			const video = sel ? (document.querySelector(sel) as HTMLVideoElement) : window.alongside!.video!;
			const box = video.getBoundingClientRect();
			const scale = Math.min(box.width / video.videoWidth, box.height / video.videoHeight);
			const w = video.videoWidth * scale;
			const h = video.videoHeight * scale;
			return { x: box.left + (box.width - w) / 2 + (x as number) * w, y: box.top + (box.height - h) / 2 + (y as number) * h };
		},
		[nx, ny, selector] as const,
	);
}

/** Where an element of the cloud page is on a viewer's screen: the page's fixture `window.at(id)` says where it is in the frame. */
export async function onScreen(viewer: Page, cloudPage: { evaluate(script: string): Promise<unknown> }, id: string): Promise<{ x: number; y: number }> {
	const [nx, ny] = (await cloudPage.evaluate(`window.at(${JSON.stringify(id)})`)) as [number, number];
	return videoPoint(viewer, nx, ny);
}
