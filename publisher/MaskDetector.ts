/**
 * Node's side of the masking detector (publisher/page/detector.ts) in one tab: installs it
 * in an isolated world of every frame from document start, delivers the masking rules
 * (at start, when a warm browser is bound to a company, and whenever the company saves
 * new ones), tells it of input, and hands on its reports.
 *
 * Cross-origin iframes have detectors of their own, which only lock (the top one hides
 * such a frame whole from the agent): in this tab's process through the same scripts, in
 * other processes (out-of-process iframes) through a CDP session per frame, attached before
 * the frame's document runs. An agent's click that lands in one is hit-tested through CDP
 * and judged by that frame's detector; a key, by the detector of the frame with the focus.
 *
 * Each delivery of rules has a higher generation. The compositor is told the newest one
 * first and covers every frame whose state was found with older rules, so a rule takes
 * effect on the very next frame the detector reports, never later than that.
 */
import { EventEmitter } from 'node:events';
import { type CDPSession, CDPSessionEvent, type Protocol } from 'puppeteer-core';
import type { AttemptKind, RefusalReason } from '../protocol/detector.js';
import { CLOSED_SHADOW_ATTRIBUTE, DETECTOR_BINDING, DETECTOR_WORLD, DetectorReport, type DetectorRules, GuardRefusal, LockRegions, type MaskRules, FocusReport, PickerReport, ScrollReport, Verdict } from '../protocol/masking.js';
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
	/**
	 * A frame's detector kept the browser from opening a picker (a select's list, a date or
	 * colour picker) and reports it instead; `choose` sets what was chosen (null: none),
	 * resolving false if the picker or its field is gone or the value is not one it takes.
	 */
	picker: [PickerReport['picker'], (value: string | null) => Promise<boolean>];
	/** The focus moved into or out of a field one types into (see reportFocus in page/detector.ts). */
	focus: [FocusReport['focus']];
	/** The top document scrolled or zoomed (see the scroll part of page/detector.ts). */
	scroll: [ScrollReport['scroll']];
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

/**
 * How long a frame's detector may take to answer, ms: a frame whose page is busy (a
 * third-party script in a loop) must not hold up the session's input. No answer in time:
 * the agent's input there is refused.
 */
const FRAME_ANSWER_MS = 500;
/** How many frames deep (each a CDP hit test) an agent's click is followed. */
const MAX_DESCENT = 4;
/** What CDP's hit test is told: what a click reaches (pointer-events: none is passed through). */
const HIT_TEST = { includeUserAgentShadowDOM: false, ignorePointerEventsNone: false };
const UNSEEN: Verdict = { refused: 'unseen' };
/** Only iframes are attached to (not workers, nor other pages). */
const AUTO_ATTACH = { autoAttach: true, waitForDebuggerOnStart: true, flatten: true, filter: [{ type: 'iframe', exclude: false }] };

export class MaskDetector extends EventEmitter<MaskDetectorEvents> {
	readonly #cdp: CDPSession;
	readonly #source: string;
	#delivered: DetectorRules | undefined;
	/** The script that starts the detector in new documents, with the newest rules, per session (the tab's, each out-of-process frame's). */
	readonly #scriptIds = new Map<CDPSession, string>();
	/** The detector's world in each frame, per session: frame id → execution context. */
	readonly #contexts = new Map<CDPSession, Map<string, number>>();
	/** The sessions of out-of-process frames, by frame id. */
	readonly #frames = new Map<string, CDPSession>();
	/** Frame detectors whose guard was told the agent's input comes (`session id:context`). */
	readonly #armed = new Set<string>();
	/** Whose input the guards were last told of (frames that appear meanwhile are told too). */
	#sender: Sender = 'customer';
	/** Each out-of-process frame's session, with the session it was attached under. */
	readonly #parents = new Map<CDPSession, CDPSession>();
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
		this.#watch(cdp);
	}

	/** Follows a session's detector contexts, its reports, and the out-of-process frames under it. */
	#watch(session: CDPSession): void {
		const contexts = new Map<string, number>();
		this.#contexts.set(session, contexts);
		const forget = (id: number) => {
			for (const [frame, context] of contexts) if (context === id) contexts.delete(frame);
			this.#armed.delete(`${session.id()}:${id}`);
		};
		session.on('Runtime.executionContextCreated', ({ context }) => {
			const frameId = (context.auxData as { frameId?: string } | undefined)?.frameId;
			if (context.name !== DETECTOR_WORLD || !frameId) return;
			contexts.set(frameId, context.id);
			// NOTE: a frame that appears while the agent's input is being handled is guarded at once.
			if (this.#sender === 'agent' && !(session === this.#cdp && context.id === this.#context)) void this.#armFrames();
		});
		session.on('Runtime.executionContextDestroyed', ({ executionContextId }) => forget(executionContextId));
		session.on('Runtime.executionContextsCleared', () => {
			for (const context of contexts.values()) this.#armed.delete(`${session.id()}:${context}`);
			contexts.clear();
		});
		session.on('Runtime.bindingCalled', (event) => {
			if (event.name === DETECTOR_BINDING) this.#onReport(session, event.executionContextId, event.payload);
		});
		session.on('Target.attachedToTarget', (event) => void this.#attachFrame(session, event));
		session.on(CDPSessionEvent.SessionDetached, (child) => this.#forgetSession(child));
	}

	/** A frame's session is gone: it, and the sessions of frames in it. */
	#forgetSession(session: CDPSession): void {
		for (const [frameId, frame] of this.#frames) if (frame === session) this.#frames.delete(frameId);
		for (const context of this.#contexts.get(session)?.values() ?? []) this.#armed.delete(`${session.id()}:${context}`);
		this.#contexts.delete(session);
		this.#scriptIds.delete(session);
		this.#parents.delete(session);
		for (const [child, parent] of this.#parents) if (parent === session) this.#forgetSession(child);
	}

	/**
	 * An out-of-process frame appeared (paused before its document runs): the detector is
	 * installed in it, then it runs. Installing can fail (the frame went away): its
	 * detector is then missing, and the agent's input there is refused.
	 */
	async #attachFrame(parent: CDPSession, event: Protocol.Target.AttachedToTargetEvent): Promise<void> {
		const session = parent.connection()?.session(event.sessionId);
		if (!session) return;
		if (event.targetInfo.type !== 'iframe') {
			await session.send('Runtime.runIfWaitingForDebugger').catch(() => undefined);
			return;
		}
		const frameId = event.targetInfo.targetId;
		this.#frames.set(frameId, session);
		this.#parents.set(session, parent);
		this.#watch(session);
		try {
			await Promise.all([session.send('Page.enable'), session.send('Runtime.enable')]);
			await session.send('Runtime.addBinding', { name: DETECTOR_BINDING, executionContextName: DETECTOR_WORLD });
			await session.send('Page.addScriptToEvaluateOnNewDocument', { source: CLOSED_SHADOW_MARKER, runImmediately: true });
			await this.#installScript(session, true);
			await session.send('Target.setAutoAttach', AUTO_ATTACH);
		} catch {
			// NOTE: fails closed (see above).
		} finally {
			await session.send('Runtime.runIfWaitingForDebugger').catch(() => undefined);
		}
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
		// NOTE: out-of-process frames (already open ones too) wait for their detector.
		await cdp.send('Target.setAutoAttach', AUTO_ATTACH);
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
	 * What is selected in the tab's top document, for a copy to a viewer's clipboard;
	 * `guarded` (agents, supervisors): undefined when it touches anything masked. Undefined
	 * too when the detector cannot say.
	 */
	async selectionText(guarded: boolean): Promise<string | undefined> {
		if (this.#context === undefined) return undefined;
		const result = await this.#cdp
			.send('Runtime.evaluate', { contextId: this.#context, expression: `globalThis.__alongsideDetector?.selectionText?.(${guarded})`, returnByValue: true })
			.catch(() => undefined);
		try {
			const parsed = JSON.parse(String(result?.result.value)) as { text?: unknown; refused?: unknown };
			return typeof parsed.text === 'string' && parsed.refused === undefined ? parsed.text : undefined;
		} catch {
			return undefined;
		}
	}

	/**
	 * Asks the top frame's detector for a new state now (the compositor covers every frame
	 * after a tab switch until one arrives; a page at rest would otherwise only tick).
	 */
	reportNow(): void {
		if (this.#context === undefined) return;
		void this.#call(this.#context, 'reportNow?.()');
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
		if (context === undefined) return UNSEEN;
		// NOTE: the frames' guards are armed while the top frame checks; both before the input is sent.
		const arming = this.#armFrames();
		const call = `check(${seq}, ${JSON.stringify(attempt.kind)}, ${attempt.x}, ${attempt.y}, ${JSON.stringify(attempt.key)}, ${attempt.alt})`;
		let verdict = await this.#verdict(this.#cdp, context, call);
		if (verdict.descend) verdict = { ...(await this.#descend(verdict.descend, seq)), ms: verdict.ms };
		else if (verdict.elsewhere) verdict = { ...(await this.#focusedFrame(attempt, seq)), ms: verdict.ms };
		await arming;
		return verdict;
	}

	/** One detector's verdict (a call returning one as JSON); anything else fails closed. */
	async #verdict(session: CDPSession, context: number, call: string): Promise<Verdict> {
		const evaluated = session.send('Runtime.evaluate', { contextId: context, expression: `globalThis.__alongsideDetector?.${call}`, returnByValue: true });
		const result = await (session === this.#cdp ? evaluated : inTime(evaluated)).catch(() => undefined);
		return parseVerdict(result?.result.value);
	}

	/** Calls a function of the detector in `context` on the node `backendNodeId` (resolved into that context); its value. */
	async #onNode(session: CDPSession, context: number, backendNodeId: number, call: string): Promise<unknown> {
		const { object } = await inTime(session.send('DOM.resolveNode', { backendNodeId, executionContextId: context }));
		if (!object.objectId) return undefined;
		try {
			const result = await inTime(
				session.send('Runtime.callFunctionOn', {
					objectId: object.objectId,
					functionDeclaration: `function () { const d = globalThis.__alongsideDetector; return d ? d.${call} : undefined; }`,
					returnByValue: true,
				}),
			);
			return result.result.value;
		} finally {
			void session.send('Runtime.releaseObject', { objectId: object.objectId }).catch(() => undefined);
		}
	}

	/** The frame id of a detector context of a session. */
	#frameOf(session: CDPSession, context: number): string | undefined {
		for (const [frameId, id] of this.#contexts.get(session) ?? []) if (id === context) return frameId;
		return undefined;
	}

	/**
	 * Follows an agent's click into what the detector could not see into: CDP's hit test at
	 * the point finds an out-of-process frame (its detector checks the point in its own
	 * viewport, and may descend further) or the node itself (in a closed shadow root, or in
	 * a cross-origin frame of this process), which the detector of its frame judges.
	 */
	async #descend(first: NonNullable<Verdict['descend']>, seq: number): Promise<Verdict> {
		let session = this.#cdp;
		/** The context of the detector that descended, and where. */
		let context = this.#context!;
		let step = first;
		try {
			for (let depth = 0; depth < MAX_DESCENT; depth++) {
				// NOTE: CDP's hit test takes whole CSS px: a point on a pixel's edge could find the neighbour, so the detector's own check of the node below vouches for it.
				const [x, y] = step.at.map((v) => Math.floor(v)) as [number, number];
				const hit = await inTime(session.send('DOM.getNodeForLocation', { x, y, ...HIT_TEST }));
				const { node } = await inTime(session.send('DOM.describeNode', { backendNodeId: hit.backendNodeId }));
				const frame = node.frameId !== undefined && (node.nodeName === 'IFRAME' || node.nodeName === 'FRAME') ? this.#frames.get(node.frameId) : undefined;
				if (frame) {
					// NOTE: the out-of-process frame must be the iframe the detector descended
					// into, with a point it vouched for (not one in a closed shadow root, nor one
					// nested in another cross-origin frame of this process).
					const inner = this.#contexts.get(frame)?.get(node.frameId!);
					if (!step.frame || inner === undefined) return UNSEEN;
					if ((await this.#onNode(session, context, hit.backendNodeId, 'within(this)')) !== true) return UNSEEN;
					const [fx, fy] = step.frame;
					const verdict = await this.#verdict(frame, inner, `check(${seq}, "click", ${fx}, ${fy}, "", false)`);
					if (!verdict.descend) return verdict;
					session = frame;
					context = inner;
					step = verdict.descend;
					continue;
				}
				// A node this process holds: in what the detector descended into (a closed shadow
				// root: it judges the node itself), or in a cross-origin frame of this process
				// (whose iframe must be what it descended into; that frame's detector judges).
				const own = hit.frameId === this.#frameOf(session, context);
				if (!own) {
					const { backendNodeId: owner } = await inTime(session.send('DOM.getFrameOwner', { frameId: hit.frameId }));
					if ((await this.#onNode(session, context, owner, 'within(this)')) !== true) return UNSEEN;
				}
				const judging = this.#contexts.get(session)?.get(hit.frameId);
				if (judging === undefined) return UNSEEN;
				const verdict = parseVerdict(await this.#onNode(session, judging, hit.backendNodeId, `judgeNode(this, ${seq}, ${own})`));
				return verdict.descend || verdict.elsewhere ? UNSEEN : verdict;
			}
		} catch {
			// NOTE: a frame or node gone mid-way, or a frame too slow: fails closed.
		}
		return UNSEEN;
	}

	/**
	 * An agent's key or text while the focus is in a cross-origin frame: every frame's
	 * detector is asked, and the one whose document has the focus judges. None: refused.
	 */
	async #focusedFrame(attempt: Attempt, seq: number): Promise<Verdict> {
		const call = `checkFocused(${seq}, ${JSON.stringify(attempt.kind)}, ${JSON.stringify(attempt.key)}, ${attempt.alt})`;
		const asked: Promise<Verdict | undefined>[] = [];
		for (const [session, contexts] of this.#contexts) {
			for (const context of contexts.values()) {
				if (session === this.#cdp && context === this.#context) continue;
				asked.push(
					inTime(session.send('Runtime.evaluate', { contextId: context, expression: `globalThis.__alongsideDetector?.${call.replace('checkFocused(', 'checkFocused?.(')}`, returnByValue: true }))
						.then((result) => (result.result.value === '' || result.result.value === undefined ? undefined : parseVerdict(result.result.value)))
						.catch(() => undefined),
				);
			}
		}
		const answers = (await Promise.all(asked)).filter((v): v is Verdict => v !== undefined);
		if (answers.length === 0) return UNSEEN;
		const refused = answers.find((v) => v.refused || v.descend || v.elsewhere);
		return refused ? (refused.refused ? refused : UNSEEN) : answers[0]!;
	}

	/**
	 * Tells the guards of all frames' detectors not yet told that the agent's input comes.
	 * A frame too slow to answer is told again next time (the agent's input there is
	 * refused meanwhile: its check does not answer either).
	 */
	async #armFrames(): Promise<void> {
		this.#sender = 'agent';
		const told: Promise<unknown>[] = [];
		for (const [session, contexts] of this.#contexts) {
			for (const context of contexts.values()) {
				if (session === this.#cdp && context === this.#context) continue;
				const key = `${session.id()}:${context}`;
				if (this.#armed.has(key)) continue;
				this.#armed.add(key);
				told.push(inTime(session.send('Runtime.evaluate', { contextId: context, expression: `globalThis.__alongsideDetector?.sender?.("agent")` })).catch(() => this.#armed.delete(key)));
			}
		}
		if (told.length > 0) await Promise.all(told);
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
		const told: Promise<unknown>[] = [];
		if (this.#context !== undefined) told.push(this.#call(this.#context, `sender(${JSON.stringify(who)})`));
		if (who === 'agent') told.push(this.#armFrames());
		else {
			this.#sender = 'customer';
			this.#armed.clear();
			for (const [session, contexts] of this.#contexts) {
				for (const context of contexts.values()) {
					if (session === this.#cdp && context === this.#context) continue;
					// NOTE: a busy frame learns it later; the customer's input does not wait for it.
					told.push(inTime(session.send('Runtime.evaluate', { contextId: context, expression: `globalThis.__alongsideDetector?.sender?.("customer")` })).catch(() => undefined));
				}
			}
		}
		await Promise.all(told);
	}

	async #install(delivered: DetectorRules, first: boolean): Promise<void> {
		this.#delivered = delivered;
		// NOTE: the compositor learns the generation before any state found with it can
		// arrive: from now on, older states' frames are covered.
		this.emit('generation', delivered.generation === 0 ? null : delivered.generation);
		await this.#installScript(this.#cdp, first);
		if (first) return;
		if (this.#context !== undefined) await this.#deliver(this.#context);
		// NOTE: and to the frames' detectors (each session's script was replaced above).
		const frames: Promise<void>[] = [];
		for (const session of this.#frames.values()) await inTime(this.#installScript(session, false)).catch(() => undefined);
		for (const [session, contexts] of this.#contexts) {
			for (const context of contexts.values()) if (!(session === this.#cdp && context === this.#context)) frames.push(inTime(this.#deliver(context, session)).catch(() => undefined));
		}
		await Promise.all(frames);
	}

	/** Puts the newest rules' detector script in a session, in place of its older one. */
	async #installScript(session: CDPSession, first: boolean): Promise<void> {
		const previous = this.#scriptIds.get(session);
		const { identifier } = await session.send('Page.addScriptToEvaluateOnNewDocument', {
			source: `globalThis.__alongsideRules = ${JSON.stringify(this.#delivered)};\n${this.#source}`,
			worldName: DETECTOR_WORLD,
			runImmediately: first,
		});
		this.#scriptIds.set(session, identifier);
		// NOTE: a script already gone (seen once in a bench: "Script not found") is no reason
		// to leave the open document with the older rules.
		if (previous) await session.send('Page.removeScriptToEvaluateOnNewDocument', { identifier: previous }).catch(() => undefined);
	}

	/** Sends the newest rules to one detector context. */
	async #deliver(context: number, session = this.#cdp): Promise<void> {
		if (this.#delivered) await this.#call(context, `setRules(${JSON.stringify(this.#delivered)})`, session);
	}

	/**
	 * Calls the detector in one context, e.g. `input(1, 0, 0)`. A context that has gone
	 * (its document navigated away) reports nothing more, and its successor reports by itself.
	 */
	async #call(context: number, call: string, session = this.#cdp): Promise<void> {
		await session.send('Runtime.evaluate', { contextId: context, expression: `globalThis.__alongsideDetector?.${call}` }).catch(() => undefined);
	}

	/** Sets what was chosen in a picker the detector in `context` reported. */
	async #choose(session: CDPSession, context: number, id: number, value: string | null): Promise<boolean> {
		const result = await session
			.send('Runtime.evaluate', { contextId: context, expression: `globalThis.__alongsideDetector?.choose?.(${id}, ${JSON.stringify(value)}) === true`, returnByValue: true })
			.catch(() => undefined);
		return result?.result.value === true;
	}

	#onReport(session: CDPSession, context: number, payload: string): void {
		let report: DetectorReport;
		try {
			const parsed: unknown = JSON.parse(payload);
			if (parsed && typeof parsed === 'object' && 'refusal' in parsed) {
				this.emit('refusal', GuardRefusal.parse(parsed).refusal);
				return;
			}
			if (parsed && typeof parsed === 'object' && 'focus' in parsed) {
				this.emit('focus', FocusReport.parse(parsed).focus);
				return;
			}
			if (parsed && typeof parsed === 'object' && 'picker' in parsed) {
				const { picker } = PickerReport.parse(parsed);
				this.emit('picker', picker, (value) => this.#choose(session, context, picker.id, value));
				return;
			}
			// NOTE: only the tab's top frame reports what to mask (frames' detectors only lock).
			if (session !== this.#cdp) return;
			if (parsed && typeof parsed === 'object' && 'scroll' in parsed) {
				this.emit('scroll', ScrollReport.parse(parsed).scroll);
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
		this.#context = context;
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

/** A frame's answer, or a rejection once {@link FRAME_ANSWER_MS} have passed. */
function inTime<T>(answer: Promise<T>): Promise<T> {
	let timer: NodeJS.Timeout | undefined;
	const late = new Promise<never>((_, reject) => {
		timer = setTimeout(() => reject(new Error('the frame did not answer in time')), FRAME_ANSWER_MS);
	});
	return Promise.race([answer, late]).finally(() => clearTimeout(timer));
}

function parseVerdict(value: unknown): Verdict {
	if (typeof value !== 'string') return UNSEEN;
	try {
		return Verdict.parse(JSON.parse(value));
	} catch {
		return UNSEEN;
	}
}
