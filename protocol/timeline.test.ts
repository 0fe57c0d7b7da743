import { describe, expect, it } from 'vitest';
import { currentItem, timeline, videoTimeOf, wallTimeOf } from './timeline.js';

const recording = { segments: [{ startedAt: 10_000, durationMs: 5000 }, { startedAt: 30_000, durationMs: 4000 }] };

describe('the report timeline', () => {
	it('places a time in the recording across its segments, and nowhere outside them', () => {
		expect(videoTimeOf(recording, 12_000)).toBe(2);
		expect(videoTimeOf(recording, 31_000)).toBe(6);
		// Between segments (recording stopped) and after the end: not in the video.
		expect(videoTimeOf(recording, 20_000)).toBeNull();
		expect(videoTimeOf(recording, 40_000)).toBeNull();
		// Just before the first frame ("recording started" is logged before it comes): its start.
		expect(videoTimeOf(recording, 9_500)).toBe(0);
		expect(videoTimeOf(null, 12_000)).toBeNull();
	});

	it('turns video time back into the wall clock, across segments', () => {
		expect(wallTimeOf(recording, 2)).toBe(12_000);
		expect(wallTimeOf(recording, 6)).toBe(31_000);
		// The first frame of the second segment is its start, not the first one's end.
		expect(wallTimeOf(recording, 5)).toBe(30_000);
		expect(wallTimeOf(recording, 100)).toBe(34_000);
		expect(wallTimeOf(recording, -1)).toBe(10_000);
		expect(wallTimeOf(null, 1)).toBeNull();
		for (const at of [10_500, 14_000, 30_200, 33_900]) expect(wallTimeOf(recording, videoTimeOf(recording, at)!)).toBe(at);
	});

	it('merges events and chat oldest first, and finds the item playing', () => {
		const items = timeline({
			events: [{ at: 13_000, type: 'page.visited', url: 'https://shop.example/cart', title: 'Cart' }, { at: 11_000, type: 'participant.joined', role: 'customer', name: 'Ann' }],
			chat: [{ at: 12_000, name: 'Ann', role: 'customer', text: 'hi', note: false }],
			recordings: [{ status: 'ready', ...recording }],
		});
		expect(items.map((i) => i.kind)).toEqual(['participant.joined', 'chat', 'page.visited']);
		expect(items.map((i) => i.videoTime)).toEqual([1, 2, 3]);
		expect(currentItem(items, 2.5)).toBe(1);
		expect(currentItem(items, 0.5)).toBe(-1);
	});
});
