import { describe, expect, it } from 'vitest';
import { InputMessage } from '../protocol/wire.js';
import { InputState, scrollBound, toCdpCommands } from './input.js';

const viewport = { width: 1280, height: 720 };
const parse = (m: unknown) => InputMessage.parse(m);

describe('toCdpCommands', () => {
	it('maps normalized coordinates to CSS pixels of the viewport', () => {
		const [cmd] = toCdpCommands(parse({ type: 'pointer/move', x: 0.5, y: 0.25 }), viewport, new InputState());
		expect(cmd).toEqual({ method: 'Input.dispatchMouseEvent', params: { type: 'mouseMoved', x: 640, y: 180, button: 'none', buttons: 0 } });
	});

	it('clamps the far edge inside the viewport', () => {
		const [cmd] = toCdpCommands(parse({ type: 'pointer/move', x: 1, y: 1 }), viewport, new InputState());
		expect(cmd?.params).toMatchObject({ x: 1279, y: 719 });
	});

	it('keeps a held button across moves so drags select text', () => {
		const state = new InputState();
		const [down] = toCdpCommands(parse({ type: 'pointer/down', x: 0.1, y: 0.1 }), viewport, state);
		const [move] = toCdpCommands(parse({ type: 'pointer/move', x: 0.2, y: 0.1 }), viewport, state);
		const [up] = toCdpCommands(parse({ type: 'pointer/up', x: 0.2, y: 0.1 }), viewport, state);
		const [after] = toCdpCommands(parse({ type: 'pointer/move', x: 0.3, y: 0.1 }), viewport, state);
		expect(down?.params).toMatchObject({ type: 'mousePressed', button: 'left', buttons: 1, clickCount: 1 });
		expect(move?.params).toMatchObject({ type: 'mouseMoved', button: 'left', buttons: 1 });
		expect(up?.params).toMatchObject({ type: 'mouseReleased', button: 'left', buttons: 0 });
		expect(after?.params).toMatchObject({ button: 'none', buttons: 0 });
	});

	it('sends printable keys with text and named keys as raw key downs', () => {
		const [a] = toCdpCommands(parse({ type: 'key/down', key: 'a', code: 'KeyA' }), viewport, new InputState());
		const [enter] = toCdpCommands(parse({ type: 'key/down', key: 'Enter', code: 'Enter' }), viewport, new InputState());
		const [left] = toCdpCommands(parse({ type: 'key/down', key: 'ArrowLeft', code: 'ArrowLeft' }), viewport, new InputState());
		expect(a?.params).toMatchObject({ type: 'keyDown', key: 'a', text: 'a', windowsVirtualKeyCode: 65 });
		expect(enter?.params).toMatchObject({ type: 'keyDown', text: '\r', windowsVirtualKeyCode: 13 });
		expect(left?.params).toMatchObject({ type: 'rawKeyDown', windowsVirtualKeyCode: 37 });
		expect(left?.params).not.toHaveProperty('text');
	});

	it('sends Ctrl+A as a shortcut without text', () => {
		const [cmd] = toCdpCommands(parse({ type: 'key/down', key: 'a', code: 'KeyA', modifiers: 2 }), viewport, new InputState());
		expect(cmd?.params).toMatchObject({ type: 'rawKeyDown', modifiers: 2, windowsVirtualKeyCode: 65 });
		expect(cmd?.params).not.toHaveProperty('text');
	});

	it('inserts committed text from on-screen keyboards', () => {
		expect(toCdpCommands(parse({ type: 'text/insert', text: 'ciao è' }), viewport, new InputState())).toEqual([
			{ method: 'Input.insertText', params: { text: 'ciao è' } },
		]);
	});

	it('maps touches to CDP touch points and lifts them all on touch end', () => {
		const [start] = toCdpCommands(parse({ type: 'touch/start', touches: [{ id: 3, x: 0.5, y: 0.5 }] }), viewport, new InputState());
		const [end] = toCdpCommands(parse({ type: 'touch/end', touches: [{ id: 3, x: 0.5, y: 0.5 }] }), viewport, new InputState());
		expect(start?.params).toEqual({ type: 'touchStart', touchPoints: [{ x: 640, y: 360, id: 3 }] });
		expect(end?.params).toEqual({ type: 'touchEnd', touchPoints: [] });
	});

	it('scrolls with the wheel at the pointer position', () => {
		const [cmd] = toCdpCommands(parse({ type: 'pointer/wheel', x: 0.5, y: 0.5, dx: 0, dy: 120 }), viewport, new InputState());
		expect(cmd?.params).toEqual({ type: 'mouseWheel', x: 640, y: 360, deltaX: 0, deltaY: 120 });
	});
});

describe('scrollBound', () => {
	it('bounds what each input may scroll: wheel deltas, a line, a page, or anything', () => {
		expect(scrollBound({ type: 'pointer/wheel', x: 0.5, y: 0.5, dx: -30, dy: 120 }, viewport)).toEqual([30, 120]);
		expect(scrollBound({ type: 'pointer/move', x: 0.5, y: 0.5 }, viewport)).toEqual([0, 0]);
		expect(scrollBound({ type: 'key/down', key: 'ArrowDown', code: 'ArrowDown', modifiers: 0 }, viewport)).toEqual([0, 120]);
		expect(scrollBound({ type: 'key/down', key: 'PageDown', code: 'PageDown', modifiers: 0 }, viewport)).toEqual([0, 720]);
		expect(scrollBound({ type: 'key/down', key: 'End', code: 'End', modifiers: 0 }, viewport)[1]).toBeGreaterThan(720);
		expect(scrollBound({ type: 'key/down', key: 'a', code: 'KeyA', modifiers: 0 }, viewport)).toEqual([0, 0]);
	});

	it('lets a tap scroll nothing, and a drag and its release (a fling) anything', () => {
		const touch = new InputState();
		const at = { id: 1, x: 0.5, y: 0.5 };
		expect(scrollBound({ type: 'touch/start', touches: [at] } as never, viewport, touch)).toEqual([0, 0]);
		expect(scrollBound({ type: 'touch/end', touches: [] } as never, viewport, touch)).toEqual([0, 0]);
		scrollBound({ type: 'touch/start', touches: [at] } as never, viewport, touch);
		expect(scrollBound({ type: 'touch/move', touches: [at] } as never, viewport, touch)[1]).toBeGreaterThan(720);
		expect(scrollBound({ type: 'touch/end', touches: [] } as never, viewport, touch)[1]).toBeGreaterThan(720);
	});
});
