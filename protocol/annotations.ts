/**
 * Annotations: strokes drawn over the shared view, and "look here" pulses.
 *
 * A viewer who may annotate opens one more data channel (label {@link ANNOTATE_CHANNEL_LABEL},
 * reliable and ordered: a lost point would break a stroke) and sends {@link AnnotateMessage}s
 * on it. The server checks each against the sender's rights and the limits below, keeps the
 * strokes that are still shown, and fans each out to every viewer as an
 * {@link AnnotationMessage} on the server's annotation channel (also reliable and ordered).
 * Drawing never reaches the cloud browser: nothing here is input to the page.
 *
 * Points are in the page's CSS pixels (the document's coordinates, scroll included) of the
 * tab they were drawn on, so a stroke stays on what it marks when the page scrolls; the
 * viewer converts with the scroll position of `page/scroll`.
 */
import { z } from 'zod';

/** Label of the viewer's annotation channel (viewer → server). */
export const ANNOTATE_CHANNEL_LABEL = 'annotate';
/** Label of the server's annotation channel (server → viewers). */
export const ANNOTATIONS_CHANNEL_LABEL = 'annotations';

/** The colours one draws with (named, so a hostile sender cannot paint with the page's own colours). */
export const COLORS = { red: '#e11d48', orange: '#ea580c', yellow: '#facc15', green: '#16a34a', blue: '#2563eb', purple: '#9333ea' } as const;
export const Color = z.enum(['red', 'orange', 'yellow', 'green', 'blue', 'purple']);
export type Color = z.infer<typeof Color>;

export const Tool = z.enum(['pen', 'highlighter']);
export type Tool = z.infer<typeof Tool>;

/** How long a highlighter stroke stays once drawn, then fades out (ms). */
export const HIGHLIGHT_MS = 3000;
/** How long the fade at the end of a highlighter stroke's life takes (ms). */
export const HIGHLIGHT_FADE_MS = 800;
/** How long a "look here" pulse shows (ms). */
export const PULSE_MS = 1600;

/** The most strokes the session keeps shown at once; the oldest pen stroke goes first. */
export const MAX_STROKES = 200;
/** The most points one stroke holds; points beyond are dropped (the stroke ends there). */
export const MAX_POINTS_PER_STROKE = 4000;
/**
 * The most points all strokes shown hold together (what a joining viewer is sent, and what
 * a session keeps in memory): past it, the oldest finished strokes go first.
 */
export const MAX_POINTS_TOTAL = 60_000;
/** The most points one message carries (a viewer batches a frame's points). */
export const MAX_POINTS_PER_MESSAGE = 32;
/** Messages one participant may send per second, sustained (60 Hz drawing needs 60; bursts of twice that pass). */
export const ANNOTATE_RATE_PER_S = 90;

/** A page coordinate, CSS px (documents are rarely taller than a few hundred thousand px). */
const Coord = z.number().finite().min(-1_000_000).max(1_000_000);
const Point = z.tuple([Coord, Coord]);
const Points = z.array(Point).min(1).max(MAX_POINTS_PER_MESSAGE);
/** The sender's own number for a stroke (unique per sender while the stroke is shown). */
const StrokeId = z.number().int().min(0).max(0xffffffff);
const TabId = z.string().min(1).max(16);

/** What a viewer sends on its annotation channel. */
export const AnnotateMessage = z.discriminatedUnion('type', [
	/** A stroke begins, on tab `tab`, with its first points. */
	z.object({ type: z.literal('annotate/start'), stroke: StrokeId, tab: TabId, tool: Tool, color: Color, points: Points }).strict(),
	/** More points of a stroke being drawn. */
	z.object({ type: z.literal('annotate/points'), stroke: StrokeId, points: Points }).strict(),
	/** The pointer was lifted: the stroke is complete (a highlighter's starts fading). */
	z.object({ type: z.literal('annotate/end'), stroke: StrokeId }).strict(),
	/** Removes the sender's newest stroke. */
	z.object({ type: z.literal('annotate/undo') }).strict(),
	/** Removes the sender's strokes (`mine`), or everyone's (`all`: agents only). */
	z.object({ type: z.literal('annotate/clear'), scope: z.enum(['mine', 'all']) }).strict(),
	/** "Look here": a pulse at a point of the page. */
	z.object({ type: z.literal('annotate/pulse'), tab: TabId, x: Coord, y: Coord }).strict(),
]);
export type AnnotateMessage = z.infer<typeof AnnotateMessage>;

/** A stroke as the server keeps and shows it. */
export interface Stroke {
	/** The participant who drew it. */
	by: string;
	stroke: number;
	tab: string;
	tool: Tool;
	color: Color;
	points: Array<[number, number]>;
	/** Whether the pointer was lifted. */
	done: boolean;
	/** When a highlighter stroke was lifted (server clock, ms); it fades {@link HIGHLIGHT_MS} later. */
	endedAt?: number;
}

/** What the server fans out on its annotation channel. */
export type AnnotationMessage =
	| { type: 'annotation/start'; by: string; stroke: number; tab: string; tool: Tool; color: Color; points: Array<[number, number]> }
	| { type: 'annotation/points'; by: string; stroke: number; points: Array<[number, number]> }
	| { type: 'annotation/end'; by: string; stroke: number }
	/** Strokes removed (undo, clear, the oldest making room, a highlighter's time up). */
	| { type: 'annotation/remove'; strokes: Array<{ by: string; stroke: number }> }
	| { type: 'annotation/pulse'; by: string; tab: string; x: number; y: number };
