/**
 * A colour check that runs in a viewer page (the real agent console or customer page, in a
 * real Chromium): on every video frame the viewer decodes (`requestVideoFrameCallback`),
 * it reads the frame's pixels and counts those of a colour. Shared by the
 * mask-leak test and `npm run bench:masking`.
 */
import type { Page } from 'playwright-core';

export interface ColourCount {
	/** Frames checked (the callback can skip frames when the viewer is busy; see `decoded`). */
	frames: number;
	/** Frames with at least {@link MIN_PIXELS} chroma samples (2 × 2 pixels each) of the colour. */
	coloured: number;
	/** The most chroma samples of the colour in one frame. */
	worst: number;
	/** Frames the viewer decoded meanwhile (its video element's count). */
	decoded: number;
	/** The first few frames with the colour, as PNG data URLs (to see what leaked). */
	samples: string[];
}

/** Chroma samples of the colour in a frame for it to count: a few, so a stray one of compression noise does not. */
export const MIN_PIXELS = 3;

/**
 * Starts counting in `page`'s video element (`window.alongside.video`, or the one `selector`
 * names). Idempotent per video.
 * NOTE: each decoded frame is read as it is (`VideoFrame.copyTo`, I420), without drawing it
 * to a canvas first: fast enough to keep up with the video. A chroma sample (2 × 2 pixels)
 * counts when its colour leans clearly the sensitive colour's way (decoded H.264 shows thin
 * strokes of it blended with their background).
 */
export async function startColourCount(page: Page, rgb: [number, number, number], selector = ''): Promise<void> {
	await page.evaluate(
		([[r, g, b], min, selector]) => {
			const w = window as unknown as { __colours?: Record<string, { frames: number; coloured: number; worst: number; base: number; samples: string[] }> };
			w.__colours ??= {};
			if (w.__colours[selector]) return;
			const count = { frames: 0, coloured: 0, worst: 0, base: 0, samples: [] as string[] };
			w.__colours[selector] = count;
			const eu = -0.148 * r - 0.291 * g + 0.439 * b;
			const ev = 0.439 * r - 0.368 * g - 0.071 * b;
			const len2 = eu * eu + ev * ev;
			const near = (u: number, v: number) => {
				const [du, dv] = [u - 128, v - 128];
				const along = (du * eu + dv * ev) / len2;
				const across = Math.abs(du * ev - dv * eu) / Math.sqrt(len2);
				return along > 0.4 && across < 24;
			};
			let buffer = new Uint8Array(0);
			const canvas = document.createElement('canvas');
			const snapshot = (video: HTMLVideoElement) => {
				[canvas.width, canvas.height] = [video.videoWidth, video.videoHeight];
				canvas.getContext('2d')!.drawImage(video, 0, 0);
				return canvas.toDataURL('image/png');
			};
			const check = () => {
				const video = selector ? document.querySelector<HTMLVideoElement>(selector) : (window as unknown as { alongside?: { video?: HTMLVideoElement } }).alongside?.video;
				if (!video) return void setTimeout(check, 50);
				const onFrame = async () => {
					try {
						if (video.videoWidth > 0) {
							const frame = new VideoFrame(video);
							try {
								const format = frame.format;
								if (format !== 'I420' && format !== 'I420A' && format !== 'NV12') throw new Error(`cannot check ${format} frames`);
								const size = frame.allocationSize();
								if (buffer.byteLength < size) buffer = new Uint8Array(size);
								const planes = await frame.copyTo(buffer);
								const cw = Math.ceil(frame.visibleRect!.width / 2);
								const ch = Math.ceil(frame.visibleRect!.height / 2);
								let samples = 0;
								for (let y = 0; y < ch; y++) {
									for (let x = 0; x < cw; x++) {
										const [u, v] =
											format === 'NV12'
												? [buffer[planes[1]!.offset + y * planes[1]!.stride + 2 * x]!, buffer[planes[1]!.offset + y * planes[1]!.stride + 2 * x + 1]!]
												: [buffer[planes[1]!.offset + y * planes[1]!.stride + x]!, buffer[planes[2]!.offset + y * planes[2]!.stride + x]!];
										if (near(u, v)) samples++;
									}
								}
								count.frames++;
								if (samples >= (min as number)) {
									count.coloured++;
									if (count.samples.length < 3) count.samples.push(snapshot(video));
								}
								count.worst = Math.max(count.worst, samples);
							} finally {
								frame.close();
							}
						}
					} catch (error) {
						console.error('colour check failed', error);
					}
					video.requestVideoFrameCallback(onFrame);
				};
				video.requestVideoFrameCallback(onFrame);
			};
			check();
		},
		[rgb, MIN_PIXELS, selector] as const,
	);
}

/** Reads the counts and starts new ones. */
export async function takeColourCount(page: Page, selector = ''): Promise<ColourCount> {
	return page.evaluate((selector) => {
		const w = window as unknown as { __colours: Record<string, { frames: number; coloured: number; worst: number; base: number; samples: string[] }>; alongside?: { video?: HTMLVideoElement } };
		const count = w.__colours[selector]!;
		const video = selector ? document.querySelector<HTMLVideoElement>(selector) : w.alongside?.video;
		const total = video?.getVideoPlaybackQuality().totalVideoFrames ?? 0;
		const taken = { frames: count.frames, coloured: count.coloured, worst: count.worst, decoded: total - count.base, samples: count.samples };
		Object.assign(count, { frames: 0, coloured: 0, worst: 0, base: total, samples: [] });
		return taken;
	}, selector);
}
