import { describe, expect, it, vi } from 'vitest';
import type { UserView } from '../../../signaling/api/common';
import { ApiClient } from './api';
import { REFRESH_KEY, TokenKeeper, needsRefresh, refreshDelayMs } from './tokens';

const user: UserView = {
	id: 'u1',
	companyId: 'demo',
	email: 'agent@demo.local',
	name: 'Ada',
	role: 'agent',
	permissions: { cobrowse: true, control: true, supervise: false, record: true },
	disabled: false,
};

function memoryStorage(initial: Record<string, string> = {}) {
	const map = new Map(Object.entries(initial));
	return { getItem: (k: string) => map.get(k) ?? null, setItem: (k: string, v: string) => void map.set(k, v), removeItem: (k: string) => void map.delete(k), map };
}

function pair(n: number, expiresIn = 600) {
	return { accessToken: `access-${n}`, refreshToken: `refresh-${n}`.padEnd(24, 'x'), expiresIn, user };
}

/** A fake /api/auth server: each refresh token works once. */
function fakeServer() {
	let n = 0;
	const spent = new Set<string>();
	const calls: { path: string; body: Record<string, string> }[] = [];
	const fetch = vi.fn(async (path: string, init?: RequestInit) => {
		const body = JSON.parse(String(init?.body ?? '{}')) as Record<string, string>;
		calls.push({ path, body });
		const reply = (status: number, data: unknown) => new Response(data === undefined ? null : JSON.stringify(data), { status });
		if (path === '/api/auth/login') return body.password === 'right' ? reply(200, pair(++n)) : reply(401, { error: { code: 'invalid_credentials', message: 'no' } });
		if (path === '/api/auth/refresh') {
			if (spent.has(body.refreshToken!) || !body.refreshToken!.startsWith('refresh-')) return reply(401, { error: { code: 'unauthorized', message: 'spent' } });
			spent.add(body.refreshToken!);
			return reply(200, pair(++n));
		}
		if (path === '/api/auth/logout') return reply(204, undefined);
		return reply(404, { error: { code: 'not_found', message: '?' } });
	});
	return { fetch, calls };
}

function keeper(storage = memoryStorage(), server = fakeServer(), clock = { now: 1_000_000 }) {
	const timers: { fn: () => void; ms: number }[] = [];
	const onUser = vi.fn();
	const k = new TokenKeeper({
		api: new ApiClient({ fetch: server.fetch }),
		storage,
		onUser,
		now: () => clock.now,
		setTimer: (fn, ms) => {
			const timer = { fn, ms };
			timers.push(timer);
			return timer;
		},
		clearTimer: (timer) => timers.splice(timers.indexOf(timer as (typeof timers)[number]), 1),
	});
	return { k, storage, server, timers, onUser, clock };
}

describe('refreshDelayMs', () => {
	it('refreshes a minute before expiry, or halfway through a short lifetime', () => {
		expect(refreshDelayMs(600)).toBe(540_000);
		expect(refreshDelayMs(121)).toBe(61_000);
		expect(refreshDelayMs(60)).toBe(30_000);
		expect(refreshDelayMs(0)).toBe(0);
	});

	it('treats a token with under 30 s left as due', () => {
		expect(needsRefresh(100_000, 60_000)).toBe(false);
		expect(needsRefresh(100_000, 75_000)).toBe(true);
	});
});

describe('TokenKeeper', () => {
	it('keeps the refresh token in storage and the access token in memory only', async () => {
		const { k, storage, timers, onUser } = keeper();
		await k.login({ company: 'demo', email: 'agent@demo.local', password: 'right' });
		expect([...storage.map.values()]).toEqual([pair(1).refreshToken]);
		expect(await k.token()).toBe('access-1');
		expect(onUser).toHaveBeenLastCalledWith(user);
		expect(timers.map((t) => t.ms)).toEqual([540_000]);
	});

	it('rejects a wrong password with invalid_credentials and stays signed out', async () => {
		const { k, storage } = keeper();
		await expect(k.login({ company: 'demo', email: 'a@b.c', password: 'wrong' })).rejects.toMatchObject({ code: 'invalid_credentials' });
		expect(storage.map.size).toBe(0);
		expect(await k.token()).toBeNull();
	});

	it('refreshes on schedule and always stores the new single-use refresh token', async () => {
		const { k, storage, timers, server } = keeper();
		await k.login({ company: 'demo', email: 'a@b.c', password: 'right' });
		timers.shift()!.fn();
		await vi.waitFor(() => expect(storage.map.get(REFRESH_KEY)).toBe(pair(2).refreshToken));
		expect(await k.token()).toBe('access-2');
		expect(server.calls.at(-1)).toEqual({ path: '/api/auth/refresh', body: { refreshToken: pair(1).refreshToken } });
		expect(timers).toHaveLength(1);
	});

	it('runs concurrent refreshes as one, so a refresh token is never spent twice', async () => {
		const { k, server } = keeper();
		await k.login({ company: 'demo', email: 'a@b.c', password: 'right' });
		const [a, b, c] = await Promise.all([k.refreshed(), k.refreshed(), k.refreshed()]);
		expect([a, b, c]).toEqual(['access-2', 'access-2', 'access-2']);
		expect(server.calls.filter((c) => c.path === '/api/auth/refresh')).toHaveLength(1);
	});

	it('refreshes before handing out a token that is about to expire', async () => {
		const { k, clock } = keeper();
		await k.login({ company: 'demo', email: 'a@b.c', password: 'right' });
		clock.now += 580_000;
		expect(await k.token()).toBe('access-2');
	});

	it('restores a sign-in after a reload from the stored refresh token', async () => {
		const storage = memoryStorage({ [REFRESH_KEY]: pair(7).refreshToken });
		const { k, onUser } = keeper(storage);
		expect(await k.restore()).toBe(true);
		expect(onUser).toHaveBeenLastCalledWith(user);
		expect(storage.map.get(REFRESH_KEY)).not.toBe(pair(7).refreshToken);
	});

	it('signs out when the server refuses the refresh token', async () => {
		const storage = memoryStorage({ [REFRESH_KEY]: 'stolen-and-spent-token-xx' });
		const { k, onUser } = keeper(storage);
		expect(await k.restore()).toBe(false);
		expect(onUser).toHaveBeenLastCalledWith(null);
		expect(storage.map.size).toBe(0);
	});

	it('keeps the refresh token and retries later when the network is down', async () => {
		const storage = memoryStorage({ [REFRESH_KEY]: pair(3).refreshToken });
		const timers: unknown[] = [];
		const k = new TokenKeeper({
			api: new ApiClient({
				fetch: async () => {
					throw new TypeError('offline');
				},
			}),
			storage,
			onUser: () => {},
			setTimer: (fn, ms) => (timers.push(ms), fn),
			clearTimer: () => {},
		});
		await expect(k.restore()).rejects.toMatchObject({ code: 'network' });
		expect(storage.map.get(REFRESH_KEY)).toBe(pair(3).refreshToken);
		expect(timers).toEqual([10_000]);
	});

	it('logs out on the server and forgets both tokens', async () => {
		const { k, storage, server, onUser, timers } = keeper();
		await k.login({ company: 'demo', email: 'a@b.c', password: 'right' });
		await k.logout();
		expect(server.calls.at(-1)).toEqual({ path: '/api/auth/logout', body: { refreshToken: pair(1).refreshToken } });
		expect(storage.map.size).toBe(0);
		expect(timers).toHaveLength(0);
		expect(onUser).toHaveBeenLastCalledWith(null);
		expect(await k.token()).toBeNull();
	});
});
