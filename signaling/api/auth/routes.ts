/**
 * /api/auth: sign in with email and password, refresh, sign out, and who am I.
 *
 * Login resists guessing: attempts are counted per client IP and per email, and a key that
 * exceeds its limit is locked out for a while. A wrong email and a wrong password get the
 * same answer in about the same time (the password check runs against a dummy hash when no
 * user has that email), so the answer does not reveal which emails exist.
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
import { type AuthResponse, LoginBody, type MeResponse, RefreshBody } from './schema.js';

/** Login attempt limits: per client IP, and per email named (whether or not it exists). */
export const LOGIN_LIMITS = {
	/**
	 * 100 attempts per 10 minutes per IP, then locked for 15 minutes. Generous: a whole contact
	 * centre may sign in from one address at shift start; the per-email limit guards accounts.
	 */
	ip: { windowMs: 10 * 60_000, max: 100, lockMs: 15 * 60_000 },
	/** 10 attempts per 10 minutes per email, then locked for 15 minutes. Cleared by a successful login. */
	email: { windowMs: 10 * 60_000, max: 10, lockMs: 15 * 60_000 },
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

	/** Counts the attempt against both limits; throws `locked_out` if either key is locked. */
	const countAttempt = async (ip: string, email: string): Promise<void> => {
		const now = Date.now();
		for (const [scope, key, limits] of [
			['ip', `login:ip:${ip}`, LOGIN_LIMITS.ip],
			['email', `login:email:${email}`, LOGIN_LIMITS.email],
		] as const) {
			const result = await api.store.hitAttempt(key, now, limits);
			if (result.allowed) continue;
			// NOTE: audit only the attempt that set the lock; refusals while locked are not
			// counted and not recorded, so a flood cannot fill the audit log. A locked email
			// is recorded for its user's company, so the admin sees the account was attacked.
			if (result.lockedUntil === now + limits.lockMs) {
				failed('locked_out', ip, scope === 'email' ? await api.store.getUserByEmail(email) : undefined);
			}
			throw TooManyAttemptsError.until(result.lockedUntil ?? now + limits.lockMs, now, 'too many attempts; try again later');
		}
	};

	router.post('/login', async (ctx) => {
		const body = parseBody(LoginBody, ctx);
		await countAttempt(ctx.ip, body.email);
		const user = await api.store.getUserByEmail(body.email);
		const passwordOk = await verifyPassword(body.password, user?.passwordHash ?? DUMMY_HASH);
		if (!user || !passwordOk || user.disabled) {
			failed(!user ? 'unknown_email' : !passwordOk ? 'wrong_password' : 'disabled', ctx.ip, user);
			throw new InvalidCredentialsError();
		}
		await api.store.clearAttempts(`login:email:${body.email}`);
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
