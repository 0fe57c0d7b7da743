/**
 * /api/users: a company admin lists, creates and edits the users of their company. Users of
 * other companies do not exist as far as these routes are concerned (404, as for unknown).
 */
import { randomUUID } from 'node:crypto';
import Router from '@koa/router';
import type { Context } from 'koa';
import { generatePassword, hashPassword } from '../../auth/passwords.js';
import { ConflictError, NotFoundError } from '../../../protocol/errors.js';
import type { Permissions, User } from '../../store/Store.js';
import { DEFAULT_PERMISSIONS } from '../common.js';
import type { ApiContext } from '../context.js';
import { jsonBody, parseBody } from '../body.js';
import { requireAdmin as requireCompanyAdmin } from '../guard.js';
import { toUserView } from '../views.js';
import { CreateUserBody, type CreateUserResponse, type ListUsersResponse, UpdateUserBody, type UpdateUserResponse } from './schema.js';

/** The routes of /api/users (admins only). */
export function userRoutes(api: ApiContext): Router {
	const router = new Router({ prefix: '/api/users' });
	router.use(jsonBody());

	const requireAdmin = (ctx: Context) => requireCompanyAdmin(ctx, api);

	router.get('/', async (ctx) => {
		const admin = await requireAdmin(ctx);
		const users = await api.store.listUsers(admin.cid);
		ctx.body = { users: users.map(toUserView) } satisfies ListUsersResponse;
	});

	router.post('/', async (ctx) => {
		const admin = await requireAdmin(ctx);
		const body = parseBody(CreateUserBody, ctx);
		if (await api.store.getUserByEmail(admin.cid, body.email)) throw new ConflictError('email: a user with this email already exists in your company');
		const password = body.password ?? generatePassword();
		const user: User = {
			id: randomUUID(),
			companyId: admin.cid,
			email: body.email,
			name: body.name,
			role: body.role,
			permissions: { ...DEFAULT_PERMISSIONS[body.role], ...body.permissions },
			disabled: false,
			passwordHash: await hashPassword(password),
			createdAt: Date.now(),
		};
		// NOTE: the store refuses a duplicate email too (conflict), should one race past the check.
		await api.store.createUser(user);
		api.audit({
			companyId: admin.cid,
			actorType: 'user',
			actorId: admin.sub,
			action: 'user.created',
			detail: { userId: user.id, role: user.role },
			ip: ctx.ip,
		});
		ctx.status = 201;
		ctx.body = (body.password === undefined ? { user: toUserView(user), initialPassword: password } : { user: toUserView(user) }) satisfies CreateUserResponse;
	});

	router.patch('/:id', async (ctx) => {
		const admin = await requireAdmin(ctx);
		const body = parseBody(UpdateUserBody, ctx);
		const target = await api.store.getUser(ctx.params.id as string);
		if (!target || target.companyId !== admin.cid) throw new NotFoundError('user');

		const role = body.role ?? target.role;
		// NOTE: a role change starts from the new role's defaults; explicit flags still win.
		const basePermissions = role === target.role ? target.permissions : DEFAULT_PERMISSIONS[role];
		const permissions: Permissions = { ...basePermissions, ...body.permissions };
		const disabled = body.disabled ?? target.disabled;
		const patch: Parameters<ApiContext['store']['updateUser']>[1] = {};
		if (body.name !== undefined && body.name !== target.name) patch.name = body.name;
		if (role !== target.role) patch.role = role;
		if (!samePermissions(permissions, target.permissions)) patch.permissions = permissions;
		if (disabled !== target.disabled) patch.disabled = disabled;
		if (body.password !== undefined) patch.passwordHash = await hashPassword(body.password);

		const wasActiveAdmin = target.role === 'admin' && !target.disabled;
		if (wasActiveAdmin && (role !== 'admin' || disabled)) {
			const admins = (await api.store.listUsers(admin.cid)).filter((u) => u.role === 'admin' && !u.disabled);
			if (admins.length <= 1) throw new ConflictError('the company must keep at least one enabled admin');
		}

		const changed = Object.keys(patch).map((field) => (field === 'passwordHash' ? 'password' : field));
		if (changed.length > 0) {
			const demotesAdmin = wasActiveAdmin && (role !== 'admin' || disabled);
			// NOTE: the check above gives the clear message; this guard closes the race.
			if (!(await api.store.updateUser(target.id, patch, demotesAdmin ? { keepAnAdminIn: admin.cid } : {}))) {
				throw new ConflictError('the company must keep at least one enabled admin');
			}
			// NOTE: a new password or a disabled account ends every signed-in device at its next refresh.
			if (patch.passwordHash !== undefined || patch.disabled === true) await api.store.revokeUserRefreshTokens(target.id, Date.now());
			// NOTE: and live sessions follow the account now, not at the next join.
			api.userChanged(target.id);
			api.audit({
				companyId: admin.cid,
				actorType: 'user',
				actorId: admin.sub,
				action: 'user.updated',
				detail: { userId: target.id, fields: changed },
				ip: ctx.ip,
			});
		}
		const updated = await api.store.getUser(target.id);
		if (!updated) throw new NotFoundError('user');
		ctx.body = { user: toUserView(updated) } satisfies UpdateUserResponse;
	});

	return router;
}

function samePermissions(a: Permissions, b: Permissions): boolean {
	return a.cobrowse === b.cobrowse && a.control === b.control && a.supervise === b.supervise;
}
