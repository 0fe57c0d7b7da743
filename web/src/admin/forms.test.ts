import { describe, expect, it } from 'vitest';
import { ApiError } from '../lib/api';
import { companyBody, type RuleDraft, ruleProblemsFromServer, rulesBody, userChangeError } from './forms';

const form = { brandName: ' Demo Bank ', announceSupervision: true, pinTtlMinutes: '10', startUrl: '', allowedDomains: '', brandColor: '', agentNameFormat: 'full' as const, customerAnnotations: false, recording: 'off' as const, retentionDays: '30', outcomes: 'Resolved\nCall back' };

describe('companyBody', () => {
	it('turns the form into the PATCH body: minutes to seconds, empty text to null', () => {
		expect(companyBody(form)).toEqual({ body: { brandName: 'Demo Bank', announceSupervision: true, pinTtlSeconds: 600, startUrl: null, allowedDomains: [], brandColor: null, agentNameFormat: 'full', customerAnnotations: false, recording: 'off', retentionDays: 30, outcomes: ['Resolved', 'Call back'] } });
		expect(companyBody({ ...form, brandName: '', startUrl: 'https://example.com/start', allowedDomains: 'Bank.Example\nshop.example, bank.example' })).toEqual({
			body: { brandName: null, announceSupervision: true, pinTtlSeconds: 600, startUrl: 'https://example.com/start', allowedDomains: ['bank.example', 'shop.example'], brandColor: null, agentNameFormat: 'full', customerAnnotations: false, recording: 'off', retentionDays: 30, outcomes: ['Resolved', 'Call back'] },
		});
	});

	it('names the field that is wrong', () => {
		expect(companyBody({ ...form, pinTtlMinutes: '0' })).toMatchObject({ field: 'pinTtlMinutes' });
		expect(companyBody({ ...form, pinTtlMinutes: '61' })).toMatchObject({ field: 'pinTtlMinutes' });
		expect(companyBody({ ...form, pinTtlMinutes: '2.5' })).toMatchObject({ field: 'pinTtlMinutes' });
		expect(companyBody({ ...form, startUrl: 'ftp://example.com' })).toMatchObject({ field: 'startUrl' });
		expect(companyBody({ ...form, startUrl: 'example' })).toMatchObject({ field: 'startUrl' });
		expect(companyBody({ ...form, brandColor: 'blue' })).toMatchObject({ field: 'brandColor', message: 'company.brandColorInvalid' });
		expect(companyBody({ ...form, brandColor: '#facc15' })).toMatchObject({ field: 'brandColor', message: 'company.brandColorContrast' });
		expect(companyBody({ ...form, brandColor: '#1E40AF' })).toMatchObject({ body: { brandColor: '#1e40af' } });
		expect(companyBody({ ...form, allowedDomains: 'https://bank.example/login' })).toMatchObject({ field: 'allowedDomains' });
	});
});

describe('userChangeError', () => {
	it('explains a 409 by what was attempted', () => {
		const conflict = new ApiError(409, 'conflict', 'x');
		expect(userChangeError(conflict, true)).toBe('A user with this email already exists');
		expect(userChangeError(conflict, false)).toBe('You cannot remove the last admin');
		expect(userChangeError(new ApiError(400, 'bad_request', 'email: Invalid email address'), true)).toBe('email: Invalid email address');
	});
});

describe('rulesBody', () => {
	const draft = (key: number, kind: RuleDraft['kind'], value: string, domains = ''): RuleDraft => ({ key, kind, value, domains, note: '' });

	it('sends the drafts trimmed, domains split on commas and spaces, empty notes as null, ids kept', () => {
		const result = rulesBody(3, ['iban'], [{ ...draft(7, 'selector', '  #balance ', 'bank.example, shop.example  other.example'), id: 'abc' }, draft(8, 'field', 'maiden')]);
		expect(result).toEqual({
			body: {
				version: 3,
				disabledBuiltins: ['iban'],
				mask: [
					{ id: 'abc', kind: 'selector', value: '#balance', domains: ['bank.example', 'shop.example', 'other.example'], note: null },
					{ kind: 'field', value: 'maiden', domains: [], note: null },
				],
			},
		});
	});

	it('names the problem of each wrong draft by its key, with the server\'s own checks', () => {
		const result = rulesBody(0, [], [draft(1, 'selector', 'div['), draft(2, 'field', 'ok'), draft(3, 'pattern', '(a+)+'), draft(4, 'selector', '#a', 'https://x.example/')]);
		if (!('problems' in result)) throw new Error('expected problems');
		expect([...result.problems.keys()]).toEqual([1, 3, 4]);
		expect(result.problems.get(1)).toMatch(/not a CSS selector/);
		expect(result.problems.get(3)).toMatch(/exponential/);
		expect(result.problems.get(4)).toMatch(/^Sites: .*host name only/);
	});
});

describe('ruleProblemsFromServer', () => {
	it('maps "mask.N…" to the Nth draft and keeps anything else general', () => {
		const drafts: RuleDraft[] = [5, 6, 7].map((key) => ({ key, kind: 'field', value: 'x', domains: '', note: '' }));
		const problems = ruleProblemsFromServer('mask.2.value: selector "x": bad; mask.0.domains.1: "a b" is not a host name; version: stale', drafts);
		expect(problems.get(7)).toBe('selector "x": bad');
		expect(problems.get(5)).toBe('Sites: "a b" is not a host name');
		expect(problems.get(-1)).toBe('version: stale');
	});
});
