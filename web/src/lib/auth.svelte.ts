/**
 * The signed-in user of the agent, supervisor and admin apps, as reactive state:
 *
 *   restoring → signedIn ⇄ signedOut
 *
 * The token rules (memory vs. sessionStorage, refresh scheduling, single-use refresh
 * tokens) live in tokens.ts, which has the spec; this module only makes them visible to
 * components and offers an authenticated {@link ApiClient}.
 */
import type { UserView } from '../../../signaling/api/common';
import { ApiClient } from './api';
import { tabStorage } from './boot';
import { TokenKeeper } from './tokens';

export type AuthStatus = 'restoring' | 'signedOut' | 'signedIn';

export class Auth {
	status = $state<AuthStatus>('restoring');
	user = $state<UserView | null>(null);

	/** REST client that sends the access token and refreshes it on a 401. */
	readonly api: ApiClient;
	readonly #keeper: TokenKeeper;

	constructor(options: { fetch?: typeof fetch; storage?: Storage | null } = {}) {
		const plain = new ApiClient({ fetch: options.fetch });
		this.#keeper = new TokenKeeper({
			api: plain,
			storage: options.storage === undefined ? tabStorage() : options.storage,
			onUser: (user) => {
				this.user = user;
				this.status = user ? 'signedIn' : 'signedOut';
			},
		});
		this.api = new ApiClient({ fetch: options.fetch, auth: this.#keeper });
	}

	/** Restores a sign-in kept by this tab. Call once at start-up. */
	async restore(): Promise<void> {
		try {
			if (!(await this.#keeper.restore())) this.status = 'signedOut';
		} catch (error) {
			// NOTE: no network: show the sign-in card; the stored token stays for a reload.
			console.warn('[auth] could not restore the sign-in', error);
			this.status = 'signedOut';
		}
	}

	/** Signs in to a company; rejects with an ApiError for the form to show. The company is remembered on this device. */
	async signIn(company: string, email: string, password: string): Promise<void> {
		await this.#keeper.login({ company, email, password });
		rememberCompany(company);
	}

	signOut(): Promise<void> {
		return this.#keeper.logout();
	}

	/** An access token for `session/join`; `fresh` forces a refresh (after a drop). */
	async accessToken(fresh = false): Promise<string | null> {
		return fresh ? this.#keeper.refreshed() : this.#keeper.token();
	}
}

const COMPANY_KEY = 'alongside.company';

/** The company this device last signed in to, if any (pre-fills the sign-in form). */
export function rememberedCompany(): string {
	try {
		return globalThis.localStorage?.getItem(COMPANY_KEY) ?? '';
	} catch {
		return '';
	}
}

function rememberCompany(company: string): void {
	try {
		globalThis.localStorage?.setItem(COMPANY_KEY, company);
	} catch (error) {
		console.warn('[auth] could not remember the company', error);
	}
}
