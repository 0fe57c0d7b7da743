/**
 * What viewers drew over a recorded session, played again: the pointers, the drawings and
 * the page's scroll and viewport at any moment of the recording, from the overlay track
 * kept beside it (signaling/recordings/OverlayTrack.ts; GET /api/recordings/:id/overlay).
 *
 * `seek(at)` brings the state to wall-clock time `at`: forward by applying the entries
 * since the last time, backward by starting again from the first (a track is at most a
 * few hundred thousand small entries). Plain state, no DOM: the report's player draws it.
 * The track comes from our server, but an entry it does not understand is skipped, not
 * trusted: a bad track draws less, never breaks the player.
 */
import { COLORS, MAX_POINTS_PER_STROKE, PULSE_MS, type Stroke } from '../../../protocol/annotations';
import type { PageScroll, Role } from '../../../protocol/wire';
import type { Viewport } from './annotations.svelte';
import type { PulseMark } from './paintAnnotations';

export type OverlayEntry = [at: number, kind: string, message: unknown];

export interface OverlayData {
	entries: OverlayEntry[];
	people?: Record<string, { name: string; role: string }>;
	partial: boolean;
}

export interface ReplayPointer {
	id: string;
	/** Fractions of the frame. */
	x: number;
	y: number;
	name: string;
	role: Role | null;
	/** When it last moved (wall clock). */
	movedAt: number;
}

/** How long a pointer that stopped moving stays shown (as the live stage's pointers do). */
export const POINTER_IDLE_MS = 3000;

const ROLES = new Set(['agent', 'customer', 'supervisor']);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isPoint = (v: unknown): v is [number, number] => Array.isArray(v) && v.length === 2 && isNumber(v[0]) && isNumber(v[1]);
const isFraction = (v: unknown): v is number => isNumber(v) && v >= 0 && v <= 1;
const strokeKey = (by: unknown, stroke: unknown) => `${String(by)}:${String(stroke)}`;

export class OverlayReplay {
	readonly strokes = new Map<string, Stroke>();
	pulses: PulseMark[] = [];
	readonly pointers = new Map<string, ReplayPointer>();
	scroll: PageScroll = { tab: '', x: 0, y: 0, scale: 1 };
	viewport: Viewport | null = null;
	readonly #entries: OverlayEntry[];
	readonly #people: Record<string, { name: string; role: string }>;
	/** The next entry to apply, and the time the state is at. */
	#next = 0;
	#at = -Infinity;

	constructor(data: OverlayData) {
		const entries = Array.isArray(data?.entries) ? data.entries.filter((e) => Array.isArray(e) && isNumber(e[0]) && typeof e[1] === 'string') : [];
		this.#entries = entries.sort((a, b) => a[0] - b[0]);
		this.#people = isObject(data?.people) ? (data.people as Record<string, { name: string; role: string }>) : {};
	}

	/** Whether the track holds anything to draw. */
	get empty(): boolean {
		return this.#entries.length === 0;
	}

	/** Brings the state to wall-clock time `at` (ms since the epoch). */
	seek(at: number): void {
		if (at < this.#at) this.#reset();
		while (this.#next < this.#entries.length && this.#entries[this.#next]![0] <= at) this.#apply(this.#entries[this.#next++]!);
		this.#at = at;
		this.pulses = this.pulses.filter((p) => at - p.at < PULSE_MS);
	}

	/** The pointers shown at `at`: those that moved in the last {@link POINTER_IDLE_MS}. */
	pointersAt(at: number): ReplayPointer[] {
		return [...this.pointers.values()].filter((p) => at - p.movedAt < POINTER_IDLE_MS && at >= p.movedAt);
	}

	#reset(): void {
		this.strokes.clear();
		this.pulses = [];
		this.pointers.clear();
		this.scroll = { tab: '', x: 0, y: 0, scale: 1 };
		this.viewport = null;
		this.#next = 0;
		this.#at = -Infinity;
	}

	#apply([at, kind, message]: OverlayEntry): void {
		if (!isObject(message)) return;
		if (kind === 'cursor') this.#cursor(at, message);
		else if (kind === 'annotation') this.#annotation(at, message);
		else if (kind === 'scroll') this.#scrolled(message);
		else if (kind === 'viewport') this.#viewport(message);
	}

	#cursor(at: number, m: Record<string, unknown>): void {
		const id = m.participantId;
		if (typeof id !== 'string') return;
		if (m.type === 'cursor/hide') {
			this.pointers.delete(id);
			return;
		}
		if (m.type !== 'cursor/move' || !isFraction(m.x) || !isFraction(m.y)) return;
		const who = this.#people[id];
		const role = who && ROLES.has(who.role) ? (who.role as Role) : null;
		this.pointers.set(id, { id, x: m.x, y: m.y, name: typeof who?.name === 'string' ? who.name : '', role, movedAt: at });
	}

	#scrolled(m: Record<string, unknown>): void {
		if (!isNumber(m.x) || !isNumber(m.y)) return;
		this.scroll = { tab: typeof m.tab === 'string' ? m.tab : '', x: m.x, y: m.y, scale: isNumber(m.scale) && m.scale > 0 ? m.scale : 1 };
	}

	#viewport(m: Record<string, unknown>): void {
		if (isNumber(m.width) && isNumber(m.height) && m.width > 0 && m.height > 0) this.viewport = { width: m.width, height: m.height };
	}

	#annotation(at: number, m: Record<string, unknown>): void {
		switch (m.type) {
			case 'annotation/snapshot': {
				this.strokes.clear();
				for (const s of Array.isArray(m.annotations) ? m.annotations : []) {
					const stroke = this.#stroke(s);
					if (!stroke) continue;
					const ago = (s as { endedAgoMs?: unknown }).endedAgoMs;
					if (isNumber(ago)) stroke.endedAt = at - ago;
					this.strokes.set(strokeKey(stroke.by, stroke.stroke), stroke);
				}
				if (isObject(m.scroll)) this.#scrolled(m.scroll);
				if (isObject(m.viewport)) this.#viewport(m.viewport);
				break;
			}
			case 'annotation/start': {
				const stroke = this.#stroke({ ...m, done: false });
				if (stroke) this.strokes.set(strokeKey(stroke.by, stroke.stroke), stroke);
				break;
			}
			case 'annotation/points': {
				const stroke = this.strokes.get(strokeKey(m.by, m.stroke));
				if (stroke && Array.isArray(m.points)) for (const p of m.points) if (isPoint(p) && stroke.points.length < MAX_POINTS_PER_STROKE) stroke.points.push([p[0], p[1]]);
				break;
			}
			case 'annotation/end': {
				const stroke = this.strokes.get(strokeKey(m.by, m.stroke));
				if (stroke) {
					stroke.done = true;
					if (stroke.tool === 'highlighter') stroke.endedAt = at;
				}
				break;
			}
			case 'annotation/remove':
				for (const s of Array.isArray(m.strokes) ? m.strokes : []) if (isObject(s)) this.strokes.delete(strokeKey(s.by, s.stroke));
				break;
			case 'annotation/pulse':
				if (typeof m.tab === 'string' && isNumber(m.x) && isNumber(m.y)) this.pulses.push({ tab: m.tab, x: m.x, y: m.y, at });
				break;
		}
	}

	/** A stroke from a message or a snapshot, or null if it is not one. */
	#stroke(s: unknown): Stroke | null {
		if (!isObject(s) || typeof s.by !== 'string' || !isNumber(s.stroke) || typeof s.tab !== 'string') return null;
		if ((s.tool !== 'pen' && s.tool !== 'highlighter') || typeof s.color !== 'string' || !Object.hasOwn(COLORS, s.color)) return null;
		const points = Array.isArray(s.points) ? s.points.filter(isPoint).slice(0, MAX_POINTS_PER_STROKE).map((p) => [p[0], p[1]] as [number, number]) : [];
		return { by: s.by, stroke: s.stroke, tab: s.tab, tool: s.tool, color: s.color as Stroke['color'], points, done: s.done === true };
	}
}
