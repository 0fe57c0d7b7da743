/**
 * Schemas shared by several REST resources. Browser code imports these too, so nothing
 * Node-specific here.
 */
import { z } from 'zod';

export const UserRole = z.enum(['admin', 'supervisor', 'agent']);
export type UserRole = z.infer<typeof UserRole>;

export const Permissions = z.object({
	/** May redeem PINs and join sessions as the agent. */
	cobrowse: z.boolean(),
	/** May drive the cloud browser (input, navigation). Without it an agent only watches. */
	control: z.boolean(),
	/** May list the company's live sessions and watch them silently. */
	supervise: z.boolean(),
	/** May record sessions, where the company records them (see the company's `recording` setting). */
	record: z.boolean(),
});
export type Permissions = z.infer<typeof Permissions>;

/** Permissions a new user of each role gets unless the admin says otherwise. */
export const DEFAULT_PERMISSIONS: Record<UserRole, Permissions> = {
	admin: { cobrowse: true, control: true, supervise: true, record: true },
	supervisor: { cobrowse: false, control: false, supervise: true, record: false },
	agent: { cobrowse: true, control: true, supervise: false, record: true },
};

/** A user as the API shows it: never the password hash. */
export const UserView = z.object({
	id: z.string(),
	companyId: z.string(),
	email: z.string(),
	name: z.string(),
	role: UserRole,
	permissions: Permissions,
	disabled: z.boolean(),
});
export type UserView = z.infer<typeof UserView>;

export const Email = z.string().trim().toLowerCase().pipe(z.email()).pipe(z.string().max(254));
/** At least 12 characters: long passphrases beat composition rules. */
export const NewPassword = z.string().min(12, 'must be at least 12 characters').max(200);

/** Company ids appear in customer links (`/c/<id>`): short, lower-case, URL-safe. */
export const CompanyId = z.string().regex(/^[a-z0-9][a-z0-9-]{1,40}$/, 'expected 2-41 lower-case letters, digits or dashes');

/** The body of every REST error response. */
export interface ErrorBody {
	error: { code: string; message: string };
}
