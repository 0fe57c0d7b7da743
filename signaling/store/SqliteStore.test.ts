import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../protocol/errors.js';
import { MIGRATIONS } from './migrations.js';
import { SqliteStore } from './SqliteStore.js';
import type { Company, Pin, User } from './Store.js';

const company = (id: string): Company => ({
	id,
	name: `Company ${id}`,
	settings: { announceSupervision: false, pinTtlSeconds: 600, brandName: null, startUrl: null, allowedDomains: [], customerAnnotations: false, brandColor: null, agentNameFormat: 'full', logoVersion: null, recording: 'off', retentionDays: 30, outcomes: [] },
	createdAt: 1_000,
});

const user = (id: string, companyId: string, email: string): User => ({
	id,
	companyId,
	email,
	name: id,
	role: 'agent',
	permissions: { cobrowse: true, control: true, supervise: false, record: false },
	disabled: false,
	passwordHash: 'scrypt$x',
	createdAt: 1_000,
});

const pin = (id: string, overrides: Partial<Pin> = {}): Pin => ({
	id,
	companyId: 'acme',
	lookup: `lookup-${id}`,
	watchTokenHash: `watch-${id}`,
	createdAt: 1_000,
	expiresAt: 10_000,
	redeemedAt: null,
	redeemedBy: null,
	sessionId: null,
	...overrides,
});

describe('SqliteStore', () => {
	let store: SqliteStore;

	beforeEach(async () => {
		store = SqliteStore.open(':memory:');
		await store.createCompany(company('acme'));
		await store.createCompany(company('globex'));
	});

	afterEach(async () => {
		await store.close();
	});

	describe('on disk', () => {
		let dir: string;
		beforeEach(() => {
			dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alongside-store-'));
		});
		afterEach(() => {
			fs.rmSync(dir, { recursive: true, force: true });
		});

		it('creates a missing database file with mode 0600 in a new 0700 directory', async () => {
			const file = path.join(dir, 'data', 'alongside.db');
			const disk = SqliteStore.open(file);
			await disk.close();
			expect(fs.statSync(file).mode & 0o777).toBe(0o600);
			expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
		});

		it('applies migrations once and keeps the data when reopened', async () => {
			const file = path.join(dir, 'alongside.db');
			const first = SqliteStore.open(file);
			expect(first.schemaVersion).toBe(MIGRATIONS.length);
			await first.createCompany(company('acme'));
			await first.close();

			const second = SqliteStore.open(file);
			expect(second.schemaVersion).toBe(MIGRATIONS.length);
			expect((await second.getCompany('acme'))?.name).toBe('Company acme');
			expect(await second.countCompanies()).toBe(1);
			await second.close();
		});

		it('rebuilds the users table (migration 3) without losing users or the rows that refer to them', async () => {
			const file = path.join(dir, 'alongside.db');
			// A database as version 2 left it: emails unique across companies.
			const old = new Database(file);
			old.exec(MIGRATIONS[0]!);
			old.exec(MIGRATIONS[1]!);
			old.pragma('user_version = 2');
			old.prepare("INSERT INTO companies VALUES ('acme', 'Acme', '{}', 1)").run();
			old.prepare("INSERT INTO users VALUES ('u1', 'acme', 'alex@example.com', 'Alex', 'agent', '{}', 0, 'hash', 1)").run();
			old.prepare("INSERT INTO refresh_tokens VALUES ('r1', 'u1', 'f1', 'th', 9999999999999, NULL, NULL, 1)").run();
			old.prepare("INSERT INTO sessions VALUES ('s1', 'acme', 'u1', NULL, 1, NULL, NULL)").run();
			old.close();
			const migrated = SqliteStore.open(file);
			expect(migrated.schemaVersion).toBe(MIGRATIONS.length);
			expect((await migrated.getUserByEmail('acme', 'alex@example.com'))?.id).toBe('u1');
			expect((await migrated.getRefreshTokenByHash('th'))?.userId).toBe('u1');
			expect((await migrated.getSession('s1'))?.agentUserId).toBe('u1');
			await migrated.close();
		});
	});

	describe('rules', () => {
		const rule = { id: 'r1', kind: 'selector' as const, value: '#balance', domains: ['bank.example'], note: null };

		it('gives the defaults before any save, then saves whole with a new version per save', async () => {
			expect(await store.getRules('acme')).toEqual({ version: 0, disabledBuiltins: [], mask: [], updatedAt: null, updatedBy: null });
			const first = await store.saveRules('acme', { disabledBuiltins: ['iban'], mask: [rule] }, 0, 5_000, 'u1');
			expect(first).toEqual({ version: 1, disabledBuiltins: ['iban'], mask: [rule], updatedAt: 5_000, updatedBy: 'u1' });
			expect(await store.getRules('acme')).toEqual(first);
			expect((await store.saveRules('acme', { disabledBuiltins: [], mask: [] }, 1, 6_000, 'u2'))?.version).toBe(2);
			expect((await store.getRules('acme')).mask).toEqual([]);
			expect((await store.getRules('globex')).version).toBe(0);
		});

		it('refuses a save from a version that is no longer the newest (two admins at once: one wins)', async () => {
			const results = await Promise.all([
				store.saveRules('acme', { disabledBuiltins: ['iban'], mask: [] }, 0, 5_000, 'u1'),
				store.saveRules('acme', { disabledBuiltins: [], mask: [rule] }, 0, 5_000, 'u2'),
			]);
			expect(results.filter(Boolean)).toHaveLength(1);
			expect(await store.saveRules('acme', { disabledBuiltins: [], mask: [] }, 0, 6_000, 'u1')).toBeUndefined();
			expect((await store.getRules('acme')).updatedBy).toBe('u1');
		});
	});

	it('round-trips a company with its JSON settings and counts companies', async () => {
		expect(await store.countCompanies()).toBe(2);
		await store.updateCompanySettings('acme', { announceSupervision: true, pinTtlSeconds: 300, brandName: 'ACME', startUrl: 'https://acme.test/', allowedDomains: [], customerAnnotations: false, brandColor: null, agentNameFormat: 'full', logoVersion: null, recording: 'off', retentionDays: 30, outcomes: [] });
		expect(await store.getCompany('acme')).toEqual({
			...company('acme'),
			settings: { announceSupervision: true, pinTtlSeconds: 300, brandName: 'ACME', startUrl: 'https://acme.test/', allowedDomains: [], customerAnnotations: false, brandColor: null, agentNameFormat: 'full', logoVersion: null, recording: 'off', retentionDays: 30, outcomes: [] },
		});
		expect(await store.getCompany('nope')).toBeUndefined();
	});

	it('refuses a second company with the same id as a conflict', async () => {
		await expect(store.createCompany(company('acme'))).rejects.toMatchObject({ code: 'conflict', status: 409 });
	});

	it('stores emails lower-cased and finds users whatever the case of the lookup', async () => {
		await store.createUser(user('u1', 'acme', 'Alex@Example.COM'));
		expect((await store.getUser('u1'))?.email).toBe('alex@example.com');
		expect((await store.getUserByEmail('acme', 'ALEX@example.com'))?.id).toBe('u1');
	});

	it('refuses a second user with the same email in any case in the same company', async () => {
		await store.createUser(user('u1', 'acme', 'alex@example.com'));
		const error = await store.createUser(user('u2', 'acme', 'ALEX@example.com')).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(AppError);
		expect(error).toMatchObject({ code: 'conflict' });
		expect(await store.getUser('u2')).toBeUndefined();
	});

	it('lets two companies each have a user with the same email, found only within their company', async () => {
		await store.createUser(user('u1', 'acme', 'alex@example.com'));
		await store.createUser(user('u2', 'globex', 'alex@example.com'));
		expect((await store.getUserByEmail('acme', 'alex@example.com'))?.id).toBe('u1');
		expect((await store.getUserByEmail('globex', 'alex@example.com'))?.id).toBe('u2');
		expect(await store.getUserByEmail('initech', 'alex@example.com')).toBeUndefined();
	});

	it('never demotes the last enabled admin, even when two admins demote each other at once', async () => {
		await store.createUser({ ...user('a1', 'acme', 'a1@example.com'), role: 'admin' });
		await store.createUser({ ...user('a2', 'acme', 'a2@example.com'), role: 'admin' });
		const results = await Promise.all([
			store.updateUser('a1', { role: 'agent' }, { keepAnAdminIn: 'acme' }),
			store.updateUser('a2', { disabled: true }, { keepAnAdminIn: 'acme' }),
		]);
		expect(results.filter(Boolean)).toHaveLength(1);
		const admins = (await store.listUsers('acme')).filter((u) => u.role === 'admin' && !u.disabled);
		expect(admins).toHaveLength(1);
	});

	it('updates only the given user fields and reports a missing user', async () => {
		await store.createUser(user('u1', 'acme', 'alex@example.com'));
		expect(await store.updateUser('u1', { disabled: true, permissions: { cobrowse: false, control: false, supervise: false, record: false } })).toBe(true);
		const updated = await store.getUser('u1');
		expect(updated).toMatchObject({ disabled: true, name: 'u1', role: 'agent', permissions: { cobrowse: false, control: false, supervise: false, record: false } });
		expect(await store.updateUser('u1', {})).toBe(true);
		expect(await store.updateUser('ghost', { name: 'Ghost' })).toBe(false);
		expect(await store.updateUser('ghost', {})).toBe(false);
	});

	it('lists only the users of the given company', async () => {
		await store.createUser(user('u1', 'acme', 'a@example.com'));
		await store.createUser(user('u2', 'globex', 'b@example.com'));
		expect((await store.listUsers('acme')).map((u) => u.id)).toEqual(['u1']);
	});

	describe('PINs', () => {
		it('redeems a PIN only once', async () => {
			await store.insertPin(pin('p1'));
			await store.createUser(user('u1', 'acme', 'a@example.com'));
			expect(await store.redeemPin('p1', 2_000, 'u1', 's1')).toBe(true);
			expect(await store.redeemPin('p1', 2_001, 'u2', 's2')).toBe(false);
			expect(await store.getPinByWatchTokenHash('watch-p1')).toMatchObject({ redeemedAt: 2_000, redeemedBy: 'u1', sessionId: 's1' });
		});

		it('does not redeem an expired PIN', async () => {
			await store.insertPin(pin('p1', { expiresAt: 5_000 }));
			expect(await store.redeemPin('p1', 5_000, 'u1', 's1')).toBe(false);
			expect((await store.getPinByWatchTokenHash('watch-p1'))?.redeemedAt).toBeNull();
		});

		it('finds an open PIN by lookup but not once redeemed or expired', async () => {
			await store.insertPin(pin('p1'));
			expect((await store.findOpenPin('lookup-p1', 2_000))?.id).toBe('p1');
			expect(await store.findOpenPin('lookup-p1', 10_000)).toBeUndefined();
			await store.redeemPin('p1', 2_000, 'u1', 's1');
			expect(await store.findOpenPin('lookup-p1', 2_000)).toBeUndefined();
		});

		it('deletes only the PINs that expired before now', async () => {
			await store.insertPin(pin('old', { expiresAt: 4_000 }));
			await store.insertPin(pin('edge', { expiresAt: 5_000 }));
			await store.insertPin(pin('new', { expiresAt: 9_000 }));
			expect(await store.deleteExpiredPins(5_000)).toBe(1);
			expect(await store.getPinByWatchTokenHash('watch-old')).toBeUndefined();
			expect(await store.getPinByWatchTokenHash('watch-edge')).toBeDefined();
			expect(await store.getPinByWatchTokenHash('watch-new')).toBeDefined();
		});
	});

	describe('refresh tokens', () => {
		beforeEach(async () => {
			await store.createUser(user('u1', 'acme', 'a@example.com'));
			for (const [id, familyId] of [['t1', 'f1'], ['t2', 'f1'], ['t3', 'f2']] as const) {
				await store.insertRefreshToken({ id, userId: 'u1', familyId, tokenHash: `hash-${id}`, expiresAt: 9_000, usedAt: null, revokedAt: null, createdAt: 1_000 });
			}
		});

		it('spends a refresh token only once', async () => {
			expect(await store.useRefreshToken('t1', 2_000)).toBe(true);
			expect(await store.useRefreshToken('t1', 2_001)).toBe(false);
			expect((await store.getRefreshTokenByHash('hash-t1'))?.usedAt).toBe(2_000);
		});

		it('revokes a whole family and then refuses to spend its tokens', async () => {
			await store.revokeRefreshFamily('f1', 3_000);
			expect((await store.getRefreshTokenByHash('hash-t2'))?.revokedAt).toBe(3_000);
			expect(await store.useRefreshToken('t2', 3_001)).toBe(false);
			expect(await store.useRefreshToken('t3', 3_001)).toBe(true);
		});

		it('revokes every token of a user', async () => {
			await store.revokeUserRefreshTokens('u1', 3_000);
			for (const id of ['t1', 't2', 't3']) expect((await store.getRefreshTokenByHash(`hash-${id}`))?.revokedAt).toBe(3_000);
		});
	});

	describe('attempt limits', () => {
		const limits = { windowMs: 1_000, max: 3, lockMs: 5_000 };

		it('locks a key once it exceeds the maximum and refuses it while locked without counting', async () => {
			for (let i = 1; i <= 3; i++) expect(await store.hitAttempt('k', 100 + i, limits)).toEqual({ allowed: true, lockedUntil: null, count: i });
			expect(await store.hitAttempt('k', 200, limits)).toEqual({ allowed: false, lockedUntil: 5_200, count: 4 });
			expect(await store.hitAttempt('k', 3_000, limits)).toEqual({ allowed: false, lockedUntil: 5_200, count: 4 });
			expect(await store.lockedUntil('k', 3_000)).toBe(5_200);
			expect(await store.lockedUntil('other', 3_000)).toBeNull();
		});

		it('starts a fresh window once the lock has ended', async () => {
			for (let i = 0; i < 4; i++) await store.hitAttempt('k', 100, limits);
			expect(await store.lockedUntil('k', 5_100)).toBeNull();
			expect(await store.hitAttempt('k', 5_100, limits)).toEqual({ allowed: true, lockedUntil: null, count: 1 });
		});

		it('resets the count when the window has passed', async () => {
			for (let i = 0; i < 3; i++) await store.hitAttempt('k', 100, limits);
			expect(await store.hitAttempt('k', 1_100, limits)).toEqual({ allowed: true, lockedUntil: null, count: 1 });
		});

		it('forgets a key when its attempts are cleared', async () => {
			for (let i = 0; i < 4; i++) await store.hitAttempt('k', 100, limits);
			await store.clearAttempts('k');
			expect(await store.lockedUntil('k', 200)).toBeNull();
			expect((await store.hitAttempt('k', 200, limits)).count).toBe(1);
		});

		it('delays attempts after the first few by a doubling delay, within the window, then locks hard', async () => {
			const slow = { windowMs: 600_000, max: 6, lockMs: 900_000, backoff: { after: 2, baseMs: 1_000, maxMs: 4_000 } };
			let now = 0;
			const hit = async () => {
				const result = await store.hitAttempt('k', now, slow);
				const next = result.lockedUntil ?? now;
				return { ...result, wait: next - now };
			};
			expect(await hit()).toMatchObject({ allowed: true, count: 1, wait: 0 });
			expect(await hit()).toMatchObject({ allowed: true, count: 2, wait: 0 });
			expect(await hit()).toMatchObject({ allowed: true, count: 3, wait: 1_000 });
			// While delayed, attempts are refused and not counted.
			expect(await store.hitAttempt('k', now + 500, slow)).toMatchObject({ allowed: false, count: 3 });
			now += 1_000;
			expect(await hit()).toMatchObject({ allowed: true, count: 4, wait: 2_000 });
			now += 2_000;
			expect(await hit()).toMatchObject({ allowed: true, count: 5, wait: 4_000 });
			now += 4_000;
			expect(await hit()).toMatchObject({ allowed: true, count: 6, wait: 4_000 });
			now += 4_000;
			expect(await hit()).toMatchObject({ allowed: false, count: 7, wait: 900_000 });
		});

		it('takes back a forgiven attempt', async () => {
			for (let i = 0; i < 3; i++) await store.hitAttempt('k', 100, limits);
			await store.forgiveAttempt('k');
			expect(await store.hitAttempt('k', 100, limits)).toMatchObject({ allowed: true, count: 3 });
		});
	});

	describe('retention', () => {
		it('purges old attempt counters, expired refresh tokens and audit entries past retention, and keeps the rest', async () => {
			await store.createUser(user('u1', 'acme', 'a@example.com'));
			const limits = { windowMs: 1_000, max: 3, lockMs: 10_000 };
			await store.hitAttempt('old', 100, limits);
			await store.hitAttempt('recent', 5_000, limits);
			for (let i = 0; i < 4; i++) await store.hitAttempt('locked', 100, limits); // locked until 10 100
			const token = (id: string, expiresAt: number) => ({ id, userId: 'u1', familyId: 'f', tokenHash: `h-${id}`, expiresAt, usedAt: null, revokedAt: null, createdAt: 0 });
			await store.insertRefreshToken(token('expired', 4_000));
			await store.insertRefreshToken(token('valid', 9_000));
			await store.audit({ companyId: 'acme', actorType: 'system', actorId: null, action: 'test.old', at: 1_000 });
			await store.audit({ companyId: 'acme', actorType: 'system', actorId: null, action: 'test.new', at: 6_000 });

			expect(await store.purge(6_000, { attemptsBefore: 4_000, auditBefore: 2_000 })).toEqual({ attempts: 1, refreshTokens: 1, audit: 1, messages: 0 });
			expect((await store.hitAttempt('old', 6_000, limits)).count).toBe(1);
			expect((await store.hitAttempt('recent', 5_500, limits)).count).toBe(2);
			expect(await store.lockedUntil('locked', 6_000)).toBe(10_100);
			expect(await store.getRefreshTokenByHash('h-expired')).toBeUndefined();
			expect((await store.getRefreshTokenByHash('h-valid'))?.id).toBe('valid');
			expect((await store.listAudit('acme', { limit: 10 })).map((e) => e.action)).toEqual(['test.new']);
		});
	});

	describe('audit log', () => {
		it('lists a company’s entries newest first, pages with beforeId, and hides other companies’ entries', async () => {
			for (let i = 1; i <= 5; i++) {
				await store.audit({ companyId: 'acme', actorType: 'user', actorId: 'u1', action: `test.a${i}`, detail: { i }, at: i });
				await store.audit({ companyId: 'globex', actorType: 'system', actorId: null, action: `test.g${i}` });
			}
			const page1 = await store.listAudit('acme', { limit: 2 });
			expect(page1.map((e) => e.action)).toEqual(['test.a5', 'test.a4']);
			expect(page1[0]).toMatchObject({ companyId: 'acme', actorType: 'user', actorId: 'u1', detail: { i: 5 }, at: 5, sessionId: null, ip: null });
			const page2 = await store.listAudit('acme', { limit: 10, beforeId: page1[1]?.id });
			expect(page2.map((e) => e.action)).toEqual(['test.a3', 'test.a2', 'test.a1']);
		});
	});

	describe('session records', () => {
		beforeEach(async () => {
			await store.createUser(user('u1', 'acme', 'a@example.com'));
			await store.insertSession({ id: 's1', companyId: 'acme', agentUserId: 'u1', pinId: null, startedAt: 1, endedAt: null, endReason: null });
			await store.insertSession({ id: 's2', companyId: 'acme', agentUserId: 'u1', pinId: 'p', startedAt: 2, endedAt: null, endReason: null });
		});

		it('lists live and ended sessions separately, newest first', async () => {
			await store.endSession('s1', 10, 'agent_ended');
			await store.endSession('s1', 20, 'server_shutdown');
			expect(await store.getSession('s1')).toMatchObject({ endedAt: 10, endReason: 'agent_ended' });
			expect((await store.listSessions('acme', { live: true, limit: 10 })).map((s) => s.id)).toEqual(['s2']);
			expect((await store.listSessions('acme', { live: false, limit: 10 })).map((s) => s.id)).toEqual(['s1']);
			expect((await store.listSessions('acme', { limit: 10 })).map((s) => s.id)).toEqual(['s2', 's1']);
			expect(await store.listSessions('globex', { limit: 10 })).toEqual([]);
		});
	});

	it('can be closed twice', async () => {
		await store.close();
		await expect(store.close()).resolves.toBeUndefined();
	});
});
