/**
 * Mapping between the stage element and the video frame.
 *
 * The <video> is drawn with `object-fit: contain`, so the frame is scaled to fit the
 * element and centred: letterboxed (bars top and bottom) when the element is taller than
 * the frame, pillarboxed (bars left and right) when it is wider. Input coordinates are
 * normalized to the frame (0..1), never to the element, so the cloud browser receives the
 * same point whatever the size of the viewer's window.
 *
 * Pure functions, no DOM: the stage passes plain sizes and element-relative points.
 */

export interface Size {
	width: number;
	height: number;
}

export interface Point {
	x: number;
	y: number;
}

/** A rectangle relative to the element's top-left corner, in CSS pixels. */
export interface Rect extends Point, Size {}

/**
 * The part of the element the video frame is drawn in (`object-fit: contain`).
 * Returns null while either size is unknown (0), e.g. before the first frame.
 */
export function contentRect(box: Size, frame: Size): Rect | null {
	if (!(box.width > 0 && box.height > 0 && frame.width > 0 && frame.height > 0)) return null;
	const scale = Math.min(box.width / frame.width, box.height / frame.height);
	const width = frame.width * scale;
	const height = frame.height * scale;
	return { x: (box.width - width) / 2, y: (box.height - height) / 2, width, height };
}

/**
 * Maps an element-relative point to normalized frame coordinates.
 * Returns null when the point lies outside the drawn frame (in the bars or off the
 * element), unless `clamp` is set: then it is pulled to the nearest frame edge, which is
 * what a drag that leaves the frame needs so that its release still arrives.
 */
export function toFrame(point: Point, box: Size, frame: Size, clamp = false): Point | null {
	const rect = contentRect(box, frame);
	if (!rect) return null;
	let x = (point.x - rect.x) / rect.width;
	let y = (point.y - rect.y) / rect.height;
	if (clamp) {
		x = clamp01(x);
		y = clamp01(y);
	} else if (!(x >= 0 && x <= 1 && y >= 0 && y <= 1)) {
		return null;
	}
	return { x, y };
}

/** The inverse of {@link toFrame}: where a normalized frame point is drawn in the element. */
export function fromFrame(norm: Point, box: Size, frame: Size): Point | null {
	const rect = contentRect(box, frame);
	if (!rect) return null;
	return { x: rect.x + clamp01(norm.x) * rect.width, y: rect.y + clamp01(norm.y) * rect.height };
}

/** Clamps to [0, 1]; NaN becomes 0 so that a message never fails the protocol's range check. */
export function clamp01(value: number): number {
	if (!(value > 0)) return 0;
	return value > 1 ? 1 : value;
}
