/**
 * Starting and stopping a cloud browser's Chromium: as the unprivileged browser user, with
 * Chromium's own sandbox on, in the session's directory, behind the session's egress proxy,
 * as one process group that is killed whole.
 *
 * Why this shape (for a security review):
 * - The service runs as root only to switch users: `setpriv` drops to the browser user
 *   (real and effective uid and gid, no supplementary groups, no-new-privileges) and
 *   `exec`s Chromium, so the CDP pipe (fds 3 and 4) and the process group carry over and no
 *   shell or wrapper stays in between. That user cannot read the data directory (0700,
 *   owned by the service) and owns nothing but the session directories.
 * - Chromium's namespace sandbox stays on (no `--no-sandbox`): renderers run in their own
 *   user, PID and network namespaces under seccomp-bpf. It needs unprivileged user
 *   namespaces, which {@link checkBrowserUser} probes at start so a missing kernel or
 *   container permission fails the start with a clear message instead of every session.
 * - Chromium gets a minimal environment, not the service's: HOME, XDG_* and TMPDIR point
 *   into the session directory, so nothing it writes (profile, cache, crash reports,
 *   shared memory files) lands outside it.
 * - Debian's `/usr/bin/chromium` is a shell script that sources `/etc/chromium.d/*` (an
 *   extra extension, remote extensions, API keys, crash-report handling under $HOME); the
 *   binary it runs is started directly instead.
 */
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { once } from 'node:events';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Logger } from 'pino';
import puppeteer, { type Browser, type LaunchOptions } from 'puppeteer-core';
import { launch, wss } from 'puppeteer-stream';
import { SAME_USER } from './config.js';
import { killProcessGroup } from './processGroup.js';

const execFileAsync = promisify(execFile);

const SETPRIV = '/usr/bin/setpriv';
const UNSHARE = '/usr/bin/unshare';

/**
 * The port puppeteer-stream's recorder WebSocket server had bound when it was imported.
 * NOTE: the module opens that server on every interface at import; we never use it (its
 * MediaRecorder path), so it is closed at once. Its extension page still tries
 * `ws://localhost:<port>`, through the egress proxy, where the port is protected.
 */
export const recorderPort: Promise<number | undefined> = wss.then((server) => {
	const address = server?.address() as AddressInfo | string | null | undefined;
	server?.close();
	return typeof address === 'object' && address ? address.port : undefined;
});

/** puppeteer-stream's capture extension, which Chromium (as the browser user) loads from disk. */
export const CAPTURE_EXTENSION_DIR = path.join(path.dirname(createRequire(import.meta.url).resolve('puppeteer-stream')), '..', 'extension');

/** The unprivileged user the cloud browsers run as. */
export interface BrowserUser {
	name: string;
	uid: number;
	gid: number;
}

/** A session's own directory and what lives in it; all of it is deleted at the session's end. */
export interface SessionDir {
	/** The directory itself, `<profile root>/<instance>/<sessionId>-XXXXXX`, owned by the browser user, 0700. */
	root: string;
	/** Chromium's `--user-data-dir`. */
	profile: string;
	/** HOME, and XDG_CONFIG_HOME, XDG_CACHE_HOME, XDG_DATA_HOME, XDG_STATE_HOME beneath it. */
	home: string;
	/** TMPDIR and XDG_RUNTIME_DIR (Chromium's shared memory files with --disable-dev-shm-usage). */
	tmp: string;
}

/** A user-facing start failure: the message says what to do. */
export class BrowserSetupError extends Error {
	override name = 'BrowserSetupError';
}

/**
 * Resolves `ALONGSIDE_BROWSER_USER`: the user to run Chromium as, or null to run it as the
 * service's own user ({@link SAME_USER}, development only). Fails closed: a service that is
 * not root cannot switch users, and Chromium's sandbox refuses to run as root.
 */
export async function resolveBrowserUser(name: string, logger: Logger): Promise<BrowserUser | null> {
	const serviceUid = process.getuid?.() ?? -1;
	if (name === SAME_USER) {
		if (serviceUid === 0) {
			throw new BrowserSetupError(
				`ALONGSIDE_BROWSER_USER=${SAME_USER} would run the cloud browsers as root, where Chromium's sandbox cannot run. ` +
					'Set ALONGSIDE_BROWSER_USER to an unprivileged user (default alongside-browser; scripts/setup.sh creates it).',
			);
		}
		logger.warn(
			'ALONGSIDE_BROWSER_USER=@self: cloud browsers run as the service\'s own user (sandbox on). A page that escaped Chromium\'s sandbox could read the data directory: for development only.',
		);
		return null;
	}
	if (serviceUid !== 0) {
		throw new BrowserSetupError(
			`The cloud browsers run as the user "${name}" (ALONGSIDE_BROWSER_USER), and only root can switch to it: start the service as root ` +
				`(it keeps only what it needs; see deploy/README.md). For development only, ALONGSIDE_BROWSER_USER=${SAME_USER} runs them as this user instead, sandbox still on.`,
		);
	}
	let entry: string;
	try {
		entry = (await execFileAsync('getent', ['passwd', name], { timeout: 5000 })).stdout.trim();
	} catch {
		throw new BrowserSetupError(
			`The browser user "${name}" (ALONGSIDE_BROWSER_USER) does not exist: run scripts/setup.sh as root, or ` +
				`useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin ${name}`,
		);
	}
	const [, , uid, gid] = entry.split(':').map((field) => field.trim());
	const user = { name, uid: Number(uid), gid: Number(gid) };
	if (!Number.isInteger(user.uid) || !Number.isInteger(user.gid)) throw new BrowserSetupError(`cannot read the user "${name}" from the user database`);
	if (user.uid === 0 || user.gid === 0) throw new BrowserSetupError(`the browser user "${name}" must not be root or in group root (uid ${user.uid}, gid ${user.gid})`);
	return user;
}

/**
 * The binary to start for `ALONGSIDE_CHROMIUM_PATH`: Debian's wrapper script is replaced by
 * the binary it runs; any other path is used as it is.
 */
export function chromiumBinary(configured: string): string {
	let real = configured;
	try {
		real = fs.realpathSync(configured);
	} catch {
		throw new BrowserSetupError(`Chromium was not found at ${configured} (ALONGSIDE_CHROMIUM_PATH)`);
	}
	if (real === '/usr/bin/chromium' && fs.existsSync('/usr/lib/chromium/chromium')) return '/usr/lib/chromium/chromium';
	return real;
}

/**
 * Checks, as the browser user, what every Chromium start will need, so that the service
 * fails at start with a clear message rather than at every session: that the user can
 * create the user, PID and network namespaces of Chromium's sandbox, and can read the
 * capture extension.
 */
export async function checkBrowserUser(user: BrowserUser | null, extensionDir: string): Promise<void> {
	try {
		await runAs(user, UNSHARE, ['--user', '--pid', '--net', '--fork', '--', 'true']);
	} catch (error) {
		throw new BrowserSetupError(
			`Chromium's sandbox needs unprivileged user namespaces, which ${user ? `the user "${user.name}"` : 'this user'} cannot create here ` +
				`(${firstLine(error)}). On a host: sysctl user.max_user_namespaces > 0 (and on Ubuntu 23.10+ an AppArmor profile that allows userns, ` +
				'or kernel.apparmor_restrict_unprivileged_userns=0); in a container: see "Chromium\'s sandbox in a container" in deploy/README.md.',
		);
	}
	try {
		await runAs(user, '/usr/bin/test', ['-r', path.join(extensionDir, 'manifest.json')]);
	} catch {
		throw new BrowserSetupError(
			`The browser user ${user ? `"${user.name}" ` : ''}cannot read ${extensionDir}: install the service where other users can read its files (e.g. /opt/alongside), not under a private home directory.`,
		);
	}
}

/**
 * Runs a program as `user` (or as the service's own user when null) and resolves when it
 * exits with 0. Output is kept for the error only.
 */
export async function runAs(user: Pick<BrowserUser, 'uid' | 'gid'> | null, file: string, args: string[]): Promise<void> {
	const [command, commandArgs] = user ? [SETPRIV, [...dropTo(user), '--', file, ...args]] : [file, args];
	await execFileAsync(command, commandArgs, { timeout: 30_000, env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C' } });
}

/** setpriv options that become `user` for good: real and effective ids, no groups, no privilege gains. */
function dropTo(user: Pick<BrowserUser, 'uid' | 'gid'>): string[] {
	return [`--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups', '--no-new-privs'];
}

export interface ChromiumFlagsOptions {
	viewport: { width: number; height: number };
	lang: string;
	/** The session's egress proxy on 127.0.0.1. */
	proxyPort: number;
}

/** Flags for Debian's Chromium running headless as a service (see platform notes). */
export function chromiumFlags({ viewport, lang, proxyPort }: ChromiumFlagsOptions): string[] {
	const { width, height } = viewport;
	return [
		'--disable-gpu',
		'--disable-quic',
		'--no-first-run',
		'--no-default-browser-check',
		'--disable-background-networking',
		'--disable-component-update',
		'--disable-sync',
		'--disable-dev-shm-usage',
		'--disable-default-apps',
		'--disable-breakpad',
		'--disable-pings',
		// NOTE: the session directory may be memory (tmpfs): bound the HTTP cache.
		'--disk-cache-size=67108864',
		// Everything the pages load goes through the session's egress proxy, which resolves
		// and checks each destination. NOTE: without the bypass-list rule Chromium connects to
		// loopback and link-local destinations (localhost, 127/8, [::1], 169.254/16) directly.
		`--proxy-server=http://127.0.0.1:${proxyPort}`,
		'--proxy-bypass-list=<-loopback>',
		// NOTE: pages' WebRTC would otherwise send UDP directly, around the proxy. The
		// extension page that publishes the tab is exempt by Chromium's design, and keeps
		// sending its media to the SFU over UDP.
		'--webrtc-ip-handling-policy=disable_non_proxied_udp',
		// The capture page is a background tab: it must not be throttled.
		'--disable-background-timer-throttling',
		'--disable-renderer-backgrounding',
		'--disable-backgrounding-occluded-windows',
		// Ask every viewer to render with no playout delay (the RTP playout-delay extension).
		'--force-fieldtrials=WebRTC-ForceSendPlayoutDelay/min_ms:0,max_ms:0/',
		`--lang=${lang}`,
		// NOTE: headless Chromium still reserves room for window chrome (87 px on Debian's 156);
		// fitViewport() corrects the window so the page viewport is exactly width x height.
		`--window-size=${width},${height + 87}`,
		`--ozone-override-screen-size=${width},${height + 87}`,
	];
}

export interface LaunchChromiumOptions {
	binary: string;
	user: BrowserUser | null;
	dir: SessionDir;
	flags: string[];
	lang: string;
	logger: Logger;
}

/**
 * Launches Chromium with puppeteer-stream's capture extension, as `user`, in `dir`, with
 * downloads refused before any page loads. Resolves once the extension is installed.
 */
export async function launchChromium(options: LaunchChromiumOptions): Promise<Browser> {
	const { dir } = options;
	return launch(safeLauncher(options), {
		executablePath: options.binary,
		headless: 'new',
		userDataDir: dir.profile,
		defaultViewport: null,
		args: options.flags,
		env: {
			PATH: '/usr/local/bin:/usr/bin:/bin',
			HOME: dir.home,
			XDG_CONFIG_HOME: path.join(dir.home, '.config'),
			XDG_CACHE_HOME: path.join(dir.home, '.cache'),
			XDG_DATA_HOME: path.join(dir.home, '.local', 'share'),
			XDG_STATE_HOME: path.join(dir.home, '.local', 'state'),
			XDG_RUNTIME_DIR: dir.tmp,
			TMPDIR: dir.tmp,
			LANGUAGE: options.lang.replace('-', '_'),
			...pick(process.env, ['TZ', 'LANG', 'LC_ALL']),
		},
		// NOTE: Browser.setDownloadBehavior for the default context, sent by puppeteer while it
		// attaches, before it returns the browser and so before any page of ours loads. It
		// cancels every kind of download (links, navigations to attachments, blobs) until the
		// CloudBrowser takes downloads over (each cancelled, fetched again by its page and
		// offered to the customer: see CloudBrowser.#watchDownloads).
		downloadBehavior: { policy: 'deny' },
		// NOTE: the service ends sessions itself on SIGINT/SIGTERM; puppeteer's own handlers
		// would kill Chromium (and exit, on SIGINT) first.
		handleSIGINT: false,
		handleSIGTERM: false,
		handleSIGHUP: false,
		// NOTE: puppeteer-stream sleeps `startDelay || 250` ms after launch "to let the
		// extension load"; getExtensionPage() waits for its target anyway.
		startDelay: 1,
		// NOTE: 'new' is puppeteer-stream's word for new headless; it is not in puppeteer's type.
	} as unknown as Parameters<typeof launch>[1]);
}

/**
 * What puppeteer-stream's `launch()` launches with (it accepts a puppeteer): puppeteer-core,
 * started through `setpriv` as the browser user, with the two promises of the launch that
 * nobody awaits made safe. If Chromium exits early (a session ended during its start, or a
 * crash), either would reject unhandled, which ends a Node process.
 * - The command line is computed here (puppeteer's defaults, puppeteer-stream's additions,
 *   ours) and puppeteer is told to use it as it is, after `setpriv ... -- <binary>`.
 * - puppeteer installs the extensions in `enableExtensions` without awaiting them; here
 *   they are installed and awaited (and Chromium stopped if that fails).
 * - puppeteer-stream opens its extension page with a `goto()` it never awaits; here that
 *   navigation gets a handler.
 */
function safeLauncher({ binary, user, logger }: LaunchChromiumOptions): { launch(options: LaunchOptions): Promise<Browser> } {
	return {
		async launch({ enableExtensions, ignoreDefaultArgs, ...options }) {
			const extensions = Array.isArray(enableExtensions) ? enableExtensions : [];
			const withExtensions = extensions.length > 0 || enableExtensions === true;
			// NOTE: defaultArgs() edits the array it is given (it merges feature flags).
			const ignored = Array.isArray(ignoreDefaultArgs) ? ignoreDefaultArgs : [];
			const flags = puppeteer
				.defaultArgs({ ...options, args: [...(options.args ?? [])], enableExtensions: withExtensions })
				// NOTE: puppeteer turns popup blocking off; a page must not open tabs (and take
				// the customer's keys to one) without a click or a tap of someone in the session.
				.filter((flag) => !ignored.includes(flag) && flag !== '--disable-popup-blocking');
			const browser = await puppeteer.launch({
				...options,
				enableExtensions: withExtensions,
				ignoreDefaultArgs: true,
				executablePath: user ? SETPRIV : binary,
				args: user ? [...dropTo(user), '--', binary, ...flags] : flags,
			});
			try {
				await Promise.all(extensions.map((extension) => browser.installExtension(extension)));
			} catch (error) {
				await stopChromium(browser);
				throw error;
			}
			browser.newPage = async (...args) => {
				// NOTE: only the first page, puppeteer-stream's; later calls are puppeteer's own.
				Reflect.deleteProperty(browser, 'newPage');
				const page = await browser.newPage(...args);
				page.goto = (...gotoArgs) => {
					Reflect.deleteProperty(page, 'goto');
					const navigation = page.goto(...gotoArgs);
					navigation.catch((error: Error) => logger.debug({ err: error.message }, 'extension page did not load'));
					return navigation;
				};
				return page;
			};
			return browser;
		},
	};
}

/** Kills whatever is left of Chromium (the whole process group) and waits until it is gone. */
export async function stopChromium(browser: Browser): Promise<void> {
	const child = browser.process();
	if (child?.pid === undefined) return;
	// NOTE: the browser process is our child: it is gone once Node has reaped it ('exit').
	const reaped = child.exitCode === null && child.signalCode === null ? once(child, 'exit') : undefined;
	await killProcessGroup(child.pid);
	await Promise.race([reaped, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
}

function pick(env: NodeJS.ProcessEnv, keys: string[]): Record<string, string> {
	const picked: Record<string, string> = {};
	for (const key of keys) if (env[key]) picked[key] = env[key];
	return picked;
}

function firstLine(error: unknown): string {
	const stderr = (error as { stderr?: string }).stderr?.trim();
	return (stderr || (error as Error).message || String(error)).split('\n')[0]!.slice(0, 200);
}
