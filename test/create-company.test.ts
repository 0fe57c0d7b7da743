/**
 * `npm run company:create`: the first account of a production installation, from the shell.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyPassword } from '../signaling/auth/passwords.js';
import { SqliteStore } from '../signaling/store/SqliteStore.js';

const repo = path.resolve(import.meta.dirname, '..');
const dirs: string[] = [];

function run(dataDir: string, args: string[]) {
	return spawnSync(process.execPath, ['--import', 'tsx', 'scripts/create-company.ts', ...args], {
		cwd: repo,
		env: { ...process.env, ALONGSIDE_DATA_DIR: dataDir },
		encoding: 'utf8',
	});
}

afterEach(() => {
	for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe('company:create', () => {
	it('creates a company and its admin, printing the password once, which signs in', async () => {
		const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'alongside-cc-'));
		dirs.push(dataDir);
		const result = run(dataDir, ['--company', 'acme', '--name', 'Acme Inc', '--admin', 'Boss@Acme.example']);
		expect(result.status).toBe(0);
		const password = /^ {2}(\S+)$/m.exec(result.stdout)?.[1];
		expect(password).toMatch(/^[\w-]{16,}$/);
		const store = SqliteStore.open(path.join(dataDir, 'alongside.db'));
		try {
			const admin = await store.getUserByEmail('acme', 'boss@acme.example');
			expect(admin).toMatchObject({ role: 'admin', companyId: 'acme', disabled: false });
			expect(await verifyPassword(password!, admin!.passwordHash)).toBe(true);
			expect((await store.listAudit('acme', { limit: 5 })).map((e) => e.action)).toEqual(['company.created']);
			// The password is not kept anywhere in clear.
			expect(fs.readFileSync(path.join(dataDir, 'alongside.db')).includes(password!)).toBe(false);
		} finally {
			await store.close();
		}
		// A second run for the same company changes nothing and says why.
		const again = run(dataDir, ['--company', 'acme', '--name', 'Other', '--admin', 'x@acme.example']);
		expect(again.status).toBe(1);
		expect(again.stderr).toContain('company "acme" already exists');
	});

	it('names the bad argument', () => {
		const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'alongside-cc-'));
		dirs.push(dataDir);
		const result = run(dataDir, ['--company', 'Not Valid', '--name', 'X', '--admin', 'not-an-email']);
		expect(result.status).toBe(1);
		expect(result.stderr).toMatch(/--company: expected 2-41 lower-case/);
		expect(result.stderr).toMatch(/--admin: /);
	});
});
