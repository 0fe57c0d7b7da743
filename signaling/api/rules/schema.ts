/**
 * /api/company/rules: a company's masking rules. Read by the admin page (and supervisors);
 * saved whole by admins, with the version they loaded (a save over someone else's is a
 * 409). Each rule is checked for what makes it work in a cloud browser (check.ts): a rule
 * that would select nothing is refused with the reason, never kept as a silent no-op.
 */
import { z } from 'zod';
import { ALL_BUILTIN_RULES, CUSTOM_RULE_KINDS, type MaskRules } from '../../../protocol/detector.js';
import type { CompanyRules } from '../../store/Store.js';
import { fieldWordProblem, normalizeDomain, patternProblem, selectorProblem } from './check.js';

/** The most rules a company may have (each runs over every page in every session). */
export const MAX_MASK_RULES = 100;
/** The longest value of each kind of rule. */
const MAX_VALUE: Record<(typeof CUSTOM_RULE_KINDS)[number], number> = { selector: 500, field: 60, pattern: 200, lock: 500, lock_label: 60 };
const PROBLEM: Record<(typeof CUSTOM_RULE_KINDS)[number], (value: string) => string | undefined> = {
	selector: selectorProblem,
	field: fieldWordProblem,
	pattern: patternProblem,
	lock: selectorProblem,
	lock_label: fieldWordProblem,
};

export const RuleId = z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, 'must be 1–32 letters, digits, "-" or "_"');

export const MaskRuleInput = z
	.object({
		/** Kept when given (an existing rule); a new rule gets one. */
		id: RuleId.optional(),
		kind: z.enum(CUSTOM_RULE_KINDS),
		value: z.string().trim().min(1),
		domains: z.array(z.string().max(300)).max(50).default([]),
		note: z.string().trim().max(200).nullable().default(null),
	})
	.strict()
	.transform((rule, ctx) => {
		if (rule.value.length > MAX_VALUE[rule.kind]) {
			ctx.addIssue({ code: 'custom', path: ['value'], message: `a ${rule.kind} rule may be at most ${MAX_VALUE[rule.kind]} characters` });
			return z.NEVER;
		}
		const problem = PROBLEM[rule.kind](rule.value);
		if (problem) {
			ctx.addIssue({ code: 'custom', path: ['value'], message: `${rule.kind} ${JSON.stringify(rule.value.slice(0, 80))}: ${problem}` });
			return z.NEVER;
		}
		const domains: string[] = [];
		for (const [i, entry] of rule.domains.entries()) {
			const domain = normalizeDomain(entry);
			if ('problem' in domain) {
				ctx.addIssue({ code: 'custom', path: ['domains', i], message: domain.problem });
				return z.NEVER;
			}
			if (!domains.includes(domain.domain)) domains.push(domain.domain);
		}
		return { ...rule, note: rule.note || null, domains };
	});

const RuleSet = {
	disabledBuiltins: z.array(z.enum(ALL_BUILTIN_RULES)).max(ALL_BUILTIN_RULES.length),
	mask: z.array(MaskRuleInput).max(MAX_MASK_RULES, `at most ${MAX_MASK_RULES} rules`),
};

export const SaveRulesBody = z
	.object({
		/** The version the admin loaded (0 if never saved). */
		version: z.number().int().min(0),
		...RuleSet,
	})
	.strict()
	.superRefine(noDuplicates);
export type SaveRulesBody = z.infer<typeof SaveRulesBody>;

/** PUT /api/company/rules/preview/:sessionId: draft rules for the admin's preview. */
export const PreviewRulesBody = z.object(RuleSet).strict().superRefine(noDuplicates);

/** POST /api/company/rules/preview: opens a preview of draft rules on a page. */
export const StartPreviewBody = z
	.object({
		url: z.url({ protocol: /^https?$/ }).max(2048),
		...RuleSet,
	})
	.strict()
	.superRefine(noDuplicates);

/** POST /api/company/rules/preview */
export interface StartPreviewResponse {
	sessionId: string;
}

/** Two rules with one id, or the same rule twice, are named. */
function noDuplicates(body: { mask: Array<{ id?: string; kind: string; value: string; domains: string[] }> }, ctx: z.RefinementCtx): void {
	const ids = new Map<string, number>();
	const same = new Map<string, number>();
	body.mask.forEach((rule, i) => {
		if (rule.id !== undefined) {
			if (ids.has(rule.id)) ctx.addIssue({ code: 'custom', path: ['mask', i, 'id'], message: `same id as mask.${ids.get(rule.id)}` });
			ids.set(rule.id, i);
		}
		const key = JSON.stringify([rule.kind, rule.value, [...rule.domains].sort()]);
		if (same.has(key)) ctx.addIssue({ code: 'custom', path: ['mask', i], message: `the same rule as mask.${same.get(key)}` });
		same.set(key, i);
	});
}

/** GET and PUT /api/company/rules */
export interface RulesResponse {
	rules: CompanyRules;
	/** The built-in rules, masking then locking, in order (each can be switched off). */
	builtins: readonly string[];
}

/** What the cloud browser's detector needs of a company's rules. */
export function detectorRules(rules: { disabledBuiltins: CompanyRules['disabledBuiltins']; mask: Array<Pick<CompanyRules['mask'][number], 'kind' | 'value' | 'domains'>> }): MaskRules {
	return { disabled: [...rules.disabledBuiltins], custom: rules.mask.map(({ kind, value, domains }) => ({ kind, value, domains: [...domains] })) };
}
