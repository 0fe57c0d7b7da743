/**
 * The agent console's state: the PIN screen, then one live session at a time.
 *
 *   start ──(PIN redeemed)──▶ session ──(ended, "Start another session")──▶ start
 */
import type { ListSessionsResponse, StartSessionResponse } from '../../../signaling/api/sessions/schema';
import { ApiError, apiErrorText } from '../lib/api';
import type { Auth } from '../lib/auth.svelte';
import { t } from '../lib/i18n';
import { parsePin } from '../lib/pin';
import type { Session } from '../lib/session.svelte';
import { userSession } from '../lib/userSession';

export class AgentConsole {
	/** The session on screen, from a redeemed PIN until the agent starts another. */
	session = $state.raw<Session | null>(null);
	starting = $state(false);
	pinError = $state<string | null>(null);
	/** The agent already runs a session (`agent_busy`): offer to end it and start this one. */
	busy = $state(false);

	readonly #auth: Auth;

	constructor(auth: Auth) {
		this.#auth = auth;
	}

	/**
	 * Redeems the customer's PIN (POST /api/sessions) and joins the new session as its agent.
	 * `replace` ends the agent's other live session first (after `agent_busy`).
	 */
	async start(input: string, replace = false): Promise<void> {
		const pin = parsePin(input);
		if (!pin) {
			this.pinError = t('agent.start.badFormat');
			return;
		}
		this.starting = true;
		this.pinError = null;
		this.busy = false;
		try {
			const { sessionId } = await this.#auth.api.post<StartSessionResponse>('/api/sessions', { pin, replace });
			this.#join(sessionId);
		} catch (error) {
			this.busy = error instanceof ApiError && error.code === 'agent_busy';
			this.pinError = apiErrorText(error, {
				invalid_pin: 'agent.start.invalidPin',
				not_found: 'agent.start.invalidPin',
				locked_out: 'agent.start.lockedOut',
				bad_request: 'agent.start.badFormat',
				agent_busy: 'agent.start.busy',
				limit_reached: 'agent.start.companyLimit',
				at_capacity: 'agent.start.atCapacity',
			});
			if (error instanceof ApiError && error.code === 'unauthorized') await this.#auth.signOut();
		} finally {
			this.starting = false;
		}
	}

	/** Whether the agent's live sessions were looked for since signing in (see {@link resume}). */
	#resumed = false;

	/**
	 * Once signed in: back into the agent's live session, if it has one (the console was
	 * reloaded, or opened in another tab or on another computer: the session moves here).
	 */
	async resume(): Promise<void> {
		if (this.#resumed || this.session) return;
		this.#resumed = true;
		try {
			const { sessions } = await this.#auth.api.get<ListSessionsResponse>('/api/sessions/mine');
			const newest = sessions.sort((a, b) => b.startedAt - a.startedAt)[0];
			if (newest && !this.session) this.#join(newest.id);
		} catch (error) {
			// NOTE: not fatal: the PIN screen is there; the session can still be started anew.
			console.info('[agent] could not look for live sessions', error);
		}
	}

	/** Signed out: the next sign-in looks for live sessions again. */
	forget(): void {
		this.#resumed = false;
	}

	/** Leaves the ended session's screen for the PIN screen. */
	startAnother(): void {
		this.session?.stop();
		this.session = null;
		this.pinError = null;
		if (typeof document !== 'undefined') document.body.dataset.status = 'idle';
	}

	/** Signing out mid-session leaves it (without ending it for the customer). */
	async leave(): Promise<void> {
		const session = this.session;
		this.session = null;
		await session?.leave();
	}

	#join(sessionId: string): void {
		const session = userSession(this.#auth, sessionId, 'agent');
		this.session = session;
		session.start();
	}
}
