/**
 * A session joined by a signed-in user (the agent who redeemed the PIN, or a supervisor).
 */
import type { Auth } from './auth.svelte';
import { t } from './i18n';
import { Session } from './session.svelte';
import { SignalingError, defaultSocketUrl } from './signaling';

/**
 * A {@link Session} that joins `sessionId` as `as` with the user's access token.
 * NOTE: every (re)join takes a freshly refreshed token: after a drop the old one may be close
 * to expiry, or the drop was a server restart with new keys.
 */
export function userSession(auth: Auth, sessionId: string, as: 'agent' | 'supervisor'): Session {
	return new Session({
		url: defaultSocketUrl(window.location),
		join: async (rejoin) => {
			const token = await auth.accessToken(rejoin);
			if (!token) throw new SignalingError('unauthorized', t('api.unauthorized'));
			return { token, sessionId, as };
		},
	});
}
