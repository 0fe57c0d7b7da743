/**
 * Start-up shared by the apps: language, the link's credentials, the session, and the
 * test hook. Returns the started session for the app component.
 */
import { takeCredentials } from './connection';
import { pickLocale, setLocale } from './i18n';
import { Session } from './session.svelte';
import { defaultSocketUrl } from './signaling';
import { installTestHook } from './testHook';

export function startSession(app: 'agent' | 'customer'): Session {
	setLocale(pickLocale(navigator.languages ?? [navigator.language]));
	let storage: Storage | null = null;
	try {
		storage = window.sessionStorage;
	} catch (error) {
		console.warn('[boot] sessionStorage is not available', error);
	}
	const credentials = takeCredentials(app, window.location, storage, window.history);
	const session = new Session({ credentials, url: defaultSocketUrl(window.location) });
	installTestHook(session);
	session.start();
	return session;
}
