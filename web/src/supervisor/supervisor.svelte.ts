/**
 * The supervisor's state: the company's live sessions (polled every 3 s while the list is
 * on screen) and, while watching, the one session joined silently.
 */
import type { LiveSessionView, ListSessionsResponse } from '../../../signaling/api/sessions/schema';
import { ApiError, apiErrorText } from '../lib/api';
import type { Auth } from '../lib/auth.svelte';
import { t } from '../lib/i18n';
import type { Session } from '../lib/session.svelte';
import { userSession } from '../lib/userSession';

/** How often the list is reloaded. */
export const POLL_MS = 3000;

export class Supervisor {
	sessions = $state<LiveSessionView[]>([]);
	/** Whether the list was loaded at least once. */
	loaded = $state(false);
	error = $state<string | null>(null);
	/** The session being watched, and what the list said about it. */
	watching = $state.raw<{ session: Session; info: LiveSessionView } | null>(null);
	/** Ticks with each poll, for the durations. */
	now = $state(Date.now());

	readonly #auth: Auth;
	#timer: ReturnType<typeof setTimeout> | null = null;
	#polling = false;

	constructor(auth: Auth) {
		this.#auth = auth;
	}

	/** Starts polling; returns the function that stops it (for an $effect). */
	poll(): () => void {
		this.#polling = true;
		void this.#load();
		return () => {
			this.#polling = false;
			if (this.#timer) clearTimeout(this.#timer);
			this.#timer = null;
		};
	}

	/** A live session's small picture (masked, what agents see), or null while none is made yet. */
	thumbnail(sessionId: string): Promise<Blob | null> {
		return this.#auth.api.blob(`/api/sessions/${encodeURIComponent(sessionId)}/thumbnail`);
	}

	/** Joins a session silently, as supervisor (view only: the server gives no input channel). */
	watch(info: LiveSessionView): void {
		const session = userSession(this.#auth, info.id, 'supervisor');
		this.watching = { session, info };
		session.start();
	}

	/** Leaves the watched session (`session/leave`) and shows the list again. */
	async back(): Promise<void> {
		const watching = this.watching;
		this.watching = null;
		if (typeof document !== 'undefined') document.body.dataset.status = 'idle';
		await watching?.session.leave();
	}

	async #load(): Promise<void> {
		try {
			const res = await this.#auth.api.get<ListSessionsResponse>('/api/sessions');
			this.sessions = [...res.sessions].sort((a, b) => b.startedAt - a.startedAt);
			this.loaded = true;
			this.error = null;
		} catch (error) {
			this.error = t('supervisor.loadFailed', { message: apiErrorText(error) });
			// NOTE: nothing to retry for a user who may not supervise; the page says so.
			if (error instanceof ApiError && error.status === 403) return;
		} finally {
			this.now = Date.now();
		}
		if (this.#polling) this.#timer = setTimeout(() => void this.#load(), POLL_MS);
	}
}
