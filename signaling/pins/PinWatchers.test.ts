import { describe, expect, it, vi } from 'vitest';
import { PinWatchers } from './PinWatchers.js';

describe('PinWatchers', () => {
	it('tells every watcher of a PIN about its redemption, once', () => {
		const watchers = new PinWatchers();
		const a = { redeemed: vi.fn(), expired: vi.fn() };
		const b = { redeemed: vi.fn(), expired: vi.fn() };
		watchers.watch('pin-1', Date.now() + 60_000, a);
		watchers.watch('pin-1', Date.now() + 60_000, b);
		watchers.redeemed('pin-1', 'session-1');
		watchers.redeemed('pin-1', 'session-2');
		expect(a.redeemed.mock.calls).toEqual([['session-1']]);
		expect(b.redeemed.mock.calls).toEqual([['session-1']]);
		expect(watchers.size).toBe(0);
	});

	it('tells watchers when the PIN expires unredeemed', async () => {
		vi.useFakeTimers();
		try {
			const watchers = new PinWatchers();
			const watcher = { redeemed: vi.fn(), expired: vi.fn() };
			watchers.watch('pin-2', Date.now() + 1000, watcher);
			vi.advanceTimersByTime(1001);
			expect(watcher.expired).toHaveBeenCalledTimes(1);
			expect(watcher.redeemed).not.toHaveBeenCalled();
		} finally {
			vi.useRealTimers();
		}
	});

	it('stops telling a watcher that unsubscribed', () => {
		const watchers = new PinWatchers();
		const watcher = { redeemed: vi.fn(), expired: vi.fn() };
		const stop = watchers.watch('pin-3', Date.now() + 60_000, watcher);
		stop();
		watchers.redeemed('pin-3', 'session-3');
		expect(watcher.redeemed).not.toHaveBeenCalled();
		expect(watchers.size).toBe(0);
	});
});
