/**
 * A session's cloud browser: a headless Chromium running as the browser user with its
 * sandbox on, in the session's own directory, reaching the network only through the
 * session's egress proxy; its active tab is captured as a live track and published into
 * the session's router, and viewers' input is injected into it with CDP.
 */
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { Browser, CDPSession, HTTPResponse, Page, Target } from 'puppeteer-core';
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
import { emulationCommands } from './emulation.js';
import { errorPageHtml } from './errorPage.js';
import { type CdpCommand, InputState, scrollBound, toCdpCommands } from './input.js';
import { InputGateway, type Refusal, type Sender } from './InputGateway.js';
import { ANY_SITE, type UrlPolicy, urlProblem } from './urlPolicy.js';
import { internalPages } from './internalPages.js';
import { MaskDetector } from './MaskDetector.js';
import { NavigationError, navigationError } from './navigation.js';
import { gateDocuments } from './documents.js';
import { PublisherBridge } from './PublisherBridge.js';

/** What the publisher needs from the session's router; implemented by the signaling layer over sfu/. */
export interface PublishTarget {
	routerRtpCapabilities: Record<string, unknown>;
	createTransport(): Promise<TransportInfo>;
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

/** The longest a navigation waits for the start page's own (see #afterStartPage). */
const START_PAGE_WAIT_MS = 3000;

/** How many recent egress refusals a cloud browser remembers to explain its navigation errors. */
const RECENT_REFUSALS = 16;

export class CloudBrowser extends EventEmitter<CloudBrowserEvents> {
	readonly #browser: Browser;
	readonly #page: Page;
	readonly #cdp: CDPSession;
	readonly #bridge: PublisherBridge;
	readonly #host: BrowserHost;
	readonly #dir: SessionDir;
	readonly #proxy: EgressProxy;
	readonly #refusals: RefusalLog;
	readonly #logger: Logger;
	readonly #inputStates = new Map<string, InputState>();
	/** The page's viewport, CSS px: the gateway and the input read this object, kept as the shape changes. */
	readonly #viewport: { width: number; height: number };
	/** The shape the page has (see protocol/shape.ts), and the browser's version and language it names. */
	#shape: Shape;
	readonly #version: string;
	/** The desktop shape's viewport (the configured one). */
	readonly #desktop: { width: number; height: number };
	readonly #lang: string;
	/** Shape changes, one after the other. */
	#shaping: Promise<void> = Promise.resolve();
	#closing: Promise<void> | undefined;

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
			// The document gate starts before the CloudBrowser exists: it reads this holder.
			const gate = { policy: options.urlPolicy ?? ANY_SITE, refused: (_url: string, _problem: string) => undefined as void };
			const [, , , detector] = await Promise.all([
				cdp.send('DOM.enable'),
				cdp.send('Overlay.enable'),
				// NOTE: for the page's dialogs (Page.javascriptDialogOpening).
				cdp.send('Page.enable'),
				masked ? MaskDetector.install(cdp, options.rules === undefined ? DEFAULT_RULES : options.rules) : undefined,
				// NOTE: with a masked rendition, PDFs open in a viewer whose text the detector reads.
				gateDocuments(cdp, { pdfViewer: masked, policy: () => gate.policy, onRefused: (url, problem) => gate.refused(url, problem) }, logger),
			]);
			const viewport = await fitViewport(cdp, page, config.viewport);
			// NOTE: the desktop shape from the start: a normal Chrome's user agent, not "HeadlessChrome".
			const version = (await browser.version()).split('/')[1] ?? '0.0.0.0';
			const desktop = shapeFor('desktop', undefined, viewport);
			await emulate(cdp, desktop, version, config.lang);
			// The captured tab must be the front one: hidden tabs stop painting until captured.
			await page.bringToFront();
			mark('tab');
			const [bridge, transport] = step(await prepared);
			mark('extension');
			const cloud = new CloudBrowser({ browser, page, cdp, bridge, detector, host, dir: sessionDir, proxy: egress, refusals, viewport, shape: desktop, version, lang: config.lang, logger });
			cloud.#gate = gate;
			gate.refused = (url, problem) => cloud.emit('navigationrefused', { url, problem });
			const captureOptions = cloud.#captureOptions(options.target, transport, config);
			await cloud.#capture(captureOptions);
			mark('capturing');
			// NOTE: the start page loads while publishing starts, and the browser is ready
			// without waiting for it: the capture follows the tab across navigations. (Loading
			// it before, beside the extension's set-up, made starts slower on two cores.)
			cloud.#startPage = openStartPage(page, options.startUrl, config.lang).catch((error: Error) => {
				if (!cloud.#closing && cloud.#browser.connected) logger.warn({ err: error.message }, 'start page did not load');
			});
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
					logger.warn({ err: (error as Error).message, attempt }, 'publishing again on a fresh transport');
					options_ = cloud.#captureOptions(options.target, await options.target.createTransport(), config);
				}
			}
			step(undefined);
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
		page: Page;
		cdp: CDPSession;
		bridge: PublisherBridge;
		detector: MaskDetector | undefined;
		host: BrowserHost;
		dir: SessionDir;
		proxy: EgressProxy;
		refusals: RefusalLog;
		viewport: { width: number; height: number };
		shape: Shape;
		version: string;
		lang: string;
		logger: Logger;
	}) {
		super();
		const { browser, page } = parts;
		this.#browser = browser;
		this.#page = page;
		this.#cdp = parts.cdp;
		this.#bridge = parts.bridge;
		this.#bridge.onFailure((error) => {
			if (!this.#closing) this.#logger.warn({ err: error.message }, 'mask message not delivered');
		});
		this.#maskStatsTimer = setInterval(() => void this.#collectMaskStats(), MASK_STATS_INTERVAL_MS);
		this.#maskStatsTimer.unref();
		this.#detector = parts.detector;
		const detector = parts.detector;
		this.#gateway = new InputGateway(
			{
				// NOTE: without a detector (a session with no masked rendition) nothing can judge
				// an agent's input: it is refused.
				check: (attempt, seq) => (detector ? detector.check(attempt, seq) : Promise.resolve({ refused: 'unseen' as const })),
				sender: (who) => detector?.sender(who) ?? Promise.resolve(),
				send: (command) => this.#send(command),
			},
			parts.viewport,
			(refusal) => this.emit('refused', refusal),
			() => this.emit('inputdropped', 'agent_rate'),
		);
		detector?.on('refusal', ({ reason, kind }) => this.#gateway.refusedInPage(reason, kind));
		detector?.on('locks', (locks) => this.emit('lockregions', locks));
		if (parts.detector) {
			const generation = (g: number | null) => this.#bridge.mask({ kind: 'rules', generation: g });
			generation(parts.detector.generation || null);
			parts.detector.on('generation', generation);
			parts.detector.on('report', (report) => this.#onDetectorReport(report));
			parts.detector.on('badreport', () => this.emit('badreport'));
		}
		this.#host = parts.host;
		this.#dir = parts.dir;
		this.#proxy = parts.proxy;
		this.#refusals = parts.refusals;
		this.#viewport = parts.viewport;
		this.#shape = parts.shape;
		this.#desktop = { ...parts.viewport };
		this.#version = parts.version;
		this.#lang = parts.lang;
		this.#logger = parts.logger;
		browser.on('disconnected', () => {
			if (!this.#closing) {
				this.#logger.error('cloud browser exited unexpectedly');
				this.emit('crash');
			}
		});
		page.on('framenavigated', (frame) => {
			if (frame === page.mainFrame()) this.#emitState(true);
		});
		page.on('load', () => this.#emitState(false));
		browser.on('targetcreated', (target) => void this.#foldPopup(target));
		page.on('requestfailed', (request) => {
			if (request.isNavigationRequest() && request.frame() === page.mainFrame()) this.#failedLoad = { url: request.url(), netError: request.failure()?.errorText ?? '' };
		});
		this.#cdp.on('Page.frameNavigated', ({ frame }) => {
			if (!frame.parentId && frame.url.startsWith('chrome-error:')) void this.#showErrorPage(frame.id, frame.unreachableUrl);
		});
		this.#cdp.on('Page.javascriptDialogOpening', (event) => {
			const type = (['alert', 'confirm', 'prompt', 'beforeunload'] as const).find((t) => t === event.type) ?? 'alert';
			const dialog: PageDialog = { id: ++this.#dialogSeq, type, message: event.message, defaultValue: event.defaultPrompt ?? '' };
			this.#dialog = dialog;
			this.emit('dialog', dialog);
		});
		this.#cdp.on('Page.javascriptDialogClosed', (event) => {
			const dialog = this.#dialog;
			if (!dialog) return;
			this.#dialog = undefined;
			this.emit('dialogclosed', { id: dialog.id, accepted: event.result });
		});
		page.on('domcontentloaded', () => this.#emitState(false));
	}

	/** The page's current URL (the address that failed, on an error page), title, loading state and viewport. */
	async state(loading = false): Promise<BrowserState> {
		const { name, form, dpr } = this.#shape;
		const page = { loading, viewport: { ...this.#viewport }, shape: { name, form, dpr } };
		const failed = this.#page.url().startsWith('chrome-error:') ? this.#failedLoad : undefined;
		if (failed) return { url: failed.url, title: 'This page could not be opened', ...page };
		return { url: this.#page.url(), title: await this.#page.title().catch(() => ''), ...page };
	}

	/** The last top-level document that failed to load (Chromium's error page stands for it). */
	#failedLoad: { url: string; netError: string } | undefined;

	/**
	 * Replaces Chromium's error page (`chrome-error://`, a raw network code) with a plain one
	 * that says why in words and offers to try again; the history entry stays the address
	 * that failed, so reload and back work as in a browser.
	 */
	async #showErrorPage(frameId: string, unreachableUrl: string | undefined): Promise<void> {
		const failed = this.#failedLoad;
		const url = unreachableUrl ?? failed?.url ?? '';
		if (failed?.url !== url) this.#failedLoad = { url, netError: failed?.netError ?? '' };
		const refused = this.#refusals.refusedSince(Math.max(0, this.#refusals.count - RECENT_REFUSALS), url);
		const { message } = navigationError(new Error(`net::${this.#failedLoad!.netError.replace(/^net::/, '')}`), refused);
		await this.#cdp.send('Page.setDocumentContent', { frameId, html: errorPageHtml(url, message) }).catch((error: Error) => {
			if (!this.#closing) this.#logger.debug({ err: error.message }, 'error page not shown');
		});
		this.#emitState(false);
	}

	/** The page's open dialog, if any. */
	get dialog(): PageDialog | undefined {
		return this.#dialog;
	}

	/**
	 * Answers the open dialog `id` (OK or Cancel, and a prompt's text). False if it is no
	 * longer open (answered meanwhile, or another one opened).
	 */
	async answerDialog(id: number, accept: boolean, text?: string): Promise<boolean> {
		const dialog = this.#dialog;
		if (dialog?.id !== id) return false;
		await this.#cdp.send('Page.handleJavaScriptDialog', { accept, ...(dialog.type === 'prompt' && text !== undefined ? { promptText: text } : {}) });
		return true;
	}

	#dialog: PageDialog | undefined;
	#dialogSeq = 0;

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
	 * Gives the page another shape (a phone's, a tablet's, a desktop's: see
	 * protocol/shape.ts): its viewport, pixel ratio, touch and user agent. The capture
	 * follows the new viewport's size. A change of user agent or mobile layout reloads the
	 * page (a page reads them as it loads); a change of size only (a phone rotated) does
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
		// NOTE: the page reflows: frames wait for the detector to report the page as it is
		// after the change, as after a scroll (masks may move anywhere).
		const seq = ++this.#inputSeq;
		this.#bridge.mask({ kind: 'input', at: Date.now(), seq, scrolls: true });
		this.#detector?.input(seq, 10 * MAX_SIDE, 10 * MAX_SIDE);
		this.#bridge.mask({ kind: 'viewport', width: shape.width, height: shape.height });
		await emulate(this.#cdp, shape, this.#version, this.#lang);
		this.#shape = shape;
		this.#viewport.width = shape.width;
		this.#viewport.height = shape.height;
		this.#logger.info({ shape: shape.name, width: shape.width, height: shape.height, dpr: shape.dpr, form: shape.form }, 'page shape');
		await this.#settleCapture(shape);
		// NOTE: a navigation asked for meanwhile loads its document with the new shape: no reload over it.
		if (needsReload(from, shape) && /^https?:/.test(this.#page.url()) && this.#navigations === 0) {
			await this.#afterStartPage();
			await this.#page.reload({ waitUntil: 'domcontentloaded', timeout: 15_000 }).catch((error: Error) => this.#logger.warn({ err: error.message }, 'reload for the new shape failed'));
		}
		this.#emitState(false);
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
	async navigate(url: string): Promise<void> {
		await this.#afterStartPage();
		const since = this.#refusals.count;
		let response: HTTPResponse | null;
		try {
			response = await this.#navigating(() => this.#page.goto(url, { waitUntil: 'domcontentloaded', timeout: 15_000 }));
		} catch (error) {
			throw navigationError(error, this.#refusals.count > since);
		}
		// NOTE: a refused plain-http request gets the proxy's 403 page, which Chromium shows.
		if (response?.status() === 403 && this.#refusals.refusedSince(since, response.url())) throw new NavigationError('refused');
	}

	async history(action: 'back' | 'forward' | 'reload'): Promise<void> {
		await this.#afterStartPage();
		const opts = { waitUntil: 'domcontentloaded' as const, timeout: 15_000 };
		await this.#navigating(() => (action === 'back' ? this.#page.goBack(opts) : action === 'forward' ? this.#page.goForward(opts) : this.#page.reload(opts)));
	}

	/** Navigations asked for and not yet done (a shape change does not reload over them). */
	#navigations = 0;

	/** Runs a navigation once a shape change in flight is done (the new document loads with the new shape). */
	async #navigating<T>(go: () => Promise<T>): Promise<T> {
		this.#navigations++;
		try {
			await this.#shaping;
			return await go();
		} finally {
			this.#navigations--;
		}
	}

	/**
	 * Injects one participant's input into the page, through the policy gateway (see
	 * InputGateway): the customer's as it is, an agent's once the page allows it. Returns at
	 * once; refusals come as `refused` events.
	 */
	inject(participantId: string, message: InputMessage, sender: Sender = 'customer'): void {
		// NOTE: the page takes no input while its dialog is open (everyone is shown the
		// dialog to answer instead); input kept until then would act on a page changed since.
		if (this.#dialog) return;
		let state = this.#inputStates.get(participantId);
		if (!state) {
			state = new InputState();
			this.#inputStates.set(participantId, state);
		}
		const commands = toCdpCommands(message, this.#viewport, state);
		if (commands.length === 0) return;
		// NOTE: before the input is sent: frames that may show its effect wait for the
		// detector's next report (see compositor.ts).
		const seq = ++this.#inputSeq;
		const [scrollX, scrollY] = scrollBound(message, this.#viewport, state);
		this.#bridge.mask({ kind: 'input', at: Date.now(), seq, scrolls: scrollX > 0 || scrollY > 0 });
		this.#detector?.input(seq, scrollX, scrollY);
		this.#gateway.submit(participantId, sender, message, commands, seq);
	}

	readonly #gateway: InputGateway;
	#gate: { policy: UrlPolicy } = { policy: ANY_SITE };

	/** Reports where locked controls are (`lockregions`), for a rules preview. */
	showLocks(on: boolean): void {
		this.#detector?.showLocks(on);
	}

	/** Where the tab may go from now on (the company's allowed sites). */
	setUrlPolicy(policy: UrlPolicy): void {
		this.#gate.policy = policy;
	}

	/** Why `url` may not be opened now (see urlPolicy.ts), or undefined. */
	urlProblem(url: string): string | undefined {
		return urlProblem(url, this.#gate.policy);
	}
	readonly #detector: MaskDetector | undefined;
	/** The start page's load (it settles either way). */
	#startPage: Promise<void> = Promise.resolve();

	/**
	 * Waits (a few seconds at most) for the start page's navigation: a navigation asked for
	 * while it is still being sent would otherwise be overtaken by it, and the tab would end
	 * on the start page. (Seen under load in a test.)
	 */
	async #afterStartPage(): Promise<void> {
		let timer: NodeJS.Timeout | undefined;
		await Promise.race([this.#startPage, new Promise<void>((resolve) => (timer = setTimeout(resolve, START_PAGE_WAIT_MS)))]);
		clearTimeout(timer);
	}

	/** Numbers the input events sent to the page (the detector acknowledges them). */
	#inputSeq = 0;

	/**
	 * New masking rules (the session was bound to a company, or the company saved rules):
	 * delivered to the detector; the masked rendition's frames are covered until the
	 * detector reports a state found with them (the next frame, normally).
	 */
	async setRules(rules: MaskRules): Promise<void> {
		await this.#detector?.setRules(rules);
	}

	#lastRegions = 0;
	#regionsTimer: NodeJS.Timeout | undefined;
	#latestReport: DetectorReport | undefined;

	/** A report from the detector: to the compositor at once, to the customer's outlines throttled. */
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
	 * Makes the tab paint one new frame, so a viewer who just subscribed gets its key frame
	 * now rather than at the page's next change: a static page produces no frames, and the
	 * encoder needs one to answer a key-frame request.
	 * NOTE: drawn as a CDP overlay (a 1-pixel rectangle at 1% opacity, shown for 50 ms):
	 * nothing in the page's DOM changes, so page scripts cannot see it.
	 */
	refreshFrame(): void {
		const fail = (error: Error) => this.#logger.debug({ err: error.message }, 'refresh frame failed');
		this.#paintPixel(0)
			.then(() => new Promise((resolve) => setTimeout(resolve, 50)))
			.then(() => this.#cdp.send('Overlay.hideHighlight'))
			.catch(fail);
	}

	/** Shows a 1-pixel overlay at 1% opacity at (x, 0): a new frame that page scripts cannot see. */
	#paintPixel(x: number): Promise<unknown> {
		return this.#cdp.send('Overlay.highlightRect', { x, y: 0, width: 1, height: 1, color: { r: 0, g: 0, b: 0, a: 0.01 } });
	}

	/**
	 * Paints frames (see {@link #paintPixel}) until the capture sends frames of the new
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
	 * Paints a frame (see {@link #paintPixel}) every `gapMs`, at most `rounds` times, until
	 * `done` says so (asked beside each wait), then takes the overlay away. Painting is best
	 * effort: a failed paint is logged (as `what`), never thrown.
	 */
	async #paintUntil(what: string, rounds: number, gapMs: number, done: () => Promise<boolean>): Promise<void> {
		const fail = (error: Error) => this.#logger.debug({ err: error.message }, `${what} paint failed`);
		for (let i = 0; i < rounds; i++) {
			this.#paintPixel(i % 2).catch(fail);
			const [finished] = await Promise.all([done(), new Promise((resolve) => setTimeout(resolve, gapMs))]);
			if (finished) break;
		}
		await this.#cdp.send('Overlay.hideHighlight').catch(fail);
	}

	/** Releases a participant's held buttons (they left mid-drag). */
	releaseInput(participantId: string): void {
		this.#inputStates.delete(participantId);
	}

	/** Encoder statistics of a rendition's producer. */
	captureStats(rendition: Rendition = 'clear'): Promise<CaptureStats> {
		return this.#bridge.stats(rendition);
	}

	/** Runs a function in the captured page (tests and benchmarks). */
	get page(): Page {
		return this.#page;
	}

	/** The policy gateway in front of the page's input (benches read its check times). */
	get gateway(): InputGateway {
		return this.#gateway;
	}

	/** Closes Chromium and its egress proxy, and deletes the session directory. Safe to call twice. */
	close(): Promise<void> {
		// NOTE: Chromium is killed rather than asked to close: nothing in it is worth saving
		// (its profile is deleted next), and a graceful close takes a few hundred ms of CPU
		// that other sessions on this machine need.
		this.#closing ??= (async () => {
			this.#gateway.close();
			clearTimeout(this.#regionsTimer);
			clearInterval(this.#maskStatsTimer);
			await stopChromium(this.#browser);
			await this.#proxy.close();
			await this.#host.removeSessionDir(this.#dir);
		})();
		return this.#closing;
	}

	#send(command: CdpCommand): Promise<unknown> {
		return this.#cdp.send(command.method, command.params as never).catch((error: Error) => {
			if (!this.#closing) this.emit('inputerror', error);
		});
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
	 * Paints a frame (a 1-pixel overlay, see {@link #paintPixel}) every 30 ms until the
	 * encoder has sent one, for up to a second. NOTE: a page at rest paints nothing, and
	 * the encoder drops what is captured until its transport is up, which comes a little
	 * after the transport reports itself connected: one frame painted at the moment it
	 * connects is often lost, and the first frame would then wait for the page to change.
	 */
	async #primeEncoder(): Promise<void> {
		// NOTE: painting is best effort (the start page may be committing meanwhile); a
		// failure here must not fail the start.
		await this.#paintUntil('priming', 33, 30, async () => ((await this.captureStats()).framesEncoded ?? 0) > 0);
	}

	/**
	 * Until several tabs are supported, a page the captured tab opens (a `target=_blank`
	 * link, `window.open`) is opened in the captured tab instead, so it is seen.
	 */
	async #foldPopup(target: Target): Promise<void> {
		if (target.type() !== 'page' || target.opener() !== this.#page.target()) return;
		const popup = await target.page().catch(() => null);
		if (!popup) return;
		// NOTE: window.open() creates the target at about:blank and navigates it afterwards.
		const url = await new Promise<string>((resolve) => {
			const done = () => {
				this.#browser.off('targetchanged', onChange);
				clearTimeout(timer);
				resolve(target.url());
			};
			const onChange = (changed: Target) => {
				if (changed === target && changed.url() !== 'about:blank') done();
			};
			const timer = setTimeout(done, 3000);
			if (target.url() !== 'about:blank' && target.url() !== '') done();
			else this.#browser.on('targetchanged', onChange);
		});
		await popup.close().catch(() => undefined);
		if (/^https?:/.test(url)) await this.navigate(url).catch((error: Error) => this.#logger.warn({ err: error.message }, 'popup navigation failed'));
	}

	#emitState(loading: boolean): void {
		void this.state(loading).then((state) => this.emit('state', state));
	}
}

/** Gives the page `shape` (see emulation.ts), one command after the other. */
async function emulate(cdp: CDPSession, shape: Shape, version: string, lang: string): Promise<void> {
	for (const command of emulationCommands(shape, version, lang)) await cdp.send(command.method, command.params as never);
}

function sameShape(a: Shape, b: Shape): boolean {
	return a.name === b.name && a.width === b.width && a.height === b.height && a.dpr === b.dpr && a.mobile === b.mobile && a.touch === b.touch && a.form === b.form;
}

/** Opens the start page in the tab, in the browser's language. */
async function openStartPage(page: Page, url: string, lang: string): Promise<void> {
	await page.setExtraHTTPHeaders({ 'Accept-Language': `${lang},${lang.split('-')[0]};q=0.9` });
	await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 15_000 });
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
