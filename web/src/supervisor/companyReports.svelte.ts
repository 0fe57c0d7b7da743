/** The company's reports over a date range (supervisors and admins): totals, per day, per agent, endings, outcomes, refusals; CSV. */
import type { CompanyReport } from '../../../signaling/api/reports/schema';
import type { ListUsersResponse } from '../../../signaling/api/users/schema';
import { apiErrorText } from '../lib/api';
import type { Auth } from '../lib/auth.svelte';
import { t } from '../lib/i18n';
import { saveFile } from '../lib/saveFile';

const DAY = 86_400_000;

/** `yyyy-mm-dd` of a time, in the reader's time zone. */
export function localDay(at: number): string {
	const d = new Date(at);
	return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

export class CompanyReports {
	from = $state(localDay(Date.now() - 29 * DAY));
	to = $state(localDay(Date.now()));
	agent = $state('');
	report = $state.raw<CompanyReport | null>(null);
	agents = $state<Array<{ id: string; name: string }>>([]);
	loading = $state(false);
	error = $state<string | null>(null);

	readonly #auth: Auth;

	constructor(auth: Auth) {
		this.#auth = auth;
	}

	#query(): URLSearchParams {
		const from = new Date(`${this.from}T00:00:00`).getTime();
		const to = new Date(`${this.to}T00:00:00`).getTime() + DAY;
		const query = new URLSearchParams({ from: String(from), to: String(to), tz: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC' });
		if (this.agent) query.set('agent', this.agent);
		return query;
	}

	async load(): Promise<void> {
		this.loading = true;
		try {
			this.report = await this.#auth.api.get<CompanyReport>(`/api/reports?${this.#query()}`);
			this.error = null;
			if (this.agents.length === 0) {
				// NOTE: only admins may list users; others pick from the agents the report names.
				const users = await this.#auth.api.get<ListUsersResponse>('/api/users').catch(() => null);
				const list = users ? users.users.filter((u) => u.role !== 'supervisor').map((u) => ({ id: u.id, name: u.name })) : this.report.perAgent.map((a) => ({ id: a.agentId, name: a.name ?? a.agentId }));
				this.agents = list.sort((a, b) => a.name.localeCompare(b.name));
			}
		} catch (error) {
			this.error = t('supervisor.loadFailed', { message: apiErrorText(error) });
		} finally {
			this.loading = false;
		}
	}

	/** Downloads one row per session in the range as CSV. */
	async exportCsv(): Promise<void> {
		const query = this.#query();
		query.set('format', 'csv');
		try {
			const blob = await this.#auth.api.blob(`/api/reports?${query}`);
			if (blob) saveFile(blob, 'sessions.csv');
		} catch (error) {
			this.error = apiErrorText(error);
		}
	}
}
