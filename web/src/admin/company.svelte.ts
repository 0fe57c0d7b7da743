/** The admin's Company tab: the settings form, validated with the server's own schema. */
import type { CompanyResponse } from '../../../signaling/api/company/schema';
import { apiErrorText } from '../lib/api';
import type { Auth } from '../lib/auth.svelte';
import { t } from '../lib/i18n';
import { LOGO_MAX_BYTES } from '../../../protocol/brand';
import { companyBody, type CompanyForm } from './forms';

export class CompanySettings {
	company = $state<CompanyResponse['company'] | null>(null);
	form = $state<CompanyForm>({ brandName: '', announceSupervision: false, pinTtlMinutes: '10', startUrl: '', allowedDomains: '', brandColor: '', agentNameFormat: 'full', customerAnnotations: false, recording: 'off', retentionDays: '30', outcomes: '' });
	/** Why the last logo upload failed, if it did. */
	logoError = $state<string | null>(null);
	logoBusy = $state(false);
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
			brandColor: s.brandColor ?? '',
			agentNameFormat: s.agentNameFormat,
			customerAnnotations: s.customerAnnotations,
			recording: s.recording,
			retentionDays: String(s.retentionDays),
			outcomes: s.outcomes.join('\n'),
		};
	}

	/** Uploads a logo (PNG, JPEG or WebP, at most 256 KB), or removes it (null). */
	async setLogo(file: File | null): Promise<void> {
		this.logoError = null;
		if (file && file.size > LOGO_MAX_BYTES) {
			this.logoError = t('company.logoTooLarge', { max: `${LOGO_MAX_BYTES / 1024} KB` });
			return;
		}
		this.logoBusy = true;
		try {
			const res = file
				? await this.#auth.api.request<CompanyResponse>('PUT', '/api/company/logo', file)
				: await this.#auth.api.request<CompanyResponse>('DELETE', '/api/company/logo');
			if (this.company) this.company = { ...this.company, settings: { ...this.company.settings, logoVersion: res.company.settings.logoVersion } };
		} catch (error) {
			this.logoError = apiErrorText(error);
		} finally {
			this.logoBusy = false;
		}
	}

	/** Where the logo is now, or null. */
	get logoUrl(): string | null {
		const c = this.company;
		return c?.settings.logoVersion ? `/api/companies/${encodeURIComponent(c.id)}/logo?v=${c.settings.logoVersion}` : null;
	}
}
