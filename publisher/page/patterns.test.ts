import { describe, expect, it } from 'vitest';
import { cardValid, findSensitive, findSensitiveText, ibanValid, luhnValid, partialValue, taxCodeValid } from './patterns.js';

describe('validated patterns', () => {
	it('checks card numbers with Luhn', () => {
		expect(luhnValid('4111111111111111')).toBe(true);
		expect(luhnValid('4111111111111112')).toBe(false);
		expect(cardValid('4111 1111 1111 1111')).toBe(true);
		expect(cardValid('5500-0000-0000-0004')).toBe(true);
		expect(cardValid('378282246310005')).toBe(true);
		expect(cardValid('1234')).toBe(false);
		expect(cardValid('0000000000000000')).toBe(false);
	});

	it('checks IBANs with mod-97', () => {
		expect(ibanValid('IT60 X054 2811 1010 0000 0123 456')).toBe(true);
		expect(ibanValid('GB82WEST12345698765432')).toBe(true);
		expect(ibanValid('de89 3704 0044 0532 0130 00')).toBe(true);
		expect(ibanValid('IT61 X054 2811 1010 0000 0123 456')).toBe(false);
	});

	it('checks the codice fiscale check character, with omocodia', () => {
		expect(taxCodeValid('RSSMRA85T10A562S')).toBe(true);
		expect(taxCodeValid('RSSMRA85T10A562T')).toBe(false);
		expect(taxCodeValid('rssmra85t10a562s')).toBe(true);
		// Omocodia: the last digit replaced by its letter (2 → N) changes the check character.
		expect(taxCodeValid('RSSMRA85T10A56NH')).toBe(true);
	});

	it('finds values in text, also beside other numbers, and ignores invalid ones', () => {
		const text = 'Paid with 4111 1111 1111 1111 2024 to IT60X0542811101000000123456, order 1234567890123, CF RSSMRA85T10A562S.';
		const found = findSensitive(text).map((m) => [m.kind, text.slice(m.start, m.end)]);
		expect(found).toEqual([
			['card', '4111 1111 1111 1111'],
			['iban', 'IT60X0542811101000000123456'],
			['tax_code', 'RSSMRA85T10A562S'],
		]);
		expect(findSensitive('phone +39 06 1234 5678, year 2026, order 1234567890123')).toEqual([]);
	});

	it('finds a card inside a long run of numbers (the search is windowed, not quadratic)', () => {
		const numbers = Array.from({ length: 5000 }, (_, i) => String(i % 100));
		const text = [...numbers, '4111 1111 1111 1111', ...numbers].join(' ');
		const found = findSensitive(text).filter((m) => m.kind === 'card');
		expect(found.map((m) => text.slice(m.start, m.end))).toContain('4111 1111 1111 1111');
	});
});

describe('values being typed', () => {
	it('masks a card, IBAN or tax code before it is complete', () => {
		for (const value of ['4111 111', '4111111', 'IT60 X054', 'RSSMRA85']) expect(partialValue(value), value).toBe(true);
		for (const value of ['411111', 'Mario Rossi', 'IT60', 'via Roma 12']) expect(partialValue(value), value).toBe(false);
	});

	it('finds card numbers printed in groups while they are typed', () => {
		const text = 'Card: 4111 1111 11';
		expect(findSensitiveText(text).map((m) => text.slice(m.start, m.end))).toEqual(['4111 1111 11']);
		expect(findSensitiveText('on 2026-12-02 at 10:30')).toEqual([]);
	});
});
