import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES } from '../protocol/masking.js';
import { dialogView, mayAnswer, type PageDialog } from './dialogs.js';

const dialog = (type: PageDialog['type'], message: string, defaultValue = ''): PageDialog => ({ id: 7, type, message, defaultValue });

describe('dialogView', () => {
	it('shows the customer everything, and lets them answer any way', () => {
		const view = dialogView(dialog('prompt', 'Card 4111 1111 1111 1111: confirm the payment?', 'IT60 X054 2811 1010 0000 0123 456'), 'customer', true, DEFAULT_RULES);
		expect(view).toEqual({ id: 7, type: 'prompt', message: 'Card 4111 1111 1111 1111: confirm the payment?', defaultValue: 'IT60 X054 2811 1010 0000 0123 456', answer: 'any' });
	});

	it('hides from agents and supervisors what masking hides, in the message and the prompt text', () => {
		const view = dialogView(dialog('prompt', 'Your card 4111 1111 1111 1111 and code RSSMRA85T10A562S', 'IT60 X054 2811 1010 0000 0123 456'), 'agent', true, DEFAULT_RULES);
		expect(view.message).toBe('Your card •••• and code ••••');
		expect(view.defaultValue).toBe('');
		expect(dialogView(dialog('alert', 'Card 4111 1111 1111 1111'), 'supervisor', false, DEFAULT_RULES).message).toBe('Card ••••');
		// The company's own pattern too; one that does not compile hides everything.
		const rules = { disabled: [], custom: [{ kind: 'pattern' as const, value: 'ACME-\\d+', domains: [] }] };
		expect(dialogView(dialog('alert', 'Reference ACME-123456 saved'), 'agent', true, rules).message).toBe('Reference •••• saved');
		expect(dialogView(dialog('alert', 'Reference saved'), 'agent', true, { disabled: [], custom: [{ kind: 'pattern', value: '(', domains: [] }] }).message).toBe('••••');
	});

	it('lets an agent in control answer, but only cancel what asks to buy, pay or confirm', () => {
		const pay = dialogView(dialog('confirm', 'Confermi il pagamento? Paga ora'), 'agent', true, DEFAULT_RULES);
		expect(pay.answer).toBe('dismiss');
		expect(mayAnswer(pay, true)).toBe(false);
		expect(mayAnswer(pay, false)).toBe(true);
		expect(dialogView(dialog('confirm', 'Show the details?'), 'agent', true, DEFAULT_RULES).answer).toBe('any');
		// An alert has nothing to accept: OK is fine whatever it says.
		expect(dialogView(dialog('alert', 'Thank you for your order: buy now again?'), 'agent', true, DEFAULT_RULES).answer).toBe('any');
		// The built-in rule switched off; the company's own words.
		expect(dialogView(dialog('confirm', 'Buy now?'), 'agent', true, { disabled: ['purchase'], custom: [] }).answer).toBe('any');
		expect(dialogView(dialog('confirm', 'Renew the plan?'), 'agent', true, { disabled: [], custom: [{ kind: 'lock_label', value: 'Renew', domains: [] }] }).answer).toBe('dismiss');
	});

	it('lets supervisors and agents without control only watch', () => {
		for (const [role, control] of [['supervisor', false], ['agent', false]] as const) {
			const view = dialogView(dialog('alert', 'Saved'), role, control, DEFAULT_RULES);
			expect(view.answer).toBe('none');
			expect(mayAnswer(view, false)).toBe(false);
		}
	});

	it('cuts a novel short', () => {
		expect(dialogView(dialog('alert', 'x'.repeat(50_000)), 'customer', true, DEFAULT_RULES).message).toHaveLength(2000);
	});
});
