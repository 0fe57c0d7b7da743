import { describe, expect, it } from 'vitest';
import { OverlayTrack } from './OverlayTrack.js';

const move = (participantId: string, x: number) => ({ type: 'cursor/move', participantId, x, y: 0.5 });

describe('OverlayTrack', () => {
	it('thins pointers to 10 a second each, keeping where each came to rest', () => {
		const track = new OverlayTrack();
		for (let t = 0; t < 1000; t += 16) track.cursor(move('a', t / 1000), 1000 + t);
		track.cursor(move('b', 0.1), 1005);
		const { entries, partial } = track.data();
		const a = entries.filter((e) => (e[2] as { participantId: string }).participantId === 'a');
		expect(a.length).toBeGreaterThanOrEqual(10);
		expect(a.length).toBeLessThanOrEqual(12);
		// The last move is kept (the pointer rests there).
		expect((a.at(-1)![2] as { x: number }).x).toBeCloseTo(0.992, 3);
		expect(entries.some((e) => (e[2] as { participantId: string }).participantId === 'b')).toBe(true);
		expect(partial).toBe(false);
		// In time order.
		expect(entries.map((e) => e[0])).toEqual([...entries.map((e) => e[0])].sort((x, y) => x - y));
	});

	it('keeps where a pointer rested before it moved again', () => {
		const track = new OverlayTrack();
		track.cursor(move('a', 0.1), 0);
		track.cursor(move('a', 0.2), 50);
		track.cursor(move('a', 0.9), 5000);
		expect(track.data().entries.map((e) => (e[2] as { x: number }).x)).toEqual([0.1, 0.2, 0.9]);
	});

	it('names each pointer once, by the name and role it went by', () => {
		const track = new OverlayTrack();
		track.cursor(move('a', 0.1), 0, { name: 'Ana', role: 'agent' });
		track.cursor(move('a', 0.2), 200, { name: 'Ana', role: 'agent' });
		track.cursor(move('c', 0.2), 300);
		expect(track.data().people).toEqual({ a: { name: 'Ana', role: 'agent' } });
	});

	it('keeps every drawing and scroll, and a hide at once', () => {
		const track = new OverlayTrack();
		track.cursor(move('a', 0.1), 0);
		track.cursor(move('a', 0.2), 10);
		track.cursor({ type: 'cursor/hide', participantId: 'a' }, 20);
		track.annotation({ type: 'annotation/start', stroke: 1 }, 30);
		track.annotation({ type: 'annotation/points', stroke: 1 }, 31);
		track.scroll({ tab: 't', x: 0, y: 100, scale: 1 }, 32);
		track.viewport({ width: 390, height: 844 }, 33);
		expect(track.data().entries.map((e) => [e[0], e[1]])).toEqual([
			[0, 'cursor'],
			[10, 'cursor'],
			[20, 'cursor'],
			[30, 'annotation'],
			[31, 'annotation'],
			[32, 'scroll'],
			[33, 'viewport'],
		]);
	});

	it('is bounded: once full, pointers give way to drawings, and the track says it is partial', () => {
		const track = new OverlayTrack(5);
		for (let i = 0; i < 5; i++) track.cursor(move('a', i / 10), i * 200);
		track.annotation({ type: 'annotation/start', stroke: 1 }, 2000);
		track.cursor(move('a', 0.9), 2200);
		const { entries, partial } = track.data();
		expect(entries).toHaveLength(5);
		expect(entries.at(-1)![1]).toBe('annotation');
		expect(partial).toBe(true);
	});
});
