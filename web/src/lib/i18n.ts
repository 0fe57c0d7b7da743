/**
 * Every user-visible string of the web apps, keyed. English only for now; another
 * language is one more dictionary with the same keys (TypeScript checks it is complete).
 * Placeholders are written `{name}` and filled by {@link t}.
 */
const en = {
	'brand': 'Alongside',
	'app.agent.title': 'Alongside · Agent console',
	'app.customer.title': 'Alongside',

	'status.connecting': 'Connecting…',
	'status.joining': 'Joining the session…',
	'status.live': 'Connected',
	'status.reconnecting': 'Reconnecting…',
	'status.reconnectingIn': 'Trying again in {seconds} s…',
	'status.ended': 'Session ended',
	'status.error': 'Cannot join',
	'status.waitingVideo': 'Waiting for the shared browser…',
	'status.retryNow': 'Retry now',

	'error.noToken': 'This link is incomplete: it has no access token. Open the full link you were given.',
	'error.unauthorized': 'This link is not valid or has expired.',
	'error.forbidden': 'You are not allowed to join this session.',
	'error.not_found': 'This session does not exist.',
	'error.unsupported': 'This browser cannot play the shared view. Try a recent Chrome, Edge, Firefox or Safari.',
	'error.generic': 'Something went wrong: {message}',
	'error.connection': 'No connection to the server.',
	'error.timeout': 'The server did not answer in time.',

	'ended.title': 'The session has ended',
	'ended.customer_ended': 'The customer ended the session.',
	'ended.agent_ended': 'The agent ended the session.',
	'ended.idle': 'The session ended after a period of inactivity.',
	'ended.server_shutdown': 'The service is restarting. Please start a new session.',
	'ended.browser_crashed': 'The shared browser stopped unexpectedly.',
	'ended.media_failed': 'The video service stopped unexpectedly.',
	'ended.unknown': 'The session is over.',
	'ended.closeHint': 'You can close this page.',

	'role.agent': 'Agent',
	'role.customer': 'Customer',
	'role.supervisor': 'Supervisor',
	'participant.you': 'you',
	'participant.unknown': 'Participant',
	'participants.label': 'In this session',

	'browser.back': 'Back',
	'browser.forward': 'Forward',
	'browser.reload': 'Reload',
	'browser.go': 'Go',
	'browser.address': 'Address',
	'browser.addressPlaceholder': 'Type a web address',
	'browser.loading': 'Loading…',
	'browser.untitled': 'Untitled page',

	'stage.label': 'Shared browser',
	'stage.keyboardHint': 'Esc to release keyboard',
	'stage.clickToControl': 'Click the page to take the keyboard',
	'stage.viewOnly': 'View only',

	'customer.connectedWith': 'Connected with {name}',
	'customer.waitingAgent': 'Waiting for your agent…',
	'customer.keyboard': 'Open the keyboard',
	'customer.keyboardInput': 'Type here to write on the shared page',

	'toast.refused': 'Not allowed: {message}',
	'toast.dismiss': 'Dismiss',
} as const;

export type MessageKey = keyof typeof en;
type Dictionary = Record<MessageKey, string>;

/** Available languages; add `it: { … }` here. */
const dictionaries: Record<string, Dictionary> = { en };

/** The first of the browser's preferred languages we have, else English. */
export function pickLocale(preferred: readonly string[]): string {
	for (const tag of preferred) {
		const lang = tag.toLowerCase().split('-')[0];
		if (lang && lang in dictionaries) return lang;
	}
	return 'en';
}

let current: Dictionary = en;

/** Switches the language of later {@link t} calls. */
export function setLocale(locale: string): void {
	current = dictionaries[locale] ?? en;
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
