/** The admin's Audit log tab: newest first, a page at a time ("Load more" with beforeId). */
import type { AuditEntryView, AuditResponse } from '../../../signaling/api/audit/schema';
import type { ListUsersResponse } from '../../../signaling/api/users/schema';
import { apiErrorText } from '../lib/api';
import type { Auth } from '../lib/auth.svelte';
import { t } from '../lib/i18n';
import { saveFile } from '../lib/saveFile';

export const AUDIT_PAGE = 50;

/** The domains of actions, for the "what" filter. */
export const AUDIT_DOMAINS = ['auth', 'session', 'pin', 'recording', 'report', 'input', 'control', 'rules', 'company', 'user', 'api_key', 'webhook', 'audit'] as const;

/** The filters as the admin sets them (dates as `yyyy-mm-dd` in the reader's time zone). */
export interface AuditFilters {
	actor: string;
	action: string;
	from: string;
	to: string;
}

/** The query of the filters: the dates from the reader's local midnight, `to` inclusive of its day. */
export function auditQuery(filters: AuditFilters): URLSearchParams {
	const query = new URLSearchParams();
	if (filters.actor) query.set('actor', filters.actor);
	if (filters.action) query.set('action', filters.action);
	const day = (text: string) => (/^\d{4}-\d{2}-\d{2}$/.test(text) ? new Date(`${text}T00:00:00`).getTime() : Number.NaN);
	const from = day(filters.from);
	const to = day(filters.to);
	if (Number.isFinite(from)) query.set('from', String(from));
	if (Number.isFinite(to)) query.set('to', String(to + 86_400_000));
	return query;
}

export class AuditLog {
	entries = $state<AuditEntryView[]>([]);
	filters = $state<AuditFilters>({ actor: '', action: '', from: '', to: '' });
	/** The company's users, for the "who" filter. */
	people = $state<Array<{ id: string; name: string }>>([]);
	loading = $state(false);
	/** No older entries. */
	done = $state(false);
	error = $state<string | null>(null);

	readonly #auth: Auth;

	constructor(auth: Auth) {
		this.#auth = auth;
	}

	/** Loads the newest page again (and the people to filter by). */
	reload(): Promise<void> {
		this.entries = [];
		this.done = false;
		void this.#auth.api
			.get<ListUsersResponse>('/api/users')
			.then((res) => (this.people = res.users.map((u) => ({ id: u.id, name: u.name })).sort((a, b) => a.name.localeCompare(b.name))))
			.catch(() => undefined);
		return this.more();
	}

	/** Downloads every entry the filters match as a CSV file. */
	async exportCsv(): Promise<void> {
		const query = auditQuery(this.filters);
		query.set('format', 'csv');
		try {
			const blob = await this.#auth.api.blob(`/api/audit?${query}`);
			if (blob) saveFile(blob, 'audit.csv');
		} catch (error) {
			this.error = t('audit.exportFailed', { message: apiErrorText(error) });
		}
	}

	async more(): Promise<void> {
		if (this.loading || this.done) return;
		this.loading = true;
		const oldest = this.entries.at(-1);
		const query = auditQuery(this.filters);
		query.set('limit', String(AUDIT_PAGE));
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
