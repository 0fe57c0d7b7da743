/**
 * The annotations a viewer shows and draws: strokes in page coordinates (they follow the
 * page's scroll), the tool and colour chosen, and the batching of points (one message per
 * animation frame at most, so 60 Hz drawing is 60 messages a second).
 *
 * The maths (frame fraction ⇄ page px) is pure and tested beside this file; the canvas
 * drawing is in AnnotationLayer.svelte.
 */
import { SvelteMap } from 'svelte/reactivity';
import {
	type AnnotateMessage,
	type AnnotationMessage,
	type Color,
	HIGHLIGHT_FADE_MS,
	HIGHLIGHT_MS,
	MAX_POINTS_PER_MESSAGE,
	PULSE_MS,
	type Stroke,
	type Tool,
} from '../../../protocol/annotations';
import type { PageScroll, StrokeSnapshot } from '../../../protocol/wire';

/** A stroke as a viewer keeps it: `endedAt` by this viewer's clock (performance.now()). */
export type ShownStroke = Stroke;

export interface Pulse {
	id: number;
	by: string;
	tab: string;
	x: number;
	y: number;
	at: number;
}

/** The page's viewport in CSS px (the frame's), as BrowserState gives it. */
export interface Viewport {
	width: number;
	height: number;
}

/** A point of the frame (fractions 0..1) as a point of the page (CSS px of the document). */
export function toPage(fx: number, fy: number, scroll: PageScroll, viewport: Viewport): [number, number] {
	const scale = scroll.scale > 0 ? scroll.scale : 1;
	return [round1(scroll.x + (fx * viewport.width) / scale), round1(scroll.y + (fy * viewport.height) / scale)];
}

/** A point of the page (CSS px of the document) as a point of the frame (fractions; outside 0..1 when scrolled away). */
export function toFrame(px: number, py: number, scroll: PageScroll, viewport: Viewport): [number, number] {
	const scale = scroll.scale > 0 ? scroll.scale : 1;
	return [((px - scroll.x) * scale) / viewport.width, ((py - scroll.y) * scale) / viewport.height];
}

/** How opaque a stroke is now: 1, or a lifted highlighter fading out (0: gone). */
export function strokeOpacity(stroke: Pick<ShownStroke, 'tool' | 'endedAt'>, now: number): number {
	if (stroke.tool !== 'highlighter' || stroke.endedAt === undefined) return 1;
	const age = now - stroke.endedAt;
	if (age <= HIGHLIGHT_MS) return 1;
	return Math.max(0, 1 - (age - HIGHLIGHT_MS) / HIGHLIGHT_FADE_MS);
}

function round1(v: number): number {
	return Math.round(v * 10) / 10;
}

const key = (by: string, stroke: number) => `${by}:${stroke}`;

export class Annotations {
	/** Strokes shown, by `${by}:${stroke}`. */
	readonly strokes = new SvelteMap<string, ShownStroke>();
	pulses = $state<Pulse[]>([]);
	/** Where the shown tab is scrolled (see `page/scroll`). */
	scroll = $state<PageScroll>({ tab: '', x: 0, y: 0, scale: 1 });
	/** Whether this viewer may draw. */
	mayDraw = $state(false);
	/** The tool in hand; null: not drawing (the pointer drives the page). */
	tool = $state<Tool | 'pulse' | null>(null);
	color = $state<Color>('red');
	/** Bumped on every change, so the canvas redraws. */
	version = $state(0);

	readonly #send: (msg: AnnotateMessage) => boolean;
	#self = '';
	#nextStroke = 1;
	#drawing: { stroke: number; pending: Array<[number, number]> } | null = null;
	#flushQueued = false;
	#pulseSeq = 0;
	readonly #observers = new Set<(msg: AnnotationMessage) => void>();

	/** Calls `fn` with every message received (the bench times strokes); returns the function that stops it. */
	observe(fn: (msg: AnnotationMessage) => void): () => void {
		this.#observers.add(fn);
		return () => this.#observers.delete(fn);
	}

	constructor(send: (msg: AnnotateMessage) => boolean) {
		this.#send = send;
	}

	/** The state a join brings: who this viewer is, whether it may draw, the strokes shown, the scroll. */
	reset(self: string, join: { mayAnnotate: boolean; annotations: StrokeSnapshot[]; scroll: PageScroll }): void {
		this.#self = self;
		this.mayDraw = join.mayAnnotate;
		if (!this.mayDraw) this.tool = null;
		this.scroll = join.scroll;
		this.strokes.clear();
		const now = performance.now();
		for (const s of join.annotations) {
			this.strokes.set(key(s.by, s.stroke), { by: s.by, stroke: s.stroke, tab: s.tab, tool: s.tool, color: s.color, points: [...s.points], done: s.done, ...(s.endedAgoMs !== undefined ? { endedAt: now - s.endedAgoMs } : {}) });
			// NOTE: stroke numbers this viewer used before a reconnect are not reused.
			if (s.by === self) this.#nextStroke = Math.max(this.#nextStroke, s.stroke + 1);
		}
		this.#drawing = null;
		this.version++;
	}

	/** A message from the server's annotation channel (this viewer's own strokes come back too: they are drawn from here). */
	receive(msg: AnnotationMessage): void {
		switch (msg.type) {
			case 'annotation/start':
				this.strokes.set(key(msg.by, msg.stroke), { by: msg.by, stroke: msg.stroke, tab: msg.tab, tool: msg.tool, color: msg.color, points: [...msg.points], done: false });
				break;
			case 'annotation/points': {
				const stroke = this.strokes.get(key(msg.by, msg.stroke));
				if (stroke) stroke.points.push(...msg.points);
				break;
			}
			case 'annotation/end': {
				const stroke = this.strokes.get(key(msg.by, msg.stroke));
				if (stroke) {
					stroke.done = true;
					if (stroke.tool === 'highlighter') stroke.endedAt = performance.now();
				}
				break;
			}
			case 'annotation/remove':
				for (const s of msg.strokes) this.strokes.delete(key(s.by, s.stroke));
				break;
			case 'annotation/pulse': {
				const at = performance.now();
				this.pulses = [...this.pulses.filter((p) => at - p.at < PULSE_MS), { id: ++this.#pulseSeq, by: msg.by, tab: msg.tab, x: msg.x, y: msg.y, at }];
				break;
			}
		}
		this.version++;
		for (const fn of this.#observers) fn(msg);
	}

	/** The shown tab's page scrolled. */
	scrolled(scroll: PageScroll): void {
		this.scroll = scroll;
		this.version++;
	}

	/** Starts a stroke at a point of the frame (fractions), on the tab shown. */
	begin(fx: number, fy: number, viewport: Viewport): void {
		if (!this.mayDraw || (this.tool !== 'pen' && this.tool !== 'highlighter')) return;
		const stroke = this.#nextStroke++;
		const point = toPage(fx, fy, this.scroll, viewport);
		if (!this.#send({ type: 'annotate/start', stroke, tab: this.scroll.tab || 'unknown', tool: this.tool, color: this.color, points: [point] })) return;
		this.#drawing = { stroke, pending: [] };
	}

	/** Adds a point to the stroke being drawn; points are sent once per animation frame. */
	extend(fx: number, fy: number, viewport: Viewport): void {
		const drawing = this.#drawing;
		if (!drawing) return;
		drawing.pending.push(toPage(fx, fy, this.scroll, viewport));
		if (drawing.pending.length >= MAX_POINTS_PER_MESSAGE) this.#flush();
		else if (!this.#flushQueued) {
			this.#flushQueued = true;
			requestAnimationFrame(() => this.#flush());
		}
	}

	/** Lifts the pen. */
	finish(): void {
		if (!this.#drawing) return;
		this.#flush();
		this.#send({ type: 'annotate/end', stroke: this.#drawing.stroke });
		this.#drawing = null;
	}

	get drawing(): boolean {
		return this.#drawing !== null;
	}

	/** "Look here" at a point of the frame. */
	pulse(fx: number, fy: number, viewport: Viewport): void {
		if (!this.mayDraw) return;
		const [x, y] = toPage(fx, fy, this.scroll, viewport);
		this.#send({ type: 'annotate/pulse', tab: this.scroll.tab || 'unknown', x, y });
	}

	undo(): void {
		this.#send({ type: 'annotate/undo' });
	}

	clear(scope: 'mine' | 'all'): void {
		this.#send({ type: 'annotate/clear', scope });
	}

	/** Whether this viewer has strokes shown (for "undo" and "clear mine"). */
	get hasOwn(): boolean {
		void this.version;
		for (const s of this.strokes.values()) if (s.by === this.#self) return true;
		return false;
	}

	/** Whether anything is shown (for "clear all"). */
	get hasAny(): boolean {
		void this.version;
		return this.strokes.size > 0;
	}

	/** Drops faded highlighters and old pulses; true when something is still animating. */
	prune(now: number): boolean {
		let animating = false;
		for (const [k, s] of this.strokes) {
			if (s.tool !== 'highlighter' || s.endedAt === undefined) continue;
			if (strokeOpacity(s, now) <= 0) this.strokes.delete(k);
			else animating = true;
		}
		if (this.pulses.some((p) => now - p.at >= PULSE_MS)) this.pulses = this.pulses.filter((p) => now - p.at < PULSE_MS);
		return animating || this.pulses.length > 0;
	}

	#flush(): void {
		this.#flushQueued = false;
		const drawing = this.#drawing;
		if (!drawing || drawing.pending.length === 0) return;
		const points = drawing.pending.splice(0, MAX_POINTS_PER_MESSAGE);
		this.#send({ type: 'annotate/points', stroke: drawing.stroke, points });
		if (drawing.pending.length > 0) this.#flush();
	}
}
