import { describe, expect, it } from 'vitest';
import { describeZodError, InputMessage, Requests } from './wire.js';

describe('InputMessage', () => {
	it('accepts a click with defaults filled in', () => {
		expect(InputMessage.parse({ type: 'pointer/down', x: 0.1, y: 0.9 })).toEqual({
			type: 'pointer/down', x: 0.1, y: 0.9, button: 'left', clickCount: 1, modifiers: 0,
		});
	});

	it('refuses coordinates outside the frame and names the field', () => {
		const result = InputMessage.safeParse({ type: 'pointer/move', x: 1.5, y: 0 });
		expect(result.success).toBe(false);
		if (!result.success) expect(describeZodError(result.error)).toMatch(/^x: /);
	});

	it('refuses unknown message types', () => {
		expect(InputMessage.safeParse({ type: 'shell/exec', cmd: 'rm' }).success).toBe(false);
	});

	it('carries no sender field: extra keys are stripped', () => {
		const parsed = InputMessage.parse({ type: 'pointer/move', x: 0, y: 0, participantId: 'someone-else', role: 'customer' });
		expect(parsed).toEqual({ type: 'pointer/move', x: 0, y: 0 });
	});
});

describe('Requests', () => {
	it('requires a token of plausible length to join', () => {
		expect(Requests['session/join'].safeParse({ token: 'short' }).success).toBe(false);
		expect(Requests['session/join'].safeParse({ token: 'x'.repeat(43), name: 'Ada' }).success).toBe(true);
	});

	it('only allows known input channel labels', () => {
		const bad = Requests['input/open'].safeParse({ transportId: 't', label: 'admin', sctpStreamParameters: {} });
		expect(bad.success).toBe(false);
	});
});
