import { describe, expect, it } from 'vitest';
import { hasMessage, pickLocale, t } from './i18n';

describe('i18n', () => {
	it('fills placeholders and leaves unknown ones visible', () => {
		expect(t('customer.connectedWith', { name: 'Ada' })).toBe('Connected with Ada');
		expect(t('customer.connectedWith')).toBe('Connected with {name}');
	});

	it('falls back to English for languages not yet translated', () => {
		expect(pickLocale(['it-IT', 'fr'])).toBe('en');
		expect(pickLocale(['en-GB'])).toBe('en');
	});

	it('knows which server-derived keys exist', () => {
		expect(hasMessage('ended.idle')).toBe(true);
		expect(hasMessage('ended.meteor')).toBe(false);
	});
});
