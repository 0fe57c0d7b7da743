import jwt from 'jsonwebtoken';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { User } from '../../store/Store.js';
import type { ErrorBody } from '../common.js';
import { startTestApi, type TestApi } from '../testing.js';
import { authRoutes, LOGIN_LIMITS } from './routes.js';
import type { AuthResponse, MeResponse } from './schema.js';

describe('/api/auth', () => {
	let t: TestApi;

	let alex: User;

	beforeEach(async () => {
		t = await startTestApi([authRoutes]);
		await t.seedCompany('acme', 'Acme Inc');
		alex = await t.seedUser('acme', 'alex@acme.test', 'agent');
	});

	afterEach(async () => {
		await t.close();
	});

	/** Signs in to acme (or `company`) from `from` (a client address, as the trusted proxy reports it). */
	const login = (email: string, password: string, from = '198.51.100.1', company = 'acme') =>
		t.request('POST', '/api/auth/login', { body: { company, email, password }, headers: { 'X-Forwarded-For': from } });

	it('logs in with email (any case) and password and answers tokens and the user', async () => {
		const response = await login('Alex@ACME.test', 'correct horse battery staple');
		expect(response.status).toBe(200);
		expect(response.headers.get('cache-control')).toBe('no-store');
		const body = (await response.json()) as AuthResponse;
		expect(body.expiresIn).toBe(600);
		expect(body.user).toEqual({
			id: alex.id,
			companyId: 'acme',
			email: 'alex@acme.test',
			name: 'alex',
			role: 'agent',
			permissions: { cobrowse: true, control: true, supervise: false, record: true },
			disabled: false,
		});
		expect(body.user).not.toHaveProperty('passwordHash');
		expect(t.tokens.verify(body.accessToken)).toMatchObject({ typ: 'access', sub: body.user.id, cid: 'acme' });
		const audit = await t.store.listAudit('acme', { limit: 10 });
		expect(audit[0]).toMatchObject({ action: 'auth.login', actorType: 'user', actorId: body.user.id, ip: expect.any(String) });
	});

	it('answers a wrong password, an unknown email and another company identically', async () => {
		await t.seedCompany('globex');
		const answers = [
			await login('alex@acme.test', 'not the password'),
			await login('nobody@acme.test', 'not the password'),
			await login('alex@acme.test', 'correct horse battery staple', '198.51.100.1', 'globex'),
			await login('alex@acme.test', 'correct horse battery staple', '198.51.100.1', 'no-such-company'),
		];
		for (const answer of answers) {
			expect(answer.status).toBe(401);
			expect(await answer.json()).toEqual({ error: { code: 'invalid_credentials', message: 'wrong company, email or password' } } satisfies ErrorBody);
		}
	});

	it('takes about as long for an unknown email as for a wrong password', async () => {
		const time = async (email: string) => {
			const start = performance.now();
			await login(email, 'not the password');
			return performance.now() - start;
		};
		await time('warmup@acme.test');
		// NOTE: interleaved, and medians, so a burst of load on the machine hits both alike.
		const unknown: number[] = [];
		const known: number[] = [];
		for (let i = 0; i < 5; i++) {
			unknown.push(await time('nobody@acme.test'));
			known.push(await time('alex@acme.test'));
		}
		const median = (values: number[]) => [...values].sort((x, y) => x - y)[2]!;
		const ratio = median(unknown) / median(known);
		expect(ratio).toBeGreaterThan(0.5);
		expect(ratio).toBeLessThan(2);
	});

	it('records failed logins with a reason but never the email typed', async () => {
		await login('alex@acme.test', 'not the password');
		await login('typo-password-here@acme.test', 'x');
		const [entry] = await t.store.listAudit('acme', { limit: 10 });
		expect(entry).toMatchObject({ action: 'auth.login_failed', actorType: 'anonymous', detail: { reason: 'wrong_password', userId: alex.id } });
		expect(JSON.stringify(await t.store.listAudit('acme', { limit: 10 }))).not.toContain('@acme.test');
	});

	it('never lets failures from other addresses lock the real user out', async () => {
		// Eleven strangers, each guessing from its own address (fewer than the per-address
		// delay threshold, so each answer is a plain refusal)...
		for (let i = 0; i < 11; i++) expect((await login('alex@acme.test', `guess ${i}`, `203.0.113.${i + 1}`)).status).toBe(401);
		// ... and the right password from a twelfth address still signs in.
		expect((await login('alex@acme.test', 'correct horse battery staple', '192.0.2.77')).status).toBe(200);
	});

	it('slows guessing from one address with growing delays, without touching other addresses', async () => {
		for (let i = 0; i < LOGIN_LIMITS.accountAddress.backoff.after + 1; i++) expect((await login('alex@acme.test', `guess ${i}`)).status).toBe(401);
		const delayed = await login('alex@acme.test', 'another guess');
		expect(delayed.status).toBe(429);
		expect(((await delayed.json()) as ErrorBody).error.code).toBe('rate_limited');
		expect(delayed.headers.get('retry-after')).toBe('1');
		// The user, elsewhere, is not slowed down.
		expect((await login('alex@acme.test', 'correct horse battery staple', '192.0.2.77')).status).toBe(200);
		// Once the delay has passed, the address may try again, and the right password clears its count.
		await new Promise((resolve) => setTimeout(resolve, 1100));
		expect((await login('alex@acme.test', 'correct horse battery staple')).status).toBe(200);
		for (let i = 0; i < LOGIN_LIMITS.accountAddress.backoff.after; i++) expect((await login('alex@acme.test', `guess ${i}`)).status).toBe(401);
	});

	it('tells the company when one account fails many times from anywhere, once', async () => {
		const { alertAt } = LOGIN_LIMITS.account;
		for (let i = 0; i < alertAt + 2; i++) expect((await login('alex@acme.test', `guess ${i}`, `203.0.113.${Math.floor(i / 3) + 1}`)).status).toBe(401);
		const alerts = (await t.store.listAudit('acme', { limit: 100 })).filter((e) => e.action === 'auth.login_attacked');
		expect(alerts).toHaveLength(1);
		expect(alerts[0]).toMatchObject({ detail: { userId: alex.id, failures: alertAt } });
		expect((await login('alex@acme.test', 'correct horse battery staple', '192.0.2.77')).status).toBe(200);
	});

	it('refuses a disabled user with the same answer as a wrong password', async () => {
		await t.seedUser('acme', 'gone@acme.test', 'agent', { disabled: true });
		const response = await login('gone@acme.test', 'correct horse battery staple');
		expect(response.status).toBe(401);
		expect(await response.json()).toEqual({ error: { code: 'invalid_credentials', message: 'wrong company, email or password' } });
	});

	it('names the field of a malformed login body', async () => {
		const response = await t.request('POST', '/api/auth/login', { body: { company: 'acme', email: 'not-an-email', password: 'x' } });
		expect(response.status).toBe(400);
		expect(((await response.json()) as ErrorBody).error).toMatchObject({ code: 'bad_request', message: expect.stringMatching(/^email: /) });
	});

	it('refuses a body that is not valid JSON', async () => {
		const response = await t.request('POST', '/api/auth/login', { headers: { 'Content-Type': 'application/json' }, body: undefined });
		const broken = await fetch(`${t.url}/api/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"email":' });
		expect(response.status).toBe(400);
		expect(broken.status).toBe(400);
		expect(await broken.json()).toEqual({ error: { code: 'bad_request', message: 'body is not valid JSON' } });
	});

	it('refuses a body larger than 32 KB', async () => {
		const response = await t.request('POST', '/api/auth/login', { body: { company: 'acme', email: 'alex@acme.test', password: 'x'.repeat(40_000) } });
		expect(response.status).toBe(413);
	});

	describe('refresh and logout', () => {
		it('rotates the refresh token, and a reused one fails and revokes its successors', async () => {
			const first = await t.login('alex@acme.test');
			const refreshed = await t.request('POST', '/api/auth/refresh', { body: { refreshToken: first.refreshToken } });
			expect(refreshed.status).toBe(200);
			const second = (await refreshed.json()) as AuthResponse;
			expect(second.refreshToken).not.toBe(first.refreshToken);
			expect(second.user.email).toBe('alex@acme.test');

			const reuse = await t.request('POST', '/api/auth/refresh', { body: { refreshToken: first.refreshToken } });
			expect(reuse.status).toBe(401);
			const unknown = await t.request('POST', '/api/auth/refresh', { body: { refreshToken: 'never-issued-refresh-token-000000000000' } });
			// The reuser learns nothing more than from a token that never existed.
			expect(await reuse.json()).toEqual(await unknown.json());
			expect((await t.request('POST', '/api/auth/refresh', { body: { refreshToken: second.refreshToken } })).status).toBe(401);
			const audit = await t.store.listAudit('acme', { limit: 10 });
			expect(audit.filter((e) => e.action === 'auth.refresh_reused')).toEqual([
				expect.objectContaining({ actorType: 'user', actorId: second.user.id, ip: expect.any(String) }),
			]);
		});

		it('refuses to refresh after logout, and records the logout', async () => {
			const pair = await t.login('alex@acme.test');
			expect((await t.request('POST', '/api/auth/logout', { body: { refreshToken: pair.refreshToken } })).status).toBe(204);
			expect((await t.request('POST', '/api/auth/refresh', { body: { refreshToken: pair.refreshToken } })).status).toBe(401);
			expect((await t.store.listAudit('acme', { limit: 1 }))[0]).toMatchObject({ action: 'auth.logout', actorId: pair.user.id });
		});

		it('answers 204 to logout with an unknown token', async () => {
			expect((await t.request('POST', '/api/auth/logout', { body: { refreshToken: 'x'.repeat(43) } })).status).toBe(204);
		});

		it('refuses to refresh for a user disabled since login', async () => {
			const pair = await t.login('alex@acme.test');
			await t.store.updateUser(pair.user.id, { disabled: true });
			expect((await t.request('POST', '/api/auth/refresh', { body: { refreshToken: pair.refreshToken } })).status).toBe(401);
		});
	});

	describe('GET /api/auth/me', () => {
		it('answers the signed-in user and their company', async () => {
			const { accessToken } = await t.login('alex@acme.test');
			const response = await t.request('GET', '/api/auth/me', { token: accessToken });
			expect(response.status).toBe(200);
			const body = (await response.json()) as MeResponse;
			expect(body.user.email).toBe('alex@acme.test');
			expect(body.company).toEqual({ id: 'acme', name: 'Acme Inc', brandName: 'Acme Inc' });
		});

		it('refuses a request without a token', async () => {
			const response = await t.request('GET', '/api/auth/me');
			expect(response.status).toBe(401);
			expect(await response.json()).toEqual({ error: { code: 'unauthorized', message: 'not signed in' } });
		});

		it('refuses forged, expired, unsigned and session tokens', async () => {
			const { accessToken, user } = await t.login('alex@acme.test');
			const { kid, privateKey } = t.keys.current();
			const claims = { typ: 'access', sub: user.id, cid: 'acme', role: 'admin', name: 'x', perms: user.permissions };
			const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
			const [header, , signature] = accessToken.split('.');
			const exp = Math.floor(Date.now() / 1000) + 600;
			const bad = {
				forged: `${header}.${b64({ ...claims, iss: 'alongside', exp })}.${signature}`,
				expired: jwt.sign({ ...claims, exp: Math.floor(Date.now() / 1000) - 5 }, privateKey, { algorithm: 'ES256', keyid: kid, issuer: 'alongside' }),
				unsigned: `${b64({ alg: 'none', kid })}.${b64({ ...claims, iss: 'alongside', exp })}.`,
				session: t.tokens.issueSessionToken({ sub: 'c1', cid: 'acme', sid: 's1', role: 'customer', name: 'Customer' }),
			};
			for (const [kind, token] of Object.entries(bad)) {
				const response = await t.request('GET', '/api/auth/me', { token });
				expect(response.status, kind).toBe(401);
				expect(((await response.json()) as ErrorBody).error.code, kind).toBe('unauthorized');
			}
			const expired = await t.request('GET', '/api/auth/me', { token: bad.expired });
			expect(((await expired.json()) as ErrorBody).error.message).toBe('token expired');
		});

		it('refuses a still-valid access token of a user disabled since', async () => {
			const { accessToken, user } = await t.login('alex@acme.test');
			await t.store.updateUser(user.id, { disabled: true });
			expect((await t.request('GET', '/api/auth/me', { token: accessToken })).status).toBe(401);
		});
	});
});
