import { EventEmitter } from 'node:events';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Metrics } from './metrics.js';
import type { Session } from './Session.js';
import { SessionPool } from './SessionPool.js';

/** A session whose browser start the test settles by hand; ending one still starting fails its start, as the real one does. */
class FakeSession extends EventEmitter {
	readonly ready: Promise<void>;
	endReason: string | undefined;
	#settle!: { resolve(): void; reject(error: Error): void };

	constructor() {
		super();
		this.ready = new Promise<void>((resolve, reject) => (this.#settle = { resolve, reject }));
		this.ready.catch(() => undefined);
	}

	get ended(): boolean {
		return this.endReason !== undefined;
	}

	publish(): void {
		this.#settle.resolve();
	}

	fail(): void {
		this.#settle.reject(new Error('chromium did not start'));
	}

	async end(reason: string): Promise<void> {
		if (this.endReason) return;
		this.endReason = reason;
		this.#settle.reject(new Error('ended while starting'));
		await this.ready.catch(() => undefined);
		this.emit('ended', reason);
	}
}

function pool(size: number) {
	const created: FakeSession[] = [];
	const metrics = new Metrics({ defaultMetrics: false });
	const sessionPool = new SessionPool({
		size,
		create: async () => {
			const session = new FakeSession();
			created.push(session);
			return session as unknown as Session;
		},
		logger: pino({ level: 'silent' }),
		metrics,
	});
	return { sessionPool, created, metrics };
}

afterEach(() => {
	vi.useRealTimers();
});

describe('SessionPool', () => {
	it('counts a session as ready only once its browser publishes', async () => {
		const { sessionPool, created } = pool(1);
		const filled = sessionPool.fill();
		await vi.waitFor(() => expect(created).toHaveLength(1));
		expect(sessionPool.ready).toBe(0);
		created[0]!.publish();
		await filled;
		expect(sessionPool.ready).toBe(1);
		expect(sessionPool.take()).toBe(created[0]);
		expect(sessionPool.ready).toBe(0);
		await sessionPool.close();
	});

	it('does not start a second browser while one is starting', async () => {
		const { sessionPool, created } = pool(1);
		void sessionPool.fill();
		void sessionPool.fill();
		await vi.waitFor(() => expect(created).toHaveLength(1));
		await new Promise((resolve) => setTimeout(resolve, 20));
		expect(created).toHaveLength(1);
		await sessionPool.close();
	});

	it('ends sessions still starting when it closes, and waits for them', async () => {
		const { sessionPool, created } = pool(2);
		void sessionPool.fill();
		await vi.waitFor(() => expect(created).toHaveLength(2));
		created[0]!.publish();
		await vi.waitFor(() => expect(sessionPool.ready).toBe(1));
		await sessionPool.close();
		expect(created.map((s) => s.endReason)).toEqual(['server_shutdown', 'server_shutdown']);
		expect(sessionPool.ready).toBe(0);
	});

	it('skips a warm session that died while it waited', async () => {
		const { sessionPool, created } = pool(1);
		const filled = sessionPool.fill();
		await vi.waitFor(() => expect(created).toHaveLength(1));
		created[0]!.publish();
		await filled;
		await created[0]!.end('browser_crashed');
		expect(sessionPool.take()).toBeUndefined();
		await sessionPool.close();
	});

	it('counts a failed start and retries after a back-off, not at once', async () => {
		vi.useFakeTimers();
		const { sessionPool, created, metrics } = pool(1);
		const filled = sessionPool.fill();
		await vi.waitFor(() => expect(created).toHaveLength(1));
		created[0]!.fail();
		await filled;
		expect(await metrics.registry.getSingleMetricAsString('alongside_background_errors_total')).toContain('kind="pool_start"} 1');
		await vi.advanceTimersByTimeAsync(1000);
		expect(created).toHaveLength(1);
		await vi.advanceTimersByTimeAsync(1000);
		expect(created).toHaveLength(2);
		await sessionPool.close();
	});
});
