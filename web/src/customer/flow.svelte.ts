/**
 * The customer's page, from the company link to the end of the session:
 *
 *   loading → pin ──(pin/redeemed)──▶ session ──▶ ended
 *      ↓       ↓ (pin/expired, countdown 0)            ↓ "Get a new code"
 *   invalid  expired ──"Get a new code"──▶ loading ◀───┘
 *
 * The PIN (with its watch token) and then the session token are kept in sessionStorage,
 * per company, so that a reload shows the same PIN or rejoins the same session. The session
 * token is also kept on the device (localStorage) for {@link DEVICE_SESSION_MS}: a customer
 * who closes the tab and opens the link again is back in their live session (the server
 * refuses it once the session has ended: the page then says so).
 */
import type { IssuePinResponse } from '../../../signaling/api/pins/schema';
import type { PublicCompanyResponse } from '../../../signaling/api/company/schema';
import type { SessionEndReason } from '../../../protocol/wire';
import { ApiClient, ApiError, apiErrorText } from '../lib/api';
import { deviceStorage, tabStorage } from '../lib/boot';
import { backoffDelay } from '../lib/connection';
import { currentLocale, t } from '../lib/i18n';
import { companyIdFromPath, parseStoredSession, pinFromLink, sessionFromLink, usableStoredPin, type StoredPin, type StoredSession } from '../lib/pin';
import { Session } from '../lib/session.svelte';
import { SignalingClient, SignalingError, defaultSocketUrl } from '../lib/signaling';

export type Phase = 'loading' | 'invalid' | 'pin' | 'expired' | 'failed' | 'session' | 'ended';

/** How long a session token is kept on the device for a reopened link (a support call's length, generously). */
const DEVICE_SESSION_MS = 4 * 60 * 60 * 1000;

/** Watch errors that mean the PIN is gone (expired, unknown after a server restart, …). */
const PIN_GONE = new Set(['unauthorized', 'not_found', 'bad_request', 'session_ended', 'forbidden']);

export class CustomerFlow {
	phase = $state<Phase>('loading');
	company = $state<PublicCompanyResponse | null>(null);
	pin = $state<StoredPin | null>(null);
	/** Ticks every second while a PIN is shown, for the countdown. */
	now = $state(Date.now());
	/** Why the last step failed (`failed`), for the retry card. */
	error = $state<string | null>(null);
	session = $state.raw<Session | null>(null);
	endReason = $state<SessionEndReason | null>(null);

	readonly companyId: string | null;
	readonly #api = new ApiClient();
	readonly #storage = tabStorage();
	readonly #device = deviceStorage();
	#watch: SignalingClient | null = null;
	#watchAttempt = 0;
	#timer: ReturnType<typeof setInterval> | null = null;
	#retry: ReturnType<typeof setTimeout> | null = null;
	/** Bumped whenever the current PIN is abandoned, so late callbacks of an old one do nothing. */
	#generation = 0;

	constructor(pathname: string) {
		this.companyId = companyIdFromPath(pathname);
	}

	/** Whether to show the "may be watched by a supervisor" line. */
	get supervisionAnnounced(): boolean {
		return Boolean(this.company?.announceSupervision || this.session?.supervisionAnnounced);
	}

	/** Milliseconds the shown PIN has left. */
	get remainingMs(): number {
		return this.pin ? Math.max(0, this.pin.expiresAt - this.now) : 0;
	}

	/** Loads the company, then rejoins a kept session or shows a PIN. Call once. */
	async start(): Promise<void> {
		if (!this.companyId) {
			this.phase = 'invalid';
			return;
		}
		this.phase = 'loading';
		try {
			this.company = await this.#api.get<PublicCompanyResponse>(`/api/companies/${encodeURIComponent(this.companyId)}/public`);
		} catch (error) {
			if (error instanceof ApiError && (error.status === 404 || error.status === 400)) this.phase = 'invalid';
			else this.#failed(error);
			return;
		}
		// NOTE: a link from the company's own system brings its PIN: shown, and watched, at once.
		// The secret leaves the address bar (and the history) as soon as it is kept.
		const linked = pinFromLink(window.location.hash, Date.now());
		// NOTE: or, from the embed on the company's site, the session its PIN already started.
		const handed = sessionFromLink(window.location.hash);
		if (linked || handed) {
			history.replaceState(history.state, '', window.location.pathname + window.location.search);
			this.#remove('ended');
		}
		if (linked) this.#write('pin', JSON.stringify(linked));
		if (handed) {
			this.#write('session', JSON.stringify(handed));
			this.#keepOnDevice(handed);
		}
		const kept = parseStoredSession(this.#read('session')) ?? (linked ? null : this.#deviceSession());
		if (kept) this.#join(kept);
		// NOTE: a reload of the end card shows it again rather than issuing a PIN unasked.
		else if (this.#read('ended')) {
			const reason = this.#read('ended');
			this.endReason = reason && reason !== 'unknown' ? (reason as SessionEndReason) : null;
			this.phase = 'ended';
		}
		else await this.#showPin();
	}

	/** After an expired PIN, a failure or the end of a session: a fresh PIN. */
	async newCode(): Promise<void> {
		this.#remove('session');
		this.#keepOnDevice(null);
		this.#remove('pin');
		this.#remove('ended');
		this.session?.stop();
		this.session = null;
		this.endReason = null;
		if (!this.company) return this.start();
		await this.#showPin();
	}

	/** Ends the session for everyone; resolves with an error message or null. */
	end(): Promise<string | null> {
		return this.session?.end() ?? Promise.resolve(null);
	}

	/** Page teardown. */
	dispose(): void {
		this.#stopWatching();
		this.session?.stop();
	}

	async #showPin(): Promise<void> {
		this.#stopWatching();
		const generation = ++this.#generation;
		this.phase = 'loading';
		this.error = null;
		let pin = usableStoredPin(this.#read('pin'), Date.now());
		if (!pin) {
			try {
				// NOTE: the cloud browser will speak the customer's language and keep their time.
				const res = await this.#api.post<IssuePinResponse>(`/api/companies/${encodeURIComponent(this.companyId!)}/pins`, deviceLocale());
				// NOTE: counted from this device's clock, which may be off from the server's.
				pin = { pin: res.pin, watchToken: res.watchToken, expiresAt: Date.now() + res.expiresIn * 1000 };
			} catch (error) {
				if (generation === this.#generation) this.#failed(error);
				return;
			}
			this.#write('pin', JSON.stringify(pin));
		}
		if (generation !== this.#generation) return;
		this.pin = pin;
		this.now = Date.now();
		this.phase = 'pin';
		this.#timer = setInterval(() => this.#tick(), 1000);
		this.#watchAttempt = 0;
		void this.#openWatch(pin, generation);
	}

	/** Opens the WebSocket and waits for the PIN to be redeemed; reconnects while the PIN lives. */
	async #openWatch(pin: StoredPin, generation: number): Promise<void> {
		let client: SignalingClient;
		try {
			client = await SignalingClient.connect(defaultSocketUrl(window.location));
		} catch (error) {
			console.info('[customer] watch connection failed', error);
			this.#rewatch(pin, generation);
			return;
		}
		if (generation !== this.#generation) {
			client.close();
			return;
		}
		this.#watch = client;
		client.on('pin/redeemed', ({ sessionId, token }) => {
			if (generation !== this.#generation) return;
			const kept = { sessionId, token };
			this.#write('session', JSON.stringify(kept));
			this.#keepOnDevice(kept);
			this.#remove('pin');
			this.#stopWatching();
			this.#join(kept);
		});
		client.on('pin/expired', () => {
			if (generation === this.#generation) this.#expire();
		});
		client.onClose(() => {
			if (this.#watch === client) {
				this.#watch = null;
				this.#rewatch(pin, generation);
			}
		});
		try {
			const reply = await client.request('pin/watch', { watchToken: pin.watchToken });
			this.#watchAttempt = 0;
			// NOTE: the server's expiry wins over the one kept from before a reload; it is
			// counted on this device's clock from the seconds left (clocks drift).
			const expiresAt = Date.now() + reply.expiresIn * 1000;
			if (this.pin && Math.abs(expiresAt - this.pin.expiresAt) > 2000) {
				this.pin = { ...this.pin, expiresAt };
				this.#write('pin', JSON.stringify(this.pin));
			}
		} catch (error) {
			if (generation !== this.#generation) return;
			if (error instanceof SignalingError && PIN_GONE.has(error.code)) this.#expire();
			else console.info('[customer] pin/watch failed; retrying', error);
		}
	}

	#rewatch(pin: StoredPin, generation: number): void {
		if (generation !== this.#generation || this.phase !== 'pin') return;
		const delay = backoffDelay(++this.#watchAttempt);
		this.#retry = setTimeout(() => void this.#openWatch(pin, generation), delay);
	}

	#tick(): void {
		this.now = Date.now();
		if (this.pin && this.now >= this.pin.expiresAt) this.#expire();
	}

	#expire(): void {
		this.#generation++;
		this.#stopWatching();
		this.#remove('pin');
		this.phase = 'expired';
	}

	#join(kept: StoredSession): void {
		this.#stopWatching();
		this.pin = null;
		const session = new Session({
			url: defaultSocketUrl(window.location),
			join: async () => ({ token: kept.token }),
			onOver: () => {
				// NOTE: an ended session's token is useless; a reload then offers a new code.
				this.#remove('session');
				this.#keepOnDevice(null);
				this.#write('ended', session.endReason ?? 'unknown');
				this.endReason = session.endReason;
				this.phase = 'ended';
			},
		});
		this.session = session;
		this.phase = 'session';
		session.reportLocale(deviceLocale());
		session.start();
	}

	#stopWatching(): void {
		if (this.#timer) clearInterval(this.#timer);
		this.#timer = null;
		if (this.#retry) clearTimeout(this.#retry);
		this.#retry = null;
		const watch = this.#watch;
		this.#watch = null;
		watch?.close();
	}

	#failed(error: unknown): void {
		this.error = t('customer.codeFailed', { message: apiErrorText(error) });
		this.phase = 'failed';
	}

	/** The session kept on this device by an earlier tab, if recent. */
	#deviceSession(): StoredSession | null {
		try {
			const raw = this.#device?.getItem(this.#key('session'));
			const at = Number(JSON.parse(raw ?? '{}').at);
			if (!Number.isFinite(at) || Date.now() - at > DEVICE_SESSION_MS || at > Date.now() + 60_000) return null;
			return parseStoredSession(raw ?? null);
		} catch {
			return null;
		}
	}

	#keepOnDevice(kept: StoredSession | null): void {
		try {
			if (kept) this.#device?.setItem(this.#key('session'), JSON.stringify({ ...kept, at: Date.now() }));
			else this.#device?.removeItem(this.#key('session'));
		} catch (error) {
			console.warn('[customer] could not keep the session on this device', error);
		}
	}

	#key(name: string): string {
		return `alongside.customer.${this.companyId}.${name}`;
	}

	#read(name: string): string | null {
		try {
			return this.#storage?.getItem(this.#key(name)) ?? null;
		} catch {
			return null;
		}
	}

	#write(name: string, value: string): void {
		try {
			this.#storage?.setItem(this.#key(name), value);
		} catch (error) {
			console.warn('[customer] could not keep state in sessionStorage', error);
		}
	}

	#remove(name: string): void {
		try {
			this.#storage?.removeItem(this.#key(name));
		} catch (error) {
			console.warn('[customer] could not clear sessionStorage', error);
		}
	}
}

/** This device's language (the one the page is shown in) and time zone, for the cloud browser. */
export function deviceLocale(): { lang: string; timeZone?: string } {
	const preferred = navigator.languages?.[0] ?? navigator.language ?? 'en';
	// NOTE: a language chosen in the page's menu wins over the browser's own.
	const chosen = currentLocale();
	const lang = preferred.toLowerCase().split('-')[0] === chosen ? preferred : chosen;
	let timeZone: string | undefined;
	try {
		timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
	} catch {
		timeZone = undefined;
	}
	return { lang, ...(timeZone ? { timeZone } : {}) };
}
