/** The admin's Integrations tab: the company's API keys (made, shown once, revoked). */
import type { ApiKeyView, CreateApiKeyResponse, ListApiKeysResponse } from '../../../signaling/api/apikeys/schema';
import type { ApiScope } from '../../../signaling/store/Store';
import { apiErrorText } from '../lib/api';
import type { Auth } from '../lib/auth.svelte';
import { t } from '../lib/i18n';

export const SCOPES: ApiScope[] = ['sessions:read', 'sessions:write', 'reports:read', 'recordings:read'];

export class Integrations {
	keys = $state<ApiKeyView[]>([]);
	loaded = $state(false);
	error = $state<string | null>(null);
	busy = $state(false);
	/** The key just made, with its token: shown once. */
	created = $state<CreateApiKeyResponse | null>(null);

	readonly #auth: Auth;

	constructor(auth: Auth) {
		this.#auth = auth;
	}

	async load(): Promise<void> {
		try {
			this.keys = (await this.#auth.api.get<ListApiKeysResponse>('/api/api-keys')).keys;
			this.loaded = true;
			this.error = null;
		} catch (error) {
			this.error = t('admin.loadFailed', { message: apiErrorText(error) });
		}
	}

	/** Makes a key; resolves with an error message, or null (the token is in `created`). */
	async create(name: string, scopes: ApiScope[]): Promise<string | null> {
		this.busy = true;
		try {
			this.created = await this.#auth.api.post<CreateApiKeyResponse>('/api/api-keys', { name, scopes });
			await this.load();
			return null;
		} catch (error) {
			return apiErrorText(error);
		} finally {
			this.busy = false;
		}
	}

	async revoke(key: ApiKeyView): Promise<void> {
		try {
			await this.#auth.api.request('DELETE', `/api/api-keys/${encodeURIComponent(key.id)}`);
			this.error = null;
		} catch (error) {
			this.error = apiErrorText(error);
		}
		await this.load();
	}
}
