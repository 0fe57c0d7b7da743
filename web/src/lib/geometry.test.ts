import { describe, expect, it } from 'vitest';
import { clamp01, contentRect, fromFrame, toFrame } from './geometry';

const hd = { width: 1280, height: 720 };

describe('contentRect', () => {
	it('letterboxes a 16:9 frame in a taller element with equal bars top and bottom', () => {
		expect(contentRect({ width: 1280, height: 1000 }, hd)).toEqual({ x: 0, y: 140, width: 1280, height: 720 });
	});

	it('pillarboxes a 16:9 frame in a wider element with equal bars left and right', () => {
		expect(contentRect({ width: 2000, height: 720 }, hd)).toEqual({ x: 360, y: 0, width: 1280, height: 720 });
	});

	it('fills the element exactly when the aspect ratios match, at any scale', () => {
		expect(contentRect({ width: 640, height: 360 }, hd)).toEqual({ x: 0, y: 0, width: 640, height: 360 });
	});

	it('fits a phone-shaped frame into a landscape desktop stage', () => {
		const rect = contentRect({ width: 1440, height: 800 }, { width: 200, height: 400 });
		expect(rect).toEqual({ x: 520, y: 0, width: 400, height: 800 });
	});

	it('is unknown until both sizes are known', () => {
		expect(contentRect({ width: 800, height: 600 }, { width: 0, height: 0 })).toBeNull();
		expect(contentRect({ width: 0, height: 600 }, hd)).toBeNull();
	});
});

describe('toFrame', () => {
	const letterbox = { width: 1280, height: 1000 }; // frame drawn at y 140..860

	it('maps the centre of a letterboxed element to the centre of the frame', () => {
		expect(toFrame({ x: 640, y: 500 }, letterbox, hd)).toEqual({ x: 0.5, y: 0.5 });
	});

	it('maps the frame corners of a letterboxed element to 0 and 1', () => {
		expect(toFrame({ x: 0, y: 140 }, letterbox, hd)).toEqual({ x: 0, y: 0 });
		expect(toFrame({ x: 1280, y: 860 }, letterbox, hd)).toEqual({ x: 1, y: 1 });
	});

	it('ignores a point in the letterbox bars', () => {
		expect(toFrame({ x: 640, y: 100 }, letterbox, hd)).toBeNull();
		expect(toFrame({ x: 640, y: 900 }, letterbox, hd)).toBeNull();
	});

	it('ignores a point in the pillarbox bars and maps one inside', () => {
		const pillar = { width: 2000, height: 720 }; // frame drawn at x 360..1640
		expect(toFrame({ x: 100, y: 360 }, pillar, hd)).toBeNull();
		expect(toFrame({ x: 1700, y: 360 }, pillar, hd)).toBeNull();
		expect(toFrame({ x: 360 + 320, y: 180 }, pillar, hd)).toEqual({ x: 0.25, y: 0.25 });
	});

	it('maps an exact fit without offsets, whatever the scale', () => {
		expect(toFrame({ x: 160, y: 270 }, { width: 640, height: 360 }, hd)).toEqual({ x: 0.25, y: 0.75 });
	});

	it('ignores points off the element entirely', () => {
		expect(toFrame({ x: -1, y: 10 }, { width: 640, height: 360 }, hd)).toBeNull();
		expect(toFrame({ x: 10, y: 361 }, { width: 640, height: 360 }, hd)).toBeNull();
	});

	it('pulls an outside point to the nearest edge when clamping (a drag leaving the frame)', () => {
		expect(toFrame({ x: 640, y: 20 }, letterbox, hd, true)).toEqual({ x: 0.5, y: 0 });
		expect(toFrame({ x: 5000, y: 5000 }, letterbox, hd, true)).toEqual({ x: 1, y: 1 });
	});

	it('is null before the frame size is known', () => {
		expect(toFrame({ x: 1, y: 1 }, letterbox, { width: 0, height: 0 })).toBeNull();
	});
});

describe('fromFrame', () => {
	it('inverts toFrame for a letterboxed element', () => {
		const box = { width: 1280, height: 1000 };
		const point = { x: 321, y: 456 };
		const norm = toFrame(point, box, hd)!;
		const back = fromFrame(norm, box, hd)!;
		expect(back.x).toBeCloseTo(point.x, 9);
		expect(back.y).toBeCloseTo(point.y, 9);
	});

	it('places a normalized point in a pillarboxed element', () => {
		expect(fromFrame({ x: 1, y: 0.5 }, { width: 2000, height: 720 }, hd)).toEqual({ x: 1640, y: 360 });
	});
});

describe('clamp01', () => {
	it('keeps values in range and turns NaN into 0', () => {
		expect(clamp01(-0.2)).toBe(0);
		expect(clamp01(1.3)).toBe(1);
		expect(clamp01(0.4)).toBe(0.4);
		expect(clamp01(Number.NaN)).toBe(0);
	});
});
