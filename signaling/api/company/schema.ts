/** /api/company: the signed-in admin's company and its settings. */
import { z } from 'zod';
import { AgentNameFormat, BrandColor } from '../../../protocol/brand.js';
import { normalizeDomain } from '../rules/check.js';

/** The most sites a company may name as allowed. */
export const MAX_ALLOWED_DOMAINS = 200;

export const CompanySettingsView = z.object({
	announceSupervision: z.boolean(),
	pinTtlSeconds: z.number().int(),
	brandName: z.string().nullable(),
	startUrl: z.string().nullable(),
	allowedDomains: z.array(z.string()),
	customerAnnotations: z.boolean(),
	brandColor: z.string().nullable(),
	agentNameFormat: AgentNameFormat,
	logoVersion: z.number().nullable(),
	recording: z.enum(['off', 'always', 'agent']),
	retentionDays: z.number().int(),
	outcomes: z.array(z.string()),
});

export const UpdateCompanySettingsBody = z
	.object({
		announceSupervision: z.boolean(),
		pinTtlSeconds: z.number().int().min(60).max(3600),
		brandName: z.string().trim().min(1).max(60).nullable(),
		/** Customers may draw on the shared view too. */
		customerAnnotations: z.boolean(),
		/** The customer pages' colour, `#rrggbb`; white text on it must reach 4.5:1. Null: Alongside's. */
		brandColor: BrandColor.nullable(),
		/** How the agent's name is shown in sessions: `full`, `first`, `first_initial`. */
		agentNameFormat: AgentNameFormat,
		/** Which sessions are recorded: `off`, `always` (from their start), `agent` (when the agent starts it). */
		recording: z.enum(['off', 'always', 'agent']),
		/** How long recordings and session reports are kept, in days (1 to 3650). */
		retentionDays: z.number().int().min(1).max(3650),
		/** What an agent picks from when wrapping up a session: 1 to 20 outcomes, each up to 80 characters, no repeats. */
		outcomes: z
			.array(z.string().trim().min(1, 'an outcome cannot be empty').max(80))
			.min(1, 'at least one outcome')
			.max(20, 'at most 20 outcomes')
			.refine((list) => new Set(list.map((o) => o.toLowerCase())).size === list.length, 'each outcome once'),
		startUrl: z.url({ protocol: /^https?$/ }).max(2048).nullable(),
		/** Host names (each with its subdomains); empty: any public site. */
		allowedDomains: z
			.array(z.string().max(300))
			.max(MAX_ALLOWED_DOMAINS, `at most ${MAX_ALLOWED_DOMAINS} sites`)
			.transform((entries, ctx) => {
				const domains: string[] = [];
				for (const [i, entry] of entries.entries()) {
					if (entry.trim() === '') continue;
					const domain = normalizeDomain(entry);
					if ('problem' in domain) {
						ctx.addIssue({ code: 'custom', path: [i], message: domain.problem });
						return z.NEVER;
					}
					if (!domains.includes(domain.domain)) domains.push(domain.domain);
				}
				return domains;
			}),
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
	/** `#rrggbb`, or null for Alongside's own. */
	brandColor: string | null;
	/** Where the logo is (its address changes with it), or null. */
	logoUrl: string | null;
}
