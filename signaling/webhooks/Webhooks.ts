/**
 * Webhooks: telling a company's own systems what happened (a session started or ended, a
 * recording is ready, the policy gateway refused an agent's action).
 *
 * - **Nothing is lost.** An event becomes one outbox row per subscribed endpoint, in the
 *   store, before anything is sent; a loop sends what is due and keeps each row until it is
 *   delivered or given up (retried with growing waits for about a day). A restart picks up
 *   where the last run stopped. Delivery is at least once: every delivery of one event
 *   carries the same event id, which receivers dedupe on.
 * - **Signed.** Each endpoint has its own secret (sealed at rest); each delivery carries
 *   `Alongside-Signature: t=…,v1=…` (see signature.ts).
 * - **Only where the cloud browser could go.** https only (unless the operator allows http
 *   for development); the address an endpoint's name resolves to, at each delivery, must be
 *   public or in ALONGSIDE_EGRESS_ALLOW, never this machine's own service ports (the same
 *   policy as the cloud browser's egress proxy); redirects are not followed.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { Logger } from 'pino';
import { allowedPort, destinationVerdict, ownAddresses, type AllowEntry } from '../../publisher/egress/policy.js';
import type { Metrics } from '../metrics.js';
import type { Store, Webhook, WebhookDelivery, WebhookEventType } from '../store/Store.js';
import type { SecretBox } from './secrets.js';
import { signatureHeader, SIGNATURE_HEADER } from './signature.js';

/** Waits before each retry, as multiples of the base wait (10 s by default): about a day in all. */
const BACKOFF = [1, 3, 12, 60, 180, 360, 720, 1440, 2880];
const TIMEOUT_MS = 10_000;
const CONCURRENCY = 4;
/** How much of a receiver's answer is read (then it is dropped). */
const MAX_ANSWER = 64 * 1024;

export interface WebhookOptions {
	store: Store;
	box: SecretBox;
	logger: Logger;
	metrics: Metrics;
	/** Destinations allowed although not public (ALONGSIDE_EGRESS_ALLOW), and ports never reachable here. */
	egress: { allow: AllowEntry[]; protectedPorts: () => number[] };
	/** Plain http endpoints (development only). */
	allowHttp: boolean;
	/** The first retry's wait; later ones grow from it. */
	retryBaseMs: number;
	now?: () => number;
}

/** What an endpoint receives: the JSON body of every delivery. */
export interface WebhookEvent {
	id: string;
	type: WebhookEventType | 'webhook.test';
	createdAt: number;
	companyId: string;
	data: Record<string, unknown>;
}

export class Webhooks {
	readonly #options: WebhookOptions;
	readonly #now: () => number;
	readonly #inFlight = new Map<string, Promise<void>>();
	#timer: NodeJS.Timeout | undefined;
	#ticking = false;
	#again = false;
	#stopped = false;

	constructor(options: WebhookOptions) {
		this.#options = options;
		this.#now = options.now ?? Date.now;
	}

	/** Starts sending what is due (what an earlier run left, too). */
	start(): void {
		this.#timer = setInterval(() => this.kick(), 1000);
		this.#timer.unref();
		this.kick();
	}

	/** Stops sending; waits for deliveries under way (they are kept in the outbox either way). */
	async stop(): Promise<void> {
		this.#stopped = true;
		clearInterval(this.#timer);
		await Promise.allSettled([...this.#inFlight.values()]);
	}

	/** Seals an endpoint's secret for the store. */
	seal(secret: string): string {
		return this.#options.box.seal(secret);
	}

	/** A new endpoint secret. */
	static newSecret(): string {
		return `whsec_${randomBytes(32).toString('base64url')}`;
	}

	/** Queues an event for every enabled endpoint of the company that subscribed to it. */
	async emit(companyId: string, type: WebhookEventType, data: Record<string, unknown>): Promise<void> {
		const hooks = (await this.#options.store.listWebhooks(companyId)).filter((h) => !h.disabled && h.events.includes(type));
		if (hooks.length === 0) return;
		await this.#queue(hooks, { id: randomUUID(), type, createdAt: this.#now(), companyId, data });
	}

	/** Queues a test event for one endpoint (the admin page's "Send test"). */
	async test(hook: Webhook): Promise<void> {
		await this.#queue([hook], { id: randomUUID(), type: 'webhook.test', createdAt: this.#now(), companyId: hook.companyId, data: { webhookId: hook.id } });
	}

	/** Sends a delivered or failed delivery again: a new delivery of the same event (same id, same body). */
	async redeliver(delivery: WebhookDelivery): Promise<WebhookDelivery> {
		const again: WebhookDelivery = { ...delivery, id: randomUUID(), status: 'pending', attempts: 0, nextAttemptAt: this.#now(), lastStatus: null, lastError: null, createdAt: this.#now(), deliveredAt: null };
		await this.#options.store.insertDeliveries([again]);
		this.kick();
		return again;
	}

	/** Why `url` cannot be an endpoint (a message naming what is wrong), or null if it can. */
	async checkUrl(url: string): Promise<string | null> {
		let parsed: URL;
		try {
			parsed = new URL(url);
		} catch {
			return 'url: not an address';
		}
		if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && this.#options.allowHttp)) return 'url: must start with https://';
		if (parsed.username || parsed.password) return 'url: must not hold a user name or password';
		if (parsed.hash) return 'url: must not have a #fragment';
		try {
			await this.#addressFor(parsed);
		} catch (error) {
			return `url: ${(error as Error).message}`;
		}
		return null;
	}

	/** Sends what is due now (soon, if a round is under way). */
	kick(): void {
		if (this.#stopped) return;
		if (this.#ticking) {
			this.#again = true;
			return;
		}
		this.#ticking = true;
		void this.#tick()
			.catch((error: unknown) => this.#options.logger.error({ err: error }, 'webhook round failed'))
			.finally(() => {
				this.#ticking = false;
				if (this.#again) {
					this.#again = false;
					this.kick();
				}
			});
	}

	async #queue(hooks: Webhook[], event: WebhookEvent): Promise<void> {
		const payload = JSON.stringify(event);
		const now = this.#now();
		await this.#options.store.insertDeliveries(
			hooks.map((hook) => ({ id: randomUUID(), webhookId: hook.id, companyId: hook.companyId, eventId: event.id, eventType: event.type, payload, status: 'pending', attempts: 0, nextAttemptAt: now, lastStatus: null, lastError: null, createdAt: now, deliveredAt: null })),
		);
		this.kick();
	}

	async #tick(): Promise<void> {
		const free = CONCURRENCY - this.#inFlight.size;
		if (free <= 0) return;
		const due = (await this.#options.store.dueDeliveries(this.#now(), CONCURRENCY * 2)).filter((d) => !this.#inFlight.has(d.id)).slice(0, free);
		for (const delivery of due) {
			const work = this.#attempt(delivery).finally(() => {
				this.#inFlight.delete(delivery.id);
				this.kick();
			});
			this.#inFlight.set(delivery.id, work);
		}
	}

	async #attempt(delivery: WebhookDelivery): Promise<void> {
		const { store, metrics, logger } = this.#options;
		const hook = await store.getWebhook(delivery.webhookId);
		const attempts = delivery.attempts + 1;
		let status: number | null = null;
		let problem: string | null = null;
		if (!hook || hook.disabled) problem = hook ? 'the endpoint is disabled' : 'the endpoint was deleted';
		else {
			try {
				status = await this.#post(hook, delivery);
				if (status < 200 || status >= 300) problem = status >= 300 && status < 400 ? `answered ${status} (redirects are not followed)` : `answered ${status}`;
			} catch (error) {
				problem = (error as Error).message.slice(0, 300);
			}
		}
		if (!problem) {
			await store.updateDelivery(delivery.id, { status: 'delivered', attempts, lastStatus: status, lastError: null, nextAttemptAt: null, deliveredAt: this.#now() });
			metrics.webhookDeliveries.inc({ result: 'delivered' });
			return;
		}
		const wait = hook && !hook.disabled ? BACKOFF[attempts - 1] : undefined;
		if (wait === undefined) {
			await store.updateDelivery(delivery.id, { status: 'failed', attempts, lastStatus: status, lastError: problem, nextAttemptAt: null });
			metrics.webhookDeliveries.inc({ result: 'failed' });
			logger.warn({ webhookId: delivery.webhookId, deliveryId: delivery.id, eventType: delivery.eventType, attempts, problem }, 'webhook delivery given up');
			return;
		}
		await store.updateDelivery(delivery.id, { attempts, lastStatus: status, lastError: problem, nextAttemptAt: this.#now() + wait * this.#options.retryBaseMs });
		metrics.webhookDeliveries.inc({ result: 'retry' });
	}

	/** POSTs the delivery; resolves with the receiver's status. */
	async #post(hook: Webhook, delivery: WebhookDelivery): Promise<number> {
		const url = new URL(hook.url);
		if (url.protocol !== 'https:' && !(url.protocol === 'http:' && this.#options.allowHttp)) throw new Error('https only');
		const address = await this.#addressFor(url);
		const secret = this.#options.box.open(hook.secret);
		const body = delivery.payload;
		const headers = {
			'Content-Type': 'application/json',
			'Content-Length': String(Buffer.byteLength(body)),
			'User-Agent': 'Alongside-Webhooks/1',
			'Alongside-Event-Id': delivery.eventId,
			'Alongside-Event-Type': delivery.eventType,
			'Alongside-Delivery': delivery.id,
			[SIGNATURE_HEADER]: signatureHeader(secret, body, this.#now()),
		};
		const client = url.protocol === 'https:' ? https : http;
		return new Promise<number>((resolve, reject) => {
			const request = client.request(
				{
					protocol: url.protocol,
					hostname: url.hostname.replace(/^\[|\]$/g, ''),
					port: url.port || (url.protocol === 'https:' ? 443 : 80),
					path: `${url.pathname}${url.search}`,
					method: 'POST',
					headers,
					// NOTE: the connection goes to the address checked here, whatever the name
					// resolves to a moment later (DNS rebinding); TLS still checks the name.
					lookup: (_host: string, _options: unknown, callback: (error: Error | null, address: string, family: number) => void) => callback(null, address, net.isIP(address)),
					servername: net.isIP(url.hostname) ? undefined : url.hostname,
					agent: false,
					timeout: TIMEOUT_MS,
				},
				(response) => {
					let read = 0;
					response.on('data', (chunk: Buffer) => {
						read += chunk.length;
						if (read > MAX_ANSWER) response.destroy();
					});
					response.on('close', () => resolve(response.statusCode ?? 0));
					response.on('error', () => resolve(response.statusCode ?? 0));
				},
			);
			request.on('timeout', () => request.destroy(new Error(`no answer in ${TIMEOUT_MS / 1000} s`)));
			request.on('error', (error) => reject(new Error(`could not deliver: ${error.message}`)));
			request.end(body);
		});
	}

	/** The address to connect to for `url`: resolved now, and allowed by the egress policy. */
	async #addressFor(url: URL): Promise<string> {
		const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
		if (!allowedPort(port)) throw new Error(`port ${port} is not allowed (80, 443 or 1024 and above)`);
		const host = url.hostname.replace(/^\[|\]$/g, '');
		const addresses = net.isIP(host) ? [host] : (await dns.promises.lookup(host, { all: true, verbatim: true }).catch(() => [])).map((a) => a.address);
		if (addresses.length === 0) throw new Error(`${host} does not resolve`);
		const policy = { allow: this.#options.egress.allow, ownAddresses: ownAddresses(), protectedPorts: this.#options.egress.protectedPorts() };
		const refused = addresses.map((a) => destinationVerdict(a, port, policy)).find((v) => !v.allowed);
		// NOTE: every address must pass: a name with one public and one private address is refused.
		if (refused && !refused.allowed) throw new Error(`${host} is not a public address (${refused.reason})`);
		return addresses[0]!;
	}
}
