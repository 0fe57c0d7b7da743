/**
 * The REST client of the web apps: JSON in and out, the access token in the
 * Authorization header, one retry after a refresh when the server answers 401, and REST
 * errors (`{ error: { code, message } }`) turned into {@link ApiError}s. Bodies and
 * responses are typed by the schemas in signaling/api; nothing is redefined here.
 */
import type { ErrorBody } from '../../../signaling/api/common';
import { serverErrorText, t, type MessageKey } from './i18n';

/** A failed REST call: the server's error, or a local `network` failure. */
export class ApiError extends Error {
	/** HTTP status; 0 when the request never got an answer. */
	readonly status: number;
	/** The server's stable code (`invalid_pin`, `conflict`, …), or `network`. */
	readonly code: string;
	/** Seconds to wait before trying again (from Retry-After), if the server said. */
	readonly retryAfter: number | null;
	constructor(status: number, code: string, message: string, retryAfter: number | null = null) {
		super(message);
		this.name = 'ApiError';
		this.status = status;
		this.code = code;
		this.retryAfter = retryAfter;
	}
}

/**
 * Parses a Retry-After header: delta-seconds, or an HTTP date (then relative to `now`).
 * Null when absent or unreadable.
 */
export function parseRetryAfter(header: string | null | undefined, now: number = Date.now()): number | null {
	if (!header) return null;
	const trimmed = header.trim();
	if (/^\d+$/.test(trimmed)) return Number(trimmed);
	const date = Date.parse(trimmed);
	if (Number.isNaN(date)) return null;
	return Math.max(0, Math.ceil((date - now) / 1000));
}

/** The code a status implies when the body carries none (a proxy's HTML error page, say). */
function codeForStatus(status: number): string {
	switch (status) {
		case 400:
			return 'bad_request';
		case 401:
			return 'unauthorized';
		case 403:
			return 'forbidden';
		case 404:
			return 'not_found';
		case 409:
			return 'conflict';
		case 429:
			return 'rate_limited';
		default:
			return 'internal';
	}
}

/** Reads a failed response into an {@link ApiError}. */
export async function errorFromResponse(res: Pick<Response, 'status' | 'headers' | 'text'>): Promise<ApiError> {
	const retryAfter = parseRetryAfter(res.headers.get('Retry-After'));
	let code = codeForStatus(res.status);
	let message = `HTTP ${res.status}`;
	try {
		const body = JSON.parse(await res.text()) as Partial<ErrorBody>;
		if (typeof body.error?.code === 'string') code = body.error.code;
		if (typeof body.error?.message === 'string') message = body.error.message;
	} catch {
		// NOTE: not JSON (a proxy's error page); the status alone decides the code.
	}
	return new ApiError(res.status, code, message, retryAfter);
}

/** Where the client gets the access token, and how it asks for a new one after a 401. */
export interface TokenSource {
	/** The current access token, refreshed first if it is about to expire; null if signed out. */
	token(): Promise<string | null>;
	/** Forces a refresh (the server refused the token); null if that failed. */
	refreshed(): Promise<string | null>;
}

type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

export interface ApiClientOptions {
	/** Default: the global fetch. */
	fetch?: Fetch;
	/** Prefix of every path. Default: '' (same origin). */
	base?: string;
	/** Omit for the endpoints that need no sign-in. */
	auth?: TokenSource;
}

export class ApiClient {
	readonly #fetch: Fetch;
	readonly #base: string;
	readonly #auth: TokenSource | undefined;

	constructor(options: ApiClientOptions = {}) {
		this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
		this.#base = options.base ?? '';
		this.#auth = options.auth;
	}

	get<T>(path: string): Promise<T> {
		return this.request<T>('GET', path);
	}

	post<T>(path: string, body?: unknown): Promise<T> {
		return this.request<T>('POST', path, body);
	}

	patch<T>(path: string, body: unknown): Promise<T> {
		return this.request<T>('PATCH', path, body);
	}

	put<T>(path: string, body: unknown): Promise<T> {
		return this.request<T>('PUT', path, body);
	}

	/** GETs a binary body (an image): the Blob, or null for 204; rejects with an {@link ApiError}. */
	async blob(path: string): Promise<Blob | null> {
		const res = await this.#authorized('GET', path, undefined);
		return res.status === 204 ? null : res.blob();
	}

	/** Sends the request; resolves with the parsed body (undefined for 204), rejects with an {@link ApiError}. */
	async request<T>(method: string, path: string, body?: unknown): Promise<T> {
		const res = await this.#authorized(method, path, body);
		if (res.status === 204) return undefined as T;
		const text = await res.text();
		return (text ? JSON.parse(text) : undefined) as T;
	}

	/** Sends with the user's token (refreshed and sent again once on a 401); rejects with an {@link ApiError} unless ok. */
	async #authorized(method: string, path: string, body: unknown): Promise<Response> {
		let token = this.#auth ? await this.#auth.token() : null;
		let res = await this.#send(method, path, body, token);
		// NOTE: a token can expire between our check and the server's; refresh and retry once.
		if (res.status === 401 && this.#auth && token) {
			token = await this.#auth.refreshed();
			if (token) res = await this.#send(method, path, body, token);
		}
		if (!res.ok) throw await errorFromResponse(res);
		return res;
	}

	async #send(method: string, path: string, body: unknown, token: string | null): Promise<Response> {
		const headers: Record<string, string> = { Accept: 'application/json' };
		// NOTE: a file (a Blob) is sent as it is, with its own type; anything else as JSON.
		const raw = typeof Blob !== 'undefined' && body instanceof Blob;
		if (body !== undefined) headers['Content-Type'] = raw ? body.type || 'application/octet-stream' : 'application/json';
		if (token) headers.Authorization = `Bearer ${token}`;
		try {
			return await this.#fetch(this.#base + path, { method, headers, body: body === undefined ? undefined : raw ? body : JSON.stringify(body), credentials: 'same-origin' });
		} catch (error) {
			throw new ApiError(0, 'network', error instanceof Error ? error.message : String(error));
		}
	}
}

/** Per-screen wording for some codes, e.g. `{ not_found: 'error.invalidLink' }`. */
export type ErrorTexts = Partial<Record<string, MessageKey>>;

/** Whole minutes to wait, at least one, for "try again in N minutes". */
export function minutesToWait(seconds: number | null): number {
	return Math.max(1, Math.ceil((seconds ?? 60) / 60));
}

/**
 * The user-facing text for a failed call: the screen's own wording for the code if it
 * has one, else a generic text for the code, else the server's (user-safe) message.
 */
export function apiErrorText(error: unknown, texts: ErrorTexts = {}): string {
	if (!(error instanceof ApiError)) return t('api.network');
	const key = texts[error.code];
	const minutes = minutesToWait(error.retryAfter);
	if (key) return t(key, { minutes, message: error.message });
	switch (error.code) {
		case 'network':
			return t('api.network');
		case 'invalid_credentials':
			return t('api.invalid_credentials');
		case 'locked_out':
			return t('api.locked_out', { minutes });
		case 'rate_limited':
			return t('api.rate_limited', { minutes });
		case 'unauthorized':
			return t('api.unauthorized');
		case 'forbidden':
			return t('api.forbidden');
		case 'internal':
			return t('api.internal');
		default:
			return serverErrorText(error.code, error.message);
	}
}
