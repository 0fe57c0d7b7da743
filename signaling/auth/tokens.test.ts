import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import jwt from 'jsonwebtoken';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../store/SqliteStore.js';
import type { User } from '../store/Store.js';
import { KEYS_FILE, KeyStore } from './KeyStore.js';
import { TokenService } from './TokenService.js';

const user: User = {
	id: 'u1',
	companyId: 'acme',
	email: 'alex@acme.test',
	name: 'Alex',
	role: 'agent',
	permissions: { cobrowse: true, control: false, supervise: false, record: false },
	disabled: false,
	passwordHash: 'unused',
	createdAt: 0,
};

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('TokenService', () => {
	let dir: string;
	let keys: KeyStore;
	let store: SqliteStore;
	let tokens: TokenService;

	beforeEach(async () => {
		dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alongside-tokens-'));
		keys = KeyStore.open(dir);
		store = SqliteStore.open(':memory:');
		await store.createCompany({ id: 'acme', name: 'Acme', settings: { announceSupervision: false, pinTtlSeconds: 600, brandName: null, startUrl: null, allowedDomains: [], customerAnnotations: false, brandColor: null, agentNameFormat: 'full', logoVersion: null, recording: 'off', retentionDays: 30, outcomes: [] }, createdAt: 0 });
		await store.createUser(user);
		tokens = new TokenService({ keys, store });
	});

	afterEach(async () => {
		await store.close();
		fs.rmSync(dir, { recursive: true, force: true });
	});

	describe('access and session tokens', () => {
		it('verifies an access token it issued and returns exactly the claims', () => {
			const token = tokens.issueAccess(user);
			expect(jwt.decode(token, { complete: true })?.header).toMatchObject({ alg: 'ES256', kid: keys.current().kid });
			expect(tokens.verify(token)).toEqual({ typ: 'access', sub: 'u1', cid: 'acme', role: 'agent', name: 'Alex', perms: user.permissions });
		});

		it('verifies a customer session token it issued', () => {
			const token = tokens.issueSessionToken({ sub: 'p1', cid: 'acme', sid: 's1', role: 'customer', name: 'Customer' });
			expect(tokens.verify(token)).toEqual({ typ: 'session', sub: 'p1', cid: 'acme', sid: 's1', role: 'customer', name: 'Customer' });
		});

		it('refuses an expired token with "token expired"', () => {
			const { kid, privateKey } = keys.current();
			const token = jwt.sign({ typ: 'access', sub: 'u1', cid: 'acme', role: 'agent', name: 'Alex', perms: user.permissions, exp: Math.floor(Date.now() / 1000) - 10 }, privateKey, {
				algorithm: 'ES256',
				keyid: kid,
				issuer: 'alongside',
			});
			expect(() => tokens.verify(token)).toThrow('token expired');
		});

		it('refuses an unsigned token (alg none)', () => {
			const claims = { typ: 'access', sub: 'u1', cid: 'acme', role: 'admin', name: 'Alex', perms: user.permissions, iss: 'alongside', exp: Math.floor(Date.now() / 1000) + 600 };
			const forged = `${b64url({ alg: 'none', typ: 'JWT', kid: keys.current().kid })}.${b64url(claims)}.`;
			expect(() => tokens.verify(forged)).toThrow('invalid token');
		});

		it('refuses an HS256 token keyed with the public key PEM', () => {
			const publicPem = keys.publicKey(keys.current().kid)?.export({ type: 'spki', format: 'pem' }) as string;
			const claims = { typ: 'access', sub: 'u1', cid: 'acme', role: 'admin', name: 'Alex', perms: user.permissions };
			const header = b64url({ alg: 'HS256', typ: 'JWT', kid: keys.current().kid });
			const body = b64url({ ...claims, iss: 'alongside', exp: Math.floor(Date.now() / 1000) + 600 });
			const signature = createHmac('sha256', publicPem).update(`${header}.${body}`).digest('base64url');
			expect(() => tokens.verify(`${header}.${body}.${signature}`)).toThrow('invalid token');
		});

		it('refuses a token signed by another installation’s key that claims the same kid', () => {
			const otherDir = fs.mkdtempSync(path.join(os.tmpdir(), 'alongside-other-'));
			try {
				const other = KeyStore.open(otherDir);
				const token = jwt.sign({ typ: 'access', sub: 'u1', cid: 'acme', role: 'admin', name: 'Alex', perms: user.permissions }, other.current().privateKey, {
					algorithm: 'ES256',
					keyid: keys.current().kid,
					issuer: 'alongside',
					expiresIn: 600,
				});
				expect(() => tokens.verify(token)).toThrow('invalid token');
			} finally {
				fs.rmSync(otherDir, { recursive: true, force: true });
			}
		});

		it('refuses a token whose payload was edited after signing', () => {
			const [header, , signature] = tokens.issueAccess(user).split('.');
			const claims = { typ: 'access', sub: 'u1', cid: 'acme', role: 'admin', name: 'Alex', perms: { cobrowse: true, control: true, supervise: true, record: false }, iss: 'alongside' };
			expect(() => tokens.verify(`${header}.${b64url({ ...claims, exp: Math.floor(Date.now() / 1000) + 600 })}.${signature}`)).toThrow('invalid token');
		});

		it('refuses a token without kid, with an unknown kid, from another issuer or with malformed claims', () => {
			const { kid, privateKey } = keys.current();
			const claims = { typ: 'access', sub: 'u1', cid: 'acme', role: 'agent', name: 'Alex', perms: user.permissions };
			const sign = (payload: object, options: jwt.SignOptions) => jwt.sign(payload, privateKey, { algorithm: 'ES256', expiresIn: 600, ...options });
			expect(() => tokens.verify(sign(claims, { issuer: 'alongside' }))).toThrow('invalid token');
			expect(() => tokens.verify(sign(claims, { issuer: 'alongside', keyid: 'nope' }))).toThrow('invalid token');
			expect(() => tokens.verify(sign(claims, { issuer: 'someone-else', keyid: kid }))).toThrow('invalid token');
			expect(() => tokens.verify(sign({ ...claims, role: 'root' }, { issuer: 'alongside', keyid: kid }))).toThrow('invalid token');
			expect(() => tokens.verify(sign({ ...claims, typ: 'refresh' }, { issuer: 'alongside', keyid: kid }))).toThrow('invalid token');
			expect(() => tokens.verify('not.a.token')).toThrow('invalid token');
			expect(() => tokens.verify('')).toThrow('invalid token');
		});

		it('keeps verifying tokens signed before a key rotation, and signs new ones with the new key', () => {
			const before = tokens.issueAccess(user);
			const kid = keys.rotate();
			expect(tokens.verify(before).sub).toBe('u1');
			expect(jwt.decode(tokens.issueAccess(user), { complete: true })?.header.kid).toBe(kid);
		});

		it('refuses tokens once their key has been rotated out', () => {
			const before = tokens.issueAccess(user);
			for (let i = 0; i < 3; i++) keys.rotate();
			expect(() => tokens.verify(before)).toThrow('invalid token');
			expect(fs.existsSync(path.join(dir, KEYS_FILE))).toBe(true);
		});
	});

	describe('refresh tokens', () => {
		it('rotates the refresh token on every refresh and the new one works', async () => {
			const first = await tokens.login(user);
			expect(first.expiresIn).toBe(600);
			expect(tokens.verify(first.accessToken).sub).toBe('u1');
			const second = await tokens.refresh(first.refreshToken);
			expect(second.user.id).toBe('u1');
			expect(second.pair.refreshToken).not.toBe(first.refreshToken);
			const third = await tokens.refresh(second.pair.refreshToken);
			expect(tokens.verify(third.pair.accessToken).sub).toBe('u1');
		});

		it('never stores the refresh token itself', async () => {
			const { refreshToken } = await tokens.login(user);
			expect(await store.getRefreshTokenByHash(refreshToken)).toBeUndefined();
		});

		it('revokes the whole family when a spent refresh token is presented again', async () => {
			const first = await tokens.login(user);
			const second = await tokens.refresh(first.refreshToken);
			await expect(tokens.refresh(first.refreshToken)).rejects.toThrow('invalid token');
			// The thief's copy was spent; so is the legitimate holder's newer token now.
			await expect(tokens.refresh(second.pair.refreshToken)).rejects.toThrow('invalid token');
		});

		it('lets only one of two concurrent refreshes with the same token win', async () => {
			const { refreshToken } = await tokens.login(user);
			const results = await Promise.allSettled([tokens.refresh(refreshToken), tokens.refresh(refreshToken)]);
			expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
		});

		it('refuses a refresh token after logout, and other logins stay valid', async () => {
			const phone = await tokens.login(user);
			const laptop = await tokens.login(user);
			expect(await tokens.logout(phone.refreshToken)).toBe('u1');
			await expect(tokens.refresh(phone.refreshToken)).rejects.toThrow('invalid token');
			await expect(tokens.refresh(laptop.refreshToken)).resolves.toMatchObject({ user: { id: 'u1' } });
			expect(await tokens.logout('unknown-token-unknown-token')).toBeNull();
		});

		it('refuses to refresh for a disabled user', async () => {
			const { refreshToken } = await tokens.login(user);
			await store.updateUser('u1', { disabled: true });
			await expect(tokens.refresh(refreshToken)).rejects.toThrow('invalid token');
		});

		it('refuses an expired refresh token', async () => {
			const short = new TokenService({ keys, store, refreshTtlSeconds: -1 });
			const { refreshToken } = await short.login(user);
			await expect(short.refresh(refreshToken)).rejects.toThrow('token expired');
		});

		it('issues access tokens with the configured lifetime', async () => {
			const custom = new TokenService({ keys, store, accessTtlSeconds: 120 });
			const { accessToken, expiresIn } = await custom.login(user);
			const payload = jwt.decode(accessToken) as { iat: number; exp: number };
			expect(expiresIn).toBe(120);
			expect(payload.exp - payload.iat).toBe(120);
		});
	});
});
