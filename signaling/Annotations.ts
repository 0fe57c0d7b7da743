/**
 * A session's annotations: the strokes shown now, who may remove which, and the limits.
 * Pure logic (no I/O): the session feeds it what arrives on participants' annotation
 * channels and fans out what it returns.
 */
import {
	type AnnotateMessage,
	type AnnotationMessage,
	ANNOTATE_RATE_PER_S,
	HIGHLIGHT_FADE_MS,
	HIGHLIGHT_MS,
	MAX_POINTS_PER_STROKE,
	MAX_POINTS_TOTAL,
	MAX_STROKES,
	type Stroke,
} from '../protocol/annotations.js';

/** Why a message was dropped (counted by the session). */
export type AnnotateDrop = 'rate_limited' | 'forbidden' | 'unknown_stroke' | 'duplicate_stroke' | 'too_long';

export type AnnotateResult = { out: AnnotationMessage[] } | { dropped: AnnotateDrop };

interface Bucket {
	tokens: number;
	at: number;
}

export class Annotations {
	/** Strokes shown, oldest first, by `${by}:${stroke}`. */
	readonly #strokes = new Map<string, Stroke>();
	/** Points of all strokes shown. */
	#points = 0;
	readonly #buckets = new Map<string, Bucket>();
	readonly #now: () => number;

	constructor(now: () => number = Date.now) {
		this.#now = now;
	}

	/**
	 * Applies one message from participant `by` (`mayClearAll`: an agent). Returns what to
	 * fan out, or why it was dropped; a dropped message changes nothing.
	 */
	apply(by: string, message: AnnotateMessage, mayClearAll: boolean, budget: string = by): AnnotateResult {
		// NOTE: the rate budget is the person's (`budget`: an actor), so a rejoin does not refill it.
		if (!this.#take(budget)) return { dropped: 'rate_limited' };
		switch (message.type) {
			case 'annotate/start': {
				const key = `${by}:${message.stroke}`;
				if (this.#strokes.has(key)) return { dropped: 'duplicate_stroke' };
				const out: AnnotationMessage[] = [];
				if (this.#strokes.size >= MAX_STROKES) {
					// NOTE: room is made by the oldest stroke (highlighters fade soon anyway).
					const [oldestKey, oldest] = this.#strokes.entries().next().value as [string, Stroke];
					this.#delete(oldestKey);
					out.push({ type: 'annotation/remove', strokes: [{ by: oldest.by, stroke: oldest.stroke }] });
				}
				const points = message.points.slice(0, MAX_POINTS_PER_STROKE);
				if (!this.#makeRoom(points.length, out)) return { dropped: 'too_long' };
				this.#points += points.length;
				this.#strokes.set(key, { by, stroke: message.stroke, tab: message.tab, tool: message.tool, color: message.color, points: [...points], done: false });
				out.push({ type: 'annotation/start', by, stroke: message.stroke, tab: message.tab, tool: message.tool, color: message.color, points });
				return { out };
			}
			case 'annotate/points': {
				const stroke = this.#strokes.get(`${by}:${message.stroke}`);
				if (!stroke || stroke.done) return { dropped: 'unknown_stroke' };
				const room = MAX_POINTS_PER_STROKE - stroke.points.length;
				if (room <= 0) return { dropped: 'too_long' };
				const points = message.points.slice(0, room);
				const out: AnnotationMessage[] = [];
				if (!this.#makeRoom(points.length, out, stroke)) return { dropped: 'too_long' };
				this.#points += points.length;
				stroke.points.push(...points);
				out.push({ type: 'annotation/points', by, stroke: message.stroke, points });
				return { out };
			}
			case 'annotate/end': {
				const stroke = this.#strokes.get(`${by}:${message.stroke}`);
				if (!stroke || stroke.done) return { dropped: 'unknown_stroke' };
				stroke.done = true;
				if (stroke.tool === 'highlighter') stroke.endedAt = this.#now();
				return { out: [{ type: 'annotation/end', by, stroke: message.stroke }] };
			}
			case 'annotate/undo': {
				const mine = [...this.#strokes.values()].filter((s) => s.by === by);
				const last = mine.at(-1);
				if (!last) return { out: [] };
				this.#delete(`${by}:${last.stroke}`);
				return { out: [{ type: 'annotation/remove', strokes: [{ by, stroke: last.stroke }] }] };
			}
			case 'annotate/clear': {
				if (message.scope === 'all' && !mayClearAll) return { dropped: 'forbidden' };
				const removed: Array<{ by: string; stroke: number }> = [];
				for (const [key, s] of this.#strokes) {
					if (message.scope === 'all' || s.by === by) {
						this.#delete(key);
						removed.push({ by: s.by, stroke: s.stroke });
					}
				}
				return { out: removed.length ? [{ type: 'annotation/remove', strokes: removed }] : [] };
			}
			case 'annotate/pulse':
				return { out: [{ type: 'annotation/pulse', by, tab: message.tab, x: message.x, y: message.y }] };
		}
	}

	/** Removes highlighter strokes whose time is up; what to fan out, if any. */
	expire(): AnnotationMessage | undefined {
		const now = this.#now();
		const removed: Array<{ by: string; stroke: number }> = [];
		for (const [key, s] of this.#strokes) {
			if (s.endedAt !== undefined && now - s.endedAt >= HIGHLIGHT_MS + HIGHLIGHT_FADE_MS) {
				this.#delete(key);
				removed.push({ by: s.by, stroke: s.stroke });
			}
		}
		return removed.length ? { type: 'annotation/remove', strokes: removed } : undefined;
	}

	/**
	 * The strokes shown now, for a viewer that joins: a highlighter's `endedAt` is given as
	 * milliseconds ago, since clocks differ.
	 */
	snapshot(): Array<Omit<Stroke, 'endedAt'> & { endedAgoMs?: number }> {
		const now = this.#now();
		return [...this.#strokes.values()].map(({ endedAt, points, ...s }) => ({ ...s, points: [...points], ...(endedAt !== undefined ? { endedAgoMs: now - endedAt } : {}) }));
	}

	#delete(key: string): void {
		const stroke = this.#strokes.get(key);
		if (!stroke) return;
		this.#points -= stroke.points.length;
		this.#strokes.delete(key);
	}

	/**
	 * Makes room for `count` more points by removing the oldest finished strokes, then the
	 * oldest unfinished ones (never `keep`, the one being extended), telling viewers in
	 * `out`. NOTE: always succeeds for what one message can add (a stroke holds far fewer
	 * than {@link MAX_POINTS_TOTAL}); false would mean nothing was changed but the removals.
	 */
	#makeRoom(count: number, out: AnnotationMessage[], keep?: Stroke): boolean {
		if (this.#points + count <= MAX_POINTS_TOTAL) return true;
		const removed: Array<{ by: string; stroke: number }> = [];
		for (const finishedFirst of [true, false]) {
			for (const [key, s] of this.#strokes) {
				if (this.#points + count <= MAX_POINTS_TOTAL) break;
				if (s === keep || (finishedFirst && !s.done)) continue;
				this.#delete(key);
				removed.push({ by: s.by, stroke: s.stroke });
			}
		}
		if (removed.length) out.push({ type: 'annotation/remove', strokes: removed });
		return this.#points + count <= MAX_POINTS_TOTAL;
	}

	/** A token bucket per participant: {@link ANNOTATE_RATE_PER_S} a second, bursts of twice that. */
	#take(by: string): boolean {
		const now = this.#now();
		const burst = ANNOTATE_RATE_PER_S * 2;
		const bucket = this.#buckets.get(by) ?? { tokens: burst, at: now };
		bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * ANNOTATE_RATE_PER_S);
		bucket.at = now;
		this.#buckets.set(by, bucket);
		if (bucket.tokens < 1) return false;
		bucket.tokens -= 1;
		return true;
	}
}
