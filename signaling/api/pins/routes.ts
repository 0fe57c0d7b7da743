/**
 * POST /api/companies/:companyId/pins: a customer asks for a PIN. No account: the
 * customer's page keeps the returned watch token to learn when an agent redeems it.
 */
import Router from '@koa/router';
import { NotFoundError } from '../../../protocol/errors.js';
import { addressKey } from '../../clientAddress.js';
import type { ApiContext } from '../context.js';
import { CompanyId } from '../common.js';
import { BrowserLocale } from '../../../protocol/wire.js';
import { jsonBody } from '../body.js';
import type { IssuePinResponse } from './schema.js';

/**
 * The customer's language and time zone: what their page says, else the first language of
 * their browser's Accept-Language. Whatever does not parse is left out, never refused:
 * asking for help must not fail on it.
 */
function customerLocale(body: unknown, acceptLanguage: string | undefined): { lang: string; timeZone?: string } | undefined {
	const said = BrowserLocale.partial().safeParse(body ?? {});
	const header = (acceptLanguage ?? '').split(',')[0]?.split(';')[0]?.trim() ?? '';
	const fromHeader = BrowserLocale.shape.lang.safeParse(header);
	const lang = said.success && said.data.lang ? said.data.lang : fromHeader.success ? fromHeader.data : undefined;
	if (!lang) return undefined;
	const timeZone = said.success ? said.data.timeZone : undefined;
	return { lang, ...(timeZone ? { timeZone } : {}) };
}

export function pinRoutes(api: ApiContext): Router {
	const router = new Router({ prefix: '/api/companies/:companyId/pins' });
	router.use(jsonBody());

	router.post('/', async (ctx) => {
		const companyId = CompanyId.safeParse(ctx.params.companyId);
		const company = companyId.success ? await api.store.getCompany(companyId.data) : undefined;
		if (!company) throw new NotFoundError('company');
		// NOTE: limited per address, or per /64 for IPv6 (one subscriber's whole range).
		const issued = await api.pins.issue(company.id, company.settings.pinTtlSeconds, addressKey(ctx.ip), customerLocale(ctx.request.body, ctx.get('accept-language')));
		// NOTE: not audited: anyone may ask for PINs, and a flood of them would bury the
		// company's log. The redemption is audited, with when the PIN was issued.
		api.metrics.pinsIssued.inc();
		const expiresIn = Math.max(0, Math.round((issued.expiresAt - Date.now()) / 1000));
		const body: IssuePinResponse = { pin: issued.pin, expiresAt: issued.expiresAt, expiresIn, watchToken: issued.watchToken };
		ctx.status = 201;
		ctx.set('Cache-Control', 'no-store');
		ctx.body = body;
	});

	return router;
}
