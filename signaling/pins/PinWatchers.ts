/**
 * Customer pages waiting for their PIN to be redeemed (`pin/watch`). When an agent redeems
 * a PIN, every page watching it is told, each with a freshly issued session token; when it
 * expires unredeemed, they are told that instead.
 *
 * NOTE: in-process. Running several signaling nodes needs this over pub/sub (Redis), since
 * the customer's WebSocket and the agent's REST call may land on different nodes.
 */

export interface PinWatcher {
	redeemed(sessionId: string): void;
	expired(): void;
}

export class PinWatchers {
	readonly #watchers = new Map<string, Set<PinWatcher>>();
	readonly #timers = new Map<string, NodeJS.Timeout>();

	/** Registers a watcher of a PIN until redemption or `expiresAt`. Returns the unsubscribe function. */
	watch(pinId: string, expiresAt: number, watcher: PinWatcher): () => void {
		let set = this.#watchers.get(pinId);
		if (!set) {
			set = new Set();
			this.#watchers.set(pinId, set);
			const timer = setTimeout(() => this.#expire(pinId), Math.max(0, expiresAt - Date.now()));
			timer.unref();
			this.#timers.set(pinId, timer);
		}
		set.add(watcher);
		return () => {
			set.delete(watcher);
			if (set.size === 0) this.#forget(pinId);
		};
	}

	/** Tells every watcher of the PIN that it was redeemed into `sessionId`. */
	redeemed(pinId: string, sessionId: string): void {
		const set = this.#watchers.get(pinId);
		this.#forget(pinId);
		for (const watcher of set ?? []) watcher.redeemed(sessionId);
	}

	/** Number of PINs being watched (tests, metrics). */
	get size(): number {
		return this.#watchers.size;
	}

	#expire(pinId: string): void {
		const set = this.#watchers.get(pinId);
		this.#forget(pinId);
		for (const watcher of set ?? []) watcher.expired();
	}

	#forget(pinId: string): void {
		clearTimeout(this.#timers.get(pinId));
		this.#timers.delete(pinId);
		this.#watchers.delete(pinId);
	}
}
