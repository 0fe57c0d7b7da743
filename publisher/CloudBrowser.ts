/**
 * A session's cloud browser: a headless Chromium running as the browser user with its
 * sandbox on, in the session's own directory, reaching the network only through the
 * session's egress proxy. It has tabs (Tab.ts); the active one is captured as a live track
 * and published into the session's router, and viewers' input is injected into it with
 * CDP. Switching tabs moves the capture on the same producers: viewers renegotiate nothing.
 */
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { Browser, CDPSession, Page, Protocol } from 'puppeteer-core';
import { getExtensionPage } from 'puppeteer-stream';
import type { CaptureOptions, CaptureStats, MaskStats } from '../protocol/bridge.js';
import { DEFAULT_RULES, type DetectorReport, type MaskRules } from '../protocol/masking.js';
import { type Device, MAX_SIDE, needsReload, type Shape, type ShapeName, shapeFor } from '../protocol/shape.js';
import type { BrowserState, InputMessage, Rendition, TransportInfo } from '../protocol/wire.js';
import type { BrowserHost } from './BrowserHost.js';
import { chromiumFlags, launchChromium, recorderPort, type SessionDir, stopChromium } from './chromium.js';
import type { PublisherConfig } from './config.js';
import { EgressProxy } from './egress/EgressProxy.js';
import type { EgressRefusal } from './egress/EgressProxyTypes.js';
import { ownAddresses } from './egress/policy.js';
import type { PageDialog } from './dialogs.js';
import type { PagePicker } from './pickers.js';
import type { InputGateway, Refusal, Sender } from './InputGateway.js';
import { ANY_SITE, type UrlPolicy, urlProblem } from './urlPolicy.js';
import { internalPages } from './internalPages.js';
import { PublisherBridge } from './PublisherBridge.js';
import { safeFileName } from './files.js';
import { Tab, type TabContext, type UploadFile } from './Tab.js';

/** What the publisher needs from the session's router; implemented by the signaling layer over sfu/. */
export interface PublishTarget {
	routerRtpCapabilities: Record<string, unknown>;
	/** `ownPort`: on a UDP port of its own, not the SFU worker's shared one. */
	createTransport(options?: { ownPort?: boolean }): Promise<TransportInfo>;
	connectTransport(transportId: string, dtlsParameters: Record<string, unknown>): Promise<void>;
	produce(transportId: string, rendition: Rendition, rtpParameters: Record<string, unknown>): Promise<string>;
}

export interface CloudBrowserEvents {
	/** URL, title or loading state changed. */
	state: [BrowserState];
	/** Chromium exited without being asked to. */
	crash: [];
	/** The page opened a dialog (alert, confirm, prompt, leave page?); it is frozen until answered. */
	dialog: [PageDialog];
	/** The open dialog closed: answered, or closed by the page. */
	dialogclosed: [{ id: number; accepted: boolean }];
	/** An input event could not be injected (CDP error); counted by the caller. */
	inputerror: [Error];
	/**
	 * The regions hidden from the masked rendition changed (for the customer's outlines):
	 * boxes in CSS pixels of `viewport`. At most every {@link REGIONS_INTERVAL_MS}.
	 */
	regions: [{ boxes: Array<readonly [number, number, number, number]>; viewport: { width: number; height: number } }];
	/** The detector sent a report that does not parse (counted; the frame it names stays covered). */
	badreport: [];
	/** A detector scan failed (the page is covered until one succeeds); counted. */
	scanfailure: [];
	/** What the masked rendition's compositor did since the last event (for metrics); every {@link MASK_STATS_INTERVAL_MS}. */
	maskstats: [MaskStats];
	/**
	 * An agent's input was refused: by the gateway's check before it was sent, or by the
	 * guard in the page (for the agent whose input it was armed for).
	 */
	refused: [Refusal];
	/** An agent's input was dropped (counted by the caller): it sent more checked input than the gateway takes. */
	inputdropped: [code: string];
	/** Where the locked controls are, in CSS pixels of `viewport` (a rules preview only, see showLocks). */
	lockregions: [{ boxes: Array<readonly [number, number, number, number]>; viewport: { width: number; height: number } }];
	/** The captured tab was about to open a browser-drawn picker (a select's list, a date or colour picker): see pickers.ts. */
	picker: [PagePicker];
	/** The open picker closed: something was chosen, or not (answered without a choice, or the page moved on). */
	pickerclosed: [{ id: number; chosen: boolean }];
	/** The focus in the captured tab moved into or out of a field one types into (the customer's phone opens or closes its keyboard). */
	pagefocus: [{ editable: boolean; inputMode: string }];
	/** The shown tab's page scrolled or zoomed, or another tab is shown: where it is scrolled now. */
	pagescroll: [{ tab: string; x: number; y: number; scale: number }];
	/** The captured tab asks for a file (its upload field was activated): see setFiles. */
	filechooser: [{ id: number; multiple: boolean; accept: string }];
	/** The file request closed: files were put in, or not (cancelled, or the page moved on). */
	filechooserclosed: [{ id: number; filled: boolean }];
	/** A page downloaded a file (fetched by the page, never saved where the browser could reach it). */
	download: [{ name: string; type: string; bytes: Uint8Array }];
	/** A download could not be offered: too large, too many, or the page could not fetch it again. */
	downloadfailed: [{ name: string; reason: 'too_large' | 'too_many' | 'failed' }];
	/** The tab was kept from opening a page the URL policy does not allow (a link, a redirect, a script). */
	navigationrefused: [{ url: string; problem: string }];
}

/** How often the compositor's counts are collected. */
export const MASK_STATS_INTERVAL_MS = 2000;

/** Running totals of the compositor's counts (see {@link CloudBrowser.maskTotals}). */
export interface MaskTotals {
	frames: number;
	covered: Record<string, number>;
	staleRuleFrames: number;
	auditLeaks: number;
	auditNotes: string[];
}

/** How often the customer's outlines may be updated. */
export const REGIONS_INTERVAL_MS = 100;

export interface CloudBrowserOptions {
	sessionId: string;
	config: PublisherConfig;
	target: PublishTarget;
	startUrl: string;
	logger: Logger;
	/**
	 * Aborts the start (the session ended first): Chromium is stopped and its profile
	 * deleted, and `create()` rejects with the signal's reason. Default: never aborted.
	 */
	signal?: AbortSignal;
	/**
	 * The masking rules the detector starts with; null: none yet (a warm browser not bound to
	 * a company: the masked rendition is covered whole until {@link CloudBrowser.setRules}).
	 * Default: the built-in ones.
	 */
	rules?: MaskRules | null;
	/** Where the tab may go (see urlPolicy.ts). Default: any site (a warm browser, until bound). */
	urlPolicy?: UrlPolicy;
}

/** How many send transports a start tries before it fails (see create). */
const PUBLISH_ATTEMPTS = 3;

/** How many recent egress refusals a cloud browser remembers to explain its navigation errors. */
const RECENT_REFUSALS = 16;

export class CloudBrowser extends EventEmitter<CloudBrowserEvents> {
	readonly #browser: Browser;
	/** A browser-wide CDP session: it attaches to every new tab before its page runs. */
	readonly #browserCdp: CDPSession;
	readonly #bridge: PublisherBridge;
	readonly #host: BrowserHost;
	readonly #dir: SessionDir;
	readonly #proxy: EgressProxy;
	readonly #refusals: RefusalLog;
	readonly #logger: Logger;
	readonly #context: TabContext;
	/** The page's viewport, CSS px: the gateways and the input read this object, kept as the shape changes. */
	readonly #viewport: { width: number; height: number };
	/** The shape the pages have (see protocol/shape.ts), and the browser's version and language it names. */
	#shape: Shape;
	readonly #version: string;
	/** The desktop shape's viewport (the configured one). */
	readonly #desktop: { width: number; height: number };
	readonly #startUrl: string;
	readonly #downloadMaxBytes: number;
	/** Shape changes, one after the other. */
	#shaping: Promise<void> = Promise.resolve();
	#closing: Promise<void> | undefined;
	/** The tabs, in the order they opened; the captured one; the order they were last captured in. */
	readonly #tabs: Tab[] = [];
	#active: Tab;
	#recent: Tab[] = [];
	/** Tab switches, one after the other. */
	#switching: Promise<void> = Promise.resolve();
	/** The rules the detectors have (new tabs get them). */
	#rules: MaskRules | null;
	#showLocks = false;
	readonly #gate: { policy: UrlPolicy };
	/** Tabs created by {@link newTab}, by target id, until they are ready. */
	readonly #waiting = new Map<string, (tab: Tab | undefined) => void>();

	/**
	 * Starts the session's egress proxy and its Chromium (as the browser user, in a new
	 * session directory), opens `startUrl`, and starts publishing its tab.
	 */
	static async create(options: CloudBrowserOptions): Promise<CloudBrowser> {
		const { config, logger, signal } = options;
		const host = config.host;
		if (!host) throw new Error('the publisher config has no browser host (BrowserHost.create prepares it at the service start)');
		signal?.throwIfAborted();
		const refusals = new RefusalLog();
		let dir: SessionDir | undefined;
		let proxy: EgressProxy | undefined;
		let browser: Browser | undefined;
		// NOTE: an abort kills Chromium at once; whatever step is waiting on it then fails,
		// and the catch below cleans up.
		const onAbort = () => void (browser && stopChromium(browser));
		signal?.addEventListener('abort', onAbort, { once: true });
		const step = <T>(value: T): T => {
			signal?.throwIfAborted();
			return value;
		};
		const t0 = performance.now();
		const mark = (phase: string) => logger.debug({ phase, ms: Math.round(performance.now() - t0) }, 'cloud browser start');
		try {
			// NOTE: allSettled, so that whichever of the two succeeded is cleaned up if the other failed.
			const [madeDir, madeProxy] = await Promise.allSettled([
				host.createSessionDir(options.sessionId),
				recorderPort.then((port) =>
					EgressProxy.create({
						policy: {
							allow: config.egressAllow,
							ownAddresses: ownAddresses(),
							// NOTE: puppeteer-stream's extension page still dials its (closed) recorder port.
							protectedPorts: [...config.protectedPorts, ...(port ? [port] : [])],
						},
						internalPages: internalPages(),
						onRefusal: (refusal) => {
							refusals.add(refusal);
							host.onEgressRefusal?.(refusal);
						},
						logger: logger.child({ component: 'egress' }),
					}),
				),
			]);
			if (madeDir.status === 'fulfilled') dir = madeDir.value;
			if (madeProxy.status === 'fulfilled') proxy = madeProxy.value;
			if (madeDir.status === 'rejected') throw madeDir.reason;
			if (madeProxy.status === 'rejected') throw madeProxy.reason;
			const [sessionDir, egress] = [madeDir.value, madeProxy.value];
			step(undefined);
			browser = await launchChromium({
				binary: host.binary,
				user: host.user,
				dir: sessionDir,
				flags: chromiumFlags({ viewport: config.viewport, lang: config.lang, proxyPort: egress.port }),
				lang: config.lang,
				logger,
			});
			step(undefined);
			mark('launched');
			// NOTE: the extension page (capture script, mediasoup device), the SFU transport and
			// the tab are set up side by side; none depends on another.
			const target = options.target;
			const prepared = Promise.all([
				getExtensionPage(browser).then((extension) =>
					PublisherBridge.load(extension, target.routerRtpCapabilities, {
						connect: async ({ transportId, dtlsParameters }) => {
							await target.connectTransport(transportId, dtlsParameters);
							return null;
						},
						produce: ({ transportId, rendition, rtpParameters }) => target.produce(transportId, rendition, rtpParameters),
					}),
				),
				target.createTransport(),
			]);
			prepared.catch(() => undefined);
			const page = step(await firstContentPage(browser));
			const cdp = await page.createCDPSession();
			const masked = (config.renditions ?? ['clear', 'masked']).includes('masked');
			const rules = options.rules === undefined ? DEFAULT_RULES : options.rules;
			const [viewport, fullVersion, browserCdp] = await Promise.all([fitViewport(cdp, page, config.viewport), browser.version(), browser.target().createCDPSession()]);
			// NOTE: the desktop shape from the start: a normal Chrome's user agent, not "HeadlessChrome".
			const version = fullVersion.split('/')[1] ?? '0.0.0.0';
			const desktop = shapeFor('desktop', undefined, viewport);
			// The tabs' shared context starts before the CloudBrowser exists: it reads this holder.
			const holder: { cloud: CloudBrowser | undefined; seq: number; gate: { policy: UrlPolicy } } = { cloud: undefined, seq: 0, gate: { policy: options.urlPolicy ?? ANY_SITE } };
			const context: TabContext = {
				masked,
				policy: () => holder.gate.policy,
				version,
				lang: config.lang,
				viewport,
				refusedRecently: (url) => refusals.refusedSince(Math.max(0, refusals.count - RECENT_REFUSALS), url),
				mask: (tab, message) => {
					const cloud = holder.cloud;
					if (cloud && tab === cloud.#active) cloud.#bridge.mask(message);
				},
				nextSeq: () => ++holder.seq,
				logger,
			};
			const first = new Tab(page, await Tab.prepare(cdp, context, rules, desktop), context);
			// The captured tab must be the front one: hidden tabs stop painting until captured.
			await page.bringToFront();
			mark('tab');
			const [bridge, transport] = step(await prepared);
			mark('extension');
			const cloud = new CloudBrowser({ browser, browserCdp, first, bridge, host, dir: sessionDir, proxy: egress, refusals, context, gate: holder.gate, rules, shape: desktop, startUrl: options.startUrl, downloadMaxBytes: config.files?.downloadMaxBytes ?? 20 * 1024 * 1024, logger });
			holder.cloud = cloud;
			if (first.detector) bridge.mask({ kind: 'rules', generation: first.detector.generation || null });
			const captureOptions = cloud.#captureOptions(options.target, transport, config);
			await cloud.#capture(captureOptions);
			mark('capturing');
			// NOTE: the start page loads while publishing starts, and the browser is ready
			// without waiting for it: the capture follows the tab across navigations. (Loading
			// it before, beside the extension's set-up, made starts slower on two cores.)
			first.openFirst(options.startUrl, config.lang);
			// NOTE: seen rarely under load on two cores (about once in a few hundred starts):
			// the send transport never connects; once, twice in a row, on the first start of a
			// test run. Again on a fresh transport, up to PUBLISH_ATTEMPTS times in all.
			for (let attempt = 1, options_ = captureOptions; ; attempt++) {
				try {
					await cloud.#publish(options_);
					break;
				} catch (error) {
					if (attempt >= PUBLISH_ATTEMPTS || !/send transport (did not connect|failed)/.test(String((error as Error)?.message))) throw error;
					step(undefined);
					// NOTE: seen in CI: the shared port never answered the browser's checks (161 sent,
					// none answered, three fresh transports in a row). The last try has a port of its own.
					const ownPort = attempt + 1 >= PUBLISH_ATTEMPTS;
					logger.warn({ err: (error as Error).message, attempt, ownPort }, 'publishing again on a fresh transport');
					options_ = cloud.#captureOptions(options.target, await options.target.createTransport({ ownPort }), config);
				}
			}
			step(undefined);
			// NOTE: from now on, a tab the page opens is paused until it is prepared like this one.
			await cloud.#watchNewTabs();
			await cloud.#watchDownloads(sessionDir.tmp);
			mark('publishing');
			return cloud;
		} catch (error) {
			if (browser) await stopChromium(browser);
			await proxy?.close();
			if (dir) await host.removeSessionDir(dir);
			// NOTE: after an abort, whatever failed did so because Chromium was killed.
			throw signal?.aborted ? signal.reason : error;
		} finally {
			signal?.removeEventListener('abort', onAbort);
		}
	}

	private constructor(parts: {
		browser: Browser;
		browserCdp: CDPSession;
		first: Tab;
		bridge: PublisherBridge;
		host: BrowserHost;
		dir: SessionDir;
		proxy: EgressProxy;
		refusals: RefusalLog;
		context: TabContext;
		gate: { policy: UrlPolicy };
		rules: MaskRules | null;
		shape: Shape;
		startUrl: string;
		downloadMaxBytes: number;
		logger: Logger;
	}) {
		super();
		const { browser } = parts;
		this.#browser = browser;
		this.#browserCdp = parts.browserCdp;
		this.#bridge = parts.bridge;
		this.#bridge.onFailure((error) => {
			if (!this.#closing) this.#logger.warn({ err: error.message }, 'mask message not delivered');
		});
		this.#maskStatsTimer = setInterval(() => void this.#collectMaskStats(), MASK_STATS_INTERVAL_MS);
		this.#maskStatsTimer.unref();
		this.#host = parts.host;
		this.#dir = parts.dir;
		this.#proxy = parts.proxy;
		this.#refusals = parts.refusals;
		this.#context = parts.context;
		this.#gate = parts.gate;
		this.#rules = parts.rules;
		this.#viewport = parts.context.viewport;
		this.#shape = parts.shape;
		this.#desktop = { ...parts.context.viewport };
		this.#version = parts.context.version;
		this.#startUrl = parts.startUrl;
		this.#downloadMaxBytes = parts.downloadMaxBytes;
		this.#logger = parts.logger;
		this.#active = parts.first;
		this.#addTab(parts.first);
		browser.on('disconnected', () => {
			if (!this.#closing) {
				this.#logger.error('cloud browser exited unexpectedly');
				this.emit('crash');
			}
		});
	}

	/** Takes a tab in: its events, and the captured tab's detector's and gateway's. */
	#addTab(tab: Tab): void {
		this.#tabs.push(tab);
		const ifActive =
			<A extends unknown[]>(fn: (...args: A) => void) =>
			(...args: A) => {
				if (tab === this.#active) fn(...args);
			};
		tab.on('changed', () => this.#emitState());
		tab.on('report', ifActive((report) => this.#onDetectorReport(report)));
		tab.on('generation', ifActive((generation) => this.#bridge.mask({ kind: 'rules', generation: generation || null })));
		tab.on('badreport', ifActive(() => this.emit('badreport')));
		tab.on('locks', ifActive((locks) => this.emit('lockregions', locks)));
		// NOTE: refusals and input errors come from whichever tab the input went to.
		tab.on('refused', (refusal) => this.emit('refused', refusal));
		tab.on('inputdropped', (code) => this.emit('inputdropped', code));
		tab.on('inputerror', (error) => this.emit('inputerror', error));
		tab.on('dialog', (dialog) => {
			// NOTE: not brought to the front: a page in the background must not take the
			// customer's keys from the tab they type in. Its dialog is shown (and answered) all the same.
			this.emit('dialog', dialog);
		});
		tab.on('dialogclosed', (closed) => this.emit('dialogclosed', closed));
		tab.on('picker', (picker, choose) => {
			// NOTE: a tab not shown opens nothing (its input was not anyone's).
			if (tab !== this.#active) return void choose(null);
			this.#closePicker();
			const id = ++this.#pickerSeq;
			this.#picker = { id, tab, choose };
			this.emit('picker', { ...picker, id });
			this.#pickerShown = { ...picker, id };
		});
		tab.on('navigated', () => {
			if (this.#picker?.tab === tab) this.#closePicker();
			if (this.#chooser?.tab === tab) this.#closeChooser();
		});
		tab.on('focus', ifActive((focus) => this.emit('pagefocus', focus)));
		tab.on('scroll', ifActive((scroll) => this.emit('pagescroll', { tab: tab.id, ...scroll })));
		tab.on('filechooser', ({ backendNodeId, multiple, accept }) => {
			// NOTE: a tab not shown asks for nothing (its input was not anyone's).
			if (tab !== this.#active) return;
			this.#closeChooser();
			const id = ++this.#chooserSeq;
			this.#chooser = { id, tab, backendNodeId, multiple, accept };
			this.emit('filechooser', { id, multiple, accept });
		});
		tab.on('navigationrefused', ({ url, problem, first }) => {
			this.emit('navigationrefused', { url, problem });
			// NOTE: a tab the page opened on a refused site would stay blank: closed.
			if (first && tab !== this.#tabs[0]) void this.closeTab(tab.id).catch(() => undefined);
		});
		tab.on('closed', () => void this.#onTabClosed(tab));
		if (this.#showLocks) tab.detector?.showLocks(true);
		this.#emitState();
	}

	/**
	 * Pauses every new tab (one the page opens, or {@link newTab}) until it is prepared:
	 * its document gate, detector and shape in place before its page runs. A tab that cannot
	 * be prepared, or one too many, is closed.
	 */
	async #watchNewTabs(): Promise<void> {
		const cdp = this.#browserCdp;
		cdp.on('Target.attachedToTarget', (event) => void this.#onAttached(event));
		await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: true, flatten: true, filter: [{ type: 'page', exclude: false }, { exclude: true }] });
	}

	async #onAttached(event: Protocol.Target.AttachedToTargetEvent): Promise<void> {
		const session = this.#browserCdp.connection()?.session(event.sessionId);
		const { targetId, url } = event.targetInfo;
		const resume = async () => {
			await session?.send('Runtime.runIfWaitingForDebugger').catch(() => undefined);
		};
		const known = this.#tabs.some((t) => targetIdOf(t.page) === targetId);
		if (!session || !event.waitingForDebugger || known || url.startsWith('chrome-extension://') || this.#closing) {
			// NOTE: tabs open before (the first one), and the capture extension's page.
			await resume();
			await this.#browserCdp.send('Target.detachFromTarget', { sessionId: event.sessionId }).catch(() => undefined);
			return;
		}
		const refuse = async (why: string) => {
			this.#logger.warn({ why }, 'a new tab was closed');
			await this.#browserCdp.send('Target.closeTarget', { targetId }).catch(() => undefined);
			this.#waiting.get(targetId)?.(undefined);
		};
		if (this.#tabs.length + this.#opening >= MAX_TABS) {
			this.emit('navigationrefused', { url, problem: `a session can have at most ${MAX_TABS} tabs: close one to open another` });
			return refuse('too many tabs');
		}
		let tab: Tab;
		// NOTE: tabs being prepared count towards the limit (a burst of window.open).
		this.#opening++;
		try {
			const prepared = await Tab.prepare(session, this.#context, this.#rules, this.#shape, { targetId, resume });
			// NOTE: puppeteer shows a tab once it has an address: one whose first document the
			// gate refused never gets one. It is closed, and everyone told why.
			const refusedFirst = new Promise<void>((resolve) => {
				prepared.gate.onEarly = resolve;
				if (prepared.gate.early.length > 0) resolve();
			});
			const target = await Promise.race([this.#browser.waitForTarget((t) => (t as unknown as { _targetId: string })._targetId === targetId, { timeout: 5000 }), refusedFirst.then(() => undefined)]);
			if (!target) {
				for (const [url, problem] of prepared.gate.early) this.emit('navigationrefused', { url, problem });
				return refuse('its first page is not allowed');
			}
			const page = await target.page();
			if (!page) throw new Error('the new tab has no page');
			tab = new Tab(page, prepared, this.#context);
		} catch (error) {
			return refuse((error as Error).message);
		} finally {
			this.#opening--;
		}
		if (this.#closing) return;
		this.#addTab(tab);
		// NOTE: a shape change that came while it was prepared.
		if (!sameShape(tab.shape, this.#shape)) await tab.emulate(this.#shape, false).catch(() => undefined);
		this.#logger.info({ tab: tab.id, tabs: this.#tabs.length }, 'tab opened');
		const waiter = this.#waiting.get(targetId);
		if (waiter) waiter(tab);
		// NOTE: a tab that closed meanwhile: nothing to show (logged by the switch).
		else await this.#switchTo(tab).catch(() => undefined);
	}

	/** Tabs the browser opened that are being prepared. */
	#opening = 0;

	/** The tabs, in the order they opened. */
	get tabs(): readonly Tab[] {
		return this.#tabs;
	}

	/** The captured tab. */
	get activeTab(): Tab {
		return this.#active;
	}

	/**
	 * Opens a new tab (at `url`, or the start page) and captures it.
	 * @throws Error when the session has as many tabs as it may.
	 */
	async newTab(url?: string): Promise<Tab> {
		if (this.#tabs.length + this.#opening >= MAX_TABS) throw new TabLimitError();
		const { targetId } = await this.#browserCdp.send('Target.createTarget', { url: 'about:blank' });
		const tab = await new Promise<Tab | undefined>((resolve) => {
			const timer = setTimeout(() => done(undefined), 10_000);
			const done = (t: Tab | undefined) => {
				clearTimeout(timer);
				this.#waiting.delete(targetId);
				resolve(t);
			};
			const ready = this.#tabs.find((t) => targetIdOf(t.page) === targetId);
			if (ready) done(ready);
			else this.#waiting.set(targetId, done);
		});
		if (!tab) throw new Error('the new tab did not open');
		tab.openFirst(url ?? this.#startUrl, this.#context.lang);
		await this.#switchTo(tab);
		return tab;
	}

	/** Captures the tab `id` (viewers see it; input goes there). False if there is no such tab. */
	async switchTab(id: string): Promise<boolean> {
		const tab = this.#tabs.find((t) => t.id === id);
		if (!tab) return false;
		await this.#switchTo(tab);
		return true;
	}

	/**
	 * Closes the tab `id`. The captured one is first replaced by the one captured before it;
	 * the last one by a new tab at the start page. False if there is no such tab.
	 */
	async closeTab(id: string): Promise<boolean> {
		const tab = this.#tabs.find((t) => t.id === id);
		if (!tab || tab.closed) return false;
		if (tab === this.#active) await this.#leave(tab);
		await tab.close();
		return true;
	}

	/** Captures another tab than `tab` (about to close, or closed): the last captured, or a new one. */
	async #leave(tab: Tab): Promise<void> {
		const next = this.#recent.find((t) => t !== tab && !t.closed) ?? this.#tabs.find((t) => t !== tab && !t.closed);
		if (next) await this.#switchTo(next);
		else await this.newTab();
	}

	async #onTabClosed(tab: Tab): Promise<void> {
		const index = this.#tabs.indexOf(tab);
		if (index >= 0) this.#tabs.splice(index, 1);
		this.#recent = this.#recent.filter((t) => t !== tab);
		for (const participantId of this.#inputParticipants) tab.releaseInput(participantId);
		this.#logger.info({ tab: tab.id, tabs: this.#tabs.length }, 'tab closed');
		if (this.#closing) return;
		// NOTE: closed by its page (window.close()) while captured.
		if (tab === this.#active) await this.#leave(tab).catch((error: Error) => this.#logger.warn({ err: error.message }, 'no tab to capture after one closed'));
		this.#emitState();
	}

	/** Participants who sent input (their held buttons are forgotten per tab). */
	readonly #inputParticipants = new Set<string>();

	/**
	 * Makes `tab` the captured one: it comes to the front, the capture and both renditions
	 * move to it on the same producers, and input goes there. The masked rendition shows
	 * nothing of it until its detector has reported it. One switch at a time.
	 */
	#switchTo(tab: Tab): Promise<void> {
		const next = this.#switching.then(async () => {
			if (tab.closed || tab === this.#active || this.#closing) return;
			const t0 = performance.now();
			const previous = this.#active;
			this.#closePicker();
			this.#closeChooser();
			// NOTE: the compositor holds every frame before the new tab's reports may reach it
			// (the previous tab's frames are still coming), not only once the capture moves.
			this.#bridge.mask({ kind: 'navigating' });
			this.#active = tab;
			this.emit('pagescroll', { tab: tab.id, ...tab.scroll });
			this.#recent = [tab, ...this.#recent.filter((t) => t !== tab)];
			if (!previous.closed) this.#recent.splice(1, 0, ...(this.#recent.includes(previous) ? [] : [previous]));
			await tab.page.bringToFront();
			const { ms } = await this.#bridge.switchTab({ url: tab.page.url(), rules: tab.detector ? tab.detector.generation || null : null, size: { ...this.#viewport } });
			tab.detector?.reportNow();
			this.#logger.debug({ tab: tab.id, captureMs: Math.round(ms), ms: Math.round(performance.now() - t0) }, 'tab captured');
			this.#emitState();
		});
		this.#switching = next.catch((error: Error) => {
			if (!this.#closing) this.#logger.warn({ err: error.message }, 'tab switch failed');
		});
		return next;
	}

	/**
	 * Gives every tab (and those opened later) a language and a time zone: the customer's,
	 * for `Accept-Language`, `navigator.language`, `Intl` and dates. `timeZone` undefined
	 * keeps the one set before.
	 */
	async setLocale(lang: string, timeZone?: string): Promise<void> {
		this.#context.lang = lang;
		if (timeZone) this.#context.timeZone = timeZone;
		// NOTE: after a shape change in flight: the user agent the tabs are given is their shape's.
		await this.shaped;
		await Promise.all(this.#tabs.map((tab) => tab.relocalize().catch((error: Error) => this.#logger.warn({ err: error.message, tab: tab.id }, 'tab language not set'))));
	}

	/**
	 * A small JPEG of the masked rendition (what agents see), for the supervisor's wall; null
	 * until one was made. The first ask starts them (about one a second while asked).
	 */
	async thumbnail(width = 240): Promise<Uint8Array | null> {
		const base64 = await this.#bridge.thumbnail(width);
		return base64 ? Buffer.from(base64, 'base64') : null;
	}

	/** Where the shown tab's page is scrolled. */
	get scroll(): { tab: string; x: number; y: number; scale: number } {
		return { tab: this.#active.id, ...this.#active.scroll };
	}

	/** The captured tab's URL (the address that failed, on an error page), title, loading state, viewport, shape and the tabs. */
	async state(): Promise<BrowserState> {
		const { name, form, dpr } = this.#shape;
		const active = this.#active;
		const tabs = await Promise.all(this.#tabs.map(async (tab) => ({ id: tab.id, ...(await tab.state()) })));
		const own = tabs.find((t) => t.id === active.id) ?? { ...(await active.state()), id: active.id };
		return { url: own.url, title: own.title, loading: own.loading, viewport: { ...this.#viewport }, shape: { name, form, dpr }, tabs, activeTab: active.id };
	}

	/** The open dialog of the captured tab, or of another (it is then being brought to the front). */
	get dialog(): PageDialog | undefined {
		return this.#active.dialog ?? this.#tabs.find((t) => t.dialog)?.dialog;
	}

	/**
	 * Answers the open dialog `id` (OK or Cancel, and a prompt's text). False if it is no
	 * longer open (answered meanwhile, or another one opened).
	 */
	async answerDialog(id: number, accept: boolean, text?: string): Promise<boolean> {
		const tab = this.#tabs.find((t) => t.dialog?.id === id);
		return tab ? tab.answerDialog(id, accept, text) : false;
	}

	#chooser: { id: number; tab: Tab; backendNodeId: number; multiple: boolean; accept: string } | undefined;
	#chooserSeq = 0;

	/** The file request open now (an upload field asked for files), if any. */
	get fileChooser(): { id: number; multiple: boolean; accept: string } | undefined {
		const open = this.#chooser;
		return open && { id: open.id, multiple: open.multiple, accept: open.accept };
	}

	/**
	 * Puts files into the upload field of the open file request `id` (none: it is closed
	 * without a choice). False if it is no longer open, or its field is gone.
	 */
	async setFiles(id: number, files: UploadFile[]): Promise<boolean> {
		const open = this.#chooser;
		if (open?.id !== id) return false;
		this.#chooser = undefined;
		const filled = files.length > 0 && (await open.tab.setFiles(open.backendNodeId, open.multiple ? files : files.slice(0, 1)));
		this.emit('filechooserclosed', { id, filled });
		return files.length === 0 || filled;
	}

	#closeChooser(): void {
		const open = this.#chooser;
		if (!open) return;
		this.#chooser = undefined;
		this.emit('filechooserclosed', { id: open.id, filled: false });
	}

	/** Downloads offered so far (at most {@link MAX_DOWNLOADS} per session). */
	#downloads = 0;

	/**
	 * Every download is cancelled at once: the page that started it fetches the same address
	 * again (its cookies, its blobs), and the bytes are offered to the customer (see Session).
	 * Nothing is saved where the browser's user could reach or replace it.
	 */
	async #watchDownloads(dir: string): Promise<void> {
		this.#browserCdp.on('Browser.downloadWillBegin', (event) => void this.#onDownload(event));
		await this.#browserCdp.send('Browser.setDownloadBehavior', { behavior: 'allowAndName', downloadPath: dir, eventsEnabled: true });
	}

	async #onDownload({ frameId, guid, url, suggestedFilename }: Protocol.Browser.DownloadWillBeginEvent): Promise<void> {
		await this.#browserCdp.send('Browser.cancelDownload', { guid }).catch(() => undefined);
		let fallback = 'download';
		try {
			fallback = decodeURIComponent(new URL(url).pathname.split('/').pop() ?? '') || fallback;
		} catch {
			// NOTE: not a URL with a path (a data: URL): the fallback name.
		}
		const name = safeFileName(suggestedFilename || fallback, 'download');
		// NOTE: the slot is taken before the fetch (downloads started together count), and a
		// failed one counts too: a page cannot make the service fetch without end.
		if (this.#downloads >= MAX_DOWNLOADS) return void this.emit('downloadfailed', { name, reason: 'too_many' });
		this.#downloads++;
		const tab = this.#tabs.find((t) => t.page.frames().some((f) => (f as unknown as { _id: string })._id === frameId));
		if (!tab) return void this.emit('downloadfailed', { name, reason: 'failed' });
		const got = await tab.fetchInPage(url, this.#downloadMaxBytes);
		if ('error' in got) return void this.emit('downloadfailed', { name, reason: got.error });
		this.#logger.info({ bytes: got.bytes.byteLength }, 'download offered to the customer');
		this.emit('download', { name, type: got.type, bytes: got.bytes });
	}

	#picker: { id: number; tab: Tab; choose: (value: string | null) => Promise<boolean> } | undefined;
	#pickerShown: PagePicker | undefined;
	#pickerSeq = 0;

	/** The picker open now (see pickers.ts), if any. */
	get picker(): PagePicker | undefined {
		return this.#picker ? this.#pickerShown : undefined;
	}

	/**
	 * Sets what was chosen in the open picker `id` (a select's option index, an input's
	 * value; null: nothing). False if it is no longer open, or the value is not one it takes.
	 */
	async answerPicker(id: number, value: string | null): Promise<boolean> {
		const open = this.#picker;
		if (open?.id !== id) return false;
		this.#picker = undefined;
		const chosen = await open.choose(value);
		this.emit('pickerclosed', { id, chosen: chosen && value !== null });
		return chosen;
	}

	/** Closes the open picker without a choice (its tab is no longer shown, or moved on). */
	#closePicker(): void {
		const open = this.#picker;
		if (!open) return;
		this.#picker = undefined;
		void open.choose(null);
		this.emit('pickerclosed', { id: open.id, chosen: false });
	}

	/** The shape of a choice, on this browser (its desktop shape is its configured viewport). */
	shapeOf(name: ShapeName, device: Device | undefined): Shape {
		return shapeFor(name, device, this.#desktop);
	}

	/** Settles once the shape changes asked for so far are done. */
	get shaped(): Promise<void> {
		return this.#shaping;
	}

	/** The shape the page has now. */
	get shape(): Shape {
		return { ...this.#shape };
	}

	/**
	 * Gives the pages another shape (a phone's, a tablet's, a desktop's: see
	 * protocol/shape.ts): their viewport, pixel ratio, touch and user agent. The capture
	 * follows the new viewport's size. A change of user agent or mobile layout reloads the
	 * pages (a page reads them as it loads); a change of size only (a phone rotated) does
	 * not. Calls run one after the other; a failure is logged and the shape stays what the
	 * browser took.
	 */
	setShape(shape: Shape): Promise<void> {
		this.#shaping = this.#shaping.then(() => this.#applyShape(shape)).catch((error: Error) => {
			if (!this.#closing) this.#logger.warn({ err: error.message }, 'the page did not take its new shape');
		});
		return this.#shaping;
	}

	async #applyShape(shape: Shape): Promise<void> {
		const from = this.#shape;
		if (this.#closing || sameShape(from, shape)) return;
		const active = this.#active;
		// NOTE: the page reflows: frames wait for the detector to report the page as it is
		// after the change, as after a scroll (masks may move anywhere).
		const seq = this.#context.nextSeq();
		this.#bridge.mask({ kind: 'input', at: Date.now(), seq, scrolls: true });
		active.detector?.input(seq, 10 * MAX_SIDE, 10 * MAX_SIDE);
		this.#bridge.mask({ kind: 'viewport', width: shape.width, height: shape.height });
		this.#shape = shape;
		this.#viewport.width = shape.width;
		this.#viewport.height = shape.height;
		this.#logger.info({ shape: shape.name, width: shape.width, height: shape.height, dpr: shape.dpr, form: shape.form }, 'page shape');
		const reload = needsReload(from, shape);
		// NOTE: the captured tab first; the others follow without holding this one up.
		await active.emulate(shape, false);
		await this.#settleCapture(shape);
		for (const tab of this.#tabs) if (tab !== active) void tab.emulate(shape, reload).catch(() => undefined);
		// NOTE: a navigation asked for meanwhile loads its document with the new shape: no reload over it.
		if (reload) await active.emulate(shape, true);
		this.#emitState();
	}

	/** Process id of the Chromium browser process (its renderers and GPU process are children). */
	get pid(): number | undefined {
		return this.#browser.process()?.pid;
	}

	/** The session's directory (Chromium's profile, HOME, cache, temporary files), deleted by {@link close}. */
	get profileDir(): string {
		return this.#dir.root;
	}

	/**
	 * Navigates the captured tab. The caller validates the URL.
	 * @throws NavigationError with a message safe to show to participants; a destination
	 *   the egress policy refuses is `refused`, whatever answers there.
	 */
	navigate(url: string): Promise<void> {
		return this.#active.navigate(url, this.#shaping, this.#refusals);
	}

	history(action: 'back' | 'forward' | 'reload'): Promise<void> {
		return this.#active.history(action, this.#shaping);
	}

	/**
	 * Injects one participant's input into the captured tab, through its policy gateway
	 * (see InputGateway): the customer's as it is, an agent's once the page allows it.
	 * Returns at once; refusals come as `refused` events.
	 */
	inject(participantId: string, message: InputMessage, sender: Sender = 'customer'): void {
		this.#inputParticipants.add(participantId);
		this.#active.inject(participantId, message, sender);
	}

	/**
	 * What is selected in the captured tab, for a copy to a viewer's clipboard; `guarded`
	 * (agents, supervisors): undefined when the selection touches anything masked.
	 */
	selectionText(guarded: boolean): Promise<string | undefined> {
		return this.#active.detector?.selectionText(guarded) ?? Promise.resolve(undefined);
	}

	/** Reports where locked controls are (`lockregions`), for a rules preview. */
	showLocks(on: boolean): void {
		this.#showLocks = on;
		for (const tab of this.#tabs) tab.detector?.showLocks(on);
	}

	/** Where the tabs may go from now on (the company's allowed sites). */
	setUrlPolicy(policy: UrlPolicy): void {
		this.#gate.policy = policy;
	}

	/** Why `url` may not be opened now (see urlPolicy.ts), or undefined. */
	urlProblem(url: string): string | undefined {
		return urlProblem(url, this.#gate.policy);
	}

	/**
	 * New masking rules (the session was bound to a company, or the company saved rules):
	 * delivered to every tab's detector; the masked rendition's frames are covered until the
	 * captured tab's detector reports a state found with them (the next frame, normally).
	 */
	async setRules(rules: MaskRules): Promise<void> {
		this.#rules = rules;
		await Promise.all(this.#tabs.map((tab) => tab.detector?.setRules(rules)));
	}

	#lastRegions = 0;
	#regionsTimer: NodeJS.Timeout | undefined;
	#latestReport: DetectorReport | undefined;

	/** A report from the captured tab's detector: to the compositor at once, to the customer's outlines throttled. */
	#onDetectorReport(report: DetectorReport): void {
		this.#bridge.mask({ kind: 'report', report });
		if (report.error) {
			this.#logger.warn({ err: report.error }, 'the masking detector failed a scan (the page is covered until it succeeds)');
			this.emit('scanfailure');
		}
		if (!report.boxes) return;
		this.#latestReport = report;
		const wait = this.#lastRegions + REGIONS_INTERVAL_MS - Date.now();
		if (wait <= 0) this.#emitRegions();
		else this.#regionsTimer ??= setTimeout(() => this.#emitRegions(), wait);
	}

	#emitRegions(): void {
		this.#regionsTimer = undefined;
		this.#lastRegions = Date.now();
		const report = this.#latestReport;
		if (report?.boxes && report.viewport) this.emit('regions', { boxes: report.boxes, viewport: report.viewport });
	}

	readonly #maskTotals: MaskTotals = { frames: 0, covered: {}, staleRuleFrames: 0, auditLeaks: 0, auditNotes: [] };
	#maskStatsTimer: NodeJS.Timeout | undefined;

	/** Collects the compositor's counts: into the totals, and out as a `maskstats` event. */
	async #collectMaskStats(): Promise<void> {
		const stats = await this.#bridge.maskStats().catch(() => undefined);
		if (!stats) return;
		const totals = this.#maskTotals;
		totals.frames += stats.frames;
		totals.staleRuleFrames += stats.staleRuleFrames;
		totals.auditLeaks += stats.auditLeaks;
		totals.auditNotes = [...totals.auditNotes, ...stats.auditNotes].slice(-10);
		for (const [reason, count] of Object.entries(stats.covered)) totals.covered[reason] = (totals.covered[reason] ?? 0) + count;
		this.emit('maskstats', stats);
	}

	/** The compositor's counts since this browser started, up to now. */
	async maskTotals(): Promise<MaskTotals> {
		await this.#collectMaskStats();
		return structuredClone(this.#maskTotals);
	}

	/**
	 * Bench and tests: has the compositor count frames in which this colour shows outside
	 * what it paints (see MaskStats).
	 */
	auditColour(rgb: [number, number, number] | null): void {
		this.#bridge.mask({ kind: 'audit', rgb });
	}

	/**
	 * Makes the captured tab paint one new frame, so a viewer who just subscribed gets its
	 * key frame now rather than at the page's next change: a static page produces no frames,
	 * and the encoder needs one to answer a key-frame request.
	 * NOTE: drawn as a CDP overlay (a 1-pixel rectangle at 1% opacity, shown for 50 ms):
	 * nothing in the page's DOM changes, so page scripts cannot see it.
	 */
	refreshFrame(): void {
		const tab = this.#active;
		const fail = (error: Error) => this.#logger.debug({ err: error.message }, 'refresh frame failed');
		tab
			.paintPixel(0)
			.then(() => new Promise((resolve) => setTimeout(resolve, 50)))
			.then(() => tab.hideOverlay())
			.catch(fail);
	}

	/**
	 * Paints frames (see {@link Tab.paintPixel}) until the capture sends frames of the new
	 * shape's size, for a second at most. NOTE: after a resize the tab capture sends a frame
	 * or two at an in-between size (800×450 on the way from a phone to 1280×720); a page at
	 * rest paints nothing more, and viewers would keep that blurred frame until it changes.
	 */
	async #settleCapture(shape: Shape): Promise<void> {
		await this.#paintUntil('settling', 20, 50, async () => {
			const stats = await this.captureStats().catch(() => undefined);
			return this.#closing !== undefined || (stats?.frameWidth === shape.width && stats.frameHeight === shape.height);
		});
	}

	/**
	 * Paints a frame in the captured tab every `gapMs`, at most `rounds` times, until `done`
	 * says so (asked beside each wait), then takes the overlay away. Painting is best
	 * effort: a failed paint is logged (as `what`), never thrown.
	 */
	async #paintUntil(what: string, rounds: number, gapMs: number, done: () => Promise<boolean>): Promise<void> {
		const tab = this.#active;
		const fail = (error: Error) => this.#logger.debug({ err: error.message }, `${what} paint failed`);
		for (let i = 0; i < rounds; i++) {
			tab.paintPixel(i % 2).catch(fail);
			const [finished] = await Promise.all([done(), new Promise((resolve) => setTimeout(resolve, gapMs))]);
			if (finished) break;
		}
		await tab.hideOverlay().catch(fail);
	}

	/** Releases a participant's held buttons (they left mid-drag). */
	releaseInput(participantId: string): void {
		this.#inputParticipants.delete(participantId);
		for (const tab of this.#tabs) tab.releaseInput(participantId);
	}

	/** Encoder statistics of a rendition's producer. */
	captureStats(rendition: Rendition = 'clear'): Promise<CaptureStats> {
		return this.#bridge.stats(rendition);
	}

	/** The captured tab's page (tests and benchmarks run functions in it). */
	get page(): Page {
		return this.#active.page;
	}

	/** The policy gateway in front of the captured tab's input (benches read its check times). */
	get gateway(): InputGateway {
		return this.#active.gateway;
	}

	/** Closes Chromium and its egress proxy, and deletes the session directory. Safe to call twice. */
	close(): Promise<void> {
		// NOTE: Chromium is killed rather than asked to close: nothing in it is worth saving
		// (its profile is deleted next), and a graceful close takes a few hundred ms of CPU
		// that other sessions on this machine need.
		this.#closing ??= (async () => {
			for (const tab of this.#tabs) tab.gateway.close();
			for (const resolve of this.#waiting.values()) resolve(undefined);
			clearTimeout(this.#regionsTimer);
			clearInterval(this.#maskStatsTimer);
			await stopChromium(this.#browser);
			await this.#proxy.close();
			await this.#host.removeSessionDir(this.#dir);
		})();
		return this.#closing;
	}

	#captureOptions(target: PublishTarget, transport: TransportInfo, config: PublisherConfig): CaptureOptions {
		return {
			routerRtpCapabilities: target.routerRtpCapabilities,
			transport: transport as unknown as CaptureOptions['transport'],
			width: this.#viewport.width,
			height: this.#viewport.height,
			maxSide: Math.max(MAX_SIDE, config.viewport.width, config.viewport.height),
			maxFps: config.maxFps,
			maxBitrate: config.maxBitrate,
			codec: `video/${config.codec}`,
			renditions: config.renditions ?? ['clear', 'masked'],
		};
	}

	/**
	 * Starts capturing the tab. NOTE: it must settle before the tab navigates: a capture
	 * whose stream starts while the tab commits a new page fails ("Could not start video
	 * source"); once started, it follows the tab across navigations.
	 */
	async #capture(captureOptions: CaptureOptions): Promise<void> {
		await this.#bridge.capture(captureOptions);
	}

	/**
	 * Publishes the captured tab into the router (transport, producer), and returns once
	 * the first frame has been encoded and sent.
	 */
	async #publish(captureOptions: CaptureOptions): Promise<void> {
		const started = await this.#bridge.start(captureOptions);
		await this.#primeEncoder();
		this.#logger.debug({ timings: started.timings }, 'publishing');
	}

	/**
	 * Paints a frame (a 1-pixel overlay) every 30 ms until the encoder has sent one, for up
	 * to a second. NOTE: a page at rest paints nothing, and the encoder drops what is
	 * captured until its transport is up, which comes a little after the transport reports
	 * itself connected: one frame painted at the moment it connects is often lost, and the
	 * first frame would then wait for the page to change.
	 */
	async #primeEncoder(): Promise<void> {
		// NOTE: painting is best effort (the start page may be committing meanwhile); a
		// failure here must not fail the start.
		await this.#paintUntil('priming', 33, 30, async () => ((await this.captureStats()).framesEncoded ?? 0) > 0);
	}

	#stateTimer: NodeJS.Timeout | undefined;

	/** Sends the state soon (changes of several tabs at once make one). */
	#emitState(): void {
		this.#stateTimer ??= setTimeout(() => {
			this.#stateTimer = undefined;
			if (this.#closing) return;
			void this.state().then(
				(state) => this.emit('state', state),
				() => undefined,
			);
		}, STATE_DEBOUNCE_MS);
	}
}

/** The most downloads one session tries (each offered one is kept in memory until the session ends). */
export const MAX_DOWNLOADS = 5;

/** The most tabs a session may have (each is a renderer process on the session host). */
export const MAX_TABS = 8;

/** How long state changes are gathered before they are sent. */
const STATE_DEBOUNCE_MS = 15;

/** Refused: the session has {@link MAX_TABS} tabs. */
export class TabLimitError extends Error {
	constructor() {
		super(`a session can have at most ${MAX_TABS} tabs: close one to open another`);
	}
}

/** The CDP target id of a page. */
function targetIdOf(page: Page): string {
	return (page.target() as unknown as { _targetId: string })._targetId;
}

function sameShape(a: Shape, b: Shape): boolean {
	return a.name === b.name && a.width === b.width && a.height === b.height && a.dpr === b.dpr && a.mobile === b.mobile && a.touch === b.touch && a.form === b.form;
}

/**
 * Resizes the browser window so the page's viewport is exactly `want` CSS pixels, whatever
 * height this Chromium gives its (invisible) window chrome. Returns the viewport it got.
 */
async function fitViewport(cdp: CDPSession, page: Page, want: { width: number; height: number }): Promise<{ width: number; height: number }> {
	const measure = () => page.evaluate('({ width: window.innerWidth, height: window.innerHeight })') as Promise<{ width: number; height: number }>;
	let got = await measure();
	if (got.width !== want.width || got.height !== want.height) {
		const { windowId, bounds } = await cdp.send('Browser.getWindowForTarget');
		await cdp.send('Browser.setWindowBounds', {
			windowId,
			bounds: { width: (bounds.width ?? want.width) + want.width - got.width, height: (bounds.height ?? want.height) + want.height - got.height },
		});
		got = await measure();
	}
	return got;
}

/** The first tab that is not puppeteer-stream's extension page; opened if there is none. */
async function firstContentPage(browser: Browser): Promise<Page> {
	const pages = await browser.pages();
	const page = pages.find((p) => !p.url().startsWith('chrome-extension://'));
	return page ?? browser.newPage();
}

/** The recent refusals of a session's egress proxy, to tell a refused navigation from an unreachable site. */
class RefusalLog {
	/** Refusals since the proxy started. */
	count = 0;
	readonly #recent: Array<EgressRefusal & { seq: number }> = [];

	add(refusal: EgressRefusal): void {
		this.#recent.push({ ...refusal, seq: this.count++ });
		if (this.#recent.length > RECENT_REFUSALS) this.#recent.shift();
	}

	/** Whether the host and port of `url` were refused since the count was `since`. */
	refusedSince(since: number, url: string): boolean {
		if (!URL.canParse(url)) return false;
		const { hostname, port, protocol } = new URL(url);
		const host = hostname.replace(/^\[|\]$/g, '');
		const portNumber = port === '' ? (protocol === 'https:' ? 443 : 80) : Number(port);
		return this.#recent.some((r) => r.seq >= since && r.host === host && r.port === portNumber);
	}
}
