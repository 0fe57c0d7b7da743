/** /api/users: the company admin manages agents, supervisors and admins of their company. */
import { z } from 'zod';
import { Email, NewPassword, Permissions, UserRole, type UserView } from '../common.js';

export const CreateUserBody = z.object({
	email: Email,
	name: z.string().trim().min(1).max(80),
	role: UserRole,
	/** Defaults by role (DEFAULT_PERMISSIONS) for any flag left out. */
	permissions: Permissions.partial().optional(),
	/** Omit to have one generated and returned once. */
	password: NewPassword.optional(),
});
export type CreateUserBody = z.infer<typeof CreateUserBody>;

export const UpdateUserBody = z
	.object({
		name: z.string().trim().min(1).max(80),
		role: UserRole,
		permissions: Permissions.partial(),
		disabled: z.boolean(),
		password: NewPassword,
	})
	.partial()
	.strict();
export type UpdateUserBody = z.infer<typeof UpdateUserBody>;

/** POST /api/users answers 201 with the user, and the generated password if none was given. */
export interface CreateUserResponse {
	user: UserView;
	/** Shown once to the admin; never stored in clear. */
	initialPassword?: string;
}

/** GET /api/users */
export interface ListUsersResponse {
	users: UserView[];
}

/** PATCH /api/users/:id answers the user as it now is. */
export interface UpdateUserResponse {
	user: UserView;
}
