import { describe, expect, it, vi } from 'vitest';
import { ApiClient, ApiError, apiErrorText, errorFromResponse, minutesToWait, parseRetryAfter, type TokenSource } from './api';

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
	return new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });
}

describe('parseRetryAfter', () => {
	it('reads delta-seconds and HTTP dates, and nothing else', () => {
		expect(parseRetryAfter('120')).toBe(120);
		expect(parseRetryAfter(' 5 ')).toBe(5);
		const now = Date.parse('2025-01-01T10:00:00Z');
		expect(parseRetryAfter('Wed, 01 Jan 2025 10:03:00 GMT', now)).toBe(180);
		expect(parseRetryAfter('Wed, 01 Jan 2025 09:00:00 GMT', now)).toBe(0);
		expect(parseRetryAfter(null)).toBeNull();
		expect(parseRetryAfter('soon')).toBeNull();
	});
});

describe('errorFromResponse', () => {
	it('takes the code and message from the REST error body and the wait from Retry-After', async () => {
		const error = await errorFromResponse(json(429, { error: { code: 'locked_out', message: 'too many attempts' } }, { 'Retry-After': '300' }));
		expect(error).toMatchObject({ status: 429, code: 'locked_out', message: 'too many attempts', retryAfter: 300 });
	});

	it('falls back to a code for the status when the body is not JSON', async () => {
		const error = await errorFromResponse(new Response('<html>Bad gateway</html>', { status: 404 }));
		expect(error).toMatchObject({ status: 404, code: 'not_found', retryAfter: null });
	});
});

describe('apiErrorText', () => {
	it('uses the screen\'s wording for a code, with the minutes to wait rounded up', () => {
		const locked = new ApiError(429, 'locked_out', 'x', 61);
		expect(apiErrorText(locked, { locked_out: 'agent.start.lockedOut' })).toBe('Too many attempts. Try again in 2 minutes.');
		const invalid = new ApiError(404, 'invalid_pin', 'invalid PIN');
		expect(apiErrorText(invalid, { invalid_pin: 'agent.start.invalidPin' })).toBe('That PIN is not valid. Check it with the customer.');
	});

	it('has generic texts for sign-in and network failures, and shows the server message otherwise', () => {
		expect(apiErrorText(new ApiError(401, 'invalid_credentials', 'x'))).toBe('Wrong company, email or password.');
		expect(apiErrorText(new ApiError(429, 'locked_out', 'x', 900))).toBe('Too many attempts. Try again in 15 minutes.');
		expect(apiErrorText(new ApiError(0, 'network', 'Failed to fetch'))).toMatch(/Cannot reach the server/);
		expect(apiErrorText(new TypeError('boom'))).toMatch(/Cannot reach the server/);
		expect(apiErrorText(new ApiError(400, 'bad_request', 'email: Invalid email address'))).toBe('email: Invalid email address');
	});

	it('waits at least one minute', () => {
		expect(minutesToWait(0)).toBe(1);
		expect(minutesToWait(null)).toBe(1);
		expect(minutesToWait(600)).toBe(10);
	});
});

describe('ApiClient', () => {
	it('sends JSON with the bearer token and parses the reply', async () => {
		const fetch = vi.fn(async () => json(201, { sessionId: 's1' }));
		const auth: TokenSource = { token: async () => 'access-1', refreshed: async () => null };
		const api = new ApiClient({ fetch, auth });
		await expect(api.post('/api/sessions', { pin: '123456' })).resolves.toEqual({ sessionId: 's1' });
		const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
		expect(url).toBe('/api/sessions');
		expect(init.method).toBe('POST');
		expect(init.body).toBe('{"pin":"123456"}');
		expect((init.headers as Record<string, string>).Authorization).toBe('Bearer access-1');
	});

	it('refreshes the token once after a 401 and retries with the new one', async () => {
		const fetch = vi.fn().mockResolvedValueOnce(json(401, { error: { code: 'unauthorized', message: 'expired' } })).mockResolvedValueOnce(json(200, { users: [] }));
		const refreshed = vi.fn(async () => 'access-2');
		const api = new ApiClient({ fetch, auth: { token: async () => 'access-1', refreshed } });
		await expect(api.get('/api/users')).resolves.toEqual({ users: [] });
		expect(refreshed).toHaveBeenCalledTimes(1);
		const second = fetch.mock.calls[1] as unknown as [string, RequestInit];
		expect((second[1].headers as Record<string, string>).Authorization).toBe('Bearer access-2');
	});

	it('gives up after one retry, and when the refresh fails', async () => {
		const unauthorized = () => json(401, { error: { code: 'unauthorized', message: 'no' } });
		const fetch = vi.fn(async () => unauthorized());
		const api = new ApiClient({ fetch, auth: { token: async () => 'a', refreshed: async () => 'b' } });
		await expect(api.get('/api/users')).rejects.toMatchObject({ status: 401, code: 'unauthorized' });
		expect(fetch).toHaveBeenCalledTimes(2);

		const fetch2 = vi.fn(async () => unauthorized());
		const api2 = new ApiClient({ fetch: fetch2, auth: { token: async () => 'a', refreshed: async () => null } });
		await expect(api2.get('/api/users')).rejects.toMatchObject({ code: 'unauthorized' });
		expect(fetch2).toHaveBeenCalledTimes(1);
	});

	it('does not retry a 401 from an endpoint that takes no token (wrong password)', async () => {
		const fetch = vi.fn(async () => json(401, { error: { code: 'invalid_credentials', message: 'invalid email or password' } }));
		const api = new ApiClient({ fetch });
		await expect(api.post('/api/auth/login', { email: 'a@b.c', password: 'x' })).rejects.toMatchObject({ code: 'invalid_credentials' });
		expect(fetch).toHaveBeenCalledTimes(1);
	});

	it('resolves a 204 with undefined and reports a network failure as code network', async () => {
		const api = new ApiClient({ fetch: async () => new Response(null, { status: 204 }) });
		await expect(api.post('/api/auth/logout', { refreshToken: 'r' })).resolves.toBeUndefined();
		const offline = new ApiClient({
			fetch: async () => {
				throw new TypeError('Failed to fetch');
			},
		});
		await expect(offline.get('/api/company')).rejects.toMatchObject({ status: 0, code: 'network' });
	});
});
