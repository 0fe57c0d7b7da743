/**
 * Translating input messages (normalized to the video frame) into CDP `Input.*` commands
 * in the cloud browser's CSS pixels. Pure: the CloudBrowser sends what this returns.
 *
 * The cloud browser has one mouse. Each participant's pressed buttons are tracked apart so
 * a drag by one is not broken by the other's moves, but the pointer itself is shared, as
 * it would be for two people sitting at one computer.
 */
import type { InputMessage } from '../protocol/wire.js';

export interface CdpCommand {
	method: 'Input.dispatchMouseEvent' | 'Input.dispatchKeyEvent' | 'Input.insertText' | 'Input.dispatchTouchEvent';
	params: Record<string, unknown>;
}

export interface Viewport {
	width: number;
	height: number;
}

const BUTTON_BITS = { left: 1, right: 2, middle: 4 } as const;

/** Windows virtual key codes of the keys that have no printable text. */
const VIRTUAL_KEY_CODES: Record<string, number> = {
	Backspace: 8, Tab: 9, Enter: 13, Shift: 16, Control: 17, Alt: 18, Pause: 19, CapsLock: 20,
	Escape: 27, ' ': 32, PageUp: 33, PageDown: 34, End: 35, Home: 36,
	ArrowLeft: 37, ArrowUp: 38, ArrowRight: 39, ArrowDown: 40, Insert: 45, Delete: 46, Meta: 91,
	F1: 112, F2: 113, F3: 114, F4: 115, F5: 116, F6: 117, F7: 118, F8: 119, F9: 120, F10: 121, F11: 122, F12: 123,
};

/** Text a key produces when pressed without Ctrl/Meta, or '' if none. */
function keyText(key: string): string {
	if (key === 'Enter') return '\r';
	if (key === 'Tab') return '';
	return [...key].length === 1 ? key : '';
}

function virtualKeyCode(key: string, code: string): number {
	const named = VIRTUAL_KEY_CODES[key];
	if (named !== undefined) return named;
	if (/^Key[A-Z]$/.test(code)) return code.charCodeAt(3);
	if (/^Digit[0-9]$/.test(code)) return code.charCodeAt(5);
	if ([...key].length === 1) return key.toUpperCase().charCodeAt(0);
	return 0;
}

/** Per-participant input state that commands depend on (held mouse buttons). */
export class InputState {
	buttons = 0;
	/** Whether the current touch has moved (its release may fling the page). */
	dragged = false;
}

/**
 * Returns the CDP commands that replay `message` in a page of `viewport` CSS pixels.
 * Coordinates are clamped into the viewport.
 */
export function toCdpCommands(message: InputMessage, viewport: Viewport, state: InputState): CdpCommand[] {
	const px = (nx: number) => Math.min(viewport.width - 1, Math.max(0, nx * viewport.width));
	const py = (ny: number) => Math.min(viewport.height - 1, Math.max(0, ny * viewport.height));
	switch (message.type) {
		case 'pointer/move':
			return [mouse('mouseMoved', px(message.x), py(message.y), { button: heldButton(state.buttons), buttons: state.buttons })];
		case 'pointer/down': {
			state.buttons |= BUTTON_BITS[message.button];
			return [mouse('mousePressed', px(message.x), py(message.y), {
				button: message.button, buttons: state.buttons, clickCount: message.clickCount, modifiers: message.modifiers,
			})];
		}
		case 'pointer/up': {
			state.buttons &= ~BUTTON_BITS[message.button];
			return [mouse('mouseReleased', px(message.x), py(message.y), {
				button: message.button, buttons: state.buttons, clickCount: message.clickCount, modifiers: message.modifiers,
			})];
		}
		case 'pointer/wheel':
			return [mouse('mouseWheel', px(message.x), py(message.y), { deltaX: message.dx, deltaY: message.dy })];
		case 'pointer/leave':
			return [];
		case 'key/down':
		case 'key/up': {
			const commandLike = (message.modifiers & (2 | 4)) !== 0;
			const text = message.type === 'key/down' && !commandLike ? keyText(message.key) : '';
			return [{
				method: 'Input.dispatchKeyEvent',
				params: {
					type: message.type === 'key/up' ? 'keyUp' : text ? 'keyDown' : 'rawKeyDown',
					key: message.key,
					code: message.code,
					modifiers: message.modifiers,
					windowsVirtualKeyCode: virtualKeyCode(message.key, message.code),
					...(text ? { text, unmodifiedText: text } : {}),
				},
			}];
		}
		case 'text/insert':
			return [{ method: 'Input.insertText', params: { text: message.text } }];
		case 'touch/start':
		case 'touch/move':
		case 'touch/end':
		case 'touch/cancel': {
			const type = { 'touch/start': 'touchStart', 'touch/move': 'touchMove', 'touch/end': 'touchEnd', 'touch/cancel': 'touchCancel' }[message.type];
			// NOTE: CDP wants the points still down for touchMove/touchStart and none for touchEnd.
			const touchPoints = message.type === 'touch/end' || message.type === 'touch/cancel'
				? []
				: message.touches.map((t) => ({ x: px(t.x), y: py(t.y), id: t.id }));
			return [{ method: 'Input.dispatchTouchEvent', params: { type, touchPoints } }];
		}
	}
}

function heldButton(buttons: number): string {
	if (buttons & 1) return 'left';
	if (buttons & 2) return 'right';
	if (buttons & 4) return 'middle';
	return 'none';
}

function mouse(type: string, x: number, y: number, extra: Record<string, unknown>): CdpCommand {
	return { method: 'Input.dispatchMouseEvent', params: { type, x, y, ...extra } };
}

/** Keys whose default action scrolls. */
const SCROLL_KEYS = new Set(['PageUp', 'PageDown', 'ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight', 'Home', 'End', ' ', 'Spacebar']);

/**
 * How far an input event may scroll content, CSS px per axis (0, 0: it does not scroll).
 * The browser's compositor scrolls before the page (and the detector) sees it; the
 * detector widens its boxes by this much meanwhile. Wheel: its deltas; arrow keys: a line
 * step, generously; page keys and space: a viewport; Home, End and touch (a fling may go
 * anywhere): the whole page, as far as a box can be widened.
 */
export function scrollBound(message: InputMessage, viewport: Viewport, touch: { dragged?: boolean } = {}): [number, number] {
	const all: [number, number] = [10 * viewport.width, 10 * viewport.height];
	if (message.type === 'pointer/wheel') return [Math.abs(message.dx), Math.abs(message.dy)];
	// NOTE: a tap scrolls nothing; a drag scrolls as the finger moves, and its release may fling.
	if (message.type === 'touch/start') {
		touch.dragged = false;
		return [0, 0];
	}
	if (message.type === 'touch/move') {
		touch.dragged = true;
		return all;
	}
	if (message.type === 'touch/end' || message.type === 'touch/cancel') return touch.dragged ? all : [0, 0];
	if (message.type !== 'key/down' || !SCROLL_KEYS.has(message.key)) return [0, 0];
	switch (message.key) {
		case 'ArrowUp':
		case 'ArrowDown':
			return [0, 120];
		case 'ArrowLeft':
		case 'ArrowRight':
			return [120, 0];
		case 'Home':
		case 'End':
			return all;
		default:
			return [0, viewport.height];
	}
}
