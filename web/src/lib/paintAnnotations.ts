/**
 * Paints strokes and "look here" pulses on a canvas laid over a video: the live stage's
 * annotation layer and the report's replay of a recording both draw with this, so a
 * drawing looks the same in a recording as it did live.
 *
 * Strokes are in the page's CSS px; the scroll and the viewport place them in the frame,
 * and the frame is drawn `object-fit: contain` in the element (see geometry.ts).
 */
import { COLORS, PULSE_MS, type Stroke } from '../../../protocol/annotations';
import type { PageScroll } from '../../../protocol/wire';
import { strokeOpacity, toFrame, type Viewport } from './annotations.svelte';
import { contentRect, type Size } from './geometry';

/** A pulse to draw: where on the page, on which tab, and when it started (same clock as `now`). */
export interface PulseMark {
	tab: string;
	x: number;
	y: number;
	at: number;
}

export interface AnnotationScene {
	strokes: Iterable<Stroke>;
	pulses: Iterable<PulseMark>;
	scroll: PageScroll;
	/** The tab shown: strokes of other tabs are not drawn. */
	tab: string;
	viewport: Viewport;
	/** Now, on the clock of strokes' `endedAt` and pulses' `at`. */
	now: number;
}

/** Line widths in the page's CSS px (they scale with the video). */
const WIDTH = { pen: 4, highlighter: 22 } as const;

/** Sizes the canvas to `box` (device pixels) and paints the scene over the frame drawn in it. */
export function paintAnnotations(canvas: HTMLCanvasElement, box: Size, frame: Size, scene: AnnotationScene): void {
	const dpr = window.devicePixelRatio || 1;
	const w = Math.round(box.width * dpr);
	const h = Math.round(box.height * dpr);
	if (canvas.width !== w || canvas.height !== h) {
		canvas.width = w;
		canvas.height = h;
	}
	const ctx = canvas.getContext('2d');
	if (!ctx) return;
	ctx.setTransform(1, 0, 0, 1, 0, 0);
	ctx.clearRect(0, 0, w, h);
	const rect = contentRect(box, frame);
	const { scroll, viewport, now, tab } = scene;
	if (!rect || viewport.width <= 0 || viewport.height <= 0) return;
	ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
	ctx.save();
	ctx.beginPath();
	ctx.rect(rect.x, rect.y, rect.width, rect.height);
	ctx.clip();
	const pxPerPage = (rect.width / viewport.width) * (scroll.scale || 1);
	const at = (px: number, py: number): [number, number] => {
		const [fx, fy] = toFrame(px, py, scroll, viewport);
		return [rect.x + fx * rect.width, rect.y + fy * rect.height];
	};
	ctx.lineCap = 'round';
	ctx.lineJoin = 'round';
	// NOTE: highlighters under pens, each in the order drawn.
	const strokes = [...scene.strokes].filter((s) => s.tab === tab && s.points.length > 0);
	strokes.sort((a, b) => (a.tool === b.tool ? 0 : a.tool === 'highlighter' ? -1 : 1));
	for (const s of strokes) {
		const opacity = strokeOpacity(s, now);
		if (opacity <= 0) continue;
		ctx.globalAlpha = (s.tool === 'highlighter' ? 0.38 : 1) * opacity;
		ctx.strokeStyle = COLORS[s.color];
		ctx.lineWidth = Math.max(1.5, WIDTH[s.tool] * pxPerPage);
		ctx.beginPath();
		const [x0, y0] = at(s.points[0][0], s.points[0][1]);
		ctx.moveTo(x0, y0);
		if (s.points.length === 1) ctx.lineTo(x0 + 0.01, y0);
		// NOTE: through the midpoints with the points as control points: smooth at any rate.
		for (let i = 1; i < s.points.length; i++) {
			const [cx, cy] = at(s.points[i - 1][0], s.points[i - 1][1]);
			const [nx, ny] = at(s.points[i][0], s.points[i][1]);
			if (i === 1) ctx.lineTo((cx + nx) / 2, (cy + ny) / 2);
			else ctx.quadraticCurveTo(cx, cy, (cx + nx) / 2, (cy + ny) / 2);
			if (i === s.points.length - 1) ctx.lineTo(nx, ny);
		}
		ctx.stroke();
	}
	ctx.globalAlpha = 1;
	for (const p of scene.pulses) {
		if (p.tab !== tab) continue;
		const age = (now - p.at) / PULSE_MS;
		if (age < 0 || age >= 1) continue;
		const [x, y] = at(p.x, p.y);
		for (const phase of [0, 0.3]) {
			const a = age - phase;
			if (a < 0 || a > 0.7) continue;
			const k = a / 0.7;
			ctx.globalAlpha = 1 - k;
			ctx.strokeStyle = '#f97316';
			ctx.lineWidth = 4;
			ctx.beginPath();
			ctx.arc(x, y, 8 + k * 46, 0, Math.PI * 2);
			ctx.stroke();
		}
		ctx.globalAlpha = 1;
		ctx.fillStyle = '#f97316';
		ctx.beginPath();
		ctx.arc(x, y, 6, 0, Math.PI * 2);
		ctx.fill();
	}
	ctx.restore();
}
