/** The admin's Audit log tab: newest first, a page at a time ("Load more" with beforeId). */
import type { AuditEntryView, AuditResponse } from '../../../signaling/api/audit/schema';
import { apiErrorText } from '../lib/api';
import type { Auth } from '../lib/auth.svelte';
import { t } from '../lib/i18n';

export const AUDIT_PAGE = 50;

export class AuditLog {
	entries = $state<AuditEntryView[]>([]);
	loading = $state(false);
	/** No older entries. */
	done = $state(false);
	error = $state<string | null>(null);

	readonly #auth: Auth;

	constructor(auth: Auth) {
		this.#auth = auth;
	}

	/** Loads the newest page again. */
	reload(): Promise<void> {
		this.entries = [];
		this.done = false;
		return this.more();
	}

	async more(): Promise<void> {
		if (this.loading || this.done) return;
		this.loading = true;
		const oldest = this.entries.at(-1);
		const query = new URLSearchParams({ limit: String(AUDIT_PAGE) });
		if (oldest) query.set('beforeId', String(oldest.id));
		try {
			const res = await this.#auth.api.get<AuditResponse>(`/api/audit?${query}`);
			const known = new Set(this.entries.map((e) => e.id));
			this.entries = [...this.entries, ...res.entries.filter((e) => !known.has(e.id))];
			this.done = res.entries.length < AUDIT_PAGE;
			this.error = null;
		} catch (error) {
			this.error = t('admin.loadFailed', { message: apiErrorText(error) });
		} finally {
			this.loading = false;
		}
	}
}
