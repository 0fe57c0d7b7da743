/**
 * Node's side of the masking detector (publisher/page/detector.ts) in one tab: installs it
 * in an isolated world of every frame from document start, delivers the masking rules
 * (at start, when a warm browser is bound to a company, and whenever the company saves
 * new ones), tells it of input, and hands on its reports.
 *
 * Each delivery of rules has a higher generation. The compositor is told the newest one
 * first and covers every frame whose state was found with older rules, so a rule takes
 * effect on the very next frame the detector reports, never later than that.
 */
import { EventEmitter } from 'node:events';
import type { CDPSession } from 'puppeteer-core';
import type { AttemptKind, RefusalReason } from '../protocol/detector.js';
import { CLOSED_SHADOW_ATTRIBUTE, DETECTOR_BINDING, DETECTOR_WORLD, DetectorReport, type DetectorRules, GuardRefusal, LockRegions, type MaskRules, Verdict } from '../protocol/masking.js';
import type { Attempt, Sender } from './InputGateway.js';
import { detectorScript } from './bundle.js';

export interface MaskDetectorEvents {
	/** A report that parsed, from the detector of the tab's top frame. */
	report: [DetectorReport];
	/** A report that did not parse (the frame it names stays covered). */
	badreport: [];
	/** The rules generation the compositor must now require (null: no rules yet). */
	generation: [number | null];
	/** Where the locked controls are now (only when asked, see showLocks). */
	locks: [LockRegions['locks']];
	/** The in-page guard cancelled an agent's input by itself. */
	refusal: [{ reason: RefusalReason; kind: AttemptKind; input: number }];
}

/** Marks (in the page's own world) the hosts of closed shadow roots, after their constructor ran. */
const CLOSED_SHADOW_MARKER = `(() => {
	const attach = Element.prototype.attachShadow;
	Element.prototype.attachShadow = function (init) {
		const root = attach.call(this, init);
		if (init && init.mode === 'closed') queueMicrotask(() => this.setAttribute('${CLOSED_SHADOW_ATTRIBUTE}', ''));
		return root;
	};
})();`;

export class MaskDetector extends EventEmitter<MaskDetectorEvents> {
	readonly #cdp: CDPSession;
	readonly #source: string;
	#delivered: DetectorRules | undefined;
	/** The script that starts the detector in new documents, with the newest rules. */
	#scriptId: string | undefined;
	/** The top frame's detector context, from its latest report. */
	#context: number | undefined;
	/** Contexts already sent the newest rules because they reported older ones (once each). */
	readonly #caughtUp = new Set<string>();
	/** Deliveries in order: a second one waits for the first to be installed. */
	#queue: Promise<void> = Promise.resolve();

	private constructor(cdp: CDPSession, source: string) {
		super();
		this.#cdp = cdp;
		this.#source = source;
		cdp.on('Runtime.bindingCalled', (event) => {
			if (event.name !== DETECTOR_BINDING) return;
			this.#context = event.executionContextId;
			this.#onReport(event.executionContextId, event.payload);
		});
	}

	/**
	 * Installs the detector in the tab of `cdp` (its documents already open, and every new
	 * one). With `rules` null, the session has none yet: the compositor covers every frame
	 * until {@link setRules}.
	 */
	static async install(cdp: CDPSession, rules: MaskRules | null): Promise<MaskDetector> {
		const detector = new MaskDetector(cdp, await detectorScript());
		// NOTE: scripts for new documents and bindings only work in a session with the Page and
		// Runtime domains on.
		await Promise.all([cdp.send('Page.enable'), cdp.send('Runtime.enable')]);
		await cdp.send('Runtime.addBinding', { name: DETECTOR_BINDING, executionContextName: DETECTOR_WORLD });
		// NOTE: the one part in the page's own world (closed shadow roots are out of the
		// detector's reach): it marks their hosts, which the detector then masks whole. A page
		// can undo it, but a page that wants to show its own data to the agent can anyway.
		await cdp.send('Page.addScriptToEvaluateOnNewDocument', { source: CLOSED_SHADOW_MARKER, runImmediately: true });
		// NOTE: without rules the detector still runs (with the built-in ones, as generation
		// 0), so that binding it to a company only changes its rules.
		await detector.#install({ rules: rules ?? { disabled: [], custom: [] }, generation: rules ? 1 : 0 }, true);
		return detector;
	}

	/** The newest rules generation (0: none delivered). */
	get generation(): number {
		return this.#delivered?.generation ?? 0;
	}

	/** Delivers new rules: to new documents, and to the detector of the open one. */
	setRules(rules: MaskRules): Promise<void> {
		const next = this.#queue.then(() => this.#install({ rules, generation: this.generation + 1 }, false));
		this.#queue = next.catch(() => undefined);
		return next;
	}

	/**
	 * Tells the top frame's detector that input `seq` is on its way, and how far it may scroll
	 * the page (CSS px per axis; 0: it does not scroll), before the input is sent (see
	 * detector.ts). Best effort: until the detector acknowledges it, frames wait.
	 */
	input(seq: number, scrollX: number, scrollY: number): void {
		if (this.#context === undefined) return;
		void this.#call(this.#context, `input(${seq}, ${Math.ceil(scrollX)}, ${Math.ceil(scrollY)})`);
	}

	/**
	 * The detector's verdict on an agent's input about to be sent (see InputGateway). Fails
	 * closed: no detector yet, a context gone, or an answer that does not parse is `unseen`.
	 */
	async check(attempt: Attempt, seq: number): Promise<Verdict> {
		const context = this.#context;
		if (context === undefined) return { refused: 'unseen' };
		const call = `check(${seq}, ${JSON.stringify(attempt.kind)}, ${attempt.x}, ${attempt.y}, ${JSON.stringify(attempt.key)}, ${attempt.alt})`;
		const result = await this.#cdp.send('Runtime.evaluate', { contextId: context, expression: `globalThis.__alongsideDetector?.${call}`, returnByValue: true }).catch(() => undefined);
		const value: unknown = result?.result.value;
		if (typeof value !== 'string') return { refused: 'unseen' };
		try {
			return Verdict.parse(JSON.parse(value));
		} catch {
			return { refused: 'unseen' };
		}
	}

	/**
	 * Asks the detectors to report where locked controls are (a rules preview), from now on:
	 * the open document now, every new one as it first reports.
	 */
	showLocks(on: boolean): void {
		this.#showLocks = on;
		this.#locksContext = undefined;
		if (this.#context !== undefined) this.#tellLocks(this.#context);
	}

	#showLocks = false;
	#locksContext: number | undefined;

	#tellLocks(context: number): void {
		this.#locksContext = context;
		void this.#call(context, `showLocks(${this.#showLocks})`);
	}

	/** Tells the guard whose input comes next (the agent's is armed by `check`). */
	async sender(who: Sender): Promise<void> {
		if (this.#context !== undefined) await this.#call(this.#context, `sender(${JSON.stringify(who)})`);
	}

	async #install(delivered: DetectorRules, first: boolean): Promise<void> {
		this.#delivered = delivered;
		// NOTE: the compositor learns the generation before any state found with it can
		// arrive: from now on, older states' frames are covered.
		this.emit('generation', delivered.generation === 0 ? null : delivered.generation);
		const previous = this.#scriptId;
		const { identifier } = await this.#cdp.send('Page.addScriptToEvaluateOnNewDocument', {
			source: `globalThis.__alongsideRules = ${JSON.stringify(delivered)};\n${this.#source}`,
			worldName: DETECTOR_WORLD,
			runImmediately: first,
		});
		this.#scriptId = identifier;
		// NOTE: a script already gone (seen once in a bench: "Script not found") is no reason
		// to leave the open document with the older rules.
		if (previous) await this.#cdp.send('Page.removeScriptToEvaluateOnNewDocument', { identifier: previous }).catch(() => undefined);
		if (!first && this.#context !== undefined) await this.#deliver(this.#context);
	}

	/** Sends the newest rules to one detector context. */
	async #deliver(context: number): Promise<void> {
		if (this.#delivered) await this.#call(context, `setRules(${JSON.stringify(this.#delivered)})`);
	}

	/**
	 * Calls the detector in one context, e.g. `input(1, 0, 0)`. A context that has gone
	 * (its document navigated away) reports nothing more, and its successor reports by itself.
	 */
	async #call(context: number, call: string): Promise<void> {
		await this.#cdp.send('Runtime.evaluate', { contextId: context, expression: `globalThis.__alongsideDetector?.${call}` }).catch(() => undefined);
	}

	#onReport(context: number, payload: string): void {
		let report: DetectorReport;
		try {
			const parsed: unknown = JSON.parse(payload);
			if (parsed && typeof parsed === 'object' && 'refusal' in parsed) {
				this.emit('refusal', GuardRefusal.parse(parsed).refusal);
				return;
			}
			if (parsed && typeof parsed === 'object' && 'locks' in parsed) {
				this.emit('locks', LockRegions.parse(parsed).locks);
				return;
			}
			report = DetectorReport.parse(parsed);
		} catch {
			this.emit('badreport');
			return;
		}
		// NOTE: a document that started between a delivery's script and its evaluation (or
		// whose evaluation failed) reports older rules: its frames are covered; catch it up.
		const generation = this.generation;
		if (report.rules !== undefined && report.rules < generation) {
			const key = `${context}:${generation}`;
			if (!this.#caughtUp.has(key)) {
				this.#caughtUp.add(key);
				if (this.#caughtUp.size > 256) this.#caughtUp.delete(this.#caughtUp.values().next().value!);
				void this.#deliver(context);
			}
		}
		if (this.#showLocks && context !== this.#locksContext) this.#tellLocks(context);
		this.emit('report', report);
	}
}
