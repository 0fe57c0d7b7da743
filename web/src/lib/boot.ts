/**
 * Start-up shared by the apps: the language and the sessionStorage handle. Sessions are
 * created later, by each app's state module, once it knows how to join.
 */
import { pickLocale, setLocale } from './i18n';

/** Picks the UI language from the browser's preferences. Call before mounting. */
export function boot(): void {
	setLocale(pickLocale(navigator.languages ?? [navigator.language]));
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
