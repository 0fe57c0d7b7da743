/**
 * What viewers draw over the video, kept beside a recording so that the report's player can
 * draw it again in time: the pointers (cursor channel), the drawings (annotation channel)
 * and where the shown page is scrolled (drawings are in page coordinates). The video holds
 * none of it: each viewer draws them.
 *
 * Pointers are thinned to 10 a second per participant (the last position of each tenth is
 * kept, so a pointer comes to rest where it did); drawings and scrolls are kept whole. The
 * track is bounded; once full, pointers go first, then everything stops being kept (the
 * report says the track is partial).
 */

/**
 * One kept message: when (ms since the epoch) and what was sent on the channel, or the
 * page's new viewport (`{ width, height }`, CSS px: drawings scale with it).
 */
export type OverlayEntry = [at: number, kind: 'cursor' | 'annotation' | 'scroll' | 'viewport', message: unknown];

export interface OverlayTrackData {
	entries: OverlayEntry[];
	/** Whose pointers these are, by participant id: the name and role they went by. */
	people: Record<string, { name: string; role: string }>;
	/** Whether entries were dropped because the track was full. */
	partial: boolean;
}

/** The most entries one recording keeps (about 10 Hz × 2 pointers × 2 hours, plus drawings). */
export const MAX_ENTRIES = 200_000;
const CURSOR_EVERY_MS = 100;
/** The most people whose names are kept (a session has a handful). */
const MAX_PEOPLE = 100;

export class OverlayTrack {
	readonly #entries: OverlayEntry[] = [];
	readonly #max: number;
	/** Per participant: when its last pointer position was kept, and a later one waiting. */
	readonly #pointers = new Map<string, { keptAt: number; pending?: OverlayEntry }>();
	readonly #people = new Map<string, { name: string; role: string }>();
	#partial = false;

	constructor(max = MAX_ENTRIES) {
		this.#max = max;
	}

	/** A cursor channel message (`cursor/move`, `cursor/hide`), and whose pointer it is if known. */
	cursor(message: { type: string; participantId: string }, at = Date.now(), who?: { name: string; role: string }): void {
		if (who && !this.#people.has(message.participantId) && this.#people.size < MAX_PEOPLE) this.#people.set(message.participantId, { name: who.name, role: who.role });
		const entry: OverlayEntry = [at, 'cursor', message];
		const pointer = this.#pointers.get(message.participantId);
		if (message.type !== 'cursor/move' || !pointer || at - pointer.keptAt >= CURSOR_EVERY_MS) {
			// NOTE: a move held back where the pointer then rested is kept first, so that the
			// pointer stays there until it moves again; one overtaken at once is not needed.
			if (pointer?.pending && (message.type !== 'cursor/move' || at - pointer.pending[0] >= CURSOR_EVERY_MS)) this.#push(pointer.pending);
			this.#push(entry);
			this.#pointers.set(message.participantId, { keptAt: at });
			return;
		}
		pointer.pending = entry;
	}

	/** An annotation channel message (a stroke's start, points, end; undo, clear, pulse). */
	annotation(message: unknown, at = Date.now()): void {
		this.#push([at, 'annotation', message]);
	}

	/** Where the shown page is scrolled and zoomed (`page/scroll`). */
	scroll(message: unknown, at = Date.now()): void {
		this.#push([at, 'scroll', message]);
	}

	/** The page's viewport changed (the session's shape did). */
	viewport(viewport: { width: number; height: number }, at = Date.now()): void {
		this.#push([at, 'viewport', viewport]);
	}

	/** The track so far, with pointer moves held back flushed. */
	data(): OverlayTrackData {
		for (const pointer of this.#pointers.values()) {
			if (pointer.pending) this.#push(pointer.pending);
			pointer.pending = undefined;
		}
		return { entries: [...this.#entries].sort((a, b) => a[0] - b[0]), people: Object.fromEntries(this.#people), partial: this.#partial };
	}

	#push(entry: OverlayEntry): void {
		if (this.#entries.length < this.#max) {
			this.#entries.push(entry);
			return;
		}
		this.#partial = true;
		// NOTE: full: a drawing or a scroll takes the place of the oldest pointer position.
		if (entry[1] === 'cursor') return;
		const oldestPointer = this.#entries.findIndex((e) => e[1] === 'cursor');
		if (oldestPointer < 0) return;
		this.#entries.splice(oldestPointer, 1);
		this.#entries.push(entry);
	}
}
