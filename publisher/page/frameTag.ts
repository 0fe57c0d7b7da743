/**
 * The frame tag: a strip the detector paints into the captured page so the compositor can
 * tell which reported page state a captured frame shows (tab-capture frames carry no such
 * metadata). It is 2 × {@link TAG_BITS} square blocks along the bottom-left edge of the
 * viewport: the tag's bits, most significant first, then their complements. A block is
 * white for 1 and black for 0.
 *
 * Reading fails closed: a block that is neither clearly white nor clearly black, or a bit
 * whose complement is not its opposite, makes the whole tag unreadable (the page covered
 * or re-coloured the strip, or the frame was scaled past recognition).
 *
 * Shared by the detector (which paints it) and the compositor (which reads it); no DOM.
 */

/** Bits of a tag; tags count modulo 2^TAG_BITS. */
export const TAG_BITS = 16;
export const TAG_MODULO = 2 ** TAG_BITS;
/** Side of one block, in CSS pixels. */
export const TAG_BLOCK = 4;
/** Size of the strip in CSS pixels (at the bottom-left corner of the viewport). */
export const TAG_WIDTH = 2 * TAG_BITS * TAG_BLOCK;
export const TAG_HEIGHT = TAG_BLOCK;

/** Luma at or above this is a white block; at or below {@link BLACK_MAX}, a black one. */
const WHITE_MIN = 170;
const BLACK_MAX = 85;

/** The colour of each block, left to right: `true` for white. */
export function tagBlocks(tag: number): boolean[] {
	const bits: boolean[] = [];
	for (let i = TAG_BITS - 1; i >= 0; i--) bits.push(((tag >>> i) & 1) === 1);
	return [...bits, ...bits.map((bit) => !bit)];
}

/** The tag after `tag`, modulo 2^TAG_BITS. */
export function nextTag(tag: number, step = 1): number {
	return (tag + step) % TAG_MODULO;
}

/**
 * Reads the tag from a frame, given the luma at a frame pixel and the frame's scale (frame
 * pixels per CSS pixel, horizontally and vertically). Samples the centre of each block.
 * Returns undefined when the strip is not a valid tag.
 */
export function readTag(luma: (x: number, y: number) => number, frameHeight: number, scaleX: number, scaleY: number): number | undefined {
	const y = Math.floor(frameHeight - (TAG_HEIGHT / 2) * scaleY);
	if (y < 0) return undefined;
	let tag = 0;
	for (let i = 0; i < TAG_BITS; i++) {
		const bit = blockValue(luma(Math.floor((i * TAG_BLOCK + TAG_BLOCK / 2) * scaleX), y));
		const complement = blockValue(luma(Math.floor(((i + TAG_BITS) * TAG_BLOCK + TAG_BLOCK / 2) * scaleX), y));
		if (bit === undefined || complement === undefined || bit === complement) return undefined;
		tag = tag * 2 + (bit ? 1 : 0);
	}
	return tag;
}

function blockValue(luma: number): boolean | undefined {
	if (luma >= WHITE_MIN) return true;
	if (luma <= BLACK_MAX) return false;
	return undefined;
}
