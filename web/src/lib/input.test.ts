import { describe, expect, it } from 'vitest';
import { InputMessage } from '../../../protocol/wire';
import {
	ClickCounter,
	InputQueue,
	TouchTracker,
	buttonOf,
	channelFor,
	clickCountOf,
	isEditingKey,
	keyMessage,
	modifiersOf,
	normalizeUrl,
	textMessages,
	wheelDelta,
} from './input';
import type { Point } from './geometry';

const noMods = { altKey: false, ctrlKey: false, metaKey: false, shiftKey: false };

describe('channelFor', () => {
	it('sends only moves on the lossy pointer channel', () => {
		expect(channelFor('pointer/move')).toBe('pointer');
	});

	it('sends clicks, wheel, leave, keys, text and touches on the reliable control channel', () => {
		for (const type of ['pointer/down', 'pointer/up', 'pointer/wheel', 'pointer/leave', 'key/down', 'key/up', 'text/insert', 'touch/start', 'touch/end'] as const) {
			expect(channelFor(type)).toBe('control');
		}
	});
});

describe('modifiersOf', () => {
	it('builds the CDP bit set Alt=1 Ctrl=2 Meta=4 Shift=8', () => {
		expect(modifiersOf(noMods)).toBe(0);
		expect(modifiersOf({ ...noMods, altKey: true })).toBe(1);
		expect(modifiersOf({ ...noMods, ctrlKey: true })).toBe(2);
		expect(modifiersOf({ ...noMods, metaKey: true })).toBe(4);
		expect(modifiersOf({ ...noMods, shiftKey: true })).toBe(8);
		expect(modifiersOf({ altKey: true, ctrlKey: true, metaKey: true, shiftKey: true })).toBe(15);
	});
});

describe('buttons and clicks', () => {
	it('maps the primary, auxiliary and secondary buttons and ignores back/forward', () => {
		expect(buttonOf(0)).toBe('left');
		expect(buttonOf(1)).toBe('middle');
		expect(buttonOf(2)).toBe('right');
		expect(buttonOf(3)).toBeNull();
		expect(buttonOf(4)).toBeNull();
	});

	it('keeps the click count within 1..3', () => {
		expect(clickCountOf(0)).toBe(1);
		expect(clickCountOf(1)).toBe(1);
		expect(clickCountOf(2)).toBe(2);
		expect(clickCountOf(3)).toBe(3);
		expect(clickCountOf(7)).toBe(3);
		expect(clickCountOf(Number.NaN)).toBe(1);
	});
});

describe('wheelDelta', () => {
	it('passes pixel deltas through', () => {
		expect(wheelDelta({ deltaX: 3, deltaY: -120, deltaMode: 0 }, 800)).toEqual({ dx: 3, dy: -120 });
	});

	it('turns lines into 16 px each', () => {
		expect(wheelDelta({ deltaX: 0, deltaY: 3, deltaMode: 1 }, 800)).toEqual({ dx: 0, dy: 48 });
	});

	it('turns pages into the remote viewport height', () => {
		expect(wheelDelta({ deltaX: 0, deltaY: -1, deltaMode: 2 }, 720)).toEqual({ dx: 0, dy: -720 });
	});

	it('clamps to the protocol limit', () => {
		expect(wheelDelta({ deltaX: -1e6, deltaY: 1e6, deltaMode: 0 }, 800)).toEqual({ dx: -10000, dy: 10000 });
	});
});

describe('keyMessage', () => {
	it('carries key, code and modifiers', () => {
		const msg = keyMessage('key/down', { ...noMods, ctrlKey: true, shiftKey: true, key: 'A', code: 'KeyA' });
		expect(msg).toEqual({ type: 'key/down', key: 'A', code: 'KeyA', modifiers: 10 });
		expect(InputMessage.safeParse(msg).success).toBe(true);
	});

	it('drops IME composition keys, whose text arrives as input events', () => {
		expect(keyMessage('key/down', { ...noMods, key: 'Process', code: 'KeyA' })).toBeNull();
		expect(keyMessage('key/down', { ...noMods, key: 'a', code: 'KeyA', isComposing: true })).toBeNull();
		expect(keyMessage('key/down', { ...noMods, key: 'Unidentified', code: '', keyCode: 229 })).toBeNull();
	});

	it('tells editing keys from text keys for the on-screen keyboard', () => {
		expect(isEditingKey('Backspace')).toBe(true);
		expect(isEditingKey('Enter')).toBe(true);
		expect(isEditingKey('ArrowLeft')).toBe(true);
		expect(isEditingKey('a')).toBe(false);
	});
});

describe('textMessages', () => {
	it('splits long text into protocol-sized messages without breaking emoji', () => {
		const text = '😀'.repeat(1500);
		const msgs = textMessages(text);
		expect(msgs).toHaveLength(2);
		for (const msg of msgs) expect(InputMessage.safeParse(msg).success).toBe(true);
		expect(msgs.map((m) => (m.type === 'text/insert' ? m.text : '')).join('')).toBe(text);
	});

	it('sends nothing for empty text', () => {
		expect(textMessages('')).toEqual([]);
	});
});

describe('InputQueue', () => {
	function setup() {
		const sent: InputMessage[] = [];
		const frames: (() => void)[] = [];
		const queue = new InputQueue((m) => sent.push(m), (cb) => frames.push(cb));
		const frame = () => frames.splice(0).forEach((cb) => cb());
		return { sent, queue, frame, frames };
	}

	it('coalesces moves to the latest one per frame', () => {
		const { sent, queue, frame, frames } = setup();
		queue.move(0.1, 0.1);
		queue.move(0.2, 0.2);
		queue.move(0.3, 0.3);
		expect(frames).toHaveLength(1);
		expect(sent).toEqual([]);
		frame();
		expect(sent).toEqual([{ type: 'pointer/move', x: 0.3, y: 0.3 }]);
	});

	it('sends a click at once, after the move that preceded it', () => {
		const { sent, queue, frame } = setup();
		queue.move(0.4, 0.5);
		queue.send({ type: 'pointer/down', x: 0.4, y: 0.5, button: 'left', clickCount: 1, modifiers: 0 });
		expect(sent.map((m) => m.type)).toEqual(['pointer/move', 'pointer/down']);
		frame();
		expect(sent).toHaveLength(2);
	});

	it('does not repeat a move to where the pointer already is, until it has left', () => {
		const { sent, queue, frame } = setup();
		queue.move(0.4, 0.5);
		frame();
		queue.move(0.4, 0.5);
		queue.send({ type: 'pointer/down', x: 0.4, y: 0.5, button: 'left', clickCount: 1, modifiers: 0 });
		queue.send({ type: 'pointer/leave' });
		queue.move(0.4, 0.5);
		frame();
		expect(sent.map((m) => m.type)).toEqual(['pointer/move', 'pointer/down', 'pointer/leave', 'pointer/move']);
	});

	it('drops a pending move when asked', () => {
		const { sent, queue, frame } = setup();
		queue.move(0.4, 0.5);
		queue.drop();
		frame();
		expect(sent).toEqual([]);
	});
});

describe('TouchTracker', () => {
	// A 100x100 element showing a 100x50 frame: bars above y=25 and below y=75.
	const toFrame = (p: Point, clamp: boolean): Point | null => {
		let x = p.x / 100;
		let y = (p.y - 25) / 50;
		if (clamp) return { x: Math.min(1, Math.max(0, x)), y: Math.min(1, Math.max(0, y)) };
		return x >= 0 && x <= 1 && y >= 0 && y <= 1 ? { x, y } : null;
	};

	it('gives browser touch identifiers small protocol ids and frees them at the end', () => {
		const t = new TouchTracker();
		const start = t.map('touch/start', [{ identifier: 2_000_001, x: 50, y: 50 }], toFrame);
		expect(start).toEqual({ type: 'touch/start', touches: [{ id: 0, x: 0.5, y: 0.5 }] });
		const second = t.map('touch/start', [{ identifier: 2_000_001, x: 50, y: 50 }, { identifier: 9, x: 0, y: 25 }], toFrame);
		expect(second).toEqual({ type: 'touch/start', touches: [{ id: 0, x: 0.5, y: 0.5 }, { id: 1, x: 0, y: 0 }] });
		expect(InputMessage.safeParse(second).success).toBe(true);
		expect(t.map('touch/end', [{ identifier: 2_000_001, x: 50, y: 50 }], toFrame)).toEqual({ type: 'touch/end', touches: [{ id: 0, x: 0.5, y: 0.5 }] });
		expect(t.size).toBe(1);
		// The freed id 0 is reused by the next new touch.
		expect(t.map('touch/start', [{ identifier: 9, x: 0, y: 25 }, { identifier: 77, x: 100, y: 75 }], toFrame)).toEqual({
			type: 'touch/start',
			touches: [
				{ id: 1, x: 0, y: 0 },
				{ id: 0, x: 1, y: 1 },
			],
		});
	});

	it('ignores a touch that starts in the bars, and everything it does after', () => {
		const t = new TouchTracker();
		expect(t.map('touch/start', [{ identifier: 1, x: 50, y: 10 }], toFrame)).toBeNull();
		expect(t.map('touch/move', [{ identifier: 1, x: 50, y: 50 }], toFrame)).toBeNull();
		expect(t.map('touch/end', [{ identifier: 1, x: 50, y: 50 }], toFrame)).toBeNull();
	});

	it('clamps a tracked touch that strays into the bars so its end still arrives', () => {
		const t = new TouchTracker();
		t.map('touch/start', [{ identifier: 1, x: 50, y: 50 }], toFrame);
		expect(t.map('touch/move', [{ identifier: 1, x: 50, y: 95 }], toFrame)).toEqual({ type: 'touch/move', touches: [{ id: 0, x: 0.5, y: 1 }] });
		expect(t.map('touch/cancel', [{ identifier: 1, x: 50, y: 99 }], toFrame)).toEqual({ type: 'touch/cancel', touches: [{ id: 0, x: 0.5, y: 1 }] });
		expect(t.size).toBe(0);
	});
});

describe('normalizeUrl', () => {
	it('adds https to a bare host', () => {
		expect(normalizeUrl('example.com/help')).toBe('https://example.com/help');
		expect(normalizeUrl('  shop.example.it ')).toBe('https://shop.example.it');
		expect(normalizeUrl('example.com:8443/x')).toBe('https://example.com:8443/x');
	});

	it('leaves words as typed, for the server to search for', () => {
		expect(normalizeUrl('  red shoes ')).toBe('red shoes');
		expect(normalizeUrl('scarpe')).toBe('scarpe');
	});

	it('uses http for localhost', () => {
		expect(normalizeUrl('localhost:3000/a')).toBe('http://localhost:3000/a');
	});

	it('leaves a URL with a scheme as typed, for the server to judge', () => {
		expect(normalizeUrl('http://example.com')).toBe('http://example.com');
		expect(normalizeUrl('about:blank')).toBe('about:blank');
		expect(normalizeUrl('javascript:alert(1)')).toBe('javascript:alert(1)');
	});
});

describe('ClickCounter', () => {
	it('counts quick presses in place as double and triple clicks, then starts again', () => {
		const c = new ClickCounter();
		expect(c.press('left', 0, 10, 10)).toBe(1);
		expect(c.press('left', 200, 11, 10)).toBe(2);
		expect(c.press('left', 400, 11, 11)).toBe(3);
		expect(c.press('left', 600, 11, 11)).toBe(1);
	});

	it('starts again after a pause, a move or another button', () => {
		const c = new ClickCounter();
		c.press('left', 0, 10, 10);
		expect(c.press('left', 900, 10, 10)).toBe(1);
		expect(c.press('left', 1000, 40, 10)).toBe(1);
		expect(c.press('right', 1100, 40, 10)).toBe(1);
	});
});
