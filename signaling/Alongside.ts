/**
 * The whole service in one process tree: the store, authentication, the SFU workers, the
 * cloud browsers (with a warm pool) and the signaling server, wired together. `index.ts`
 * runs it; tests and benchmarks start it on port 0.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { BrowserHost } from '../publisher/BrowserHost.js';
import { WELCOME_URL } from '../publisher/internalPages.js';
import { Sfu } from '../sfu/Sfu.js';
import type { ApiContext, LiveSessionInfo, SessionDirectory } from './api/context.js';
import { detectorRules } from './api/rules/schema.js';
import { type Audit, createAudit } from './audit.js';
import { KeyStore } from './auth/KeyStore.js';
import { TokenService } from './auth/TokenService.js';
import type { CompanyRules, User } from './store/Store.js';
import { ensureFirstRun, type FirstRunInfo } from './bootstrap.js';
import type { Config } from './config.js';
import { LimitReachedError, NotFoundError } from '../protocol/errors.js';
import { Metrics } from './metrics.js';
import { PinService } from './pins/PinService.js';
import { PinWatchers } from './pins/PinWatchers.js';
import { type RunningServer, startServer } from './server.js';
import { Session } from './Session.js';
import { SessionPool } from './SessionPool.js';
import { SqliteStore } from './store/SqliteStore.js';
import { Recordings } from './recordings/Recordings.js';
import { ApiKeys } from './apikeys/ApiKeys.js';
import { SecretBox } from './webhooks/secrets.js';
import { Webhooks } from './webhooks/Webhooks.js';
import type { WebhookEventType } from './store/Store.js';
import { openRecordingStorage, type RecordingStorage } from './recordings/storage.js';
import { RecordingLinks } from './recordings/links.js';
import type { Store } from './store/Store.js';

export interface AlongsideOptions {
	/** Register prom-client's default process metrics. Default true (false in tests: one registry per instance). */
	defaultMetrics?: boolean;
}

/** A session start counted against the limits while it is under way. */
interface Admitted {
	companyId: string;
	agentUserId: string;
	preview: boolean;
}

export class Alongside {
	readonly config: Config;
	readonly metrics: Metrics;
	readonly store: Store;
	readonly tokens: TokenService;
	readonly pins: PinService;
	readonly apiKeys: ApiKeys;
	readonly webhooks: Webhooks;
	readonly watchers = new PinWatchers();
	readonly audit: Audit;
	readonly recordings: Recordings;
	readonly recordingStorage: RecordingStorage & { close?(): void };
	readonly #links: RecordingLinks;
	/** Credentials created on this (first) run, if any; printed once by index.ts. */
	readonly firstRun: FirstRunInfo | null;
	readonly #logger: Logger;
	readonly #sfu: Sfu;
	readonly #pool: SessionPool;
	/** Live sessions, bound to a company. Warm, unbound ones live in the pool. */
	readonly #sessions = new Map<string, Session>();
	#server!: RunningServer;
	#idleTimer: NodeJS.Timeout | undefined;
	#retentionTimer: NodeJS.Timeout | undefined;
	/** Store writes in flight, awaited before the store closes. */
	readonly #writes = new Set<Promise<unknown>>();
	/** Session starts admitted but not yet bound, counted against the session limits. */
	readonly #admitted = new Set<Admitted>();
	/** Account changes, by user id, for live connections to follow (see {@link userChanged}). */
	readonly #userEvents = new EventEmitter().setMaxListeners(0);
	#closing = false;

	/** Opens the store and keys, starts the SFU, the server and the warm pool. */
	static async create(config: Config, logger: Logger, options: AlongsideOptions = {}): Promise<Alongside> {
		const { dataDir } = config.signaling;
		const metrics = new Metrics(options);
		// NOTE: first, so that a service that cannot isolate its cloud browsers (not root, no
		// browser user, no user namespaces) fails before it opens anything.
		const browserHost = await BrowserHost.create({
			config: config.publisher,
			logger: logger.child({ component: 'publisher' }),
			onEgressRefusal: (refusal) => metrics.egressRefusals.inc({ reason: refusal.reason }),
		});
		config = { ...config, publisher: { ...config.publisher, host: browserHost } };
		let store: Store;
		let keys: KeyStore;
		let firstRun: FirstRunInfo | null;
		try {
			fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
			// NOTE: the cloud browsers' user must not read the store and keys; a directory made
			// by an earlier version, or by hand, may be more open than mkdir's mode.
			fs.chmodSync(dataDir, 0o700);
			if (config.signaling.tls && (fs.statSync(config.signaling.tls.key).mode & 0o077) !== 0) {
				logger.warn('the TLS key file (ALONGSIDE_TLS_KEY) is readable by other users, the cloud browsers\' included: make it 0600 or 0400');
			}
			store = SqliteStore.open(path.join(dataDir, 'alongside.db'));
		} catch (error) {
			await browserHost.close();
			throw error;
		}
		let sfu: Sfu;
		let recordingStorage: (RecordingStorage & { close?(): void }) | undefined;
		try {
			keys = KeyStore.open(dataDir);
			recordingStorage = await openRecordingStorage(config.signaling.recordingStore, dataDir);
			firstRun = config.signaling.firstRunDemo ? await ensureFirstRun(store, dataDir, logger) : null;
			sfu = await Sfu.create(config.sfu, logger.child({ component: 'sfu' }));
		} catch (error) {
			recordingStorage?.close?.();
			await store.close();
			await browserHost.close();
			throw error;
		}
		const app = new Alongside(config, logger, sfu, store, keys, firstRun, metrics, recordingStorage);
		try {
			app.#server = await startServer({
				config: config.signaling,
				metrics: app.metrics,
				logger,
				api: app.#apiContext(),
				connection: {
					tokens: app.tokens,
					store,
					pins: app.pins,
					watchers: app.watchers,
					audit: app.audit,
					findSession: (id) => app.#sessions.get(id),
					recording: {
						mayRecord: (session, user) => app.#mayRecord(session, user, 'agent'),
						set: async (session, user, on) => {
							if (on) await app.recordings.start(session, user.name);
							else await app.recordings.stop(session, user.name);
						},
					},
					onUserChanged: (userId, listener) => {
						app.#userEvents.on(userId, listener);
						return () => app.#userEvents.off(userId, listener);
					},
					metrics: app.metrics,
					logger,
				},
				health: () => ({ ok: app.#sfu.healthy, sessions: app.#sessions.size, warm: app.#pool.ready }),
			});
			app.webhooks.start();
			const recovered = await app.recordings.recover();
			if (recovered > 0) logger.warn({ recovered }, 'finished recordings the last run left unfinished');
			await app.#pool.fill();
		} catch (error) {
			await app.close();
			throw error;
		}
		return app;
	}

	private constructor(config: Config, logger: Logger, sfu: Sfu, store: Store, keys: KeyStore, firstRun: FirstRunInfo | null, metrics: Metrics, recordingStorage: RecordingStorage & { close?(): void }) {
		this.config = config;
		this.#logger = logger;
		this.#sfu = sfu;
		this.store = store;
		this.firstRun = firstRun;
		this.metrics = metrics;
		this.audit = createAudit(store, logger, metrics);
		this.recordingStorage = recordingStorage;
		this.recordings = new Recordings({
			store,
			storage: this.recordingStorage,
			workDir: path.join(config.signaling.dataDir, 'recordings-work'),
			logger: logger.child({ component: 'recordings' }),
			metrics,
			ffmpeg: config.signaling.ffmpeg,
			onReady: (record) => {
				void this.store.getSession(record.sessionId).then((session) =>
					this.#webhook(record.companyId, 'recording.ready', { sessionId: record.sessionId, reference: session?.reference ?? null, recordingId: record.id, durationMs: record.durationMs, bytes: record.bytes }),
				);
			},
		});
		this.webhooks = new Webhooks({
			store,
			box: new SecretBox(() => keys.pinPepper),
			logger: logger.child({ component: 'webhooks' }),
			metrics,
			egress: { allow: config.publisher.egressAllow, protectedPorts: () => this.#protectedPorts() },
			allowHttp: config.signaling.webhooks.allowHttp,
			retryBaseMs: config.signaling.webhooks.retryBaseMs,
		});
		this.tokens = new TokenService({
			keys,
			store,
			accessTtlSeconds: config.signaling.accessTokenTtl,
			refreshTtlSeconds: config.signaling.refreshTokenTtl,
		});
		this.pins = new PinService({ store, pepper: keys.pinPepper, issueMax: config.signaling.pinIssueMax });
		this.apiKeys = new ApiKeys({ store, pepper: () => keys.pinPepper, ratePerSecond: config.signaling.apiKeyRate });
		this.#links = new RecordingLinks(keys.pinPepper);
		this.#pool = new SessionPool({
			size: config.signaling.warmBrowsers,
			create: () => this.#newSession(),
			logger: logger.child({ component: 'pool' }),
			metrics,
		});
		metrics.bind({
			sessions: () => this.#sessions.size,
			transports: () => [...this.#sessions.values()].reduce((n, s) => n + s.room.transportCount, 0),
		});
		this.#idleTimer = setInterval(() => this.#sweep(), 15_000);
		this.#idleTimer.unref();
		this.#retentionTimer = setInterval(() => this.#purge(), 3600_000);
		this.#retentionTimer.unref();
		this.#purge();
	}

	/** Base URL of the server, e.g. `http://localhost:8080`. */
	get url(): string {
		const scheme = this.config.signaling.tls ? 'https' : 'http';
		return this.config.signaling.publicUrl ?? `${scheme}://localhost:${this.#server.port}`;
	}

	get port(): number {
		return this.#server.port;
	}

	/** A live (bound) session. */
	session(id: string): Session | undefined {
		return this.#sessions.get(id);
	}

	/** The live (bound) sessions. */
	liveSessions(): Session[] {
		return [...this.#sessions.values()];
	}

	/** Process ids of the SFU workers. */
	get sfuPids(): number[] {
		return this.#sfu.workerPids;
	}

	/** Warm sessions ready now. */
	get warmSessions(): number {
		return this.#pool.ready;
	}

	/** A user's account changed (disabled, role, permissions): their live connections apply it now. */
	userChanged(userId: string): void {
		this.#userEvents.emit(userId);
	}

	/** A company saved its masking rules: each of its live sessions applies them now. */
	rulesChanged(companyId: string, rules: CompanyRules): void {
		const mask = detectorRules(rules);
		// NOTE: an admin's preview keeps the draft rules it shows.
		for (const session of this.#sessions.values()) if (!session.ended && session.binding?.companyId === companyId && !session.binding.preview) session.setRules(mask);
	}

	/**
	 * Starts a session for an agent: a warm one from the pool when there is one, else a new
	 * cloud browser. The session is bound to the agent's company.
	 *
	 * Refused (LimitReachedError) when this machine, the company or the agent already runs as
	 * many sessions as allowed; with `replace`, the agent's own live sessions end first.
	 */
	async startSession(agent: User, pinId: string | null = null, options: { replace?: boolean; preview?: boolean; locale?: { lang: string; timeZone?: string } | null; reference?: string | null } = {}): Promise<Session> {
		// NOTE: an admin has one rules preview at a time, besides any session they run as an
		// agent (a preview neither replaces one nor counts against the agent's limit).
		const preview = options.preview === true;
		const replaced = this.liveSessions().filter(
			(s) => !s.ended && s.binding?.agentUserId === agent.id && (preview ? s.binding.preview === true : options.replace === true && !s.binding.preview),
		);
		// NOTE: admitted before the agent's other sessions end, not counting them: a start the
		// company's or the machine's limit refuses must not cost the agent the session it has.
		const admitted = this.#admit(agent, new Set(replaced), preview);
		try {
			await Promise.all(replaced.map((s) => s.end('agent_ended')));
			return await this.#startSession(agent, pinId, admitted, options.locale ?? undefined, options.reference ?? null);
		} finally {
			this.#admitted.delete(admitted);
		}
	}

	/**
	 * Counts a start against the limits and reserves its place, before anything is awaited:
	 * two starts at once cannot both pass a check that only one may pass.
	 */
	#admit(agent: User, ending: Set<Session>, preview: boolean): Admitted {
		const { host, company, agent: perAgent } = this.config.signaling.sessionLimits;
		const running = [...[...this.#sessions.values()].filter((s) => !s.ended && !ending.has(s)).map((s) => s.binding!), ...this.#admitted];
		if (running.length >= host) {
			throw new LimitReachedError('sessions_per_host', 'this service runs as many sessions as it can; try again in a minute', 'at_capacity', 503, 60);
		}
		if (running.filter((r) => r.companyId === agent.companyId).length >= company) {
			throw new LimitReachedError('sessions_per_company', `your company may run ${company} sessions at once; end one first`);
		}
		if (preview) {
			if (running.some((r) => r.agentUserId === agent.id && r.preview)) throw new LimitReachedError('sessions_per_agent', 'you already have a preview open; close it first', 'agent_busy');
		} else if (running.filter((r) => r.agentUserId === agent.id && !r.preview).length >= perAgent) {
			throw new LimitReachedError('sessions_per_agent', perAgent === 1 ? 'you already have a live session; end it first' : `you already have ${perAgent} live sessions; end one first`, 'agent_busy');
		}
		const admitted: Admitted = { companyId: agent.companyId, agentUserId: agent.id, preview };
		this.#admitted.add(admitted);
		return admitted;
	}

	async #startSession(agent: User, pinId: string | null, admitted: Admitted, locale?: { lang: string; timeZone?: string }, reference: string | null = null): Promise<Session> {
		const { preview } = admitted;
		const company = await this.store.getCompany(agent.companyId);
		if (!company) throw new NotFoundError('company');
		// NOTE: a cold session is returned while its browser launches: the agent's join and
		// transports are set up meanwhile, and the video consumer waits for the producer.
		const rules = detectorRules(await this.store.getRules(company.id));
		const session = this.#pool.take() ?? (await this.#newSession());
		session.bind({
			rules,
			preview,
			companyId: company.id,
			agentUserId: agent.id,
			agentName: agent.name,
			announceSupervision: company.settings.announceSupervision,
			allowedDomains: company.settings.allowedDomains,
			customerAnnotations: company.settings.customerAnnotations,
			agentNameFormat: company.settings.agentNameFormat,
			recording: company.settings.recording,
			...(locale ? { locale } : {}),
		});
		this.#sessions.set(session.id, session);
		// NOTE: counted as a live session from here on, no longer as an admitted start.
		this.#admitted.delete(admitted);
		const url = company.settings.startUrl;
		if (url && !preview) {
			void session.ready
				.then(() => session.browser.navigate(url))
				.catch((error: Error) => this.#logger.warn({ sessionId: session.id, err: error.message }, 'start page did not load'));
		}
		await this.store.insertSession({
			id: session.id,
			companyId: company.id,
			agentUserId: agent.id,
			pinId,
			startedAt: session.boundAt,
			endedAt: null,
			endReason: null,
			reference,
		});
		if (!preview) this.#webhook(company.id, 'session.started', { sessionId: session.id, reference, agent: { id: agent.id, name: agent.name }, startedAt: session.boundAt });
		session.on('event', ({ at, ...event }) => {
			const { type, ...detail } = event;
			this.#track(this.store.insertSessionEvent({ sessionId: session.id, at, type, detail })).catch((error: unknown) => {
				this.metrics.backgroundErrors.inc({ kind: 'store' });
				this.#logger.error({ err: error, sessionId: session.id }, 'could not keep a session event');
			});
		});
		session.on('refused', ({ actor, reason, kind }) => {
			// NOTE: what was tried and why it was refused; never what the page showed or held.
			this.audit({ companyId: company.id, actorType: 'user', actorId: actor, action: 'input.refused', sessionId: session.id, detail: { reason, kind } });
			session.log({ type: 'input.refused', name: session.binding?.agentName ?? '', reason, kind });
			if (!preview) this.#webhook(company.id, 'policy.refused', { sessionId: session.id, reference, agent: { id: agent.id, name: agent.name }, reason, kind, at: Date.now() });
		});
		session.on('chat', (message) => {
			// NOTE: kept as written, for the report (which only supervisors and admins read,
			// with what masking hides replaced); never logged.
			const customer = message.role === 'customer';
			const write = this.store.insertSessionMessage({
				sessionId: session.id,
				at: message.at,
				authorType: customer ? 'customer' : 'user',
				authorId: message.actor.slice(message.actor.indexOf(':') + 1),
				authorName: message.name,
				authorRole: message.role,
				text: message.text,
				note: message.note === true,
			});
			this.#track(write).catch((error: unknown) => {
				this.metrics.backgroundErrors.inc({ kind: 'store' });
				this.#logger.error({ err: error, sessionId: session.id }, 'could not keep a chat message');
			});
		});
		session.on('control', ({ actor, paused }) => {
			this.audit({ companyId: company.id, actorType: 'customer', actorId: actor.slice(actor.indexOf(':') + 1), action: paused ? 'control.paused' : 'control.resumed', sessionId: session.id, detail: {} });
			session.log({ type: paused ? 'control.paused' : 'control.resumed' });
		});
		// NOTE: recorded from its start where the company records every session of agents who may record.
		if (this.#mayRecord(session, agent, 'always')) void session.ready.then(() => this.#recordFromStart(session), () => undefined);
		session.once('ended', (reason) => {
			this.#sessions.delete(session.id);
			// NOTE: the session record and audit entries are the report; its PIN is session data.
			this.#track(Promise.all([this.store.endSession(session.id, Date.now(), reason), this.store.deleteSessionPins(session.id)])).catch((error: unknown) => {
				this.metrics.backgroundErrors.inc({ kind: 'store' });
				this.#logger.error({ err: error, sessionId: session.id }, 'could not record session end');
			});
			this.audit({ companyId: company.id, actorType: 'system', actorId: null, action: 'session.ended', sessionId: session.id, detail: { reason } });
			const endedAt = Date.now();
			if (!preview) this.#webhook(company.id, 'session.ended', { sessionId: session.id, reference, agent: { id: agent.id, name: agent.name }, reason, startedAt: session.boundAt, endedAt, durationMs: endedAt - session.boundAt });
		});
		return session;
	}

	/**
	 * The service's own ports (HTTP, every SFU worker's), which neither a cloud browser nor a
	 * webhook may reach whatever ALONGSIDE_EGRESS_ALLOW says. The HTTP port is known once the
	 * server listens.
	 */
	#protectedPorts(): number[] {
		return [this.port, ...Array.from({ length: this.config.sfu.workers }, (_, i) => this.config.sfu.port + i)];
	}

	/** Queues a webhook event (in the store's outbox: sent, and retried, in the background). */
	#webhook(companyId: string, type: WebhookEventType, data: Record<string, unknown>): void {
		this.#track(this.webhooks.emit(companyId, type, data)).catch((error: unknown) => {
			this.metrics.backgroundErrors.inc({ kind: 'store' });
			this.#logger.error({ err: error, type }, 'could not queue a webhook event');
		});
	}

	/**
	 * Starts recording a session the company records from its start. A recorder that cannot
	 * start (ffmpeg slow to come up on a loaded host, no frame yet) is tried again a few
	 * times; if it never starts, everyone is told and the timeline says so.
	 */
	async #recordFromStart(session: Session): Promise<void> {
		const waits = [1000, 3000];
		for (let attempt = 0; ; attempt++) {
			try {
				await this.recordings.start(session, null);
				return;
			} catch (error) {
				const last = attempt >= waits.length;
				this.#logger.warn({ sessionId: session.id, err: (error as Error).message, attempt: attempt + 1 }, last ? 'recording did not start; the session goes on unrecorded' : 'recording did not start; trying again');
				if (session.ended) return;
				if (last) {
					session.setRecording(false, true);
					session.log({ type: 'recording.stopped', by: null, reason: 'failed' });
					return;
				}
				await new Promise((resolve) => setTimeout(resolve, waits[attempt]));
				if (session.ended) return;
			}
		}
	}

	/**
	 * Whether a session is recorded under the company's `policy` with this user as its agent:
	 * never a rules preview; the company's setting as the session was bound; the user's
	 * permission as the account is now.
	 */
	#mayRecord(session: Session, user: User, policy: 'always' | 'agent'): boolean {
		const binding = session.binding;
		if (!binding || binding.preview || binding.agentUserId !== user.id || user.disabled) return false;
		return binding.recording === policy && user.permissions.record;
	}

	/** Ends every session, stops the server, the pool and the SFU. Safe to call twice. */
	async close(): Promise<void> {
		if (this.#closing) return;
		this.#closing = true;
		clearInterval(this.#idleTimer);
		clearInterval(this.#retentionTimer);
		await this.#pool.close();
		await Promise.all([...this.#sessions.values()].map((s) => s.end('server_shutdown')));
		await this.recordings.settled();
		await this.webhooks.stop();
		await this.#server?.close();
		this.recordingStorage.close?.();
		this.#sfu.close();
		// NOTE: after every browser has stopped: this deletes the instance's directory.
		await this.config.publisher.host?.close();
		await Promise.allSettled(this.#writes);
		await this.store.close();
	}

	#track<T>(write: Promise<T>): Promise<T> {
		this.#writes.add(write);
		void write.finally(() => this.#writes.delete(write)).catch(() => undefined);
		return write;
	}

	/** A new unbound session, whose cloud browser starts in the background. */
	#newSession(): Promise<Session> {
		const id = randomUUID();
		return Session.start({
			id,
			sfu: this.#sfu,
			publisherConfig: { ...this.config.publisher, protectedPorts: this.#protectedPorts() },
			startUrl: this.config.signaling.startUrl ?? WELCOME_URL,
			logger: this.#logger.child({ sessionId: id }),
			metrics: this.metrics,
		});
	}

	/** Every 15 s: ends idle sessions and deletes expired PINs. */
	#sweep(): void {
		this.apiKeys.sweep();
		const limit = this.config.signaling.sessionIdleTimeout * 1000;
		for (const session of this.#sessions.values()) if (session.idleMs > limit) void session.end('idle');
		this.store.deleteExpiredPins(Date.now()).catch((error: unknown) => {
			this.metrics.backgroundErrors.inc({ kind: 'store' });
			this.#logger.error({ err: error }, 'could not delete expired PINs');
		});
	}

	/**
	 * Hourly: deletes what is kept only for a while (attempt counters after an hour,
	 * expired refresh tokens, audit entries past the retention period).
	 */
	#purge(): void {
		void this.#track(this.#expireReports(Date.now())).catch((error: unknown) => {
			this.metrics.backgroundErrors.inc({ kind: 'store' });
			this.#logger.error({ err: error }, 'report retention failed');
		});
		const now = Date.now();
		const auditBefore = now - this.config.signaling.auditRetentionDays * 86400_000;
		// NOTE: finished webhook deliveries are kept a month, for the admin page.
		this.#track(this.store.purgeDeliveries(now - 30 * 86400_000)).catch((error: unknown) => this.#logger.error({ err: error }, 'webhook delivery purge failed'));
		this.#track(this.store.purge(now, { attemptsBefore: now - 3600_000, auditBefore }))
			.then((purged) => this.#logger.debug({ purged }, 'retention purge'))
			.catch((error: unknown) => {
				this.metrics.backgroundErrors.inc({ kind: 'store' });
				this.#logger.error({ err: error }, 'retention purge failed');
			});
	}

	/** Deletes a session's report: its recordings' files first, then its rows. Returns how many recordings went. */
	async #deleteReport(sessionId: string): Promise<number> {
		const recordings = await this.store.listSessionRecordings(sessionId);
		for (const recording of recordings) await this.recordings.delete(recording);
		await this.store.deleteSessionReport(sessionId);
		return recordings.length;
	}

	/**
	 * Deletes, for good, the reports (and recordings) of sessions that ended longer ago than
	 * their company keeps them, each deletion audited. Returns how many reports went.
	 */
	async expireReports(now = Date.now()): Promise<number> {
		return this.#expireReports(now);
	}

	async #expireReports(now: number): Promise<number> {
		let deleted = 0;
		for (const companyId of await this.store.listCompanyIds()) {
			const company = await this.store.getCompany(companyId);
			if (!company) continue;
			const before = now - company.settings.retentionDays * 86400_000;
			for (;;) {
				const expired = await this.store.listEndedSessions(companyId, before, 100);
				for (const session of expired) {
					const recordings = await this.#deleteReport(session.id);
					this.audit({ companyId, actorType: 'system', actorId: null, action: 'report.deleted', sessionId: session.id, detail: { reason: 'retention', retentionDays: company.settings.retentionDays, recordings } });
					deleted++;
				}
				if (expired.length < 100) break;
			}
		}
		return deleted;
	}

	#apiContext(): ApiContext {
		const info = (s: Session): LiveSessionInfo => ({
			id: s.id,
			companyId: s.binding!.companyId,
			agentUserId: s.binding!.agentUserId,
			agentName: s.binding!.agentName,
			startedAt: s.boundAt,
			customerPresent: s.customerPresent,
			url: s.browserStateFor('agent').url,
			title: s.browserStateFor('agent').title,
			refusals: s.refusals,
		});
		const directory: SessionDirectory = {
			// NOTE: an admin's rules preview is not a session anyone else should see or join.
			live: (companyId) => [...this.#sessions.values()].filter((s) => !s.ended && s.binding?.companyId === companyId && !s.binding.preview).map(info),
			get: (id) => {
				const s = this.#sessions.get(id);
				return s && !s.ended && !s.binding?.preview ? info(s) : undefined;
			},
			thumbnail: async (id) => {
				const s = this.#sessions.get(id);
				if (!s || s.ended || s.binding?.preview) return undefined;
				return (await s.thumbnail().catch(() => null)) ?? undefined;
			},
		};
		return {
			store: this.store,
			apiKeys: this.apiKeys,
			webhooks: this.webhooks,
			publicUrl: (ctx) => this.config.signaling.publicUrl ?? `${ctx.protocol}://${ctx.host}`,
			tokens: this.tokens,
			config: this.config,
			logger: this.#logger,
			metrics: this.metrics,
			sessions: directory,
			pins: this.pins,
			watchers: this.watchers,
			audit: this.audit,
			startSession: (agent, pinId, options) => this.startSession(agent, pinId, options),
			liveSession: (id) => {
				const s = this.session(id);
				return s && !s.ended ? s : undefined;
			},
			uploadFor: (token) => [...this.#sessions.values()].find((s) => !s.ended && s.hasUpload(token)),
			downloadFor: (token) => {
				for (const s of this.#sessions.values()) {
					const file = s.ended ? undefined : s.download(token);
					if (file) return file;
				}
				return undefined;
			},
			userChanged: (userId) => this.userChanged(userId),
			rulesChanged: (companyId, rules) => this.rulesChanged(companyId, rules),
			links: this.#links,
			recordingStorage: this.recordingStorage,
			deleteRecording: (recording) => this.recordings.delete(recording),
			deleteReport: (sessionId) => this.#deleteReport(sessionId),
			allowedDomainsChanged: (companyId, allowedDomains) => {
				for (const session of this.#sessions.values()) if (!session.ended && session.binding?.companyId === companyId) session.setAllowedDomains(allowedDomains);
			},
		};
	}
}
