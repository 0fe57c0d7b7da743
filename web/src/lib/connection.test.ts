import { describe, expect, it, vi } from 'vitest';
import { backoffDelay, classifyFailure, parseFragment, takeCredentials } from './connection';

function memoryStorage() {
	const map = new Map<string, string>();
	return { getItem: (k: string) => map.get(k) ?? null, setItem: (k: string, v: string) => void map.set(k, v), map };
}

describe('parseFragment', () => {
	it('reads the token and the optional name', () => {
		expect(parseFragment('#t=abc.def-ghi_123')).toEqual({ token: 'abc.def-ghi_123' });
		expect(parseFragment('#t=tok&n=Ada%20Lovelace')).toEqual({ token: 'tok', name: 'Ada Lovelace' });
	});

	it('is null without a token', () => {
		expect(parseFragment('')).toBeNull();
		expect(parseFragment('#n=Ada')).toBeNull();
		expect(parseFragment('#t=')).toBeNull();
	});
});

describe('takeCredentials', () => {
	it('keeps the fragment token in storage and strips it from the address bar', () => {
		const storage = memoryStorage();
		const history = { replaceState: vi.fn() };
		const creds = takeCredentials('agent', { hash: '#t=secret-token', pathname: '/agent/', search: '' }, storage, history);
		expect(creds).toEqual({ token: 'secret-token' });
		expect(history.replaceState).toHaveBeenCalledWith(null, '', '/agent/');
		expect(storage.map.get('alongside.agent.link')).toContain('secret-token');
	});

	it('finds the token again after a reload, when the fragment is gone', () => {
		const storage = memoryStorage();
		takeCredentials('customer', { hash: '#t=tok&n=Bo', pathname: '/customer/', search: '' }, storage, null);
		const again = takeCredentials('customer', { hash: '', pathname: '/customer/', search: '' }, storage, null);
		expect(again).toEqual({ token: 'tok', name: 'Bo' });
		// Each app keeps its own link.
		expect(takeCredentials('agent', { hash: '', pathname: '/agent/', search: '' }, storage, null)).toBeNull();
	});

	it('prefers a new link over a stored one', () => {
		const storage = memoryStorage();
		takeCredentials('agent', { hash: '#t=old', pathname: '/agent/', search: '' }, storage, null);
		expect(takeCredentials('agent', { hash: '#t=new', pathname: '/agent/', search: '' }, storage, null)).toEqual({ token: 'new' });
	});
});

describe('backoffDelay', () => {
	it('doubles from half a second and stops at 30 seconds', () => {
		const mid = () => 0.5;
		expect([1, 2, 3, 4, 5, 6, 7, 8, 20].map((a) => backoffDelay(a, mid))).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
	});

	it('jitters by at most 20 percent', () => {
		expect(backoffDelay(3, () => 0)).toBe(1600);
		expect(backoffDelay(3, () => 1)).toBe(2400);
	});
});

describe('classifyFailure', () => {
	it('ends on session_ended, gives up on a bad link, and retries the rest', () => {
		expect(classifyFailure('session_ended')).toBe('ended');
		expect(classifyFailure('unauthorized')).toBe('fatal');
		expect(classifyFailure('forbidden')).toBe('fatal');
		expect(classifyFailure('closed')).toBe('retry');
		expect(classifyFailure('timeout')).toBe('retry');
		expect(classifyFailure('not_ready')).toBe('retry');
		expect(classifyFailure(undefined)).toBe('retry');
	});
});
