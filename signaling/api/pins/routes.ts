/**
 * POST /api/companies/:companyId/pins: a customer asks for a PIN. No account: the
 * customer's page keeps the returned watch token to learn when an agent redeems it.
 */
import Router from '@koa/router';
import { NotFoundError } from '../../../protocol/errors.js';
import { addressKey } from '../../clientAddress.js';
import type { ApiContext } from '../context.js';
import { CompanyId } from '../common.js';
import type { IssuePinResponse } from './schema.js';

export function pinRoutes(api: ApiContext): Router {
	const router = new Router({ prefix: '/api/companies/:companyId/pins' });

	router.post('/', async (ctx) => {
		const companyId = CompanyId.safeParse(ctx.params.companyId);
		const company = companyId.success ? await api.store.getCompany(companyId.data) : undefined;
		if (!company) throw new NotFoundError('company');
		// NOTE: limited per address, or per /64 for IPv6 (one subscriber's whole range).
		const issued = await api.pins.issue(company.id, company.settings.pinTtlSeconds, addressKey(ctx.ip));
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
