import { describe, expect, it } from 'vitest';
import { HIGHLIGHT_FADE_MS, HIGHLIGHT_MS } from '../../../protocol/annotations';
import { strokeOpacity, toFrame, toPage } from './annotations.svelte';

const viewport = { width: 1280, height: 720 };

describe('annotation coordinates', () => {
	it('puts a point of the frame at its place in the page, scroll included', () => {
		expect(toPage(0.5, 0.5, { tab: 't1', x: 0, y: 1000, scale: 1 }, viewport)).toEqual([640, 1360]);
	});

	it('brings a page point back to the same place in the frame while the page has not scrolled, and moves it up as it scrolls', () => {
		const scroll = { tab: 't1', x: 0, y: 1000, scale: 1 };
		const [px, py] = toPage(0.25, 0.75, scroll, viewport);
		expect(toFrame(px, py, scroll, viewport)).toEqual([0.25, 0.75]);
		const [, fy] = toFrame(px, py, { ...scroll, y: 1360 }, viewport);
		expect(fy).toBeCloseTo(0.25, 5);
		// NOTE: scrolled past: above the frame, not clamped.
		expect(toFrame(px, py, { ...scroll, y: 3000 }, viewport)[1]).toBeLessThan(0);
	});

	it('follows a pinch zoom', () => {
		const scroll = { tab: 't1', x: 100, y: 200, scale: 2 };
		expect(toPage(0.5, 0.5, scroll, viewport)).toEqual([420, 380]);
		expect(toFrame(420, 380, scroll, viewport)).toEqual([0.5, 0.5]);
	});
});

describe('strokeOpacity', () => {
	it('keeps pens and highlighters being drawn whole, and fades a lifted highlighter out after its time', () => {
		expect(strokeOpacity({ tool: 'pen', endedAt: 0 }, 1e9)).toBe(1);
		expect(strokeOpacity({ tool: 'highlighter' }, 1e9)).toBe(1);
		expect(strokeOpacity({ tool: 'highlighter', endedAt: 0 }, HIGHLIGHT_MS)).toBe(1);
		expect(strokeOpacity({ tool: 'highlighter', endedAt: 0 }, HIGHLIGHT_MS + HIGHLIGHT_FADE_MS / 2)).toBeCloseTo(0.5);
		expect(strokeOpacity({ tool: 'highlighter', endedAt: 0 }, HIGHLIGHT_MS + HIGHLIGHT_FADE_MS)).toBe(0);
	});
});
