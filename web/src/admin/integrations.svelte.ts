/** The admin's Integrations tab: the company's API keys (made, shown once, revoked). */
import type { ApiKeyView, CreateApiKeyResponse, ListApiKeysResponse } from '../../../signaling/api/apikeys/schema';
import type { CreateWebhookResponse, DeliveryView, ListDeliveriesResponse, ListWebhooksResponse, WebhookView } from '../../../signaling/api/webhooks/schema';
import type { ApiScope, WebhookEventType } from '../../../signaling/store/Store';
import { apiErrorText } from '../lib/api';
import type { Auth } from '../lib/auth.svelte';
import { t } from '../lib/i18n';

export const SCOPES: ApiScope[] = ['sessions:read', 'sessions:write', 'reports:read', 'recordings:read'];
export const EVENTS: WebhookEventType[] = ['session.started', 'session.ended', 'recording.ready', 'policy.refused'];

export class Integrations {
	keys = $state<ApiKeyView[]>([]);
	loaded = $state(false);
	error = $state<string | null>(null);
	busy = $state(false);
	/** The key just made, with its token: shown once. */
	created = $state<CreateApiKeyResponse | null>(null);
	webhooks = $state<WebhookView[]>([]);
	/** The endpoint just registered, with its signing secret: shown once. */
	createdHook = $state<CreateWebhookResponse | null>(null);
	/** Each endpoint's latest deliveries, once opened. */
	deliveries = $state<Record<string, DeliveryView[]>>({});

	readonly #auth: Auth;

	constructor(auth: Auth) {
		this.#auth = auth;
	}

	async load(): Promise<void> {
		try {
			const [keys, hooks] = await Promise.all([this.#auth.api.get<ListApiKeysResponse>('/api/api-keys'), this.#auth.api.get<ListWebhooksResponse>('/api/webhooks')]);
			this.keys = keys.keys;
			this.webhooks = hooks.webhooks;
			this.loaded = true;
			this.error = null;
		} catch (error) {
			this.error = t('admin.loadFailed', { message: apiErrorText(error) });
		}
	}

	/** Makes a key; resolves with an error message, or null (the token is in `created`). */
	create(name: string, scopes: ApiScope[]): Promise<string | null> {
		return this.#make(async () => {
			this.created = await this.#auth.api.post<CreateApiKeyResponse>('/api/api-keys', { name, scopes });
		});
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

	/** Registers an endpoint; resolves with an error message, or null (the secret is in `createdHook`). */
	addWebhook(url: string, events: WebhookEventType[]): Promise<string | null> {
		return this.#make(async () => {
			this.createdHook = await this.#auth.api.post<CreateWebhookResponse>('/api/webhooks', { url, events });
		});
	}

	/** Makes something (busy meanwhile), then reloads; resolves with an error message, or null. */
	async #make(work: () => Promise<void>): Promise<string | null> {
		this.busy = true;
		try {
			await work();
			await this.load();
			return null;
		} catch (error) {
			return apiErrorText(error);
		} finally {
			this.busy = false;
		}
	}

	async removeWebhook(hook: WebhookView): Promise<void> {
		await this.#do(() => this.#auth.api.request('DELETE', `/api/webhooks/${encodeURIComponent(hook.id)}`));
		await this.load();
	}

	async setEnabled(hook: WebhookView, enabled: boolean): Promise<void> {
		await this.#do(() => this.#auth.api.patch(`/api/webhooks/${encodeURIComponent(hook.id)}`, { disabled: !enabled }));
		await this.load();
	}

	async loadDeliveries(hook: WebhookView): Promise<void> {
		await this.#do(async () => {
			const res = await this.#auth.api.get<ListDeliveriesResponse>(`/api/webhooks/${encodeURIComponent(hook.id)}/deliveries`);
			this.deliveries = { ...this.deliveries, [hook.id]: res.deliveries };
		});
	}

	async sendTest(hook: WebhookView): Promise<void> {
		await this.#do(() => this.#auth.api.post(`/api/webhooks/${encodeURIComponent(hook.id)}/test`, {}));
		// NOTE: sent in the background: the list shows it a moment later.
		setTimeout(() => void this.loadDeliveries(hook), 1500);
	}

	async redeliver(hook: WebhookView, delivery: DeliveryView): Promise<void> {
		await this.#do(() => this.#auth.api.post(`/api/webhooks/${encodeURIComponent(hook.id)}/deliveries/${encodeURIComponent(delivery.id)}/redeliver`, {}));
		setTimeout(() => void this.loadDeliveries(hook), 1500);
	}

	async #do(work: () => Promise<unknown>): Promise<void> {
		try {
			await work();
			this.error = null;
		} catch (error) {
			this.error = apiErrorText(error);
		}
	}
}
