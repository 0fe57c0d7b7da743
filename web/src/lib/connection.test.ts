import { describe, expect, it } from 'vitest';
import { backoffDelay, classifyFailure } from './connection';

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
