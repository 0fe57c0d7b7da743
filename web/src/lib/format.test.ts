import { afterEach, describe, expect, it } from 'vitest';
import { compactJson, endReasonText, formatDuration, formatSize, formatTime, hostOf, showsRole } from './format';
import { setLocale } from './i18n';

describe('format', () => {
	it('writes durations briefly', () => {
		expect(formatDuration(45_000)).toBe('45 s');
		expect(formatDuration(12 * 60_000 + 5000)).toBe('12 min');
		expect(formatDuration(65 * 60_000)).toBe('1 h 05 min');
		expect(formatDuration(-5)).toBe('0 s');
	});

	it('writes durations the same way in Italian', () => {
		expect(formatDuration(45_000, 'it')).toBe('45 s');
		expect(formatDuration(12 * 60_000 + 5000, 'it')).toBe('12 min');
		expect(formatDuration(65 * 60_000, 'it')).toBe('1 h 05 min');
		expect(formatDuration(600 * 60_000, 'it-IT')).toBe('10 h 00 min');
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
		expect(formatSize(3 * 1024 * 1024)).toBe('3 MB');
	});

	it('writes the decimal as the language does', () => {
		expect(formatSize(2.5 * 1024 * 1024, 'it')).toBe('2,5 MB');
		expect(formatSize(2.5 * 1024 * 1024, 'en')).toBe('2.5 MB');
		expect(formatSize(820, 'it')).toBe('820 B');
		expect(formatSize(1023 * 1024, 'en')).toBe('1023 KB');
	});
});

describe('with the language the apps speak', () => {
	afterEach(() => setLocale('en'));

	it('formats sizes in the current language when no locale is given', () => {
		setLocale('it');
		expect(formatSize(2.5 * 1024 * 1024)).toBe('2,5 MB');
		setLocale('en');
		expect(formatSize(2.5 * 1024 * 1024)).toBe('2.5 MB');
	});

	it('writes clock times and dates in the current language when no locale is given', () => {
		const now = new Date(2025, 2, 14, 18, 0).getTime();
		const today = new Date(2025, 2, 14, 14, 5).getTime();
		const earlier = new Date(2025, 2, 3, 9, 7).getTime();
		expect(formatTime(today, now, 'it')).toBe('14:05');
		setLocale('it');
		expect(formatTime(today, now)).toBe(formatTime(today, now, 'it'));
		expect(formatTime(earlier, now)).toBe(formatTime(earlier, now, 'it'));
		expect(formatTime(earlier, now)).toMatch(/mar/);
		setLocale('en');
		expect(formatTime(earlier, now)).toBe(formatTime(earlier, now, 'en'));
		expect(formatTime(earlier, now)).toMatch(/Mar/);
	});
});

describe('endReasonText', () => {
	it('words every way a session ends, and nothing else', () => {
		expect(endReasonText('api_ended')).toBe("The session was ended from the company's own system.");
		// Another message of the same family is not a reason; an unknown one is "over".
		for (const other of ['title', 'closeHint', 'nonsense', null, undefined]) expect(endReasonText(other), String(other)).toBe('The session is over.');
	});
});
