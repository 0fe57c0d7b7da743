/**
 * Every user-visible string of the web apps, keyed. English only for now; another
 * language is one more dictionary with the same keys (TypeScript checks it is complete).
 * Placeholders are written `{name}` and filled by {@link t}.
 */
const en = {
	'brand': 'Alongside',
	'app.agent.title': 'Alongside · Agent console',
	'app.customer.title': 'Alongside',
	'app.supervisor.title': 'Alongside · Supervisor',
	'app.admin.title': 'Alongside · Company admin',

	'home.tagline': 'Browse the web together with your customers.',
	'home.agent': 'Agent console',
	'home.agentHint': 'Start a co-browsing session with a customer\'s PIN.',
	'home.supervisor': 'Supervisor',
	'home.supervisorHint': 'Watch live sessions of your company.',
	'home.admin': 'Company admin',
	'home.adminHint': 'Users, permissions, settings and the audit log.',
	'home.customers': 'Customers use your company\'s link, e.g. {link}',

	'auth.title': 'Sign in',
	'auth.subtitle.agent': 'Agent console',
	'auth.subtitle.supervisor': 'Supervisor',
	'auth.subtitle.admin': 'Company admin',
	'auth.company': 'Company',
	'auth.companyHint': 'As in your customers\' link: …/c/company',
	'auth.email': 'Email',
	'auth.password': 'Password',
	'auth.submit': 'Sign in',
	'auth.signingIn': 'Signing in…',
	'auth.restoring': 'Signing you in…',
	'auth.signOut': 'Sign out',
	'auth.signedInAs': 'Signed in as {name}',
	'auth.missing': 'Enter your company, email and password.',

	'api.network': 'Cannot reach the server. Check your connection and try again.',
	'api.invalid_credentials': 'Wrong company, email or password.',
	'api.locked_out': 'Too many attempts. Try again in {minutes} minutes.',
	'api.rate_limited': 'Too many requests. Try again in {minutes} minutes.',
	'api.unauthorized': 'Your sign-in has expired. Sign in again.',
	'api.forbidden': 'Your account is not allowed to do this.',
	'api.internal': 'The server had a problem. Try again.',

	'agent.noCobrowse': 'Your account cannot start co-browsing sessions',
	'agent.openSupervisor': 'Open the supervisor view',
	'agent.start.title': 'Start a co-browsing session',
	'agent.start.pin': 'Customer\'s PIN',
	'agent.start.submit': 'Start',
	'agent.start.starting': 'Starting…',
	'agent.start.explain': 'Ask the customer to open {link} and read you the PIN.',
	'agent.start.copyLink': 'Copy link',
	'agent.start.copied': 'Copied',
	'agent.start.badFormat': 'A PIN has 6 digits.',
	'agent.start.invalidPin': 'That PIN is not valid. Check it with the customer.',
	'agent.start.lockedOut': 'Too many attempts. Try again in {minutes} minutes.',
	'agent.start.viewOnlyNote': 'Your account can watch but not control the page.',
	'agent.start.busy': 'You already have a session running. End it before starting another.',
	'agent.start.replace': 'End it and start this one',
	'agent.start.companyLimit': 'Your company is running as many sessions as it may at once. Try again when one ends.',
	'agent.start.atCapacity': 'The service is running as many sessions as it can. Try again in a minute.',
	'agent.end': 'End session',
	'agent.endConfirmTitle': 'End the session?',
	'agent.endConfirm': 'The customer\'s session ends too and the shared browser closes.',
	'agent.endFailed': 'Could not end the session: {message}',
	'agent.startAnother': 'Start another session',

	'dialog.cancel': 'Cancel',
	'dialog.close': 'Close',

	'customer.invalidLink': 'This link is not valid',
	'customer.invalidLinkHint': 'Ask your agent for the right link.',
	'customer.getHelp': 'Get help from an agent',
	'customer.readCode': 'Read this code to your agent',
	'customer.pinLabel': 'Your code',
	'customer.expiresIn': 'Expires in {time}',
	'customer.gettingCode': 'Getting your code…',
	'customer.waiting': 'Waiting for your agent to enter the code…',
	'customer.privacy': 'The agent sees the pages you open together here, not your device. You can end the session at any time.',
	'customer.expired': 'This code expired',
	'customer.expiredHint': 'Codes work for a few minutes only. Get a new one and read it to your agent.',
	'customer.newCode': 'Get a new code',
	'customer.codeFailed': 'Could not get a code: {message}',
	'customer.tryAgain': 'Try again',
	'customer.supervision': 'Sessions may be watched by a supervisor for quality purposes.',
	'customer.end': 'End',
	'customer.endConfirmTitle': 'End the session?',
	'customer.endConfirm': 'The agent will no longer see your screen.',
	'customer.ended': 'Session ended. You can close this page.',
	'customer.endedByAgent': 'The agent ended the session.',

	'supervisor.noSupervise': 'Your account cannot supervise sessions',
	'supervisor.title': 'Live sessions',
	'supervisor.refreshing': 'Updated every 3 seconds',
	'supervisor.empty': 'No live sessions right now.',
	'supervisor.col.agent': 'Agent',
	'supervisor.col.started': 'Started',
	'supervisor.col.page': 'Page',
	'supervisor.col.customer': 'Customer',
	'supervisor.customerPresent': 'Present',
	'supervisor.customerAway': 'Not connected',
	'supervisor.duration': '{duration} ago',
	'supervisor.watch': 'Watch',
	'supervisor.watchSession': 'Watch the session of {name}',
	'supervisor.banner': 'You are watching silently. Nobody in the session is told.',
	'supervisor.back': 'Back to sessions',
	'supervisor.loadFailed': 'Could not load the sessions: {message}',

	'admin.notAdmin': 'Only company admins can use this page',
	'admin.tabs': 'Sections',
	'admin.tab.users': 'Users',
	'admin.tab.company': 'Company',
	'admin.tab.audit': 'Audit log',
	'admin.loadFailed': 'Could not load: {message}',
	'admin.saving': 'Saving…',
	'admin.saved': 'Saved',
	'admin.saveFailed': 'Not saved: {message}',

	'users.name': 'Name',
	'users.email': 'Email',
	'users.role': 'Role',
	'users.permissions': 'Permissions',
	'users.cobrowse': 'Co-browse',
	'users.control': 'Control',
	'users.supervise': 'Supervise',
	'users.disabled': 'Disabled',
	'users.actions': 'Actions',
	'users.resetPassword': 'Reset password',
	'users.resetTitle': 'New password for {name}',
	'users.newPassword': 'New password',
	'users.passwordHint': 'At least 12 characters. Tell the user in person or by phone.',
	'users.passwordTooShort': 'The password must be at least 12 characters.',
	'users.setPassword': 'Set password',
	'users.passwordSet': 'Password changed for {name}.',
	'users.add': 'Add user',
	'users.addTitle': 'Add a user',
	'users.create': 'Create user',
	'users.optionalPassword': 'Password (optional)',
	'users.optionalPasswordHint': 'Leave empty to generate one.',
	'users.createdTitle': 'User created',
	'users.initialPassword': 'Initial password for {email}',
	'users.shownOnce': 'Shown once. Copy it now and give it to the user safely.',
	'users.copy': 'Copy',
	'users.copied': 'Copied',
	'users.conflict': 'A user with this email already exists',
	'users.lastAdmin': 'You cannot remove the last admin',
	'users.you': '(you)',
	'users.empty': 'No users yet.',

	'role.admin': 'Admin',

	'company.brandName': 'Brand name',
	'company.brandNameHint': 'Shown to customers at the top of their page.',
	'company.announce': 'Tell customers that sessions may be supervised',
	'company.pinTtl': 'PIN lifetime (minutes)',
	'company.pinTtlHint': 'Between 1 and 60 minutes.',
	'company.pinTtlRange': 'Enter a whole number of minutes between 1 and 60.',
	'company.startUrl': 'Start page URL (optional)',
	'company.startUrlHint': 'The page the shared browser opens at the start of a session.',
	'company.startUrlInvalid': 'Enter a full http:// or https:// address, or leave it empty.',
	'company.customerLink': 'Customer link',
	'company.save': 'Save',

	'audit.time': 'Time',
	'audit.actor': 'Actor',
	'audit.action': 'Action',
	'audit.session': 'Session',
	'audit.detail': 'Detail',
	'audit.loadMore': 'Load more',
	'audit.empty': 'No entries.',
	'audit.end': 'No more entries.',
	'audit.actor.user': 'User',
	'audit.actor.customer': 'Customer',
	'audit.actor.system': 'System',
	'audit.actor.anonymous': 'Anonymous',
	'audit.refresh': 'Refresh',

	'status.connecting': 'Connecting…',
	'status.joining': 'Joining the session…',
	'status.live': 'Connected',
	'status.reconnecting': 'Reconnecting…',
	'status.reconnectingIn': 'Trying again in {seconds} s…',
	'status.ended': 'Session ended',
	'status.error': 'Cannot join',
	'status.waitingVideo': 'Waiting for the shared browser…',
	'status.retryNow': 'Retry now',
	'status.elsewhere': 'Open elsewhere',
	'status.elsewhereExplain': 'This session is open in another window or tab.',
	'status.useHere': 'Use it here',

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
	'ended.internal_error': 'The session stopped because of an error on the server.',
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
	'stage.maskedFrom': 'Outlined parts are hidden from {names}',
	'stage.maskedFromAgent': 'Outlined parts are hidden from the agent',

	'customer.connectedWith': 'Connected with {name}',
	'customer.waitingAgent': 'Waiting for your agent…',
	'customer.keyboard': 'Open the keyboard',
	'customer.keyboardInput': 'Type here to write on the shared page',

	'toast.refused': 'Not allowed: {message}',
	'toast.controlRevoked': 'You can no longer control the page in this session.',
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
