/** How store rows are shown by the REST API. */
import type { User } from '../store/Store.js';
import type { UserView } from './common.js';

/** A user as the API shows it: everything but the password hash. */
export function toUserView(user: User): UserView {
	return {
		id: user.id,
		companyId: user.companyId,
		email: user.email,
		name: user.name,
		role: user.role,
		permissions: user.permissions,
		disabled: user.disabled,
	};
}
