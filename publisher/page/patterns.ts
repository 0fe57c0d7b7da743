/**
 * Validated patterns of sensitive values, for the detector (input values and page text):
 * payment card numbers (Luhn), IBANs (ISO 13616 mod-97) and Italian tax codes (codice
 * fiscale, with its check character). Validation is what keeps masking from covering every
 * long number on a page: a random 16-digit number passes Luhn one time in ten, a random
 * IBAN-shaped string passes mod-97 about one time in a hundred.
 *
 * No DOM; runs in the cloud browser's detector and in Node's tests.
 */

export type PatternKind = 'card' | 'iban' | 'tax_code';

export interface Match {
	kind: PatternKind;
	/** Offsets in the scanned text: [start, end). */
	start: number;
	end: number;
}

// NOTE: separators are single spaces, dashes or dots between digits (how cards are printed
// and typed), or nothing; 13 to 19 digits.
const CARD = /(?<![0-9])[0-9](?:[ \-.\u00a0]?[0-9]){12,}(?![0-9])/g;
// Two letters, two check digits, then 11 to 30 letters or digits, in groups of any size
// separated by single spaces.
const IBAN = /(?<![A-Za-z0-9])[A-Za-z]{2}[0-9]{2}(?:[ \u00a0]?[A-Za-z0-9]){11,}(?![A-Za-z0-9])/g;
// Omocodia: any digit may be replaced by the letters L M N P Q R S T U V.
const TAX_CODE = /(?<![A-Za-z0-9])[A-Za-z]{6}[0-9LMNPQRSTUVlmnpqrstuv]{2}[ABCDEHLMPRSTabcdehlmprst][0-9LMNPQRSTUVlmnpqrstuv]{2}[A-Za-z][0-9LMNPQRSTUVlmnpqrstuv]{3}[A-Za-z](?![A-Za-z0-9])/g;

/** Whether a digit string passes the Luhn check. */
export function luhnValid(digits: string): boolean {
	let sum = 0;
	let double = false;
	for (let i = digits.length - 1; i >= 0; i--) {
		let d = digits.charCodeAt(i) - 48;
		if (d < 0 || d > 9) return false;
		if (double) {
			d *= 2;
			if (d > 9) d -= 9;
		}
		sum += d;
		double = !double;
	}
	return digits.length > 0 && sum % 10 === 0;
}

/** Whether a card number (separators allowed) is 13–19 digits and passes Luhn. */
export function cardValid(text: string): boolean {
	const digits = text.replace(/[ \-.\u00a0]/g, '');
	return /^[0-9]{13,19}$/.test(digits) && luhnValid(digits) && !/^0+$/.test(digits);
}

/** Whether an IBAN (spaces allowed, any case) passes ISO 13616's mod-97 check. */
export function ibanValid(text: string): boolean {
	const iban = text.replace(/[ \u00a0]/g, '').toUpperCase();
	if (!/^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$/.test(iban)) return false;
	const rearranged = iban.slice(4) + iban.slice(0, 4);
	let remainder = 0;
	for (const char of rearranged) {
		const code = char.charCodeAt(0);
		const value = code >= 65 ? String(code - 55) : char;
		for (const digit of value) remainder = (remainder * 10 + (digit.charCodeAt(0) - 48)) % 97;
	}
	return remainder === 1;
}

// Values of the characters in odd (1st, 3rd, …) positions of a codice fiscale.
const ODD = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23];

/** Whether an Italian tax code (codice fiscale, 16 characters) has the right check character. */
export function taxCodeValid(text: string): boolean {
	const code = text.toUpperCase();
	if (code.length !== 16 || !/^[A-Z0-9]{16}$/.test(code)) return false;
	let sum = 0;
	for (let i = 0; i < 15; i++) {
		const char = code.charCodeAt(i);
		// Digits count as the letter at the same index (0 as A, 1 as B…).
		const index = char <= 57 ? char - 48 : char - 65;
		sum += i % 2 === 0 ? ODD[index]! : index;
	}
	return code.charCodeAt(15) - 65 === sum % 26;
}

/**
 * Candidate runs: maximal stretches of groups with single separators between them. The
 * value may be only part of a run ("4111 1111 1111 1111 2024" holds a card and a year),
 * so spans that start and end on group boundaries are tried.
 */
const CHECKS: ReadonlyArray<{ kind: PatternKind; run: RegExp; valid: (text: string) => boolean; anchored: boolean }> = [
	{ kind: 'card', run: CARD, valid: cardValid, anchored: false },
	// An IBAN starts with its country code: the run's start is fixed.
	{ kind: 'iban', run: IBAN, valid: ibanValid, anchored: false },
	{ kind: 'tax_code', run: TAX_CODE, valid: taxCodeValid, anchored: true },
];

/** Every validated sensitive value in `text`, in order of position. */
export function findSensitive(text: string): Match[] {
	const found: Match[] = [];
	for (const { kind, run, valid, anchored } of CHECKS) {
		run.lastIndex = 0;
		for (const m of text.matchAll(run)) {
			for (const [start, end] of validSpans(m[0], valid, anchored)) found.push({ kind, start: m.index + start, end: m.index + end });
		}
	}
	return found.sort((a, b) => a.start - b.start);
}

/** The longest a value with its separators can be (a 34-character IBAN in groups of one). */
const MAX_SPAN = 68;

/**
 * The valid spans of `run` that start and end on group boundaries, longest first and not
 * overlapping. An anchored value (IBAN, tax code) starts a run.
 */
function validSpans(run: string, valid: (text: string) => boolean, anchored: boolean): Array<[number, number]> {
	if (valid(run)) return [[0, run.length]];
	const starts = [0];
	const ends: number[] = [];
	for (let i = 0; i < run.length; i++) {
		if (SEPARATOR.test(run[i]!)) {
			ends.push(i);
			starts.push(i + 1);
		}
	}
	ends.push(run.length);
	const spans: Array<[number, number]> = [];
	for (const start of anchored ? [0] : starts) {
		let longest: [number, number] | undefined;
		for (const end of ends) {
			if (end <= start) continue;
			if (end - start > MAX_SPAN) break;
			if (valid(run.slice(start, end))) longest = [start, end];
		}
		if (longest) spans.push(longest);
	}
	spans.sort((a, b) => b[1] - b[0] - (a[1] - a[0]));
	const chosen: Array<[number, number]> = [];
	for (const span of spans) if (!chosen.some(([s, e]) => span[0] < e && s < span[1])) chosen.push(span);
	return chosen;
}

const SEPARATOR = /[ \-.\u00a0]/;

/** Whether `text` contains any validated sensitive value. */
export function hasSensitive(text: string): boolean {
	return findSensitive(text).length > 0;
}

/**
 * Whether a value someone is typing may be becoming a sensitive one: seven or more digits
 * in a run (more than a card's first six, which may be shown), the start of an IBAN, or of
 * a tax code. Used on input values, which are masked before they are complete.
 */
export function partialValue(value: string): boolean {
	return PARTIAL_DIGITS.test(value) || PARTIAL_IBAN.test(value) || PARTIAL_TAX_CODE.test(value);
}

const PARTIAL_DIGITS = /[0-9](?:[ \-.\u00a0]?[0-9]){6}/;
const PARTIAL_IBAN = /(?<![A-Za-z0-9])[A-Za-z]{2}[0-9]{2}[ \u00a0]?[A-Za-z0-9]{4}/;
const PARTIAL_TAX_CODE = /(?<![A-Za-z0-9])[A-Za-z]{6}[0-9LMNPQRSTUVlmnpqrstuv]{2}/;

/**
 * Card numbers printed while they are typed (a checkout's card preview echoing the field):
 * groups of four digits, seven digits or more in all (more than the first six, which may
 * be shown).
 */
const PARTIAL_CARD_TEXT = /(?<![0-9])[0-9]{4}([ \-\u00a0])[0-9]{3,4}(?:\1[0-9]{1,4}){0,3}(?![0-9])/g;

/** {@link findSensitive}, plus card numbers being printed as they are typed. */
export function findSensitiveText(text: string): Match[] {
	const found = findSensitive(text);
	PARTIAL_CARD_TEXT.lastIndex = 0;
	for (const m of text.matchAll(PARTIAL_CARD_TEXT)) {
		const [start, end] = [m.index, m.index + m[0].length];
		if (!found.some((f) => start < f.end && f.start < end)) found.push({ kind: 'card', start, end });
	}
	return found.sort((a, b) => a.start - b.start);
}
