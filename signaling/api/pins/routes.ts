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
import type { IssuePinResponse, WatchPinResponse } from './schema.js';
import { customerSessionToken } from '../../pins/PinService.js';
import type { Context } from 'koa';
import { z } from 'zod';
import { parseBody } from '../body.js';

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

/** How long a watch request waits for the agent before answering "waiting" (the embed asks again). */
const WATCH_WAIT_MS = 25_000;

const WatchBody = z.object({ watchToken: z.string().min(1).max(100) }).strict();

/**
 * The one-line embed on a company's own site calls these from that site's origin: they
 * answer any origin, without credentials (they hold none: a PIN is asked for anonymously,
 * and watched with the secret its answer gave).
 */
export function allowAnyOrigin(ctx: Context): void {
	ctx.set('Access-Control-Allow-Origin', '*');
	ctx.set('Access-Control-Allow-Methods', 'GET, POST');
	ctx.set('Access-Control-Allow-Headers', 'Content-Type');
	ctx.set('Access-Control-Max-Age', '600');
	ctx.set('Vary', 'Origin');
}

export function pinRoutes(api: ApiContext): Router {
	const router = new Router({ prefix: '/api/companies/:companyId/pins' });
	router.use(async (ctx, next) => {
		allowAnyOrigin(ctx);
		await next();
	});
	router.use(jsonBody());
	for (const path of ['/', '/watch']) {
		router.options(path, (ctx) => {
			ctx.status = 204;
		});
	}

	/**
	 * Waits (up to 25 s) for the PIN this watch token belongs to be redeemed: `redeemed` with
	 * the customer's session token (until the customer has joined), `gone` (expired, unknown
	 * or already used), or `waiting` (ask again). The HTTP form of the WebSocket's pin/watch,
	 * for the embed, which runs on the company's own site.
	 */
	router.post('/watch', async (ctx) => {
		const { watchToken } = parseBody(WatchBody, ctx);
		const pin = await api.pins.byWatchToken(watchToken);
		const companyId = String(ctx.params.companyId);
		ctx.set('Cache-Control', 'no-store');
		const redeemedInto = (sessionId: string): WatchPinResponse => {
			const session = api.liveSession(sessionId);
			if (!session?.binding || session.customerHasJoined) return { state: 'gone' };
			return { state: 'redeemed', sessionId, token: customerSessionToken(api.tokens, pin!, sessionId) };
		};
		if (!pin || pin.companyId !== companyId) return void (ctx.body = { state: 'gone' } satisfies WatchPinResponse);
		if (pin.sessionId) return void (ctx.body = redeemedInto(pin.sessionId));
		if (pin.expiresAt <= Date.now()) return void (ctx.body = { state: 'gone' } satisfies WatchPinResponse);
		let stop = () => {};
		const answer = await new Promise<WatchPinResponse>((resolve) => {
			const timer = setTimeout(() => resolve({ state: 'waiting', expiresIn: Math.max(0, Math.round((pin.expiresAt - Date.now()) / 1000)) }), Math.min(WATCH_WAIT_MS, pin.expiresAt - Date.now()));
			const unwatch = api.watchers.watch(pin.id, pin.expiresAt, { redeemed: (sessionId) => resolve(redeemedInto(sessionId)), expired: () => resolve({ state: 'gone' }) });
			stop = () => {
				clearTimeout(timer);
				unwatch();
			};
			// NOTE: the response's close before it is sent: the caller went away.
			ctx.res.once('close', () => resolve({ state: 'gone' }));
		});
		stop();
		ctx.body = answer;
	});

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
