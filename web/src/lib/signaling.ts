/**
 * The WebSocket signaling client: requests matched to replies by id, with a timeout, and
 * typed notifications. Types come from signaling/protocol.ts; nothing is redefined here.
 */
import type { ErrorCode, NotificationType, Notifications, Replies, RequestData, RequestType } from '../../../protocol/wire';

/** The part of a WebSocket the client uses, so that tests can pass a fake. */
export interface SocketLike {
	readonly readyState: number;
	send(data: string): void;
	close(code?: number, reason?: string): void;
	onmessage: ((event: { data: unknown }) => void) | null;
	onclose: ((event: { code: number; reason: string }) => void) | null;
	onerror: ((event: unknown) => void) | null;
}

/** WebSocket.OPEN, spelled out so this module loads without a DOM. */
const OPEN = 1;

/** A failed request: the server's error reply, or a local `timeout` / `closed`. */
export class SignalingError extends Error {
	readonly code: ErrorCode | 'timeout' | 'closed';
	constructor(code: ErrorCode | 'timeout' | 'closed', message: string) {
		super(message);
		this.name = 'SignalingError';
		this.code = code;
	}
}

interface Pending {
	resolve: (data: unknown) => void;
	reject: (error: SignalingError) => void;
	timer: ReturnType<typeof setTimeout>;
}

type Handler<T extends NotificationType> = (data: Notifications[T]) => void;

export interface SignalingOptions {
	/** How long a request waits for its reply before failing with `timeout`. Default 10 s. */
	requestTimeoutMs?: number;
}

/** The default WebSocket endpoint: `/ws` on the page's own host. */
export function defaultSocketUrl(location: { protocol: string; host: string }): string {
	return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/ws`;
}

export class SignalingClient {
	readonly #socket: SocketLike;
	readonly #timeoutMs: number;
	readonly #pending = new Map<number, Pending>();
	readonly #handlers = new Map<string, Set<(data: never) => void>>();
	readonly #closeHandlers = new Set<(reason: string) => void>();
	#nextId = 1;
	#closed = false;

	/** Wraps an already open socket (a fake in tests). Use {@link SignalingClient.connect} in the app. */
	constructor(socket: SocketLike, options: SignalingOptions = {}) {
		this.#socket = socket;
		this.#timeoutMs = options.requestTimeoutMs ?? 10_000;
		socket.onmessage = (event) => this.#onMessage(event.data);
		socket.onclose = (event) => this.#onClose(event.reason || `socket closed (${event.code})`);
		socket.onerror = () => {
			// NOTE: an error event is always followed by close; the reason is reported there.
		};
	}

	/** Opens a WebSocket and resolves once it is open; rejects if it fails or times out. */
	static connect(url: string, options: SignalingOptions & { openTimeoutMs?: number } = {}): Promise<SignalingClient> {
		return new Promise((resolve, reject) => {
			const ws = new WebSocket(url);
			const timer = setTimeout(() => {
				ws.close();
				reject(new SignalingError('timeout', 'connection timed out'));
			}, options.openTimeoutMs ?? 10_000);
			ws.onopen = () => {
				clearTimeout(timer);
				// NOTE: a WebSocket is a SocketLike; its handler types are only narrower in `this`.
				resolve(new SignalingClient(ws as unknown as SocketLike, options));
			};
			ws.onclose = (event) => {
				clearTimeout(timer);
				reject(new SignalingError('closed', event.reason || `could not connect (${event.code})`));
			};
		});
	}

	/** Whether the socket is open and not closed by us. */
	get open(): boolean {
		return !this.#closed && this.#socket.readyState === OPEN;
	}

	/** Sends a request; resolves with the reply's data or rejects with a {@link SignalingError}. */
	request<T extends RequestType>(type: T, data: RequestData<T>): Promise<Replies[T]> {
		if (!this.open) return Promise.reject(new SignalingError('closed', 'not connected'));
		const id = this.#nextId++;
		return new Promise<Replies[T]>((resolve, reject) => {
			const timer = setTimeout(() => {
				this.#pending.delete(id);
				reject(new SignalingError('timeout', `${type} timed out`));
			}, this.#timeoutMs);
			this.#pending.set(id, { resolve: resolve as (data: unknown) => void, reject, timer });
			try {
				this.#socket.send(JSON.stringify({ id, type, data }));
			} catch (error) {
				clearTimeout(timer);
				this.#pending.delete(id);
				reject(new SignalingError('closed', error instanceof Error ? error.message : String(error)));
			}
		});
	}

	/** Subscribes to a notification; returns the unsubscribe function. */
	on<T extends NotificationType>(type: T, handler: Handler<T>): () => void {
		let set = this.#handlers.get(type);
		if (!set) this.#handlers.set(type, (set = new Set()));
		set.add(handler as (data: never) => void);
		return () => set.delete(handler as (data: never) => void);
	}

	/** Called once when the connection ends, whoever closed it. */
	onClose(handler: (reason: string) => void): () => void {
		this.#closeHandlers.add(handler);
		return () => this.#closeHandlers.delete(handler);
	}

	/** Closes the socket and fails every pending request. Safe to call twice. */
	close(reason = 'closed by client'): void {
		if (this.#closed) return;
		try {
			this.#socket.close(1000, reason);
		} finally {
			this.#onClose(reason);
		}
	}

	#onMessage(raw: unknown): void {
		let frame: unknown;
		try {
			frame = JSON.parse(typeof raw === 'string' ? raw : String(raw));
		} catch {
			console.warn('[signaling] dropped a frame that is not JSON');
			return;
		}
		if (typeof frame !== 'object' || frame === null) return;
		const f = frame as { id?: unknown; ok?: unknown; data?: unknown; error?: { code?: unknown; message?: unknown }; type?: unknown };
		if (typeof f.id === 'number' && typeof f.ok === 'boolean') {
			const pending = this.#pending.get(f.id);
			if (!pending) return; // NOTE: a reply that arrives after its timeout is dropped.
			this.#pending.delete(f.id);
			clearTimeout(pending.timer);
			if (f.ok) pending.resolve(f.data ?? {});
			else {
				const code = typeof f.error?.code === 'string' ? (f.error.code as ErrorCode) : 'internal';
				const message = typeof f.error?.message === 'string' ? f.error.message : 'request failed';
				pending.reject(new SignalingError(code, message));
			}
			return;
		}
		if (typeof f.type === 'string') {
			const handlers = this.#handlers.get(f.type);
			if (!handlers) return;
			for (const handler of [...handlers]) {
				try {
					handler(f.data as never);
				} catch (error) {
					console.error(`[signaling] ${f.type} handler failed`, error);
				}
			}
		}
	}

	#onClose(reason: string): void {
		if (this.#closed) return;
		this.#closed = true;
		for (const [id, pending] of this.#pending) {
			clearTimeout(pending.timer);
			pending.reject(new SignalingError('closed', reason));
			this.#pending.delete(id);
		}
		for (const handler of [...this.#closeHandlers]) handler(reason);
		this.#closeHandlers.clear();
		this.#handlers.clear();
	}
}
