/**
 * Button locking, the page side: which controls only the customer may activate, found by
 * what they say (text, value, accessible name) and where they are (a form that holds
 * payment or password fields). Used by the detector (detector.ts) for the gateway's check
 * before an agent's input is sent, and by its guard, which cancels in the page what the
 * check could not see (implicit submission, a label's click, a control that moved).
 *
 * No DOM types beyond what every realm shares: nodes of a same-origin iframe come from
 * another realm, so no `instanceof`.
 */
import type { LockRule } from '../../protocol/detector.js';

/**
 * Phrases (lower case, words separated by single spaces, no accents or punctuation) that
 * lock a control whose label holds them as whole words, per built-in rule. English and
 * Italian. NOTE: no bare "sign" ("Sign in") nor "ordina" ("Ordina per prezzo" sorts).
 */
export const LOCK_PHRASES: Record<Exclude<LockRule, 'sensitive_forms'>, string[]> = {
	purchase: [
		'buy', 'buy now', 'purchase', 'pay', 'pay now', 'payment', 'place order', 'place your order', 'order now', 'submit order', 'complete order', 'complete purchase', 'checkout', 'check out', 'proceed to checkout', 'send money', 'transfer money', 'subscribe',
		'acquista', 'acquista ora', 'compra', 'compra ora', 'paga', 'paga ora', 'pagamento', 'invia ordine', 'conferma ordine', 'completa l ordine', 'completa ordine', 'ordina ora', 'procedi all acquisto', 'invia bonifico', 'abbonati',
	],
	consent: [
		'accept', 'accept all', 'i accept', 'agree', 'i agree', 'agree to', 'confirm', 'authorize', 'authorise', 'sign contract', 'sign and accept',
		'accetta', 'accetto', 'accetta tutto', 'accetta tutti', 'acconsento', 'conferma', 'autorizza', 'firma contratto', 'firma e accetta',
	],
	account_changes: [
		'delete account', 'delete my account', 'close account', 'close my account', 'deactivate account', 'cancel subscription', 'unsubscribe',
		'elimina account', 'elimina il mio account', 'chiudi conto', 'chiudi il conto', 'disattiva account', 'annulla abbonamento', 'disdici',
	],
};

/** Words of a label, normalized: lower case, accents and punctuation gone, single spaces. */
export function labelWords(label: string): string {
	return label
		.normalize('NFKD')
		// NOTE: accents, and invisible format characters (zero-width spaces and joiners) that
		// would split a word for this match but not for the reader.
		.replace(/[\u0300-\u036f\p{Cf}]/gu, '')
		.toLowerCase()
		.replace(/[^a-z0-9]+/g, ' ')
		.trim();
}

/**
 * The built-in rule a control's label falls under, if any: a phrase of the rule appears in
 * it as whole words ("Buy now" and "Buy now for €9" lock; "Buyer's guide" does not).
 * Long labels (over {@link MAX_LABEL} characters) are prose, not a button's: they do not lock.
 */
export function lockedLabel(label: string, rules: ReadonlySet<string>): LockRule | undefined {
	if (label.length > MAX_LABEL) return undefined;
	const words = ` ${labelWords(label)} `;
	if (words.trim() === '') return undefined;
	for (const [rule, phrases] of Object.entries(LOCK_PHRASES) as Array<[LockRule, string[]]>) {
		if (!rules.has(rule)) continue;
		if (phrases.some((phrase) => words.includes(` ${phrase} `))) return rule;
	}
	return undefined;
}

/** The longest text that is a control's label; longer is prose (each part of a label apart). */
export const MAX_LABEL = 100;

/** Elements a pointer can activate, by tag, besides those with an activating role. */
const ACTIVATABLE = new Set(['BUTTON', 'A', 'INPUT', 'SUMMARY', 'LABEL', 'SELECT', 'OPTION', 'AREA']);
const ACTIVATING_ROLES = new Set(['button', 'link', 'menuitem', 'menuitemcheckbox', 'menuitemradio', 'checkbox', 'radio', 'switch', 'tab', 'option']);

/** Whether an element is a control whose activation the locks judge. */
export function isControl(el: Element): boolean {
	if (ACTIVATABLE.has(el.tagName)) return true;
	const role = el.getAttribute('role');
	if (role && ACTIVATING_ROLES.has(role.toLowerCase())) return true;
	return el.hasAttribute('onclick');
}

/**
 * What a control says, part by part (each is judged on its own, so that a long title does
 * not hide a short "Buy now"): its value (buttons made of inputs), its labels, accessible
 * name, title, text, and the alternative text of images in it.
 */
export function labelParts(el: Element): string[] {
	const parts: string[] = [];
	if (el.tagName === 'INPUT') {
		const type = (el.getAttribute('type') ?? '').toLowerCase();
		if (type === 'submit' || type === 'button' || type === 'reset') parts.push((el as HTMLInputElement).value || (type === 'submit' ? 'submit' : ''));
		if (type === 'image') parts.push(el.getAttribute('alt') ?? '');
	}
	// NOTE: a checkbox or radio says what its <label> says ("I accept the terms").
	const labels = (el as HTMLInputElement).labels;
	if (labels) for (const label of labels) parts.push(label.textContent ?? '');
	parts.push(el.getAttribute('aria-label') ?? '');
	const labelledBy = el.getAttribute('aria-labelledby');
	if (labelledBy) {
		const root = el.getRootNode() as Document | ShadowRoot;
		for (const id of labelledBy.split(/\s+/)) parts.push(root.getElementById?.(id)?.textContent ?? '');
	}
	parts.push(el.getAttribute('title') ?? '');
	if (el.tagName !== 'INPUT' && el.tagName !== 'SELECT') {
		// NOTE: only a short text is read (a container's whole page text is not a label);
		// its rendered form (innerText, which lays out) only when it is short.
		const raw = el.textContent ?? '';
		if (raw.length <= MAX_LABEL * 4) parts.push((el as HTMLElement).innerText ?? raw);
		for (const img of el.querySelectorAll('img[alt], [aria-label]')) {
			parts.push(img.getAttribute('alt') ?? '', img.getAttribute('aria-label') ?? '');
			if (parts.length > 24) break;
		}
	}
	return parts.map((part) => part.trim()).filter(Boolean);
}

/** Whether a control submits its form when activated (a submit button or image input). */
export function isSubmitter(el: Element): boolean {
	// NOTE: the parsed type: `type="submit "` or an unknown type is a submit button too.
	const type = String((el as HTMLButtonElement).type ?? '').toLowerCase();
	if (el.tagName === 'BUTTON') return type === 'submit';
	if (el.tagName === 'INPUT') return type === 'submit' || type === 'image';
	return false;
}

/** The form a control belongs to (its `form=` attribute included). */
export function formOf(el: Element): HTMLFormElement | null {
	const form = (el as HTMLButtonElement).form;
	return form && form.tagName === 'FORM' ? form : null;
}

/** A form's default button: the first submit button in tree order (implicit submission presses it). */
export function defaultButton(form: HTMLFormElement): Element | undefined {
	for (const el of form.elements) if (isSubmitter(el)) return el;
	return undefined;
}

/**
 * The element's composed ancestors, itself first: through shadow roots to their hosts,
 * and (when `frames` is given) from a same-origin iframe's document to the iframe.
 */
export function composedAncestors(node: Node, frameElement: (doc: Document) => Element | null): Element[] {
	const out: Element[] = [];
	let current: Node | null = node.nodeType === Node.ELEMENT_NODE ? node : node.parentNode;
	while (current) {
		if (current.nodeType === Node.ELEMENT_NODE) {
			out.push(current as Element);
			current = current.parentNode;
		} else if (current.nodeType === Node.DOCUMENT_FRAGMENT_NODE && (current as ShadowRoot).host) {
			current = (current as ShadowRoot).host;
		} else if (current.nodeType === Node.DOCUMENT_NODE) {
			current = frameElement(current as Document);
		} else {
			current = current.parentNode;
		}
	}
	return out;
}
