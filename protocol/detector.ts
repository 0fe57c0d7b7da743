/**
 * What the cloud browser's detector (publisher/page/detector.ts) shares with Node: the
 * masking rules' shape and the names and timings of its line to Node. No imports: the
 * detector is bundled into every document the cloud browser opens, so it must stay small.
 */
/** Built-in rules; each can be switched off per company. */
export const BUILTIN_RULES = [
	/** Password fields, also after a "show password" toggle made them text. */
	'passwords',
	/** Card number, expiry and security code fields, and card numbers anywhere (Luhn-checked). */
	'payment_cards',
	/** IBAN fields, and IBANs anywhere (mod-97-checked). */
	'iban',
	/** Tax code fields, and Italian tax codes anywhere (check character verified). */
	'tax_codes',
	/** One-time code fields. */
	'one_time_codes',
] as const;
export type BuiltinRule = (typeof BUILTIN_RULES)[number];

/**
 * Built-in lock rules: controls only the customer may activate. On unless switched off
 * (in `MaskRules.disabled`, like the masking ones).
 */
export const LOCK_RULES = [
	/** Buy, pay, order, checkout, subscribe ("Buy now", "Acquista ora", "Paga", "Invia ordine"). */
	'purchase',
	/** Accept, agree, confirm, authorize ("Accetta", "Conferma"). */
	'consent',
	/** Deleting or closing an account, cancelling a subscription. */
	'account_changes',
	/** Submitting a form that holds payment or password fields (what the masking rules name). */
	'sensitive_forms',
] as const;
export type LockRule = (typeof LOCK_RULES)[number];

/** Every built-in rule, masking and locking: each can be switched off per company. */
export const ALL_BUILTIN_RULES = [...BUILTIN_RULES, ...LOCK_RULES] as const;
export type AnyBuiltinRule = (typeof ALL_BUILTIN_RULES)[number];

/** How a company's own rule finds what to mask or lock. */
export const CUSTOM_RULE_KINDS = [
	/** A CSS selector: the elements it selects are masked whole (e.g. `#balance`, `canvas.signature`). */
	'selector',
	/** Fields whose label, name, id, placeholder or aria-label contains this word are masked. */
	'field',
	/** A regular expression (JavaScript syntax, matched without case) masked in text and values. */
	'pattern',
	/** A CSS selector: only the customer may activate the elements it selects (and what is inside them). */
	'lock',
	/** Words: only the customer may activate controls whose label holds them ("Renew", "Rinnova"). */
	'lock_label',
] as const;
export type CustomRuleKind = (typeof CUSTOM_RULE_KINDS)[number];

/** One of a company's own masking rules, as the detector gets it. */
export interface CustomRule {
	kind: CustomRuleKind;
	value: string;
	/** Host names the rule applies on (each with its subdomains); empty: every site. */
	domains: string[];
}

/** What the detector masks: built-in rules (minus those switched off) and the company's own. */
export interface MaskRules {
	/** Built-in rules (masking and locking) switched off. */
	disabled: AnyBuiltinRule[];
	custom: CustomRule[];
}

/** Whether a page's host is covered by a rule's domain (itself or a subdomain of it). */
export function hostMatches(host: string, domain: string): boolean {
	return host === domain || host.endsWith(`.${domain}`);
}

/**
 * Rules as delivered to the detector: each delivery has a higher `generation`, which the
 * detector puts in every state it reports. The compositor covers frames of states found
 * with older rules than the newest it was told of (a warm browser bound to a company, or
 * rules saved during a session): nothing the new rules hide shows meanwhile.
 */
export interface DetectorRules {
	rules: MaskRules;
	generation: number;
}


/**
 * Why an agent's input was refused: a built-in lock rule, one of the company's, a masked field (agents cannot type into,
 * select, drag out of or copy from one), or a part of the page the check cannot see into
 * (a cross-origin iframe or a closed shadow root: refused, failing closed).
 */
export type RefusalReason = LockRule | 'company_rule' | 'masked_field' | 'unseen';

/** What the agent tried, as the gateway and the guard name it. */
export type AttemptKind = 'click' | 'key' | 'text' | 'paste' | 'drag' | 'copy' | 'submit';

/** The detector's answer to the gateway's check of one agent input. */
export interface Verdict {
	refused?: RefusalReason;
	/** How long the check took in the page, ms (for the policy bench). */
	ms?: number;
	/**
	 * The point is in a part of the page this detector cannot see into (a cross-origin
	 * iframe, a closed shadow root), whose surroundings allow the input: Node hit-tests the
	 * point through CDP (`at`: CSS px of this document's viewport) and asks the detector of
	 * what it finds (`frame`: the point in the iframe's own viewport).
	 */
	descend?: { at: [number, number]; frame?: [number, number] };
	/** The focus is in a frame this detector cannot see into: its own detector must judge the key. */
	elsewhere?: boolean;
}

/** A refusal the in-page guard made by itself (sent through the report binding). */
export interface GuardRefusal {
	refusal: { reason: RefusalReason; kind: AttemptKind; input: number };
}

export const DEFAULT_RULES: MaskRules = { disabled: [], custom: [] };

/**
 * The longest the detector stays silent on a page with nothing to mask (it ticks every
 * frame on any other).
 */
export const TICK_MS = 50;

/** The isolated world the detector runs in, in every frame of the captured tab. */
export const DETECTOR_WORLD = 'alongside-detector';
/** The binding the detector reports through, present only in its world. */
export const DETECTOR_BINDING = '__alongsideMaskReport';
/** Marks the text layers of the PDF viewer (publisher/pdf.ts): matches there are masked by whole text item. */
export const PDF_TEXT_ATTRIBUTE = 'data-alongside-pdf-text';
/** Marks (in the page's DOM) the hosts of closed shadow roots, which the detector cannot enter: masked whole. */
export const CLOSED_SHADOW_ATTRIBUTE = 'data-alongside-closed-shadow';
