/**
 * Publisher (cloud browser) configuration, read from the environment; every key defaulted.
 */
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { readEnv } from '../protocol/env.js';

const Size = z.string().regex(/^\d{3,4}x\d{3,4}$/, 'expected WIDTHxHEIGHT, e.g. 1280x720');

const PublisherEnv = z.object({
	/** Chromium binary. Default `/usr/bin/chromium` (Debian's package). */
	ALONGSIDE_CHROMIUM_PATH: z.string().min(1).default('/usr/bin/chromium'),
	/** Size of the cloud browser's viewport and of the video, in CSS pixels. Default `1280x720`. */
	ALONGSIDE_VIEWPORT: Size.default('1280x720'),
	/** Upper bound of the captured frame rate. Default 60. */
	ALONGSIDE_MAX_FPS: z.coerce.number().int().min(5).max(60).default(60),
	/** Upper bound of the video bitrate, in bit/s. Default 4 Mbit/s. */
	ALONGSIDE_MAX_BITRATE: z.coerce.number().int().min(200_000).max(20_000_000).default(4_000_000),
	/** Preferred video codec. Default `H264`; VP8 is the fallback. */
	ALONGSIDE_CODEC: z.enum(['H264', 'VP8']).default('H264'),
	/** Where cloud browser profiles live while a session runs; each is deleted at its end. */
	ALONGSIDE_PROFILE_DIR: z.string().min(1).default(path.join(os.tmpdir(), 'alongside-profiles')),
	/** Browser language (Accept-Language and locale). Default `en-US`. */
	ALONGSIDE_BROWSER_LANG: z.string().regex(/^[a-z]{2,3}(-[A-Z]{2})?$/, 'expected a language tag like en-US').default('en-US'),
});

export interface PublisherConfig {
	chromiumPath: string;
	viewport: { width: number; height: number };
	maxFps: number;
	maxBitrate: number;
	codec: 'H264' | 'VP8';
	profileDir: string;
	lang: string;
	/**
	 * SHA-256 hashes (base64) of public keys whose certificates the cloud browser trusts
	 * even if self-signed: the service's own, so it can open its pages over HTTPS. Set by
	 * the service, not from the environment. Default none.
	 */
	trustedSpkiHashes: string[];
}

/** Reads and validates the publisher's configuration; throws naming the offending key. */
export function loadPublisherConfig(env: NodeJS.ProcessEnv = process.env): PublisherConfig {
	const e = readEnv(PublisherEnv, env);
	const [width, height] = e.ALONGSIDE_VIEWPORT.split('x').map(Number) as [number, number];
	return {
		chromiumPath: e.ALONGSIDE_CHROMIUM_PATH,
		viewport: { width, height },
		maxFps: e.ALONGSIDE_MAX_FPS,
		maxBitrate: e.ALONGSIDE_MAX_BITRATE,
		codec: e.ALONGSIDE_CODEC,
		profileDir: e.ALONGSIDE_PROFILE_DIR,
		lang: e.ALONGSIDE_BROWSER_LANG,
		trustedSpkiHashes: [],
	};
}
