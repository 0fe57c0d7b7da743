import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BrowserHost } from './BrowserHost.js';
import { BrowserSetupError, resolveBrowserUser } from './chromium.js';
import { loadPublisherConfig } from './config.js';

const silent = pino({ level: 'silent' });
const cleanups: Array<() => unknown> = [];

afterEach(async () => {
	vi.restoreAllMocks();
	for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDir(prefix: string): string {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
	cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
	return dir;
}

describe('resolveBrowserUser (fails closed)', () => {
	it('refuses to start the browsers as another user when the service is not root, and names the development escape hatch', async () => {
		vi.spyOn(process, 'getuid').mockReturnValue(1000);
		await expect(resolveBrowserUser('alongside-browser', silent)).rejects.toThrow(/only root can switch to it.*ALONGSIDE_BROWSER_USER=@self/);
	});

	it('runs them as the service user only when told to (@self), with a warning', async () => {
		vi.spyOn(process, 'getuid').mockReturnValue(1000);
		const warn = vi.fn();
		expect(await resolveBrowserUser('@self', { warn } as unknown as typeof silent)).toBeNull();
		expect(warn).toHaveBeenCalledWith(expect.stringMatching(/development only/));
	});

	it("refuses @self for a service running as root: Chromium's sandbox cannot run as root", async () => {
		vi.spyOn(process, 'getuid').mockReturnValue(0);
		await expect(resolveBrowserUser('@self', silent)).rejects.toThrow(BrowserSetupError);
	});

	it('refuses a user that does not exist, saying how to create it, and refuses root', async () => {
		vi.spyOn(process, 'getuid').mockReturnValue(0);
		await expect(resolveBrowserUser('alongside-nosuchuser', silent)).rejects.toThrow(/does not exist: run scripts\/setup\.sh/);
		await expect(resolveBrowserUser('root', silent)).rejects.toThrow(/must not be root/);
	});

	it('reads the configured name from ALONGSIDE_BROWSER_USER, default alongside-browser, and refuses what is not a user name', () => {
		expect(loadPublisherConfig({}).browserUser).toBe('alongside-browser');
		expect(loadPublisherConfig({ ALONGSIDE_BROWSER_USER: '@self' }).browserUser).toBe('@self');
		expect(() => loadPublisherConfig({ ALONGSIDE_BROWSER_USER: 'x;rm -rf /' })).toThrow(/ALONGSIDE_BROWSER_USER/);
	});
});

// NOTE: these switch users, as the service does: they need root (CI runs as root).
describe('BrowserHost', () => {
	it('refuses a profile directory that another user owns, or a link someone planted there', async () => {
		const parent = tempDir('alongside-host-');
		const foreign = path.join(parent, 'foreign');
		fs.mkdirSync(foreign);
		fs.chownSync(foreign, 65534, 65534);
		const planted = path.join(parent, 'planted');
		fs.symlinkSync(parent, planted);
		for (const profileDir of [foreign, planted]) {
			const config = { ...loadPublisherConfig({}), profileDir };
			await expect(BrowserHost.create({ config, logger: silent })).rejects.toThrow(/must be a directory owned by the service's user/);
		}
	});

	it("refuses a profile directory whose paths would be too long for Chromium's sockets", async () => {
		const config = { ...loadPublisherConfig({}), profileDir: `/tmp/${'x'.repeat(60)}` };
		await expect(BrowserHost.create({ config, logger: silent })).rejects.toThrow(/too long/);
	});

	it('makes session directories of the browser user, 0700, and deletes them without following links planted in them', async () => {
		const profileDir = tempDir('alongside-host-');
		const host = await BrowserHost.create({ config: { ...loadPublisherConfig({}), profileDir }, logger: silent });
		cleanups.push(() => host.close());
		const user = host.user!;
		expect(fs.statSync(host.instanceDir).mode & 0o777).toBe(0o711);
		const dir = await host.createSessionDir('0123456789abcdef');
		expect(path.basename(dir.root)).toMatch(/^01234567-\w{6}$/);
		for (const sub of [dir.root, dir.profile, dir.home, dir.tmp]) {
			const stats = fs.statSync(sub);
			expect([stats.uid, stats.gid, stats.mode & 0o777]).toEqual([user.uid, user.gid, 0o700]);
		}
		const canary = tempDir('alongside-canary-');
		fs.writeFileSync(path.join(canary, 'keep'), 'keep');
		fs.symlinkSync(canary, path.join(dir.home, 'link'));
		fs.lchownSync(path.join(dir.home, 'link'), user.uid, user.gid);
		fs.mkdirSync(path.join(dir.profile, 'locked'));
		fs.writeFileSync(path.join(dir.profile, 'locked', 'file'), 'x');
		fs.chownSync(path.join(dir.profile, 'locked'), user.uid, user.gid);
		fs.chmodSync(path.join(dir.profile, 'locked'), 0o500);
		await host.removeSessionDir(dir);
		expect(fs.existsSync(dir.root)).toBe(false);
		expect(fs.readFileSync(path.join(canary, 'keep'), 'utf8')).toBe('keep');
		await host.close();
		expect(fs.existsSync(host.instanceDir)).toBe(false);
	});
});
