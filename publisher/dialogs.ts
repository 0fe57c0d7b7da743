/**
 * The page's own dialogs (`alert`, `confirm`, `prompt`, "leave this page?"): Chromium draws
 * them outside the page, so the capture never shows them, and the page is frozen until one
 * is answered. The session shows each to the people in it and takes their answer. What each
 * sees and may answer follows the same rules as the page itself (the policy gateway's):
 * agents and supervisors never see what masking hides, and only the customer may accept
 * a dialog that asks to buy, pay, confirm or delete.
 */
import type { MaskRules } from '../protocol/detector.js';
import { LOCK_RULES } from '../protocol/detector.js';
import type { DialogType, DialogView, Role } from '../protocol/wire.js';
import { LOCK_PHRASES, labelWords } from './page/locks.js';
import { findSensitiveText } from './page/patterns.js';

/** A dialog the page opened. */
export interface PageDialog {
	/** Numbers the dialogs of one browser: an answer names the one it is for. */
	id: number;
	type: DialogType;
	message: string;
	/** A prompt's default text. */
	defaultValue: string;
}

/** The longest message shown; a page may write a novel. */
export const MAX_DIALOG_TEXT = 2000;

const HIDDEN = '••••';

/**
 * What a participant is shown of a dialog, and how they may answer it: the customer all of
 * it; agents and supervisors the message with what masking hides replaced by dots (and no
 * prompt text that holds any). Agents with control may answer, but only dismiss (Cancel,
 * Stay) a dialog whose message falls under a lock rule; supervisors, and agents without
 * control, watch.
 */
export function dialogView(dialog: PageDialog, role: Role, canControl: boolean, rules: MaskRules): DialogView {
	const base = { id: dialog.id, type: dialog.type };
	const message = dialog.message.slice(0, MAX_DIALOG_TEXT);
	if (role === 'customer') return { ...base, message, defaultValue: dialog.defaultValue.slice(0, MAX_DIALOG_TEXT), answer: 'any' };
	const shown = { ...base, message: hide(message, rules), defaultValue: hidden(dialog.defaultValue, rules) ? '' : dialog.defaultValue.slice(0, MAX_DIALOG_TEXT) };
	if (role !== 'agent' || !canControl) return { ...shown, answer: 'none' };
	// NOTE: an alert has nothing to accept; for the rest, accepting may be the purchase itself.
	return { ...shown, answer: dialog.type !== 'alert' && locks(message, rules) ? 'dismiss' : 'any' };
}

/** Whether `accept` is an answer this participant may give (see {@link dialogView}). */
export function mayAnswer(view: DialogView, accept: boolean): boolean {
	return view.answer === 'any' || (view.answer === 'dismiss' && !accept);
}

/** The message with every value masking hides (built-in patterns, the company's own) replaced. */
export function hide(text: string, rules: MaskRules): string {
	let out = text;
	const matches = [...findSensitiveText(text), ...patternMatches(text, rules)].sort((a, b) => b.start - a.start);
	let end = Number.POSITIVE_INFINITY;
	for (const match of matches) {
		// NOTE: overlapping matches, from the end: each span replaced once.
		const stop = Math.min(match.end, end);
		if (stop <= match.start) continue;
		out = out.slice(0, match.start) + HIDDEN + out.slice(stop);
		end = match.start;
	}
	return out;
}

function hidden(text: string, rules: MaskRules): boolean {
	return hide(text, rules) !== text;
}

/** Where the company's own text patterns match (the detector's rule: JavaScript syntax, no case). */
function patternMatches(text: string, rules: MaskRules): Array<{ start: number; end: number }> {
	const found: Array<{ start: number; end: number }> = [];
	for (const rule of rules.custom) {
		if (rule.kind !== 'pattern') continue;
		let pattern: RegExp;
		try {
			pattern = new RegExp(rule.value, 'giu');
		} catch {
			// NOTE: a pattern that does not compile hides everything (fail closed).
			return [{ start: 0, end: text.length }];
		}
		for (const m of text.matchAll(pattern)) if (m[0].length > 0) found.push({ start: m.index, end: m.index + m[0].length });
	}
	return found;
}

/** Whether a message falls under a lock rule: a built-in one's phrases, or the company's own words, anywhere in it. */
function locks(message: string, rules: MaskRules): boolean {
	const words = ` ${labelWords(message)} `;
	for (const rule of LOCK_RULES) {
		if (rule === 'sensitive_forms' || rules.disabled.includes(rule)) continue;
		if (LOCK_PHRASES[rule].some((phrase) => words.includes(` ${phrase} `))) return true;
	}
	return rules.custom.some((rule) => rule.kind === 'lock_label' && labelWords(rule.value) !== '' && words.includes(` ${labelWords(rule.value)} `));
}
