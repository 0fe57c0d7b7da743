/** /api/auth: login, token refresh, logout, and who am I. */
import { z } from 'zod';
import { CompanyId, Email, UserView } from '../common.js';

/** Sign-in: the company (its id, as in customer links), the email and the password. */
export const LoginBody = z.object({ company: CompanyId, email: Email, password: z.string().min(1).max(200) });
export type LoginBody = z.infer<typeof LoginBody>;

export const RefreshBody = z.object({ refreshToken: z.string().min(20).max(200) });
export type RefreshBody = z.infer<typeof RefreshBody>;

/** POST /api/auth/login and /api/auth/refresh answer with a fresh pair. */
export interface AuthResponse {
	/** Short-lived JWT (ES256) for the Authorization header and `session/join`. */
	accessToken: string;
	/** Seconds until the access token expires. */
	expiresIn: number;
	/** Opaque, single-use; rotated on every refresh. */
	refreshToken: string;
	user: UserView;
}

/** GET /api/auth/me */
export interface MeResponse {
	user: UserView;
	company: { id: string; name: string; brandName: string };
}
