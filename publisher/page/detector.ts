/**
 * The detector: runs in the captured tab, in an isolated world of its own (page scripts
 * can neither see nor change its variables, prototypes or listeners), from document start.
 * It finds what the masking rules name, measures where it is on screen, and reports the
 * boxes with a tag that it paints into the page at the same time, so the compositor can
 * tell which state each captured frame shows (see compositor.ts and frameTag.ts).
 *
 * What it follows: DOM mutations (also in open shadow roots and same-origin iframes),
 * value and type changes, layout, scrolling (any scroller), transforms and animations
 * (geometry is measured on every animation frame and compared), focus, and the top layer
 * (the tag is raised above dialogs and popovers). Cross-origin iframes, plugins and PDF
 * viewers cannot be seen into: they are reported as boxes whole.
 *
 * Bundled to an IIFE by publisher/bundle.ts; evaluated by CDP in every frame, with the
 * rules in `globalThis.__alongsideRules`. Only the top frame's instance runs: it scans
 * same-origin child documents itself.
 */
import { type AttemptKind, CLOSED_SHADOW_ATTRIBUTE, DETECTOR_BINDING, type DetectorRules, hostMatches, LOCK_RULES, type LockRule, type MaskRules, PDF_TEXT_ATTRIBUTE, type RefusalReason, TICK_MS, type Verdict } from '../../protocol/detector.js';
import { TAG_BITS, TAG_BLOCK, TAG_HEIGHT, TAG_MODULO, tagBlocks, nextTag } from './frameTag.js';
import { composedAncestors, defaultButton, formOf, isControl, isSubmitter, labelParts, labelWords, lockedLabel, MAX_LABEL } from './locks.js';
import { findSensitiveText, partialValue } from './patterns.js';

type Box = [number, number, number, number];

/**
 * The visual viewport in the layout viewport (CSS px): where a pinch-zoom shows the page
 * from, how much of it, and how magnified. Scale 1 at 0,0 when not zoomed.
 */
interface Zoom {
	x: number;
	y: number;
	width: number;
	height: number;
	scale: number;
}

/**
 * A box (CSS px of the top layout viewport) as the captured frame shows it: mapped into the
 * visual viewport `zoom`, and outward to whole pixels (so a state changes only when a box
 * really moves).
 */
function visualBox(x0: number, y0: number, x1: number, y1: number, zoom: Zoom): Box {
	const [left, top] = [Math.floor((x0 - zoom.x) * zoom.scale), Math.floor((y0 - zoom.y) * zoom.scale)];
	return [left, top, Math.ceil((x1 - zoom.x) * zoom.scale) - left, Math.ceil((y1 - zoom.y) * zoom.scale) - top];
}

function currentZoom(): Zoom {
	const vv = window.visualViewport;
	if (!vv || !(vv.scale > 0)) return { x: 0, y: 0, width: window.innerWidth, height: window.innerHeight, scale: 1 };
	return { x: vv.offsetLeft, y: vv.offsetTop, width: vv.width, height: vv.height, scale: vv.scale };
}

/**
 * The size of the captured frame in CSS pixels of the screen: the visual viewport at its
 * scale, plus classic scrollbars. On a desktop this is innerWidth × innerHeight, pinch-zoomed
 * or not; a page laid out wider than a phone's screen (no viewport meta tag: 980 px, shown
 * at 0.4) is captured at the phone's size, not its layout's. Boxes (see visualBox) and the
 * tag strip are in these units.
 */
function frameViewport(zoom: Zoom): { width: number; height: number } {
	if (zoom.scale === 1 && zoom.x === 0 && zoom.y === 0 && zoom.width === window.innerWidth) return { width: window.innerWidth, height: window.innerHeight };
	const root = document.documentElement;
	const scrollbarX = Math.max(0, window.innerWidth - root.clientWidth);
	const scrollbarY = Math.max(0, window.innerHeight - root.clientHeight);
	return { width: Math.round(zoom.width * zoom.scale + scrollbarX), height: Math.round(zoom.height * zoom.scale + scrollbarY) };
}

const scope = globalThis as unknown as {
	__alongsideRules?: DetectorRules;
	__alongsideDetector?: DetectorApi;
	[DETECTOR_BINDING]?: (payload: string) => void;
};

/** What Node calls in the detector (through CDP, in the detector's world). Verdicts are JSON. */
interface DetectorApi {
	/** Reports the page as it is now, as a new state. */
	reportNow(): void;
	/** Sets what was chosen in a picker this detector reported (see onPicker). */
	choose(id: number, value: string | null): boolean;
	/** The selection for a copy, as JSON: `{ text }` or `{ refused: true }`. */
	selectionText(guarded: boolean): string;
	setRules(rules: DetectorRules): void;
	input(seq: number, scrollX: number, scrollY: number): void;
	/** The check of an agent's input about to be sent; arms the guard for the agent. */
	check(seq: number, kind: AttemptKind, x: number, y: number, key: string, alt: boolean): string;
	/**
	 * The check of an agent's click on `node`, which CDP's hit test found where this
	 * detector could not see; with `own`, it must be in what this detector's check descended into.
	 */
	judgeNode(node: Node, seq: number, own: boolean): string;
	/** Whether `node` is in what the last check descended into (CDP found the right thing). */
	within(node: Node): boolean;
	/** The check of an agent's key or text, if the focus is in this document (else ''). */
	checkFocused(seq: number, kind: AttemptKind, key: string, alt: boolean): string;
	sender(who: 'agent' | 'customer'): void;
	showLocks(on: boolean): void;
}

const UNSEEN = JSON.stringify({ refused: 'unseen' } satisfies Verdict);

/** Whether this world may read the parent frame's document (so the parent's detector sees this one). */
function parentReadable(): boolean {
	try {
		return window.parent.document !== null;
	} catch {
		return false;
	}
}

// Autocomplete tokens that make a field sensitive, per built-in rule.
const AUTOCOMPLETE: Record<string, string[]> = {
	passwords: ['current-password', 'new-password'],
	payment_cards: ['cc-number', 'cc-csc', 'cc-exp', 'cc-exp-month', 'cc-exp-year'],
	one_time_codes: ['one-time-code'],
};

// Words (lower case, letters and digits only) in a field's name, id, label, placeholder or
// aria-label that make it sensitive, per built-in rule. English and Italian.
const FIELD_WORDS: Record<string, string[]> = {
	passwords: ['password', 'passwd', 'passcode'],
	payment_cards: ['cardnumber', 'ccnumber', 'ccnum', 'cardno', 'creditcard', 'debitcard', 'numerocarta', 'cvv', 'cvc', 'csc', 'cvv2', 'securitycode', 'codicesicurezza', 'ccexp', 'expiry', 'expiration', 'expdate', 'scadenza'],
	iban: ['iban'],
	tax_codes: ['codicefiscale', 'taxcode', 'taxid', 'fiscalcode', 'ssn', 'socialsecurity'],
	one_time_codes: ['otp', 'onetimecode', 'onetimepassword', 'verificationcode', 'codiceotp'],
};

/** How long a moving box's path is remembered (see `sweep`), ms: longer than most looping animations. */
const SWEEP_MS = 1500;
/** The most a box is widened for its motion, CSS pixels. */
const MAX_MOTION = 400;
/**
 * How long a target that moved keeps its widening after it stops moving on this thread,
 * ms: a smooth scroll or fling runs on the browser's compositor, which can show a step the
 * page's main thread has not seen yet, after a frame in which it saw none.
 */
const MOTION_HOLD_MS = 150;
/**
 * How long after scrolling input every box stays widened by what that input may scroll:
 * the browser's compositor scrolls (smoothly, over several frames) before this thread sees
 * the new offset, sometimes by more than two frames.
 */
const SCROLL_HOLD_MS = 300;
/** How often the rules preview's outlines of locked controls are updated, ms. */
const LOCKS_MS = 300;
/** How far up from what was hit an element without a control's tag or role is judged by its label. */
const CLICKABLE_DEPTH = 6;
/** Controls, for telling a group of them from one (see `container`). */
const CONTROLS = 'button, a[href], input, select, textarea, summary, [role=button], [role=link], [onclick]';
const SKIP_TEXT = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'TEXTAREA', 'OPTION']);
const FIELDS = 'input, textarea, select, iframe, frame, embed, object, [contenteditable]:not([contenteditable=false])';

// NOTE: no `instanceof` on nodes: those of a same-origin iframe come from its own realm,
// whose HTMLInputElement (or Document) is not this one's. Node types and tag names it is.

/** One thing to mask: an element (its border box) or a run of text (its line boxes). */
type Target = { element: Element; frame: FrameChain } | { range: Range; frame: FrameChain };

/** The iframes between the top document and a node, outermost first. */
type FrameChain = Element[];

function run(): void {
	/**
	 * The top frame's detector masks and locks, in its document and the same-origin frames
	 * in it. A frame whose parent it cannot read (a cross-origin iframe, in this process or
	 * another) has a detector of its own that only locks: the top one hides the frame whole
	 * from the agent, and Node asks this one about the agent's input that lands in it.
	 */
	const top = window === window.top;
	if (!top && parentReadable()) {
		// NOTE: a same-origin child: CDP's hit test may find a node in it; its parent judges it.
		const parent = () => (window.parent as unknown as typeof scope).__alongsideDetector;
		scope.__alongsideDetector = {
			judgeNode: (node: Node, seq: number, own: boolean) => parent()?.judgeNode(node, seq, own) ?? UNSEEN,
			within: (node: Node) => parent()?.within(node) ?? false,
		} as DetectorApi;
		return;
	}
	const report = scope[DETECTOR_BINDING];
	if (!report) return;

	// NOTE: without rules (never the case when Node installs it), the built-in ones apply,
	// as generation 0, which the compositor treats as not yet told.
	let delivered: DetectorRules = scope.__alongsideRules ?? { rules: { disabled: [], custom: [] }, generation: 0 };
	let compiled = compile(delivered.rules);
	const doc = Math.random().toString(36).slice(2, 12);
	let tag = Math.floor(Math.random() * TAG_MODULO);
	let lastKey: string | undefined;
	let lastReport = 0;
	let inputSeen = false;
	/** The newest input Node told of (acknowledged in every report). */
	let inputSeq = 0;
	/** How far pending scrolling input may move content (CSS px, each axis), and until when. */
	let pendingScroll = { x: 0, y: 0, until: 0 };
	let dirty = true;
	let inFrame = false;
	let targets: Target[] = [];
	let incomplete = false;
	const everPassword = new WeakSet<Element>();
	const observed = new WeakSet<Node>();

	const observer = new MutationObserver((records) => {
		for (const record of records) {
			if (record.target === host || host.contains(record.target)) continue;
			if (record.type === 'attributes' && record.attributeName === 'type' && record.oldValue === 'password') everPassword.add(record.target as Element);
			if (record.type === 'childList') for (const node of record.addedNodes) watchShadows(node);
			dirty = true;
		}
		// NOTE: a mutation made by a page's animation-frame callback after ours must be in
		// this frame's state: rescan and report now rather than at the next frame.
		if (inFrame) update(false);
	});
	const observeRoot = (root: Node) => {
		if (observed.has(root)) return;
		observed.add(root);
		observer.observe(root, { subtree: true, childList: true, characterData: true, attributes: true, attributeOldValue: true });
	};
	const watchShadows = (node: Node) => {
		if (node.nodeType !== Node.ELEMENT_NODE) return;
		const walk = (el: Element) => {
			if (el.shadowRoot) observeRoot(el.shadowRoot);
		};
		walk(node as Element);
		for (const el of (node as Element).querySelectorAll('*')) walk(el);
	};

	// --- the tag strip --------------------------------------------------------------------
	const host = document.createElement(`alongside-tag-${doc}`);
	const shadow = host.attachShadow({ mode: 'closed' });
	const blocks: HTMLElement[] = [];
	for (let i = 0; i < 2 * TAG_BITS; i++) {
		const block = document.createElement('span');
		block.style.cssText = `display:block;float:left;width:${TAG_BLOCK}px;height:${TAG_HEIGHT}px;margin:0;padding:0`;
		blocks.push(block);
		shadow.append(block);
	}
	/**
	 * The strip's style. NOTE: fixed elements are zoomed with the page by a pinch-zoom (the
	 * visual viewport): the strip is then placed at the visual viewport's bottom-left corner
	 * and scaled back, so that the captured frame shows it at its usual size and place.
	 */
	const tagStyle = (zoom: Zoom) =>
		[
			'position:fixed',
			zoom.scale === 1 && zoom.x === 0 && zoom.y === 0 ? 'inset:auto auto 0 0' : `inset:${zoom.y + zoom.height - TAG_HEIGHT / zoom.scale}px auto auto ${zoom.x}px`,
			`width:${2 * TAG_BITS * TAG_BLOCK}px`,
			`height:${TAG_HEIGHT}px`,
			'margin:0',
			'padding:0',
			'border:0',
			'background:#000',
			'overflow:hidden',
			'z-index:2147483647',
			'pointer-events:none',
			'display:block',
			'visibility:visible',
			'opacity:1',
			zoom.scale === 1 ? 'transform:none' : `transform:scale(${1 / zoom.scale})`,
			'transform-origin:0 0',
			'filter:none',
			'contain:strict',
		]
			.map((declaration) => `${declaration} !important`)
			.join(';');
	let placed = '';
	/** Places the strip for the visual viewport `zoom` (when it changed). */
	const placeTag = (zoom: Zoom) => {
		const style = tagStyle(zoom);
		if (style !== placed) host.style.cssText = placed = style;
	};
	placeTag(currentZoom());
	host.setAttribute('aria-hidden', 'true');
	const paintTag = () => tagBlocks(tag).forEach((white, i) => (blocks[i]!.style.background = white ? '#fff' : '#000'));
	paintTag();
	/**
	 * Keeps the strip in the document, last, fixed, on top of the page. NOTE: not in the top
	 * layer: a popover there hung the renderer under fuzzed input. A dialog's backdrop only
	 * dims it (still readable); whatever hides it makes frames unreadable, so covered.
	 */
	const raise = () => {
		const root = document.documentElement;
		if (root && (host.parentNode !== root || root.lastElementChild !== host)) root.append(host);
	};

	// --- scanning -----------------------------------------------------------------------
	/** Finds what to mask in the top document, its open shadow roots and same-origin frames. */
	function scan(): void {
		// NOTE: dirty until the scan completes: a scan that throws is retried next frame, and
		// the frame reports itself incomplete (covered) meanwhile.
		dirty = true;
		const found: Target[] = [];
		incomplete = false;
		frames.clear();
		fields = [];
		const visit = (root: Document | ShadowRoot, frame: FrameChain) => {
			observeRoot(root);
			for (const el of root.querySelectorAll(FIELDS)) fieldTargets(el, frame, found);
			// NOTE: rules are validated before they get here; a selector this browser cannot
			// parse anyway masks everything rather than nothing.
			if (compiled.badSelector) throw new Error(`masking rule not understood: selector ${compiled.badSelector.slice(0, 80)}`);
			if (compiled.selector) for (const el of root.querySelectorAll(compiled.selector)) found.push({ element: el, frame });
			// Closed shadow roots cannot be entered: their hosts are masked whole.
			for (const el of root.querySelectorAll(`[${CLOSED_SHADOW_ATTRIBUTE}]`)) found.push({ element: el, frame });
			textTargets(root, frame, found);
			for (const el of root.querySelectorAll('*')) {
				if (el.shadowRoot) visit(el.shadowRoot, frame);
			}
		};
		const fieldTargets = (el: Element, frame: FrameChain, out: Target[]) => {
			if (el.tagName === 'IFRAME' || el.tagName === 'FRAME') {
				const child = contentDocument(el);
				frames.set(el, child);
				if (child?.defaultView) guard(child.defaultView);
				if (child && child.documentElement && !transformed(el)) {
					visit(child, [...frame, el]);
				} else {
					out.push({ element: el, frame });
				}
				return;
			}
			if (el.tagName === 'EMBED' || el.tagName === 'OBJECT') {
				out.push({ element: el, frame });
				return;
			}
			fields.push(el);
			if (sensitiveField(el)) out.push({ element: el, frame });
		};
		visit(document, []);
		targets = found;
		dirty = false;
	}

	/** The frames seen by the last scan, with the document each showed. */
	const frames = new Map<Element, Document | null>();
	/** Whether a frame shows another document than at the last scan (it navigated). */
	const framesChanged = () => [...frames].some(([el, seen]) => contentDocument(el) !== seen);

	/** Whether a form field is sensitive by its type, autocomplete, words or value. */
	function sensitiveField(el: Element): boolean {
		const field = el as HTMLInputElement;
		const type = (field.getAttribute('type') ?? '').toLowerCase();
		if (compiled.passwords && (type === 'password' || everPassword.has(el))) {
			everPassword.add(el);
			return true;
		}
		const autocomplete = (field.getAttribute('autocomplete') ?? '').toLowerCase().split(/\s+/);
		if (autocomplete.some((token) => compiled.autocomplete.has(token))) return true;
		if (compiled.words.length > 0) {
			const labels = 'labels' in field && field.labels ? [...field.labels].map((label) => label.textContent ?? '') : [];
			const names = [field.getAttribute('name'), field.id, field.getAttribute('placeholder'), field.getAttribute('aria-label'), ...labels]
				.filter(Boolean)
				.map((name) => name!.toLowerCase().replace(/[^a-z0-9]/g, ''));
			if (names.some((name) => compiled.words.some((word) => name.includes(word)))) return true;
		}
		const value =
			el.tagName === 'SELECT'
				? ((el as HTMLSelectElement).selectedOptions[0]?.text ?? '')
				: el.tagName === 'INPUT' || el.tagName === 'TEXTAREA'
					? String(field.value ?? '')
					: (el.textContent ?? '');
		if (value && compiled.values && partialValue(value)) return true;
		if (value && compiled.patterns.some((pattern) => pattern.test(value))) return true;
		return false;
	}

	/** Runs of sensitive text: validated values, and values printed as they are typed. */
	function textTargets(root: Document | ShadowRoot, frame: FrameChain, out: Target[]): void {
		if (!compiled.values && compiled.patterns.length === 0) return;
		const ownerDocument = root.nodeType === Node.DOCUMENT_NODE ? (root as Document) : (root.ownerDocument as Document);
		const walker = ownerDocument.createTreeWalker(root, NodeFilter.SHOW_TEXT, {
			acceptNode: (node) => (node.parentElement && SKIP_TEXT.has(node.parentElement.tagName) ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT),
		});
		const nodes: Text[] = [];
		const starts: number[] = [];
		let text = '';
		let block: Element | null = null;
		for (let node = walker.nextNode() as Text | null; node; node = walker.nextNode() as Text | null) {
			if (host.contains(node)) continue;
			// NOTE: text of different blocks (paragraphs, cells, items) is kept apart, so two
			// values never run together; text split over inline elements is joined.
			const nodeBlock = blockOf(node);
			if (nodeBlock !== block && text) text += '\n';
			block = nodeBlock;
			nodes.push(node);
			starts.push(text.length);
			text += node.data;
		}
		if (!text) return;
		const spans: Array<[number, number]> = compiled.values ? findSensitiveText(text).filter((m) => compiled.kinds.has(m.kind)).map((m) => [m.start, m.end]) : [];
		for (const pattern of compiled.patterns) {
			const global = new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`);
			for (const m of text.matchAll(global)) if (m[0].length > 0) spans.push([m.index, m.index + m[0].length]);
		}
		for (const [start, end] of spans) {
			const range = ownerDocument.createRange();
			let [startNode, startOffset] = locate(nodes, starts, start, false);
			let [endNode, endOffset] = locate(nodes, starts, end, true);
			// NOTE: a PDF's text layer is drawn in another font than the page image under it,
			// each item stretched to the image's width: positions inside an item do not match
			// the image. Whole items are masked.
			if (inPdfText(startNode)) startOffset = 0;
			if (inPdfText(endNode)) endOffset = endNode.data.length;
			range.setStart(startNode, startOffset);
			range.setEnd(endNode, endOffset);
			out.push({ range, frame });
		}
	}

	// --- measuring ----------------------------------------------------------------------
	/** Where each target was at the previous measurement, to widen boxes that move. */
	let lastPositions = new WeakMap<Node, Map<number, [number, number]>>();
	/** Each target's latest motion (widening, both axes) and when it was measured. */
	const recentMotion = new WeakMap<Node, Map<number, [number, number, number]>>();

	/**
	 * Boxes of every target, in CSS pixels of the top viewport. A target that moved since the
	 * previous frame is widened by twice its motion, both ways: an animation or a scroll the
	 * browser's compositor runs ahead of this thread shows it further along. Boxes are then
	 * mapped into the visual viewport `zoom` (what a pinch-zoom shows of the page).
	 */
	function measure(zoom: Zoom): Box[] {
		const boxes: Box[] = [];
		const positions = new WeakMap<Node, Map<number, [number, number]>>();
		const animated = animatedElements();
		const now = performance.now();
		const scrolling = now < pendingScroll.until ? pendingScroll : { x: 0, y: 0 };
		for (const target of targets) {
			// NOTE: keyed by node and offset, which outlive the ranges a rescan recreates.
			const [key, sub] = 'element' in target ? [target.element, 0] : [target.range.startContainer, target.range.startOffset];
			const node = 'element' in target ? target.element : target.range.commonAncestorContainer;
			const moving = animated.length > 0 && animated.some((el) => el.contains(node) || (target.frame[0] !== undefined && el.contains(target.frame[0])));
			const offset = frameOffset(target.frame);
			if (!offset) continue;
			const rects = 'element' in target ? [target.element.getBoundingClientRect()] : [...target.range.getClientRects()];
			const first = rects[0];
			const at: [number, number] = first ? [first.left + offset.x, first.top + offset.y] : [0, 0];
			if (!positions.has(key)) positions.set(key, new Map());
			positions.get(key)!.set(sub, at);
			const was = lastPositions.get(key)?.get(sub);
			let [mx, my] = was ? [Math.min(2 * Math.abs(at[0] - was[0]), MAX_MOTION), Math.min(2 * Math.abs(at[1] - was[1]), MAX_MOTION)] : [0, 0];
			let motions = recentMotion.get(key);
			if (!motions) recentMotion.set(key, (motions = new Map()));
			const held = motions.get(sub);
			if (mx > 0 || my > 0) motions.set(sub, [mx, my, now]);
			else if (held && now - held[2] < MOTION_HOLD_MS) [mx, my] = [held[0], held[1]];
			mx = Math.min(mx + scrolling.x, 4 * MAX_MOTION);
			my = Math.min(my + scrolling.y, 4 * MAX_MOTION);
			for (const rect of rects) {
				if (rect.width <= 0 || rect.height <= 0) continue;
				let [x0, y0, x1, y1] = [rect.left + offset.x - mx, rect.top + offset.y - my, rect.right + offset.x + mx, rect.bottom + offset.y + my];
				if (offset.clip) {
					// NOTE: the frame it is clipped to moves too (the page scrolls it ahead of
					// this thread): the clip is widened by the same motion. (Clipped to the
					// frame's place as this thread saw it, a line at the frame's edge leaked.)
					x0 = Math.max(x0, offset.clip[0] - mx);
					y0 = Math.max(y0, offset.clip[1] - my);
					x1 = Math.min(x1, offset.clip[2] + mx);
					y1 = Math.min(y1, offset.clip[3] + my);
					if (x1 <= x0 || y1 <= y0) continue;
				}
				if (moving) [x0, y0, x1, y1] = sweep(key, sub * 64 + rects.indexOf(rect), now, [x0, y0, x1, y1]);
				boxes.push(visualBox(x0, y0, x1, y1, zoom));
			}
		}
		lastPositions = positions;
		return boxes;
	}

	/**
	 * Elements with a running CSS animation or transition (or Web Animation): the
	 * browser's compositor may run them ahead of this thread by more than a frame.
	 */
	function animatedElements(): Element[] {
		const found: Element[] = [];
		for (const animation of document.getAnimations()) {
			const target = (animation.effect as KeyframeEffect | null)?.target;
			if (animation.playState === 'running' && target) found.push(target);
		}
		return found;
	}

	/** Where a moving box has been over the last {@link SWEEP_MS}, per target and rect. */
	const sweeps = new WeakMap<Node, Map<number, Array<[number, number, number, number, number]>>>();

	/**
	 * A moving box widened to everywhere it has been lately: an animation that repeats is
	 * then covered along its whole path, wherever the compositor has it in this frame.
	 */
	function sweep(key: Node, index: number, now: number, box: [number, number, number, number]): [number, number, number, number] {
		let byRect = sweeps.get(key);
		if (!byRect) sweeps.set(key, (byRect = new Map()));
		const history = (byRect.get(index) ?? []).filter(([t]) => now - t < SWEEP_MS);
		history.push([now, ...box]);
		byRect.set(index, history);
		return history.reduce<[number, number, number, number]>(
			(hull, [, x0, y0, x1, y1]) => [Math.min(hull[0], x0), Math.min(hull[1], y0), Math.max(hull[2], x1), Math.max(hull[3], y1)],
			box,
		);
	}

	/** Where a frame's viewport is in the top viewport, and the rectangle it is clipped to. */
	function frameOffset(chain: FrameChain): { x: number; y: number; clip?: [number, number, number, number] } | undefined {
		let x = 0;
		let y = 0;
		let clip: [number, number, number, number] | undefined;
		for (const iframe of chain) {
			if (!iframe.isConnected) return undefined;
			const [left, top, right, bottom] = contentBox(iframe);
			const inner: [number, number, number, number] = [x + left, y + top, x + right, y + bottom];
			clip = clip ? [Math.max(clip[0], inner[0]), Math.max(clip[1], inner[1]), Math.min(clip[2], inner[2]), Math.min(clip[3], inner[3])] : inner;
			x += left;
			y += top;
		}
		return { x, y, clip };
	}

	/** Where an iframe shows its document, in the viewport of the document the iframe is in. */
	function contentBox(iframe: Element): [number, number, number, number] {
		const rect = iframe.getBoundingClientRect();
		const style = getComputedStyle(iframe);
		const [paddingLeft, paddingTop] = [parseFloat(style.paddingLeft), parseFloat(style.paddingTop)];
		const left = rect.left + iframe.clientLeft + paddingLeft;
		const top = rect.top + iframe.clientTop + paddingTop;
		return [left, top, left + iframe.clientWidth - paddingLeft - parseFloat(style.paddingRight), top + iframe.clientHeight - paddingTop - parseFloat(style.paddingBottom)];
	}

	/** An iframe drawn scaled or rotated: its document's coordinates do not map simply. */
	function transformed(iframe: Element): boolean {
		const rect = iframe.getBoundingClientRect();
		const el = iframe as HTMLElement;
		return Math.abs(rect.width - el.offsetWidth) > 0.5 || Math.abs(rect.height - el.offsetHeight) > 0.5;
	}

	// --- each animation frame -------------------------------------------------------------
	function frame(): void {
		inFrame = true;
		// NOTE: a message task runs after this frame's rendering: the flag spans exactly the
		// animation-frame callbacks of this frame.
		endFrame.port2.postMessage(null);
		requestAnimationFrame(frame);
		update(true);
		reportLocks();
	}

	/**
	 * Scans if needed, measures, and reports: a new state when the boxes changed (with a new
	 * tag painted in the same frame), else, once per frame while there is anything to mask,
	 * a tick: the compositor paints a frame only once it knows the detector's next frame.
	 */
	function update(animationFrame: boolean): void {
		try {
			raise();
			if (dirty || valuesChanged() || framesChanged()) scan();
			const zoom = currentZoom();
			placeTag(zoom);
			const boxes = measure(zoom);
			const viewport = frameViewport(zoom);
			const clean = targets.length === 0 && !incomplete;
			const key = `${delivered.generation}|${viewport.width}x${viewport.height}|${zoom.x},${zoom.y},${zoom.scale}|${incomplete}|${clean}|${boxes.join(';')}`;
			const now = Date.now();
			if (key !== lastKey) {
				lastKey = key;
				tag = nextTag(tag);
				paintTag();
				send({ doc, tag, at: now, input: inputSeq, rules: delivered.generation, boxes, viewport, incomplete: incomplete || undefined, clean: clean || undefined });
			} else if (animationFrame && (!clean || inputSeen || now - lastReport >= TICK_MS)) {
				send({ doc, tag, at: now, input: inputSeq });
			}
			if (animationFrame) inputSeen = false;
		} catch (error) {
			// NOTE: the detector failing must never unmask: report an incomplete state, and
			// scan again next frame.
			dirty = true;
			tag = nextTag(tag);
			paintTag();
			lastKey = undefined;
			send({ doc, tag, at: Date.now(), input: inputSeq, rules: delivered.generation, boxes: [], viewport: frameViewport(currentZoom()), incomplete: true, error: String(error).slice(0, 200) });
		}
	}
	const endFrame = new MessageChannel();
	endFrame.port1.onmessage = () => (inFrame = false);

	/** Input values change without events when a script sets them: compare each frame. */
	const lastValues = new WeakMap<Element, string>();
	let fields: Element[] = [];
	function valuesChanged(): boolean {
		let changed = false;
		for (const field of fields) {
			const value = field.tagName === 'SELECT' ? String((field as HTMLSelectElement).selectedIndex) : String((field as HTMLInputElement).value ?? '');
			if (lastValues.get(field) !== value) {
				lastValues.set(field, value);
				changed = true;
			}
		}
		return changed;
	}

	function send(payload: Record<string, unknown>): void {
		lastReport = Date.now();
		report!(JSON.stringify(payload));
	}

	/**
	 * The rules that apply on this page: built-in ones not switched off, and the company's
	 * own whose domains cover the top document's host (or that have none). In a cross-origin
	 * frame, those of the frame's own host too (a site's rules hold in what it embeds).
	 */
	function compile(next: MaskRules) {
		const enabled = (rule: string) => !next.disabled.includes(rule as never);
		const hosts = [location.hostname.toLowerCase()];
		const topOrigin = location.ancestorOrigins?.[location.ancestorOrigins.length - 1];
		const topHost = topOrigin ? hostOf(topOrigin) : '';
		if (!top) hosts.push(topHost);
		// NOTE: a frame that cannot tell the top page's host (an opaque origin) applies every
		// lock rule, whatever its sites (more is refused to the agent, never less).
		const everyLock = !top && topHost === '';
		const here = next.custom.filter((rule) => rule.domains.length === 0 || (everyLock && (rule.kind === 'lock' || rule.kind === 'lock_label')) || rule.domains.some((domain) => hosts.some((host) => hostMatches(host, domain))));
		const of = (kind: string) => here.filter((rule) => rule.kind === kind).map((rule) => rule.value);
		const autocomplete = new Set(Object.entries(AUTOCOMPLETE).flatMap(([rule, tokens]) => (enabled(rule) ? tokens : [])));
		const words = [
			...Object.entries(FIELD_WORDS).flatMap(([rule, list]) => (enabled(rule) ? list : [])),
			...of('field').map((word) => word.toLowerCase().replace(/[^a-z0-9]/g, '')).filter(Boolean),
		];
		const selectors = of('selector');
		const lockSelectors = of('lock');
		const probe = document.createDocumentFragment();
		const badSelector = [...selectors, ...lockSelectors].find((selector) => {
			try {
				probe.querySelector(selector);
				return false;
			} catch {
				return true;
			}
		});
		const patterns: RegExp[] = [];
		for (const source of of('pattern')) {
			try {
				patterns.push(new RegExp(source, 'i'));
			} catch {
				// NOTE: validated in Node (same engine); a pattern dropped here would unmask, so fail closed.
				patterns.push(/[\s\S]+/);
			}
		}
		return {
			passwords: enabled('passwords'),
			autocomplete,
			words,
			// NOTE: the value patterns come together: a field half-typed may become any of them.
			values: enabled('payment_cards') || enabled('iban') || enabled('tax_codes'),
			/** The kinds of validated value found in text that are masked. */
			kinds: new Set<string>([enabled('payment_cards') && 'card', enabled('iban') && 'iban', enabled('tax_codes') && 'tax_code'].filter((kind) => kind !== false)),
			patterns,
			selector: selectors.join(', '),
			badSelector,
			locks: new Set<LockRule>(LOCK_RULES.filter(enabled)),
			lockSelector: lockSelectors.join(', '),
			/** The company's lock words, as label words (see locks.ts). */
			lockLabels: of('lock_label').map(labelWords).filter(Boolean),
		};
	}


	// --- locking ------------------------------------------------------------------------
	/**
	 * Whose input the page is handling: Node says so (awaited) before it sends an input of
	 * the other participant. While it is the agent's, the guard cancels what the rules lock.
	 */
	let sender: 'agent' | 'customer' = 'customer';

	/** The iframe that shows a (same-origin) document. */
	const frameElementOf = (child: Document): Element | null => {
		try {
			return child.defaultView?.frameElement ?? null;
		} catch {
			return null;
		}
	};

	/** Whether an element is masked: a sensitive field, or named by a selector rule. */
	function masked(el: Element): boolean {
		if (el.matches('input, textarea, select, [contenteditable]:not([contenteditable=false])') && sensitiveField(el)) return true;
		return compiled.selector !== '' && el.matches(compiled.selector);
	}

	/** Why the agent may not activate this control, if it may not. */
	function judgeControl(el: Element): RefusalReason | undefined {
		if (masked(el)) return 'masked_field';
		if (compiled.lockSelector !== '' && el.matches(compiled.lockSelector)) return 'company_rule';
		for (const part of labelParts(el)) {
			const rule = lockedLabel(part, compiled.locks);
			if (rule) return rule;
			if (compiled.lockLabels.length > 0 && part.length <= MAX_LABEL) {
				const words = ` ${labelWords(part)} `;
				if (compiled.lockLabels.some((phrase) => words.includes(` ${phrase} `))) return 'company_rule';
			}
		}
		if (compiled.locks.has('sensitive_forms') && isSubmitter(el)) {
			const form = formOf(el);
			if (form && sensitiveForm(form)) return 'sensitive_forms';
		}
		return undefined;
	}

	/** Whether a form holds a field the masking rules name (payment, password, …). */
	function sensitiveForm(form: HTMLFormElement): boolean {
		for (const el of form.elements) if (el.tagName !== 'BUTTON' && sensitiveField(el)) return true;
		return false;
	}

	/**
	 * Why the agent may not activate what is at `node`: the nearest controls around it (a
	 * label's control too), any masked element around it, or a part of the page not seen into.
	 */
	function judge(node: Node, inside = false): RefusalReason | undefined {
		const chain = composedAncestors(node, frameElementOf);
		const first = chain[0];
		// NOTE: `inside`: what was hit is in `node` (a frame, a closed shadow root), judged by its own detector.
		if (first && !inside && unseen(first)) return 'unseen';
		for (const [depth, el] of chain.entries()) {
			if (masked(el)) return 'masked_field';
			if (compiled.lockSelector !== '' && el.matches(compiled.lockSelector)) return 'company_rule';
			if (el.tagName === 'LABEL') {
				const control = (el as HTMLLabelElement).control;
				const reason = control ? judgeControl(control) : undefined;
				if (reason) return reason;
			}
			// NOTE: a control by its tag or role; else anything clickable-looking near what
			// was hit (a <div> with a listener added by script is as much a button): the
			// element hit and its parent, and ancestors styled with a pointer cursor; not a
			// container of other controls (whose words are theirs: "Cancel" beside "Pay").
			if (isControl(el) || (depth < CLICKABLE_DEPTH && (depth < 2 || clickable(el)) && !(depth > 0 && container(el, chain[depth - 1]!)))) {
				const reason = judgeControl(el);
				if (reason) return reason;
			}
		}
		return undefined;
	}

	/** Whether an ancestor of what was hit is a page or a group of controls, rather than one: the body, or it holds a control besides `below`. */
	function container(el: Element, below: Element): boolean {
		if (el.tagName === 'BODY' || el.tagName === 'HTML') return true;
		for (const other of el.querySelectorAll(CONTROLS)) {
			if (below.contains(other) || other.contains(below)) continue;
			// NOTE: only a control one can see and press makes a group ("Buy now" with a hidden input is one control).
			const box = other.getBoundingClientRect();
			if (box.width > 0 && box.height > 0 && (other as HTMLInputElement).type !== 'hidden') return true;
		}
		return false;
	}

	/** Whether an element looks clickable (a pointer cursor of its own, not inherited). */
	function clickable(el: Element): boolean {
		const parent = el.parentElement;
		const cursor = getComputedStyle(el).cursor;
		return cursor === 'pointer' && (!parent || getComputedStyle(parent).cursor !== 'pointer');
	}

	/** The focused element, through open shadow roots and same-origin iframes. */
	function focused(): Element | null {
		let el: Element | null = document.activeElement;
		for (let depth = 0; el && depth < 32; depth++) {
			if (el.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
			else if ((el.tagName === 'IFRAME' || el.tagName === 'FRAME') && contentDocument(el)?.activeElement) el = contentDocument(el)!.activeElement;
			else break;
		}
		return el;
	}

	/**
	 * What the element at a point of the viewport is, through open shadow roots and
	 * same-origin iframes; with the point in this document (`at`, CSS px from its origin, as
	 * CDP's hit test takes it), and in the iframe's own viewport when it is one (`inner`).
	 */
	function hit(x: number, y: number): { el: Element; at: [number, number]; inner: [number, number] } | null {
		const zoom = currentZoom();
		let [px, py] = [zoom.x + x / zoom.scale, zoom.y + y / zoom.scale];
		const at: [number, number] = [px + window.scrollX, py + window.scrollY];
		let el = document.elementFromPoint(px, py);
		const found = (el: Element, inner: [number, number] = [px, py]) => ({ el, at, inner });
		for (let depth = 0; el && depth < 32; depth++) {
			const inner = el.shadowRoot?.elementFromPoint(px, py);
			if (inner && inner !== el) {
				el = inner;
				continue;
			}
			if (el.tagName === 'IFRAME' || el.tagName === 'FRAME') {
				const child = contentDocument(el);
				const [left, top] = contentBox(el);
				if (!child || transformed(el)) return found(el, [px - left, py - top]);
				px -= left;
				py -= top;
				const next = child.elementFromPoint(px, py);
				if (!next || next === el) return found(el);
				el = next;
				continue;
			}
			break;
		}
		return el ? found(el) : null;
	}

	/** Elements an Alt+Shift+`key` access key activates. */
	function accessKeyTargets(key: string): Element[] {
		const out: Element[] = [];
		const wanted = key.toLowerCase();
		const visit = (root: Document | ShadowRoot) => {
			for (const el of root.querySelectorAll('[accesskey]')) if ((el.getAttribute('accesskey') ?? '').toLowerCase().split(/\s+/).includes(wanted)) out.push(el);
			for (const child of frames.values()) if (child && root === document) visit(child);
		};
		visit(document);
		return out;
	}

	/**
	 * Why an agent's key may not reach the focused element: typing into (or selecting in)
	 * a masked field, Enter or Space on a locked control, Enter in a field of a form whose
	 * default button is locked (implicit submission), an access key of a locked control.
	 */
	function judgeKey(key: string, alt: boolean, keyCode = 0): RefusalReason | 'elsewhere' | undefined {
		const enter = key === 'Enter' || key === '\r' || key === '\n' || keyCode === 13;
		const space = key === ' ' || key === 'Spacebar' || keyCode === 32;
		if (alt && key.length === 1) {
			for (const el of accessKeyTargets(key)) {
				const reason = judgeControl(el);
				if (reason) return reason;
			}
		}
		const el = focused();
		if (!el || el === document.body) return undefined;
		// NOTE: moving the focus away is always allowed.
		const leaving = key === 'Tab' || key === 'Escape';
		if (!leaving && masked(el)) return 'masked_field';
		// A cross-origin iframe (a payment field, a 3-D Secure page) has the focus: its own
		// detector judges. A plugin or a closed shadow root: what the keys do there cannot be seen.
		if (!leaving && focusElsewhere(el)) return 'elsewhere';
		if (!leaving && unseen(el)) return 'unseen';
		if (enter || space) {
			const reason = judge(el);
			if (reason) return reason;
			if (enter && (el.tagName === 'INPUT' || el.tagName === 'SELECT')) {
				const form = formOf(el);
				const button = form && defaultButton(form);
				if (button) return judgeControl(button);
				if (form && compiled.locks.has('sensitive_forms') && sensitiveForm(form)) return 'sensitive_forms';
			}
		}
		return undefined;
	}

	/** Whether the detector cannot see into an element: a cross-origin or transformed iframe, a plugin, a closed shadow root. */
	function unseen(el: Element): boolean {
		if (el.tagName === 'EMBED' || el.tagName === 'OBJECT') return true;
		if (el.tagName === 'IFRAME' || el.tagName === 'FRAME') return !contentDocument(el) || transformed(el);
		return el.hasAttribute(CLOSED_SHADOW_ATTRIBUTE);
	}


	/** Whether the focus is in a frame this detector cannot read, whose own detector judges keys. */
	function focusElsewhere(el: Element): boolean {
		return (el.tagName === 'IFRAME' || el.tagName === 'FRAME') && !contentDocument(el);
	}

	/**
	 * Whether what was hit is a part of the page CDP's hit test can see into for us: a
	 * cross-origin iframe drawn as laid out (its own detector judges), a closed shadow root.
	 */
	function descendable(el: Element): boolean {
		if (el.tagName === 'IFRAME' || el.tagName === 'FRAME') return !contentDocument(el) && !transformed(el) && !composedAncestors(el, frameElementOf).some((a) => getComputedStyle(a).transform !== 'none');
		return el.hasAttribute(CLOSED_SHADOW_ATTRIBUTE);
	}

	/** What the last check descended into (a cross-origin iframe, a closed shadow root's host). */
	let descended: Element | null = null;

	function check(kind: AttemptKind, x: number, y: number, key: string, alt: boolean): Verdict {
		// NOTE: no scan: the check reads what is under the pointer or focused as it is now.
		descended = null;
		switch (kind) {
			case 'click': {
				// NOTE: nothing there (off the page) is not "nothing locked": fail closed.
				const found = hit(x, y);
				if (!found) return { refused: 'unseen' };
				if (descendable(found.el)) {
					const refused = judge(found.el, true);
					if (refused) return { refused };
					descended = found.el;
					const frame = found.el.tagName === 'IFRAME' || found.el.tagName === 'FRAME';
					return { descend: { at: found.at, ...(frame ? { frame: found.inner } : {}) } };
				}
				return verdictOf(judge(found.el));
			}
			case 'key':
				return verdictOf(judgeKey(key, alt));
			case 'text': {
				const el = focused();
				if (el && masked(el)) return { refused: 'masked_field' };
				if (el && focusElsewhere(el)) return { elsewhere: true };
				return verdictOf(el && unseen(el) ? 'unseen' : undefined);
			}
			default:
				return {};
		}
	}

	function verdictOf(reason: RefusalReason | 'elsewhere' | undefined): Verdict {
		return reason === 'elsewhere' ? { elsewhere: true } : reason ? { refused: reason } : {};
	}

	/** A check's verdict as JSON, with its time; an error judging fails closed. */
	function timed(judging: () => Verdict): string {
		const started = performance.now();
		let verdict: Verdict;
		try {
			verdict = judging();
		} catch {
			verdict = { refused: 'unseen' };
		}
		return JSON.stringify({ ...verdict, ms: Math.round((performance.now() - started) * 1000) / 1000 });
	}

	function within(node: Node): boolean {
		return descended !== null && composedAncestors(node, frameElementOf).includes(descended);
	}

	/** Arms the guard for the agent, here and in the same-origin frames in this document. */
	function armAgent(seq: number): void {
		sender = 'agent';
		inputSeq = Math.max(inputSeq, seq);
		// NOTE: the top detector guards its frames as it scans them; a frame's does it here.
		if (!top) guardFrames(document, 0);
	}

	function guardFrames(root: Document, depth: number): void {
		if (depth > 8) return;
		for (const el of root.querySelectorAll('iframe, frame')) {
			const child = contentDocument(el);
			if (child?.defaultView) {
				guard(child.defaultView);
				guardFrames(child, depth + 1);
			}
		}
	}

	/**
	 * The guard: capture-phase listeners, first on every window the detector sees, that
	 * cancel what the agent's input would do to a locked control or a masked field where the
	 * gateway's check could not see it coming: the click a label or implicit submission
	 * makes, a control that moved under the pointer, paste, drop, drag and copy.
	 * NOTE: no pointer or touch listeners here (they hung the renderer under fuzzed touch
	 * input): those inputs are checked before they are sent.
	 */
	/**
	 * Input events: trusted ones while the agent's input is being handled are the agent's,
	 * and start an agent task. What follows from them in the same task (a submit, typed
	 * text, paste, copy, a click a handler makes) is judged too; later, the page's own.
	 */
	const INPUT_EVENTS = new Set(['mousedown', 'mouseup', 'click', 'auxclick', 'dblclick', 'contextmenu', 'keydown', 'keypress', 'keyup', 'dragstart', 'drop']);
	const CONSEQUENCES = ['submit', 'beforeinput', 'paste', 'copy', 'cut'];
	const guarded = new WeakSet<Document>();
	/** Adds the guard's listeners to a window (again once its frame navigated: listeners go with the document). */
	function guard(win: Window): void {
		const doc = win.document;
		if (guarded.has(doc)) return;
		guarded.add(doc);
		for (const type of [...INPUT_EVENTS, ...CONSEQUENCES]) win.addEventListener(type, onGuarded, true);
		// NOTE: after the guard's: an agent's input it cancels opens no picker.
		for (const type of PICKER_EVENTS) win.addEventListener(type, onPicker, true);
	}

	/**
	 * Browser-drawn pickers: a <select>'s list and the date, time and colour pickers are
	 * drawn by Chromium outside the page, so the capture never shows them. The input that
	 * would open one (a press, a tap, Space or Enter on a focused select) is cancelled here,
	 * and the picker is reported instead: Node shows it to the people in the session, and
	 * sets the value chosen (see choose) as the picker would.
	 */
	const PICKER_EVENTS = ['mousedown', 'keydown'];
	/** The most text one copy takes. */
	const MAX_COPY = 100_000;
	const PICKER_INPUTS = new Set(['date', 'time', 'datetime-local', 'month', 'week', 'color']);
	/** The longest list reported (a longer one is cut: its first options). */
	const MAX_OPTIONS = 1000;
	const pickers = new Map<number, WeakRef<HTMLSelectElement | HTMLInputElement>>();
	let pickerSeq = 0;

	/** The select or picker input an event is aimed at, if it opens a browser-drawn picker. */
	function pickerTarget(event: Event): HTMLSelectElement | HTMLInputElement | undefined {
		const el = event.composedPath()[0];
		if (!(el instanceof Element)) return undefined;
		const owner = el.closest('select, input');
		if (!owner) return undefined;
		if (owner.tagName === 'SELECT') {
			const select = owner as HTMLSelectElement;
			// NOTE: a list box (multiple, or several rows) is drawn in the page.
			return select.multiple || select.size > 1 || select.disabled ? undefined : select;
		}
		const input = owner as HTMLInputElement;
		return PICKER_INPUTS.has(input.type) && !input.disabled && !input.readOnly ? input : undefined;
	}

	function onPicker(event: Event): void {
		if (!event.isTrusted || event.defaultPrevented) return;
		const el = pickerTarget(event);
		if (!el) return;
		if (event.type === 'mousedown' && (event as MouseEvent).button !== 0) return;
		if (event.type === 'keydown') {
			const { key, altKey } = event as KeyboardEvent;
			// NOTE: the keys that open a select's list; a date field's own keys type into it.
			if (el.tagName !== 'SELECT' || !(key === ' ' || key === 'Enter' || key === 'F4' || (altKey && (key === 'ArrowDown' || key === 'ArrowUp')))) return;
		}
		event.preventDefault();
		try {
			el.focus({ preventScroll: true });
			const id = ++pickerSeq;
			pickers.clear();
			pickers.set(id, new WeakRef(el));
			const label = (labelParts(el)[0] ?? '').slice(0, 200);
			// NOTE: the field and everything around it, as the guard judges a click: a rule may
			// mask or lock a whole region. Anything the judgement cannot see counts as locked.
			const judged = judge(el);
			const common = { id, label, masked: composedAncestors(el, frameElementOf).some(masked) || judged === 'masked_field', locked: judged !== undefined && judged !== 'masked_field' };
			if (el.tagName === 'SELECT') {
				const select = el as HTMLSelectElement;
				const options = [...select.options].slice(0, MAX_OPTIONS).map((option) => {
					const group = option.parentElement?.tagName === 'OPTGROUP' ? (option.parentElement as HTMLOptGroupElement).label.slice(0, 200) : undefined;
					return { label: option.label.slice(0, 300), disabled: option.disabled || (group !== undefined && (option.parentElement as HTMLOptGroupElement).disabled), ...(group !== undefined ? { group } : {}) };
				});
				send({ picker: { ...common, kind: 'select', options, selected: select.selectedIndex } });
			} else {
				const input = el as HTMLInputElement;
				send({ picker: { ...common, kind: input.type, value: input.value.slice(0, 100), min: input.min.slice(0, 100), max: input.max.slice(0, 100), step: input.step.slice(0, 100) } });
			}
		} catch {
			// NOTE: nothing shown: the picker stays closed (its input was cancelled).
		}
	}

	/**
	 * Sets what was chosen in picker `id` as the browser's picker would (the value, then
	 * `input` and `change` events); null: closed without a choice. False if the picker is
	 * no longer the open one, its element is gone, or the value is not one it offers.
	 */
	function choose(id: number, value: string | null): boolean {
		const el = pickers.get(id)?.deref();
		pickers.delete(id);
		if (!el || !el.isConnected || el.disabled) return false;
		if (value === null) return true;
		let changed: boolean;
		if (el.tagName === 'SELECT') {
			const select = el as HTMLSelectElement;
			const index = Number(value);
			const option = Number.isInteger(index) ? select.options[index] : undefined;
			if (!option || option.disabled) return false;
			changed = select.selectedIndex !== index;
			select.selectedIndex = index;
		} else {
			const input = el as HTMLInputElement;
			const before = input.value;
			input.value = value;
			// NOTE: a value the input does not take (not a date, out of its format) leaves it empty.
			if (value !== '' && input.value === '') {
				input.value = before;
				return false;
			}
			changed = input.value !== before;
		}
		if (changed) {
			el.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
			el.dispatchEvent(new Event('change', { bubbles: true }));
		}
		return true;
	}
	/**
	 * Closed shadow roots in which CDP's hit test found what the agent's input aims at, and
	 * the check allowed it: the guard sees only their hosts, and judges what is around them.
	 * NOTE: what moves inside such a root between the check and the event is not seen.
	 */
	let vouched: Element[] = [];
	/** Whether the task running now began with an agent's input event. */
	let agentTask = false;
	const taskEnd = new MessageChannel();
	taskEnd.port1.onmessage = () => (agentTask = false);
	function onGuarded(event: Event): void {
		if (sender !== 'agent') return;
		if (event.isTrusted && INPUT_EVENTS.has(event.type)) {
			if (!agentTask) {
				agentTask = true;
				taskEnd.port2.postMessage(null);
			}
		} else if (!agentTask) {
			// NOTE: the page's own doing (a timer, a payment script finishing), not the agent's.
			return;
		}
		const target = event.composedPath()[0] as Node | undefined;
		if (!target) return;
		let reason: RefusalReason | undefined;
		let kind: AttemptKind = 'click';
		try {
			switch (event.type) {
				case 'mousedown':
				case 'mouseup':
				case 'click':
				case 'auxclick':
				case 'dblclick':
				case 'contextmenu':
					reason = judge(target, vouched.includes(target as Element));
					break;
				case 'submit': {
					kind = 'submit';
					const form = event.target as HTMLFormElement;
					const submitter = (event as SubmitEvent).submitter;
					reason = (submitter ? judgeControl(submitter) : undefined) ?? (compiled.locks.has('sensitive_forms') && sensitiveForm(form) ? 'sensitive_forms' : undefined);
					break;
				}
				case 'keydown':
				case 'keypress':
				case 'keyup': {
					kind = 'key';
					const { key, altKey, keyCode } = event as KeyboardEvent;
					// NOTE: on release only Enter and Space act (custom buttons often act on keyup).
					if (event.type !== 'keyup' || key === 'Enter' || key === ' ' || keyCode === 13 || keyCode === 32) {
						const judged = judgeKey(key, altKey, keyCode);
						reason = judged === 'elsewhere' ? 'unseen' : judged;
					}
					break;
				}
				case 'beforeinput':
				case 'paste':
				case 'drop': {
					kind = event.type === 'beforeinput' ? 'text' : event.type === 'paste' ? 'paste' : 'drag';
					const focus = focused();
					reason = composedAncestors(target, frameElementOf).some(masked) || (focus !== null && masked(focus)) ? 'masked_field' : undefined;
					if (!reason && event.type === 'beforeinput' && /[\r\n]/.test((event as InputEvent).data ?? '')) {
						const judged = judgeKey('Enter', false);
						reason = judged === 'elsewhere' ? 'unseen' : judged;
					}
					break;
				}
				case 'dragstart':
				case 'copy':
				case 'cut': {
					kind = event.type === 'dragstart' ? 'drag' : 'copy';
					const focus = focused();
					// NOTE: a cross-origin frame is hidden from the agent whole: nothing leaves it.
					reason = !top ? 'masked_field' : composedAncestors(target, frameElementOf).some(masked) || (focus !== null && masked(focus)) || selectionMasked() ? 'masked_field' : undefined;
					break;
				}
			}
		} catch {
			// NOTE: fails closed: an error judging the agent's event cancels it.
			reason = 'unseen';
		}
		if (!reason) return;
		event.preventDefault();
		event.stopImmediatePropagation();
		send({ refusal: { reason, kind, input: inputSeq } });
	}

	/** Whether the selection (to be copied or dragged) touches anything masked. */
	function selectionMasked(): boolean {
		const selection = document.getSelection();
		if (!selection || selection.isCollapsed) return false;
		for (let i = 0; i < selection.rangeCount; i++) {
			const range = selection.getRangeAt(i);
			for (const target of targets) {
				const node = 'range' in target ? target.range.startContainer : target.element;
				if (node.ownerDocument !== range.startContainer.ownerDocument) continue;
				if ('range' in target ? range.compareBoundaryPoints(Range.END_TO_START, target.range) < 0 && range.compareBoundaryPoints(Range.START_TO_END, target.range) > 0 : range.intersectsNode(target.element)) return true;
			}
		}
		return false;
	}
	guard(window);

	/**
	 * Tells Node whether the focus is in a field one types into (and which keyboard suits
	 * it), so that the customer's phone opens its keyboard when a field is focused in the
	 * page, and closes it when none is. Nothing of the field's content.
	 */
	let focusKey = '';
	const TYPED = new Set(['text', 'email', 'tel', 'url', 'search', 'password', 'number', '']);
	function reportFocus(): void {
		try {
			const el = focused();
			// NOTE: a cross-origin frame has the focus: its own detector tells.
			if (el && (el.tagName === 'IFRAME' || el.tagName === 'FRAME')) return;
			let editable = false;
			let mode = 'text';
			if (el instanceof HTMLInputElement && TYPED.has(el.type) && !el.readOnly && !el.disabled) {
				editable = true;
				mode = el.inputMode || ({ email: 'email', tel: 'tel', url: 'url', search: 'search', number: 'decimal' } as Record<string, string>)[el.type] || 'text';
			} else if (el instanceof HTMLTextAreaElement && !el.readOnly && !el.disabled) {
				editable = true;
				mode = el.inputMode || 'text';
			} else if (el instanceof HTMLElement && el.isContentEditable) {
				editable = true;
				mode = el.inputMode || 'text';
			}
			const key = `${editable}|${mode}`;
			if (key === focusKey) return;
			focusKey = key;
			send({ focus: { editable, inputMode: mode } });
		} catch {
			// NOTE: the keyboard is a convenience: nothing is told when the focus cannot be read.
		}
	}
	// NOTE: after the focus moved (focusout fires before the next element has it).
	const focusChanged = () => setTimeout(reportFocus, 0);
	window.addEventListener('focusin', focusChanged, true);
	window.addEventListener('focusout', focusChanged, true);

	// --- where the page is scrolled, for annotations --------------------------------------
	// NOTE: only the top document: annotations are anchored to it. Sent through the binding
	// directly, not send(): a scroll report is not a masking state and must not delay a tick.
	if (window === window.top) {
		let scrollKey = '';
		let scrollQueued = false;
		const reportScroll = () => {
			scrollQueued = false;
			try {
				const v = window.visualViewport;
				const x = Math.round((v ? v.pageLeft : window.scrollX) * 10) / 10;
				const y = Math.round((v ? v.pageTop : window.scrollY) * 10) / 10;
				const scale = Math.round((v ? v.scale : 1) * 1000) / 1000;
				const key = `${x},${y},${scale}`;
				if (key === scrollKey) return;
				scrollKey = key;
				report!(JSON.stringify({ scroll: { x, y, scale } }));
			} catch {
				// NOTE: annotations are a convenience: a page where this fails keeps them where they were drawn.
			}
		};
		const scrolled = () => {
			if (scrollQueued) return;
			scrollQueued = true;
			requestAnimationFrame(reportScroll);
		};
		window.addEventListener('scroll', scrolled, { capture: true, passive: true });
		window.visualViewport?.addEventListener('scroll', scrolled, { passive: true });
		window.visualViewport?.addEventListener('resize', scrolled, { passive: true });
		scrolled();
	}

	// --- locked controls, for the rules preview -------------------------------------------
	/** Whether to report where locked controls are (an admin's preview of the rules). */
	let showLocks = false;
	let locksAt = 0;
	let locksKey = '';
	const LOCK_CANDIDATES = 'button, a[href], input, select, summary, label, area, [role], [onclick], [tabindex]';

	/** Boxes of the controls the lock rules lock (not masked fields: those are outlined as masked). */
	function lockBoxes(zoom: Zoom): Box[] {
		const out: Box[] = [];
		const selector = compiled.lockSelector ? `${LOCK_CANDIDATES}, ${compiled.lockSelector}` : LOCK_CANDIDATES;
		const visit = (root: Document | ShadowRoot, chain: FrameChain) => {
			const offset = frameOffset(chain);
			if (!offset) return;
			for (const el of root.querySelectorAll(selector)) {
				if (out.length >= 300) return;
				const reason = el.tagName === 'LABEL' ? ((el as HTMLLabelElement).control ? judgeControl((el as HTMLLabelElement).control!) : undefined) : judgeControl(el);
				if (!reason || reason === 'masked_field') continue;
				const r = el.getBoundingClientRect();
				if (r.width <= 0 || r.height <= 0) continue;
				out.push(visualBox(r.left + offset.x, r.top + offset.y, r.right + offset.x, r.bottom + offset.y, zoom));
			}
			for (const el of root.querySelectorAll('*')) if (el.shadowRoot) visit(el.shadowRoot, chain);
			for (const frame of root.querySelectorAll('iframe, frame')) {
				const child = contentDocument(frame);
				if (child?.documentElement && !transformed(frame)) visit(child, [...chain, frame]);
			}
		};
		visit(document, []);
		return out;
	}

	/** Reports the locked controls' boxes, at most every {@link LOCKS_MS}, when they changed. */
	function reportLocks(): void {
		const now = performance.now();
		if (!showLocks || now - locksAt < LOCKS_MS) return;
		locksAt = now;
		try {
			const boxes = lockBoxes(currentZoom());
			const key = boxes.join(';');
			if (key === locksKey) return;
			locksKey = key;
			send({ locks: { boxes, viewport: frameViewport(currentZoom()) } });
		} catch {
			// NOTE: only an outline in the preview; the next period tries again.
		}
	}

	scope.__alongsideDetector = {
		choose(id: number, value: string | null): boolean {
			return choose(id, value);
		},
		/**
		 * What is selected in the page (a field's selected text, else the document's
		 * selection), for the copy to a viewer's clipboard. `guarded`: for an agent or a
		 * supervisor, refused when it touches anything masked. Never a password field's.
		 */
		selectionText(guarded: boolean): string {
			try {
				const el = focused();
				// NOTE: judged on the page as it is now.
				if (guarded && dirty) scan();
				if (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement) {
					if ((el instanceof HTMLInputElement && el.type === 'password') || (guarded && composedAncestors(el, frameElementOf).some(masked))) return JSON.stringify({ refused: true });
					const [start, end] = [el.selectionStart ?? 0, el.selectionEnd ?? 0];
					if (end > start) return JSON.stringify({ text: el.value.slice(start, end).slice(0, MAX_COPY) });
				}
				if (guarded && selectionMasked()) return JSON.stringify({ refused: true });
				return JSON.stringify({ text: (document.getSelection()?.toString() ?? '').slice(0, MAX_COPY) });
			} catch {
				return JSON.stringify({ refused: true });
			}
		},
		/** Reports the page as it is now as a new state (its tab was just brought to the front and is captured anew). */
		reportNow() {
			lastKey = undefined;
			if (top) update(false);
		},
		setRules(next: DetectorRules) {
			if (next.generation <= delivered.generation) return;
			delivered = next;
			compiled = compile(delivered.rules);
			dirty = true;
			// NOTE: reported at once (not at the next animation frame): the compositor covers
			// frames until it has a state found with these rules.
			if (top) update(false);
		},
		// NOTE: Node calls this as it sends input, so that the next frame's report (a tick if
		// nothing changed) shows the compositor the detector has caught up with it. Not event
		// listeners: pointer and touch listeners, even passive ones in this world, hung the
		// renderer under fuzzed touch sequences.
		/**
		 * The gateway's check of one agent input, before Node sends it: what is under the
		 * pointer (or focused), judged against the lock rules and masked fields. Also arms
		 * the guard for the agent. Returns a Verdict as JSON.
		 */
		check(seq: number, kind: AttemptKind, x: number, y: number, key: string, alt: boolean): string {
			armAgent(seq);
			const verdict = timed(() => check(kind, x, y, key, alt));
			// NOTE: what judgeNode vouched for stays while Node descends again (a release after
			// its press): the press may reach the page only now, and must find it vouched for.
			// judgeNode replaces it; any other verdict drops it.
			if (!descended) vouched = [];
			return verdict;
		},
		judgeNode(node: Node, seq: number, own: boolean): string {
			armAgent(seq);
			vouched = [];
			// NOTE: a node of this realm's documents only (CDP resolved it here, or a same-origin child passed it up).
			return timed(() => {
				if (!node || typeof node !== 'object' || !('nodeType' in node)) return { refused: 'unseen' };
				// NOTE: CDP's hit test found something else than what the check descended into (the page changed): refused.
				if (own && !within(node)) return { refused: 'unseen' };
				const refused = judge(node);
				if (!refused) vouched = composedAncestors(node, frameElementOf).filter((el) => el.hasAttribute(CLOSED_SHADOW_ATTRIBUTE));
				return verdictOf(refused);
			});
		},
		within: (node: Node) => within(node),
		checkFocused(seq: number, kind: AttemptKind, key: string, alt: boolean): string {
			// NOTE: the frame the focus is in (a frame whose focus is in a child frame is not it).
			if (!document.hasFocus()) return '';
			const el = focused();
			if (el && focusElsewhere(el)) return '';
			armAgent(seq);
			return timed(() => check(kind, 0, 0, key, alt));
		},
		sender(who: 'agent' | 'customer') {
			sender = who;
			vouched = [];
		},
		showLocks(on: boolean) {
			showLocks = on;
			locksKey = '';
		},
		input(seq: number, scrollX: number, scrollY: number) {
			inputSeen = true;
			inputSeq = Math.max(inputSeq, seq);
			if (scrollX > 0 || scrollY > 0) {
				const now = performance.now();
				const active = now < pendingScroll.until;
				pendingScroll = { x: (active ? pendingScroll.x : 0) + scrollX, y: (active ? pendingScroll.y : 0) + scrollY, until: now + SCROLL_HOLD_MS };
			}
		},
	};
	// NOTE: a cross-origin frame's detector only locks: no scans, no reports, no tag.
	if (!top) return;
	observeRoot(document);
	document.addEventListener('readystatechange', () => (dirty = true));
	window.addEventListener('load', () => (dirty = true), { capture: true });
	if (document.documentElement) raise();
	else {
		const waitRoot = new MutationObserver(() => {
			if (!document.documentElement) return;
			waitRoot.disconnect();
			raise();
		});
		waitRoot.observe(document, { childList: true });
	}
	requestAnimationFrame(frame);
}

// Elements that start a new block of text (by default); the text of two blocks is never joined.
const BLOCKS = new Set(['P', 'DIV', 'LI', 'TD', 'TH', 'TR', 'UL', 'OL', 'DL', 'DT', 'DD', 'SECTION', 'ARTICLE', 'ASIDE', 'HEADER', 'FOOTER', 'MAIN', 'NAV', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'PRE', 'BLOCKQUOTE', 'FORM', 'FIELDSET', 'TABLE', 'CAPTION', 'FIGURE', 'FIGCAPTION', 'BODY', 'BR', 'HR', 'BUTTON', 'LABEL', 'OPTION', 'DIALOG', 'DETAILS', 'SUMMARY']);

/** The nearest ancestor that starts a block of text (or the root). */
function blockOf(node: Node): Element | null {
	let el = node.parentElement;
	while (el && !BLOCKS.has(el.tagName)) {
		if (el.parentElement === null) break;
		el = el.parentElement;
	}
	return el;
}

/** Whether a text node is in a PDF viewer's text layer (publisher/pdf.ts marks it). */
function inPdfText(node: Text): boolean {
	return node.parentElement?.closest(`[${PDF_TEXT_ATTRIBUTE}]`) != null;
}

function hostOf(origin: string): string {
	try {
		return new URL(origin).hostname.toLowerCase();
	} catch {
		return '';
	}
}

/** A frame's document when this world may read it (same origin), else null. */
function contentDocument(frame: Element): Document | null {
	try {
		return (frame as HTMLIFrameElement).contentDocument;
	} catch {
		return null;
	}
}

/** The text node and offset of a position in the concatenated text. */
function locate(nodes: Text[], starts: number[], position: number, end: boolean): [Text, number] {
	let lo = 0;
	let hi = nodes.length - 1;
	while (lo < hi) {
		const mid = (lo + hi + 1) >> 1;
		if (starts[mid]! < position || (!end && starts[mid] === position)) lo = mid;
		else hi = mid - 1;
	}
	return [nodes[lo]!, position - starts[lo]!];
}

run();
