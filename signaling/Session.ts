/**
 * A co-browsing session: its room on the SFU, its cloud browser, and its participants.
 *
 * The session is where roles turn into rights: which rendition a participant consumes,
 * whether it may open input channels, and what happens to each input message.
 */
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { MaskStats } from '../protocol/bridge.js';
import type { Device, ShapeName } from '../protocol/shape.js';
import { dialogView, hide, mayAnswer, type PageDialog } from '../publisher/dialogs.js';
import { type PagePicker, pickerView } from '../publisher/pickers.js';
import { type AttemptKind, DEFAULT_RULES, type MaskRules, type RefusalReason } from '../protocol/masking.js';
import type { Refusal } from '../publisher/InputGateway.js';
import { CloudBrowser, type PublishTarget, TabLimitError } from '../publisher/CloudBrowser.js';
import type { PublisherConfig } from '../publisher/config.js';
import { NavigationError, navigationError } from '../publisher/navigation.js';
import { safeFileName, uploadAllowed } from '../publisher/files.js';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Room } from '../sfu/Room.js';
import type { AgentNameFormat } from '../protocol/brand.js';
import type { RecordingPolicy } from './store/Store.js';
import { AnnotateMessage } from '../protocol/annotations.js';
import { Annotations } from './Annotations.js';
import { Chat, type KeptMessage, readable, viewOf } from './Chat.js';
import { type SessionEvent, type TimedSessionEvent, timelineAddress } from './events.js';
import type { ConsumeInfo, DataConsumerInfo, TransportDirection } from '../sfu/RoomTypes.js';
import type { Sfu } from '../sfu/Sfu.js';
import { AppError, ConflictError, ForbiddenError, NotFoundError, NotReadyError } from '../protocol/errors.js';
import { type FaultScope, runInScope } from './faults.js';
import type { Metrics } from './metrics.js';
import {
	type BrowserState,
	CHANNEL_OF,
	type ChatMessage,
	type ControlState,
	type PageScroll,
	type StrokeSnapshot,
	type DialogView,
	type FileRequest,
	type PickerView,
	type CursorMessage,
	INPUT_ROLES,
	InputChannel,
	InputMessage,
	type NotificationType,
	type Notifications,
	type ParticipantInfo,
	type Rendition,
	type Role,
	type SessionEndReason,
	type TransportInfo,
} from '../protocol/wire.js';

/** How a participant is reached: the connection's notify function. */
export type Notify = <T extends NotificationType>(type: T, data: Notifications[T]) => void;

export interface Participant extends ParticipantInfo {
	notify: Notify;
	/** When the participant's connection last sent anything. */
	lastSeen: number;
	/** Whether its client sends `session/ping` (only those are watched for silence). */
	pings: boolean;
	/** Its connection dropped: kept for {@link RESUME_GRACE_MS} to come back as the same participant. */
	dropped?: NodeJS.Timeout;
	/**
	 * May open input channels and navigate now: customers, and agents with the control
	 * permission whose control the customer has not paused.
	 */
	canControl: boolean;
	/** Its account's permission to control (agents), whatever the customer's pause. */
	permitted: boolean;
	/** Who this is beyond one connection: a user id, or a customer token's subject. */
	actor: string;
	/**
	 * Told when the same actor joined again elsewhere: this participant has already been
	 * removed, or (`resumed`) moved to the new connection, its link having gone silent.
	 */
	onReplaced(resumed: boolean): void;
}

/** What a connection tells the session about a participant that joins. */
export interface JoinRequest {
	info: ParticipantInfo;
	/** One participant per actor: joining again replaces the earlier participant. */
	actor: string;
	notify: Notify;
	/** Whether it may drive the browser; only agents and customers can. */
	canControl: boolean;
	onReplaced(resumed: boolean): void;
}

export interface SessionEvents {
	ended: [reason: SessionEndReason];
	/** An agent's input was refused by the policy gateway (for the session report). */
	refused: [{ actor: string; reason: RefusalReason; kind: AttemptKind }];
	/** A chat message or a supervisor's note was sent (for the session report), its text as supervisors see it. */
	chat: [KeptMessage];
	/** The customer paused or gave back the agent's control (for the audit log). */
	control: [{ actor: string; paused: boolean }];
	/** Something for the session's timeline happened (see events.ts). */
	event: [TimedSessionEvent];
	/**
	 * What viewers draw over the video was sent, for recordings: a pointer (with whose it
	 * is), a drawing, the page's scroll, or the page's viewport changed.
	 */
	overlay: [kind: 'cursor' | 'annotation' | 'scroll' | 'viewport', message: unknown, who?: { name: string; role: Role }];
}

/** Who a session belongs to, set when an agent redeems a PIN (pool sessions start unbound). */
export interface SessionBinding {
	companyId: string;
	agentUserId: string;
	agentName: string;
	/** Whether customers are told that sessions may be supervised (company setting). */
	announceSupervision: boolean;
	/** The sites the session's browser may open (company setting; empty: any public site). */
	allowedDomains: string[];
	/** The company's masking rules (built-in ones switched off, its own), as they are now. */
	rules: MaskRules;
	/** Whether customers may draw on the shared view too (company setting; agents always may). */
	customerAnnotations?: boolean;
	/** How the agent's name is shown in the session (company setting). Default `full`. */
	agentNameFormat?: AgentNameFormat;
	/** Which sessions the company records (company setting). Default `off`. */
	recording?: RecordingPolicy;
	/** The customer's language and time zone, from their PIN request: the cloud browser takes them at once. */
	locale?: { lang: string; timeZone?: string };
	/**
	 * A company admin's preview of masking rules (no customer, no PIN): the admin sees the
	 * masked rendition beside the clear one, with draft rules.
	 */
	preview?: boolean;
}

export interface SessionOptions {
	id: string;
	sfu: Sfu;
	publisherConfig: PublisherConfig;
	startUrl: string;
	logger: Logger;
	metrics: Metrics;
}

/** The shortest time between two "the agent tried" notices to a customer. */
const TELL_CUSTOMER_MS = 3000;

/** How long a participant whose connection dropped is kept, to come back as the same one (a phone changing network, a reload). */
const RESUME_GRACE_MS = 30_000;
/** A participant that pings (every second) and is silent this long is shown to the others as reconnecting. */
const SILENT_MS = 1600;

/** How long a customer's language reports must settle before the cloud browser takes it. */
const LOCALE_SETTLE_MS = 300;

/** How long an agent waits to ask for control again after the customer declined. */
const ASK_AGAIN_MS = 30_000;

/** How long a customer's device reports must settle before the page takes their shape (a rotation sends several). */
const RESHAPE_SETTLE_MS = 150;

/** The input channels a participant may open: all of them if it controls the browser, else none. */
function inputChannelsFor(canControl: boolean): InputChannel[] {
	return canControl ? [...InputChannel.options] : [];
}

/**
 * The rendition a role consumes: the customer sees the page as it is; agents and
 * supervisors (and, later, recordings) see it masked.
 */
export function renditionFor(role: Role): Rendition {
	return role === 'customer' ? 'clear' : 'masked';
}

/** Whether a role may consume a rendition: only customers may see the clear one. */
export function mayConsume(role: Role, rendition: Rendition): boolean {
	return rendition === 'masked' || role === 'customer';
}


export class Session extends EventEmitter<SessionEvents> {
	readonly id: string;
	readonly room: Room;
	readonly startedAt = Date.now();
	readonly #participants = new Map<string, Participant>();
	#logger: Logger;
	readonly #metrics: Metrics;
	#browserState: BrowserState;
	#endReason: SessionEndReason | undefined;
	#ending: Promise<void> | undefined;
	#binding: SessionBinding | undefined;
	#rules: MaskRules | undefined;
	#allowedDomains: string[] = [];
	#boundAt = 0;
	#lastActivity = Date.now();
	/** Whether a customer has joined at least once (its PIN then no longer hands out tokens). */
	#customerJoined = false;
	readonly #annotations = new Annotations();
	readonly #chat = new Chat();
	/** The customer paused the agent's control; an agent asked for it back. */
	#control: ControlState = { paused: false, requested: false };
	#scroll: PageScroll = { tab: '', x: 0, y: 0, scale: 1 };
	/** Whether the session is being recorded now (everyone in it is told). */
	#recording = false;
	/** Work to finish before the room closes at the end (a recording's last frames). */
	readonly #beforeClose: Array<() => Promise<void>> = [];
	/** What the timeline last said of the browser: the shown tab, its address, the tabs. */
	#logged = { tab: '', url: '', tabs: new Set<string>() };

	/**
	 * Creates the room and starts the cloud browser in the background: the session exists
	 * at once, so participants can join and set up their transports while Chromium launches
	 * (their video consumer waits for the producer). `ready` settles once it publishes.
	 */
	static async start(options: SessionOptions): Promise<Session> {
		const room = await options.sfu.createRoom(options.id);
		return new Session(options, room);
	}

	/** Settles when the cloud browser has sent its first frame; rejects (and the session ends) if it cannot start. */
	readonly ready: Promise<void>;
	#browser: CloudBrowser | undefined;
	/** Stops a browser start that the session's end overtook. */
	readonly #startAbort = new AbortController();
	/** What this session's work runs in: an error escaping it ends this session only. */
	readonly #scope: FaultScope;

	private constructor(options: SessionOptions, room: Room) {
		super();
		this.#silenceTimer = setInterval(() => {
			this.#watchSilence();
			const expired = this.#annotations.expire();
			if (expired) {
				this.room.broadcastAnnotation(JSON.stringify(expired));
				if (this.#recording) this.emit('overlay', 'annotation', expired);
			}
		}, 250);
		this.#silenceTimer.unref();
		this.id = options.id;
		this.room = room;
		this.#logger = options.logger;
		this.#metrics = options.metrics;
		this.#files = options.publisherConfig.files ?? { uploadMaxBytes: 10 * 1024 * 1024, uploadTypes: [], downloadMaxBytes: 20 * 1024 * 1024 };
		const { width, height } = options.publisherConfig.viewport;
		this.#browserState = { url: 'about:blank', title: '', loading: true, viewport: { width, height }, shape: { name: 'customer', form: 'desktop', dpr: 1 }, tabs: [], activeTab: '' };
		this.#scope = {
			kind: 'session',
			id: this.id,
			fail: (error) => {
				this.#metrics.backgroundErrors.inc({ kind: 'session' });
				this.#logger.error({ err: error }, 'session failed; ending it');
				void this.end('internal_error');
			},
		};
		// NOTE: mediasoup emits input from its worker channel, outside any scope; a throw there
		// would unwind into mediasoup's channel, which every session shares. Contain it here.
		room.on('input', (participantId, channel, payload) =>
			runInScope(this.#scope, () => {
				try {
					this.#onInput(participantId, channel, payload);
				} catch (error) {
					this.#scope.fail(error);
				}
			}),
		);
		room.on('annotate', (participantId, payload) =>
			runInScope(this.#scope, () => {
				try {
					this.#onAnnotate(participantId, payload);
				} catch (error) {
					this.#scope.fail(error);
				}
			}),
		);
		room.on('producerchange', (rendition) => {
			for (const p of this.#participants.values()) if (renditionFor(p.role) === rendition) p.notify('media/changed', { rendition });
		});
		room.once('close', () => void this.end('media_failed'));
		// NOTE: Chromium's CDP connection is created in here, so its callbacks carry the scope.
		this.ready = runInScope(this.#scope, () => this.#startBrowser(options));
		// NOTE: a failed start ends the session; callers that await `ready` see the error too.
		this.ready.catch(() => undefined);
	}

	/** The cloud browser. Throws NotReadyError while it is still starting. */
	get browser(): CloudBrowser {
		if (!this.#browser) throw new NotReadyError('the cloud browser is starting');
		return this.#browser;
	}

	async #startBrowser(options: SessionOptions): Promise<void> {
		const started = performance.now();
		const room = this.room;
		const target: PublishTarget = {
			routerRtpCapabilities: room.rtpCapabilities as unknown as Record<string, unknown>,
			createTransport: (options) => room.createTransport(PUBLISHER_ID, 'send', 'internal', options),
			connectTransport: (transportId, dtlsParameters) => room.connectTransport(PUBLISHER_ID, transportId, dtlsParameters),
			produce: (transportId, rendition, rtpParameters) => room.produce(PUBLISHER_ID, transportId, rendition, rtpParameters as never),
		};
		let browser: CloudBrowser;
		const startRules = this.#rules;
		try {
			browser = await CloudBrowser.create({
				sessionId: options.id,
				config: options.publisherConfig,
				target,
				startUrl: options.startUrl,
				logger: options.logger.child({ component: 'publisher' }),
				signal: this.#startAbort.signal,
				// NOTE: unbound (a warm session): no rules, so the masked rendition is covered
				// whole until the session is bound and the company's rules arrive.
				rules: this.#rules ?? null,
				urlPolicy: { allowedDomains: this.#allowedDomains },
			});
		} catch (error) {
			if (this.ended) throw error;
			this.#metrics.backgroundErrors.inc({ kind: 'browser_start' });
			this.#logger.error({ err: error }, 'cloud browser failed to start');
			// NOTE: not awaited: ending waits for this start to settle.
			void this.end('browser_crashed');
			throw error;
		}
		if (this.ended) {
			await browser.close();
			throw new NotReadyError('the session ended while its browser started');
		}
		this.#browser = browser;
		// NOTE: bound while Chromium launched (a cold start), or rules saved meanwhile.
		if (this.#rules && this.#rules !== startRules) this.#deliverRules(this.#rules);
		if (this.#binding?.preview) browser.showLocks(true);
		browser.setUrlPolicy({ allowedDomains: this.#allowedDomains });
		// NOTE: bound (or told by the customer) while Chromium launched.
		if (this.#locale) void browser.setLocale(this.#locale.lang, this.#locale.timeZone).catch((error: Error) => this.#logger.warn({ err: error.message }, 'language not set'));
		this.#metrics.browserStart.observe((performance.now() - started) / 1000);
		browser.on('state', (s) => {
			const was = this.#browserState.viewport;
			this.#browserState = s;
			if (this.#recording && (was.width !== s.viewport.width || was.height !== s.viewport.height)) this.emit('overlay', 'viewport', { ...s.viewport });
			this.#broadcastState();
			this.#logBrowser();
		});
		browser.on('crash', () => void this.end('browser_crashed'));
		browser.on('dialog', (dialog) => {
			this.#answeredBy = undefined;
			this.#logger.info({ dialog: dialog.type }, 'the page opened a dialog');
			for (const p of this.#participants.values()) p.notify('dialog/opened', this.#dialogView(dialog, p));
		});
		browser.on('dialogclosed', ({ id, accepted }) => {
			const by = this.#answeredBy;
			this.#answeredBy = undefined;
			this.#broadcast('dialog/closed', { id, accepted, ...(by ? { by } : {}) });
		});
		browser.on('picker', (picker) => {
			this.#pickedBy = undefined;
			this.#logger.info({ picker: picker.kind }, 'the page opened a picker');
			for (const p of this.#participants.values()) p.notify('picker/opened', this.#pickerView(picker, p));
		});
		browser.on('pickerclosed', ({ id, chosen }) => {
			const by = this.#pickedBy;
			this.#pickedBy = undefined;
			this.#broadcast('picker/closed', { id, chosen, ...(by ? { by } : {}) });
		});
		browser.on('pagescroll', (scroll) => {
			this.#scroll = scroll;
			this.#broadcast('page/scroll', scroll);
			if (this.#recording) this.emit('overlay', 'scroll', scroll);
		});
		browser.on('pagefocus', (focus) => {
			for (const p of this.#participants.values()) if (p.role === 'customer') p.notify('page/focus', focus);
		});
		browser.on('filechooser', ({ id, multiple, accept }) => {
			// NOTE: the token lets the customer's device send the file over HTTP; only the customer gets it.
			this.#upload = { id, token: randomBytes(24).toString('base64url') };
			this.#logger.info('the page asks for a file');
			for (const p of this.#participants.values()) p.notify('file/requested', this.fileRequestFor(p)!);
		});
		browser.on('filechooserclosed', ({ id, filled }) => {
			if (this.#upload?.id === id) this.#upload = undefined;
			this.#broadcast('file/closed', { id, filled });
		});
		browser.on('download', ({ name, type, bytes }) => {
			const token = randomBytes(24).toString('base64url');
			this.#downloads.set(token, { name, type, bytes });
			for (const p of this.#participants.values()) {
				p.notify('file/offered', p.role === 'customer' ? { name, size: bytes.byteLength, token } : { name: hide(name, this.#rules ?? DEFAULT_RULES), size: bytes.byteLength });
			}
		});
		browser.on('downloadfailed', ({ name, reason }) => {
			this.#logger.info({ reason }, 'a download could not be offered');
			for (const p of this.#participants.values()) if (p.role === 'customer') p.notify('file/failed', { name, reason });
		});
		browser.on('regions', ({ boxes, viewport }) => {
			const regions = boxes.map(([x, y, w, h]) => [x / viewport.width, y / viewport.height, w / viewport.width, h / viewport.height] as [number, number, number, number]);
			for (const p of this.#participants.values()) if (p.role === 'customer') p.notify('mask/regions', { boxes: regions });
		});
		browser.on('lockregions', ({ boxes, viewport }) => {
			if (!this.#binding?.preview) return;
			const regions = boxes.map(([x, y, w, h]) => [x / viewport.width, y / viewport.height, w / viewport.width, h / viewport.height] as [number, number, number, number]);
			for (const p of this.#participants.values()) if (p.role !== 'customer') p.notify('lock/regions', { boxes: regions });
		});
		browser.on('badreport', () => this.#metrics.maskBadReports.inc());
		browser.on('refused', (refusal) => this.#onRefused(refusal));
		// NOTE: counted apart from the messages dropped on arrival (those were never input).
		browser.on('inputdropped', (code) => this.#metrics.inputRefusals.inc({ reason: code, kind: 'any' }));
		browser.on('navigationrefused', ({ problem }) => {
			this.#metrics.navigationRefusals.inc({ source: 'page' });
			this.#broadcast('navigation/refused', { message: problem });
		})
		browser.on('scanfailure', () => this.#metrics.maskScanFailures.inc());
		browser.on('maskstats', (stats) => this.#countMaskStats(stats));
		browser.on('inputerror', (error) => {
			this.#metrics.backgroundErrors.inc({ kind: 'input_injection' });
			this.#logger.warn({ err: error.message }, 'input injection failed');
		});
		this.#browserState = await browser.state();
		this.#scroll = browser.scroll;
		this.#broadcastState();
		// NOTE: a customer who joined while the browser started.
		if (this.#customerDevice || this.#shapeChoice !== 'customer') this.#reshape();
	}

	/** What the compositor counted, into the metrics. */
	#countMaskStats(stats: MaskStats): void {
		const m = this.#metrics;
		m.maskedFrames.inc(stats.frames);
		for (const [reason, count] of Object.entries(stats.covered)) m.maskCoveredFrames.inc({ reason }, count);
		for (const boxes of stats.boxes) m.maskRegions.observe(boxes);
		for (const ms of stats.compositorMs) m.maskCompositorSeconds.observe(ms / 1000);
		for (const ms of stats.reportDelayMs) m.maskDelaySeconds.observe({ stage: 'report' }, Math.max(0, ms) / 1000);
		for (const ms of stats.frameDelayMs) m.maskDelaySeconds.observe({ stage: 'frame' }, Math.max(0, ms) / 1000);
	}

	get ended(): boolean {
		return this.#endReason !== undefined;
	}

	/** The company, agent and settings, once bound; undefined for a warm, unused session. */
	get binding(): SessionBinding | undefined {
		return this.#binding;
	}

	/** When the session was bound to a PIN (its start, as people see it). */
	get boundAt(): number {
		return this.#boundAt;
	}

	/** Milliseconds since the last input or join. */
	get idleMs(): number {
		return Date.now() - this.#lastActivity;
	}

	/** Whether a customer is connected now. */
	get customerPresent(): boolean {
		return [...this.#participants.values()].some((p) => p.role === 'customer');
	}

	/** Binds a warm session to the company and agent that redeemed a PIN. Only once. */
	bind(binding: SessionBinding): void {
		if (this.#binding) throw new Error(`session ${this.id} is already bound`);
		this.#binding = binding;
		this.#boundAt = Date.now();
		this.#lastActivity = this.#boundAt;
		this.#logger = this.#logger.child({ companyId: binding.companyId });
		this.setRules(binding.rules);
		this.setAllowedDomains(binding.allowedDomains);
		if (binding.preview) this.#browser?.showLocks(true);
		if (binding.locale) this.#applyLocale(binding.locale);
	}

	/** The customer's language and time zone, once known. */
	#locale: { lang: string; timeZone?: string } | undefined;

	/**
	 * Customers: their language (chosen in the page) and time zone, for the cloud browser.
	 * Applied once reports settle (a customer switching back and forth costs one change).
	 */
	setLocale(participantId: string, locale: { lang: string; timeZone?: string }): void {
		if (this.#participant(participantId).role !== 'customer') throw new ForbiddenError('only the customer sets the language of the page');
		clearTimeout(this.#localeTimer);
		this.#localeTimer = setTimeout(() => {
			if (this.ended || (this.#locale?.lang === locale.lang && (!locale.timeZone || this.#locale.timeZone === locale.timeZone))) return;
			this.#applyLocale({ ...this.#locale, ...locale });
		}, LOCALE_SETTLE_MS);
		this.#localeTimer.unref();
	}

	#localeTimer: NodeJS.Timeout | undefined;

	#applyLocale(locale: { lang: string; timeZone?: string }): void {
		this.#locale = locale;
		this.#logger.info({ lang: locale.lang, timeZone: locale.timeZone }, 'the cloud browser takes the customer\'s language');
		this.#browser?.setLocale(locale.lang, locale.timeZone).catch((error: Error) => this.#logger.warn({ err: error.message }, 'language not set'));
	}

	/** The sites the cloud browser may open (the company's setting), from now on. */
	setAllowedDomains(allowedDomains: string[]): void {
		this.#allowedDomains = [...allowedDomains];
		this.#browser?.setUrlPolicy({ allowedDomains: this.#allowedDomains });
	}

	/**
	 * The company's masking rules changed (or the session was bound): the cloud browser's
	 * detector gets them now (if it has started; else it starts with them).
	 */
	setRules(rules: MaskRules): void {
		this.#rules = rules;
		if (this.#browser) this.#deliverRules(rules);
	}

	#deliverRules(rules: MaskRules): void {
		this.#browser!.setRules(rules).catch((error: Error) => {
			if (this.ended) return;
			// NOTE: the masked rendition stays covered (its frames' states have older rules).
			this.#metrics.backgroundErrors.inc({ kind: 'mask_rules' });
			this.#logger.error({ err: error.message }, 'masking rules not delivered to the cloud browser');
		});
	}

	get browserState(): BrowserState {
		return this.#browserState;
	}

	/**
	 * The browser's state as a participant of `role` is shown it: addresses and titles with
	 * what masking hides replaced for everyone but the customer (a page may put a card
	 * number in its title or its URL).
	 */
	browserStateFor(role: Role): BrowserState {
		const state = this.#browserState;
		if (role === 'customer') return state;
		const rules = this.#rules ?? DEFAULT_RULES;
		// NOTE: an address is also read decoded (a card number may be written 4111+1111… or
		// 4111%201111…); one that holds nothing masked is shown as it is.
		const address = (url: string) => {
			const shown = hide(url, rules);
			let decoded = url;
			try {
				decoded = decodeURIComponent(url.replace(/\+/g, ' '));
			} catch {
				// NOTE: not valid percent-encoding: read as it is.
			}
			const hidden = hide(decoded, rules);
			return hidden !== decoded ? hidden : shown;
		};
		return {
			...state,
			url: address(state.url),
			title: hide(state.title, rules),
			tabs: state.tabs.map((tab) => ({ ...tab, url: address(tab.url), title: hide(tab.title, rules) })),
		};
	}

	/** Something for the timeline (see events.ts). */
	log(event: SessionEvent): void {
		if (!this.#binding) return;
		this.emit('event', { ...event, at: Date.now() });
	}

	/** Tabs opened, closed and switched, and pages visited, into the timeline (as agents see them). */
	#logBrowser(): void {
		const state = this.browserStateFor('agent');
		const logged = this.#logged;
		const tabs = new Set(state.tabs.map((t) => t.id));
		for (const id of tabs) if (!logged.tabs.has(id) && logged.tabs.size > 0) this.log({ type: 'tab.opened', tab: id });
		for (const id of logged.tabs) if (!tabs.has(id)) this.log({ type: 'tab.closed', tab: id });
		logged.tabs = tabs;
		if (state.activeTab !== logged.tab && logged.tab !== '' && tabs.has(state.activeTab)) this.log({ type: 'tab.switched', tab: state.activeTab });
		const url = timelineAddress(state.url);
		if (!state.loading && url && (url !== logged.url || state.activeTab !== logged.tab)) {
			this.log({ type: 'page.visited', tab: state.activeTab, url, title: state.title.slice(0, 200) });
			logged.url = url;
		}
		logged.tab = state.activeTab;
	}

	/** Whether the session is being recorded now. */
	get recording(): boolean {
		return this.#recording;
	}

	/**
	 * Recording started or stopped: everyone in the session is told (the customer's page shows
	 * it). `failed`: the recorder failed (to start, or on the way), told even if it never started.
	 */
	setRecording(recording: boolean, failed = false): void {
		if (this.#recording === recording && !failed) return;
		this.#recording = recording;
		this.#broadcast('recording/state', failed ? { recording, failed: true } : { recording });
	}

	/** Runs `work` when the session ends, before its room closes (awaited, at most 5 s). */
	beforeClose(work: () => Promise<void>): void {
		this.#beforeClose.push(work);
	}

	#broadcastState(): void {
		const shown = new Map<Role, BrowserState>();
		for (const p of this.#participants.values()) {
			let state = shown.get(p.role);
			if (!state) shown.set(p.role, (state = this.browserStateFor(p.role)));
			p.notify('browser/state', state);
		}
	}

	get participants(): ParticipantInfo[] {
		return [...this.#participants.values()].map(({ id, name, role, reconnecting }) => ({ id, name, role, ...(reconnecting ? { reconnecting } : {}) }));
	}

	/** A participant's connection sent something (`ping`: a heartbeat, from a client that sends them). */
	seen(participantId: string, ping = false): void {
		const participant = this.#participants.get(participantId);
		if (!participant || participant.dropped) return;
		participant.lastSeen = Date.now();
		if (ping) participant.pings = true;
		if (participant.reconnecting) this.#connection(participant, true);
	}

	/**
	 * A participant's connection closed without leaving (a network drop, a closed tab, a
	 * reload): the others are told it is reconnecting, and it stays for
	 * {@link RESUME_GRACE_MS}; the same person joining meanwhile comes back as the same
	 * participant. After that it leaves (`gone` is then called, for the audit log).
	 */
	dropped(participantId: string, gone: () => void): void {
		const participant = this.#participants.get(participantId);
		if (!participant || participant.dropped) return;
		participant.notify = () => undefined;
		participant.onReplaced = () => undefined;
		this.#detach(participant);
		participant.dropped = setTimeout(() => {
			if (this.#participants.get(participantId) !== participant) return;
			this.leave(participantId);
			gone();
		}, RESUME_GRACE_MS);
		participant.dropped.unref();
		if (!participant.reconnecting) this.#connection(participant, false);
	}

	/** Drops what a participant's old connection holds (its transports on the SFU, its held buttons); it stays in the session. */
	#detach(participant: Participant): void {
		this.room.removeParticipant(participant.id);
		this.#browser?.releaseInput(participant.id);
	}

	/** Tells the others that a participant's connection is in trouble, or fine again. */
	#connection(participant: Participant, connected: boolean): void {
		participant.reconnecting = !connected;
		if (!connected) this.#logger.info({ participantId: participant.id, role: participant.role }, 'participant reconnecting');
		if (participant.role !== 'supervisor') this.#broadcast('participant/connection', { id: participant.id, connected }, participant.id);
	}

	/** Shows participants that stopped pinging as reconnecting. */
	#watchSilence(): void {
		const now = Date.now();
		for (const participant of this.#participants.values()) {
			if (participant.pings && !participant.reconnecting && !participant.dropped && now - participant.lastSeen > SILENT_MS) this.#connection(participant, false);
		}
	}

	readonly #silenceTimer: NodeJS.Timeout;

	/** Whether a customer has joined this session at least once. */
	get customerHasJoined(): boolean {
		return this.#customerJoined;
	}

	/**
	 * Adds a participant. Supervisors are silent: they are not announced to others and do
	 * not appear in anyone's participant list. An actor already in the session (the same
	 * customer from another tab, the agent after a reconnect) is replaced: the earlier
	 * participant leaves and is told.
	 */
	join(request: JoinRequest): { self: ParticipantInfo; participants: ParticipantInfo[]; inputChannels: InputChannel[]; resumed: boolean } {
		if (this.ended) throw new NotReadyError('the session has ended');
		const { info } = request;
		for (const earlier of [...this.#participants.values()]) {
			if (earlier.actor !== request.actor) continue;
			if (earlier.dropped) return this.#resume(earlier, request);
			// NOTE: a connection gone silent (a phone that changed network: its old socket is
			// not closed yet) is given up for the new one, as the same participant.
			if (earlier.reconnecting) {
				earlier.onReplaced(true);
				this.#detach(earlier);
				return this.#resume(earlier, request);
			}
			this.leave(earlier.id);
			earlier.onReplaced(false);
		}
		const visible = this.participants.filter((p) => p.role !== 'supervisor');
		const permitted = request.canControl && INPUT_ROLES.includes(info.role);
		const canControl = this.#effectiveControl(info.role, permitted);
		this.#participants.set(info.id, { ...info, notify: request.notify, canControl, permitted, actor: request.actor, onReplaced: request.onReplaced, lastSeen: Date.now(), pings: false });
		if (info.role === 'customer') this.#customerJoined = true;
		this.#lastActivity = Date.now();
		this.#metrics.participants.inc({ role: info.role });
		if (info.role !== 'supervisor') this.#broadcast('participant/joined', info, info.id);
		this.#logger.info({ participantId: info.id, role: info.role }, 'participant joined');
		this.log({ type: 'participant.joined', role: info.role, name: info.name });
		return { self: info, participants: visible, inputChannels: inputChannelsFor(canControl), resumed: false };
	}

	/**
	 * The same person is back within the grace period after their connection dropped: the
	 * same participant (id, name, cursor), on the new connection; the others are told it is
	 * connected again, not that someone joined.
	 */
	#resume(participant: Participant, request: JoinRequest): ReturnType<Session['join']> {
		clearTimeout(participant.dropped);
		participant.dropped = undefined;
		participant.notify = request.notify;
		participant.onReplaced = request.onReplaced;
		participant.permitted = request.canControl && INPUT_ROLES.includes(participant.role);
		participant.canControl = this.#effectiveControl(participant.role, participant.permitted);
		participant.lastSeen = Date.now();
		participant.pings = false;
		this.#lastActivity = Date.now();
		this.#connection(participant, true);
		this.#logger.info({ participantId: participant.id, role: participant.role }, 'participant resumed');
		const visible = this.participants.filter((p) => p.role !== 'supervisor' && p.id !== participant.id);
		const { id, name, role } = participant;
		return { self: { id, name, role }, participants: visible, inputChannels: inputChannelsFor(participant.canControl), resumed: true };
	}

	/**
	 * Gives or takes a participant's control of the browser (an admin changed the agent's
	 * permission). Taking it closes its input channels at once; either way it is told the
	 * channels it may use now.
	 */
	setControl(participantId: string, canControl: boolean): void {
		const participant = this.#participants.get(participantId);
		if (!participant) return;
		participant.permitted = canControl && INPUT_ROLES.includes(participant.role);
		this.#applyControl(participant);
	}

	/** Whether a participant of `role` with the permission `permitted` controls now (agents not while the customer paused them). */
	#effectiveControl(role: Role, permitted: boolean): boolean {
		return permitted && !(role === 'agent' && this.#control.paused);
	}

	/** Gives a participant the control it has now, telling it if that changed; taking it closes its input channels at once. */
	#applyControl(participant: Participant): void {
		const allowed = this.#effectiveControl(participant.role, participant.permitted);
		if (participant.canControl === allowed) return;
		participant.canControl = allowed;
		const participantId = participant.id;
		if (!allowed) {
			this.room.closeInputs(participantId);
			this.#browser?.releaseInput(participantId);
			this.#sendCursor({ type: 'cursor/hide', participantId });
		}
		participant.notify('participant/rights', { inputChannels: inputChannelsFor(allowed) });
		this.#logger.info({ participantId, canControl: allowed }, 'participant rights changed');
	}

	/** When the customer last declined an agent's request for control. */
	#declinedAt = 0;

	/** Who drives the page now (the customer's pause, an agent's request). */
	get control(): ControlState {
		return { ...this.#control };
	}

	/**
	 * Customers: pause the agent's control (agents only watch, and are told why) or give it
	 * back. Audited by the caller through the `control` event.
	 */
	pauseControl(participantId: string, paused: boolean): void {
		const participant = this.#participant(participantId);
		if (participant.role !== 'customer') throw new ForbiddenError('only the customer pauses the agent\'s control');
		if (this.#control.paused === paused && !this.#control.requested) return;
		this.#control = { paused, requested: false };
		// NOTE: told before the rights change, so the agent's page knows why it lost control.
		this.#broadcast('control/state', { ...this.#control, by: participant.name });
		for (const p of this.#participants.values()) this.#applyControl(p);
		this.emit('control', { actor: participant.actor, paused });
		this.#logger.info({ paused }, paused ? 'the customer paused the agent\'s control' : 'the customer gave control back');
	}

	/** Agents: ask the customer for control back (only while it is paused; once until answered). */
	requestControl(participantId: string): void {
		const participant = this.#participant(participantId);
		if (participant.role !== 'agent' || !participant.permitted) throw new ForbiddenError('only an agent who may control the page asks for control');
		if (!this.#control.paused) throw new ConflictError('you already have control');
		if (this.#control.requested) return;
		if (Date.now() - this.#declinedAt < ASK_AGAIN_MS) throw new AppError('rate_limited', 'the customer just declined: ask again in a little while', 429);
		this.#control = { paused: true, requested: true };
		this.#broadcast('control/state', { ...this.#control, by: participant.name });
	}

	/** Customers: answer the agent's request for control. */
	answerControl(participantId: string, accept: boolean): void {
		const participant = this.#participant(participantId);
		if (participant.role !== 'customer') throw new ForbiddenError('only the customer answers');
		if (!this.#control.requested) throw new ConflictError('nobody is asking for control');
		if (accept) return this.pauseControl(participantId, false);
		this.#declinedAt = Date.now();
		this.#control = { paused: true, requested: false };
		this.#broadcast('control/state', { ...this.#control, by: participant.name });
	}

	/** Whether a participant may draw: agents, and customers if the company allows it. */
	#mayAnnotate(participant: Participant): boolean {
		return participant.role === 'agent' || (participant.role === 'customer' && this.#binding?.customerAnnotations === true);
	}

	/** The drawings shown now, where the page is scrolled and its viewport (a recording's overlay starts from them). */
	get overlayState(): { annotations: StrokeSnapshot[]; scroll: PageScroll; viewport: { width: number; height: number } } {
		return { annotations: this.#annotations.snapshot(), scroll: { ...this.#scroll }, viewport: { ...this.#browserState.viewport } };
	}

	/** Join-time state of the shared view for a participant: whether it may draw, the strokes, the scroll. */
	annotationsFor(participantId: string): { mayAnnotate: boolean; annotations: StrokeSnapshot[]; scroll: PageScroll } {
		const participant = this.#participant(participantId);
		return { mayAnnotate: this.#mayAnnotate(participant), annotations: this.#annotations.snapshot(), scroll: { ...this.#scroll } };
	}

	/** Opens a participant's annotation channel (agents; customers if the company allows). */
	async openAnnotate(participantId: string, transportId: string, sctpStreamParameters: Record<string, unknown>): Promise<string> {
		if (!this.#mayAnnotate(this.#participant(participantId))) throw new ForbiddenError('you cannot draw in this session');
		return this.#still(participantId, await this.room.openAnnotate(participantId, transportId, sctpStreamParameters));
	}

	async consumeAnnotations(participantId: string, transportId: string): Promise<DataConsumerInfo> {
		this.#participant(participantId);
		return this.#still(participantId, await this.room.consumeAnnotations(participantId, transportId));
	}

	#onAnnotate(participantId: string, payload: Buffer): void {
		const participant = this.#participants.get(participantId);
		if (!participant || !this.#mayAnnotate(participant)) {
			this.#metrics.annotationsDropped.inc({ code: 'forbidden' });
			return;
		}
		let parsed: ReturnType<typeof AnnotateMessage.safeParse>;
		try {
			parsed = AnnotateMessage.safeParse(JSON.parse(payload.toString('utf8')));
		} catch {
			this.#metrics.annotationsDropped.inc({ code: 'invalid_json' });
			return;
		}
		if (!parsed.success) {
			this.#metrics.annotationsDropped.inc({ code: 'invalid_message' });
			return;
		}
		const result = this.#annotations.apply(participantId, parsed.data, participant.role === 'agent', participant.actor);
		if ('dropped' in result) {
			this.#metrics.annotationsDropped.inc({ code: result.dropped });
			return;
		}
		this.#lastActivity = Date.now();
		this.#metrics.annotationMessages.inc({ type: parsed.data.type });
		if (parsed.data.type === 'annotate/start' || parsed.data.type === 'annotate/pulse') {
			this.log({ type: 'annotation.drawn', role: participant.role, name: participant.name, tool: parsed.data.type === 'annotate/pulse' ? 'pulse' : parsed.data.tool });
		}
		for (const message of result.out) {
			this.room.broadcastAnnotation(JSON.stringify(message));
			if (this.#recording) this.emit('overlay', 'annotation', message);
		}
	}

	/** Refusals of agents' input so far (the supervisor's wall shows them). */
	get refusals(): number {
		return this.#refusals;
	}

	#refusals = 0;

	/** A small JPEG of what agents see (the masked rendition), or null before one exists. */
	async thumbnail(width?: number): Promise<Uint8Array | null> {
		if (!this.#browser || this.ended) return null;
		const jpeg = await this.#browser.thumbnail(width);
		// NOTE: thumbnails are made from frames as they pass; a page that does not change sends
		// none: have it paint one.
		if (!jpeg) this.refreshVideo();
		return jpeg;
	}

	/** The chat so far, as a participant is shown it. */
	chatFor(participantId: string): ChatMessage[] {
		const participant = this.#participant(participantId);
		return this.#chat.historyFor(participant, this.#rules ?? DEFAULT_RULES);
	}

	/** Every chat message and note of the session, as written (for its report). */
	get chatMessages(): readonly KeptMessage[] {
		return this.#chat.messages;
	}

	/**
	 * A chat message from an agent or the customer to everyone, or (`note`) a supervisor's
	 * note to the agent. Returns it as the author is shown it.
	 */
	sendChat(participantId: string, text: string, note = false): ChatMessage {
		const participant = this.#participant(participantId);
		if (note ? participant.role !== 'supervisor' : participant.role === 'supervisor') {
			throw new ForbiddenError(note ? 'only supervisors send notes to the agent' : 'supervisors read the chat but do not write in it');
		}
		if (this.#chat.full) throw new AppError('limit_reached', 'this session has had as many chat messages as it may', 429);
		if (!this.#chat.allow(participant.actor)) throw new AppError('rate_limited', 'too many messages: wait a moment', 429);
		const kept = this.#chat.add(participant, text, note);
		if (!kept) throw new AppError('bad_request', 'text: the message is empty', 400);
		const rules = this.#rules ?? DEFAULT_RULES;
		this.#lastActivity = Date.now();
		for (const p of this.#participants.values()) if (p.id !== participantId && readable(kept, p)) p.notify('chat/message', viewOf(kept, p.role, rules));
		this.#metrics.chatMessages.inc({ role: participant.role });
		// NOTE: kept for the report as its readers (supervisors) see it: what masking hides is never stored.
		this.emit('chat', { ...kept, text: viewOf(kept, 'supervisor', rules).text });
		return viewOf(kept, participant.role, rules);
	}

	/**
	 * A viewer needs a key frame now: have the cloud page paint one. NOTE: a browser still
	 * starting paints one anyway, once it publishes.
	 */
	refreshVideo(): void {
		this.#browser?.refreshFrame();
	}

	/** Whether a participant may drive the browser (input channels, navigation). */
	canControl(participantId: string): boolean {
		return this.#participants.get(participantId)?.canControl ?? false;
	}

	// Participants' requests. Each checks the participant's rights here, in the session host,
	// and that it is still in the session once the SFU or the browser has answered: a
	// participant removed meanwhile (replaced, revoked, left) keeps nothing it asked for.

	/** A WebRTC transport to receive, or to send input or strokes (only for participants who control or draw). */
	async createTransport(participantId: string, direction: TransportDirection, localAddress: string): Promise<TransportInfo> {
		const participant = this.#participant(participantId);
		if (direction === 'send' && !this.#mayAnnotate(participant)) this.#requireControl(participantId);
		return this.#still(participantId, await this.room.createTransport(participantId, direction, { localAddress }));
	}

	async connectTransport(participantId: string, transportId: string, dtlsParameters: Record<string, unknown>): Promise<void> {
		this.#participant(participantId);
		await this.room.connectTransport(participantId, transportId, dtlsParameters);
	}

	/**
	 * The video rendition the participant's role is entitled to, or the one it names if
	 * the role may see it. A non-customer naming `clear` is refused and counted.
	 */
	async consumeVideo(participantId: string, transportId: string, rtpCapabilities: Record<string, unknown>, requested?: Rendition): Promise<ConsumeInfo> {
		const participant = this.#participant(participantId);
		const previewer = this.#binding?.preview === true && participant.role === 'agent' && participant.actor === `user:${this.#binding.agentUserId}`;
		if (requested && !mayConsume(participant.role, requested) && !previewer) {
			this.#metrics.renditionRefusals.inc({ role: participant.role });
			this.#logger.warn({ participantId, role: participant.role, rendition: requested }, 'rendition refused');
			throw new ForbiddenError(`a ${participant.role} may not watch the ${requested} video`);
		}
		const rendition = requested ?? renditionFor(participant.role);
		return this.#still(participantId, await this.room.consume(participantId, transportId, rendition, rtpCapabilities));
	}

	async resumeVideo(participantId: string, consumerId: string): Promise<void> {
		this.#participant(participantId);
		await this.room.resumeConsumer(participantId, consumerId);
		this.refreshVideo();
	}

	async requestKeyFrame(participantId: string, consumerId: string): Promise<void> {
		this.#participant(participantId);
		await this.room.requestKeyFrame(participantId, consumerId);
		this.refreshVideo();
	}

	/** One of the participant's input channels; only for participants who control. */
	async openInput(participantId: string, transportId: string, label: InputChannel, sctpStreamParameters: Record<string, unknown>): Promise<string> {
		this.#requireControl(participantId);
		const id = await this.room.openInput(participantId, transportId, label, sctpStreamParameters);
		// NOTE: control may have been taken while the channel was created.
		if (!this.canControl(participantId)) {
			this.room.closeInputs(participantId);
			this.#requireControl(participantId);
		}
		return id;
	}

	async consumeCursors(participantId: string, transportId: string): Promise<DataConsumerInfo> {
		this.#participant(participantId);
		return this.#still(participantId, await this.room.consumeCursors(participantId, transportId));
	}

	/**
	 * Opens a URL in the captured tab; the caller has validated it. A failure is answered with
	 * a message safe to show (never Chromium's own text: it would tell an open internal port
	 * from a closed one); its network error goes to the log.
	 */
	async navigate(participantId: string, url: string): Promise<void> {
		this.#requireControl(participantId);
		await this.ready;
		this.#requireControl(participantId);
		const problem = this.browser.urlProblem(url);
		if (problem) {
			this.#metrics.navigationRefusals.inc({ source: 'address_bar' });
			throw new AppError('navigation_refused', `could not open ${url}: ${problem}`, 400);
		}
		try {
			await this.browser.navigate(url);
		} catch (error) {
			if (error instanceof AppError) throw error;
			const failure = error instanceof NavigationError ? error : navigationError(error, false);
			this.#logger.info({ reason: failure.reason, netError: failure.netError }, 'navigation failed');
			if (failure.reason === 'refused') this.#metrics.navigationRefusals.inc({ source: 'address_bar' });
			throw new AppError(failure.reason === 'refused' ? 'navigation_refused' : 'navigation_failed', `could not open ${url}: ${failure.message}`, 400);
		}
	}

	/**
	 * A customer's device (the stage's size, pixel ratio, touch): the page takes its shape,
	 * unless an agent chose another. Reports come often (a phone rotating, a window being
	 * resized): the latest is applied once they settle.
	 */
	setDevice(participantId: string, device: Device): void {
		if (this.#participant(participantId).role !== 'customer') throw new ForbiddenError('only the customer reports their device');
		this.#customerDevice = device;
		this.#reshapeSoon();
	}

	/** An agent's choice of the page's shape (`customer`: follow the customer's device). */
	setShape(participantId: string, name: ShapeName): void {
		const participant = this.#participant(participantId);
		if (participant.role !== 'agent') throw new ForbiddenError('only the agent chooses the shape of the page');
		this.#requireControl(participantId);
		this.#shapeChoice = name;
		this.#logger.info({ shape: name }, 'the agent chose the page shape');
		this.#reshapeSoon();
	}

	#shapeChoice: ShapeName = 'customer';
	#customerDevice: Device | undefined;
	#reshapeTimer: NodeJS.Timeout | undefined;

	#reshapeSoon(): void {
		clearTimeout(this.#reshapeTimer);
		if (!this.#reshapePending) {
			let resolve!: () => void;
			const promise = new Promise<void>((r) => (resolve = r));
			this.#reshapePending = { promise, resolve };
		}
		this.#reshapeTimer = setTimeout(() => this.#reshape(), RESHAPE_SETTLE_MS);
		this.#reshapeTimer.unref();
	}

	/** A shape asked for and not yet given to the browser (it settles when it is). */
	#reshapePending: { promise: Promise<void>; resolve: () => void } | undefined;

	/** Gives the page the shape chosen (once the browser is there). */
	#reshape(): void {
		const pending = this.#reshapePending;
		this.#reshapePending = undefined;
		const browser = this.#browser;
		if (!browser || this.ended) return pending?.resolve();
		void browser.setShape(browser.shapeOf(this.#shapeChoice, this.#customerDevice)).finally(() => pending?.resolve());
	}

	/** Settles once the page has the shape last asked for (a report or choice still settling included). */
	async shapeSettled(): Promise<void> {
		await this.ready;
		while (this.#reshapePending) await this.#reshapePending.promise;
		await this.#browser?.shaped;
	}

	/** The page's open dialog as a participant is shown it, or null. */
	dialogFor(participantId: string): DialogView | null {
		const dialog = this.#browser?.dialog;
		const participant = this.#participants.get(participantId);
		return dialog && participant ? this.#dialogView(dialog, participant) : null;
	}

	#dialogView(dialog: PageDialog, participant: Participant): DialogView {
		return dialogView(dialog, participant.role, participant.canControl, this.#rules ?? DEFAULT_RULES);
	}

	/** The open file request and the customer's token for it. */
	#upload: { id: number; token: string } | undefined;
	/** Files the pages downloaded, by the customer's token; kept until the session ends. */
	readonly #downloads = new Map<string, { name: string; type: string; bytes: Uint8Array }>();

	/** The page's open file request as a participant is shown it (the token for the customer only), or null. */
	fileRequestFor(participantOrId: string | Participant): FileRequest | null {
		const participant = typeof participantOrId === 'string' ? this.#participants.get(participantOrId) : participantOrId;
		const open = this.#browser?.fileChooser;
		const upload = this.#upload;
		if (!participant || !open || upload?.id !== open.id) return null;
		const { multiple, accept } = open;
		return { id: open.id, multiple, accept, maxBytes: this.#files.uploadMaxBytes, ...(participant.role === 'customer' ? { token: upload.token } : {}) };
	}

	/** Whether `token` is the token of this session's open file request. */
	hasUpload(token: string): boolean {
		const upload = this.#upload;
		return upload !== undefined && safeEqual(upload.token, token);
	}

	/**
	 * The customer's file for the page's open file request (the upload route found this
	 * session by its token). Refused when the request closed meanwhile, or the file is too
	 * large or of a kind the service or the field does not take; nothing reaches the page then.
	 */
	async upload(token: string, file: { name: string; type: string; bytes: Uint8Array }): Promise<void> {
		const upload = this.#upload;
		const open = this.#browser?.fileChooser;
		if (!upload || !safeEqual(upload.token, token) || !open || open.id !== upload.id) throw new NotFoundError('file request');
		if (file.bytes.byteLength > this.#files.uploadMaxBytes) throw new AppError('bad_request', `the file is too large (at most ${formatBytes(this.#files.uploadMaxBytes)})`, 413);
		const name = safeFileName(file.name);
		if (!uploadAllowed(name, file.type, this.#files.uploadTypes, open.accept)) throw new AppError('bad_request', 'this kind of file cannot be sent to the page', 415);
		this.#upload = undefined;
		if (!(await this.browser.setFiles(upload.id, [{ name, type: file.type, bytes: file.bytes }]))) throw new ConflictError('the page no longer asks for a file');
		this.#logger.info({ bytes: file.bytes.byteLength }, 'the customer sent a file to the page');
	}

	/**
	 * What is selected in the page, for a participant's clipboard: the customer any of it,
	 * an agent only what touches nothing masked; supervisors never (they only watch).
	 */
	async copySelection(participantId: string): Promise<string> {
		const participant = this.#participant(participantId);
		if (participant.role === 'supervisor') throw new ForbiddenError('supervisors only watch');
		await this.ready;
		const text = await this.browser.selectionText(participant.role !== 'customer');
		if (text === undefined) throw new ForbiddenError(participant.role === 'customer' ? 'the selection could not be copied' : 'the selection holds something hidden from you');
		return text;
	}

	/** Customers: closes the open file request `id` without a file. */
	async cancelUpload(participantId: string, id: number): Promise<void> {
		const participant = this.#participant(participantId);
		if (participant.role !== 'customer') throw new ForbiddenError('only the customer chooses files');
		await this.ready;
		if (this.#upload?.id !== id) throw new ConflictError('the page no longer asks for a file');
		this.#upload = undefined;
		await this.browser.setFiles(id, []);
	}

	/** A file the pages downloaded, by the customer's token (see `file/offered`). */
	download(token: string): { name: string; type: string; bytes: Uint8Array } | undefined {
		for (const [key, file] of this.#downloads) if (safeEqual(key, token)) return file;
		return undefined;
	}

	/** The service's file limits (see publisher/config.ts). */
	readonly #files: PublisherConfig['files'];

	/** The page's open picker as a participant is shown it, or null. */
	pickerFor(participantId: string): PickerView | null {
		const picker = this.#browser?.picker;
		const participant = this.#participants.get(participantId);
		return picker && participant ? this.#pickerView(picker, participant) : null;
	}

	#pickerView(picker: PagePicker, participant: Participant): PickerView {
		return pickerView(picker, participant.role, participant.canControl, this.#rules ?? DEFAULT_RULES);
	}

	/** Who chose in the open picker (told to everyone when it closes). */
	#pickedBy: string | undefined;

	/**
	 * A participant chooses in the page's picker `id` (null: closes it without a choice).
	 * Refused if it is no longer open, if the participant may not choose there (see
	 * publisher/pickers.ts), or if the value is not one the field takes.
	 */
	async answerPicker(participantId: string, id: number, value: string | null): Promise<void> {
		const participant = this.#participant(participantId);
		await this.ready;
		const picker = this.browser.picker;
		if (!picker || picker.id !== id) throw new ConflictError('that choice is no longer open');
		if (this.#pickerView(picker, participant).answer !== 'any') throw new ForbiddenError(picker.masked || picker.locked ? 'only the customer can choose here' : "you cannot choose in the page's fields");
		this.#pickedBy = participant.name;
		if (!(await this.browser.answerPicker(id, value))) throw new ConflictError('that choice is no longer open, or the field does not take it');
		this.#logger.info({ role: participant.role, picker: picker.kind, chosen: value !== null }, 'picker answered');
	}

	/** Who answered the open dialog (told to everyone when it closes). */
	#answeredBy: string | undefined;

	/**
	 * A participant answers the page's dialog `id`. Refused if it is no longer open, or if
	 * the participant may not answer so (see publisher/dialogs.ts).
	 */
	async answerDialog(participantId: string, id: number, accept: boolean, text?: string): Promise<void> {
		const participant = this.#participant(participantId);
		await this.ready;
		const dialog = this.browser.dialog;
		if (!dialog || dialog.id !== id) throw new ConflictError('that dialog is no longer open');
		const view = this.#dialogView(dialog, participant);
		if (!mayAnswer(view, accept)) throw new ForbiddenError(view.answer === 'dismiss' ? 'only the customer can accept this' : "you cannot answer the page's dialogs");
		this.#answeredBy = participant.name;
		if (!(await this.browser.answerDialog(id, accept, text))) throw new ConflictError('that dialog is no longer open');
		this.#logger.info({ role: participant.role, dialog: dialog.type, accepted: accept }, 'dialog answered');
	}

	async history(participantId: string, action: 'back' | 'forward' | 'reload'): Promise<void> {
		this.#requireControl(participantId);
		await this.ready;
		this.#requireControl(participantId);
		await this.browser.history(action);
	}

	/**
	 * Opens a new tab, captures another, or closes one (the person must be able to drive
	 * the browser). A tab the page opens itself needs no one's request.
	 */
	async tab(participantId: string, request: { action: 'new' } | { action: 'switch' | 'close'; id: string }): Promise<void> {
		this.#requireControl(participantId);
		await this.ready;
		this.#requireControl(participantId);
		if (request.action === 'new') {
			await this.browser.newTab().catch((error: Error) => {
				if (error instanceof TabLimitError) throw new ConflictError(error.message);
				this.#logger.warn({ err: error.message }, 'new tab failed');
				throw new AppError('internal', 'the new tab did not open', 500);
			});
			return;
		}
		const done = request.action === 'switch' ? await this.browser.switchTab(request.id) : await this.browser.closeTab(request.id);
		if (!done) throw new NotFoundError(`tab ${request.id}`);
	}

	#participant(participantId: string): Participant {
		const participant = this.#participants.get(participantId);
		if (!participant) throw new ForbiddenError('you are no longer in this session');
		return participant;
	}

	#requireControl(participantId: string): void {
		if (!this.#participant(participantId).canControl) throw new ForbiddenError('you cannot control the browser in this session');
	}

	/** Passes `value` through if the participant is still here; otherwise drops what it holds on the SFU and refuses. */
	#still<T>(participantId: string, value: T): T {
		if (this.#participants.has(participantId)) return value;
		this.room.removeParticipant(participantId);
		throw new ForbiddenError('you are no longer in this session');
	}

	/** Removes a participant and everything it had open on the SFU. Safe to call twice. */
	leave(participantId: string): void {
		const participant = this.#participants.get(participantId);
		if (!participant) return;
		clearTimeout(participant.dropped);
		this.#participants.delete(participantId);
		this.#metrics.participants.dec({ role: participant.role });
		this.room.removeParticipant(participantId);
		this.#browser?.releaseInput(participantId);
		if (participant.role !== 'supervisor') {
			this.#sendCursor({ type: 'cursor/hide', participantId });
			this.#broadcast('participant/left', { id: participantId });
		}
		this.#logger.info({ participantId, role: participant.role }, 'participant left');
		if (!this.ended) this.log({ type: 'participant.left', role: participant.role, name: participant.name });
	}

	/** Ends the session: participants are told why, the browser and room close. Safe to call twice. */
	end(reason: SessionEndReason): Promise<void> {
		// NOTE: the first reason wins. Ending closes the room, whose close handler calls end()
		// again synchronously, before #ending is assigned: the reason is set first for that.
		// A later caller (server shutdown while the agent's End is in flight) waits for the
		// same ending, so nothing closes underneath it.
		if (this.#endReason) return this.#ending ?? Promise.resolve();
		this.#endReason = reason;
		this.#ending = this.#end(reason);
		return this.#ending;
	}

	async #end(reason: SessionEndReason): Promise<void> {
		this.#logger.info({ reason, durationMs: Date.now() - this.startedAt }, 'session ended');
		// NOTE: customers who were not told sessions may be supervised are not told one ended it.
		const silent = reason === 'supervisor_ended' && !this.#binding?.announceSupervision;
		for (const p of this.#participants.values()) p.notify('session/ended', { reason: silent && p.role === 'customer' ? 'agent_ended' : reason });
		clearTimeout(this.#reshapeTimer);
		clearTimeout(this.#localeTimer);
		clearInterval(this.#silenceTimer);
		this.#reshapePending?.resolve();
		this.#reshapePending = undefined;
		// NOTE: a recording's last frames come through the room: finished before it closes.
		let timer: NodeJS.Timeout | undefined;
		await Promise.race([
			Promise.allSettled(this.#beforeClose.map((work) => work())),
			new Promise((resolve) => (timer = setTimeout(resolve, 5000))),
		]);
		clearTimeout(timer);
		this.log({ type: 'session.ended', reason });
		for (const id of [...this.#participants.keys()]) this.leave(id);
		this.room.close();
		// NOTE: a browser still starting is stopped, and waited for, so that an ended session
		// leaves no Chromium and no profile behind.
		this.#startAbort.abort(new NotReadyError('the session ended while its browser started'));
		await this.ready.catch(() => undefined);
		await this.#browser?.close();
		this.emit('ended', reason);
	}

	#broadcast<T extends NotificationType>(type: T, data: Notifications[T], exceptId?: string): void {
		for (const p of this.#participants.values()) if (p.id !== exceptId) p.notify(type, data);
	}

	#sendCursor(message: CursorMessage): void {
		this.room.broadcastCursor(JSON.stringify(message));
		if (!this.#recording) return;
		const participant = this.#participants.get(message.participantId);
		this.emit('overlay', 'cursor', message, participant ? { name: participant.name, role: participant.role } : undefined);
	}

	#onInput(participantId: string, channel: InputChannel, payload: Buffer): void {
		const participant = this.#participants.get(participantId);
		// NOTE: the room only accepts input channels from joined participants of input roles,
		// so these are defensive: a race with leave(), or a future bug.
		if (!participant?.canControl) {
			this.#metrics.inputDropped.inc({ code: 'forbidden' });
			return;
		}
		this.#lastActivity = Date.now();
		let raw: unknown;
		try {
			raw = JSON.parse(payload.toString('utf8'));
		} catch {
			this.#metrics.inputDropped.inc({ code: 'invalid_json' });
			return;
		}
		const parsed = InputMessage.safeParse(raw);
		if (!parsed.success) {
			this.#metrics.inputDropped.inc({ code: 'invalid_message' });
			return;
		}
		const message = parsed.data;
		if (CHANNEL_OF[message.type] !== channel) {
			this.#metrics.inputDropped.inc({ code: 'wrong_channel' });
			return;
		}
		if (!this.#browser) {
			this.#metrics.inputDropped.inc({ code: 'not_ready' });
			return;
		}
		// NOTE: anyone but the customer is checked by the gateway as an agent.
		this.#browser.inject(participantId, message, participant.role === 'customer' ? 'customer' : 'agent');
		this.#metrics.inputEvents.inc({ type: message.type, role: participant.role });
		this.#updateCursor(participantId, message);
	}

	/** When each agent's customer was last told of a refusal (they are told at most every few seconds). */
	readonly #toldCustomer = new Map<string, number>();

	/**
	 * An agent's input was refused: the agent is told why, next to where it tried; the
	 * customer is told that the agent tried (at most every {@link TELL_CUSTOMER_MS}); it is
	 * counted and kept for the report.
	 */
	#onRefused(refusal: Refusal): void {
		this.#metrics.inputRefusals.inc({ reason: refusal.reason, kind: refusal.kind });
		this.#refusals++;
		const agent = this.#participants.get(refusal.participantId);
		if (!agent) return;
		agent.notify('input/refused', { reason: refusal.reason, kind: refusal.kind, ...(refusal.x !== undefined && refusal.y !== undefined ? { x: refusal.x, y: refusal.y } : {}) });
		const now = Date.now();
		if (now - (this.#toldCustomer.get(agent.id) ?? 0) >= TELL_CUSTOMER_MS) {
			this.#toldCustomer.set(agent.id, now);
			for (const p of this.#participants.values()) if (p.role === 'customer') p.notify('input/agent-tried', { name: agent.name, reason: refusal.reason });
		}
		this.emit('refused', { actor: agent.actor, reason: refusal.reason, kind: refusal.kind });
	}

	#updateCursor(participantId: string, message: InputMessage): void {
		switch (message.type) {
			case 'pointer/move':
			case 'pointer/down':
			case 'pointer/up':
			case 'pointer/wheel':
				this.#sendCursor({ type: 'cursor/move', participantId, x: message.x, y: message.y });
				break;
			case 'pointer/leave':
				this.#sendCursor({ type: 'cursor/hide', participantId });
				break;
			case 'touch/start':
			case 'touch/move': {
				const first = message.touches[0];
				if (first) this.#sendCursor({ type: 'cursor/move', participantId, x: first.x, y: first.y });
				break;
			}
			default:
				break;
		}
	}
}

/** The participant id under which the cloud browser's own transport lives in the room. */
export const PUBLISHER_ID = 'publisher';

/** Compares two tokens in constant time. */
function safeEqual(a: string, b: string): boolean {
	const [x, y] = [Buffer.from(a), Buffer.from(b)];
	return x.length === y.length && timingSafeEqual(x, y);
}

/** A size in bytes as people read it (10 MB). */
function formatBytes(bytes: number): string {
	return bytes >= 1024 * 1024 ? `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB` : `${Math.ceil(bytes / 1024)} KB`;
}
