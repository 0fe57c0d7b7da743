/**
 * The admin's Masking tab: the company's built-in rules (each can be switched off) and its
 * own, edited as drafts and saved whole. Checked here with the server's own schema first,
 * so a bad selector or pattern is named beside its rule before anything is sent.
 */
import { type AnyBuiltinRule, BUILTIN_RULES, type CustomRuleKind, LOCK_RULES } from '../../../protocol/detector';
import type { RulesResponse } from '../../../signaling/api/rules/schema';
import { ApiError, apiErrorText } from '../lib/api';
import type { Auth } from '../lib/auth.svelte';
import { t } from '../lib/i18n';
import { draftBody, type RuleDraft, ruleProblemsFromServer, rulesBody, toDraft } from './forms';

export class MaskingRules {
	/** The rules as last loaded or saved. */
	saved = $state<RulesResponse['rules'] | null>(null);
	disabled = $state<AnyBuiltinRule[]>([]);
	drafts = $state<RuleDraft[]>([]);
	/** Problems by draft key; key -1: not about one rule. */
	problems = $state<Map<number, string>>(new Map());
	error = $state<string | null>(null);
	saving = $state(false);
	status = $state<'saved' | 'conflict' | null>(null);
	/** Built-in masking rules, then built-in lock rules: each can be switched off. */
	readonly builtins: readonly AnyBuiltinRule[] = BUILTIN_RULES;
	readonly lockBuiltins: readonly AnyBuiltinRule[] = LOCK_RULES;

	readonly #auth: Auth;
	#nextKey = 1;

	constructor(auth: Auth) {
		this.#auth = auth;
	}

	/** Whether the drafts differ from what is saved. */
	get dirty(): boolean {
		const saved = this.saved;
		if (!saved) return false;
		const now = draftBody(saved.version, this.disabled, this.drafts);
		const then = draftBody(saved.version, saved.disabledBuiltins, saved.mask.map((rule, i) => toDraft(rule, i)));
		return JSON.stringify(now) !== JSON.stringify(then);
	}

	/** The drafts as rules the preview can use, or null while one of them is wrong. */
	draftRules(): { disabledBuiltins: AnyBuiltinRule[]; mask: unknown[] } | null {
		const result = rulesBody(0, this.disabled, this.drafts);
		return 'body' in result ? { disabledBuiltins: result.body.disabledBuiltins, mask: result.body.mask } : null;
	}

	async load(): Promise<void> {
		try {
			this.#show((await this.#auth.api.get<RulesResponse>('/api/company/rules')).rules);
			this.error = null;
			this.status = null;
		} catch (error) {
			this.error = t('admin.loadFailed', { message: apiErrorText(error) });
		}
	}

	setBuiltin(rule: AnyBuiltinRule, on: boolean): void {
		this.disabled = on ? this.disabled.filter((r) => r !== rule) : [...this.disabled.filter((r) => r !== rule), rule];
		this.status = null;
	}

	add(kind: CustomRuleKind = 'selector'): RuleDraft {
		const draft: RuleDraft = { key: this.#nextKey++, kind, value: '', domains: '', note: '' };
		this.drafts.push(draft);
		this.status = null;
		return draft;
	}

	remove(key: number): void {
		this.drafts = this.drafts.filter((d) => d.key !== key);
		this.#forget(key);
	}

	/** The draft changed: its old problem no longer applies. */
	edited(key: number): void {
		this.#forget(key);
		this.status = null;
	}

	async save(): Promise<void> {
		const saved = this.saved;
		if (!saved) return;
		const result = rulesBody(saved.version, this.disabled, this.drafts);
		if ('problems' in result) {
			this.problems = result.problems;
			return;
		}
		this.problems = new Map();
		this.saving = true;
		try {
			this.#show((await this.#auth.api.put<RulesResponse>('/api/company/rules', result.body)).rules);
			this.status = 'saved';
		} catch (error) {
			if (error instanceof ApiError && error.code === 'conflict') this.status = 'conflict';
			else if (error instanceof ApiError && error.code === 'bad_request') this.problems = ruleProblemsFromServer(error.message, this.drafts);
			else this.problems = new Map([[-1, t('admin.saveFailed', { message: apiErrorText(error) })]]);
		} finally {
			this.saving = false;
		}
	}

	#forget(key: number): void {
		if (!this.problems.has(key)) return;
		const next = new Map(this.problems);
		next.delete(key);
		this.problems = next;
	}

	#show(rules: RulesResponse['rules']): void {
		this.saved = rules;
		this.disabled = [...rules.disabledBuiltins];
		this.drafts = rules.mask.map((rule) => toDraft(rule, this.#nextKey++));
		this.problems = new Map();
	}
}
