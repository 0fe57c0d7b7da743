/** /api/company: the signed-in admin's company and its settings. */
import { z } from 'zod';

export const CompanySettingsView = z.object({
	announceSupervision: z.boolean(),
	pinTtlSeconds: z.number().int(),
	brandName: z.string().nullable(),
	startUrl: z.string().nullable(),
});

export const UpdateCompanySettingsBody = z
	.object({
		announceSupervision: z.boolean(),
		pinTtlSeconds: z.number().int().min(60).max(3600),
		brandName: z.string().trim().min(1).max(60).nullable(),
		startUrl: z.url({ protocol: /^https?$/ }).max(2048).nullable(),
	})
	.partial()
	.strict();
export type UpdateCompanySettingsBody = z.infer<typeof UpdateCompanySettingsBody>;

/** GET /api/company and PATCH /api/company */
export interface CompanyResponse {
	company: { id: string; name: string; settings: z.infer<typeof CompanySettingsView> };
}

/** GET /api/companies/:companyId/public: what the customer page may know. No auth. */
export interface PublicCompanyResponse {
	id: string;
	brandName: string;
	announceSupervision: boolean;
}
