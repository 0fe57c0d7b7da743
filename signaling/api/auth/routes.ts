/**
 * /api/auth: sign in with email and password, refresh, sign out, and who am I.
 *
 * Sign-in names the company (as customer links do), the email and the password. It resists
 * guessing (see {@link LOGIN_LIMITS}) without letting a stranger lock a real user out. A
 * wrong company, a wrong email and a wrong password get the same answer in about the same
 * time (the password check runs against a dummy hash when no such user exists), so the
 * answer does not reveal which companies or emails exist.
 */
import Router from '@koa/router';
import { DUMMY_HASH, verifyPassword } from '../../auth/passwords.js';
import { RefreshTokenReusedError } from '../../auth/TokenService.js';
import { InvalidCredentialsError, NotFoundError, TooManyAttemptsError } from '../../../protocol/errors.js';
import type { User } from '../../store/Store.js';
import { jsonBody, parseBody } from '../body.js';
import type { ApiContext } from '../context.js';
import { requireActiveUser } from '../guard.js';
import { toUserView } from '../views.js';
import { addressKey } from '../../clientAddress.js';
import { type AuthResponse, LoginBody, type MeResponse, RefreshBody } from './schema.js';

/**
 * Login attempt limits. Guessing stays expensive, yet no stranger can lock a user out: the
 * locks are per address (and per address and account), never per account alone.
 */
export const LOGIN_LIMITS = {
	/**
	 * Per client address (IPv6: per /64), failed attempts only: 100 in 10 minutes, then locked
	 * for 15 minutes. Generous: a whole contact centre may sign in from one address at shift start.
	 */
	address: { windowMs: 10 * 60_000, max: 100, lockMs: 15 * 60_000 },
	/**
	 * Per account and address: after 3 failures each further attempt waits 1 s, 2 s, 4 s...
	 * (at most a minute); after 10 failures in 10 minutes that address is locked out of that
	 * account for 15 minutes. Cleared by a successful login from the address.
	 */
	accountAddress: { windowMs: 10 * 60_000, max: 10, lockMs: 15 * 60_000, backoff: { after: 3, baseMs: 1000, maxMs: 60_000 } },
	/**
	 * Per account, from any address: never refused (that would let anyone lock the user
	 * out), but the 20th failure in 10 minutes is written to the audit log for the company's
	 * admins (`auth.login_attacked`) and counted.
	 */
	account: { windowMs: 10 * 60_000, max: Number.MAX_SAFE_INTEGER, lockMs: 0, alertAt: 20 },
} as const;

type LoginFailure = 'unknown_email' | 'wrong_password' | 'disabled' | 'locked_out';

/** The routes of /api/auth. */
export function authRoutes(api: ApiContext): Router {
	const router = new Router({ prefix: '/api/auth' });
	router.use(jsonBody());
	// NOTE: these answers carry tokens; no cache may keep them.
	router.use(async (ctx, next) => {
		ctx.set('Cache-Control', 'no-store');
		await next();
	});

	const failed = (reason: LoginFailure, ip: string, user?: User): void =>
		api.audit({
			companyId: user?.companyId ?? null,
			actorType: 'anonymous',
			actorId: null,
			action: 'auth.login_failed',
			// NOTE: never the email typed: it may be a password typed into the wrong field.
			detail: user ? { reason, userId: user.id } : { reason },
			ip,
		});

	/**
	 * Counts the attempt against the per-address and per-account-and-address limits before
	 * the password is checked (so concurrent attempts cannot all pass a check); throws
	 * `locked_out` or `rate_limited` when either refuses.
	 */
	const admit = async (keys: { address: string; accountAddress: string }, ip: string, account: () => Promise<User | undefined>): Promise<void> => {
		const now = Date.now();
		for (const [scope, key, limits] of [
			['address', keys.address, LOGIN_LIMITS.address],
			['accountAddress', keys.accountAddress, LOGIN_LIMITS.accountAddress],
		] as const) {
			const result = await api.store.hitAttempt(key, now, limits);
			if (result.allowed) continue;
			// NOTE: audit only the attempt that set the lock; refusals while locked are not
			// counted and not recorded, so a flood cannot fill the audit log.
			if (result.lockedUntil === now + limits.lockMs) failed('locked_out', ip, scope === 'accountAddress' ? await account() : undefined);
			throw TooManyAttemptsError.until(result.lockedUntil ?? now + limits.lockMs, now, 'too many attempts; try again later');
		}
	};

	/** A refusal of the next attempt from this address for a while (growing delay): answer it as such. */
	const delayed = async (key: string): Promise<void> => {
		const now = Date.now();
		const until = await api.store.lockedUntil(key, now);
		if (until !== null) throw TooManyAttemptsError.until(until, now, 'too many attempts; wait a moment and try again', 'rate_limited');
	};

	router.post('/login', async (ctx) => {
		const body = parseBody(LoginBody, ctx);
		const address = addressKey(ctx.ip);
		const account = `${body.company}:${body.email}`;
		const keys = { address: `login:ip:${address}`, accountAddress: `login:account-ip:${account}:${address}` };
		await delayed(keys.accountAddress);
		await admit(keys, ctx.ip, () => api.store.getUserByEmail(body.company, body.email));
		const user = await api.store.getUserByEmail(body.company, body.email);
		const passwordOk = await verifyPassword(body.password, user?.passwordHash ?? DUMMY_HASH);
		if (!user || !passwordOk || user.disabled) {
			failed(!user ? 'unknown_email' : !passwordOk ? 'wrong_password' : 'disabled', ctx.ip, user);
			const spread = await api.store.hitAttempt(`login:account:${account}`, Date.now(), LOGIN_LIMITS.account);
			if (user && spread.count === LOGIN_LIMITS.account.alertAt) {
				api.audit({ companyId: user.companyId, actorType: 'anonymous', actorId: null, action: 'auth.login_attacked', detail: { userId: user.id, failures: spread.count }, ip: ctx.ip });
				api.logger.warn({ userId: user.id, failures: spread.count }, 'many failed logins for one account');
			}
			throw new InvalidCredentialsError();
		}
		await Promise.all([api.store.clearAttempts(keys.accountAddress), api.store.forgiveAttempt(keys.address)]);
		const pair = await api.tokens.login(user);
		api.audit({ companyId: user.companyId, actorType: 'user', actorId: user.id, action: 'auth.login', ip: ctx.ip });
		ctx.body = { ...pair, user: toUserView(user) } satisfies AuthResponse;
	});

	router.post('/refresh', async (ctx) => {
		const body = parseBody(RefreshBody, ctx);
		const { pair, user } = await api.tokens.refresh(body.refreshToken).catch(async (error: unknown) => {
			if (error instanceof RefreshTokenReusedError) {
				const owner = await api.store.getUser(error.userId);
				// NOTE: a spent token presented again means a stolen copy or a replay: the admin should see it.
				if (owner) api.audit({ companyId: owner.companyId, actorType: 'user', actorId: owner.id, action: 'auth.refresh_reused', ip: ctx.ip });
				api.logger.warn({ userId: error.userId, familyId: error.familyId }, 'spent refresh token presented again; revoked its family');
			}
			throw error;
		});
		ctx.body = { ...pair, user: toUserView(user) } satisfies AuthResponse;
	});

	router.post('/logout', async (ctx) => {
		const body = parseBody(RefreshBody, ctx);
		const userId = await api.tokens.logout(body.refreshToken);
		const user = userId === null ? undefined : await api.store.getUser(userId);
		if (user) api.audit({ companyId: user.companyId, actorType: 'user', actorId: user.id, action: 'auth.logout', ip: ctx.ip });
		ctx.status = 204;
	});

	router.get('/me', async (ctx) => {
		const { user } = await requireActiveUser(ctx, api);
		const company = await api.store.getCompany(user.companyId);
		if (!company) throw new NotFoundError('company');
		ctx.body = {
			user: toUserView(user),
			company: { id: company.id, name: company.name, brandName: company.settings.brandName ?? company.name },
		} satisfies MeResponse;
	});

	return router;
}
