import { describe, expect, it } from 'vitest';
import { currentItem, timeline, videoTimeOf } from './timeline.js';

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
