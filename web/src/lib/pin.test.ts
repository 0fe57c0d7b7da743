import { describe, expect, it } from 'vitest';
import { companyIdFromPath, formatCountdown, formatPin, parsePin, parseStoredSession, pinFromLink, sessionFromLink, usableStoredPin } from './pin';

describe('formatPin and parsePin', () => {
	it('shows six digits in two groups of three', () => {
		expect(formatPin('123456')).toBe('123 456');
		expect(formatPin('012345')).toBe('012 345');
	});

	it('accepts what people type between the groups, and nothing but six digits', () => {
		expect(parsePin('123 456')).toBe('123456');
		expect(parsePin(' 123-456 ')).toBe('123456');
		expect(parsePin('123456')).toBe('123456');
		expect(parsePin('12345')).toBeNull();
		expect(parsePin('1234567')).toBeNull();
		expect(parsePin('12a456')).toBeNull();
	});
});

describe('formatCountdown', () => {
	it('shows minutes and zero-padded seconds, rounded up', () => {
		expect(formatCountdown(581_000)).toBe('9:41');
		expect(formatCountdown(580_001)).toBe('9:41');
		expect(formatCountdown(60_000)).toBe('1:00');
		expect(formatCountdown(5_000)).toBe('0:05');
		expect(formatCountdown(0)).toBe('0:00');
		expect(formatCountdown(-3000)).toBe('0:00');
	});
});

describe('usableStoredPin', () => {
	const now = 1_700_000_000_000;
	const stored = (expiresAt: number) => JSON.stringify({ pin: '123456', watchToken: 'w'.repeat(32), expiresAt });

	it('reuses a kept PIN after a reload while it has time left', () => {
		expect(usableStoredPin(stored(now + 300_000), now)).toEqual({ pin: '123456', watchToken: 'w'.repeat(32), expiresAt: now + 300_000 });
	});

	it('drops a PIN that expired or is about to, and anything malformed', () => {
		expect(usableStoredPin(stored(now - 1), now)).toBeNull();
		expect(usableStoredPin(stored(now + 2000), now)).toBeNull();
		expect(usableStoredPin(null, now)).toBeNull();
		expect(usableStoredPin('{not json', now)).toBeNull();
		expect(usableStoredPin(JSON.stringify({ pin: '123456' }), now)).toBeNull();
	});
});

describe('parseStoredSession', () => {
	it('reads a kept session token', () => {
		expect(parseStoredSession(JSON.stringify({ sessionId: 's1', token: 'tok' }))).toEqual({ sessionId: 's1', token: 'tok' });
		expect(parseStoredSession(JSON.stringify({ sessionId: 's1', token: '' }))).toBeNull();
		expect(parseStoredSession('garbage')).toBeNull();
	});
});

describe('companyIdFromPath', () => {
	it('reads the company of a customer link', () => {
		expect(companyIdFromPath('/c/demo')).toBe('demo');
		expect(companyIdFromPath('/c/acme-bank/')).toBe('acme-bank');
	});

	it('is null for the bare customer page and for ids that cannot be companies', () => {
		expect(companyIdFromPath('/customer/')).toBeNull();
		expect(companyIdFromPath('/c/')).toBeNull();
		expect(companyIdFromPath('/c/Demo')).toBeNull();
		expect(companyIdFromPath('/c/a')).toBeNull();
		expect(companyIdFromPath('/c/demo/extra')).toBeNull();
		expect(companyIdFromPath('/c/%E0%A4%A')).toBeNull();
	});
});

describe('pinFromLink', () => {
	const watch = 'w'.repeat(43);
	it('takes the PIN an integration link carries in its fragment', () => {
		expect(pinFromLink(`#pin=482913&watch=${watch}&exp=200000`, 100_000)).toEqual({ pin: '482913', watchToken: watch, expiresAt: 200_000 });
		// An expiry in the past by this device's clock (clocks drift): a minute, until the watch says.
		expect(pinFromLink(`#pin=482913&watch=${watch}&exp=5`, 100_000)).toEqual({ pin: '482913', watchToken: watch, expiresAt: 160_000 });
	});
	it('ignores anything else', () => {
		for (const hash of ['', '#', '#pin=12345&watch=' + watch, `#pin=482913&watch=short`, `#pin=<script>&watch=${watch}`, '#/agent']) expect(pinFromLink(hash, 0), hash).toBeNull();
	});
});

describe('sessionFromLink', () => {
	it('takes the session the embed hands over, and nothing else', () => {
		const token = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJwIn0.c2ln';
		expect(sessionFromLink(`#session=8f0e-11&token=${token}`)).toEqual({ sessionId: '8f0e-11', token });
		for (const hash of ['', '#session=x', `#token=${token}`, `#session=<x>&token=${token}`, '#session=a&token=short']) expect(sessionFromLink(hash), hash).toBeNull();
	});
});
