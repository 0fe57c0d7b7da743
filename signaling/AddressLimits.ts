/**
 * Limits per client address (see {@link addressKey}): concurrent TCP connections, new
 * connections per second, concurrent WebSockets and WebSocket frames per second. They stop
 * one address from holding the service's sockets or flooding its event loop; each refusal
 * is counted by the caller.
 *
 * Entries exist only while an address has sockets open, so memory follows what is open.
 */
import { TokenBucket } from './TokenBucket.js';

export interface AddressLimitOptions {
	/** Concurrent TCP connections per address (HTTP and WebSocket). */
	maxSockets: number;
	/** New TCP connections per second per address, with bursts of twice that. */
	socketsPerSecond: number;
	/** Concurrent WebSockets per address. */
	maxWebSockets: number;
	/** WebSocket frames per second per address (all its sockets together), with bursts of twice that. */
	framesPerSecond: number;
}

interface Entry {
	sockets: number;
	webSockets: number;
	accepts: TokenBucket;
	frames: TokenBucket;
}

export class AddressLimits {
	readonly #options: AddressLimitOptions;
	readonly #entries = new Map<string, Entry>();
	readonly #now: () => number;

	constructor(options: AddressLimitOptions, now: () => number = Date.now) {
		this.#options = options;
		this.#now = now;
	}

	/** Addresses with state (tests, metrics). */
	get size(): number {
		return this.#entries.size;
	}

	/**
	 * Admits a new TCP connection from `key`: returns its release function, or a reason it
	 * is refused (`sockets`: too many open; `rate`: opened too fast).
	 */
	openSocket(key: string): { release: () => void } | { refused: 'sockets' | 'rate' } {
		const entry = this.#entry(key);
		if (entry.sockets >= this.#options.maxSockets) return this.#refuse(key, 'sockets');
		if (!entry.accepts.take(this.#now())) return this.#refuse(key, 'rate');
		entry.sockets++;
		return { release: once(() => this.#release(key, 'sockets')) };
	}

	/** Admits a WebSocket from `key`: its release function, or undefined when the address has too many. */
	openWebSocket(key: string): (() => void) | undefined {
		const entry = this.#entry(key);
		if (entry.webSockets >= this.#options.maxWebSockets) {
			this.#forgetIfIdle(key, entry);
			return undefined;
		}
		entry.webSockets++;
		return once(() => this.#release(key, 'webSockets'));
	}

	/** Drops the state of addresses with nothing open whose budgets have refilled; call now and then. */
	prune(): void {
		for (const [key, entry] of this.#entries) this.#forgetIfIdle(key, entry);
	}

	/** Takes one frame from `key`'s budget; false when it is spent (drop the frame). */
	takeFrame(key: string): boolean {
		const entry = this.#entries.get(key);
		// NOTE: frames only come on an admitted WebSocket, whose entry exists.
		return entry ? entry.frames.take(this.#now()) : false;
	}

	#entry(key: string): Entry {
		let entry = this.#entries.get(key);
		if (!entry) {
			const now = this.#now();
			const { socketsPerSecond, framesPerSecond } = this.#options;
			entry = {
				sockets: 0,
				webSockets: 0,
				accepts: new TokenBucket(socketsPerSecond, socketsPerSecond * 2, now),
				frames: new TokenBucket(framesPerSecond, framesPerSecond * 2, now),
			};
			this.#entries.set(key, entry);
		}
		return entry;
	}

	#refuse(key: string, refused: 'sockets' | 'rate'): { refused: 'sockets' | 'rate' } {
		const entry = this.#entries.get(key);
		if (entry) this.#forgetIfIdle(key, entry);
		return { refused };
	}

	#release(key: string, field: 'sockets' | 'webSockets'): void {
		const entry = this.#entries.get(key);
		if (!entry) return;
		entry[field] = Math.max(0, entry[field] - 1);
		this.#forgetIfIdle(key, entry);
	}

	/**
	 * Drops an address with nothing open. NOTE: its buckets go with it only once they are
	 * full again; otherwise closing and reopening would reset the rates. Those entries are
	 * kept until {@link prune} finds them refilled.
	 */
	#forgetIfIdle(key: string, entry: Entry): void {
		const now = this.#now();
		if (entry.sockets === 0 && entry.webSockets === 0 && entry.accepts.full(now) && entry.frames.full(now)) this.#entries.delete(key);
	}
}

function once(fn: () => void): () => void {
	let done = false;
	return () => {
		if (done) return;
		done = true;
		fn();
	};
}
