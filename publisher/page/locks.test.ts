import { describe, expect, it } from 'vitest';
import { LOCK_RULES } from '../../protocol/detector.js';
import { labelWords, lockedLabel } from './locks.js';

const all = new Set<string>(LOCK_RULES);

describe('lockedLabel', () => {
	it('locks buying, paying, consent and account changes, in English and Italian', () => {
		expect(lockedLabel('Buy now', all)).toBe('purchase');
		expect(lockedLabel('Buy now for €9.99', all)).toBe('purchase');
		expect(lockedLabel('ACQUISTA ORA', all)).toBe('purchase');
		expect(lockedLabel('Procedi all’acquisto', all)).toBe('purchase');
		expect(lockedLabel('Paga', all)).toBe('purchase');
		expect(lockedLabel('Invia ordine', all)).toBe('purchase');
		expect(lockedLabel('Accetta tutti i cookie', all)).toBe('consent');
		expect(lockedLabel('Conferma', all)).toBe('consent');
		expect(lockedLabel('Delete my account', all)).toBe('account_changes');
	});

	it('leaves what only looks alike', () => {
		for (const label of ['Buyer’s guide', 'PayPal help', 'Sign in', 'Ordina per prezzo', 'Show details', 'Order history', '']) expect(lockedLabel(label, all), label).toBeUndefined();
		// Prose (a paragraph made clickable) is not a button's label.
		expect(lockedLabel(`Read about how we handle your data before you buy ${'x'.repeat(60)}`, all)).toBeUndefined();
	});

	it('follows the rules switched on', () => {
		expect(lockedLabel('Buy now', new Set(['consent']))).toBeUndefined();
	});

	it('normalizes accents, case and punctuation', () => {
		expect(labelWords('  Procedi   all\'Acquisto! ')).toBe('procedi all acquisto');
		expect(labelWords('Città')).toBe('citta');
	});
});
