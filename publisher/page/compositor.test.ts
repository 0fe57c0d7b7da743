import { describe, expect, it } from 'vitest';
import { BOX_PAINT, COVER_PAINT, fillRect, frameTag, luma, MaskBook, type MaskState, noticeFromRgba, paintDecision, paintFrame, type RawFrame } from './compositor.js';
import { TAG_BLOCK, TAG_HEIGHT, tagBlocks } from './frameTag.js';

const VIEWPORT = { width: 320, height: 180 };
/** When frames arrive in these tests (states are measured at 1000 and ticks soon after). */
const NOW = 1030;

/** A white I420 frame of the given size. */
function i420(width: number, height: number): RawFrame {
	const ySize = width * height;
	const cSize = (width / 2) * (height / 2);
	const data = new Uint8Array(ySize + 2 * cSize);
	data.fill(235, 0, ySize);
	data.fill(128, ySize);
	return { format: 'I420', width, height, data, planes: [{ offset: 0, stride: width }, { offset: ySize, stride: width / 2 }, { offset: ySize + cSize, stride: width / 2 }] };
}

/** Paints a tag strip the way the page shows it (scaled to the frame). */
function paintTag(frame: RawFrame, tag: number): void {
	const sx = frame.width / VIEWPORT.width;
	const sy = frame.height / VIEWPORT.height;
	tagBlocks(tag).forEach((white, i) => {
		const paint = { y: white ? 235 : 16, u: 128, v: 128, rgb: [0, 0, 0] as [number, number, number] };
		fillRect(frame, i * TAG_BLOCK * sx, frame.height - TAG_HEIGHT * sy, (i + 1) * TAG_BLOCK * sx, frame.height, paint);
	});
}

const state = (tag: number, boxes: MaskState['boxes'], extra: Partial<MaskState> = {}): MaskState => ({ doc: 'd1', tag, boxes, viewport: VIEWPORT, at: 1000, rules: 1, ...extra });

describe('frame tags', () => {
	it('reads back what was painted, at the viewport scale and scaled', () => {
		for (const [w, h] of [[320, 180], [640, 360], [288, 162]] as const) {
			for (const tag of [0, 1, 0x1234, 0xffff, 40_000]) {
				const frame = i420(w, h);
				paintTag(frame, tag);
				expect(frameTag(frame, VIEWPORT)).toBe(tag);
			}
		}
	});

	it('fails on a strip that is missing, uniform or damaged', () => {
		expect(frameTag(i420(320, 180), VIEWPORT)).toBeUndefined();
		const frame = i420(320, 180);
		paintTag(frame, 0x0f0f);
		// The page drew over one block in grey.
		fillRect(frame, 8, 176, 12, 180, { y: 128, u: 128, v: 128, rgb: [0, 0, 0] });
		expect(frameTag(frame, VIEWPORT)).toBeUndefined();
	});
});

describe('the mask book', () => {
	it('covers everything until rules and a state are known', () => {
		const book = new MaskBook();
		expect(book.decide(1, NOW)).toEqual({ cover: 'no_rules' });
		book.rules(1);
		expect(book.decide(1, NOW)).toEqual({ cover: 'tag_unknown' });
		book.add(state(1, [[10, 10, 20, 20]]));
		// Not before the detector's next frame has reported (a tick, or a newer state).
		expect(book.decide(1, NOW)).toEqual({ cover: 'detector_behind' });
		book.touch('d1', 1, 1016);
		expect(book.decide(1, NOW)).toMatchObject({ states: 1 });
		expect(book.decide(undefined, NOW)).toEqual({ cover: 'tag_unreadable' });
		expect(book.decide(2, NOW)).toEqual({ cover: 'tag_unknown' });
	});

	it('waits for the detector to acknowledge input it has been told of, also through ticks; a new document starts acknowledged', () => {
		const book = new MaskBook();
		book.rules(1);
		book.add(state(1, [[10, 10, 20, 20]], { input: 4 }));
		book.touch('d1', 1, 1016, 4);
		expect(book.decide(1, NOW)).toMatchObject({ states: 1 });
		// Input 5 is sent (at a time before the newest report: only its number tells).
		book.input(900, true, 5);
		expect(book.decide(1, NOW)).toEqual({ cover: 'detector_behind' });
		book.touch('d1', 1, 1020, 5);
		expect(book.decide(1, NOW)).toMatchObject({ states: 1 });
		book.input(900, false, 6);
		// The page navigated: its new detector was never told of input 6, and need not be.
		book.add(state(1, [[10, 10, 20, 20]], { doc: 'd2', at: 1018 }));
		book.touch('d2', 1, 1022);
		expect(book.decide(1, NOW)).toMatchObject({ states: 1 });
	});

	it('covers frames of states found with older rules than the newest delivered, until one found with them arrives', () => {
		const book = new MaskBook();
		book.rules(1);
		book.add(state(1, [[10, 10, 20, 20]]));
		book.touch('d1', 1, 1016);
		expect(book.decide(1, NOW)).toMatchObject({ states: 1 });
		// The company saved a rule: its generation reaches the compositor before the detector rescans.
		book.rules(2);
		expect(book.decide(1, NOW)).toEqual({ cover: 'no_rules' });
		book.add(state(2, [[10, 10, 20, 20], [50, 50, 10, 10]], { rules: 2, at: 1010 }));
		book.touch('d1', 2, 1026);
		expect(book.decide(2, NOW)).toMatchObject({ states: 1 });
		// A frame still showing the old state stays covered: its boxes may miss what the new rule hides.
		expect(book.decide(1, NOW)).toEqual({ cover: 'no_rules' });
		// Rules withdrawn (never in a session, but the book must not trust anything then).
		book.rules(null);
		expect(book.decide(2, NOW)).toEqual({ cover: 'no_rules' });
	});

	it('paints the boxes of the frame\'s state and of the newer ones (N ∪ N+1 ∪ …)', () => {
		const book = new MaskBook();
		book.rules(1);
		book.add(state(7, [[0, 0, 10, 10]]));
		book.add(state(8, [[0, 50, 10, 10]]));
		book.add(state(9, [[0, 100, 10, 10]]));
		const decision = book.decide(7, NOW);
		expect(decision).toMatchObject({ states: 3 });
		expect('boxes' in decision && decision.boxes).toHaveLength(3);
		expect(book.decide(9, NOW)).toEqual({ cover: 'detector_behind' });
		book.touch('d1', 9, 1016);
		expect(book.decide(9, NOW)).toMatchObject({ states: 1 });
	});

	it('covers frames during a navigation until the new document reports', () => {
		const book = new MaskBook();
		book.rules(1);
		book.add(state(7, []));
		book.navigating();
		expect(book.decide(7, NOW)).toEqual({ cover: 'navigating' });
		book.add(state(7, [], { doc: 'd2', clean: true }));
		// A page with nothing to mask needs no next report.
		expect(book.decide(7, NOW)).toMatchObject({ states: 1 });
	});

	it('covers frames while input is newer than the newest state, and an incomplete scan', () => {
		const book = new MaskBook();
		book.rules(1);
		book.add(state(1, [], { at: 1000 }));
		book.input(1005);
		expect(book.decide(1, NOW)).toEqual({ cover: 'detector_behind' });
		book.add(state(2, [], { at: 1010 }));
		expect(book.decide(1, NOW)).toMatchObject({ states: 2 });
		book.add(state(3, [], { at: 1020, incomplete: true }));
		expect(book.decide(2, NOW)).toEqual({ cover: 'not_scanned' });
	});
});

describe('painting a frame', () => {
	it('paints the boxes (with a margin) and the tag strip, and nothing else', () => {
		const book = new MaskBook();
		book.rules(1);
		book.add(state(5, [[100, 50, 40, 20]]));
		book.touch('d1', 5, 1016);
		const frame = i420(640, 360);
		paintTag(frame, 5);
		const result = paintFrame(frame, book, VIEWPORT, NOW);
		expect(result).toMatchObject({ boxes: 1, tag: 5 });
		expect(luma(frame, 240, 120)).toBe(BOX_PAINT.y); // inside the box
		expect(luma(frame, 196, 96)).toBe(BOX_PAINT.y); // inside the margin (box starts at 200,100)
		expect(luma(frame, 500, 120)).toBe(235); // elsewhere
		expect(luma(frame, 4, 358)).toBe(BOX_PAINT.y); // the tag strip
		expect(frameTag(frame, VIEWPORT)).toBeUndefined();
	});

	it('covers the whole frame when the tag is unknown', () => {
		const book = new MaskBook();
		book.rules(1);
		const frame = i420(320, 180);
		paintTag(frame, 9);
		expect(paintFrame(frame, book, VIEWPORT, NOW)).toMatchObject({ cover: 'tag_unknown' });
		expect(luma(frame, 300, 20)).toBe(COVER_PAINT.y);
		expect(frame.data[320 * 180 + 10]).toBe(COVER_PAINT.u);
	});

	it('paints RGBA and NV12 frames too', () => {
		const rgba: RawFrame = { format: 'BGRA', width: 8, height: 8, data: new Uint8Array(8 * 8 * 4).fill(255), planes: [{ offset: 0, stride: 32 }] };
		fillRect(rgba, 2, 2, 4, 4, BOX_PAINT);
		expect([...rgba.data.slice(2 * 32 + 8, 2 * 32 + 12)]).toEqual([BOX_PAINT.rgb[2], BOX_PAINT.rgb[1], BOX_PAINT.rgb[0], 255]);
		const nv12: RawFrame = { format: 'NV12', width: 8, height: 8, data: new Uint8Array(96).fill(200), planes: [{ offset: 0, stride: 8 }, { offset: 64, stride: 8 }] };
		fillRect(nv12, 0, 0, 2, 2, BOX_PAINT);
		expect([...nv12.data.slice(64, 66)]).toEqual([BOX_PAINT.u, BOX_PAINT.v]);
		expect(nv12.data[66]).toBe(200);
	});
});

describe('a detector that may not have seen what a frame shows', () => {
	it('covers frames while the detector is silent (a stalled main thread)', () => {
		const book = new MaskBook();
		book.rules(1);
		book.add(state(1, [[0, 0, 10, 10]], { at: 1000 }));
		book.touch('d1', 1, 1016);
		expect(book.decide(1, 1040)).toMatchObject({ states: 1 });
		expect(book.decide(1, 1100)).toEqual({ cover: 'detector_behind' });
		// Once it reports again, frames wait two more frames of reports.
		book.touch('d1', 1, 1200);
		expect(book.decide(1, 1210)).toEqual({ cover: 'detector_behind' });
		book.touch('d1', 1, 1240);
		expect(book.decide(1, 1245)).toMatchObject({ states: 1 });
		// A page with nothing to mask is not held back.
		book.add(state(2, [], { at: 1250, clean: true }));
		expect(book.decide(2, 1400)).toMatchObject({ states: 1 });
	});

	it('after scrolling input, waits for a report from two frames later', () => {
		const book = new MaskBook();
		book.rules(1);
		book.add(state(1, [[0, 0, 10, 10]], { at: 1000 }));
		book.input(1001, true);
		book.touch('d1', 1, 1010);
		expect(book.decide(1, 1030)).toEqual({ cover: 'detector_behind' });
		book.touch('d1', 1, 1036);
		expect(book.decide(1, 1040)).toMatchObject({ states: 1 });
	});
});

describe('ticks', () => {
	it('a tick of the newest state catches the detector up with input', () => {
		const book = new MaskBook();
		book.rules(1);
		book.add(state(1, [], { at: 1000 }));
		book.input(1005);
		book.touch('d1', 1, 1003);
		expect(book.decide(1, NOW)).toEqual({ cover: 'detector_behind' });
		book.touch('other', 1, 1010);
		expect(book.decide(1, NOW)).toEqual({ cover: 'detector_behind' });
		book.touch('d1', 1, 1010);
		expect(book.decide(1, NOW)).toMatchObject({ states: 1 });
	});
});

describe('the notice on covered frames', () => {
	it('is converted once from RGBA and painted in the middle of a covered I420 frame, nowhere else', () => {
		// A 4×2 picture: white on the left half, black on the right.
		const rgba = new Uint8Array(4 * 2 * 4);
		for (let row = 0; row < 2; row++) for (let col = 0; col < 2; col++) rgba.set([255, 255, 255, 255], (row * 4 + col) * 4);
		for (let row = 0; row < 2; row++) for (let col = 2; col < 4; col++) rgba.set([0, 0, 0, 255], (row * 4 + col) * 4);
		const notice = noticeFromRgba(rgba, 4, 2);
		expect([...notice.y]).toEqual([235, 235, 16, 16, 235, 235, 16, 16]);
		expect([...notice.u]).toEqual([128, 128]);
		const frame = i420(8, 6);
		paintDecision(frame, { cover: 'detector_behind' }, { width: 8, height: 6 }, undefined, notice);
		const row = (y: number) => [...frame.data.subarray(y * 8, y * 8 + 8)];
		const grey = Array(8).fill(COVER_PAINT.y);
		const withNotice = [COVER_PAINT.y, COVER_PAINT.y, 235, 235, 16, 16, COVER_PAINT.y, COVER_PAINT.y];
		expect([0, 1, 2, 3, 4, 5].map(row)).toEqual([grey, grey, withNotice, withNotice, grey, grey]);
		// Frames painted with boxes never get it.
		const painted = i420(8, 4);
		paintDecision(painted, { boxes: [], states: 1 }, { width: 8, height: 4 }, undefined, notice);
		expect(painted.data.subarray(0, 32).includes(16)).toBe(false);
	});
});
