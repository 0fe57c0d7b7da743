/**
 * Past sessions and their reports, for supervisors and admins: the list of ended sessions,
 * and one report open (recording, timeline, chat). Admins may delete a report or a
 * recording.
 */
import type { SessionHistoryResponse, SessionReportResponse } from '../../../signaling/api/sessions/schema';
import { apiErrorText } from '../lib/api';
import type { Auth } from '../lib/auth.svelte';
import { t } from '../lib/i18n';

export type PastSession = SessionHistoryResponse['sessions'][number];

export class Reports {
	sessions = $state<PastSession[]>([]);
	loaded = $state(false);
	error = $state<string | null>(null);
	/** The report open now. */
	open = $state.raw<SessionReportResponse | null>(null);
	loading = $state(false);

	readonly #auth: Auth;

	constructor(auth: Auth) {
		this.#auth = auth;
	}

	async load(): Promise<void> {
		try {
			this.sessions = (await this.#auth.api.get<SessionHistoryResponse>('/api/sessions/history')).sessions;
			this.loaded = true;
			this.error = null;
		} catch (error) {
			this.error = t('supervisor.loadFailed', { message: apiErrorText(error) });
		}
	}

	/** Opens a session's report (its video link is signed for this user, for 10 minutes). */
	async show(sessionId: string): Promise<void> {
		this.loading = true;
		try {
			this.open = await this.#auth.api.get<SessionReportResponse>(`/api/sessions/${encodeURIComponent(sessionId)}/report`);
			this.error = null;
		} catch (error) {
			this.error = apiErrorText(error);
		} finally {
			this.loading = false;
		}
	}

	close(): void {
		this.open = null;
		void this.load();
	}

	/** Admins: deletes the open report and its recordings for good. */
	async deleteReport(): Promise<void> {
		const open = this.open;
		if (!open) return;
		try {
			await this.#auth.api.request('DELETE', `/api/sessions/${encodeURIComponent(open.session.id)}/report`);
			this.close();
		} catch (error) {
			this.error = apiErrorText(error);
		}
	}

	/** Saves the reader's review of the open report (a rating 1 to 5 or none, and notes); resolves with an error message or null. */
	async saveReview(rating: number | null, notes: string): Promise<string | null> {
		const open = this.open;
		if (!open) return null;
		try {
			await this.#auth.api.request('PUT', `/api/sessions/${encodeURIComponent(open.session.id)}/review`, { rating, notes });
			this.open = { ...open, review: { rating, notes, at: Date.now(), reviewer: this.#auth.user?.name ?? null } };
			return null;
		} catch (error) {
			return apiErrorText(error);
		}
	}

	/** Admins: deletes one recording for good; the rest of the report stays. */
	async deleteRecording(recordingId: string): Promise<void> {
		const open = this.open;
		if (!open) return;
		try {
			await this.#auth.api.request('DELETE', `/api/recordings/${encodeURIComponent(recordingId)}`);
			await this.show(open.session.id);
		} catch (error) {
			this.error = apiErrorText(error);
		}
	}
}
