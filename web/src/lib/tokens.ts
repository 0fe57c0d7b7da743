/**
 * A signed-in user's tokens, without any UI: the access token lives in memory only; the
 * refresh token in sessionStorage (this tab only), so that a reload stays signed in. The
 * access token is refreshed a minute before it expires, and on demand.
 *
 * NOTE: refresh tokens are single use (a spent one revokes the whole family), so at most
 * one refresh runs at a time and the new refresh token is stored before anything else.
 */
import type { UserView } from '../../../signaling/api/common';
import type { AuthResponse, LoginBody } from '../../../signaling/api/auth/schema';
import { ApiClient, ApiError, type TokenSource } from './api';

/** sessionStorage key of the refresh token; shared by the agent, supervisor and admin apps. */
export const REFRESH_KEY = 'alongside.auth.refresh';

/** Refresh this long before the access token expires. */
const REFRESH_MARGIN_S = 60;
/** After a refresh failed for want of a network, try again this much later. */
const RETRY_AFTER_FAILURE_MS = 10_000;

/**
 * When to refresh an access token that lives `expiresIn` seconds: a minute before it
 * expires, or halfway through a lifetime shorter than two minutes.
 */
export function refreshDelayMs(expiresIn: number): number {
	if (!(expiresIn > 0)) return 0;
	return expiresIn > 2 * REFRESH_MARGIN_S ? (expiresIn - REFRESH_MARGIN_S) * 1000 : expiresIn * 500;
}

/** Whether a token that expires at `expiresAt` is too close to expiry to send. */
export function needsRefresh(expiresAt: number, now: number): boolean {
	return expiresAt - now < 30_000;
}

interface StorageLike {
	getItem(key: string): string | null;
	setItem(key: string, value: string): void;
	removeItem(key: string): void;
}

export interface TokenKeeperOptions {
	/** Client for /api/auth (no token source: these endpoints take no bearer). */
	api: ApiClient;
	/** sessionStorage, or null where it is unavailable (then a reload signs out). */
	storage: StorageLike | null;
	/** Called with the user after every sign-in and refresh, and null after sign-out. */
	onUser: (user: UserView | null) => void;
	now?: () => number;
	setTimer?: (fn: () => void, ms: number) => unknown;
	clearTimer?: (timer: unknown) => void;
}

export class TokenKeeper implements TokenSource {
	readonly #options: TokenKeeperOptions;
	readonly #now: () => number;
	#access: string | null = null;
	#expiresAt = 0;
	#timer: unknown = null;
	#refreshing: Promise<string | null> | null = null;

	constructor(options: TokenKeeperOptions) {
		this.#options = options;
		this.#now = options.now ?? Date.now;
	}

	/** Whether a refresh token is stored (a reload may restore the sign-in). */
	get canRestore(): boolean {
		return this.#readRefresh() !== null;
	}

	/** Signs in; rejects with an {@link ApiError} (invalid_credentials, locked_out, …). */
	async login(body: LoginBody): Promise<UserView> {
		const res = await this.#options.api.post<AuthResponse>('/api/auth/login', body);
		this.#accept(res);
		return res.user;
	}

	/** Restores the sign-in from the stored refresh token; false if there is none or it was refused. */
	async restore(): Promise<boolean> {
		if (!this.canRestore) return false;
		return (await this.refreshed()) !== null;
	}

	async token(): Promise<string | null> {
		if (this.#access && !needsRefresh(this.#expiresAt, this.#now())) return this.#access;
		if (!this.#access && !this.canRestore) return null;
		return this.refreshed();
	}

	/**
	 * Spends the refresh token for a new pair. Null when signed out: the server refused it
	 * (the user is then signed out) or there is none. Rejects on a network failure.
	 */
	refreshed(): Promise<string | null> {
		this.#refreshing ??= this.#refresh().finally(() => (this.#refreshing = null));
		return this.#refreshing;
	}

	/** Signs out here and, best effort, on the server. Safe to call twice. */
	async logout(): Promise<void> {
		const refreshToken = this.#readRefresh();
		this.#clear();
		this.#options.onUser(null);
		if (!refreshToken) return;
		try {
			await this.#options.api.post('/api/auth/logout', { refreshToken });
		} catch (error) {
			// NOTE: the token is gone from this tab either way; it expires on the server.
			console.warn('[auth] logout request failed', error);
		}
	}

	/** Stops the refresh timer (page teardown). */
	dispose(): void {
		this.#cancelTimer();
	}

	async #refresh(): Promise<string | null> {
		const refreshToken = this.#readRefresh();
		if (!refreshToken) return null;
		try {
			const res = await this.#options.api.post<AuthResponse>('/api/auth/refresh', { refreshToken });
			this.#accept(res);
			return res.accessToken;
		} catch (error) {
			if (error instanceof ApiError && error.status > 0 && error.status < 500 && error.status !== 429) {
				// The refresh token was spent, revoked or expired, or the user was disabled.
				this.#clear();
				this.#options.onUser(null);
				return null;
			}
			this.#schedule(RETRY_AFTER_FAILURE_MS);
			throw error;
		}
	}

	#accept(res: AuthResponse): void {
		// NOTE: store the new refresh token first: the old one is already spent.
		this.#writeRefresh(res.refreshToken);
		this.#access = res.accessToken;
		this.#expiresAt = this.#now() + res.expiresIn * 1000;
		this.#schedule(refreshDelayMs(res.expiresIn));
		this.#options.onUser(res.user);
	}

	#schedule(ms: number): void {
		this.#cancelTimer();
		const set = this.#options.setTimer ?? ((fn: () => void, delay: number) => setTimeout(fn, delay));
		this.#timer = set(() => {
			this.#timer = null;
			this.refreshed().catch((error: unknown) => console.warn('[auth] background refresh failed', error));
		}, ms);
	}

	#cancelTimer(): void {
		if (this.#timer === null) return;
		const clear = this.#options.clearTimer ?? ((timer: unknown) => clearTimeout(timer as ReturnType<typeof setTimeout>));
		clear(this.#timer);
		this.#timer = null;
	}

	#clear(): void {
		this.#cancelTimer();
		this.#access = null;
		this.#expiresAt = 0;
		try {
			this.#options.storage?.removeItem(REFRESH_KEY);
		} catch (error) {
			console.warn('[auth] could not clear sessionStorage', error);
		}
	}

	#readRefresh(): string | null {
		try {
			return this.#options.storage?.getItem(REFRESH_KEY) || null;
		} catch {
			return null;
		}
	}

	#writeRefresh(token: string): void {
		try {
			this.#options.storage?.setItem(REFRESH_KEY, token);
		} catch (error) {
			// NOTE: storage can be disabled (private mode); then a reload signs out.
			console.warn('[auth] could not keep the sign-in in sessionStorage', error);
		}
	}
}
