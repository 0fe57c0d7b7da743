import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyPassword } from './auth/passwords.js';
import { DEMO_USERS, ensureFirstRun, FIRST_RUN_FILE } from './bootstrap.js';
import { createLogger } from './logger.js';
import { SqliteStore } from './store/SqliteStore.js';

describe('ensureFirstRun', () => {
	let dir: string;
	let store: SqliteStore;

	beforeEach(() => {
		dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alongside-first-run-'));
		store = SqliteStore.open(':memory:');
	});

	afterEach(async () => {
		await store.close();
		fs.rmSync(dir, { recursive: true, force: true });
	});

	it('creates the demo company and three users whose generated passwords work', async () => {
		const info = await ensureFirstRun(store, dir, createLogger('silent'));
		expect(info?.credentials.map((c) => [c.email, c.role])).toEqual([
			['admin@demo.local', 'admin'],
			['agent@demo.local', 'agent'],
			['supervisor@demo.local', 'supervisor'],
		]);
		expect((await store.getCompany('demo'))?.name).toBe('Demo Company');
		for (const c of info?.credentials ?? []) {
			const user = await store.getUserByEmail('demo', c.email);
			expect(user?.companyId).toBe('demo');
			expect(await verifyPassword(c.password, user?.passwordHash ?? '')).toBe(true);
		}
		expect((await store.getUserByEmail('demo', 'agent@demo.local'))?.name).toBe('Alex');
		expect((await store.getUserByEmail('demo', 'supervisor@demo.local'))?.permissions).toEqual({ cobrowse: false, control: false, supervise: true, record: false });
	});

	it('writes the credentials to a 0600 file that says to delete it', async () => {
		const info = await ensureFirstRun(store, dir, createLogger('silent'));
		expect(info?.file).toBe(path.join(dir, FIRST_RUN_FILE));
		const file = info?.file ?? '';
		expect(fs.statSync(file).mode & 0o777).toBe(0o600);
		const text = fs.readFileSync(file, 'utf8');
		expect(text).toMatch(/DELETE THIS FILE/);
		for (const c of info?.credentials ?? []) expect(text).toContain(c.password);
	});

	it('does nothing once a company exists', async () => {
		await ensureFirstRun(store, dir, createLogger('silent'));
		fs.rmSync(path.join(dir, FIRST_RUN_FILE));
		expect(await ensureFirstRun(store, dir, createLogger('silent'))).toBeNull();
		expect(await store.listUsers('demo')).toHaveLength(DEMO_USERS.length);
		expect(fs.existsSync(path.join(dir, FIRST_RUN_FILE))).toBe(false);
	});

	it('never logs the passwords', async () => {
		const lines: string[] = [];
		const logger = pino({ level: 'trace' }, { write: (line: string) => lines.push(line) });
		const info = await ensureFirstRun(store, dir, logger);
		expect(lines.length).toBeGreaterThan(0);
		for (const c of info?.credentials ?? []) expect(lines.join('')).not.toContain(c.password);
	});
});
