/**
 * The masked rendition's compositor, as pure functions over raw frame buffers (no DOM, so
 * Node's tests run it on synthetic frames): it reads each frame's tag, decides which boxes
 * must be painted (or that the whole frame must be covered), and paints them into the
 * frame's own pixel format, so the encoder converts nothing.
 *
 * The rule (see shared/notes/masking-and-locking-facts.md): a frame tagged N is painted
 * with the union of the boxes of state N and of every newer state known (N+1, N+2, …),
 * widened by a margin, because the browser's compositor applies a scroll before the page's
 * main thread (and the detector) sees it. It fails closed: a tag that is unreadable, or
 * names no state the detector reported, a detector that says it has not scanned the page
 * yet, a navigation in flight, or input the detector has not caught up with → the whole
 * frame is covered.
 */
import { nextTag, readTag, TAG_HEIGHT, TAG_WIDTH } from './frameTag.js';

/** A box in CSS pixels of the viewport: x, y, width, height. */
export type Box = readonly [number, number, number, number];

/** Why a whole frame was covered (metric label values). */
export type CoverReason =
	/** The frame's tag strip could not be read (covered, scaled, or the page not tagged yet). */
	| 'tag_unreadable'
	/** The tag names no state the detector reported (yet, or any more). */
	| 'tag_unknown'
	/** The detector has not scanned this state completely (loading, no rules yet). */
	| 'not_scanned'
	/** The tab is navigating: the next document has not been scanned. */
	| 'navigating'
	/** Input reached the page after the newest state the detector reported. */
	| 'detector_behind'
	/** The publisher has not been told the masking rules yet. */
	| 'no_rules';

export const COVER_REASONS: readonly CoverReason[] = ['tag_unreadable', 'tag_unknown', 'not_scanned', 'navigating', 'detector_behind', 'no_rules'];

/** One state reported by the detector: what is sensitive where, as of one tag. */
export interface MaskState {
	/** The document the state belongs to (a new one at each navigation). */
	doc: string;
	tag: number;
	/** Boxes to paint, CSS pixels of the viewport. */
	boxes: Box[];
	/** The viewport the boxes are relative to, CSS pixels. */
	viewport: { width: number; height: number };
	/** When the detector measured it (ms since the epoch). */
	at: number;
	/** The rules generation it was found with (see DetectorRules in protocol/detector.ts). */
	rules: number;
	/** The newest input the detector had been told of when it measured (0: none). */
	input?: number;
	/** Set when part of the page could not be scanned: the frame is covered. */
	incomplete?: boolean;
	/** Nothing on the page is masked or could be (see DetectorReport): no need to wait for the next report. */
	clean?: boolean;
}

/** Boxes as fractions of the frame (0–1), margins included: states may differ in viewport. */
export type Decision = { cover: CoverReason } | { boxes: Box[]; states: number };

/** After scrolling input, the detector must have reported from this much later (two frames at 60 Hz). */
export const SCROLL_SETTLE_MS = 34;
/** The longest the detector may have been silent when a frame arrives (it reports every frame). */
export const MAX_SILENCE_MS = 50;

/** How many recent states are kept: tags older than this are unknown. */
const KEEP = 64;
/** Newer states unioned with a frame's own: N+1 … N+{@link LOOKAHEAD}. */
export const LOOKAHEAD = 3;

/** The states of the current document, and what the compositor knows about input and navigation. */
export class MaskBook {
	#doc: string | undefined;
	readonly #states = new Map<number, MaskState>();
	#newest: MaskState | undefined;
	#hold: CoverReason | undefined = 'no_rules';
	/** States found with older rules than these are not trusted. */
	#rules = Number.POSITIVE_INFINITY;
	#inputAt = 0;
	#scrollAt = 0;
	/** The newest input sent, and the newest the detector of this document acknowledged. */
	#inputSeq = 0;
	#acked = 0;
	#resumedAt = 0;

	/** Adds a state from the detector. A state of another document replaces everything known. */
	add(state: MaskState): void {
		if (state.doc !== this.#doc) {
			this.#states.clear();
			this.#doc = state.doc;
			if (this.#hold === 'navigating') this.#hold = undefined;
			// NOTE: a new document's detector was told of no earlier input (that went to the
			// document before it); the time rules still hold it to input sent since.
			this.#acked = this.#inputSeq;
		}
		this.#acked = Math.max(this.#acked, state.input ?? 0);
		this.#states.set(state.tag, state);
		this.#noteGap(state.at);
		this.#newest = state;
		if (this.#states.size > KEEP) this.#states.delete(this.#states.keys().next().value!);
	}

	/** The detector says state `tag` still holds at `at` (a tick), having been told of input `input`. */
	touch(doc: string, tag: number, at: number, input = 0): void {
		const newest = this.#newest;
		if (newest && newest.doc === doc && newest.tag === tag && at > newest.at) {
			this.#acked = Math.max(this.#acked, input);
			this.#noteGap(at);
			this.#newest = { ...newest, at };
		}
	}

	/**
	 * After the detector was silent (the page's main thread stalled), it catches up with
	 * queued input and scrolls over its next frames: frames wait for reports from
	 * {@link SCROLL_SETTLE_MS} after it resumed.
	 */
	#noteGap(at: number): void {
		const previous = this.#newest?.at;
		if (previous !== undefined && at - previous > MAX_SILENCE_MS) this.#resumedAt = at;
	}

	/** A one-line summary for diagnostics: the states known, the newest, input. */
	describe(): string {
		const newest = this.#newest;
		return `doc ${this.#doc} known [${[...this.#states.keys()].slice(-6).join(',')}] newest ${newest?.tag} age ${newest ? Date.now() - newest.at : '-'}ms input ${this.#inputAt ? Date.now() - this.#inputAt : '-'}ms ago`;
	}

	/** The boxes of one state alone (as fractions, margins included): the audit's "N only" rule. */
	own(tag: number): Box[] | undefined {
		const state = this.#states.get(tag);
		return state && normalized(state);
	}

	/** Covers every frame until a state of a new document arrives (a navigation started). */
	navigating(): void {
		this.#states.clear();
		this.#doc = undefined;
		this.#newest = undefined;
		this.#hold = 'navigating';
	}

	/**
	 * The rules delivered to the detector are at `generation` (null: none yet). Until a state
	 * found with them arrives, and always without rules, frames are covered.
	 */
	rules(generation: number | null): void {
		this.#rules = generation ?? Number.POSITIVE_INFINITY;
		if (generation === null) this.#hold = 'no_rules';
		else if (this.#hold === 'no_rules') this.#hold = undefined;
	}

	/**
	 * Input was sent to the page at `at` (ms since the epoch). `scrolls`: it may scroll
	 * (wheel, touch, scrolling keys), which the browser's compositor applies before the
	 * page's main thread, and so the detector, sees it.
	 */
	input(at: number, scrolls = false, seq = 0): void {
		this.#inputAt = Math.max(this.#inputAt, at);
		this.#inputSeq = Math.max(this.#inputSeq, seq);
		if (scrolls) this.#scrollAt = Math.max(this.#scrollAt, at);
	}

	/** Whether the detector reported anything from a frame after the one that measured `own`. */
	#successorKnown(own: MaskState): boolean {
		return this.#states.has(nextTag(own.tag)) || (this.#newest !== undefined && this.#newest.tag === own.tag && this.#newest.doc === own.doc && this.#newest.at > own.at);
	}

	/**
	 * Whether the detector has not yet reported what a frame arriving `now` may show: input
	 * reached the page after its newest report, or input it has not acknowledged (it widens
	 * its boxes by what scrolling input may move, from when it learns of it), or scrolling input less than
	 * {@link SCROLL_SETTLE_MS} before it, or it has been silent for more than
	 * {@link MAX_SILENCE_MS} (the page's main thread is stalled while the browser's
	 * compositor may go on scrolling or animating), or resumed less than
	 * {@link SCROLL_SETTLE_MS} before its newest report.
	 */
	behind(now = Date.now()): boolean {
		const at = this.#newest?.at ?? 0;
		return this.#inputAt > at || this.#acked < this.#inputSeq || this.#scrollAt + SCROLL_SETTLE_MS > at || this.#resumedAt + SCROLL_SETTLE_MS > at || now - at > MAX_SILENCE_MS;
	}

	/** The newest state (for the customer's outlines). */
	get newest(): MaskState | undefined {
		return this.#newest;
	}

	/** What to paint on a frame whose tag is `tag` (undefined: unreadable), arriving `now`. */
	decide(tag: number | undefined, now = Date.now()): Decision {
		if (this.#hold) return { cover: this.#hold };
		if (tag === undefined) return { cover: 'tag_unreadable' };
		const own = this.#states.get(tag);
		if (!own) return { cover: 'tag_unknown' };
		if (own.rules < this.#rules) return { cover: 'no_rules' };
		// NOTE: a frame may show more than its own state (the compositor scrolls and animates
		// ahead of the page's main thread): it waits for a report from the detector's next
		// frame (a newer state, or a tick of this one), and for one after the latest input.
		if (!own.clean && (this.behind(now) || !this.#successorKnown(own))) return { cover: 'detector_behind' };
		const boxes = normalized(own);
		let states = 1;
		let incomplete = own.incomplete === true;
		for (let step = 1; step <= LOOKAHEAD; step++) {
			const newer = this.#states.get(nextTag(tag, step));
			if (!newer) break;
			boxes.push(...normalized(newer));
			incomplete ||= newer.incomplete === true;
			states++;
		}
		if (incomplete) return { cover: 'not_scanned' };
		return { boxes, states };
	}
}

/** A state's boxes widened by {@link MARGIN}, as fractions of its viewport. */
function normalized(state: MaskState): Box[] {
	const { width, height } = state.viewport;
	return state.boxes.map(([x, y, w, h]) => [(x - MARGIN) / width, (y - MARGIN) / height, (w + 2 * MARGIN) / width, (h + 2 * MARGIN) / height] as const);
}

/** Pixel formats of the frames the compositor edits. */
export type PixelFormat = 'I420' | 'I420A' | 'NV12' | 'RGBA' | 'RGBX' | 'BGRA' | 'BGRX';

export interface Plane {
	offset: number;
	stride: number;
}

/** A frame's pixels: the buffer `VideoFrame.copyTo` filled and its layout. */
export interface RawFrame {
	format: PixelFormat;
	width: number;
	height: number;
	data: Uint8Array;
	planes: Plane[];
}

/** A paint colour in both families of formats. */
export interface Paint {
	y: number;
	u: number;
	v: number;
	rgb: [number, number, number];
}

/** Masked regions: a dark slate. */
export const BOX_PAINT: Paint = { y: 56, u: 134, v: 124, rgb: [44, 54, 66] };
/** Whole frames covered for safety: a light grey. */
export const COVER_PAINT: Paint = { y: 200, u: 128, v: 128, rgb: [200, 200, 200] };

/** Margin added around every box, CSS pixels. */
export const MARGIN = 6;

/** Luma of a pixel (for reading the tag). */
export function luma(frame: RawFrame, x: number, y: number): number {
	const cx = Math.min(Math.max(0, x), frame.width - 1);
	const cy = Math.min(Math.max(0, y), frame.height - 1);
	const plane = frame.planes[0]!;
	if (isYuv(frame.format)) return frame.data[plane.offset + cy * plane.stride + cx]!;
	const i = plane.offset + cy * plane.stride + cx * 4;
	const [r, g, b] = frame.format.startsWith('RGB')
		? [frame.data[i]!, frame.data[i + 1]!, frame.data[i + 2]!]
		: [frame.data[i + 2]!, frame.data[i + 1]!, frame.data[i]!];
	return Math.round(0.257 * r + 0.504 * g + 0.098 * b + 16);
}

/** The tag a frame shows, read at the viewport scale; undefined when unreadable. */
export function frameTag(frame: RawFrame, viewport: { width: number; height: number }): number | undefined {
	return readTag((x, y) => luma(frame, x, y), frame.height, frame.width / viewport.width, frame.height / viewport.height);
}

function isYuv(format: PixelFormat): boolean {
	return format === 'I420' || format === 'I420A' || format === 'NV12';
}

/** Fills a rectangle of frame pixels (clipped to the frame) with a paint. */
export function fillRect(frame: RawFrame, x0: number, y0: number, x1: number, y1: number, paint: Paint): void {
	// NOTE: widened to even coordinates so that chroma samples half inside a box are painted too.
	const left = Math.max(0, Math.floor(x0 / 2) * 2);
	const top = Math.max(0, Math.floor(y0 / 2) * 2);
	const right = Math.min(frame.width, Math.ceil(x1 / 2) * 2);
	const bottom = Math.min(frame.height, Math.ceil(y1 / 2) * 2);
	if (right <= left || bottom <= top) return;
	const { data, planes, format } = frame;
	if (!isYuv(format)) {
		const [r, g, b] = paint.rgb;
		const plane = planes[0]!;
		const rgba = format.startsWith('RGB') ? [r, g, b] : [b, g, r];
		for (let y = top; y < bottom; y++) {
			let i = plane.offset + y * plane.stride + left * 4;
			for (let x = left; x < right; x++, i += 4) {
				data[i] = rgba[0]!;
				data[i + 1] = rgba[1]!;
				data[i + 2] = rgba[2]!;
				data[i + 3] = 255;
			}
		}
		return;
	}
	const luma = planes[0]!;
	for (let y = top; y < bottom; y++) data.fill(paint.y, luma.offset + y * luma.stride + left, luma.offset + y * luma.stride + right);
	const [cl, cr, ct, cb] = [left / 2, right / 2, top / 2, bottom / 2];
	if (format === 'NV12') {
		const uv = planes[1]!;
		for (let y = ct; y < cb; y++) {
			let i = uv.offset + y * uv.stride + cl * 2;
			for (let x = cl; x < cr; x++, i += 2) {
				data[i] = paint.u;
				data[i + 1] = paint.v;
			}
		}
		return;
	}
	const [u, v] = [planes[1]!, planes[2]!];
	for (let y = ct; y < cb; y++) {
		data.fill(paint.u, u.offset + y * u.stride + cl, u.offset + y * u.stride + cr);
		data.fill(paint.v, v.offset + y * v.stride + cl, v.offset + y * v.stride + cr);
	}
	// NOTE: I420A's alpha plane is left as it is: the encoder ignores it.
}

export interface PaintResult {
	/** Set when the whole frame was covered. */
	cover?: CoverReason;
	/** Boxes painted (besides the tag strip). */
	boxes: number;
}

/**
 * Paints a frame for the masked rendition: the decided boxes (widened by {@link MARGIN},
 * scaled to frame pixels) or, failing closed, the whole frame; and always the tag strip,
 * which is no part of the page.
 */
export function paintFrame(frame: RawFrame, book: MaskBook, viewport: { width: number; height: number }, now = Date.now()): PaintResult & { tag: number | undefined } {
	const tag = frameTag(frame, viewport);
	return paintDecision(frame, book.decide(tag, now), viewport, tag);
}

/**
 * A small picture painted in the middle of a covered frame ("Hidden while the page
 * updates"), in I420: even width and height, planes packed (stride = width, width / 2).
 */
export interface Notice {
	width: number;
	height: number;
	y: Uint8Array;
	u: Uint8Array;
	v: Uint8Array;
}

/** A notice from RGBA pixels (e.g. text drawn on a canvas), converted once (BT.601, limited range). */
export function noticeFromRgba(rgba: Uint8ClampedArray | Uint8Array, width: number, height: number): Notice {
	const [w, h] = [width & ~1, height & ~1];
	const y = new Uint8Array(w * h);
	const u = new Uint8Array((w / 2) * (h / 2));
	const v = new Uint8Array((w / 2) * (h / 2));
	for (let row = 0; row < h; row++) {
		for (let col = 0; col < w; col++) {
			const i = (row * width + col) * 4;
			y[row * w + col] = Math.round(16 + 0.257 * rgba[i]! + 0.504 * rgba[i + 1]! + 0.098 * rgba[i + 2]!);
		}
	}
	for (let row = 0; row < h / 2; row++) {
		for (let col = 0; col < w / 2; col++) {
			let [r, g, b] = [0, 0, 0];
			for (const [dx, dy] of [[0, 0], [1, 0], [0, 1], [1, 1]] as const) {
				const i = ((2 * row + dy) * width + 2 * col + dx) * 4;
				r += rgba[i]! / 4;
				g += rgba[i + 1]! / 4;
				b += rgba[i + 2]! / 4;
			}
			u[row * (w / 2) + col] = Math.round(128 - 0.148 * r - 0.291 * g + 0.439 * b);
			v[row * (w / 2) + col] = Math.round(128 + 0.439 * r - 0.368 * g - 0.071 * b);
		}
	}
	return { width: w, height: h, y, u, v };
}

/** Copies a notice into the middle of an I420 frame (other formats, or too small a frame: nothing). */
export function paintNotice(frame: RawFrame, notice: Notice): void {
	if ((frame.format !== 'I420' && frame.format !== 'I420A') || notice.width > frame.width || notice.height > frame.height) return;
	const x0 = Math.floor((frame.width - notice.width) / 4) * 2;
	const y0 = Math.floor((frame.height - notice.height) / 4) * 2;
	const [yPlane, uPlane, vPlane] = frame.planes as [Plane, Plane, Plane];
	const cw = notice.width / 2;
	for (let row = 0; row < notice.height; row++) frame.data.set(notice.y.subarray(row * notice.width, (row + 1) * notice.width), yPlane.offset + (y0 + row) * yPlane.stride + x0);
	for (let row = 0; row < notice.height / 2; row++) {
		frame.data.set(notice.u.subarray(row * cw, (row + 1) * cw), uPlane.offset + (y0 / 2 + row) * uPlane.stride + x0 / 2);
		frame.data.set(notice.v.subarray(row * cw, (row + 1) * cw), vPlane.offset + (y0 / 2 + row) * vPlane.stride + x0 / 2);
	}
}

/**
 * Paints a decision (see {@link paintFrame}); `tag` is passed through for the caller's
 * records. A covered frame gets `notice` in its middle, if given.
 */
export function paintDecision(frame: RawFrame, decision: Decision, viewport: { width: number; height: number }, tag?: number, notice?: Notice): PaintResult & { tag: number | undefined } {
	if ('cover' in decision) {
		fillRect(frame, 0, 0, frame.width, frame.height, COVER_PAINT);
		if (notice) paintNotice(frame, notice);
		return { cover: decision.cover, boxes: 0, tag };
	}
	const [fw, fh] = [frame.width, frame.height];
	for (const [x, y, w, h] of decision.boxes) fillRect(frame, Math.floor(x * fw), Math.floor(y * fh), Math.ceil((x + w) * fw), Math.ceil((y + h) * fh), BOX_PAINT);
	const sx = fw / viewport.width;
	const sy = fh / viewport.height;
	fillRect(frame, 0, Math.floor(frame.height - TAG_HEIGHT * sy), Math.ceil(TAG_WIDTH * sx), frame.height, BOX_PAINT);
	return { boxes: decision.boxes.length, tag };
}
