import { afterEach, describe, expect, it } from 'vitest';
import { currentLocale, dictionaries, hasMessage, LOCALES, pickLocale, setLocale, t } from './i18n';

/** The `{placeholders}` of a message, sorted and without repeats. */
function placeholders(text: string): string[] {
	return [...new Set([...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]))].sort();
}

describe('i18n', () => {
	afterEach(() => setLocale('en'));

	it('fills placeholders and leaves unknown ones visible', () => {
		expect(t('customer.connectedWith', { name: 'Ada' })).toBe('Connected with Ada');
		expect(t('customer.connectedWith')).toBe('Connected with {name}');
	});

	it('picks the first preferred language it has, else English', () => {
		expect(pickLocale(['it-IT', 'fr'])).toBe('it');
		expect(pickLocale(['fr-FR', 'IT'])).toBe('it');
		expect(pickLocale(['en-GB'])).toBe('en');
		expect(pickLocale(['fr', 'de'])).toBe('en');
		expect(pickLocale([])).toBe('en');
	});

	it('switches language, and falls back to English for unknown codes', () => {
		expect(currentLocale()).toBe('en');
		setLocale('it');
		expect(currentLocale()).toBe('it');
		expect(t('customer.connectedWith', { name: 'Ada' })).toBe('In collegamento con Ada');
		expect(t('brand')).toBe('Alongside');
		setLocale('fr');
		expect(currentLocale()).toBe('en');
		expect(t('customer.getHelp')).toBe('Get help from an agent');
	});

	it('lists each language by its own name', () => {
		expect(LOCALES).toEqual([
			{ code: 'en', name: 'English' },
			{ code: 'it', name: 'Italiano' },
		]);
		expect(Object.keys(dictionaries()).sort()).toEqual(LOCALES.map((l) => l.code).sort());
	});

	it('knows which server-derived keys exist', () => {
		expect(hasMessage('ended.idle')).toBe(true);
		expect(hasMessage('ended.meteor')).toBe(false);
	});
});

describe('dictionaries', () => {
	const all = dictionaries();
	const en: Readonly<Record<string, string>> = all.en;
	const others = Object.entries(all).filter(([code]) => code !== 'en');

	it('has languages besides English to check', () => {
		expect(others.length).toBeGreaterThan(0);
	});

	it.each(others)('%s has exactly the keys of English', (_code, dictionary) => {
		const keys = Object.keys(dictionary).sort();
		const missing = Object.keys(en).filter((key) => !Object.hasOwn(dictionary, key));
		const extra = keys.filter((key) => !Object.hasOwn(en, key));
		expect({ missing, extra }).toEqual({ missing: [], extra: [] });
	});

	it.each(Object.entries(all))('%s has no empty message', (_code, dictionary) => {
		const empty = Object.entries(dictionary as Record<string, unknown>)
			.filter(([, text]) => typeof text !== 'string' || text.trim() === '')
			.map(([key]) => key);
		expect(empty).toEqual([]);
	});

	it.each(others)('%s keeps the placeholders of every English message', (_code, dictionary) => {
		const texts: Readonly<Record<string, string>> = dictionary;
		const differing = Object.keys(en)
			.filter((key) => Object.hasOwn(texts, key))
			.filter((key) => placeholders(texts[key]).join() !== placeholders(en[key]).join())
			.map((key) => `${key}: ${placeholders(en[key]).join(',')} → ${placeholders(texts[key]).join(',')}`);
		expect(differing).toEqual([]);
	});

	it.each(others)('%s keeps the brand name', (_code, dictionary) => {
		expect(dictionary.brand).toBe('Alongside');
	});
});
