/** The admin's Company tab: the settings form, validated with the server's own schema. */
import type { CompanyResponse } from '../../../signaling/api/company/schema';
import { apiErrorText } from '../lib/api';
import type { Auth } from '../lib/auth.svelte';
import { t } from '../lib/i18n';
import { companyBody, type CompanyForm } from './forms';

export class CompanySettings {
	company = $state<CompanyResponse['company'] | null>(null);
	form = $state<CompanyForm>({ brandName: '', announceSupervision: false, pinTtlMinutes: '10', startUrl: '', allowedDomains: '' });
	error = $state<string | null>(null);
	fieldError = $state<{ field: keyof CompanyForm; text: string } | null>(null);
	saving = $state(false);
	/** Result of the last save, shown beside the button. */
	saved = $state<'saved' | 'failed' | null>(null);
	saveError = $state<string | null>(null);

	readonly #auth: Auth;

	constructor(auth: Auth) {
		this.#auth = auth;
	}

	async load(): Promise<void> {
		try {
			const res = await this.#auth.api.get<CompanyResponse>('/api/company');
			this.#show(res.company);
			this.error = null;
		} catch (error) {
			this.error = t('admin.loadFailed', { message: apiErrorText(error) });
		}
	}

	async save(): Promise<void> {
		this.saved = null;
		const result = companyBody(this.form);
		if ('field' in result) {
			this.fieldError = { field: result.field, text: t(result.message, { message: '' }) };
			return;
		}
		this.fieldError = null;
		this.saving = true;
		try {
			const res = await this.#auth.api.patch<CompanyResponse>('/api/company', result.body);
			this.#show(res.company);
			this.saved = 'saved';
		} catch (error) {
			this.saved = 'failed';
			this.saveError = t('admin.saveFailed', { message: apiErrorText(error) });
		} finally {
			this.saving = false;
		}
	}

	#show(company: CompanyResponse['company']): void {
		this.company = company;
		const s = company.settings;
		this.form = {
			brandName: s.brandName ?? '',
			announceSupervision: s.announceSupervision,
			pinTtlMinutes: String(Math.max(1, Math.round(s.pinTtlSeconds / 60))),
			startUrl: s.startUrl ?? '',
			allowedDomains: s.allowedDomains.join('\n'),
		};
	}
}
