/** Pure rules of the admin forms: what to send, and what to say when the server refuses. */
import { UpdateCompanySettingsBody } from '../../../signaling/api/company/schema';
import { ApiError, apiErrorText } from '../lib/api';
import { t, type MessageKey } from '../lib/i18n';

/** The text for a refused user change. 409 on an update is the "last admin" rule. */
export function userChangeError(error: unknown, creating: boolean): string {
	if (error instanceof ApiError && error.code === 'conflict') return t(creating ? 'users.conflict' : 'users.lastAdmin');
	return apiErrorText(error);
}

/** The form's fields as typed (strings where the admin types). */
export interface CompanyForm {
	brandName: string;
	announceSupervision: boolean;
	pinTtlMinutes: string;
	startUrl: string;
}

/** The form as a PATCH body, or the field that is wrong with the message key to show. */
export function companyBody(form: CompanyForm): { body: UpdateCompanySettingsBody } | { field: keyof CompanyForm; message: MessageKey } {
	const typed = String(form.pinTtlMinutes).trim();
	const minutes = Number(typed);
	if (!/^\d+$/.test(typed) || minutes < 1 || minutes > 60) return { field: 'pinTtlMinutes', message: 'company.pinTtlRange' };
	const parsed = UpdateCompanySettingsBody.safeParse({
		brandName: form.brandName.trim() || null,
		announceSupervision: form.announceSupervision,
		pinTtlSeconds: minutes * 60,
		startUrl: form.startUrl.trim() || null,
	});
	if (!parsed.success) {
		const field = parsed.error.issues[0]?.path[0];
		if (field === 'startUrl') return { field: 'startUrl', message: 'company.startUrlInvalid' };
		return { field: 'brandName', message: 'admin.saveFailed' };
	}
	return { body: parsed.data };
}

