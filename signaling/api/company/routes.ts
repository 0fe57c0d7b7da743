/**
 * /api/company: the signed-in user's company and its settings (admins edit them), and
 * /api/companies/:companyId/public: what a customer page may know about a company, no auth.
 */
import Router from '@koa/router';
import { NotFoundError } from '../../../protocol/errors.js';
import type { Company, CompanySettings } from '../../store/Store.js';
import { LOGO_MAX_BYTES, sniffLogo } from '../../../protocol/brand.js';
import { AppError } from '../../../protocol/errors.js';
import { allowAnyOrigin } from '../pins/routes.js';
import { jsonBody, parseBody, readRawBody } from '../body.js';
import { CompanyId } from '../common.js';
import type { ApiContext } from '../context.js';
import { requireActiveUser, requireRole } from '../guard.js';
import { type CompanyResponse, type PublicCompanyResponse, UpdateCompanySettingsBody } from './schema.js';

/** The routes of /api/company and /api/companies/:companyId/public. */
export function companyRoutes(api: ApiContext): Router {
	const router = new Router({ prefix: '/api' });
	// NOTE: for its one JSON route only: this router's prefix is all of /api.
	const json = jsonBody();

	const load = async (id: string): Promise<Company> => {
		const company = await api.store.getCompany(id);
		if (!company) throw new NotFoundError('company');
		return company;
	};

	router.get('/company', async (ctx) => {
		const { claims } = await requireActiveUser(ctx, api);
		ctx.body = view(await load(claims.cid));
	});

	router.patch('/company', json, async (ctx) => {
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

	// The logo: the bytes as the body (PNG, JPEG or WebP, told by its bytes, at most 256 KB).
	router.put('/company/logo', async (ctx) => {
		const { claims } = await requireActiveUser(ctx, api);
		requireRole(claims, 'admin');
		const bytes = await readRawBody(ctx, LOGO_MAX_BYTES, 'logo');
		const type = sniffLogo(bytes);
		if (!type) throw new AppError('bad_request', 'logo: a PNG, JPEG or WebP image is needed', 415);
		const company = await load(claims.cid);
		await api.store.setCompanyLogo(company.id, { type, bytes });
		const settings: CompanySettings = { ...company.settings, logoVersion: (company.settings.logoVersion ?? 0) + 1 };
		await api.store.updateCompanySettings(company.id, settings);
		api.audit({ companyId: company.id, actorType: 'user', actorId: claims.sub, action: 'company.updated', detail: { fields: ['logo'] }, ip: ctx.ip });
		ctx.body = view({ ...company, settings });
	});

	router.delete('/company/logo', async (ctx) => {
		const { claims } = await requireActiveUser(ctx, api);
		requireRole(claims, 'admin');
		const company = await load(claims.cid);
		await api.store.setCompanyLogo(company.id, null);
		const settings: CompanySettings = { ...company.settings, logoVersion: null };
		await api.store.updateCompanySettings(company.id, settings);
		api.audit({ companyId: company.id, actorType: 'user', actorId: claims.sub, action: 'company.updated', detail: { fields: ['logo'] }, ip: ctx.ip });
		ctx.body = view({ ...company, settings });
	});

	// NOTE: public (the customer's page shows it); served so that it can only ever be an image.
	router.get('/companies/:companyId/logo', async (ctx) => {
		const id = CompanyId.safeParse(ctx.params.companyId);
		const logo = id.success ? await api.store.getCompanyLogo(id.data) : undefined;
		if (!logo) throw new NotFoundError('logo');
		ctx.set('Content-Type', logo.type);
		ctx.set('X-Content-Type-Options', 'nosniff');
		ctx.set('Content-Security-Policy', "default-src 'none'; sandbox");
		ctx.set('Cache-Control', 'public, max-age=300');
		ctx.body = Buffer.from(logo.bytes);
	});

	router.get('/companies/:companyId/public', async (ctx) => {
		// NOTE: read by the embed on the company's own site too (public, no credentials).
		allowAnyOrigin(ctx);
		const id = CompanyId.safeParse(ctx.params.companyId);
		// NOTE: a malformed id is just another unknown company.
		if (!id.success) throw new NotFoundError('company');
		const company = await load(id.data);
		ctx.body = {
			id: company.id,
			brandName: company.settings.brandName ?? company.name,
			announceSupervision: company.settings.announceSupervision,
			brandColor: company.settings.brandColor,
			logoUrl: company.settings.logoVersion ? `/api/companies/${encodeURIComponent(company.id)}/logo?v=${company.settings.logoVersion}` : null,
		} satisfies PublicCompanyResponse;
	});

	return router;
}

function view(company: Company): CompanyResponse {
	return { company: { id: company.id, name: company.name, settings: company.settings } };
}
