import { describe, expect, it } from 'vitest';
import { quantile } from './stats.js';

describe('quantile', () => {
	it('interpolates between ranks', () => {
		expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
		expect(quantile([10, 0, 5], 0.5)).toBe(5);
	});

	it('returns the extremes at 0 and 1', () => {
		expect(quantile([3, 1, 2], 0)).toBe(1);
		expect(quantile([3, 1, 2], 1)).toBe(3);
	});

	it('is NaN for no values', () => {
		expect(quantile([], 0.5)).toBeNaN();
	});
});
