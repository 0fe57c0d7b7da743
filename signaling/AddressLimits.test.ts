import { describe, expect, it } from 'vitest';
import { AddressLimits } from './AddressLimits.js';

const options = { maxSockets: 3, socketsPerSecond: 2, maxWebSockets: 2, framesPerSecond: 5 };

describe('AddressLimits', () => {
	it('refuses a socket over the per-address cap until one closes', () => {
		let now = 0;
		const limits = new AddressLimits({ ...options, socketsPerSecond: 100 }, () => now);
		const open = [limits.openSocket('a'), limits.openSocket('a'), limits.openSocket('a')];
		expect(open.every((o) => 'release' in o)).toBe(true);
		expect(limits.openSocket('a')).toEqual({ refused: 'sockets' });
		expect('release' in limits.openSocket('b')).toBe(true);
		(open[0] as { release(): void }).release();
		(open[0] as { release(): void }).release(); // twice: counted once
		expect('release' in limits.openSocket('a')).toBe(true);
		expect(limits.openSocket('a')).toEqual({ refused: 'sockets' });
		now += 1;
	});

	it('refuses sockets opened faster than the rate, after a burst of twice the rate', () => {
		let now = 0;
		const limits = new AddressLimits({ ...options, maxSockets: 100 }, () => now);
		const results = Array.from({ length: 6 }, () => limits.openSocket('a'));
		expect(results.filter((r) => 'release' in r)).toHaveLength(4);
		expect(results.at(-1)).toEqual({ refused: 'rate' });
		now += 1000;
		expect(results.length && 'release' in limits.openSocket('a')).toBe(true);
	});

	it('caps WebSockets per address', () => {
		const limits = new AddressLimits(options);
		const first = limits.openWebSocket('a');
		expect(limits.openWebSocket('a')).toBeTypeOf('function');
		expect(limits.openWebSocket('a')).toBeUndefined();
		first!();
		expect(limits.openWebSocket('a')).toBeTypeOf('function');
	});

	it('spends a frame budget shared by all sockets of an address, refilled over time', () => {
		let now = 0;
		const limits = new AddressLimits(options, () => now);
		limits.openWebSocket('a');
		limits.openWebSocket('a');
		const taken = Array.from({ length: 15 }, () => limits.takeFrame('a')).filter(Boolean).length;
		expect(taken).toBe(10);
		now += 400;
		expect([limits.takeFrame('a'), limits.takeFrame('a'), limits.takeFrame('a')]).toEqual([true, true, false]);
		expect(limits.takeFrame('no-socket')).toBe(false);
	});

	it('forgets addresses with nothing open once their budgets refill, so memory follows what is open', () => {
		let now = 0;
		const limits = new AddressLimits(options, () => now);
		for (let i = 0; i < 100; i++) {
			const socket = limits.openSocket(`addr-${i}`);
			if ('release' in socket) socket.release();
		}
		expect(limits.size).toBe(100);
		now += 10_000;
		limits.prune();
		expect(limits.size).toBe(0);
	});
});
