/**
 * DOM input → {@link InputMessage}: the pure part of the stage's input handling.
 *
 * Everything here takes plain event-shaped objects (no DOM types at run time) so that it
 * can be tested without a browser. The stage (stageInput.ts) feeds it real events.
 */
import { looksLikeAddress } from '../../../protocol/address';
import { CHANNEL_OF, type InputChannel, type InputMessage, type InputType } from '../../../protocol/wire';
import type { Point } from './geometry';

/** Which data channel carries a message (the protocol's channel table). */
export function channelFor(type: InputType): InputChannel {
	return CHANNEL_OF[type];
}

/** The modifier keys of an event as the CDP bit set: Alt=1, Ctrl=2, Meta=4, Shift=8. */
export function modifiersOf(e: { altKey: boolean; ctrlKey: boolean; metaKey: boolean; shiftKey: boolean }): number {
	return (e.altKey ? 1 : 0) | (e.ctrlKey ? 2 : 0) | (e.metaKey ? 4 : 0) | (e.shiftKey ? 8 : 0);
}

export type Button = 'left' | 'middle' | 'right';

/** `MouseEvent.button` → protocol button; back/forward (3, 4) have no equivalent: null. */
export function buttonOf(button: number): Button | null {
	return button === 0 ? 'left' : button === 1 ? 'middle' : button === 2 ? 'right' : null;
}

/** `UIEvent.detail` → click count 1..3 (a fourth quick click counts as a triple click). */
export function clickCountOf(detail: number): number {
	return Number.isFinite(detail) ? Math.min(3, Math.max(1, Math.trunc(detail))) : 1;
}

/** Pixels per line for `WheelEvent.DOM_DELTA_LINE`, as Chromium scrolls. */
export const LINE_HEIGHT_PX = 16;
const WHEEL_LIMIT = 10000;

/**
 * A wheel event's deltas in CSS pixels. Lines count {@link LINE_HEIGHT_PX} each; pages
 * count one `pageHeight` (the cloud browser's viewport height) each. Clamped to the
 * protocol's ±10000.
 */
export function wheelDelta(
	e: { deltaX: number; deltaY: number; deltaMode: number },
	pageHeight: number,
): { dx: number; dy: number } {
	const unit = e.deltaMode === 1 ? LINE_HEIGHT_PX : e.deltaMode === 2 ? pageHeight : 1;
	const clamp = (v: number) => (Number.isFinite(v) ? Math.max(-WHEEL_LIMIT, Math.min(WHEEL_LIMIT, v * unit)) : 0);
	return { dx: clamp(e.deltaX), dy: clamp(e.deltaY) };
}

export interface KeyLike {
	key: string;
	code: string;
	altKey: boolean;
	ctrlKey: boolean;
	metaKey: boolean;
	shiftKey: boolean;
	isComposing?: boolean;
	keyCode?: number;
}

/**
 * A key event → key/down or key/up, or null for what must not be forwarded: IME
 * composition (keyCode 229 / "Process" / "Unidentified"; the text arrives through input
 * events instead) and keys with no name.
 */
export function keyMessage(kind: 'key/down' | 'key/up', e: KeyLike): InputMessage | null {
	if (e.isComposing || e.keyCode === 229) return null;
	if (!e.key || e.key === 'Unidentified' || e.key === 'Process' || e.key === 'Dead') return null;
	return { type: kind, key: e.key.slice(0, 32), code: e.code.slice(0, 32), modifiers: modifiersOf(e) };
}

/** Keys the on-screen keyboard's hidden input forwards as key presses rather than text. */
const EDITING_KEYS = new Set([
	'Backspace',
	'Delete',
	'Enter',
	'Tab',
	'Escape',
	'ArrowLeft',
	'ArrowRight',
	'ArrowUp',
	'ArrowDown',
	'Home',
	'End',
	'PageUp',
	'PageDown',
]);

/** Whether the on-screen keyboard should forward this key as key/down + key/up. */
export function isEditingKey(key: string): boolean {
	return EDITING_KEYS.has(key);
}

/** The `code` for an editing key synthesized without a physical key event. */
export function codeForKey(key: string): string {
	return EDITING_KEYS.has(key) ? key : '';
}

const TEXT_LIMIT = 1000;

/** Committed text → text/insert messages of at most 1000 characters (code points kept whole). */
export function textMessages(text: string): InputMessage[] {
	const out: InputMessage[] = [];
	const chars = Array.from(text);
	for (let i = 0; i < chars.length; i += TEXT_LIMIT) {
		out.push({ type: 'text/insert', text: chars.slice(i, i + TEXT_LIMIT).join('') });
	}
	return out;
}

export type Scheduler = (callback: () => void) => void;

/**
 * Sends input in order while coalescing pointer moves to at most one per animation frame.
 *
 * `move()` keeps only the latest move and sends it on the next frame; `send()` (down, up,
 * keys, touches, wheel, leave) goes out at once, after any pending move so that a click
 * lands where the pointer was last seen.
 */
export class InputQueue {
	#pending: InputMessage | null = null;
	#lastMove: { x: number; y: number } | null = null;
	#scheduled = false;
	readonly #emit: (msg: InputMessage) => void;
	readonly #schedule: Scheduler;

	/**
	 * @param emit Delivers one message (to its data channel).
	 * @param schedule Runs a callback on the next frame; default `requestAnimationFrame`.
	 */
	constructor(emit: (msg: InputMessage) => void, schedule: Scheduler = (cb) => requestAnimationFrame(cb)) {
		this.#emit = emit;
		this.#schedule = schedule;
	}

	/** Queues a pointer move, replacing any move not yet sent. */
	move(x: number, y: number): void {
		this.#pending = { type: 'pointer/move', x, y };
		if (this.#scheduled) return;
		this.#scheduled = true;
		this.#schedule(() => {
			this.#scheduled = false;
			this.flush();
		});
	}

	/** Sends a message now, after the pending move if there is one. */
	send(msg: InputMessage): void {
		this.flush();
		// NOTE: after a leave or a touch the remote pointer is elsewhere; the next move counts.
		if (msg.type === 'pointer/leave' || msg.type.startsWith('touch/')) this.#lastMove = null;
		this.#emit(msg);
	}

	/** Sends the pending move, if any (and unless it repeats the last move sent). */
	flush(): void {
		const pending = this.#pending;
		if (!pending || pending.type !== 'pointer/move') return;
		this.#pending = null;
		const last = this.#lastMove;
		if (last && last.x === pending.x && last.y === pending.y) return;
		this.#lastMove = { x: pending.x, y: pending.y };
		this.#emit(pending);
	}

	/** Forgets the pending move (the pointer left before its frame came). */
	drop(): void {
		this.#pending = null;
	}
}

export interface TouchLike {
	identifier: number;
	/** Element-relative position in CSS pixels. */
	x: number;
	y: number;
}

export type TouchKind = 'touch/start' | 'touch/move' | 'touch/end' | 'touch/cancel';

/**
 * Maps DOM touches to protocol touches.
 *
 * Browsers' `Touch.identifier` can be any integer (Safari uses large ones) while the
 * protocol allows 0..1000, so each tracked touch gets the smallest free small id, released
 * when it ends. A touch that starts outside the video frame (in the bars) is never
 * tracked; a tracked touch that strays outside is clamped to the frame edge so that its
 * end still arrives.
 */
export class TouchTracker {
	readonly #ids = new Map<number, number>();

	/**
	 * @param kind The DOM event: touchstart → touch/start etc.
	 * @param touches For start/move: all current touches (`event.touches`); for end/cancel:
	 *   the touches that ended (`event.changedTouches`).
	 * @param toFrame Element point → normalized frame point; with `clamp` never null once the
	 *   frame size is known.
	 * @returns The message to send, or null when none of the touches is tracked.
	 */
	map(kind: TouchKind, touches: readonly TouchLike[], toFrame: (p: Point, clamp: boolean) => Point | null): InputMessage | null {
		const out: { id: number; x: number; y: number }[] = [];
		for (const touch of touches) {
			let id = this.#ids.get(touch.identifier);
			if (id === undefined) {
				if (kind !== 'touch/start') continue;
				if (!toFrame(touch, false)) continue;
				id = this.#freeId();
				this.#ids.set(touch.identifier, id);
			}
			const p = toFrame(touch, true);
			if (!p) continue;
			out.push({ id, x: p.x, y: p.y });
			if (out.length === 10) break;
		}
		if (kind === 'touch/end' || kind === 'touch/cancel') {
			for (const touch of touches) this.#ids.delete(touch.identifier);
		}
		return out.length ? { type: kind, touches: out } : null;
	}

	/** The touches being tracked (for tests and the test hook). */
	get size(): number {
		return this.#ids.size;
	}

	/** Forgets every touch, e.g. when the stage loses its channel. */
	reset(): void {
		this.#ids.clear();
	}

	#freeId(): number {
		const used = new Set(this.#ids.values());
		let id = 0;
		while (used.has(id)) id++;
		return id;
	}
}

/**
 * What the user typed in the URL bar → what to ask the cloud browser to open.
 * A bare host ("example.com/path", "localhost:3000") gets `https://` (`http://` for
 * localhost); anything with a scheme is sent as typed: the server decides what is allowed.
 */
export function normalizeUrl(input: string): string {
	const text = input.trim();
	// NOTE: words are sent as they are: the server searches for them (see protocol/address.ts).
	if (!text || !looksLikeAddress(text)) return text;
	if (/^[a-z][a-z0-9+.-]*:/i.test(text) && !/^[^/:]+:\d+(\/|$)/.test(text)) return text;
	if (/^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?(\/|$)/i.test(text)) return `http://${text}`;
	return `https://${text}`;
}

/**
 * Counts clicks for browsers whose PointerEvent.detail is 0: a press counts as a double
 * (triple) click when it follows the previous press of the same button within 500 ms and
 * 5 CSS pixels, as the platform's own double-click does.
 */
export class ClickCounter {
	#last: { button: Button; time: number; x: number; y: number; count: number } | null = null;

	/** The click count for a press at client position (x, y) at `time` ms. */
	press(button: Button, time: number, x: number, y: number): number {
		const last = this.#last;
		const repeat = last && last.button === button && time - last.time <= 500 && Math.hypot(x - last.x, y - last.y) <= 5;
		const count = repeat ? (last.count % 3) + 1 : 1;
		this.#last = { button, time, x, y, count };
		return count;
	}
}
