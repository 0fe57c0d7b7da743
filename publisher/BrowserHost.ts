/**
 * What every cloud browser of one service instance shares: the browser user (checked at
 * start), this instance's directory of session directories, and the hook that counts
 * egress refusals.
 *
 * Session directories live in `<profile root>/<instance>/<first 8 of sessionId>-XXXXXX`.
 * Each instance directory holds an `instance.json` that says which process made it (boot,
 * PID namespace, pid and that process's start time), so that a later start can tell the
 * leftovers of a crashed instance (deleted, with any Chromium still running from them) from
 * the directories of an instance that is still running on the same machine (never
 * touched), even when a pid has been reused. The file is written before the directory gets
 * its name, so no instance directory is ever seen without it.
 * NOTE: names are short because Chromium puts a Unix socket in TMPDIR (inside the session
 * directory), and socket paths are limited to 107 bytes.
 *
 * Deleting: a session directory belongs to the browser user, and a page that escaped
 * Chromium's sandbox may have left symbolic links in it. Root deleting that tree would
 * follow a link swapped in between its checks (and delete, say, the data directory), so
 * the tree is emptied as its owner, who can only delete what it could anyway, and the empty
 * directory is then removed from the root-owned instance directory.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import {
	type BrowserUser,
	CAPTURE_EXTENSION_DIR,
	BrowserSetupError,
	checkBrowserUser,
	chromiumBinary,
	resolveBrowserUser,
	runAs,
	type SessionDir,
} from './chromium.js';
import type { PublisherConfig } from './config.js';
import type { EgressRefusal } from './egress/EgressProxyTypes.js';
import { commandLine, killProcessGroup, processGroupOf, processIds, statFields } from './processGroup.js';

export interface BrowserHostOptions {
	config: Pick<PublisherConfig, 'browserUser' | 'chromiumPath' | 'profileDir'>;
	logger: Logger;
	/** Called for every request a session's egress proxy refuses (metrics). Default: none. */
	onEgressRefusal?: (refusal: EgressRefusal) => void;
}

/** An instance directory's name: random, short (see the module's note). */
const INSTANCE_NAME = /^[0-9a-z]{6}$/;
/** An instance directory being created (before its rename to an {@link INSTANCE_NAME}). */
const STAGING_NAME = /^\.new-[A-Za-z0-9]{6}$/;
/** Session directories of the layout before instance directories: `<uuid>-XXXXXX` in the root. */
const LEGACY_SESSION_NAME = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-[A-Za-z0-9]{6}$/;
/** In each instance directory: who made it ({@link InstanceOwner}). */
const OWNER_FILE = 'instance.json';
/** The longest path Chromium will bind a Unix socket at, under a session's TMPDIR, beyond the profile root. */
const SOCKET_TAIL = '/abcdef/abcdef01-ABCDEF/tmp/org.chromium.Chromium.ABCDEF/SingletonSocket';
/** sizeof(sockaddr_un.sun_path) - 1. */
const MAX_SOCKET_PATH = 107;

/** The process that made an instance directory. */
interface InstanceOwner {
	/** /proc/sys/kernel/random/boot_id. */
	boot: string;
	/** Inode of the PID namespace: pids are only comparable within one. */
	pidns: string;
	pid: number;
	/** Field 22 of /proc/<pid>/stat: with the pid, unique for the life of the boot. */
	start: string;
}

export class BrowserHost {
	/** The user Chromium runs as; null: the service's own user (development only). */
	readonly user: BrowserUser | null;
	/** The Chromium binary started (Debian's wrapper script bypassed). */
	readonly binary: string;
	/** This instance's directory of session directories. */
	readonly instanceDir: string;
	readonly onEgressRefusal: ((refusal: EgressRefusal) => void) | undefined;
	readonly #logger: Logger;
	#closed: Promise<void> | undefined;

	/**
	 * Checks the browser user and its sandbox, sweeps what crashed instances left in the
	 * profile root, and creates this instance's directory.
	 * @throws BrowserSetupError saying what to do: the service is not root, the user is
	 *   missing, user namespaces are not available, the profile root belongs to someone else.
	 */
	static async create(options: BrowserHostOptions): Promise<BrowserHost> {
		const { config, logger } = options;
		const user = await resolveBrowserUser(config.browserUser, logger);
		const binary = chromiumBinary(config.chromiumPath);
		await checkBrowserUser(user, CAPTURE_EXTENSION_DIR);
		const mode = user ? 0o711 : 0o700;
		const root = path.resolve(config.profileDir);
		if (Buffer.byteLength(root + SOCKET_TAIL) > MAX_SOCKET_PATH) {
			throw new BrowserSetupError(
				`${root} (ALONGSIDE_PROFILE_DIR) is too long: Chromium binds Unix sockets in the session directories, whose paths must stay under ${MAX_SOCKET_PATH + 1} bytes. Use at most ${MAX_SOCKET_PATH - Buffer.byteLength(SOCKET_TAIL)} bytes.`,
			);
		}
		ownedDirectory(root, mode);
		await sweep(root, logger);
		const instanceDir = createInstanceDir(root, mode);
		return new BrowserHost(user, binary, instanceDir, options);
	}

	private constructor(user: BrowserUser | null, binary: string, instanceDir: string, options: BrowserHostOptions) {
		this.user = user;
		this.binary = binary;
		this.instanceDir = instanceDir;
		this.onEgressRefusal = options.onEgressRefusal;
		this.#logger = options.logger;
	}

	/** Creates a session's directory, `<instance dir>/<first 8 of sessionId>-XXXXXX` (and its profile, home and tmp), owned by the browser user, 0700. */
	async createSessionDir(sessionId: string): Promise<SessionDir> {
		if (this.#closed) throw new Error('the browser host is closed');
		const root = await fs.promises.mkdtemp(path.join(this.instanceDir, `${sessionId.slice(0, 8)}-`));
		const dir: SessionDir = { root, profile: path.join(root, 'profile'), home: path.join(root, 'home'), tmp: path.join(root, 'tmp') };
		try {
			for (const sub of [dir.profile, dir.home, dir.tmp]) await fs.promises.mkdir(sub, { mode: 0o700 });
			// NOTE: the directory itself last: until then the browser user cannot enter it.
			if (this.user) for (const sub of [dir.profile, dir.home, dir.tmp, root]) await fs.promises.lchown(sub, this.user.uid, this.user.gid);
		} catch (error) {
			await this.removeSessionDir(dir);
			throw error;
		}
		return dir;
	}

	/** Deletes a session's directory and everything in it (see the module's note). Never throws; failures are logged and left to the next start's sweep. */
	async removeSessionDir(dir: SessionDir | string): Promise<void> {
		const root = typeof dir === 'string' ? dir : dir.root;
		await removeTree(root).catch((error: unknown) => this.#logger.warn({ err: error, dir: path.basename(root) }, 'could not delete a session directory'));
	}

	/** Deletes this instance's directory, with any session directory still in it. Safe to call twice. */
	close(): Promise<void> {
		this.#closed ??= removeTree(this.instanceDir).catch((error: unknown) =>
			this.#logger.warn({ err: error }, 'could not delete the instance directory'),
		);
		return this.#closed;
	}
}

/**
 * Makes `dir` (and its parents) exist, and checks that it is a real directory owned by the
 * service's user with exactly `mode`. NOTE: the default root is in a world-writable place
 * (/dev/shm, /tmp): a directory or link someone else made there first is refused.
 */
function ownedDirectory(dir: string, mode: number): void {
	fs.mkdirSync(dir, { recursive: true, mode });
	const stats = fs.lstatSync(dir);
	const uid = process.getuid?.();
	if (!stats.isDirectory() || (uid !== undefined && stats.uid !== uid)) {
		throw new BrowserSetupError(
			`${dir} (ALONGSIDE_PROFILE_DIR) must be a directory owned by the service's user (uid ${uid}); it is ${stats.isSymbolicLink() ? 'a symbolic link' : `owned by uid ${stats.uid}`}. Remove it or choose another path.`,
		);
	}
	fs.chmodSync(dir, mode);
}

/**
 * Creates this instance's directory: staged under a temporary name with its
 * {@link OWNER_FILE}, then renamed, so that a concurrent sweep never sees it without one.
 */
function createInstanceDir(root: string, mode: number): string {
	const owner: InstanceOwner = { ...processIdentity(), pid: process.pid, start: processStartTime(process.pid) ?? '' };
	for (let attempt = 1; ; attempt++) {
		const staging = fs.mkdtempSync(path.join(root, '.new-'));
		fs.chmodSync(staging, mode);
		fs.writeFileSync(path.join(staging, OWNER_FILE), JSON.stringify(owner), { mode: 0o644 });
		const dir = path.join(root, randomName());
		try {
			// NOTE: rename() replaces only an empty directory, and an instance directory never is.
			fs.renameSync(staging, dir);
			return dir;
		} catch (error) {
			fs.rmSync(staging, { recursive: true, force: true });
			if (attempt >= 5) throw error;
		}
	}
}

/** Six random characters from [0-9a-z]. */
function randomName(): string {
	return [...randomBytes(6)].map((byte) => (byte % 36).toString(36)).join('');
}

/**
 * Deletes, in the profile root, the directories of instances that are gone (after killing
 * any process still running from them), and those of the layout before instance
 * directories. Leaves alone running instances, and instances of another PID namespace (a
 * container sharing the directory), whose liveness cannot be checked from here.
 */
async function sweep(root: string, logger: Logger): Promise<void> {
	let swept = 0;
	for (const name of fs.readdirSync(root)) {
		const dir = path.join(root, name);
		if (INSTANCE_NAME.test(name) || STAGING_NAME.test(name)) {
			const owner = readOwner(dir);
			// NOTE: a staging directory without its file yet is being created right now, unless it is old.
			const gone = owner ? ownerGone(owner) : STAGING_NAME.test(name) ? ageMs(dir) > 60_000 : undefined;
			if (gone === undefined && !owner && INSTANCE_NAME.test(name)) logger.warn({ entry: name }, `instance directory without a readable ${OWNER_FILE}; left alone`);
			if (!gone) continue;
		} else if (!LEGACY_SESSION_NAME.test(name)) {
			logger.warn({ entry: name }, 'unknown entry in the profile directory; left alone');
			continue;
		}
		await killProcessesUsing(dir);
		try {
			await removeTree(dir);
			swept++;
		} catch (error) {
			logger.warn({ err: error, entry: name }, 'could not delete what an earlier run left');
		}
	}
	if (swept > 0) logger.info({ swept }, 'deleted the cloud browser directories that earlier runs left');
}

/** Whether the process that made an instance directory has gone; undefined when that cannot be told from here. */
function ownerGone(owner: InstanceOwner): boolean | undefined {
	const self = processIdentity();
	if (owner.boot !== self.boot) return true;
	if (owner.pidns !== self.pidns) return undefined;
	return processStartTime(owner.pid) !== owner.start;
}

function readOwner(dir: string): InstanceOwner | undefined {
	try {
		const owner = JSON.parse(fs.readFileSync(path.join(dir, OWNER_FILE), 'utf8')) as Partial<InstanceOwner>;
		const valid = typeof owner.boot === 'string' && typeof owner.pidns === 'string' && Number.isInteger(owner.pid) && typeof owner.start === 'string';
		return valid ? (owner as InstanceOwner) : undefined;
	} catch {
		return undefined;
	}
}

function ageMs(dir: string): number {
	try {
		return Date.now() - fs.statSync(dir).mtimeMs;
	} catch {
		return 0;
	}
}

/**
 * Kills every process whose command line names a path under `dir` (Chromium carries its
 * `--user-data-dir`), with its process group when it leads one, and waits until they are gone.
 */
async function killProcessesUsing(dir: string): Promise<void> {
	// NOTE: /proc/<pid>/cmdline separates arguments with NUL: the path, then `/` or the argument's end.
	const needles = [`${dir}/`, `${dir}\0`];
	const ownGroup = processGroupOf(process.pid);
	const groups = new Set<number>();
	const lone = new Set<number>();
	for (const pid of processIds()) {
		const cmdline = commandLine(pid);
		if (!cmdline || !needles.some((needle) => cmdline.includes(needle))) continue;
		const group = processGroupOf(pid);
		// NOTE: a whole group is killed only when its leader is one of these processes, and never ours.
		if (group === pid && group !== ownGroup) groups.add(pid);
		else lone.add(pid);
	}
	for (const pid of lone) {
		try {
			process.kill(pid, 'SIGKILL');
		} catch {
			// ESRCH: gone already.
		}
	}
	await Promise.all([...groups].map((group) => killProcessGroup(group).catch(() => undefined)));
}

/**
 * Deletes a tree. A directory owned by the service's user is walked here; one owned by
 * another user (a session directory) is emptied as that user, then removed (see the
 * module's note on why).
 */
async function removeTree(dir: string): Promise<void> {
	let stats: fs.Stats;
	try {
		stats = await fs.promises.lstat(dir);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
		throw error;
	}
	if (!stats.isDirectory()) {
		await fs.promises.unlink(dir);
		return;
	}
	const self = process.getuid?.();
	if (stats.uid === self) {
		if (self !== 0) {
			// NOTE: all of it is this (non-root) user's: nothing in it can make us delete more than this user could anyway.
			await fs.promises.rm(dir, { recursive: true, force: true, maxRetries: 3 });
			return;
		}
		// NOTE: root's own directories here (the instance directories) are writable by root only,
		// so what is checked below cannot be swapped before it is acted on.
		for (const entry of await fs.promises.readdir(dir)) await removeTree(path.join(dir, entry));
		await fs.promises.rmdir(dir);
		return;
	}
	// NOTE: chmod first: a directory its owner made unwritable could not be emptied. Neither
	// command follows symbolic links, and -xdev keeps find on this file system.
	await runAs({ uid: stats.uid, gid: stats.gid }, '/bin/sh', ['-c', 'chmod -R u+rwX -- "$0" 2>/dev/null; exec find "$0" -xdev -mindepth 1 -delete', dir]).catch(
		() => undefined, // NOTE: whatever is left makes the rmdir below fail, which is reported.
	);
	await fs.promises.rmdir(dir);
}

/** The boot and PID namespace this process runs in. */
function processIdentity(): Pick<InstanceOwner, 'boot' | 'pidns'> {
	const boot = fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
	const pidns = /\[(\d+)\]/.exec(fs.readlinkSync('/proc/self/ns/pid'))?.[1] ?? '0';
	return { boot, pidns };
}

/** Field 22 of /proc/<pid>/stat (start time in clock ticks since boot), or undefined if there is no such process. */
function processStartTime(pid: number): string | undefined {
	return statFields(pid)?.[19];
}
