import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES } from '../protocol/masking.js';
import { CHAT_MAX_CHARS } from '../protocol/wire.js';
import { Chat, hideLooseCards, MAX_CHAT_MESSAGES, normalizeChatText } from './Chat.js';

const agent = { id: 'p-agent', actor: 'user:u1', name: 'Marco', role: 'agent' as const };
const customer = { id: 'p-customer', actor: 'customer:c1', name: 'Ada', role: 'customer' as const };
const supervisor = { id: 'p-super', actor: 'user:u2', name: 'Sam', role: 'supervisor' as const };

describe('Chat', () => {
	it('keeps text as text: control and bidi characters go, line breaks stay, markup is kept literally', () => {
		expect(normalizeChatText('  <b>hi</b>\u202e\r\n\r\n\r\n\r\nthere\u0000  ')).toBe('<b>hi</b>\n\nthere');
		expect(normalizeChatText(' \u200b \n ')).toBeUndefined();
	});

	it('cuts a message at the longest length, in characters', () => {
		const chat = new Chat();
		const kept = chat.add(customer, '😀'.repeat(CHAT_MAX_CHARS + 10))!;
		expect([...kept.text]).toHaveLength(CHAT_MAX_CHARS);
	});

	it('shows a card number the customer wrote to the customer only; agents and supervisors get it hidden, and everyone is told', () => {
		const chat = new Chat();
		chat.add(customer, 'my card is 4111 1111 1111 1111, serial SN-1234');
		const mine = chat.historyFor(customer, DEFAULT_RULES)[0]!;
		const agents = chat.historyFor(agent, DEFAULT_RULES)[0]!;
		const supervisors = chat.historyFor(supervisor, DEFAULT_RULES)[0]!;
		expect(mine.text).toContain('4111 1111 1111 1111');
		expect(mine.masked).toBe(true);
		for (const view of [agents, supervisors]) {
			expect(view.text).not.toMatch(/4111|1111 1111/);
			expect(view.text).toContain('SN-1234');
			expect(view.masked).toBe(true);
		}
	});

	it("a supervisor's note reaches the agent and its author, never the customer", () => {
		const chat = new Chat();
		chat.add(agent, 'hello');
		chat.add(supervisor, 'offer the discount', true);
		expect(chat.historyFor(customer, DEFAULT_RULES).map((m) => m.text)).toEqual(['hello']);
		expect(chat.historyFor(agent, DEFAULT_RULES).map((m) => [m.text, m.note ?? false])).toEqual([
			['hello', false],
			['offer the discount', true],
		]);
		expect(chat.historyFor(supervisor, DEFAULT_RULES)).toHaveLength(2);
	});

	it('lets a participant send a burst, then about one message a second', () => {
		let now = 0;
		const chat = new Chat(() => now);
		let sent = 0;
		for (let i = 0; i < 20; i++) if (chat.allow('p')) sent++;
		expect(sent).toBe(6);
		expect(chat.allow('p')).toBe(false);
		expect(chat.allow('q')).toBe(true);
		now += 1000;
		expect(chat.allow('p')).toBe(true);
		expect(chat.allow('p')).toBe(false);
	});

	it('hides card numbers however they are written in a chat: slashes, spaced dashes, full-width or Arabic-Indic digits', () => {
		const chat = new Chat();
		for (const written of ['4111/1111/1111/1111', '4111 - 1111 - 1111 - 1111', '４１１１ １１１１ １１１１ １１１１', '٤١١١ ١١١١ ١١١١ ١١١١', 'card:4111_1111_1111_1111!']) {
			chat.add(customer, written);
		}
		for (const view of chat.historyFor(agent, DEFAULT_RULES)) {
			expect(view.text).not.toMatch(/1111|１１１１|١١١١/);
			expect(view.masked).toBe(true);
		}
		// Numbers that are not cards stay (an order number, a phone number, a date).
		expect(hideLooseCards('order 1234567, call 02 1234 5678, on 2026-12-03')).toBe('order 1234567, call 02 1234 5678, on 2026-12-03');
	});

	it('keeps a supervisor reading their own notes after a rejoin (a new participant id, the same account)', () => {
		const chat = new Chat();
		chat.add(supervisor, 'check the address', true);
		expect(chat.historyFor({ ...supervisor, id: 'p-super-2' }, DEFAULT_RULES)).toHaveLength(1);
		expect(chat.historyFor({ id: 'p-other', actor: 'user:u3', role: 'supervisor' }, DEFAULT_RULES)).toHaveLength(0);
	});

	it('takes at most MAX_CHAT_MESSAGES in a session', () => {
		const chat = new Chat();
		for (let i = 0; i < MAX_CHAT_MESSAGES; i++) chat.add(customer, `m${i}`);
		expect(chat.full).toBe(true);
	});
});
