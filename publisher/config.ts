/**
 * Publisher (cloud browser) configuration, read from the environment; every key defaulted.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { readEnv } from '../protocol/env.js';
import type { Rendition } from '../protocol/wire.js';
import type { BrowserHost } from './BrowserHost.js';
import { type AllowEntry, parseEgressAllowList } from './egress/policy.js';
import { DEFAULT_UPLOAD_TYPES, type FileType, parseFileTypes } from './files.js';

const Size = z.string().regex(/^\d{3,4}x\d{3,4}$/, 'expected WIDTHxHEIGHT, e.g. 1280x720');

/**
 * The value of `ALONGSIDE_BROWSER_USER` that runs Chromium as the service's own user
 * (development only). Not a valid user name, so it cannot be mistaken for one.
 */
export const SAME_USER = '@self';

const PublisherEnv = z.object({
	/**
	 * Chromium binary. Default `/usr/bin/chromium` (Debian's package); Debian's wrapper script
	 * there is bypassed for the binary it runs, `/usr/lib/chromium/chromium`.
	 */
	ALONGSIDE_CHROMIUM_PATH: z.string().min(1).default('/usr/bin/chromium'),
	/** Size of the cloud browser's viewport and of the video, in CSS pixels. Default `1280x720`. */
	ALONGSIDE_VIEWPORT: Size.default('1280x720'),
	/** Upper bound of the captured frame rate. Default 60. */
	ALONGSIDE_MAX_FPS: z.coerce.number().int().min(5).max(60).default(60),
	/** Upper bound of the video bitrate, in bit/s. Default 4 Mbit/s. */
	ALONGSIDE_MAX_BITRATE: z.coerce.number().int().min(200_000).max(20_000_000).default(4_000_000),
	/** Preferred video codec. Default `H264`; VP8 is the fallback. */
	ALONGSIDE_CODEC: z.enum(['H264', 'VP8']).default('H264'),
	/**
	 * Where the cloud browsers' session directories live (profile, home, cache, temporary
	 * files), one subdirectory per service instance, swept at start. Default
	 * `/dev/shm/alongside-profiles` when /dev/shm is a tmpfs with at least 1 GiB free (memory
	 * that a reboot or a crash of the machine clears), else `$TMPDIR/alongside-profiles`.
	 */
	ALONGSIDE_PROFILE_DIR: z.string().min(1).optional(),
	/** Browser language (Accept-Language and locale). Default `en-US`. */
	ALONGSIDE_BROWSER_LANG: z.string().regex(/^[a-z]{2,3}(-[A-Z]{2})?$/, 'expected a language tag like en-US').default('en-US'),
	/**
	 * The unprivileged user the cloud browsers run as, with Chromium's sandbox on. It must
	 * not be able to read the data directory. The service must run as root to switch to it.
	 * Default `alongside-browser` (scripts/setup.sh and the image create it). `@self` runs
	 * them as the service's own user, for development only: a page that escaped Chromium's
	 * sandbox could then read the data directory.
	 */
	ALONGSIDE_BROWSER_USER: z
		.string()
		.regex(/^(@self|[a-z_][a-z0-9_-]{0,31})$/, 'expected a user name, or @self')
		.default('alongside-browser'),
	/**
	 * Destinations the cloud browser may reach although they are not public: addresses, CIDR
	 * ranges and address:port, comma-separated (`10.1.0.0/16,192.168.1.5:8443`), e.g. intranet
	 * sites the agents must open. Default none. The service's own ports stay refused whatever
	 * this says. The tests set `127.0.0.0/8` for their fixture pages.
	 */
	/** Largest file a customer may put into a page's upload field, in bytes. Default 10 MiB. */
	ALONGSIDE_UPLOAD_MAX_BYTES: z.coerce.number().int().min(1).max(100 * 1024 * 1024).default(10 * 1024 * 1024),
	/**
	 * What customers may upload: extensions (`.pdf`) and MIME types (`image/png`, `image/*`),
	 * comma-separated, or `any`. Default common documents and images (see publisher/files.ts).
	 */
	ALONGSIDE_UPLOAD_TYPES: z
		.string()
		.default(DEFAULT_UPLOAD_TYPES)
		.transform((value, ctx) => {
			try {
				return parseFileTypes(value);
			} catch (error) {
				ctx.addIssue({ code: 'custom', message: (error as Error).message });
				return z.NEVER;
			}
		}),
	/** Largest file a page may download to the customer, in bytes. Default 20 MiB. */
	ALONGSIDE_DOWNLOAD_MAX_BYTES: z.coerce.number().int().min(1).max(100 * 1024 * 1024).default(20 * 1024 * 1024),
	ALONGSIDE_EGRESS_ALLOW: z
		.string()
		.default('')
		.transform((value, ctx) => {
			try {
				return parseEgressAllowList(value);
			} catch {
				// NOTE: the position, not the entry: configuration values are never echoed.
				const entries = value.split(',').map((entry) => entry.trim()).filter(Boolean);
				const bad = entries.findIndex((entry) => {
					try {
						parseEgressAllowList(entry);
						return false;
					} catch {
						return true;
					}
				});
				ctx.addIssue({ code: 'custom', message: `entry ${bad + 1} of ${entries.length} is not an IP address, CIDR range or address:port` });
				return z.NEVER;
			}
		}),
});

export interface PublisherConfig {
	chromiumPath: string;
	viewport: { width: number; height: number };
	maxFps: number;
	maxBitrate: number;
	codec: 'H264' | 'VP8';
	/** Root of the session directories (see `ALONGSIDE_PROFILE_DIR`). */
	profileDir: string;
	lang: string;
	/** `ALONGSIDE_BROWSER_USER`: a user name, or {@link SAME_USER}. */
	browserUser: string;
	/** `ALONGSIDE_EGRESS_ALLOW`. */
	egressAllow: AllowEntry[];
	/** `ALONGSIDE_UPLOAD_MAX_BYTES`, `ALONGSIDE_UPLOAD_TYPES` (empty: any), `ALONGSIDE_DOWNLOAD_MAX_BYTES`. */
	files: { uploadMaxBytes: number; uploadTypes: FileType[]; downloadMaxBytes: number };
	/**
	 * The service's own listening ports (HTTP, every SFU worker's RTC port), which no cloud
	 * browser may reach on this machine. Set by the service, not from the environment.
	 * Default none.
	 */
	protectedPorts: number[];
	/**
	 * The renditions the cloud browsers publish. Set by code, never from the environment:
	 * the masked rendition is not something to switch off. Default both; the masking bench
	 * measures a service that publishes the clear one only.
	 */
	renditions?: Rendition[];
	/**
	 * The browser user, this instance's session directories and the egress refusal hook,
	 * prepared once at start ({@link BrowserHost.create}). Set by the service, not from the
	 * environment; a cloud browser cannot start without it.
	 */
	host?: BrowserHost;
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
		profileDir: e.ALONGSIDE_PROFILE_DIR ?? defaultProfileDir(),
		lang: e.ALONGSIDE_BROWSER_LANG,
		browserUser: e.ALONGSIDE_BROWSER_USER,
		egressAllow: e.ALONGSIDE_EGRESS_ALLOW,
		files: { uploadMaxBytes: e.ALONGSIDE_UPLOAD_MAX_BYTES, uploadTypes: e.ALONGSIDE_UPLOAD_TYPES, downloadMaxBytes: e.ALONGSIDE_DOWNLOAD_MAX_BYTES },
		protectedPorts: [],
	};
}

const TMPFS_MAGIC = 0x01021994;
const MIN_TMPFS_FREE = 1024 ** 3;

/**
 * `/dev/shm/alongside-profiles` when /dev/shm is a tmpfs with room for several sessions,
 * else `$TMPDIR/alongside-profiles`. NOTE: a container's /dev/shm is 64 MiB by default, too
 * small; deployments mount a tmpfs on /tmp instead (deploy/).
 */
function defaultProfileDir(): string {
	try {
		const stats = fs.statfsSync('/dev/shm');
		if (stats.type === TMPFS_MAGIC && stats.bavail * stats.bsize >= MIN_TMPFS_FREE) return '/dev/shm/alongside-profiles';
	} catch {
		// NOTE: no /dev/shm (not Linux, or a minimal container): the temporary directory it is.
	}
	return path.join(os.tmpdir(), 'alongside-profiles');
}
