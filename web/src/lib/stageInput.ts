/**
 * Wires the stage's DOM events to input messages. The mapping rules live in input.ts
 * and geometry.ts (pure, tested); this file only reads events and keeps the little state
 * a gesture needs (pressed buttons, held keys, tracked touches).
 */
import type { Device } from '../../../protocol/shape';
import type { InputMessage } from '../../../protocol/wire';
import { toFrame, type Point, type Size } from './geometry';
import {
	ClickCounter,
	InputQueue,
	TouchTracker,
	buttonOf,
	codeForKey,
	isEditingKey,
	keyMessage,
	modifiersOf,
	textMessages,
	wheelDelta,
	type Button,
	type TouchKind,
} from './input';

export interface StageInputOptions {
	/** The video frame size (videoWidth/Height, else the remote viewport); 0×0 while unknown. */
	frame: () => Size;
	/** The remote viewport height in CSS pixels, for page-wise wheel deltas. */
	pageHeight: () => number;
	/** Sends a message on its channel; false when it is not open. */
	send: (msg: InputMessage) => boolean;
	/** Keyboard focus taken or released (to show how to release it). */
	onFocusChange?: (focused: boolean) => void;
	/** Copy (or cut) was pressed: the page's selection goes to this device's clipboard. */
	onCopy?: (cut: boolean) => void;
}

/** The most text one paste types into the page. */
const MAX_PASTE = 10_000;

/** Attaches the listeners to `stage`; returns the function that detaches them. */
export function attachStageInput(stage: HTMLElement, options: StageInputOptions): () => void {
	const queue = new InputQueue((msg) => void options.send(msg));
	const clicks = new ClickCounter();
	const touches = new TouchTracker();
	const pressed = new Map<Button, number>(); // button → click count of its press
	const heldKeys = new Map<string, InputMessage>(); // code or key → its key/down
	let inside = false;

	const local = (e: { clientX: number; clientY: number }): Point => {
		const r = stage.getBoundingClientRect();
		return { x: e.clientX - r.left, y: e.clientY - r.top };
	};
	const box = (): Size => ({ width: stage.clientWidth, height: stage.clientHeight });
	const map = (p: Point, clamp = false) => toFrame(p, box(), options.frame(), clamp);

	const leave = () => {
		if (!inside) return;
		inside = false;
		queue.drop();
		queue.send({ type: 'pointer/leave' });
	};

	const onPointerDown = (e: PointerEvent) => {
		if (e.pointerType === 'touch') return;
		stage.focus({ preventScroll: true });
		const button = buttonOf(e.button);
		const p = map(local(e));
		if (!button || !p) return;
		e.preventDefault();
		const clickCount = e.detail > 0 ? Math.min(3, e.detail) : clicks.press(button, e.timeStamp, e.clientX, e.clientY);
		pressed.set(button, clickCount);
		inside = true;
		try {
			stage.setPointerCapture(e.pointerId);
		} catch {
			// NOTE: capture fails for a pointer that is already gone; the press still counts.
		}
		queue.send({ type: 'pointer/down', x: p.x, y: p.y, button, clickCount, modifiers: modifiersOf(e) });
	};

	const onPointerMove = (e: PointerEvent) => {
		if (e.pointerType === 'touch') return;
		// NOTE: while a button is held, a drag that leaves the frame keeps going at its edge.
		const p = map(local(e), pressed.size > 0);
		if (!p) return leave();
		inside = true;
		queue.move(p.x, p.y);
	};

	const onPointerUp = (e: PointerEvent) => {
		if (e.pointerType === 'touch') return;
		const button = buttonOf(e.button);
		if (!button || !pressed.has(button)) return;
		const clickCount = pressed.get(button) ?? 1;
		pressed.delete(button);
		const p = map(local(e), true);
		if (!p) return;
		queue.send({ type: 'pointer/up', x: p.x, y: p.y, button, clickCount, modifiers: modifiersOf(e) });
	};

	const onPointerLeave = (e: PointerEvent) => {
		if (e.pointerType === 'touch' || pressed.size > 0) return;
		leave();
	};

	const onWheel = (e: WheelEvent) => {
		const p = map(local(e));
		if (!p) return;
		e.preventDefault();
		const { dx, dy } = wheelDelta(e, options.pageHeight());
		if (dx === 0 && dy === 0) return;
		queue.send({ type: 'pointer/wheel', x: p.x, y: p.y, dx, dy });
	};

	const onKeyDown = (e: KeyboardEvent) => {
		if (e.key === 'Escape' && e.shiftKey) {
			// NOTE: Shift+Escape is the way out of the keyboard capture (never forwarded);
			// Escape alone reaches the page, which closes its own dialogs and menus with it.
			e.preventDefault();
			stage.blur();
			return;
		}
		// NOTE: paste and copy are this device's clipboard: the browser fires paste (sent as
		// text) and Node answers copy with the page's selection (see onPaste, options.onCopy).
		if ((e.ctrlKey || e.metaKey) && !e.altKey && (e.key === 'v' || e.key === 'V' || e.key === 'c' || e.key === 'C' || e.key === 'x' || e.key === 'X')) {
			const key = e.key.toLowerCase();
			if (key === 'v') return;
			options.onCopy?.(key === 'x');
			// NOTE: a cut also reaches the page, which removes what was selected.
			if (key === 'c') {
				e.preventDefault();
				return;
			}
		}
		e.preventDefault();
		const msg = keyMessage('key/down', e);
		if (!msg) return;
		heldKeys.set(e.code || e.key, msg);
		queue.send(msg);
	};

	const onKeyUp = (e: KeyboardEvent) => {
		if (e.key === 'Escape' && e.shiftKey) return;
		// NOTE: the release of a paste or copy shortcut (its press was not forwarded).
		if ((e.ctrlKey || e.metaKey) && !heldKeys.has(e.code || e.key)) return;
		e.preventDefault();
		const msg = keyMessage('key/up', e);
		if (!msg) return;
		heldKeys.delete(e.code || e.key);
		queue.send(msg);
	};

	const onFocus = () => options.onFocusChange?.(true);
	const onBlur = () => {
		// NOTE: keys still held when focus leaves would stay down in the cloud browser
		// (a stuck Ctrl turns every later click into Ctrl+click): release them.
		for (const down of heldKeys.values()) {
			if (down.type === 'key/down') queue.send({ ...down, type: 'key/up' });
		}
		heldKeys.clear();
		options.onFocusChange?.(false);
	};

	const onTouch = (kind: TouchKind) => (e: TouchEvent) => {
		e.preventDefault();
		const list = kind === 'touch/start' || kind === 'touch/move' ? e.touches : e.changedTouches;
		const r = stage.getBoundingClientRect();
		const points = Array.from(list, (t) => ({ identifier: t.identifier, x: t.clientX - r.left, y: t.clientY - r.top }));
		const msg = touches.map(kind, points, (p, clamp) => map(p, clamp));
		if (msg) queue.send(msg);
	};

	const onContextMenu = (e: Event) => e.preventDefault();

	/** Text pasted from this device's clipboard is typed into the page (what is focused there). */
	const onPaste = (e: ClipboardEvent) => {
		e.preventDefault();
		const text = e.clipboardData?.getData('text/plain') ?? '';
		for (const msg of textMessages(text.slice(0, MAX_PASTE))) queue.send(msg);
	};

	const listeners: [string, EventListener, AddEventListenerOptions?][] = [
		['pointerdown', onPointerDown as EventListener],
		['pointermove', onPointerMove as EventListener],
		['pointerup', onPointerUp as EventListener],
		['pointerleave', onPointerLeave as EventListener],
		['wheel', onWheel as EventListener, { passive: false }],
		['keydown', onKeyDown as EventListener],
		['keyup', onKeyUp as EventListener],
		['focus', onFocus],
		['blur', onBlur],
		['contextmenu', onContextMenu],
		['paste', onPaste as EventListener],
		['touchstart', onTouch('touch/start') as EventListener, { passive: false }],
		['touchmove', onTouch('touch/move') as EventListener, { passive: false }],
		['touchend', onTouch('touch/end') as EventListener, { passive: false }],
		['touchcancel', onTouch('touch/cancel') as EventListener, { passive: false }],
	];
	for (const [type, listener, opts] of listeners) stage.addEventListener(type, listener, opts);
	return () => {
		for (const [type, listener, opts] of listeners) stage.removeEventListener(type, listener, opts);
		queue.drop();
		touches.reset();
	};
}

/**
 * The on-screen keyboard: a visually hidden <input> that the phone's keyboard types
 * into. Committed text is sent as text/insert and the input cleared; editing keys
 * (Backspace, Enter, arrows…) are sent as key presses.
 */
export function attachTextInput(input: HTMLInputElement, send: (msg: InputMessage) => boolean): () => void {
	const press = (key: string, modifiers = 0) => {
		const code = codeForKey(key);
		send({ type: 'key/down', key, code, modifiers });
		send({ type: 'key/up', key, code, modifiers });
	};
	const insert = (text: string) => {
		for (const msg of textMessages(text)) send(msg);
	};

	const onKeyDown = (e: KeyboardEvent) => {
		if (e.isComposing || !isEditingKey(e.key)) return;
		e.preventDefault();
		if (e.key === 'Escape') {
			input.blur();
			return;
		}
		press(e.key, modifiersOf(e));
	};

	let composed: string | null = null;

	const onInput = (e: Event) => {
		const ev = e as InputEvent;
		// NOTE: text being composed (IME, Android autocorrect) is sent once, at compositionend.
		// Safari fires one more input event for it after compositionend: skip that echo.
		if (ev.isComposing || ev.inputType === 'insertCompositionText' || ev.inputType === 'insertFromComposition') return;
		if (composed !== null && ev.data === composed) {
			composed = null;
			input.value = '';
			return;
		}
		if (ev.inputType === 'deleteContentBackward') press('Backspace');
		else if (ev.inputType === 'insertLineBreak' || ev.inputType === 'insertParagraph') press('Enter');
		else if (ev.data) insert(ev.data);
		else if (input.value) insert(input.value);
		input.value = '';
	};

	const onCompositionEnd = (e: CompositionEvent) => {
		if (e.data) insert(e.data);
		composed = e.data || null;
		setTimeout(() => (composed = null), 0);
		input.value = '';
	};

	input.addEventListener('keydown', onKeyDown);
	input.addEventListener('input', onInput);
	input.addEventListener('compositionend', onCompositionEnd);
	return () => {
		input.removeEventListener('keydown', onKeyDown);
		input.removeEventListener('input', onInput);
		input.removeEventListener('compositionend', onCompositionEnd);
	};
}

/**
 * The customer's device as the server wants it (protocol/shape.ts): the stage's size in
 * CSS px, the pixel ratio, and whether this is a touch device the size of a phone or a
 * tablet (a touch laptop's primary pointer is fine, not coarse: it stays a desktop).
 */
export function describeDevice(width: number, height: number): Device {
	const touch = navigator.maxTouchPoints > 0;
	const coarse = matchMedia('(pointer: coarse)').matches;
	const mobile = touch && coarse && Math.min(screen.width, screen.height) <= 1024;
	return { width: Math.round(width), height: Math.round(height), dpr: Math.min(5, Math.max(0.5, devicePixelRatio || 1)), touch, mobile };
}
