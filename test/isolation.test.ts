/**
 * The cloud browser's isolation from the service, with a real Chromium: it runs as the
 * browser user with Chromium's sandbox on, cannot read the data directory, cannot download,
 * leaves nothing behind, and what a crashed instance left is swept at the next start.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrowserUser, runAs } from '../publisher/chromium.js';
import { commandLine, processGroupAlive, processIds, statFields } from '../publisher/processGroup.js';
import type { Alongside } from '../signaling/Alongside.js';
import type { Session } from '../signaling/Session.js';
import { account, startAlongside } from './helpers.js';

let app: Alongside;
let user: BrowserUser;

beforeAll(async () => {
	app = await startAlongside();
	const browserUser = app.config.publisher.host!.user;
	if (!browserUser) throw new Error('these tests need root: only root starts the cloud browsers as the browser user');
	user = browserUser;
});

afterAll(async () => {
	await app?.close();
});

async function newSession(): Promise<Session> {
	const agent = (await app.store.getUserByEmail('demo', account(app, 'agent').email))!;
	const session = await app.startSession(agent);
	await session.ready;
	return session;
}

interface ProcessInfo {
	pid: number;
	cmdline: string;
	status: Record<string, string>;
	ns: { user: string; pid: string; net: string };
}

/** The live processes of a Chromium's process group, with their credentials and namespaces. */
function chromiumTree(pgid: number): ProcessInfo[] {
	const tree: ProcessInfo[] = [];
	for (const entry of processIds()) {
		try {
			const [state, , pgrp] = statFields(entry) ?? [];
			if (Number(pgrp) !== pgid || state === 'Z') continue;
			const status = Object.fromEntries(
				fs
					.readFileSync(`/proc/${entry}/status`, 'utf8')
					.split('\n')
					.map((line) => line.split(':\t'))
					.filter((pair) => pair.length === 2)
					.map(([key, value]) => [key!, value!.trim()]),
			);
			const ns = (kind: string) => fs.readlinkSync(`/proc/${entry}/ns/${kind}`);
			tree.push({ pid: entry, cmdline: fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' '), status, ns: { user: ns('user'), pid: ns('pid'), net: ns('net') } });
		} catch {
			continue; // NOTE: it exited while we looked.
		}
	}
	return tree;
}

/** Every path under `dirs` (not following links, on their file systems) whose name contains `needle`. */
function findNamed(dirs: string[], needle: string): string[] {
	const existing = dirs.filter((dir) => fs.existsSync(dir));
	// NOTE: find exits 1 when some directory cannot be read; what it found is still on stdout.
	const result = spawnSync('find', [...existing, '-xdev', '-name', `*${needle}*`], { encoding: 'utf8' });
	return result.stdout.split('\n').filter(Boolean);
}

describe('the cloud browser process', () => {
	it("runs as the browser user, never root, with Chromium's sandbox on: renderers in their own user, PID and network namespaces under seccomp", async () => {
		const session = await newSession();
		try {
			expect(user.uid).not.toBe(0);
			expect(user.uid).not.toBe(process.getuid!());
			const tree = chromiumTree(session.browser.pid!);
			expect(tree.length).toBeGreaterThan(2);
			for (const proc of tree) {
				expect(proc.status.Uid!.split(/\s+/), proc.cmdline.slice(0, 80)).toEqual(Array(4).fill(String(user.uid)));
				expect(proc.status.Gid!.split(/\s+/)).toEqual(Array(4).fill(String(user.gid)));
				expect(proc.status.Groups ?? '').toBe('');
				expect(proc.status.NoNewPrivs).toBe('1');
				// NOTE: sandboxed processes hold capabilities inside their own user namespace only.
				if (proc.ns.user === fs.readlinkSync('/proc/self/ns/user')) expect(proc.status.CapEff).toBe('0000000000000000');
				expect(proc.cmdline).not.toContain('--no-sandbox');
			}
			const renderers = tree.filter((proc) => proc.cmdline.includes('--type=renderer'));
			expect(renderers.length).toBeGreaterThan(0);
			const self = { user: fs.readlinkSync('/proc/self/ns/user'), pid: fs.readlinkSync('/proc/self/ns/pid'), net: fs.readlinkSync('/proc/self/ns/net') };
			for (const renderer of renderers) {
				expect(renderer.status.Seccomp).toBe('2');
				expect(renderer.ns.user).not.toBe(self.user);
				expect(renderer.ns.pid).not.toBe(self.pid);
				expect(renderer.ns.net).not.toBe(self.net);
			}
		} finally {
			await session.end('agent_ended');
		}
	});

	it("gets its own HOME and TMPDIR inside the session directory, and none of the service's environment", async () => {
		process.env.ALONGSIDE_ISOLATION_CANARY = 'service-only';
		try {
			const session = await newSession();
			try {
				const environ = fs.readFileSync(`/proc/${session.browser.pid}/environ`, 'utf8').split('\0');
				const dir = session.browser.profileDir;
				expect(environ).toContain(`HOME=${dir}/home`);
				expect(environ).toContain(`TMPDIR=${dir}/tmp`);
				expect(environ.filter((line) => line.startsWith('ALONGSIDE_'))).toEqual([]);
				const stats = fs.statSync(dir);
				expect([stats.uid, stats.mode & 0o777]).toEqual([user.uid, 0o700]);
			} finally {
				await session.end('agent_ended');
			}
		} finally {
			delete process.env.ALONGSIDE_ISOLATION_CANARY;
		}
	});
});

describe('the data directory', () => {
	it('cannot be read by a page, while a world-readable file can', async () => {
		const dataDir = app.config.signaling.dataDir;
		const keys = fs.readFileSync(path.join(dataDir, 'keys.json'), 'utf8');
		const control = fs.mkdtempSync(path.join(os.tmpdir(), 'alongside-control-'));
		fs.chmodSync(control, 0o755);
		fs.writeFileSync(path.join(control, 'control.txt'), 'control file, readable by everyone', { mode: 0o644 });
		const session = await newSession();
		try {
			const page = session.browser.page;
			// The URL policy refuses file: pages first (the tab stays where it was)...
			for (const file of [`${control}/control.txt`, `${dataDir}/keys.json`]) {
				const failure = await page.goto(`file://${file}`).then(
					() => 'loaded',
					(error: Error) => error.message,
				);
				expect(failure, file).toMatch(/net::ERR_ABORTED/);
			}
			const shown = await page.evaluate(() => document.body?.innerText ?? '');
			expect(shown).not.toContain(keys.slice(0, 40));
			// ...and below it, the browser's user cannot read the data directory, should a page
			// get there some other way, while it reads a world-readable file.
			await runAs(user, '/bin/cat', [path.join(control, 'control.txt')]);
			await expect(runAs(user, '/bin/cat', [path.join(dataDir, 'keys.json')])).rejects.toThrow(/Permission denied/);
			// NOTE: Chromium shows a directory listing page even when the directory cannot be read.
			await page.goto(`file://${dataDir}/`).catch(() => undefined);
			const listing = await page.evaluate(() => document.body?.innerText ?? '');
			expect(listing).not.toMatch(/keys\.json|alongside\.db/);
		} finally {
			await session.end('agent_ended');
			fs.rmSync(control, { recursive: true, force: true });
		}
	});

	it('is made private (0700) at start when an earlier install left it readable', async () => {
		const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'alongside-open-'));
		fs.chmodSync(dataDir, 0o755);
		const other = await startAlongside({ ALONGSIDE_DATA_DIR: dataDir });
		try {
			expect(fs.statSync(dataDir).mode & 0o777).toBe(0o700);
		} finally {
			await other.close();
		}
	});
});

describe('downloads', () => {
	it("are refused: nothing is written in the session directory, the browser user's home or the usual places", async () => {
		const token = `alongside-dl-${process.pid}-${Date.now()}`;
		const requested: string[] = [];
		const fixture = http.createServer((req, res) => {
			requested.push(req.url ?? '');
			if (req.url === '/') {
				res.writeHead(200, { 'content-type': 'text/html' }).end(`<a id="link" href="/file.bin" download="${token}-link.bin">download</a>
<script>
	window.blobDownload = () => {
		const a = document.createElement('a');
		a.href = URL.createObjectURL(new Blob(['blob content'], { type: 'application/octet-stream' }));
		a.download = '${token}-blob.bin';
		document.body.append(a);
		a.click();
	};
</script>`);
			} else if (req.url === '/file.bin' || req.url === '/attachment') {
				res.writeHead(200, {
					'content-type': 'application/octet-stream',
					'content-disposition': `attachment; filename="${token}${req.url === '/attachment' ? '-attachment' : '-file'}.bin"`,
				}).end('downloaded content');
			} else {
				res.writeHead(404).end();
			}
		});
		await new Promise<void>((resolve) => fixture.listen(0, '127.0.0.1', resolve));
		const base = `http://127.0.0.1:${(fixture.address() as AddressInfo).port}`;
		const session = await newSession();
		const dir = session.browser.profileDir;
		try {
			await session.browser.navigate(`${base}/`);
			const page = session.browser.page;
			await page.click('#link');
			await page.evaluate('window.blobDownload()');
			// A navigation that turns into a download does not commit.
			await session.browser.navigate(`${base}/attachment`).catch(() => undefined);
			// The downloads were attempted (the requests were made): refusing is what keeps them off disk.
			await expect.poll(() => requested).toEqual(expect.arrayContaining(['/file.bin', '/attachment']));
			await new Promise((resolve) => setTimeout(resolve, 1500));
			expect(findNamed([dir, '/tmp', '/dev/shm', '/var/tmp', os.homedir(), '/home', '/nonexistent', process.cwd()], token)).toEqual([]);
			expect(findNamed([dir], '.crdownload')).toEqual([]);
			expect(fs.existsSync(path.join(dir, 'home', 'Downloads'))).toBe(false);
		} finally {
			await session.end('agent_ended');
			await new Promise((resolve) => fixture.close(resolve));
		}
	});
});

describe('at the end of a session', () => {
	it('deletes the session directory and leaves no process of the browser user behind', async () => {
		const session = await newSession();
		const dir = session.browser.profileDir;
		const pid = session.browser.pid!;
		const marker = path.basename(dir);
		await session.end('agent_ended');
		expect(fs.existsSync(dir)).toBe(false);
		expect(processGroupAlive(pid)).toBe(false);
		expect(processIds().filter((pid) => commandLine(pid)?.includes(marker))).toEqual([]);
	});
});

describe('sweeping at start', () => {
	/** The boot id and PID namespace, as instance.json records them. */
	const identity = () => ({
		boot: fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim(),
		pidns: /\[(\d+)\]/.exec(fs.readlinkSync('/proc/self/ns/pid'))![1]!,
	});
	const startTime = (pid: number) => {
		const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
		return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]!;
	};

	/** An instance directory as a crashed (or running) instance leaves it, with one session directory of the browser user holding a cookie file and a link out. */
	function fakeInstance(root: string, name: string, owner: { pid: number; start: string }, linkTo: string): string {
		const dir = path.join(root, name);
		fs.mkdirSync(dir, { mode: 0o711 });
		fs.writeFileSync(path.join(dir, 'instance.json'), JSON.stringify({ ...identity(), ...owner }));
		const session = path.join(dir, 'abcdef01-Xy12Zq');
		fs.mkdirSync(path.join(session, 'profile', 'Default'), { recursive: true });
		fs.writeFileSync(path.join(session, 'profile', 'Default', 'Cookies'), 'session=secret');
		// NOTE: what a page that escaped the sandbox could leave: a link to something it wants deleted.
		fs.symlinkSync(linkTo, path.join(session, 'profile', 'link'));
		fs.chmodSync(session, 0o700);
		execFileSync('chown', ['-R', '--no-dereference', `${user.uid}:${user.gid}`, session]);
		return dir;
	}

	it("deletes what crashed instances left and kills their Chromium, but leaves running instances' sessions alone", async () => {
		const root = app.config.publisher.profileDir;
		const made: string[] = [];
		const name = () => `z${Math.random().toString(36).slice(2, 7).padEnd(5, '0')}`;
		const canary = fs.mkdtempSync(path.join(os.tmpdir(), 'alongside-canary-'));
		fs.writeFileSync(path.join(canary, 'keep'), 'must survive the sweep');
		const children: ReturnType<typeof spawn>[] = [];
		// A live session of a running instance (this process's app).
		const live = await newSession();
		let second: Alongside | undefined;
		try {
			const liveDir = live.browser.profileDir;
			// An instance whose process has exited.
			const exited = spawn('true');
			await once(exited, 'exit');
			const gone = fakeInstance(root, name(), { pid: exited.pid!, start: '1' }, canary);
			made.push(gone);
			// An instance whose pid is now another (running) process: this one, started at another time.
			const reused = fakeInstance(root, name(), { pid: process.pid, start: String(Number(startTime(process.pid)) - 1) }, canary);
			made.push(reused);
			// A process still running from the crashed instance's directory, as its Chromium would.
			const leftover = spawn('setpriv', [`--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups', '--', 'sh', '-c', 'sleep 60; :', `--user-data-dir=${gone}/abcdef01-Xy12Zq/profile`], {
				detached: true,
				stdio: 'ignore',
			});
			children.push(leftover);
			const leftoverExit = once(leftover, 'exit');
			// Another running process's instance (say, another test process): its pid and start time match.
			const other = spawn('sleep', ['60'], { stdio: 'ignore' });
			children.push(other);
			await new Promise((resolve) => setTimeout(resolve, 50));
			const running = fakeInstance(root, name(), { pid: other.pid!, start: startTime(other.pid!) }, canary);
			made.push(running);
			// An instance of another PID namespace (a container sharing the directory): cannot be judged, so kept.
			const foreign = fakeInstance(root, name(), { pid: 1, start: '1' }, canary);
			made.push(foreign);
			fs.writeFileSync(path.join(foreign, 'instance.json'), JSON.stringify({ ...identity(), pidns: '1', pid: 1, start: '1' }));

			second = await startAlongside();
			expect(fs.existsSync(gone)).toBe(false);
			expect(fs.existsSync(reused)).toBe(false);
			await leftoverExit;
			expect(fs.existsSync(path.join(running, 'abcdef01-Xy12Zq'))).toBe(true);
			expect(fs.existsSync(foreign)).toBe(true);
			expect(fs.existsSync(liveDir)).toBe(true);
			expect(processGroupAlive(live.browser.pid!)).toBe(true);
			expect(fs.existsSync(app.config.publisher.host!.instanceDir)).toBe(true);
			expect(fs.readFileSync(path.join(canary, 'keep'), 'utf8')).toBe('must survive the sweep');
		} finally {
			await second?.close();
			for (const child of children) child.kill('SIGKILL');
			for (const dir of made) {
				// NOTE: as the browser user first: the test may run with only the service's capabilities (no DAC_OVERRIDE).
				spawnSync('setpriv', [`--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups', '--', 'rm', '-rf', path.join(dir, 'abcdef01-Xy12Zq')]);
				fs.rmSync(dir, { recursive: true, force: true });
			}
			fs.rmSync(canary, { recursive: true, force: true });
			await live.end('agent_ended');
		}
	});
});
