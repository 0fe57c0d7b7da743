import { describe, expect, it } from 'vitest';
import { ANNOTATE_RATE_PER_S, HIGHLIGHT_FADE_MS, HIGHLIGHT_MS, MAX_POINTS_PER_STROKE, MAX_POINTS_TOTAL, MAX_STROKES } from '../protocol/annotations.js';
import { Annotations } from './Annotations.js';

function board() {
	let now = 1_000_000;
	const notes = new Annotations(() => now);
	return { notes, advance: (ms: number) => (now += ms) };
}

const start = (stroke: number, tool: 'pen' | 'highlighter' = 'pen') => ({ type: 'annotate/start' as const, stroke, tab: 't1', tool, color: 'red' as const, points: [[10, 20]] as Array<[number, number]> });

describe('Annotations', () => {
	it('fans a stroke out as it is drawn, tagged with who drew it, and keeps it for those who join later', () => {
		const { notes } = board();
		expect(notes.apply('a', start(1), true)).toEqual({ out: [{ type: 'annotation/start', by: 'a', stroke: 1, tab: 't1', tool: 'pen', color: 'red', points: [[10, 20]] }] });
		expect(notes.apply('a', { type: 'annotate/points', stroke: 1, points: [[11, 21], [12, 22]] }, true)).toEqual({ out: [{ type: 'annotation/points', by: 'a', stroke: 1, points: [[11, 21], [12, 22]] }] });
		expect(notes.apply('a', { type: 'annotate/end', stroke: 1 }, true)).toEqual({ out: [{ type: 'annotation/end', by: 'a', stroke: 1 }] });
		expect(notes.snapshot()).toEqual([{ by: 'a', stroke: 1, tab: 't1', tool: 'pen', color: 'red', points: [[10, 20], [11, 21], [12, 22]], done: true }]);
	});

	it("drops points for a stroke that is not the sender's, or already ended", () => {
		const { notes } = board();
		notes.apply('a', start(1), true);
		expect(notes.apply('b', { type: 'annotate/points', stroke: 1, points: [[0, 0]] }, false)).toEqual({ dropped: 'unknown_stroke' });
		notes.apply('a', { type: 'annotate/end', stroke: 1 }, true);
		expect(notes.apply('a', { type: 'annotate/points', stroke: 1, points: [[0, 0]] }, true)).toEqual({ dropped: 'unknown_stroke' });
		expect(notes.apply('a', start(1), true)).toEqual({ dropped: 'duplicate_stroke' });
	});

	it('undo removes only the sender\'s newest stroke; clear mine leaves the others\'; clear all is for agents', () => {
		const { notes } = board();
		notes.apply('agent', start(1), true);
		notes.apply('customer', start(1), false);
		notes.apply('agent', start(2), true);
		expect(notes.apply('agent', { type: 'annotate/undo' }, true)).toEqual({ out: [{ type: 'annotation/remove', strokes: [{ by: 'agent', stroke: 2 }] }] });
		expect(notes.apply('customer', { type: 'annotate/clear', scope: 'all' }, false)).toEqual({ dropped: 'forbidden' });
		expect(notes.snapshot()).toHaveLength(2);
		expect(notes.apply('customer', { type: 'annotate/clear', scope: 'mine' }, false)).toEqual({ out: [{ type: 'annotation/remove', strokes: [{ by: 'customer', stroke: 1 }] }] });
		expect(notes.snapshot().map((s) => s.by)).toEqual(['agent']);
		expect(notes.apply('agent', { type: 'annotate/clear', scope: 'all' }, true)).toEqual({ out: [{ type: 'annotation/remove', strokes: [{ by: 'agent', stroke: 1 }] }] });
		expect(notes.snapshot()).toEqual([]);
	});

	it('a highlighter goes once its time is up; a pen stays', () => {
		const { notes, advance } = board();
		notes.apply('a', start(1, 'highlighter'), true);
		notes.apply('a', start(2, 'pen'), true);
		notes.apply('a', { type: 'annotate/end', stroke: 1 }, true);
		notes.apply('a', { type: 'annotate/end', stroke: 2 }, true);
		advance(HIGHLIGHT_MS);
		expect(notes.expire()).toBeUndefined();
		expect(notes.snapshot()[0]).toMatchObject({ stroke: 1, endedAgoMs: HIGHLIGHT_MS });
		advance(HIGHLIGHT_FADE_MS);
		expect(notes.expire()).toEqual({ type: 'annotation/remove', strokes: [{ by: 'a', stroke: 1 }] });
		advance(60_000);
		expect(notes.expire()).toBeUndefined();
		expect(notes.snapshot().map((s) => s.stroke)).toEqual([2]);
	});

	it('keeps at most MAX_STROKES (the oldest goes) and MAX_POINTS_PER_STROKE points per stroke', () => {
		const { notes, advance } = board();
		for (let i = 0; i < MAX_STROKES; i++) {
			advance(1000);
			notes.apply('a', start(i), true);
		}
		advance(1000);
		const result = notes.apply('a', start(MAX_STROKES), true);
		expect(result).toMatchObject({ out: [{ type: 'annotation/remove', strokes: [{ by: 'a', stroke: 0 }] }, { type: 'annotation/start' }] });
		expect(notes.snapshot()).toHaveLength(MAX_STROKES);
		const points = Array.from({ length: 32 }, (_, i) => [i, i] as [number, number]);
		let accepted = 1;
		for (let i = 0; i < MAX_POINTS_PER_STROKE; i++) {
			advance(1000);
			const r = notes.apply('a', { type: 'annotate/points', stroke: MAX_STROKES, points }, true);
			if ('dropped' in r) {
				expect(r.dropped).toBe('too_long');
				break;
			}
			accepted += (r.out[0] as { points: unknown[] }).points.length;
		}
		expect(accepted).toBe(MAX_POINTS_PER_STROKE);
	});

	it('keeps the points of all strokes under MAX_POINTS_TOTAL: the oldest finished strokes go, a stroke being drawn stays', async () => {
		const { notes, advance } = board();
		const points = Array.from({ length: 32 }, (_, i) => [i, i] as [number, number]);
		let removed = 0;
		let drops = 0;
		for (let stroke = 0; stroke < 40; stroke++) {
			notes.apply('a', start(stroke), true);
			for (let i = 0; i < 100; i++) {
				advance(1000);
				const r = notes.apply('a', { type: 'annotate/points', stroke, points }, true);
				if ('dropped' in r) drops++;
				else for (const m of r.out) if (m.type === 'annotation/remove') removed += m.strokes.length;
			}
			notes.apply('a', { type: 'annotate/end', stroke }, true);
			const total = notes.snapshot().reduce((n, s) => n + s.points.length, 0);
			expect(total).toBeLessThanOrEqual(MAX_POINTS_TOTAL);
		}
		expect(removed).toBeGreaterThan(0);
		expect(drops).toBe(0);
		// The newest stroke is whole.
		expect(notes.snapshot().at(-1)).toMatchObject({ stroke: 39, done: true });
		expect(notes.snapshot().at(-1)!.points).toHaveLength(1 + 100 * 32);
	});

	it('drops what a participant sends beyond its rate, and lets it draw again once the budget refills', () => {
		const { notes, advance } = board();
		notes.apply('a', start(1), true);
		let passed = 0;
		for (let i = 0; i < ANNOTATE_RATE_PER_S * 4; i++) if ('out' in notes.apply('a', { type: 'annotate/pulse', tab: 't1', x: 1, y: 1 }, true)) passed++;
		expect(passed).toBeLessThan(ANNOTATE_RATE_PER_S * 2);
		expect(notes.apply('a', { type: 'annotate/pulse', tab: 't1', x: 1, y: 1 }, true)).toEqual({ dropped: 'rate_limited' });
		// NOTE: another participant's budget is its own.
		expect('out' in notes.apply('b', { type: 'annotate/pulse', tab: 't1', x: 1, y: 1 }, false)).toBe(true);
		advance(1000);
		expect('out' in notes.apply('a', { type: 'annotate/pulse', tab: 't1', x: 1, y: 1 }, true)).toBe(true);
	});
});
