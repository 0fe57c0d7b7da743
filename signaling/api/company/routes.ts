/**
 * /api/company: the signed-in user's company and its settings (admins edit them), and
 * /api/companies/:companyId/public: what a customer page may know about a company, no auth.
 */
import Router from '@koa/router';
import { NotFoundError } from '../../../protocol/errors.js';
import type { Company, CompanySettings } from '../../store/Store.js';
import { jsonBody, parseBody } from '../body.js';
import { CompanyId } from '../common.js';
import type { ApiContext } from '../context.js';
import { requireActiveUser, requireRole } from '../guard.js';
import { type CompanyResponse, type PublicCompanyResponse, UpdateCompanySettingsBody } from './schema.js';

/** The routes of /api/company and /api/companies/:companyId/public. */
export function companyRoutes(api: ApiContext): Router {
	const router = new Router({ prefix: '/api' });
	router.use(jsonBody());

	const load = async (id: string): Promise<Company> => {
		const company = await api.store.getCompany(id);
		if (!company) throw new NotFoundError('company');
		return company;
	};

	router.get('/company', async (ctx) => {
		const { claims } = await requireActiveUser(ctx, api);
		ctx.body = view(await load(claims.cid));
	});

	router.patch('/company', async (ctx) => {
		const { claims } = await requireActiveUser(ctx, api);
		requireRole(claims, 'admin');
		const body = parseBody(UpdateCompanySettingsBody, ctx);
		const company = await load(claims.cid);
		const settings: CompanySettings = { ...company.settings, ...body };
		const changed = (Object.keys(body) as Array<keyof CompanySettings>).filter((key) => JSON.stringify(settings[key]) !== JSON.stringify(company.settings[key]));
		if (changed.length > 0) {
			await api.store.updateCompanySettings(company.id, settings);
			if (changed.includes('allowedDomains')) api.allowedDomainsChanged(company.id, settings.allowedDomains);
			api.audit({ companyId: company.id, actorType: 'user', actorId: claims.sub, action: 'company.updated', detail: { fields: changed }, ip: ctx.ip });
		}
		ctx.body = view({ ...company, settings });
	});

	router.get('/companies/:companyId/public', async (ctx) => {
		const id = CompanyId.safeParse(ctx.params.companyId);
		// NOTE: a malformed id is just another unknown company.
		if (!id.success) throw new NotFoundError('company');
		const company = await load(id.data);
		ctx.body = {
			id: company.id,
			brandName: company.settings.brandName ?? company.name,
			announceSupervision: company.settings.announceSupervision,
		} satisfies PublicCompanyResponse;
	});

	return router;
}

function view(company: Company): CompanyResponse {
	return { company: { id: company.id, name: company.name, settings: company.settings } };
}
