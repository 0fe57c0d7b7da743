import { describe, expect, it } from 'vitest';
import type { Verdict } from '../protocol/detector.js';
import type { InputMessage } from '../protocol/wire.js';
import { type Attempt, attemptOf, type GatewayPage, InputGateway, type Refusal, type Sender } from './InputGateway.js';
import { InputState, toCdpCommands } from './input.js';

const viewport = { width: 1000, height: 500 };

/** A page that logs what reaches it; checks answer with `verdict` after `delay` ms. */
function fakePage(verdict: (a: Attempt) => Verdict | Error, delay = 5) {
	const log: string[] = [];
	const page: GatewayPage = {
		async check(attempt) {
			log.push(`check ${attempt.kind}`);
			await new Promise((r) => setTimeout(r, delay));
			const v = verdict(attempt);
			if (v instanceof Error) throw v;
			return v;
		},
		async sender(who: Sender) {
			log.push(`sender ${who}`);
		},
		async send(command) {
			log.push(`${String(command.params.type)}`);
			await new Promise((r) => setTimeout(r, 2));
		},
	};
	return { page, log };
}

function harness(verdict: (a: Attempt) => Verdict | Error) {
	const { page, log } = fakePage(verdict);
	const refusals: Refusal[] = [];
	const gateway = new InputGateway(page, viewport, (r) => refusals.push(r));
	const states = new Map<string, InputState>();
	let seq = 0;
	const submit = (who: string, sender: Sender, message: InputMessage) => {
		if (!states.has(who)) states.set(who, new InputState());
		gateway.submit(who, sender, message, toCdpCommands(message, viewport, states.get(who)!), ++seq);
	};
	return { gateway, log, refusals, submit };
}

const settle = () => new Promise((r) => setTimeout(r, 80));
const down = (x = 0.5, y = 0.5): InputMessage => ({ type: 'pointer/down', x, y, button: 'left', clickCount: 1, modifiers: 0 });
const up = (x = 0.5, y = 0.5): InputMessage => ({ type: 'pointer/up', x, y, button: 'left', clickCount: 1, modifiers: 0 });

describe('InputGateway', () => {
	it('sends the customer\'s input at once, unchecked', () => {
		const { log, submit } = harness(() => ({ refused: 'purchase' }));
		submit('c', 'customer', down());
		submit('c', 'customer', up());
		expect(log).toEqual(['mousePressed', 'mouseReleased']);
	});

	it('checks an agent\'s press and release before sending them, and keeps moves in order behind them', async () => {
		const { log, submit } = harness(() => ({}));
		submit('a', 'agent', down());
		submit('a', 'agent', { type: 'pointer/move', x: 0.6, y: 0.5 });
		submit('a', 'agent', up(0.6));
		await settle();
		expect(log).toEqual(['check click', 'mousePressed', 'mouseMoved', 'check click', 'mouseReleased']);
	});

	it('drops a refused press and its release, and reports where the agent tried', async () => {
		const { log, refusals, submit } = harness(() => ({ refused: 'purchase' }));
		submit('a', 'agent', down(0.25, 0.5));
		submit('a', 'agent', up(0.25, 0.5));
		await settle();
		expect(log).toEqual(['check click']);
		expect(refusals).toEqual([{ participantId: 'a', reason: 'purchase', kind: 'click', x: 0.25, y: 0.5 }]);
	});

	it('drops the keyup of a refused key, and the rest of a refused touch', async () => {
		const { log, submit } = harness(() => ({ refused: 'masked_field' }));
		submit('a', 'agent', { type: 'key/down', key: 'x', code: 'KeyX', modifiers: 0 });
		submit('a', 'agent', { type: 'key/up', key: 'x', code: 'KeyX', modifiers: 0 });
		submit('a', 'agent', { type: 'touch/start', touches: [{ id: 1, x: 0.1, y: 0.1 }] });
		submit('a', 'agent', { type: 'touch/move', touches: [{ id: 1, x: 0.2, y: 0.1 }] });
		submit('a', 'agent', { type: 'touch/end', touches: [] });
		await settle();
		expect(log).toEqual(['check key', 'check click']);
	});

	it('fails closed when the check fails', async () => {
		const { log, refusals, submit } = harness(() => new Error('context gone'));
		submit('a', 'agent', down());
		await settle();
		expect(log).toEqual(['check click']);
		expect(refusals[0]?.reason).toBe('unseen');
	});

	it('tells the guard before the customer\'s input follows the agent\'s, once the agent\'s was handled', async () => {
		const { log, submit } = harness(() => ({}));
		submit('a', 'agent', down());
		submit('a', 'agent', up());
		submit('c', 'customer', down());
		submit('c', 'customer', up());
		await settle();
		expect(log).toEqual(['check click', 'mousePressed', 'check click', 'mouseReleased', 'sender customer', 'mousePressed', 'mouseReleased']);
	});

	it('names the agent a refusal made in the page belongs to', async () => {
		const { gateway, refusals, submit } = harness(() => ({}));
		submit('agent-7', 'agent', { type: 'key/down', key: 'Enter', code: 'Enter', modifiers: 0 });
		await settle();
		gateway.refusedInPage('purchase', 'submit');
		expect(refusals).toEqual([{ participantId: 'agent-7', reason: 'purchase', kind: 'submit' }]);
	});
});

describe('attemptOf', () => {
	it('checks presses, releases, taps, keys and text; not moves, wheel or key releases', () => {
		expect(attemptOf(down(0.5, 0.5), viewport)).toEqual({ kind: 'click', x: 500, y: 250, key: '', alt: false });
		expect(attemptOf({ type: 'key/down', key: 'K', code: 'KeyK', modifiers: 1 | 8 }, viewport)).toMatchObject({ kind: 'key', key: 'K', alt: true });
		expect(attemptOf({ type: 'text/insert', text: 'x' }, viewport)?.kind).toBe('text');
		expect(attemptOf({ type: 'touch/end', touches: [] }, viewport, { touch: { x: 0.1, y: 0.2 } })).toMatchObject({ kind: 'click', x: 100, y: 100 });
		expect(attemptOf({ type: 'pointer/move', x: 0.1, y: 0.1 }, viewport)).toBeNull();
		expect(attemptOf({ type: 'pointer/wheel', x: 0.1, y: 0.1, dx: 0, dy: 10 }, viewport)).toBeNull();
		expect(attemptOf({ type: 'key/up', key: 'a', code: 'KeyA', modifiers: 0 }, viewport)).toBeNull();
	});
});
