/**
 * The reactive state of one viewer's session and the connect / rejoin loop.
 *
 *   connecting → joining → live ⇄ reconnecting
 *        ↘          ↘        ↘ ended (session/ended) · error (bad link, unsupported browser)
 *                             ↘ elsewhere (joined from another tab) ──useHere()──▶ connecting
 *
 * `live` means the video is actually playing. When the WebSocket drops (or a transport
 * fails) everything is torn down and the viewer joins again from scratch after a
 * backoff (0.5 s doubling to 30 s, retried until the session ends). Every attempt asks
 * for a fresh `session/join` request, so that a user's access token is refreshed first.
 */
import { SvelteMap } from 'svelte/reactivity';
import type {
	BrowserState,
	ChatMessage,
	ControlState,
	CursorMessage,
	DialogView,
	FileRequest,
	PickerView,
	InputMessage,
	Notifications,
	ParticipantInfo,
	RequestData,
	SessionEndReason,
} from '../../../protocol/wire';
import type { RefusalReason } from '../../../protocol/detector';
import type { Device, ShapeName } from '../../../protocol/shape';
import { backoffDelay, classifyFailure } from './connection';
import { hasMessage, serverErrorText, t, type MessageKey } from './i18n';
import { MediaLink, type MediaInfo, type VideoStats } from './media';
import { SignalingClient, SignalingError } from './signaling';
import { formatSize } from './format';
import { Annotations } from './annotations.svelte';
import type { AnnotateMessage } from '../../../protocol/annotations';

/**
 * `elsewhere`: the same person joined from another window or tab, which took over; this one
 * waits until {@link Session.useHere} takes it back.
 */
export type Status = 'connecting' | 'joining' | 'live' | 'reconnecting' | 'ended' | 'error' | 'elsewhere';

export interface SessionOptions {
	/**
	 * Builds the `session/join` request before each attempt; `rejoin` is true after a drop
	 * (a user's access token should then be refreshed first). Throwing a SignalingError
	 * with a fatal code (e.g. `unauthorized`) stops; any other error is retried.
	 */
	join: (rejoin: boolean) => Promise<RequestData<'session/join'>>;
	/** WebSocket URL of the signaling server. */
	url: string;
	/** Called once when the session is over for this viewer: `ended`, or `error` (cannot join). */
	onOver?: (status: 'ended' | 'error') => void;
}

/** A short message over the stage (e.g. a refused input). */
export interface Toast {
	id: number;
	text: string;
}

type Outcome =
	| { kind: 'retry'; message: string; now?: boolean }
	| { kind: 'ended'; reason: SessionEndReason | null }
	| { kind: 'fatal'; message: string }
	| { kind: 'elsewhere' }
	| { kind: 'stopped' };

const TOAST_MS = 4000;
/** How often a joined participant tells the server it is there (and learns the server is). */
const PING_MS = 1000;
/** No answer for this long: the link is in trouble ("Reconnecting…" at once, not when the socket times out). */
const TROUBLE_MS = 1800;
/** No answer for this long: the socket is given up and the session joined again. */
const GIVE_UP_MS = 8000;
/** How long the agent sees why an input was refused. */
const REFUSAL_MS = 2500;

export class Session {
	status = $state<Status>('connecting');
	/** The link to the server is silent while live (no answer to pings for {@link TROUBLE_MS}). */
	linkTrouble = $state(false);
	/** Readable reason for `error`, or the last failure while `reconnecting`. */
	error = $state<string | null>(null);
	endReason = $state<SessionEndReason | null>(null);
	/** When the next reconnect attempt starts (ms since epoch), while waiting for it. */
	retryAt = $state<number | null>(null);
	sessionId = $state<string | null>(null);
	self = $state<ParticipantInfo | null>(null);
	/** Everyone else, in join order. */
	participants = $state<ParticipantInfo[]>([]);
	browser = $state<BrowserState | null>(null);
	/** The cloud page's open dialog (alert, confirm, prompt, leave page?), as this participant is shown it. */
	dialog = $state<DialogView | null>(null);
	/** Customers: whether the focus in the page is in a field one types into, and the keyboard that suits it. */
	pageFocus = $state<{ editable: boolean; inputMode: string } | null>(null);
	/** Whether this device's keys go to the page now (the stage has the keyboard). */
	keyboardCaptured = $state(false);
	/** The page's open request for a file (an upload field), as this participant is shown it. */
	fileRequest = $state<FileRequest | null>(null);
	/** Files the page downloaded in this session: the customer's can be saved (they have a token). */
	downloads = $state<Array<{ id: number; name: string; size: number; token?: string; hidden?: boolean }>>([]);
	#downloadSeq = 0;
	/** The cloud page's open picker (a select's list, a date, time or colour picker), as this participant is shown it. */
	picker = $state<PickerView | null>(null);
	/** Whether this participant may send input (it was given input channels). */
	interactive = $state(false);
	/** Customers only: whether the company tells customers that sessions may be supervised. */
	supervisionAnnounced = $state(false);
	/** Other participants' cursors, normalized to the frame. */
	readonly cursors = new SvelteMap<string, { x: number; y: number }>();
	/**
	 * Customers only: the regions of the page hidden from agents and supervisors right now,
	 * as fractions of the frame (x, y, width, height), outlined on the customer's video.
	 */
	maskRegions = $state<Array<[number, number, number, number]>>([]);
	toast = $state<Toast | null>(null);
	/** The agent's latest refused input, shown next to where it tried for a few seconds. */
	refusal = $state<{ id: number; reason: RefusalReason; x?: number; y?: number } | null>(null);
	#refusalId = 0;
	#refusalTimer: ReturnType<typeof setTimeout> | null = null;
	/** The strokes and pulses shown over the video, and this viewer's drawing tools. */
	readonly annotations = new Annotations((msg) => this.annotate(msg));
	/** The chat so far (a supervisor's notes included, for the agent). */
	chat = $state<ChatMessage[]>([]);
	/** Messages from others since the chat was last looked at. */
	unread = $state(0);
	/** Whether the chat is on screen (then nothing is unread). */
	chatOpen = $state(false);
	/** Who drives the page: the customer may pause the agent's control. */
	control = $state<ControlState>({ paused: false, requested: false });
	/** Whether the session is being recorded (everyone is told). */
	recording = $state(false);
	/** Agents: whether they may start and stop recording. */
	mayRecord = $state(false);
	/** The <video> the stage registered; the test hook exposes it. */
	video = $state.raw<HTMLVideoElement | null>(null);

	readonly #options: SessionOptions;
	#client: SignalingClient | null = null;
	#media: MediaLink | null = null;
	#stream: MediaStream | null = null;
	#stopped = false;
	#wake: (() => void) | null = null;
	/** Settles the current connection attempt (see #connectOnce). */
	#settle: ((outcome: Outcome) => void) | null = null;
	/** Set once this viewer ended the session with `session/end`. */
	#ended: Outcome | null = null;
	#toastTimer: ReturnType<typeof setTimeout> | null = null;
	#toastId = 0;

	constructor(options: SessionOptions) {
		this.#options = options;
	}

	/** Starts connecting. Call once. */
	start(): void {
		void this.#run();
	}

	/**
	 * Ends the session for everyone (`session/end`); resolves with an error message or
	 * null. On success the session is `ended` even if the server's `session/ended`
	 * notification is lost with the socket.
	 */
	async end(): Promise<string | null> {
		try {
			const client = this.#client;
			if (client?.open) await client.request('session/end', {});
			else await this.#endOverNewSocket();
		} catch (error) {
			if (error instanceof SignalingError && error.code === 'session_ended') {
				this.#finish(null);
				return null;
			}
			return messageOf(error);
		}
		this.#finish(this.self?.role === 'customer' ? 'customer_ended' : this.self?.role === 'supervisor' ? 'supervisor_ended' : 'agent_ended');
		return null;
	}

	/**
	 * Between reconnect attempts there is no socket; ending must still work (the customer
	 * keeps control), so join on a short-lived socket just to send `session/end`.
	 */
	async #endOverNewSocket(): Promise<void> {
		const client = await SignalingClient.connect(this.#options.url);
		try {
			await client.request('session/join', await this.#options.join(true));
			await client.request('session/end', {});
		} finally {
			client.close();
		}
	}

	/** Leaves without ending the session for the others (`session/leave`), then stops. */
	async leave(): Promise<void> {
		const client = this.#client;
		if (client?.open) {
			try {
				await client.request('session/leave', {});
			} catch (error) {
				// NOTE: closing the socket below leaves the session anyway.
				console.info('[session] session/leave failed', error);
			}
		}
		this.stop();
	}

	/** Leaves for good (page unload, component teardown). Safe to call twice. */
	stop(): void {
		if (this.#stopped) return;
		this.#stopped = true;
		this.#wake?.();
		this.#settle?.({ kind: 'stopped' });
		this.#teardown();
	}

	/** Skips the wait before the next reconnect attempt. */
	retryNow(): void {
		this.#wake?.();
	}

	/** After `elsewhere`: joins again here, which hands the other window's place to this one. */
	useHere(): void {
		if (this.status === 'elsewhere') this.#wake?.();
	}

	/** Sends an input message on its channel; false if that channel is not open. */
	send(msg: InputMessage): boolean {
		return this.#media?.send(msg) ?? false;
	}

	/** Sends an annotation message on this viewer's annotation channel; false if it cannot draw (or the channel is not open). */
	annotate(msg: AnnotateMessage): boolean {
		return this.#media?.annotate(msg) ?? false;
	}

	/** Sends raw text on an input channel (tests of the server's input validation). */
	sendRaw(label: string, text: string): boolean {
		return this.#media?.sendRaw(label, text) ?? false;
	}

	/** The receiving side's video statistics, or null before the video is consumed. */
	videoStats(): Promise<VideoStats | null> {
		return this.#media?.videoStats() ?? Promise.resolve(null);
	}

	/** Asks the cloud browser to open `url`; resolves with an error message or null. */
	navigate(url: string): Promise<string | null> {
		return this.#ask(() => this.#client!.request('browser/navigate', { url }));
	}

	/**
	 * Customers: the device the video is shown on (the stage's size, pixel ratio, touch).
	 * Sent now if joined, and again on every join; the same report twice is sent once.
	 */
	reportDevice(device: Device): void {
		const key = JSON.stringify(device);
		if (key === this.#deviceKey) return;
		this.#device = device;
		this.#deviceKey = key;
		this.#sendDevice();
	}

	#device: Device | null = null;
	#deviceKey = '';
	#locale: { lang: string; timeZone?: string } | null = null;

	/**
	 * Customers: their language and time zone, for the cloud browser. Sent now if joined,
	 * and again on every join.
	 */
	reportLocale(locale: { lang: string; timeZone?: string }): void {
		if (JSON.stringify(locale) === JSON.stringify(this.#locale)) return;
		this.#locale = locale;
		this.#sendLocale();
	}

	#sendLocale(): void {
		const client = this.#client;
		if (!this.#locale || this.self?.role !== 'customer' || !client?.open) return;
		client.request('browser/locale', this.#locale).catch((error: unknown) => console.info('[session] language not reported:', messageOf(error)));
	}

	#sendDevice(): void {
		const client = this.#client;
		if (!this.#device || this.self?.role !== 'customer' || !client?.open) return;
		client.request('browser/device', { device: this.#device }).catch((error: unknown) => console.info('[session] device not reported:', messageOf(error)));
	}

	/** Answers the page's open dialog (OK or Cancel, a prompt's text); resolves with an error message or null. */
	answerDialog(accept: boolean, text?: string): Promise<string | null> {
		const dialog = this.dialog;
		if (!dialog) return Promise.resolve(null);
		return this.#ask(() => this.#client!.request('dialog/answer', { id: dialog.id, accept, ...(text !== undefined ? { text } : {}) }));
	}

	/**
	 * Customers: sends a file from this device into the page's upload field (the open file
	 * request); resolves with an error message or null.
	 */
	async sendFile(file: File): Promise<string | null> {
		const request = this.fileRequest;
		if (!request?.token) return t('files.noRequest');
		if (file.size > request.maxBytes) return t('files.tooLarge', { max: formatSize(request.maxBytes) });
		try {
			const response = await fetch('/api/files/upload', {
				method: 'POST',
				headers: { 'X-Alongside-Upload': request.token, 'X-File-Name': encodeURIComponent(file.name), 'Content-Type': file.type || 'application/octet-stream' },
				body: file,
				credentials: 'omit',
			});
			if (response.ok) return null;
			const body = (await response.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
			return body?.error?.code ? serverErrorText(body.error.code, body.error.message ?? '') : t('files.sendFailed');
		} catch {
			return t('files.sendFailed');
		}
	}

	/**
	 * Copies what is selected in the page to this device's clipboard (for agents, nothing
	 * that touches what masking hides); resolves with an error message or null.
	 */
	async copySelection(): Promise<string | null> {
		if (!this.#client?.open) return t('clipboard.failed');
		try {
			const { text } = await this.#client.request('clipboard/copy', {});
			if (!text) return null;
			await navigator.clipboard.writeText(text);
			this.showToast(t('clipboard.copied'));
			return null;
		} catch (error) {
			const message = error instanceof SignalingError ? messageOf(error) : t('clipboard.failed');
			this.showToast(message);
			return message;
		}
	}

	/** Takes a download off the list shown (saved, or dismissed); it can still be saved while the session lives. */
	hideDownload(id: number): void {
		this.downloads = this.downloads.map((d) => (d.id === id ? { ...d, hidden: true } : d));
	}

	/** Customers: closes the page's file request without a file; resolves with an error message or null. */
	cancelFile(): Promise<string | null> {
		const request = this.fileRequest;
		if (!request) return Promise.resolve(null);
		this.fileRequest = null;
		return this.#ask(() => this.#client!.request('file/cancel', { id: request.id }));
	}

	/** Customers: saves a file the page downloaded onto this device; resolves with an error message or null. */
	async saveDownload(download: { name: string; token?: string }): Promise<string | null> {
		if (!download.token) return t('files.saveFailed');
		try {
			const response = await fetch('/api/files/download', { headers: { 'X-Alongside-Download': download.token }, credentials: 'omit' });
			if (!response.ok) return t('files.saveFailed');
			const url = URL.createObjectURL(await response.blob());
			const link = document.createElement('a');
			link.href = url;
			link.download = download.name;
			link.click();
			setTimeout(() => URL.revokeObjectURL(url), 60_000);
			return null;
		} catch {
			return t('files.saveFailed');
		}
	}

	/** Chooses in the page's open picker (an option's index, an input's value; null: nothing); resolves with an error message or null. */
	answerPicker(value: string | null): Promise<string | null> {
		const picker = this.picker;
		if (!picker) return Promise.resolve(null);
		return this.#ask(() => this.#client!.request('picker/answer', { id: picker.id, value }));
	}

	/** Agents: the shape the cloud page takes; resolves with an error message or null. */
	setShape(name: ShapeName): Promise<string | null> {
		return this.#ask(() => this.#client!.request('browser/shape', { name }));
	}

	/** Opens a new tab, shows another, or closes one (by its id); resolves with an error message or null. */
	tab(request: { action: 'new' } | { action: 'switch' | 'close'; id: string }): Promise<string | null> {
		return this.#ask(() => this.#client!.request('browser/tab', request));
	}

	/** Sends a chat message (or, for a supervisor, a note to the agent); resolves with an error message or null. */
	async sendChat(text: string, note = false): Promise<string | null> {
		if (!this.#client?.open) return t('status.reconnecting');
		try {
			const { message } = note ? await this.#client.request('chat/note', { text }) : await this.#client.request('chat/send', { text });
			this.#addMessage(message, true);
			return null;
		} catch (error) {
			return messageOf(error);
		}
	}

	/** The chat is shown (or hidden): shown, nothing is unread. */
	setChatOpen(open: boolean): void {
		this.chatOpen = open;
		if (open) this.unread = 0;
	}

	#addMessage(message: ChatMessage, own = false): void {
		if (this.chat.some((m) => m.id === message.id)) return;
		this.chat = [...this.chat, message].slice(-500);
		if (!own && !this.chatOpen) this.unread++;
	}

	/** Customers: pauses the agent's control of the page, or gives it back; resolves with an error message or null. */
	pauseControl(paused: boolean): Promise<string | null> {
		return this.#ask(() => this.#client!.request('control/pause', { paused }));
	}

	/** Agents who may: starts or stops recording; resolves with an error message or null. */
	setRecording(recording: boolean): Promise<string | null> {
		return this.#ask(() => this.#client!.request('recording/set', { recording }));
	}

	/** Agents: asks the customer for control back; resolves with an error message or null. */
	requestControl(): Promise<string | null> {
		return this.#ask(() => this.#client!.request('control/request', {}));
	}

	/** Customers: answers the agent's request for control; resolves with an error message or null. */
	answerControl(accept: boolean): Promise<string | null> {
		return this.#ask(() => this.#client!.request('control/answer', { accept }));
	}

	/** Back, forward or reload in the cloud browser; resolves with an error message or null. */
	history(action: 'back' | 'forward' | 'reload'): Promise<string | null> {
		return this.#ask(() => this.#client!.request('browser/history', { action }));
	}

	/** The status to show: `reconnecting` while the link is silent, though the socket is not closed yet. */
	get shownStatus(): Status {
		return this.status === 'live' && this.linkTrouble ? 'reconnecting' : this.status;
	}

	/**
	 * Pings the server every second while joined: a link silent for 2 s shows
	 * "Reconnecting…" at once, and one silent for 8 s is given up (the session is joined
	 * again, as the same participant). Returns the function that stops it.
	 */
	#heartbeat(client: SignalingClient): () => void {
		let answered = Date.now();
		const beat = setInterval(() => {
			if (client.open) client.request('session/ping', {}).then(() => (answered = Date.now()), () => undefined);
		}, PING_MS);
		const watch = setInterval(() => {
			const silent = Date.now() - answered;
			this.linkTrouble = silent > TROUBLE_MS;
			if (silent > GIVE_UP_MS) client.close('no answer from the server');
		}, PING_MS / 4);
		return () => {
			clearInterval(beat);
			clearInterval(watch);
			this.linkTrouble = false;
		};
	}

	/** Registers the stage's <video>; returns the function that unregisters it. */
	attachVideo(video: HTMLVideoElement): () => void {
		this.video = video;
		const onPlaying = () => this.#liveIfPlaying();
		video.addEventListener('playing', onPlaying);
		if (this.#stream) this.#show(this.#stream);
		return () => {
			video.removeEventListener('playing', onPlaying);
			if (this.video === video) this.video = null;
		};
	}

	/** The first participant with `role`, if any. */
	find(role: ParticipantInfo['role']): ParticipantInfo | undefined {
		return this.participants.find((p) => p.role === role);
	}

	/** Plain data for the test hook (`window.alongside.state()`). */
	snapshot(): {
		status: Status;
		error: string | null;
		endReason: SessionEndReason | null;
		sessionId: string | null;
		self: ParticipantInfo | null;
		participants: ParticipantInfo[];
		browser: BrowserState | null;
		interactive: boolean;
		downloads: Array<{ name: string; size: number; token?: string }>;
		chat: ChatMessage[];
		control: ControlState;
		recording: boolean;
		strokes: number;
		scroll: { tab: string; x: number; y: number; scale: number };
		media: MediaInfo | null;
		video: { width: number; height: number; readyState: number; paused: boolean } | null;
	} {
		const v = this.video;
		return {
			status: this.status,
			error: this.error,
			endReason: this.endReason,
			sessionId: this.sessionId,
			self: $state.snapshot(this.self),
			participants: $state.snapshot(this.participants),
			browser: $state.snapshot(this.browser),
			interactive: this.interactive,
			downloads: $state.snapshot(this.downloads),
			chat: $state.snapshot(this.chat),
			control: $state.snapshot(this.control),
			recording: this.recording,
			strokes: this.annotations.strokes.size,
			scroll: $state.snapshot(this.annotations.scroll),
			media: this.#media?.info() ?? null,
			video: v ? { width: v.videoWidth, height: v.videoHeight, readyState: v.readyState, paused: v.paused } : null,
		};
	}

	dismissToast(): void {
		this.toast = null;
	}

	showToast(text: string): void {
		this.toast = { id: ++this.#toastId, text };
		if (this.#toastTimer) clearTimeout(this.#toastTimer);
		this.#toastTimer = setTimeout(() => (this.toast = null), TOAST_MS);
	}

	async #run(): Promise<void> {
		let attempt = 0;
		let rejoin = false;
		while (!this.#stopped) {
			this.#setStatus(attempt === 0 ? 'connecting' : 'reconnecting');
			// NOTE: an end sent while waiting to reconnect (see end()) wins over another attempt.
			const outcome = this.#ended ?? (await this.#connectOnce(attempt === 0, rejoin));
			rejoin = true;
			const reachedMedia = this.#media !== null;
			this.#teardown();
			if (this.#stopped || outcome.kind === 'stopped') return;
			if (outcome.kind === 'ended') {
				this.endReason = outcome.reason;
				this.#setStatus('ended');
				this.#options.onOver?.('ended');
				return;
			}
			if (outcome.kind === 'fatal') {
				this.#fail(outcome.message);
				this.#options.onOver?.('error');
				return;
			}
			if (outcome.kind === 'elsewhere') {
				// NOTE: not retried by itself: two windows would take the session from each other
				// for ever. The person chooses (useHere), as in other apps that run in one place.
				this.#setStatus('elsewhere');
				await this.#sleep(Number.POSITIVE_INFINITY);
				attempt = 0;
				continue;
			}
			// NOTE: a connection that got as far as media starts the backoff over; one that
			// keeps failing before that backs off to 30 s so as not to hammer the server.
			attempt = reachedMedia ? 1 : attempt + 1;
			this.error = outcome.message;
			const delay = outcome.now ? 0 : backoffDelay(attempt);
			this.retryAt = Date.now() + delay;
			this.#setStatus('reconnecting');
			await this.#sleep(delay);
			this.retryAt = null;
		}
	}

	/** This viewer ended the session: stop whatever the connect loop is doing. */
	#finish(reason: SessionEndReason | null): void {
		this.#ended ??= { kind: 'ended', reason };
		this.#settle?.(this.#ended);
		this.#wake?.();
	}

	async #connectOnce(first: boolean, rejoin: boolean): Promise<Outcome> {
		let settle!: (outcome: Outcome) => void;
		// NOTE: the first settle wins, so a session/ended that precedes the socket's close is
		// reported as the end, not as a drop to reconnect from.
		const outcome = new Promise<Outcome>((resolve) => (settle = resolve));
		this.#settle = settle;
		try {
			// NOTE: built before the socket opens so that a token refresh does not hold an
			// idle socket open.
			const request = await this.#options.join(rejoin);
			if (this.#stopped) return { kind: 'stopped' };
			const client = await SignalingClient.connect(this.#options.url);
			if (this.#stopped) {
				client.close();
				return { kind: 'stopped' };
			}
			this.#client = client;
			client.onClose((reason) => {
				console.info('[session] connection closed:', reason);
				settle({ kind: 'retry', message: t('error.connection') });
			});
			client.on('session/ended', ({ reason }) => settle({ kind: 'ended', reason }));
			client.on('session/replaced', () => settle({ kind: 'elsewhere' }));
			this.#subscribe(client, (message, now) => settle({ kind: 'retry', message, now }));
			if (first) this.#setStatus('joining');

			const join = await client.request('session/join', request);
			this.sessionId = join.sessionId;
			this.self = join.self;
			this.participants = join.participants.filter((p) => p.id !== join.self.id);
			this.browser = join.browser;
			this.dialog = join.dialog ?? null;
			this.picker = join.picker ?? null;
			this.fileRequest = join.fileRequest ?? null;
			this.interactive = join.inputChannels.length > 0;
			this.supervisionAnnounced = join.supervisionAnnounced === true;
			// NOTE: a rejoin brings the whole chat again: what arrived meanwhile counts as unread.
			const seen = new Set(this.chat.map((m) => m.id));
			const fresh = join.chat.filter((m) => !seen.has(m.id) && m.by !== join.self.id).length;
			this.chat = join.chat;
			if (!this.chatOpen) this.unread += fresh;
			this.control = join.control;
			this.recording = join.recording === true;
			this.mayRecord = join.mayRecord === true;
			this.annotations.reset(join.self.id, join);
			this.error = null;
			this.#sendDevice();
			this.#sendLocale();
			void outcome.finally(this.#heartbeat(client));

			this.#media = await MediaLink.create({
				signaling: client,
				join,
				onStream: (stream) => this.#show(stream),
				onCursor: (msg) => this.#onCursor(msg),
				onAnnotation: (msg) => this.annotations.receive(msg),
				onFailed: (message) => settle({ kind: 'retry', message }),
			});
			if (this.#stopped) return { kind: 'stopped' };
			// NOTE: the first frame often plays before the input channels are open; 'playing'
			// has then already fired, so check again now that everything is ready.
			this.#liveIfPlaying();
		} catch (error) {
			settle(this.#outcomeOf(error));
		}
		return outcome;
	}

	#subscribe(client: SignalingClient, onBroken: (message: string, now?: boolean) => void): void {
		client.on('participant/joined', (p) => {
			if (p.id === this.self?.id) return;
			const others = this.participants.filter((q) => q.id !== p.id);
			this.participants = [...others, p];
		});
		client.on('participant/connection', ({ id, connected }: Notifications['participant/connection']) => {
			this.participants = this.participants.map((p) => (p.id === id ? { ...p, reconnecting: !connected } : p));
		});
		client.on('participant/left', ({ id }) => {
			this.participants = this.participants.filter((p) => p.id !== id);
			this.cursors.delete(id);
		});
		client.on('browser/state', (state) => {
			this.browser = state;
		});
		client.on('dialog/opened', (dialog: DialogView) => {
			this.dialog = dialog;
		});
		client.on('dialog/closed', ({ id, accepted, by }: Notifications['dialog/closed']) => {
			if (this.dialog?.id !== id) return;
			const type = this.dialog.type;
			this.dialog = null;
			if (by && by !== this.self?.name) this.showToast(t(accepted || type === 'alert' ? 'pageDialog.answeredBy' : 'pageDialog.dismissedBy', { name: by }));
		});
		client.on('picker/opened', (picker: PickerView) => {
			this.picker = picker;
		});
		client.on('picker/closed', ({ id, chosen, by }: Notifications['picker/closed']) => {
			if (this.picker?.id !== id) return;
			this.picker = null;
			if (chosen && by && by !== this.self?.name) this.showToast(t('picker.chosenBy', { name: by }));
		});
		client.on('page/focus', (focus: Notifications['page/focus']) => {
			this.pageFocus = focus;
		});
		client.on('file/requested', (request: FileRequest) => {
			this.fileRequest = request;
		});
		client.on('file/closed', ({ id }: Notifications['file/closed']) => {
			if (this.fileRequest?.id === id) this.fileRequest = null;
		});
		client.on('file/offered', (offer: Notifications['file/offered']) => {
			this.downloads = [...this.downloads, { id: ++this.#downloadSeq, ...offer }];
			if (!offer.token) this.showToast(t('files.offeredToCustomer', { name: offer.name }));
		});
		client.on('file/failed', ({ name, reason }: Notifications['file/failed']) => {
			this.showToast(t(`files.failed.${reason}`, { name }));
		});
		client.on('input/refused', (refusal: Notifications['input/refused']) => {
			this.refusal = { id: ++this.#refusalId, reason: refusal.reason, x: refusal.x, y: refusal.y };
			if (this.#refusalTimer) clearTimeout(this.#refusalTimer);
			this.#refusalTimer = setTimeout(() => (this.refusal = null), REFUSAL_MS);
		});
		client.on('navigation/refused', ({ message }: Notifications['navigation/refused']) => {
			this.showToast(t('toast.navigationRefused', { message }));
		});
		client.on('input/agent-tried', ({ name, reason }: Notifications['input/agent-tried']) => {
			this.showToast(t(reason === 'masked_field' ? 'toast.agentTriedField' : 'toast.agentTried', { name }));
		});
		client.on('participant/rights', ({ inputChannels }) => {
			const interactive = inputChannels.length > 0;
			if (interactive === this.interactive) return;
			this.interactive = interactive;
			if (!interactive) {
				// NOTE: a pause by the customer is told by control/state.
				if (!this.control.paused) this.showToast(t('toast.controlRevoked'));
			}
			// NOTE: control given back: the input channels are opened on a fresh join.
			else onBroken('', true);
		});
		client.on('chat/message', (message: ChatMessage) => this.#addMessage(message));
		client.on('page/scroll', (scroll: Notifications['page/scroll']) => this.annotations.scrolled(scroll));
		client.on('recording/state', ({ recording, failed }: Notifications['recording/state']) => {
			if (failed) this.showToast(t('recording.failed'));
			else if (recording !== this.recording) this.showToast(t(recording ? 'recording.started' : 'recording.stopped'));
			this.recording = recording;
		});
		client.on('control/state', ({ by, ...state }: Notifications['control/state']) => {
			const was = this.control;
			this.control = state;
			const role = this.self?.role;
			if (role === 'agent' && state.paused && !was.paused) this.showToast(t('control.pausedByCustomer', { name: by ?? '' }));
			if (role === 'agent' && !state.paused && was.paused) this.showToast(t('control.resumed'));
			if (role === 'agent' && was.requested && !state.requested && state.paused) this.showToast(t('control.declined'));
		});
		client.on('mask/regions', ({ boxes }) => {
			this.maskRegions = boxes;
		});
		client.on('media/changed', () => {
			this.#media?.consumeVideo().catch((error: unknown) => onBroken(messageOf(error)));
		});
	}

	#onCursor(msg: CursorMessage): void {
		if (msg.participantId === this.self?.id) return;
		if (msg.type === 'cursor/hide') this.cursors.delete(msg.participantId);
		else this.cursors.set(msg.participantId, { x: msg.x, y: msg.y });
	}

	#show(stream: MediaStream): void {
		this.#stream = stream;
		const video = this.video;
		if (!video) return;
		video.srcObject = stream;
		video.play().catch((error: unknown) => {
			// NOTE: muted autoplay is allowed everywhere; a failure here is an aborted load
			// (a newer stream replaced this one) and needs no action.
			console.debug('[session] play() did not start', error);
		});
	}

	/** `live` once the video plays and the media link (with its input channels) is ready. */
	#liveIfPlaying(): void {
		const video = this.video;
		if (!video || !this.#media || video.paused || video.readyState < 2) return;
		if (this.status === 'joining' || this.status === 'connecting' || this.status === 'reconnecting') this.#setStatus('live');
	}

	#outcomeOf(error: unknown): Outcome {
		if (error instanceof Error && error.name === 'UnsupportedError') return { kind: 'fatal', message: t('error.unsupported') };
		const code = error instanceof SignalingError ? error.code : undefined;
		const kind = classifyFailure(code);
		if (kind === 'ended') return { kind: 'ended', reason: null };
		if (kind === 'fatal') {
			const key = `error.${code}`;
			return { kind: 'fatal', message: hasMessage(key) ? t(key as MessageKey) : t('error.generic', { message: messageOf(error) }) };
		}
		// NOTE: local socket failures get a readable text; server messages are user-safe as sent.
		if (code === 'closed') return { kind: 'retry', message: t('error.connection') };
		if (code === 'timeout') return { kind: 'retry', message: t('error.timeout') };
		return { kind: 'retry', message: messageOf(error) };
	}

	#teardown(): void {
		this.#media?.close();
		this.#media = null;
		this.#client?.close();
		this.#client = null;
		this.#stream = null;
		this.cursors.clear();
		if (this.video) this.video.srcObject = null;
	}

	#fail(message: string): void {
		this.error = message;
		this.#setStatus('error');
	}

	#setStatus(status: Status): void {
		this.status = status;
		// NOTE: end-to-end tests and the latency benchmark wait for [data-status=live].
		if (typeof document !== 'undefined') document.body.dataset.status = status;
	}

	/** Waits `ms` (for ever if infinite) or until woken. */
	#sleep(ms: number): Promise<void> {
		return new Promise((resolve) => {
			const timer = Number.isFinite(ms) ? setTimeout(done, ms) : undefined;
			function done() {
				clearTimeout(timer);
				resolve();
			}
			this.#wake = () => {
				this.#wake = null;
				done();
			};
		});
	}

	async #ask(call: () => Promise<unknown>): Promise<string | null> {
		if (!this.#client?.open) return t('status.reconnecting');
		try {
			await call();
			return null;
		} catch (error) {
			return messageOf(error);
		}
	}
}

/** An error as its reader is shown it: a server's by its code, translated (see serverErrorText). */
function messageOf(error: unknown): string {
	if (error instanceof SignalingError) return serverErrorText(error.code, error.message);
	return error instanceof Error ? error.message : String(error);
}
