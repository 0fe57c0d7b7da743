/**
 * `npm run bench:sharpness [-- --scrolls N] [-- --json]`
 *
 * How sharp the picture is once the page comes to rest. The real agent console scrolls a
 * page of small text with the wheel; 250, 500, 1000 and 2000 ms after the scroll, the frame
 * the video shows (the agent's, or `--viewer customer`'s) is compared with a screenshot of
 * the cloud page itself (the truth): PSNR of the luma, in dB (higher is sharper; 99 for
 * identical pictures), and the share of pixels more than 24 levels off (ghosts, trails).
 * `BENCH_TRACE=1` prints each scroll's figures.
 */
import type { Page } from 'playwright-core';
import { launchViewerBrowser, startAlongside, startFixtureServer } from '../test/helpers.js';
import { startSessionInBrowsers } from '../test/ui.js';
import { quantile, round } from './stats.js';

const args = process.argv.slice(2);
const json = args.includes('--json');
const option = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const scrolls = Number(option('--scrolls')) || 24;
const WARMUP = 3;
/** When the video's frame is compared, ms after the scroll. */
const WAITS = [250, 500, 1000, 2000];

const words = 'statement balance transfer payment invoice account reference customer delivery address order'.split(' ');
const TEXT_PAGE = `<!doctype html><html><body style="margin:0;font:13px/1.35 'DejaVu Sans',sans-serif;color:#1f2937;background:#fff">
${Array.from({ length: 400 }, (_, i) => `<p style="margin:0 16px;${i % 7 === 0 ? 'background:#e0f2fe;' : ''}${i % 11 === 0 ? 'font-weight:700;' : ''}">${i + 1}. ${Array.from({ length: 14 }, (_, j) => words[(i * 7 + j * 3) % words.length]).join(' ')} ${(i * 37) % 1000}.${(i * 13) % 100} EUR</p>`).join('\n')}
</body></html>`;

/** Keeps the frame a viewer's video shows now (see compare). */
async function grab(viewer: Page): Promise<void> {
	await viewer.evaluate(() => {
		const video = window.alongside!.video!;
		const canvas = new OffscreenCanvas(video.videoWidth, video.videoHeight);
		const g = canvas.getContext('2d', { willReadFrequently: true })!;
		g.drawImage(video, 0, 0);
		const w = window as unknown as { __shown?: ImageData[] };
		(w.__shown ??= []).push(g.getImageData(0, 0, canvas.width, canvas.height));
	});
}

/**
 * Compares the frames kept (see grab) with `truth`, a PNG of the page: per frame, PSNR of
 * the luma, and the share of pixels off by more than 24 levels. Forgets them.
 */
async function compare(viewer: Page, truth: Buffer): Promise<Array<{ psnr: number; off: number }>> {
	return viewer.evaluate(async (b64) => {
		const w = window as unknown as { __shown?: ImageData[] };
		const frames = w.__shown ?? [];
		w.__shown = [];
		const bitmap = await createImageBitmap(new Blob([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], { type: 'image/png' }));
		return frames.map((shown) => {
			const canvas = new OffscreenCanvas(shown.width, shown.height);
			const g = canvas.getContext('2d', { willReadFrequently: true })!;
			g.drawImage(bitmap, 0, 0, shown.width, shown.height);
			const real = g.getImageData(0, 0, shown.width, shown.height).data;
			const seen = shown.data;
			let squared = 0;
			let off = 0;
			const n = shown.width * shown.height;
			for (let i = 0; i < n * 4; i += 4) {
				const d = 0.299 * real[i]! + 0.587 * real[i + 1]! + 0.114 * real[i + 2]! - (0.299 * seen[i]! + 0.587 * seen[i + 1]! + 0.114 * seen[i + 2]!);
				squared += d * d;
				if (Math.abs(d) > 24) off++;
			}
			const mse = squared / n;
			return { psnr: mse === 0 ? 99 : 10 * Math.log10((255 * 255) / mse), off: off / n };
		});
	}, truth.toString('base64'));
}

async function main(): Promise<void> {
	const fixtures = await startFixtureServer({ '/text': TEXT_PAGE });
	const app = await startAlongside({ ALONGSIDE_LOG_LEVEL: process.env.ALONGSIDE_LOG_LEVEL ?? 'warn' });
	const browser = await launchViewerBrowser();
	try {
		const viewers = await startSessionInBrowsers(app, browser);
		// NOTE: the agent's (masked) rendition by default; `--viewer customer` compares the clear one.
		const viewer = option('--viewer') === 'customer' ? viewers.customer : viewers.agent;
		const { agent } = viewers;
		const session = app.liveSessions()[0]!;
		const cloud = session.browser;
		await cloud.navigate(`${fixtures.url}/text`);
		await new Promise((r) => setTimeout(r, 1500));
		const video = (await agent.locator('video').boundingBox())!;
		await agent.mouse.move(video.x + video.width / 2, video.y + video.height / 2);
		const results: Array<Array<{ psnr: number; off: number }>> = [];
		let direction = 1;
		// NOTE: three scrolls first, not counted: for a few seconds after a navigation neither
		// rendition follows the scrolls of a page this long (seen with the code of before tabs too).
		for (let i = -WARMUP; i < scrolls; i++) {
			const before = (await cloud.page.evaluate('scrollY')) as number;
			if (before > 4000) direction = -1;
			if (before < 500) direction = 1;
			await agent.mouse.wheel(0, 360 * direction);
			const t0 = Date.now();
			for (const at of WAITS) {
				await new Promise((r) => setTimeout(r, Math.max(0, t0 + at - Date.now())));
				await grab(viewer);
			}
			// NOTE: one screenshot, once every frame is kept: taking it may make the page paint.
			const compared = await compare(viewer, (await cloud.page.screenshot({ type: 'png' })) as Buffer);
			if (i >= 0) results.push(compared);
			if (process.env.BENCH_TRACE) console.log('scroll', i, compared.map((c) => Math.round(c.psnr)).join(' '));
		}
		const at = Object.fromEntries(
			WAITS.map((wait, k) => {
				const sample = results.map((r) => r[k]!);
				return [`${wait}ms`, { psnr_p50: round(quantile(sample.map((r) => r.psnr), 0.5), 1), psnr_p10: round(quantile(sample.map((r) => r.psnr), 0.1), 1), off_p50_pct: round(quantile(sample.map((r) => r.off * 100), 0.5), 2) }];
			}),
		) as Record<string, { psnr_p50: number; psnr_p10: number; off_p50_pct: number }>;
		const result = { bench: 'sharpness', viewer: option('--viewer') === 'customer' ? 'customer' : 'agent', scrolls, at };
		if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
		else {
			process.stdout.write(
				[
					`sharpness bench (${result.viewer}'s video; ${scrolls} wheel scrolls of a page of 13 px text; the frame shown against the page itself)`,
					...WAITS.map((wait) => `  ${String(wait).padStart(5)} ms after the scroll   PSNR p50 ${at[`${wait}ms`]!.psnr_p50} dB (p10 ${at[`${wait}ms`]!.psnr_p10})   pixels off by >24: ${at[`${wait}ms`]!.off_p50_pct}%`),
					'',
				].join('\n'),
			);
		}
	} finally {
		await browser.close();
		await app.close();
		await fixtures.close();
	}
}

main().then(
	() => process.exit(0),
	(error: unknown) => {
		console.error('bench:sharpness failed:', error);
		process.exit(1);
	},
);
