import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { authRoutes } from '../auth/routes.js';
import type { ErrorBody } from '../common.js';
import { startTestApi, type TestApi } from '../testing.js';
import type { CompanyRules } from '../../store/Store.js';
import { ruleRoutes } from './routes.js';
import type { RulesResponse } from './schema.js';

describe('/api/company/rules', () => {
	let t: TestApi;
	let pushed: Array<[string, CompanyRules]>;

	beforeEach(async () => {
		t = await startTestApi([authRoutes, ruleRoutes]);
		pushed = [];
		t.api.rulesChanged = (companyId, rules) => pushed.push([companyId, rules]);
		await t.seedCompany('acme', 'Acme Inc');
		await t.seedCompany('globex', 'Globex');
		await t.seedUser('acme', 'admin@acme.test', 'admin');
		await t.seedUser('acme', 'boss@acme.test', 'supervisor');
		await t.seedUser('acme', 'agent@acme.test', 'agent');
		await t.seedUser('globex', 'admin@globex.test', 'admin');
	});

	afterEach(async () => {
		await t.close();
	});

	const save = async (email: string, body: unknown) => t.request('PUT', '/api/company/rules', { token: (await t.login(email)).accessToken, body });

	it('starts with the built-in rules on and none of the company\'s own', async () => {
		const response = await t.request('GET', '/api/company/rules', { token: (await t.login('admin@acme.test')).accessToken });
		expect(response.status).toBe(200);
		const body = (await response.json()) as RulesResponse;
		expect(body.rules).toEqual({ version: 0, disabledBuiltins: [], mask: [], updatedAt: null, updatedBy: null });
		expect(body.builtins).toContain('passwords');
		expect(body.builtins).toContain('purchase');
	});

	it('saves rules whole, gives new rules ids and keeps existing ones, and pushes them to the company\'s live sessions', async () => {
		const first = await save('admin@acme.test', {
			version: 0,
			disabledBuiltins: ['tax_codes', 'consent'],
			mask: [
				{ kind: 'selector', value: '#balance, .account-number', domains: ['Bank.Example.', 'bank.example'] },
				{ kind: 'field', value: 'Mother\'s maiden name', note: 'security question' },
				{ kind: 'pattern', value: 'ACME-\\d{6}' },
				{ kind: 'lock', value: 'button.renew' },
			],
		});
		expect(first.status).toBe(200);
		const saved = ((await first.json()) as RulesResponse).rules;
		expect(saved).toMatchObject({ version: 1, disabledBuiltins: ['tax_codes', 'consent'] });
		expect(saved.mask.map((r) => [r.kind, r.value, r.domains, r.note])).toEqual([
			['selector', '#balance, .account-number', ['bank.example'], null],
			['field', 'Mother\'s maiden name', [], 'security question'],
			['pattern', 'ACME-\\d{6}', [], null],
			['lock', 'button.renew', [], null],
		]);
		expect(new Set(saved.mask.map((r) => r.id)).size).toBe(4);
		expect(pushed).toEqual([['acme', saved]]);
		expect(await t.store.getRules('acme')).toEqual(saved);

		// The admin removes the pattern and the lock and edits the selector; ids stay, an invented id is replaced.
		const second = await save('admin@acme.test', {
			version: 1,
			disabledBuiltins: [],
			mask: [{ ...saved.mask[0], value: '#balance' }, saved.mask[1], { id: 'made-up', kind: 'field', value: 'pin' }],
		});
		expect(second.status).toBe(200);
		const again = ((await second.json()) as RulesResponse).rules;
		expect(again.version).toBe(2);
		expect(again.mask[0]!.id).toBe(saved.mask[0]!.id);
		expect(again.mask[1]!.id).toBe(saved.mask[1]!.id);
		expect(again.mask[2]!.id).not.toBe('made-up');
		const [entry] = await t.store.listAudit('acme', { limit: 1 });
		expect(entry).toMatchObject({ action: 'rules.updated', detail: { version: 2, added: [again.mask[2]!.id], changed: [saved.mask[0]!.id], removed: [saved.mask[2]!.id, saved.mask[3]!.id], builtinsOff: [] } });
		// Values are not in the audit log.
		expect(JSON.stringify(entry)).not.toContain('balance');
	});

	it('refuses a save over someone else\'s (stale version), and keeps theirs', async () => {
		expect((await save('admin@acme.test', { version: 0, disabledBuiltins: [], mask: [{ kind: 'field', value: 'pin' }] })).status).toBe(200);
		const stale = await save('admin@acme.test', { version: 0, disabledBuiltins: ['passwords'], mask: [] });
		expect(stale.status).toBe(409);
		expect(((await stale.json()) as ErrorBody).error.message).toMatch(/^version: .*reload/);
		expect((await t.store.getRules('acme')).mask).toHaveLength(1);
		expect(pushed).toHaveLength(1);
	});

	it('names what is wrong with a rule and saves nothing', async () => {
		const cases: Array<[unknown, RegExp]> = [
			[{ kind: 'selector', value: 'div[' }, /^mask\.0\.value: selector "div\[": not a CSS selector/],
			[{ kind: 'selector', value: 'p::before' }, /pseudo-element/],
			[{ kind: 'selector', value: 'input:secret' }, /":secret" is not a pseudo-class/],
			[{ kind: 'selector', value: 'div:not(::after)' }, /pseudo-element/],
			[{ kind: 'pattern', value: '(\\d+' }, /^mask\.0\.value: pattern .*not a regular expression/],
			[{ kind: 'pattern', value: '\\d*' }, /matches empty text/],
			[{ kind: 'pattern', value: '(a+)+b' }, /exponential/],
			[{ kind: 'field', value: '—' }, /letter or digit/],
			[{ kind: 'field', value: 'x'.repeat(61) }, /at most 60/],
			[{ kind: 'selector', value: '#a', domains: ['https://bank.example/login'] }, /^mask\.0\.domains\.0: .*host name only/],
			[{ kind: 'selector', value: '#a', domains: ['bank example'] }, /not a host name/],
			[{ kind: 'lock', value: 'button[' }, /^mask\.0\.value: lock "button\[": not a CSS selector/],
			[{ kind: 'lock_label', value: '!!' }, /letter or digit/],
			[{ kind: 'cookie', value: 'x' }, /^mask\.0\.kind/],
			[{ kind: 'field', value: 'pin', extra: true }, /extra/],
		];
		for (const [rule, message] of cases) {
			const response = await save('admin@acme.test', { version: 0, disabledBuiltins: [], mask: [rule] });
			expect(response.status, JSON.stringify(rule)).toBe(400);
			expect(((await response.json()) as ErrorBody).error.message, JSON.stringify(rule)).toMatch(message);
		}
		const duplicate = await save('admin@acme.test', { version: 0, disabledBuiltins: [], mask: [{ kind: 'field', value: 'pin' }, { kind: 'field', value: 'pin' }] });
		expect(((await duplicate.json()) as ErrorBody).error.message).toMatch(/^mask\.1: the same rule as mask\.0/);
		const unknownBuiltin = await save('admin@acme.test', { version: 0, disabledBuiltins: ['everything'], mask: [] });
		expect(((await unknownBuiltin.json()) as ErrorBody).error.message).toMatch(/^disabledBuiltins\.0/);
		const tooMany = await save('admin@acme.test', { version: 0, disabledBuiltins: [], mask: Array.from({ length: 101 }, (_, i) => ({ kind: 'field', value: `w${i}` })) });
		expect(tooMany.status).toBe(400);
		expect((await t.store.getRules('acme')).version).toBe(0);
		expect(pushed).toEqual([]);
	});

	it('lets supervisors read but not save; agents neither; each company sees only its own', async () => {
		const supervisor = (await t.login('boss@acme.test')).accessToken;
		expect((await t.request('GET', '/api/company/rules', { token: supervisor })).status).toBe(200);
		expect((await save('boss@acme.test', { version: 0, disabledBuiltins: ['passwords'], mask: [] })).status).toBe(403);
		expect((await t.request('GET', '/api/company/rules', { token: (await t.login('agent@acme.test')).accessToken })).status).toBe(403);
		expect((await save('agent@acme.test', { version: 0, disabledBuiltins: ['passwords'], mask: [] })).status).toBe(403);
		expect((await t.request('GET', '/api/company/rules')).status).toBe(401);
		expect((await save('admin@globex.test', { version: 0, disabledBuiltins: ['passwords'], mask: [] })).status).toBe(200);
		expect((await t.store.getRules('acme')).disabledBuiltins).toEqual([]);
		expect(pushed.map(([company]) => company)).toEqual(['globex']);
	});

	it('keeps previews to admins, names a bad page address, and finds no preview that is not the admin\'s own', async () => {
		const body = { url: 'https://bank.example/', disabledBuiltins: [], mask: [] };
		for (const email of ['agent@acme.test', 'boss@acme.test']) {
			const token = (await t.login(email)).accessToken;
			expect((await t.request('POST', '/api/company/rules/preview', { token, body })).status).toBe(403);
			expect((await t.request('PUT', '/api/company/rules/preview/some-session', { token, body: { disabledBuiltins: [], mask: [] } })).status).toBe(403);
		}
		const admin = (await t.login('admin@acme.test')).accessToken;
		const bad = await t.request('POST', '/api/company/rules/preview', { token: admin, body: { ...body, url: 'file:///etc/passwd' } });
		expect(bad.status).toBe(400);
		expect(((await bad.json()) as ErrorBody).error.message).toMatch(/^url: /);
		const badRule = await t.request('POST', '/api/company/rules/preview', { token: admin, body: { ...body, mask: [{ kind: 'selector', value: 'p::after' }] } });
		expect(((await badRule.json()) as ErrorBody).error.message).toMatch(/^mask\.0\.value: .*pseudo-element/);
		// A session that is not this admin's preview (here: none at all) is not found, for updates and for closing.
		expect((await t.request('PUT', '/api/company/rules/preview/some-session', { token: admin, body: { disabledBuiltins: [], mask: [] } })).status).toBe(404);
		expect((await t.request('DELETE', '/api/company/rules/preview/some-session', { token: admin })).status).toBe(404);
	});
});
