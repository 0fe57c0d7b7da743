import { describe, expect, it } from 'vitest';
import { OverlayReplay, POINTER_IDLE_MS, type OverlayData } from './overlayReplay';

const snapshot = {
	type: 'annotation/snapshot',
	annotations: [{ by: 'p1', stroke: 1, tab: 't1', tool: 'pen', color: 'red', points: [[10, 10]], done: true }],
	scroll: { tab: 't1', x: 0, y: 0, scale: 1 },
	viewport: { width: 1280, height: 720 },
};

const track: OverlayData = {
	partial: false,
	people: { p1: { name: 'Ana', role: 'agent' }, p2: { name: 'Cid', role: 'customer' } },
	entries: [
		[1000, 'annotation', snapshot],
		[1100, 'cursor', { type: 'cursor/move', participantId: 'p1', x: 0.25, y: 0.5 }],
		[1200, 'annotation', { type: 'annotation/start', by: 'p1', stroke: 2, tab: 't1', tool: 'highlighter', color: 'yellow', points: [[100, 100]] }],
		[1300, 'annotation', { type: 'annotation/points', by: 'p1', stroke: 2, points: [[110, 100], [120, 100]] }],
		[1400, 'annotation', { type: 'annotation/end', by: 'p1', stroke: 2 }],
		[1500, 'scroll', { tab: 't1', x: 0, y: 300, scale: 1 }],
		[1600, 'annotation', { type: 'annotation/pulse', by: 'p2', tab: 't1', x: 50, y: 60 }],
		[1700, 'cursor', { type: 'cursor/move', participantId: 'p2', x: 0.9, y: 0.1 }],
		[2000, 'viewport', { width: 390, height: 844 }],
		[2500, 'cursor', { type: 'cursor/hide', participantId: 'p2' }],
		[5000, 'annotation', { type: 'annotation/remove', strokes: [{ by: 'p1', stroke: 2 }] }],
	],
};

describe('replaying what viewers drew over a recording', () => {
	it('shows, at any moment, the drawings, pointers, scroll and viewport as they were then', () => {
		const replay = new OverlayReplay(track);
		replay.seek(999);
		expect(replay.strokes.size).toBe(0);
		expect(replay.viewport).toBeNull();

		replay.seek(1350);
		expect([...replay.strokes.keys()]).toEqual(['p1:1', 'p1:2']);
		expect(replay.strokes.get('p1:2')!.points).toEqual([[100, 100], [110, 100], [120, 100]]);
		expect(replay.strokes.get('p1:2')!.done).toBe(false);
		expect(replay.pointersAt(1350)).toEqual([{ id: 'p1', x: 0.25, y: 0.5, name: 'Ana', role: 'agent', movedAt: 1100 }]);
		expect(replay.viewport).toEqual({ width: 1280, height: 720 });

		replay.seek(1800);
		expect(replay.strokes.get('p1:2')!.endedAt).toBe(1400);
		expect(replay.scroll.y).toBe(300);
		expect(replay.pulses).toEqual([{ tab: 't1', x: 50, y: 60, at: 1600 }]);
		expect(replay.pointersAt(1800).map((p) => p.name)).toEqual(['Ana', 'Cid']);

		replay.seek(2600);
		expect(replay.viewport).toEqual({ width: 390, height: 844 });
		// Hidden; and a pointer at rest fades as it does live.
		expect(replay.pointersAt(2600).map((p) => p.id)).toEqual(['p1']);
		expect(replay.pointersAt(1100 + POINTER_IDLE_MS)).toEqual([]);
		expect(replay.pulses).toHaveLength(1);

		replay.seek(6000);
		expect([...replay.strokes.keys()]).toEqual(['p1:1']);
		// The pulse is over.
		expect(replay.pulses).toEqual([]);
	});

	it('goes back in time as well as forward (a seek back starts again from the first entry)', () => {
		const replay = new OverlayReplay(track);
		replay.seek(6000);
		replay.seek(1350);
		expect([...replay.strokes.keys()]).toEqual(['p1:1', 'p1:2']);
		expect(replay.strokes.get('p1:2')!.points).toHaveLength(3);
		expect(replay.scroll.y).toBe(0);
		expect(replay.viewport).toEqual({ width: 1280, height: 720 });
	});

	it('skips what it does not understand, and draws the rest', () => {
		const replay = new OverlayReplay({
			partial: false,
			entries: [
				null,
				[1, 'annotation', 'not an object'],
				[2, 'annotation', { type: 'annotation/start', by: 'x', stroke: 1, tab: 't', tool: 'laser', color: 'red', points: [] }],
				[3, 'annotation', { type: 'annotation/start', by: 'x', stroke: 2, tab: 't', tool: 'pen', color: 'url(evil)', points: [] }],
				[4, 'cursor', { type: 'cursor/move', participantId: 'x', x: 5, y: 0.5 }],
				[5, 'viewport', { width: -1, height: 10 }],
				['6', 'cursor', {}],
				[7, 'annotation', { type: 'annotation/start', by: 'x', stroke: 3, tab: 't', tool: 'pen', color: 'blue', points: [[1, 2], ['a', 3]] }],
				[8, 'cursor', { type: 'cursor/move', participantId: 'y', x: 0.5, y: 0.5 }],
			] as unknown as OverlayData['entries'],
		});
		replay.seek(100);
		expect([...replay.strokes.values()].map((s) => [s.stroke, s.points])).toEqual([[3, [[1, 2]]]]);
		expect(replay.viewport).toBeNull();
		// Someone the track does not name: a pointer with no name, not a made-up one.
		expect(replay.pointersAt(100)).toEqual([{ id: 'y', x: 0.5, y: 0.5, name: '', role: null, movedAt: 8 }]);
		expect(new OverlayReplay({} as OverlayData).empty).toBe(true);
	});
});
