import { describe, expect, it } from 'vitest';
import { compactJson, formatDuration, formatSize, hostOf, showsRole } from './format';

describe('format', () => {
	it('writes durations briefly', () => {
		expect(formatDuration(45_000)).toBe('45 s');
		expect(formatDuration(12 * 60_000 + 5000)).toBe('12 min');
		expect(formatDuration(65 * 60_000)).toBe('1 h 05 min');
		expect(formatDuration(-5)).toBe('0 s');
	});

	it('shows the host of a page, or the text when it is not a URL', () => {
		expect(hostOf('https://shop.example.com/cart?x=1')).toBe('shop.example.com');
		expect(hostOf('about:blank')).toBe('about:blank');
		expect(hostOf('')).toBe('');
	});

	it('writes detail objects as one short line, empty for {}', () => {
		expect(compactJson({ reason: 'agent_ended', n: 2 })).toBe('{"reason":"agent_ended","n":2}');
		expect(compactJson({})).toBe('');
		expect(compactJson({ long: 'x'.repeat(300) }, 20)).toHaveLength(20);
	});
});

describe('showsRole', () => {
	it('shows the role beside a person name', () => {
		expect(showsRole('Alex', 'Agent')).toBe(true);
	});

	it('does not repeat a role that is already the name', () => {
		expect(showsRole('Customer', 'Customer')).toBe(false);
		expect(showsRole(' customer ', 'Customer')).toBe(false);
	});

	it('shows nothing when there is no role', () => {
		expect(showsRole('Alex', '')).toBe(false);
	});
});

describe('formatSize', () => {
	it('reads as people say sizes', () => {
		expect(formatSize(820)).toBe('820 B');
		expect(formatSize(14 * 1024 + 100)).toBe('14 KB');
		expect(formatSize(2.5 * 1024 * 1024)).toBe('2.5 MB');
	});
});
