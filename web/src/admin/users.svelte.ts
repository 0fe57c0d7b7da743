/** The admin's Users tab: the company's users, edited in place, and new ones. */
import type { Permissions, UserView } from '../../../signaling/api/common';
import type { CreateUserBody, CreateUserResponse, ListUsersResponse, UpdateUserBody } from '../../../signaling/api/users/schema';
import { apiErrorText } from '../lib/api';
import type { Auth } from '../lib/auth.svelte';
import { t } from '../lib/i18n';
import { userChangeError } from './forms';

export class Users {
	list = $state<UserView[]>([]);
	loaded = $state(false);
	error = $state<string | null>(null);
	/** Per-user error of the last change, by user id. */
	rowError = $state<Record<string, string>>({});
	/** Users with a change in flight. */
	busy = $state<Record<string, boolean>>({});

	readonly #auth: Auth;

	constructor(auth: Auth) {
		this.#auth = auth;
	}

	async load(): Promise<void> {
		try {
			const res = await this.#auth.api.get<ListUsersResponse>('/api/users');
			this.list = res.users;
			this.loaded = true;
			this.error = null;
		} catch (error) {
			this.error = t('admin.loadFailed', { message: apiErrorText(error) });
		}
	}

	/** PATCHes one user; the row shows the server's answer, or the error beside it. */
	async update(user: UserView, body: UpdateUserBody): Promise<boolean> {
		this.busy = { ...this.busy, [user.id]: true };
		const { [user.id]: _cleared, ...rest } = this.rowError;
		this.rowError = rest;
		try {
			const res = await this.#auth.api.patch<{ user?: UserView } | UserView | undefined>(`/api/users/${encodeURIComponent(user.id)}`, body);
			const updated = res && 'user' in res && res.user ? res.user : res && 'id' in res ? res : null;
			if (updated) this.list = this.list.map((u) => (u.id === user.id ? updated : u));
			else await this.load();
			return true;
		} catch (error) {
			this.rowError = { ...this.rowError, [user.id]: userChangeError(error, false) };
			// NOTE: the row's controls may show the refused value; show the server's truth.
			await this.load();
			return false;
		} finally {
			const { [user.id]: _done, ...others } = this.busy;
			this.busy = others;
		}
	}

	setPermission(user: UserView, key: keyof Permissions, value: boolean): Promise<boolean> {
		return this.update(user, { permissions: { [key]: value } });
	}

	/** Creates a user; rejects with the error text for the form. */
	async create(body: CreateUserBody): Promise<CreateUserResponse> {
		try {
			const res = await this.#auth.api.post<CreateUserResponse>('/api/users', body);
			this.list = [...this.list, res.user];
			return res;
		} catch (error) {
			throw new Error(userChangeError(error, true));
		}
	}
}
