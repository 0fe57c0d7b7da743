/**
 * The admin's live preview of masking rules: a cloud browser of their own, opened on any
 * URL, whose masked video (what agents would see) is shown beside the clear one (what the
 * customer sees). Draft rules reach it as the admin edits them, before anything is saved.
 * The admin can click, scroll and type in it to try fields.
 *
 *   idle → starting → live → idle (closed) · error
 */
import type { BrowserState, InputMessage } from '../../../protocol/wire';
import type { StartPreviewResponse } from '../../../signaling/api/rules/schema';
import { ApiError, apiErrorText } from '../lib/api';
import type { Auth } from '../lib/auth.svelte';
import { t } from '../lib/i18n';
import { MediaLink } from '../lib/media';
import { defaultSocketUrl, SignalingClient } from '../lib/signaling';

export type PreviewStatus = 'idle' | 'starting' | 'live' | 'error';

/** Draft rules, as the server takes them (see PreviewRulesBody). */
export type DraftRules = { disabledBuiltins: string[]; mask: unknown[] };

export class Preview {
	status = $state<PreviewStatus>('idle');
	error = $state<string | null>(null);
	masked = $state.raw<MediaStream | null>(null);
	clear = $state.raw<MediaStream | null>(null);
	browser = $state<BrowserState | null>(null);
	/** The draft the preview shows: null when it shows the last rules sent and they were refused. */
	rulesNote = $state<string | null>(null);
	/** Where the controls only the customer may press are (fractions of the video), for outlines. */
	lockRegions = $state.raw<Array<[number, number, number, number]>>([]);

	readonly #auth: Auth;
	#sessionId: string | null = null;
	#client: SignalingClient | null = null;
	#link: MediaLink | null = null;
	#rulesTimer: ReturnType<typeof setTimeout> | null = null;
	/** The access token the preview was joined with, for ending it as the page goes away. */
	#token: string | null = null;

	constructor(auth: Auth) {
		this.#auth = auth;
	}

	/** Opens a preview of `url` with the draft rules (closing any open one). */
	async open(url: string, rules: DraftRules): Promise<void> {
		await this.close();
		this.status = 'starting';
		this.error = null;
		try {
			const { sessionId } = await this.#auth.api.post<StartPreviewResponse>('/api/company/rules/preview', { url, ...rules });
			this.#sessionId = sessionId;
			const client = await SignalingClient.connect(defaultSocketUrl(window.location));
			this.#client = client;
			const token = await this.#auth.accessToken();
			if (!token) throw new Error(t('api.unauthorized'));
			this.#token = token;
			const join = await client.request('session/join', { token, sessionId, as: 'agent' });
			this.browser = join.browser;
			client.on('browser/state', (state) => (this.browser = state));
			client.on('session/ended', () => void this.close());
			client.on('lock/regions', ({ boxes }) => (this.lockRegions = boxes));
			client.onClose(() => {
				if (this.status === 'starting' || this.status === 'live') this.#fail(t('preview.lost'));
			});
			const link = await MediaLink.create({
				signaling: client,
				join,
				onStream: (stream) => (this.masked = stream),
				onCursor: () => undefined,
				onAnnotation: () => undefined,
				onFailed: (reason) => this.#fail(reason),
			});
			this.#link = link;
			client.on('media/changed', ({ rendition }) => {
				if (rendition === 'clear') void link.consumeExtra('clear').then((s) => (this.clear = s)).catch((e: unknown) => this.#fail(String(e)));
				else void link.consumeVideo().catch((e: unknown) => this.#fail(String(e)));
			});
			this.clear = await link.consumeExtra('clear');
			this.status = 'live';
		} catch (error) {
			console.warn('[preview] could not open', error);
			this.#fail(error instanceof ApiError || !(error instanceof Error) ? apiErrorText(error) : error.message);
		}
	}

	/** Sends draft rules to the open preview, a moment after the last edit. */
	update(rules: DraftRules): void {
		if (!this.#sessionId) return;
		if (this.#rulesTimer) clearTimeout(this.#rulesTimer);
		this.#rulesTimer = setTimeout(() => {
			this.#rulesTimer = null;
			const id = this.#sessionId;
			if (!id) return;
			this.#auth.api
				.request('PUT', `/api/company/rules/preview/${encodeURIComponent(id)}`, rules)
				.then(() => (this.rulesNote = null))
				.catch((error: unknown) => (this.rulesNote = apiErrorText(error)));
		}, 300);
	}

	/** Opens another page in the preview. */
	async navigate(url: string): Promise<void> {
		try {
			await this.#client?.request('browser/navigate', { url });
			this.error = null;
		} catch (error) {
			this.error = error instanceof Error ? error.message : String(error);
		}
	}

	/** Input from the preview's stage (the admin trying the page). */
	send(message: InputMessage): boolean {
		return this.#link?.send(message) ?? false;
	}

	/** Ends the preview's cloud browser and lets go of its media. */
	async close(): Promise<void> {
		const id = this.#sessionId;
		this.#sessionId = null;
		if (this.status !== 'error') this.status = 'idle';
		if (this.#rulesTimer) clearTimeout(this.#rulesTimer);
		this.#link?.close();
		this.#link = null;
		this.#client?.close();
		this.#client = null;
		this.masked = null;
		this.clear = null;
		this.browser = null;
		if (id) await this.#auth.api.request('DELETE', `/api/company/rules/preview/${encodeURIComponent(id)}`).catch(() => undefined);
	}

	/**
	 * The page is going away: ends the preview's browser with a request that outlives the
	 * page (else it would wait for the idle timeout).
	 */
	leave(): void {
		const id = this.#sessionId;
		if (!id || !this.#token) return;
		this.#sessionId = null;
		void fetch(`/api/company/rules/preview/${encodeURIComponent(id)}`, { method: 'DELETE', keepalive: true, headers: { Authorization: `Bearer ${this.#token}` } }).catch(() => undefined);
	}

	#fail(message: string): void {
		this.status = 'error';
		this.error = message;
		void this.close();
	}
}
