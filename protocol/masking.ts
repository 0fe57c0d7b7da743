/**
 * Masking: the schemas of what the detector reports and of the rules, for Node. The rule
 * shapes and the detector's constants are in protocol/detector.ts (bundled into the
 * cloud browser, so kept free of zod).
 */
import { z } from 'zod';
import { LOCK_RULES } from './detector.js';

export * from './detector.js';

/** A box in CSS pixels of the viewport: x, y, width, height. */
const Box = z.tuple([z.number().finite(), z.number().finite(), z.number().finite().nonnegative(), z.number().finite().nonnegative()]);

/**
 * What the detector reports (a JSON string through its binding): a new state (`boxes`
 * set), or a tick saying the state `tag` still holds at `at` (after input, and at least
 * every {@link TICK_MS}).
 */
export const DetectorReport = z.object({
	doc: z.string().min(1).max(64),
	tag: z.number().int().min(0).max(0xffff),
	at: z.number().finite(),
	/** The newest input (its number) the detector had been told of when it measured. */
	input: z.number().int().nonnegative().optional(),
	/** The rules generation the state was found with (see DetectorRules); absent on ticks. */
	rules: z.number().int().nonnegative().optional(),
	boxes: z.array(Box).max(2000).optional(),
	viewport: z.object({ width: z.number().int().positive().max(10_000), height: z.number().int().positive().max(10_000) }).optional(),
	/** Part of the page could not be scanned yet (e.g. still loading): cover it all. */
	incomplete: z.boolean().optional(),
	/**
	 * Nothing on the page is masked or could be (no sensitive field, text, frame or plugin):
	 * anything sensitive that appears is a DOM change, which makes a new state in the same
	 * frame. Frames of a clean state need not wait for the detector's next frame.
	 */
	clean: z.boolean().optional(),
	/** Why the scan failed (the state is incomplete). The detector's own message, no page content. */
	error: z.string().max(200).optional(),
});
export type DetectorReport = z.infer<typeof DetectorReport>;


const Reason = z.enum([...LOCK_RULES, 'company_rule', 'masked_field', 'unseen']);
const Kind = z.enum(['click', 'key', 'text', 'paste', 'drag', 'copy', 'submit']);

/** The detector's answer to the gateway's check (a JSON string). */
const Point = z.tuple([z.number().finite(), z.number().finite()]);
export const Verdict = z.object({
	refused: Reason.optional(),
	ms: z.number().nonnegative().optional(),
	descend: z.object({ at: Point, frame: Point.optional() }).optional(),
	elsewhere: z.boolean().optional(),
});
export type Verdict = z.infer<typeof Verdict>;

/** Where locked controls are (the rules preview's outlines), through the report binding. */
export const LockRegions = z.object({ locks: z.object({ boxes: z.array(Box).max(300), viewport: z.object({ width: z.number().int().positive().max(10_000), height: z.number().int().positive().max(10_000) }) }) });
export type LockRegions = z.infer<typeof LockRegions>;

/** A refusal the guard made by itself, through the report binding. */
export const GuardRefusal = z.object({ refusal: z.object({ reason: Reason, kind: Kind, input: z.number().int().nonnegative() }) });
export type GuardRefusal = z.infer<typeof GuardRefusal>;

/** The kinds of browser-drawn picker the detector reports. */
export const PickerKind = z.enum(['select', 'date', 'time', 'datetime-local', 'month', 'week', 'color']);
export type PickerKind = z.infer<typeof PickerKind>;

/**
 * A picker the page was about to open (a select's list, a date or colour picker: Chromium
 * draws them outside the page, the capture never shows them), through the report binding.
 * `masked`: the field is one masking hides; `locked`: a lock rule keeps agents from it.
 */
export const PickerReport = z.object({
	picker: z.object({
		id: z.number().int().positive(),
		kind: PickerKind,
		label: z.string().max(300),
		masked: z.boolean(),
		locked: z.boolean(),
		options: z.array(z.object({ label: z.string().max(300), disabled: z.boolean(), group: z.string().max(300).optional() })).max(1000).optional(),
		selected: z.number().int().min(-1).optional(),
		value: z.string().max(100).optional(),
		min: z.string().max(100).optional(),
		max: z.string().max(100).optional(),
		step: z.string().max(100).optional(),
	}),
});
export type PickerReport = z.infer<typeof PickerReport>;

/** Whether the focus in the page is in a field one types into, and the keyboard that suits it. */
export const FocusReport = z.object({ focus: z.object({ editable: z.boolean(), inputMode: z.enum(['text', 'email', 'tel', 'url', 'search', 'decimal', 'numeric', 'none']).catch('text') }) });
export type FocusReport = z.infer<typeof FocusReport>;

/** Where the top document is scrolled (visual viewport, document CSS px) and its pinch zoom, through the report binding. */
export const ScrollReport = z.object({ scroll: z.object({ x: z.number().finite(), y: z.number().finite(), scale: z.number().finite().positive().max(20) }) });
export type ScrollReport = z.infer<typeof ScrollReport>;
