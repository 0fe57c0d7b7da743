/**
 * A session's chat: messages with their author, kept for the session (and its report),
 * limited in length and rate, and shown to each participant as its role may see them.
 * Pure logic: the session sends what it returns.
 */
import { hide } from '../publisher/dialogs.js';
import { luhnValid } from '../publisher/page/patterns.js';
import type { MaskRules } from '../protocol/masking.js';
import { CHAT_MAX_CHARS, type ChatMessage, type Role } from '../protocol/wire.js';

/** The most messages a session keeps in memory (the oldest go first from what joiners get; all stay in the store). */
export const MAX_CHAT_HISTORY = 500;
/** The most messages one session takes at all (then `limit_reached`): the store cannot be grown without end. */
export const MAX_CHAT_MESSAGES = 2000;
/** Messages one participant may send in a burst, and then one per this many ms. */
const CHAT_BURST = 6;
const CHAT_REFILL_MS = 1000;

/** A message as the session keeps it: the text as written, and who may read it. */
export interface KeptMessage {
	id: number;
	by: string;
	/** Who wrote it beyond one connection (a supervisor who rejoins still reads their notes). */
	actor: string;
	name: string;
	role: Role;
	text: string;
	at: number;
	/** A supervisor's note to the agent: nobody else reads it. */
	note?: boolean;
}

/**
 * Text as it is kept: NFC, without control or format characters (bidirectional overrides,
 * zero-width joiners) but with line breaks, at most two blank lines in a row, trimmed.
 * Undefined when nothing is left.
 */
export function normalizeChatText(text: string): string | undefined {
	const clean = text
		.normalize('NFC')
		.replace(/\r\n?/g, '\n')
		.replace(/[\p{Cc}\p{Cf}\p{Co}\p{Cs}]/gu, (c) => (c === '\n' ? c : c === '\t' ? ' ' : ''))
		.replace(/\n{3,}/g, '\n\n')
		.trim();
	return clean === '' ? undefined : clean;
}

export class Chat {
	readonly #messages: KeptMessage[] = [];
	readonly #budget = new Map<string, { tokens: number; at: number }>();
	readonly #now: () => number;
	#nextId = 1;

	constructor(now: () => number = Date.now) {
		this.#now = now;
	}

	/**
	 * Adds a message by participant `by`; undefined when it is empty once normalized.
	 * Throws nothing: the caller checks rights first, and {@link allow} for the rate.
	 */
	add(author: { id: string; actor: string; name: string; role: Role }, text: string, note = false): KeptMessage | undefined {
		const clean = normalizeChatText(text);
		if (clean === undefined) return undefined;
		this.#count++;
		const message: KeptMessage = {
			id: this.#nextId++,
			by: author.id,
			actor: author.actor,
			name: author.name,
			role: author.role,
			text: [...clean].slice(0, CHAT_MAX_CHARS).join(''),
			at: this.#now(),
			...(note ? { note } : {}),
		};
		this.#messages.push(message);
		if (this.#messages.length > MAX_CHAT_HISTORY) this.#messages.shift();
		return message;
	}

	/** Whether the session takes more messages at all (see {@link MAX_CHAT_MESSAGES}). */
	get full(): boolean {
		return this.#count >= MAX_CHAT_MESSAGES;
	}

	#count = 0;

	/** Whether `by` (an actor: budgets outlive a rejoin) may send a message now (takes one from its budget). */
	allow(by: string): boolean {
		const now = this.#now();
		const b = this.#budget.get(by) ?? { tokens: CHAT_BURST, at: now };
		b.tokens = Math.min(CHAT_BURST, b.tokens + (now - b.at) / CHAT_REFILL_MS);
		b.at = now;
		this.#budget.set(by, b);
		if (b.tokens < 1) return false;
		b.tokens -= 1;
		return true;
	}

	/** Every message kept, oldest first (for the report). */
	get messages(): readonly KeptMessage[] {
		return this.#messages;
	}

	/** The messages a participant may read, as it is shown them. */
	historyFor(viewer: { id: string; actor: string; role: Role }, rules: MaskRules): ChatMessage[] {
		return this.#messages.filter((m) => readable(m, viewer)).map((m) => viewOf(m, viewer.role, rules));
	}
}

/** Whether a viewer reads a message: notes reach the agent (and the supervisor who wrote them). */
export function readable(message: KeptMessage, viewer: { actor: string; role: Role }): boolean {
	return !message.note || viewer.role === 'agent' || viewer.actor === message.actor;
}

/**
 * Card numbers written however a person writes them in a chat: 13 to 19 digits (any
 * script's digits) with anything but letters between them, Luhn-valid. The page patterns
 * allow one space, dash or dot between digits; a chat is free text ("4111/1111/…",
 * "4111 - 1111 - …", full-width digits).
 */
const LOOSE_DIGITS = /\p{Nd}(?:[^\p{L}\p{Nd}\n]{0,3}\p{Nd}){12,30}/gu;

/** `text` with loosely written card numbers replaced (see {@link LOOSE_DIGITS}). */
export function hideLooseCards(text: string): string {
	return text.replace(LOOSE_DIGITS, (run) => {
		const digits = [...run].filter((c) => /\p{Nd}/u.test(c)).map((c) => String(digitValue(c)));
		// NOTE: every window of 13 to 19 digits is tried: a card may sit inside a longer run.
		for (let len = 19; len >= 13; len--) {
			for (let i = 0; i + len <= digits.length; i++) {
				if (luhnValid(digits.slice(i, i + len).join(''))) return '••••';
			}
		}
		return run;
	});
}

/**
 * A decimal digit's value in any script (Arabic-Indic, Devanagari…): Unicode lays out each
 * script's digits as ten in a row from zero, so it is how many digits precede it, mod 10.
 */
function digitValue(c: string): number {
	const code = c.codePointAt(0)!;
	let before = 0;
	while (before < 50 && /\p{Nd}/u.test(String.fromCodePoint(code - before - 1))) before++;
	return before % 10;
}

/**
 * A message as a role is shown it. Agents and supervisors never read what masking hides
 * (a customer typing their card number into the chat): it is replaced, and the message says
 * so to everyone (the customer knows the agent did not get it).
 */
export function viewOf(message: KeptMessage, role: Role, rules: MaskRules): ChatMessage {
	// NOTE: read as NFKC (full-width digits are digits); shown as written unless something was hidden.
	const normalized = message.text.normalize('NFKC');
	const hiddenNfkc = hideLooseCards(hide(normalized, rules));
	const masked = hiddenNfkc !== normalized;
	const hidden = masked ? hiddenNfkc : message.text;
	const { id, by, name, role: from, at, note } = message;
	return { id, by, name, role: from, at, text: role === 'customer' ? message.text : hidden, ...(masked ? { masked } : {}), ...(note ? { note } : {}) };
}
