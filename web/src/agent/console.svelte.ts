/**
 * The agent console's state: the PIN screen, then one live session at a time.
 *
 *   start ──(PIN redeemed)──▶ session ──(ended, "Start another session")──▶ start
 */
import type { ListSessionsResponse, LiveSessionView, StartSessionResponse } from '../../../signaling/api/sessions/schema';
import { tabStorage } from '../lib/boot';
import { ApiError, apiErrorText } from '../lib/api';
import type { Auth } from '../lib/auth.svelte';
import { t } from '../lib/i18n';
import { parsePin } from '../lib/pin';
import type { Session } from '../lib/session.svelte';
import { userSession } from '../lib/userSession';

/** Where this tab keeps the session it shows, so that a reload goes back into it. */
const TAB_SESSION_KEY = 'alongside.agent.session';

export class AgentConsole {
	/** The agent's live sessions, when the console has no session on screen (to rejoin one). */
	live = $state<LiveSessionView[]>([]);
	/** The session on screen, from a redeemed PIN until the agent starts another. */
	session = $state.raw<Session | null>(null);
	starting = $state(false);
	pinError = $state<string | null>(null);
	/** The agent already runs a session (`agent_busy`): offer to end it and start this one. */
	busy = $state(false);

	readonly #auth: Auth;
	readonly #storage = tabStorage();

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
	 * Once signed in: the agent's live sessions, to rejoin one (the console opened in another
	 * tab or on another computer); the session this tab showed before a reload is rejoined
	 * at once.
	 */
	async resume(): Promise<void> {
		if (this.#resumed || this.session) return;
		this.#resumed = true;
		try {
			const { sessions } = await this.#auth.api.get<ListSessionsResponse>('/api/sessions/mine');
			if (this.session) return;
			this.live = sessions.sort((a, b) => b.startedAt - a.startedAt);
			const shown = this.#storage?.getItem(TAB_SESSION_KEY);
			if (shown && sessions.some((s) => s.id === shown)) this.rejoin(shown);
		} catch (error) {
			// NOTE: not fatal: the PIN screen is there; the session can still be started anew.
			console.info('[agent] could not look for live sessions', error);
		}
	}

	/** Back into one of the agent's live sessions (it moves here from wherever it is shown). */
	rejoin(sessionId: string): void {
		this.live = [];
		this.#join(sessionId);
	}

	/** Signed out: the next sign-in looks for live sessions again. */
	forget(): void {
		this.#resumed = false;
	}

	/** Leaves the ended session's screen for the PIN screen. */
	startAnother(): void {
		this.session?.stop();
		this.session = null;
		this.#keep(null);
		this.pinError = null;
		if (typeof document !== 'undefined') document.body.dataset.status = 'idle';
	}

	/** Signing out mid-session leaves it (without ending it for the customer). */
	async leave(): Promise<void> {
		const session = this.session;
		this.session = null;
		this.#keep(null);
		await session?.leave();
	}

	#keep(sessionId: string | null): void {
		try {
			if (sessionId) this.#storage?.setItem(TAB_SESSION_KEY, sessionId);
			else this.#storage?.removeItem(TAB_SESSION_KEY);
		} catch (error) {
			console.info('[agent] could not keep the session for a reload', error);
		}
	}

	#join(sessionId: string): void {
		const session = userSession(this.#auth, sessionId, 'agent');
		this.live = [];
		this.#keep(sessionId);
		this.session = session;
		session.start();
	}
}
