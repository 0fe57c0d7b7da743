/**
 * Start-up shared by the apps: the language and the sessionStorage handle. Sessions are
 * created later, by each app's state module, once it knows how to join.
 */
import { pickLocale, setLocale } from './i18n';

/** Where the language a person chose (the language menu) is kept on this device. */
const CHOSEN_LANGUAGE = 'alongside.lang';

/** The language chosen on this device with the language menu, if any. */
export function chosenLanguage(): string | null {
	return deviceStorage()?.getItem(CHOSEN_LANGUAGE) ?? null;
}

/** Keeps a language chosen with the language menu, and shows the page in it (a reload: every text follows). */
export function chooseLanguage(code: string): void {
	deviceStorage()?.setItem(CHOSEN_LANGUAGE, code);
	location.reload();
}

/** Picks the UI language: the one chosen on this device, else the browser's preferences. Call before mounting. */
export function boot(): void {
	const chosen = chosenLanguage();
	setLocale(pickLocale([...(chosen ? [chosen] : []), ...(navigator.languages ?? [navigator.language])]));
}

/** This tab's sessionStorage, or null where it is disabled (private modes, sandboxed frames). */
export function tabStorage(): Storage | null {
	try {
		return window.sessionStorage;
	} catch (error) {
		console.warn('[boot] sessionStorage is not available', error);
		return null;
	}
}

/** This device's localStorage (kept across tabs and restarts), or null where it is disabled. */
export function deviceStorage(): Storage | null {
	try {
		return window.localStorage;
	} catch (error) {
		console.warn('[boot] localStorage is not available', error);
		return null;
	}
}
