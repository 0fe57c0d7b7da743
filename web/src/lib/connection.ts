/**
 * Pure rules of the connection life cycle: where the link's token comes from, how long to
 * wait before reconnecting, and which failures are worth a retry.
 */

/** What the viewer's link carries in its fragment (`#t=<token>&n=<name>`). */
export interface LinkCredentials {
	token: string;
	/** Optional display name (`n=`); the server may override it. */
	name?: string;
}

/** Parses `#t=…&n=…`; null when there is no token. */
export function parseFragment(hash: string): LinkCredentials | null {
	const params = new URLSearchParams(hash.replace(/^#/, ''));
	const token = params.get('t')?.trim();
	if (!token) return null;
	const name = params.get('n')?.trim();
	return name ? { token, name } : { token };
}

interface StorageLike {
	getItem(key: string): string | null;
	setItem(key: string, value: string): void;
}

/**
 * The link's credentials: from the URL fragment when present (then kept in
 * sessionStorage and stripped from the address bar), else from sessionStorage so that a
 * reload keeps working. The token never goes into a URL that reaches the server.
 */
export function takeCredentials(
	app: string,
	location: { hash: string; pathname: string; search: string },
	storage: StorageLike | null,
	history: { replaceState(data: unknown, unused: string, url: string): void } | null,
): LinkCredentials | null {
	const key = `alongside.${app}.link`;
	const fromHash = parseFragment(location.hash);
	if (fromHash) {
		try {
			storage?.setItem(key, JSON.stringify(fromHash));
		} catch (error) {
			// NOTE: storage can be disabled (private mode); then a reload needs the link again.
			console.warn('[session] could not keep the link in sessionStorage', error);
		}
		history?.replaceState(null, '', location.pathname + location.search);
		return fromHash;
	}
	try {
		const stored = storage?.getItem(key);
		if (!stored) return null;
		const parsed = JSON.parse(stored) as Partial<LinkCredentials>;
		if (typeof parsed.token !== 'string' || !parsed.token) return null;
		return typeof parsed.name === 'string' ? { token: parsed.token, name: parsed.name } : { token: parsed.token };
	} catch (error) {
		console.warn('[session] ignoring an unreadable stored link', error);
		return null;
	}
}

/**
 * Delay before reconnect attempt `attempt` (1-based): 0.5 s doubling to at most 30 s,
 * with ±20 % jitter so that a server restart is not hit by every viewer at once.
 */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
	const base = Math.min(30_000, 500 * 2 ** Math.max(0, attempt - 1));
	return Math.round(base * (0.8 + 0.4 * random()));
}

/** What to do after a failure, by the error code it carried. */
export type FailureKind = 'retry' | 'ended' | 'fatal';

/**
 * `session_ended` ends the session; codes that a retry cannot fix (the link is bad or
 * this participant may not join) are fatal; everything else, including a dropped socket
 * and timeouts, is retried.
 */
export function classifyFailure(code: string | undefined): FailureKind {
	switch (code) {
		case 'session_ended':
			return 'ended';
		case 'unauthorized':
		case 'forbidden':
		case 'not_found':
		case 'bad_request':
		case 'unknown_type':
			return 'fatal';
		default:
			return 'retry';
	}
}
