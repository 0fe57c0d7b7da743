import { describe, expect, it } from 'vitest';
import type { Verdict } from '../protocol/detector.js';
import type { InputMessage } from '../protocol/wire.js';
import { type Attempt, attemptsOf, CHECK_BURST, type GatewayPage, InputGateway, keyName, type Refusal, type Sender } from './InputGateway.js';
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

	it('drops an agent\'s touch release when it has no finger down (it would lift the customer\'s)', async () => {
		const { log, submit } = harness(() => ({}));
		submit('c', 'customer', { type: 'touch/start', touches: [{ id: 1, x: 0.5, y: 0.5 }] });
		submit('a', 'agent', { type: 'touch/end', touches: [] });
		await settle();
		expect(log).toEqual(['touchStart']);
	});

	it('cancels (no tap) a touch whose new finger lands on a locked control, and drops the rest', async () => {
		let n = 0;
		const { log, submit } = harness(() => (n++ === 0 ? {} : { refused: 'purchase' }));
		submit('a', 'agent', { type: 'touch/start', touches: [{ id: 1, x: 0.1, y: 0.1 }] });
		submit('a', 'agent', { type: 'touch/move', touches: [{ id: 1, x: 0.1, y: 0.1 }, { id: 2, x: 0.8, y: 0.8 }] });
		submit('a', 'agent', { type: 'touch/end', touches: [] });
		await settle();
		expect(log).toEqual(['check click', 'touchStart', 'check click', 'touchCancel']);
	});

	it("drops an agent's checked input beyond its budget (a flood would slow the customer's page), with the rest of each gesture", async () => {
		const { log, submit } = harness(() => ({}));
		for (let i = 0; i < CHECK_BURST + 20; i++) submit('a', 'agent', { type: 'key/down', key: 'x', code: 'KeyX', modifiers: 0 });
		submit('a', 'agent', { type: 'key/up', key: 'x', code: 'KeyX', modifiers: 0 });
		await new Promise((r) => setTimeout(r, 1500));
		expect(log.filter((l) => l === 'check key').length).toBeLessThanOrEqual(CHECK_BURST + 1);
		expect(log.filter((l) => l === 'check key').length).toBeGreaterThanOrEqual(CHECK_BURST);
		// The customer is never limited.
		const customer = harness(() => ({}));
		for (let i = 0; i < CHECK_BURST + 20; i++) customer.submit('c', 'customer', { type: 'key/down', key: 'x', code: 'KeyX', modifiers: 0 });
		expect(customer.log).toHaveLength(CHECK_BURST + 20);
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

describe('attemptsOf', () => {
	it('checks presses, releases, taps, keys and text; not moves, wheel or releases of other keys', () => {
		expect(attemptsOf(down(0.5, 0.5), viewport)).toEqual([{ kind: 'click', x: 500, y: 250, key: '', alt: false }]);
		expect(attemptsOf({ type: 'key/down', key: 'K', code: 'KeyK', modifiers: 1 | 8 }, viewport)).toMatchObject([{ kind: 'key', key: 'K', alt: true }]);
		expect(attemptsOf({ type: 'text/insert', text: 'x' }, viewport)[0]?.kind).toBe('text');
		expect(attemptsOf({ type: 'touch/end', touches: [] }, viewport, new Map([[1, { x: 0.1, y: 0.2 }]]))).toMatchObject([{ kind: 'click', x: 100, y: 100 }]);
		expect(attemptsOf({ type: 'pointer/move', x: 0.1, y: 0.1 }, viewport)).toEqual([]);
		expect(attemptsOf({ type: 'pointer/wheel', x: 0.1, y: 0.1, dx: 0, dy: 10 }, viewport)).toEqual([]);
		expect(attemptsOf({ type: 'key/up', key: 'a', code: 'KeyA', modifiers: 0 }, viewport)).toEqual([]);
	});

	it('checks Enter under any name, its release and a line break inserted as text', () => {
		for (const [key, code] of [['Enter', 'Enter'], ['\r', ''], ['\n', ''], ['x', 'NumpadEnter']]) expect(keyName(key!, code!)).toBe('Enter');
		expect(keyName('Spacebar', '')).toBe(' ');
		expect(attemptsOf({ type: 'key/up', key: 'Enter', code: 'Enter', modifiers: 0 }, viewport)).toMatchObject([{ kind: 'key', key: 'Enter' }]);
		expect(attemptsOf({ type: 'key/up', key: ' ', code: 'Space', modifiers: 0 }, viewport)).toMatchObject([{ kind: 'key', key: ' ' }]);
		expect(attemptsOf({ type: 'text/insert', text: 'a\nb' }, viewport)).toMatchObject([{ kind: 'key', key: 'Enter' }]);
	});

	it('checks every new finger of a touch, and clamps to the viewport as the input is', () => {
		const touches = new Map([[1, { x: 0.1, y: 0.1 }]]);
		const move = attemptsOf({ type: 'touch/move', touches: [{ id: 1, x: 0.2, y: 0.1 }, { id: 2, x: 0.9, y: 0.9 }] }, viewport, touches);
		expect(move).toEqual([{ kind: 'click', x: 900, y: 450, key: '', alt: false }]);
		expect(attemptsOf(down(1, 1), viewport)).toMatchObject([{ x: 999, y: 499 }]);
	});
});
