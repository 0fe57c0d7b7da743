/**
 * Who may call a REST route. Users present their access token as `Authorization: Bearer`;
 * customers' session tokens are refused on REST (customers only join over WebSocket).
 */
import type { AccessClaims, Tokens } from '../auth/types.js';
import { ForbiddenError, UnauthorizedError } from '../../protocol/errors.js';
import type { Permissions, User, UserRole } from '../store/Store.js';
import type { ApiContext } from './context.js';

/** What the guards read from a koa context. */
interface HeaderSource {
	get(field: string): string;
}

/**
 * The claims of the request's valid access token. Throws 401 `unauthorized` when the header
 * is missing or malformed, the token is invalid or expired, or it is not an access token.
 */
export function requireUser(ctx: HeaderSource, tokens: Tokens): AccessClaims {
	const match = /^Bearer ([A-Za-z0-9_.-]+)$/i.exec(ctx.get('Authorization').trim());
	if (!match) throw new UnauthorizedError('not signed in');
	const claims = tokens.verify(match[1] as string);
	if (claims.typ !== 'access') throw new UnauthorizedError('invalid token');
	return claims;
}

/**
 * Like {@link requireUser}, and also checks the store: the user must still exist, belong to
 * the token's company and be enabled. Access tokens live for minutes; this makes disabling
 * or demoting a user take effect at once. The returned claims carry the user's *current*
 * name, role and permissions.
 */
export async function requireActiveUser(ctx: HeaderSource, api: Pick<ApiContext, 'store' | 'tokens'>): Promise<{ claims: AccessClaims; user: User }> {
	const token = requireUser(ctx, api.tokens);
	const user = await api.store.getUser(token.sub);
	if (!user || user.disabled || user.companyId !== token.cid) throw new UnauthorizedError('not signed in');
	return { claims: { ...token, name: user.name, role: user.role, perms: user.permissions }, user };
}

/** Throws 403 `forbidden` unless the user has one of `roles`. */
export function requireRole(claims: AccessClaims, ...roles: UserRole[]): void {
	if (!roles.includes(claims.role)) throw new ForbiddenError();
}

/** Throws 403 `forbidden` unless the user has permission `perm`. */
export function requirePermission(claims: AccessClaims, perm: keyof Permissions): void {
	if (!claims.perms[perm]) throw new ForbiddenError(`needs the "${perm}" permission`);
}

/** The claims of an active admin of the caller's company, or 401/403. */
export async function requireAdmin(ctx: HeaderSource, api: Pick<ApiContext, 'store' | 'tokens'>): Promise<AccessClaims> {
	const { claims } = await requireActiveUser(ctx, api);
	requireRole(claims, 'admin');
	return claims;
}
