import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { authRoutes } from '../auth/routes.js';
import type { ErrorBody } from '../common.js';
import { startTestApi, type TestApi } from '../testing.js';
import { companyRoutes } from './routes.js';
import type { CompanyResponse, PublicCompanyResponse } from './schema.js';

describe('/api/company', () => {
	let t: TestApi;

	beforeEach(async () => {
		t = await startTestApi([authRoutes, companyRoutes]);
		await t.seedCompany('acme', 'Acme Inc');
		await t.seedCompany('globex', 'Globex');
		await t.seedUser('acme', 'admin@acme.test', 'admin');
		await t.seedUser('acme', 'agent@acme.test', 'agent');
		await t.seedUser('globex', 'admin@globex.test', 'admin');
	});

	afterEach(async () => {
		await t.close();
	});

	it('shows any signed-in user their own company', async () => {
		const { accessToken } = await t.login('agent@acme.test');
		const response = await t.request('GET', '/api/company', { token: accessToken });
		expect(response.status).toBe(200);
		expect(await response.json()).toEqual({
			company: { id: 'acme', name: 'Acme Inc', settings: { announceSupervision: false, pinTtlSeconds: 600, brandName: null, startUrl: null, allowedDomains: [], customerAnnotations: false, brandColor: null, agentNameFormat: 'full', logoVersion: null, recording: 'off', retentionDays: 30, outcomes: [] } },
		} satisfies CompanyResponse);
	});

	it('refuses to show the company without a token', async () => {
		expect((await t.request('GET', '/api/company')).status).toBe(401);
	});

	it('lets an admin change settings, keeps the others, and records the changed fields', async () => {
		const { accessToken, user } = await t.login('admin@acme.test');
		const response = await t.request('PATCH', '/api/company', { token: accessToken, body: { brandName: 'ACME Help', pinTtlSeconds: 300 } });
		expect(response.status).toBe(200);
		const expected = { announceSupervision: false, pinTtlSeconds: 300, brandName: 'ACME Help', startUrl: null, allowedDomains: [], customerAnnotations: false, brandColor: null, agentNameFormat: 'full', logoVersion: null, recording: 'off', retentionDays: 30, outcomes: [] };
		expect(((await response.json()) as CompanyResponse).company.settings).toEqual(expected);
		expect((await t.store.getCompany('acme'))?.settings).toEqual(expected);
		const [entry] = await t.store.listAudit('acme', { limit: 1 });
		expect(entry).toMatchObject({ action: 'company.updated', actorId: user.id, detail: { fields: ['pinTtlSeconds', 'brandName'] } });
	});

	it('keeps the sites sessions may open as host names, and tells the live sessions at once', async () => {
		const pushed: Array<[string, string[]]> = [];
		t.api.allowedDomainsChanged = (companyId, domains) => pushed.push([companyId, domains]);
		const { accessToken } = await t.login('admin@acme.test');
		const response = await t.request('PATCH', '/api/company', { token: accessToken, body: { allowedDomains: ['Bank.Example.', 'shop.example', '', 'bank.example'] } });
		expect(response.status).toBe(200);
		expect((await t.store.getCompany('acme'))?.settings.allowedDomains).toEqual(['bank.example', 'shop.example']);
		expect(pushed).toEqual([['acme', ['bank.example', 'shop.example']]]);
		const bad = await t.request('PATCH', '/api/company', { token: accessToken, body: { allowedDomains: ['https://bank.example/login'] } });
		expect(bad.status).toBe(400);
		expect(((await bad.json()) as ErrorBody).error.message).toMatch(/^allowedDomains\.0: .*host name only/);
		// Saving the same sites again changes nothing and tells no one.
		await t.request('PATCH', '/api/company', { token: accessToken, body: { allowedDomains: ['bank.example', 'shop.example'] } });
		expect(pushed).toHaveLength(1);
	});

	it('names the bad field of a settings change and changes nothing', async () => {
		const { accessToken } = await t.login('admin@acme.test');
		const cases: Array<[unknown, RegExp]> = [
			[{ pinTtlSeconds: 5 }, /^pinTtlSeconds: /],
			[{ startUrl: 'javascript:alert(1)', allowedDomains: [], customerAnnotations: false, brandColor: null, agentNameFormat: 'full', logoVersion: null }, /^startUrl: /],
			[{ name: 'Renamed' }, /name/],
		];
		for (const [body, message] of cases) {
			const response = await t.request('PATCH', '/api/company', { token: accessToken, body });
			expect(response.status).toBe(400);
			expect(((await response.json()) as ErrorBody).error.message).toMatch(message);
		}
		expect((await t.store.getCompany('acme'))?.settings.pinTtlSeconds).toBe(600);
	});

	it('refuses settings changes by an agent', async () => {
		const { accessToken } = await t.login('agent@acme.test');
		const response = await t.request('PATCH', '/api/company', { token: accessToken, body: { announceSupervision: true } });
		expect(response.status).toBe(403);
		expect((await t.store.getCompany('acme'))?.settings.announceSupervision).toBe(false);
	});

	it('changes only the admin’s own company', async () => {
		const { accessToken } = await t.login('admin@globex.test');
		await t.request('PATCH', '/api/company', { token: accessToken, body: { brandName: 'Hijacked' } });
		expect((await t.store.getCompany('acme'))?.settings.brandName).toBeNull();
		expect((await t.store.getCompany('globex'))?.settings.brandName).toBe('Hijacked');
	});

	describe('public view', () => {
		it('tells anyone the brand name and whether sessions may be supervised', async () => {
			await t.store.updateCompanySettings('acme', { announceSupervision: true, pinTtlSeconds: 600, brandName: 'ACME Help', startUrl: 'https://internal.acme.test/', allowedDomains: [], customerAnnotations: false, brandColor: null, agentNameFormat: 'full', logoVersion: null, recording: 'off', retentionDays: 30, outcomes: [] });
			const response = await t.request('GET', '/api/companies/acme/public');
			expect(response.status).toBe(200);
			expect(await response.json()).toEqual({ id: 'acme', brandName: 'ACME Help', announceSupervision: true, brandColor: null, logoUrl: null } satisfies PublicCompanyResponse);
		});

		it('falls back to the company name as brand', async () => {
			expect(((await (await t.request('GET', '/api/companies/globex/public')).json()) as PublicCompanyResponse).brandName).toBe('Globex');
		});

		it('answers not_found for unknown and malformed company ids alike', async () => {
			for (const id of ['nope', 'NOT..VALID', '%00']) {
				const response = await t.request('GET', `/api/companies/${id}/public`);
				expect(response.status).toBe(404);
				expect(await response.json()).toEqual({ error: { code: 'not_found', message: 'company not found' } });
			}
		});
	});

	describe('brand', () => {
		const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);

		it('refuses a brand colour white text is hard to read on, naming why, and keeps a dark one', async () => {
			const { accessToken } = await t.login('admin@acme.test');
			const light = await t.request('PATCH', '/api/company', { token: accessToken, body: { brandColor: '#facc15' } });
			expect(light.status).toBe(400);
			expect(((await light.json()) as ErrorBody).error.message).toMatch(/brandColor: .*4\.5:1/);
			expect((await t.store.getCompany('acme'))?.settings.brandColor).toBeNull();
			const dark = await t.request('PATCH', '/api/company', { token: accessToken, body: { brandColor: '#1E40AF', agentNameFormat: 'first_initial' } });
			expect(dark.status).toBe(200);
			const pub = (await (await t.request('GET', '/api/companies/acme/public')).json()) as PublicCompanyResponse;
			expect(pub.brandColor).toBe('#1e40af');
		});

		it('takes a logo by its bytes from admins only, and serves it so that it can only be an image', async () => {
			const { accessToken: agent } = await t.login('agent@acme.test');
			expect((await t.request('PUT', '/api/company/logo', { token: agent, body: PNG, headers: { 'Content-Type': 'image/png' } })).status).toBe(403);
			const { accessToken } = await t.login('admin@acme.test');
			const svg = await t.request('PUT', '/api/company/logo', { token: accessToken, body: new TextEncoder().encode('<svg onload="alert(1)"/>'), headers: { 'Content-Type': 'image/png' } });
			expect(svg.status).toBe(415);
			const huge = await t.request('PUT', '/api/company/logo', { token: accessToken, body: new Uint8Array(300 * 1024), headers: { 'Content-Type': 'image/png' } });
			expect(huge.status).toBe(413);
			const put = await t.request('PUT', '/api/company/logo', { token: accessToken, body: PNG, headers: { 'Content-Type': 'application/octet-stream' } });
			expect(put.status).toBe(200);
			const pub = (await (await t.request('GET', '/api/companies/acme/public')).json()) as PublicCompanyResponse;
			expect(pub.logoUrl).toBe('/api/companies/acme/logo?v=1');
			const logo = await t.request('GET', pub.logoUrl!);
			expect(logo.status).toBe(200);
			expect(logo.headers.get('content-type')).toBe('image/png');
			expect(logo.headers.get('x-content-type-options')).toBe('nosniff');
			expect(logo.headers.get('content-security-policy')).toContain('sandbox');
			expect(new Uint8Array(await logo.arrayBuffer())).toEqual(PNG);
			// Another company has none; removing it removes it.
			expect((await t.request('GET', '/api/companies/globex/logo')).status).toBe(404);
			expect((await t.request('DELETE', '/api/company/logo', { token: accessToken })).status).toBe(200);
			expect((await t.request('GET', '/api/companies/acme/logo')).status).toBe(404);
			expect(((await (await t.request('GET', '/api/companies/acme/public')).json()) as PublicCompanyResponse).logoUrl).toBeNull();
		});
	});
});
