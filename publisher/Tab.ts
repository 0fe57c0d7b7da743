/**
 * One tab of a session's cloud browser: a page target with its own CDP session, history,
 * masking detector, document gate (the URL policy, the PDF viewer), policy gateway, dialogs
 * and error page. The CloudBrowser captures one tab at a time (the active one) and sends
 * viewers' input there; every tab takes the session's shape and rules.
 *
 * A tab is prepared (see {@link Tab.prepare}) before its page runs anything: a tab the
 * page opens (a `target=_blank` link, `window.open`) is paused by the browser until its
 * gate and detector are in place, so no document of it loads unchecked.
 */
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { CDPSession, HTTPResponse, Page } from 'puppeteer-core';
import type { MaskMessage } from '../protocol/bridge.js';
import type { DetectorReport, MaskRules } from '../protocol/masking.js';
import type { Shape } from '../protocol/shape.js';
import type { InputMessage } from '../protocol/wire.js';
import type { PageDialog } from './dialogs.js';
import type { PagePicker } from './pickers.js';
import { gateDocuments } from './documents.js';
import { acceptLanguage, emulationCommands, localeCommands } from './emulation.js';
import { errorPageHtml } from './errorPage.js';
import { type CdpCommand, InputState, scrollBound, toCdpCommands } from './input.js';
import { InputGateway, type Refusal, type Sender } from './InputGateway.js';
import { MaskDetector } from './MaskDetector.js';
import { NavigationError, navigationError } from './navigation.js';
import { type UrlPolicy } from './urlPolicy.js';

/** An upload field that asks for files. */
export interface FileChooser {
	backendNodeId: number;
	multiple: boolean;
	/** The field's `accept` attribute (what kinds of file it wants), as the page wrote it. */
	accept: string;
}

/** A file to put into an upload field. */
export interface UploadFile {
	name: string;
	type: string;
	bytes: Uint8Array;
}

export interface TabEvents {
	/** Its URL, title or loading state changed. */
	changed: [];
	/** The page opened a dialog; it is frozen until answered. */
	dialog: [PageDialog];
	dialogclosed: [{ id: number; accepted: boolean }];
	/** A document was kept from loading (the URL policy); `first`: the tab had never shown one. */
	navigationrefused: [{ url: string; problem: string; first: boolean }];
	/** The tab closed (by the page, or by {@link Tab.close}). */
	closed: [];
	/** The detector's events (the CloudBrowser takes those of the captured tab). */
	report: [DetectorReport];
	badreport: [];
	generation: [number | null];
	locks: [{ boxes: Array<readonly [number, number, number, number]>; viewport: { width: number; height: number } }];
	/** The page was about to open a browser-drawn picker (see pickers.ts); `choose` sets what was chosen. */
	picker: [PagePicker, (value: string | null) => Promise<boolean>];
	/** The top frame committed a new document. */
	navigated: [];
	/** The focus moved into or out of a field one types into. */
	focus: [{ editable: boolean; inputMode: string }];
	/** The top document scrolled or zoomed (also `scroll`, kept). */
	scroll: [{ x: number; y: number; scale: number }];
	/** The page asks for a file (an upload field was activated): see setFiles. */
	filechooser: [FileChooser];
	/** The gateway's events. */
	refused: [Refusal];
	inputdropped: [code: string];
	inputerror: [Error];
}

/** What a tab shares with the rest of its browser. */
export interface TabContext {
	/** Whether viewers get a masked rendition (then the tab has a detector and PDFs open in the readable viewer). */
	masked: boolean;
	/** The URL policy now (it changes when the company saves its settings). */
	policy(): UrlPolicy;
	/** The browser's full version and language (for the user agent). */
	version: string;
	/** The pages' language (BCP 47), and time zone (IANA; none: the machine's): the customer's, once known. */
	lang: string;
	timeZone?: string;
	/** The page's viewport, CSS px: one object for the whole browser, kept as the shape changes. */
	viewport: { width: number; height: number };
	/** Whether the egress proxy refused `url`'s host recently (to explain a failed load). */
	refusedRecently(url: string): boolean;
	/** Tells the compositor something, if this tab is the one captured. */
	mask(tab: Tab, message: MaskMessage): void;
	/** Numbers input sent to any tab (the compositor counts them). */
	nextSeq(): number;
	logger: Logger;
}

/** What {@link Tab.prepare} set up on a tab's session, before its page runs. */
export interface PreparedTab {
	cdp: CDPSession;
	detector: MaskDetector | undefined;
	shape: Shape;
	/** The document gate's refusal callback (set once the Tab exists), and the refusals before that. */
	gate: { refused: (url: string, problem: string) => void; early: Array<[string, string]>; onEarly?: () => void };
}

/** The longest a navigation waits for the start page's own (see {@link Tab.afterStartPage}). */
const START_PAGE_WAIT_MS = 3000;

let tabSeq = 0;

export class Tab extends EventEmitter<TabEvents> {
	/** A short id viewers name the tab by. */
	readonly id = `t${++tabSeq}`;
	/** Where the top document is scrolled (CSS px) and its zoom, as its detector last said. */
	scroll = { x: 0, y: 0, scale: 1 };
	readonly page: Page;
	readonly cdp: CDPSession;
	readonly detector: MaskDetector | undefined;
	readonly gateway: InputGateway;
	readonly #context: TabContext;
	readonly #inputStates = new Map<string, InputState>();
	#shape: Shape;
	#loading = true;
	#closed = false;
	/** A document was shown in this tab (a refused first one leaves it blank). */
	#shown = false;
	#dialog: PageDialog | undefined;
	/** The last top-level document that failed to load (the error page stands for it). */
	#failedLoad: { url: string; netError: string } | undefined;
	/** Navigations asked for and not yet done (a shape change does not reload over them). */
	#navigations = 0;
	/** The start page's load, or the first navigation of a new tab (it settles either way). */
	#startPage: Promise<void> = Promise.resolve();

	/**
	 * Sets up a tab's session before its page runs: the domains used, the masking detector
	 * (with `rules`; null: none yet), the document gate, and the shape. Throws if any of it
	 * fails (the caller closes the tab: it must not run without them).
	 */
	static async prepare(cdp: CDPSession, context: TabContext, rules: MaskRules | null, shape: Shape, paused?: { targetId: string; resume(): Promise<unknown> }): Promise<PreparedTab> {
		// NOTE: a refusal before the Tab exists (a new tab's first document) is kept for it.
		const early: Array<[string, string]> = [];
		const gate: PreparedTab['gate'] = {
			refused: (url, problem) => {
				early.push([url, problem]);
				gate.onEarly?.();
			},
			early,
		};
		// NOTE: with a masked rendition, PDFs open in a viewer whose text the detector reads.
		const gating = gateDocuments(cdp, { pdfViewer: context.masked, policy: () => context.policy(), onRefused: (url, problem) => gate.refused(url, problem), ...(paused ? { topFrame: paused.targetId } : {}) }, context.logger);
		// NOTE: a paused tab answers its Page, DOM and Emulation commands only once it runs, in
		// the order they were sent: they are sent before it is let run, and awaited after.
		// The document gate (the browser's Fetch domain) answers at once: it is on before.
		if (paused) await gating;
		const setup = Promise.all([
			cdp.send('DOM.enable'),
			cdp.send('Overlay.enable'),
			// NOTE: for the page's dialogs (Page.javascriptDialogOpening).
			cdp.send('Page.enable'),
			// NOTE: a file chooser is offered to the customer's device instead (see setFiles).
			cdp.send('Page.setInterceptFileChooserDialog', { enabled: true }),
			context.masked ? MaskDetector.install(cdp, rules) : undefined,
			emulate(cdp, shape, context.version, context.lang, context.timeZone),
			gating,
		]);
		setup.catch(() => undefined);
		await paused?.resume();
		const [, , , , detector] = await setup;
		return { cdp, detector, shape, gate };
	}

	constructor(page: Page, prepared: PreparedTab, context: TabContext) {
		super();
		this.page = page;
		this.cdp = prepared.cdp;
		this.detector = prepared.detector;
		this.#shape = prepared.shape;
		this.#context = context;
		const detector = prepared.detector;
		this.gateway = new InputGateway(
			{
				// NOTE: without a detector (a session with no masked rendition) nothing can judge
				// an agent's input: it is refused.
				check: (attempt, seq) => (detector ? detector.check(attempt, seq) : Promise.resolve({ refused: 'unseen' as const })),
				sender: (who) => detector?.sender(who) ?? Promise.resolve(),
				send: (command) => this.#send(command),
			},
			context.viewport,
			(refusal) => this.emit('refused', refusal),
			() => this.emit('inputdropped', 'agent_rate'),
		);
		if (detector) {
			detector.on('refusal', ({ reason, kind }) => this.gateway.refusedInPage(reason, kind));
			detector.on('locks', (locks) => this.emit('locks', locks));
			detector.on('generation', (generation) => this.emit('generation', generation));
			detector.on('report', (report) => this.emit('report', report));
			detector.on('badreport', () => this.emit('badreport'));
			detector.on('picker', (picker, choose) => this.emit('picker', picker, choose));
			detector.on('focus', (focus) => this.emit('focus', focus));
			detector.on('scroll', (scroll) => {
				this.scroll = scroll;
				this.emit('scroll', scroll);
			});
		}
		prepared.gate.refused = (url, problem) => this.emit('navigationrefused', { url, problem, first: !this.#shown });
		// NOTE: told once whoever listens has had a chance to (the CloudBrowser, just after this).
		if (prepared.gate.early.length > 0) queueMicrotask(() => prepared.gate.early.splice(0).forEach(([url, problem]) => prepared.gate.refused(url, problem)));
		page.on('framenavigated', (frame) => {
			if (frame !== page.mainFrame()) return;
			this.scroll = { x: 0, y: 0, scale: 1 };
			if (frame.url() !== 'about:blank') this.#shown = true;
			this.#loading = true;
			this.emit('navigated');
			this.emit('changed');
		});
		const loaded = () => {
			this.#loading = false;
			this.emit('changed');
		};
		page.on('load', loaded);
		page.on('domcontentloaded', loaded);
		page.on('requestfailed', (request) => {
			if (request.isNavigationRequest() && request.frame() === page.mainFrame()) this.#failedLoad = { url: request.url(), netError: request.failure()?.errorText ?? '' };
		});
		page.once('close', () => this.#onClosed());
		// NOTE: a tab the page opened may have loaded before its Page object existed.
		void page
			.evaluate(() => document.readyState)
			.then((ready) => {
				if (ready !== 'loading' && this.#loading) loaded();
			})
			.catch(() => undefined);
		this.cdp.on('Page.frameNavigated', ({ frame }) => {
			if (!frame.parentId && frame.url.startsWith('chrome-error:')) void this.#showErrorPage(frame.id, frame.unreachableUrl);
		});
		this.cdp.on('Page.fileChooserOpened', ({ backendNodeId, mode }) => {
			if (backendNodeId === undefined) return;
			void this.cdp
				.send('DOM.describeNode', { backendNodeId })
				.then(({ node }) => {
					const attributes = node.attributes ?? [];
					const at = attributes.indexOf('accept');
					this.emit('filechooser', { backendNodeId, multiple: mode === 'selectMultiple', accept: at >= 0 && at % 2 === 0 ? (attributes[at + 1] ?? '').slice(0, 500) : '' });
				})
				.catch(() => undefined);
		});
		this.cdp.on('Page.javascriptDialogOpening', (event) => {
			const type = (['alert', 'confirm', 'prompt', 'beforeunload'] as const).find((t) => t === event.type) ?? 'alert';
			const dialog: PageDialog = { id: ++dialogSeq, type, message: event.message, defaultValue: event.defaultPrompt ?? '' };
			this.#dialog = dialog;
			this.emit('dialog', dialog);
		});
		this.cdp.on('Page.javascriptDialogClosed', (event) => {
			const dialog = this.#dialog;
			if (!dialog) return;
			this.#dialog = undefined;
			this.emit('dialogclosed', { id: dialog.id, accepted: event.result });
		});
	}

	get closed(): boolean {
		return this.#closed;
	}

	get loading(): boolean {
		return this.#loading;
	}

	/** The shape the tab has. */
	get shape(): Shape {
		return this.#shape;
	}

	/** The tab's URL (the address that failed, on an error page), title and loading state. */
	async state(): Promise<{ url: string; title: string; loading: boolean }> {
		const loading = this.#loading;
		const url = this.page.url();
		const failed = url.startsWith('chrome-error:') ? this.#failedLoad : undefined;
		if (failed) return { url: failed.url, title: 'This page could not be opened', loading };
		const title = this.#closed ? '' : await this.page.title().catch(() => '');
		return { url, title, loading };
	}

	/**
	 * Replaces Chromium's error page (`chrome-error://`, a raw network code) with a plain one
	 * that says why in words and offers to try again; the history entry stays the address
	 * that failed, so reload and back work as in a browser.
	 */
	async #showErrorPage(frameId: string, unreachableUrl: string | undefined): Promise<void> {
		const failed = this.#failedLoad;
		const url = unreachableUrl ?? failed?.url ?? '';
		if (failed?.url !== url) this.#failedLoad = { url, netError: failed?.netError ?? '' };
		const { reason } = navigationError(new Error(`net::${this.#failedLoad!.netError.replace(/^net::/, '')}`), this.#context.refusedRecently(url));
		await this.cdp.send('Page.setDocumentContent', { frameId, html: errorPageHtml(url, reason, this.#context.lang) }).catch((error: Error) => {
			if (!this.#closed) this.#context.logger.debug({ err: error.message }, 'error page not shown');
		});
		this.emit('changed');
	}

	/** The tab's open dialog, if any. */
	get dialog(): PageDialog | undefined {
		return this.#dialog;
	}

	/** Answers the open dialog `id`. False if it is no longer open. */
	async answerDialog(id: number, accept: boolean, text?: string): Promise<boolean> {
		const dialog = this.#dialog;
		if (dialog?.id !== id) return false;
		await this.cdp.send('Page.handleJavaScriptDialog', { accept, ...(dialog.type === 'prompt' && text !== undefined ? { promptText: text } : {}) });
		return true;
	}

	/**
	 * Gives the tab a shape (see CloudBrowser.setShape); reloads it when `reload` (a change
	 * of user agent or layout, which a page reads as it loads) and it shows a web page that
	 * no navigation is replacing.
	 */
	async emulate(shape: Shape, reload: boolean): Promise<void> {
		await emulate(this.cdp, shape, this.#context.version, this.#context.lang, this.#context.timeZone);
		this.#shape = shape;
		if (reload && /^https?:/.test(this.page.url()) && this.#navigations === 0) {
			await this.afterStartPage();
			await this.page.reload({ waitUntil: 'domcontentloaded', timeout: 15_000 }).catch((error: Error) => this.#context.logger.warn({ err: error.message }, 'reload for the new shape failed'));
		}
	}

	/** Gives the tab's pages the session's language and time zone now (its context has them). */
	async relocalize(): Promise<void> {
		const { lang, timeZone } = this.#context;
		// NOTE: only the user agent (its acceptLanguage is navigator.language), the locale and
		// the time zone: the page's metrics stay as they are.
		const commands = [...emulationCommands(this.#shape, this.#context.version, lang).filter((c) => c.method === 'Emulation.setUserAgentOverride'), ...localeCommands(lang, timeZone)];
		await Promise.all([
			...commands.map((c) => this.cdp.send(c.method, c.params as never).catch((error: Error) => (c.method === 'Emulation.setUserAgentOverride' ? Promise.reject(error) : undefined))),
			this.page.setExtraHTTPHeaders({ 'Accept-Language': acceptLanguage(lang) }),
		]);
	}

	/** Opens the tab's first page (the start page, or a new tab's): later navigations wait for it. */
	openFirst(url: string, lang: string): void {
		this.#startPage = openStartPage(this.page, url, lang).catch((error: Error) => {
			if (!this.#closed) this.#context.logger.warn({ err: error.message }, 'start page did not load');
		});
	}

	/**
	 * Navigates the tab. The caller validates the URL; `shaped` settles once a shape change
	 * in flight is done (the new document loads with the new shape).
	 * @throws NavigationError with a message safe to show to participants.
	 */
	async navigate(url: string, shaped: Promise<void>, refusals: { count: number; refusedSince(since: number, url: string): boolean }): Promise<void> {
		await this.afterStartPage();
		const since = refusals.count;
		let response: HTTPResponse | null;
		try {
			response = await this.#navigating(shaped, () => this.page.goto(url, { waitUntil: 'domcontentloaded', timeout: 15_000 }));
		} catch (error) {
			throw navigationError(error, refusals.count > since);
		}
		// NOTE: a refused plain-http request gets the proxy's 403 page, which Chromium shows.
		if (response?.status() === 403 && refusals.refusedSince(since, response.url())) throw new NavigationError('refused');
	}

	async history(action: 'back' | 'forward' | 'reload', shaped: Promise<void>): Promise<void> {
		await this.afterStartPage();
		const opts = { waitUntil: 'domcontentloaded' as const, timeout: 15_000 };
		await this.#navigating(shaped, () => (action === 'back' ? this.page.goBack(opts) : action === 'forward' ? this.page.goForward(opts) : this.page.reload(opts)));
	}

	async #navigating<T>(shaped: Promise<void>, go: () => Promise<T>): Promise<T> {
		this.#navigations++;
		try {
			await shaped;
			return await go();
		} finally {
			this.#navigations--;
		}
	}

	/**
	 * Waits (a few seconds at most) for the first page's navigation: a navigation asked for
	 * while it is still being sent would otherwise be overtaken by it.
	 */
	async afterStartPage(): Promise<void> {
		let timer: NodeJS.Timeout | undefined;
		await Promise.race([this.#startPage, new Promise<void>((resolve) => (timer = setTimeout(resolve, START_PAGE_WAIT_MS)))]);
		clearTimeout(timer);
	}

	/**
	 * Injects one participant's input, through the policy gateway. Returns at once; refusals
	 * come as `refused` events. Nothing while a dialog is open.
	 */
	inject(participantId: string, message: InputMessage, sender: Sender): void {
		if (this.#dialog || this.#closed) return;
		let state = this.#inputStates.get(participantId);
		if (!state) {
			state = new InputState();
			this.#inputStates.set(participantId, state);
		}
		const viewport = this.#context.viewport;
		const commands = toCdpCommands(message, viewport, state);
		if (commands.length === 0) return;
		// NOTE: before the input is sent: frames that may show its effect wait for the
		// detector's next report (see compositor.ts).
		const seq = this.#context.nextSeq();
		const [scrollX, scrollY] = scrollBound(message, viewport, state);
		this.#context.mask(this, { kind: 'input', at: Date.now(), seq, scrolls: scrollX > 0 || scrollY > 0 });
		this.detector?.input(seq, scrollX, scrollY);
		this.gateway.submit(participantId, sender, message, commands, seq);
	}

	/** Forgets a participant's held buttons (they left mid-drag, or the tab is no longer shown to them). */
	releaseInput(participantId: string): void {
		this.#inputStates.delete(participantId);
	}

	/** Shows a 1-pixel overlay at 1% opacity at (x, 0): a new frame that page scripts cannot see. */
	paintPixel(x: number): Promise<unknown> {
		return this.cdp.send('Overlay.highlightRect', { x, y: 0, width: 1, height: 1, color: { r: 0, g: 0, b: 0, a: 0.01 } });
	}

	hideOverlay(): Promise<unknown> {
		return this.cdp.send('Overlay.hideHighlight');
	}

	/**
	 * Puts files into the upload field `backendNodeId` as the browser's file chooser would:
	 * its `files`, then `input` and `change` events. False if the field is gone.
	 * NOTE: built in the page from the bytes (a DataTransfer's files): nothing is written where
	 * the browser's user could reach it.
	 */
	async setFiles(backendNodeId: number, files: UploadFile[]): Promise<boolean> {
		try {
			const { object } = await this.cdp.send('DOM.resolveNode', { backendNodeId });
			if (!object.objectId) return false;
			const payload = files.map((file) => ({ name: file.name, type: file.type, data: Buffer.from(file.bytes).toString('base64') }));
			const result = await this.cdp.send('Runtime.callFunctionOn', {
				objectId: object.objectId,
				functionDeclaration: SET_FILES,
				arguments: [{ value: payload }],
				returnByValue: true,
			});
			void this.cdp.send('Runtime.releaseObject', { objectId: object.objectId }).catch(() => undefined);
			return result.result.value === true;
		} catch {
			return false;
		}
	}

	/**
	 * The bytes at `url`, fetched by the page of frame `frameId` itself (its cookies, its
	 * blobs; through the session's egress proxy), at most `maxBytes`.
	 */
	async fetchInPage(url: string, maxBytes: number): Promise<{ bytes: Uint8Array; type: string } | { error: 'too_large' | 'failed' }> {
		try {
			// NOTE: in a world of its own: the page's scripts cannot replace fetch or btoa to
			// hand Node something else, or something larger than the limit.
			const frameId = (this.page.mainFrame() as unknown as { _id: string })._id;
			const { executionContextId } = await this.cdp.send('Page.createIsolatedWorld', { frameId, worldName: 'alongside-download' });
			const result = await this.cdp.send('Runtime.evaluate', {
				contextId: executionContextId,
				expression: `(${FETCH_BYTES})(${JSON.stringify(url)}, ${maxBytes})`,
				awaitPromise: true,
				returnByValue: true,
				timeout: 30_000,
			});
			const value = result.result.value as { data?: string; type?: string; error?: 'too_large' | 'failed' } | undefined;
			if (typeof value?.data === 'string' && value.data.length > Math.ceil(maxBytes / 3) * 4 + 4) return { error: 'too_large' };
			if (!value || value.error || typeof value.data !== 'string') return { error: value?.error === 'too_large' ? 'too_large' : 'failed' };
			const bytes = Buffer.from(value.data, 'base64');
			if (bytes.byteLength > maxBytes) return { error: 'too_large' };
			return { bytes, type: String(value.type ?? '').slice(0, 100) };
		} catch {
			return { error: 'failed' };
		}
	}

	/** Closes the tab (its `beforeunload` is not asked). */
	async close(): Promise<void> {
		if (this.#closed) return;
		await this.page.close({ runBeforeUnload: false }).catch(() => undefined);
		this.#onClosed();
	}

	#onClosed(): void {
		if (this.#closed) return;
		this.#closed = true;
		this.gateway.close();
		this.emit('closed');
	}

	#send(command: CdpCommand): Promise<unknown> {
		return this.cdp.send(command.method, command.params as never).catch((error: Error) => {
			if (!this.#closed) this.emit('inputerror', error);
		});
	}
}

/** Sets an upload field's files from `[{ name, type, data (base64) }]` (run on the field). */
const SET_FILES = `function (files) {
	if (!(this instanceof HTMLInputElement) || this.type !== 'file' || !this.isConnected) return false;
	const transfer = new DataTransfer();
	for (const file of files) {
		const binary = atob(file.data);
		const bytes = new Uint8Array(binary.length);
		for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
		transfer.items.add(new File([bytes], file.name, { type: file.type }));
	}
	this.files = transfer.files;
	this.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
	this.dispatchEvent(new Event('change', { bubbles: true }));
	return true;
}`;

/** Fetches a URL in the page (its credentials), at most `max` bytes, as base64. */
const FETCH_BYTES = `async function (url, max) {
	try {
		const response = await fetch(url, { credentials: 'include' });
		if (!response.ok || !response.body) return { error: 'failed' };
		const reader = response.body.getReader();
		const chunks = [];
		let size = 0;
		for (;;) {
			const { done, value } = await reader.read();
			if (done) break;
			size += value.byteLength;
			if (size > max) { reader.cancel(); return { error: 'too_large' }; }
			chunks.push(value);
		}
		let binary = '';
		for (const chunk of chunks) for (let i = 0; i < chunk.length; i += 0x8000) binary += String.fromCharCode.apply(null, chunk.subarray(i, i + 0x8000));
		return { data: btoa(binary), type: response.headers.get('content-type') || '' };
	} catch {
		return { error: 'failed' };
	}
}`;

/** Numbers the dialogs of every tab (an answer names the one it is for). */
let dialogSeq = 0;

/** Gives a page `shape`, a language and a time zone (see emulation.ts), one command after the other. */
export async function emulate(cdp: CDPSession, shape: Shape, version: string, lang: string, timeZone?: string): Promise<void> {
	// NOTE: sent together: one session keeps them in order. The locale and time zone are a
	// renderer process's: another tab of the same site (same process) may have set them
	// already, which Chromium answers with an error; they are the session's, so the same.
	await Promise.all([
		...emulationCommands(shape, version, lang).map((command) => cdp.send(command.method, command.params as never)),
		...localeCommands(lang, timeZone).map((command) => cdp.send(command.method, command.params as never).catch(() => undefined)),
	]);
}

/** Opens a page in the tab, in the browser's language. */
async function openStartPage(page: Page, url: string, lang: string): Promise<void> {
	await page.setExtraHTTPHeaders({ 'Accept-Language': acceptLanguage(lang) });
	await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 15_000 });
}
