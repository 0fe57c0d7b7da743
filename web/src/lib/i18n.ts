/**
 * Every user-visible string of the web apps, keyed, one file per language under ./i18n.
 * English (./i18n/en.ts) is the reference: another language is one file typed
 * `Record<MessageKey, string>` (TypeScript checks it is complete) plus one line in
 * {@link languages} below. Placeholders are written `{name}` and filled by {@link t}.
 */
import en from './i18n/en';
import it from './i18n/it';

export type MessageKey = keyof typeof en;
export type Dictionary = Readonly<Record<MessageKey, string>>;

/** The languages, each with its name in itself. Adding one: its file, and a line here. */
const languages = {
	en: { name: 'English', messages: en },
	it: { name: 'Italiano', messages: it },
} satisfies Record<string, { name: string; messages: Dictionary }>;

export type Locale = keyof typeof languages;

/** The languages the apps speak, for a language menu: code and the language's own name. */
export const LOCALES: readonly { code: Locale; name: string }[] = Object.entries(languages).map(([code, { name }]) => ({
	code: code as Locale,
	name,
}));

function isLocale(code: string): code is Locale {
	return Object.hasOwn(languages, code);
}

/** Every language's dictionary by code (for tests and tools; English included). */
export function dictionaries(): Readonly<Record<Locale, Dictionary>> {
	return Object.fromEntries(Object.entries(languages).map(([code, { messages }]) => [code, messages])) as Record<Locale, Dictionary>;
}

/** The first of the browser's preferred languages we have, else English. */
export function pickLocale(preferred: readonly string[]): Locale {
	for (const tag of preferred) {
		const lang = tag.toLowerCase().split('-')[0];
		if (lang && isLocale(lang)) return lang;
	}
	return 'en';
}

let locale: Locale = 'en';
let current: Dictionary = en;

/** Switches the language of later {@link t} calls (unknown codes mean English). */
export function setLocale(code: string): void {
	locale = isLocale(code) ? code : 'en';
	current = languages[locale].messages;
	if (typeof document !== 'undefined') document.documentElement.lang = locale;
}

/** The code of the language {@link t} speaks now ('en', 'it'). */
export function currentLocale(): Locale {
	return locale;
}

/**
 * The locale for dates and numbers (Intl): the browser's own tag when it is of the current
 * language ('en-GB' keeps its 24-hour clock, 'it-CH' its separators), else the code.
 */
export function intlLocale(): string {
	const nav = typeof navigator !== 'undefined' ? navigator : undefined;
	const preferred = nav?.languages ?? (nav?.language ? [nav.language] : []);
	return preferred.find((tag) => tag.toLowerCase().split('-')[0] === locale) ?? locale;
}

/** The text for `key`, with `{placeholders}` filled from `params`. */
export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
	const text = current[key] ?? en[key] ?? key;
	return text.replace(/\{(\w+)\}/g, (match, name: string) => (name in params ? String(params[name]) : match));
}

/** Whether `key` is a known message (for keys built from server values, e.g. end reasons). */
export function hasMessage(key: string): key is MessageKey {
	return key in en;
}

/**
 * What to show for an error the server sent: its own (user-safe, English, often more
 * precise) message to English readers, and the text of its stable code, translated, to
 * everyone else: never raw English to someone who reads another language.
 */
export function serverErrorText(code: string, message: string): string {
	if (locale === 'en' && message) return message;
	const key = `server.${code}`;
	return hasMessage(key) ? t(key) : t('server.generic');
}
