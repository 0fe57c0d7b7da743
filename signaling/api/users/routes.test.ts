import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyPassword } from '../../auth/passwords.js';
import type { User } from '../../store/Store.js';
import { authRoutes } from '../auth/routes.js';
import type { ErrorBody, UserView } from '../common.js';
import { startTestApi, type TestApi } from '../testing.js';
import { userRoutes } from './routes.js';
import type { CreateUserResponse, ListUsersResponse, UpdateUserResponse } from './schema.js';

describe('/api/users', () => {
	let t: TestApi;
	let admin: User;
	let agent: User;
	let adminToken: string;

	beforeEach(async () => {
		t = await startTestApi([authRoutes, userRoutes]);
		await t.seedCompany('acme');
		await t.seedCompany('globex');
		admin = await t.seedUser('acme', 'admin@acme.test', 'admin');
		agent = await t.seedUser('acme', 'agent@acme.test', 'agent');
		await t.seedUser('acme', 'super@acme.test', 'supervisor');
		await t.seedUser('globex', 'admin@globex.test', 'admin');
		adminToken = (await t.login('admin@acme.test')).accessToken;
	});

	afterEach(async () => {
		await t.close();
	});

	const errorOf = async (response: Response) => ((await response.json()) as ErrorBody).error;

	it('lists the users of the admin’s company only, without password hashes', async () => {
		const response = await t.request('GET', '/api/users', { token: adminToken });
		expect(response.status).toBe(200);
		const { users } = (await response.json()) as ListUsersResponse;
		expect(users.map((u) => u.email).sort()).toEqual(['admin@acme.test', 'agent@acme.test', 'super@acme.test']);
		expect(JSON.stringify(users)).not.toMatch(/scrypt|passwordHash/);
	});

	it('creates a user with a generated password that works, and records it', async () => {
		const response = await t.request('POST', '/api/users', { token: adminToken, body: { email: 'New@Acme.test', name: 'Nina', role: 'agent' } });
		expect(response.status).toBe(201);
		const body = (await response.json()) as CreateUserResponse;
		expect(body.user).toMatchObject({ email: 'new@acme.test', name: 'Nina', role: 'agent', companyId: 'acme', disabled: false, permissions: { cobrowse: true, control: true, supervise: false } });
		expect(body.initialPassword).toMatch(/^[0-9a-z]{4}(-[0-9a-z]{4}){3}$/);
		expect((await t.login('new@acme.test', body.initialPassword)).user.id).toBe(body.user.id);
		const [entry] = await t.store.listAudit('acme', { limit: 5 }).then((all) => all.filter((e) => e.action === 'user.created'));
		expect(entry).toMatchObject({ actorId: admin.id, detail: { userId: body.user.id, role: 'agent' } });
		expect(JSON.stringify(entry)).not.toContain(body.initialPassword);
	});

	it('creates a user with the given password and merges permissions over the role’s defaults', async () => {
		const response = await t.request('POST', '/api/users', {
			token: adminToken,
			body: { email: 'watcher@acme.test', name: 'W', role: 'agent', password: 'a long enough password', permissions: { control: false } },
		});
		const body = (await response.json()) as CreateUserResponse;
		expect(body.initialPassword).toBeUndefined();
		expect(body.user.permissions).toEqual({ cobrowse: true, control: false, supervise: false, record: true });
		expect(await verifyPassword('a long enough password', (await t.store.getUser(body.user.id))?.passwordHash ?? '')).toBe(true);
	});

	it('refuses an email already used in the company, in any case, as a conflict', async () => {
		const response = await t.request('POST', '/api/users', { token: adminToken, body: { email: 'AGENT@acme.test', name: 'X', role: 'agent' } });
		expect(response.status).toBe(409);
		expect(await errorOf(response)).toMatchObject({ code: 'conflict', message: expect.stringMatching(/^email: /) });
	});

	it('names the offending field of a bad body', async () => {
		const short = await t.request('POST', '/api/users', { token: adminToken, body: { email: 'x@acme.test', name: 'X', role: 'agent', password: 'short' } });
		expect(await errorOf(short)).toEqual({ code: 'bad_request', message: 'password: must be at least 12 characters' });
		const role = await t.request('POST', '/api/users', { token: adminToken, body: { email: 'x@acme.test', name: 'X', role: 'root' } });
		expect((await errorOf(role)).message).toMatch(/^role: /);
		const extra = await t.request('PATCH', `/api/users/${agent.id}`, { token: adminToken, body: { companyId: 'globex' } });
		expect(extra.status).toBe(400);
	});

	describe('PATCH', () => {
		const patch = (id: string, body: unknown, token = adminToken) => t.request('PATCH', `/api/users/${id}`, { token, body });

		it('updates the given fields and records the changed field names only', async () => {
			const response = await patch(agent.id, { name: 'Alex B', permissions: { control: false }, password: 'a brand new password' });
			expect(response.status).toBe(200);
			const { user } = (await response.json()) as UpdateUserResponse;
			expect(user).toMatchObject({ name: 'Alex B', permissions: { cobrowse: true, control: false, supervise: false } });
			const [entry] = (await t.store.listAudit('acme', { limit: 5 })).filter((e) => e.action === 'user.updated');
			expect(entry?.detail).toEqual({ userId: agent.id, fields: ['name', 'permissions', 'password'] });
			expect(JSON.stringify(entry)).not.toContain('a brand new password');
		});

		it('gives a promoted user the new role’s default permissions', async () => {
			const { user } = (await (await patch(agent.id, { role: 'supervisor' })).json()) as UpdateUserResponse;
			expect(user.permissions).toEqual({ cobrowse: false, control: false, supervise: true, record: false });
		});

		it('ends the user’s sign-ins when the password changes', async () => {
			const { refreshToken } = await t.login('agent@acme.test');
			await patch(agent.id, { password: 'a brand new password' });
			expect((await t.request('POST', '/api/auth/refresh', { body: { refreshToken } })).status).toBe(401);
			expect((await t.request('POST', '/api/auth/login', { body: { company: 'acme', email: 'agent@acme.test', password: 'a brand new password' } })).status).toBe(200);
		});

		it('ends a disabled user’s access at once, on refresh and with a still-valid access token', async () => {
			const { accessToken, refreshToken } = await t.login('agent@acme.test');
			expect(((await (await patch(agent.id, { disabled: true })).json()) as { user: UserView }).user.disabled).toBe(true);
			expect((await t.request('POST', '/api/auth/refresh', { body: { refreshToken } })).status).toBe(401);
			expect((await t.request('GET', '/api/users', { token: accessToken })).status).toBe(401);
		});

		it('refuses to demote or disable the last enabled admin, even themself', async () => {
			for (const body of [{ role: 'agent' }, { disabled: true }]) {
				const response = await patch(admin.id, body);
				expect(response.status).toBe(409);
				expect((await errorOf(response)).code).toBe('conflict');
			}
			expect((await t.store.getUser(admin.id))?.role).toBe('admin');
		});

		it('lets an admin step down once another admin is enabled', async () => {
			await patch(agent.id, { role: 'admin' });
			const response = await patch(admin.id, { role: 'agent' });
			expect(response.status).toBe(200);
			// The demotion takes effect at once, though the access token still says admin.
			expect((await t.request('GET', '/api/users', { token: adminToken })).status).toBe(403);
		});

		it('answers 404 for a user that does not exist', async () => {
			const response = await patch('no-such-user', { name: 'X' });
			expect(response.status).toBe(404);
			expect(await errorOf(response)).toEqual({ code: 'not_found', message: 'user not found' });
		});
	});

	describe('who may call', () => {
		it('refuses agents and supervisors on every users route', async () => {
			for (const email of ['agent@acme.test', 'super@acme.test']) {
				const { accessToken } = await t.login(email);
				const responses = [
					await t.request('GET', '/api/users', { token: accessToken }),
					await t.request('POST', '/api/users', { token: accessToken, body: { email: 'x@acme.test', name: 'X', role: 'admin' } }),
					await t.request('PATCH', `/api/users/${agent.id}`, { token: accessToken, body: { role: 'admin' } }),
				];
				for (const response of responses) {
					expect(response.status).toBe(403);
					expect((await errorOf(response)).code).toBe('forbidden');
				}
			}
			expect((await t.store.getUser(agent.id))?.role).toBe('agent');
			expect(await t.store.getUserByEmail('acme', 'x@acme.test')).toBeUndefined();
		});

		it('hides another company’s users from an admin: their users are not found', async () => {
			const { accessToken } = await t.login('admin@globex.test');
			const list = (await (await t.request('GET', '/api/users', { token: accessToken })).json()) as ListUsersResponse;
			expect(list.users.map((u) => u.email)).toEqual(['admin@globex.test']);
			const response = await t.request('PATCH', `/api/users/${agent.id}`, { token: accessToken, body: { disabled: true } });
			expect(response.status).toBe(404);
			expect((await t.store.getUser(agent.id))?.disabled).toBe(false);
		});

		it('creates users only in the admin’s own company', async () => {
			const { accessToken } = await t.login('admin@globex.test');
			const response = await t.request('POST', '/api/users', { token: accessToken, body: { email: 'spy@acme.test', name: 'Spy', role: 'admin', companyId: 'acme' } });
			expect(response.status).toBe(201);
			expect((await t.store.getUserByEmail('globex', 'spy@acme.test'))?.companyId).toBe('globex');
			expect(await t.store.getUserByEmail('acme', 'spy@acme.test')).toBeUndefined();
		});

		it('does not tell an admin which emails exist in another company', async () => {
			const { accessToken } = await t.login('admin@globex.test');
			// agent@acme.test exists in acme: for globex's admin it is just a new user of globex.
			const taken = await t.request('POST', '/api/users', { token: accessToken, body: { email: 'agent@acme.test', name: 'Namesake', role: 'agent' } });
			expect(taken.status).toBe(201);
			const again = await t.request('POST', '/api/users', { token: accessToken, body: { email: 'agent@acme.test', name: 'Twice', role: 'agent' } });
			expect(again.status).toBe(409);
			expect(await t.request('POST', '/api/users', { token: accessToken, body: { email: 'nobody-anywhere@acme.test', name: 'New', role: 'agent' } }).then((r) => r.status)).toBe(201);
			expect((await t.store.getUserByEmail('acme', 'agent@acme.test'))?.name).not.toBe('Namesake');
		});

		it('refuses a customer session token and a missing token', async () => {
			const session = t.tokens.issueSessionToken({ sub: 'c1', cid: 'acme', sid: 's1', role: 'customer', name: 'Customer' });
			expect((await t.request('GET', '/api/users', { token: session })).status).toBe(401);
			expect((await t.request('GET', '/api/users')).status).toBe(401);
		});
	});
});
