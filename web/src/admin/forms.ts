/** Pure rules of the admin forms: what to send, and what to say when the server refuses. */
import type { z } from 'zod';
import type { AgentNameFormat } from '../../../protocol/brand';
import type { AnyBuiltinRule, CustomRuleKind } from '../../../protocol/detector';
import { UpdateCompanySettingsBody } from '../../../signaling/api/company/schema';
import { SaveRulesBody } from '../../../signaling/api/rules/schema';
import type { MaskRule } from '../../../signaling/store/Store';
import { ApiError, apiErrorText } from '../lib/api';
import { t, type MessageKey } from '../lib/i18n';

type SaveRulesInput = z.input<typeof SaveRulesBody>;

/** The text for a refused user change. 409 on an update is the "last admin" rule. */
export function userChangeError(error: unknown, creating: boolean): string {
	if (error instanceof ApiError && error.code === 'conflict') return t(creating ? 'users.conflict' : 'users.lastAdmin');
	return apiErrorText(error);
}

/** The form's fields as typed (strings where the admin types). */
export interface CompanyForm {
	brandName: string;
	announceSupervision: boolean;
	pinTtlMinutes: string;
	startUrl: string;
	/** The allowed sites as typed: separated by commas, spaces or lines. */
	allowedDomains: string;
	/** `#rrggbb`, or empty for Alongside's colour. */
	brandColor: string;
	agentNameFormat: AgentNameFormat;
	customerAnnotations: boolean;
	recording: 'off' | 'always' | 'agent';
	/** One outcome per line, as typed. */
	outcomes: string;
	/** Days, as typed. */
	retentionDays: string;
}

/** The form as a PATCH body, or the field that is wrong with the message key to show. */
export function companyBody(form: CompanyForm): { body: UpdateCompanySettingsBody } | { field: keyof CompanyForm; message: MessageKey } {
	const typed = String(form.pinTtlMinutes).trim();
	const minutes = Number(typed);
	if (!/^\d+$/.test(typed) || minutes < 1 || minutes > 60) return { field: 'pinTtlMinutes', message: 'company.pinTtlRange' };
	const days = String(form.retentionDays).trim();
	if (!/^\d+$/.test(days) || Number(days) < 1 || Number(days) > 3650) return { field: 'retentionDays', message: 'company.retentionRange' };
	const parsed = UpdateCompanySettingsBody.safeParse({
		brandName: form.brandName.trim() || null,
		announceSupervision: form.announceSupervision,
		pinTtlSeconds: minutes * 60,
		startUrl: form.startUrl.trim() || null,
		allowedDomains: form.allowedDomains.split(/[\s,]+/).filter(Boolean),
		brandColor: form.brandColor.trim() || null,
		agentNameFormat: form.agentNameFormat,
		customerAnnotations: form.customerAnnotations,
		recording: form.recording,
		retentionDays: Number(days),
		outcomes: form.outcomes.split('\n').map((o) => o.trim()).filter(Boolean),
	});
	if (!parsed.success) {
		const field = parsed.error.issues[0]?.path[0];
		if (field === 'startUrl') return { field: 'startUrl', message: 'company.startUrlInvalid' };
		if (field === 'allowedDomains') return { field: 'allowedDomains', message: 'company.allowedDomainsInvalid' };
		if (field === 'brandColor') return { field: 'brandColor', message: /#rrggbb/.test(parsed.error.issues[0]?.message ?? '') ? 'company.brandColorInvalid' : 'company.brandColorContrast' };
		if (field === 'outcomes') return { field: 'outcomes', message: 'company.outcomesHint' };
		return { field: 'brandName', message: 'admin.saveFailed' };
	}
	return { body: parsed.data };
}


/** One of the company's own masking rules as the admin edits it (domains as typed). */
export interface RuleDraft {
	/** Local key for the list (rules without an id yet need one too). */
	key: number;
	id?: string;
	kind: CustomRuleKind;
	value: string;
	/** Host names separated by commas or spaces; empty: every site. */
	domains: string;
	note: string;
}

/** A saved rule as a draft. */
export function toDraft(rule: MaskRule, key: number): RuleDraft {
	return { key, id: rule.id, kind: rule.kind, value: rule.value, domains: rule.domains.join(', '), note: rule.note ?? '' };
}

/** The rules as a PUT body, as typed (not checked: see {@link rulesBody}). */
export function draftBody(version: number, disabledBuiltins: AnyBuiltinRule[], drafts: RuleDraft[]): SaveRulesInput {
	return {
		version,
		disabledBuiltins,
		mask: drafts.map((draft) => ({
			...(draft.id ? { id: draft.id } : {}),
			kind: draft.kind,
			value: draft.value.trim(),
			domains: draft.domains.split(/[\s,]+/).filter(Boolean),
			note: draft.note.trim() || null,
		})),
	};
}

/**
 * The rules as a PUT body, checked with the server's own schema (the same selector,
 * pattern and domain checks), or the problem of each draft that is wrong, by its key.
 */
export function rulesBody(version: number, disabledBuiltins: AnyBuiltinRule[], drafts: RuleDraft[]): { body: SaveRulesInput } | { problems: Map<number, string> } {
	const body = draftBody(version, disabledBuiltins, drafts);
	const parsed = SaveRulesBody.safeParse(body);
	if (parsed.success) return { body };
	const problems = new Map<number, string>();
	for (const issue of parsed.error.issues) {
		const [list, index, field] = issue.path;
		if (list !== 'mask' || typeof index !== 'number') continue;
		const key = drafts[index]?.key;
		if (key !== undefined && !problems.has(key)) problems.set(key, ruleProblemText(field, issue.message));
	}
	if (problems.size === 0) problems.set(-1, parsed.error.issues[0]?.message ?? 'invalid');
	return { problems };
}

/**
 * A server's refusal of the rules, by draft: "mask.2.value: …" names the third rule. Other
 * refusals (a stale version, rights) are general: key -1.
 */
export function ruleProblemsFromServer(message: string, drafts: RuleDraft[]): Map<number, string> {
	const problems = new Map<number, string>();
	for (const part of message.split('; ')) {
		const match = /^mask\.(\d+)(?:\.(\w+))?(?:\.\d+)?: (.*)$/s.exec(part);
		const key = match ? drafts[Number(match[1])]?.key : undefined;
		if (match && key !== undefined) problems.set(key, ruleProblemText(match[2], match[3]!));
		else problems.set(-1, part);
	}
	return problems;
}

function ruleProblemText(field: unknown, message: string): string {
	return field === 'domains' ? `${t('rules.domains')}: ${message}` : message;
}
