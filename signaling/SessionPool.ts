/**
 * A warm pool of sessions: cloud browsers already launched and publishing into their own
 * rooms, waiting for a PIN. Taking one makes a session start in the time it takes the agent
 * to subscribe, instead of a Chromium launch. The pool refills in the background.
 */
import type { Logger } from 'pino';
import type { Metrics } from './metrics.js';
import type { Session } from './Session.js';

/** How long after a warm session is taken its replacement starts launching. */
const REFILL_DELAY_MS = 3000;

export interface SessionPoolOptions {
	/** How many warm sessions to keep. 0 disables the pool. */
	size: number;
	/** Creates one unbound session, whose browser launches in the background (`ready`). */
	create(): Promise<Session>;
	logger: Logger;
	metrics: Metrics;
}

export class SessionPool {
	readonly #options: SessionPoolOptions;
	readonly #ready: Session[] = [];
	/** Starts in flight: created or being created, browser not yet publishing. */
	readonly #starting = new Set<Promise<void>>();
	readonly #startingSessions = new Set<Session>();
	#closed = false;
	#failures = 0;

	constructor(options: SessionPoolOptions) {
		this.#options = options;
	}

	/** Warm sessions ready to take now. */
	get ready(): number {
		return this.#ready.length;
	}

	/** Starts filling the pool; returns once it is full (or a start failed). */
	async fill(): Promise<void> {
		if (this.#closed) return;
		const wanted = this.#options.size - this.#ready.length - this.#starting.size;
		await Promise.all(Array.from({ length: Math.max(0, wanted) }, () => this.#startOne()));
	}

	/** A warm session, or undefined if none is ready. Refills in the background. */
	take(): Session | undefined {
		let session: Session | undefined;
		while ((session = this.#ready.shift()) && session.ended) {
			// NOTE: a warm session can die while waiting (browser crash); skip it.
		}
		// NOTE: launching the replacement at once would compete for CPU with the session
		// being started (its agent and customer are connecting now); wait a little.
		if (!this.#closed) setTimeout(() => void this.fill(), session ? REFILL_DELAY_MS : 0).unref();
		return session;
	}

	/** Ends the warm sessions, and those still starting, and stops refilling. */
	async close(): Promise<void> {
		this.#closed = true;
		const sessions = [...this.#ready.splice(0), ...this.#startingSessions];
		await Promise.all(sessions.map((s) => s.end('server_shutdown')));
		await Promise.all(this.#starting);
	}

	#startOne(): Promise<void> {
		const start = this.#start().finally(() => this.#starting.delete(start));
		this.#starting.add(start);
		return start;
	}

	async #start(): Promise<void> {
		let starting: Session | undefined;
		try {
			const session = await this.#options.create();
			starting = session;
			this.#startingSessions.add(session);
			if (this.#closed) await session.end('server_shutdown');
			await session.ready;
			if (this.#closed) return;
			this.#failures = 0;
			this.#ready.push(session);
			session.once('ended', () => {
				const index = this.#ready.indexOf(session);
				if (index >= 0) this.#ready.splice(index, 1);
			});
		} catch (error) {
			if (this.#closed) return;
			this.#failures++;
			this.#options.metrics.backgroundErrors.inc({ kind: 'pool_start' });
			this.#options.logger.error({ err: error }, 'warm session failed to start');
			// NOTE: back off after repeated failures instead of relaunching Chromium in a loop.
			setTimeout(() => void this.fill(), Math.min(60_000, 1000 * 2 ** this.#failures)).unref();
		} finally {
			if (starting) this.#startingSessions.delete(starting);
		}
	}
}
