/**
 * The whole service in one process tree: SFU workers, cloud browsers, and the signaling
 * server, wired together. `index.ts` runs it; tests and benchmarks start it on port 0.
 */
import type { Logger } from 'pino';
import { Sfu } from '../sfu/Sfu.js';
import type { Config } from './config.js';
import { MemoryTokens } from './credentials.js';
import { Metrics } from './metrics.js';
import type { Role } from './protocol.js';
import { type RunningServer, startServer } from './server.js';
import { Session } from './Session.js';

export interface DemoLinks {
	agent: string;
	customer: string;
	supervisor: string;
}

/** The id of the session started at boot when demo mode is on. */
export const DEMO_SESSION_ID = 'demo';

export class Alongside {
	readonly config: Config;
	readonly metrics: Metrics;
	readonly tokens = new MemoryTokens();
	readonly #logger: Logger;
	readonly #sfu: Sfu;
	readonly #sessions = new Map<string, Session>();
	#server!: RunningServer;
	#demoLinks: DemoLinks | undefined;
	#closing = false;

	/** Starts the SFU and the server, then (in demo mode) the demo session. */
	static async create(config: Config, logger: Logger, options: { defaultMetrics?: boolean } = {}): Promise<Alongside> {
		const sfu = await Sfu.create(config.sfu, logger.child({ component: 'sfu' }));
		const app = new Alongside(config, logger, sfu, new Metrics(options));
		try {
			app.#server = await startServer({
				host: config.signaling.host,
				port: config.signaling.port,
				wsMaxFrame: config.signaling.wsMaxFrame,
				metrics: app.metrics,
				logger,
				connection: {
					verifier: app.tokens,
					findSession: (id) => app.#sessions.get(id),
					metrics: app.metrics,
					logger,
				},
				health: () => ({ ok: app.#sfu.healthy, sessions: app.#sessions.size }),
			});
			if (config.signaling.demo) await app.startDemo();
		} catch (error) {
			await app.close();
			throw error;
		}
		return app;
	}

	private constructor(config: Config, logger: Logger, sfu: Sfu, metrics: Metrics) {
		this.config = config;
		this.#logger = logger;
		this.#sfu = sfu;
		this.metrics = metrics;
		metrics.bind({
			sessions: () => this.#sessions.size,
			transports: () => [...this.#sessions.values()].reduce((n, s) => n + s.room.transportCount, 0),
		});
	}

	/** Base URL of the server, e.g. `http://localhost:8080`. */
	get url(): string {
		return this.config.signaling.publicUrl ?? `http://localhost:${this.#server.port}`;
	}

	/** The loopback URL the cloud browsers use to reach this server's own pages. */
	get loopbackUrl(): string {
		return `http://127.0.0.1:${this.#server.port}`;
	}

	get port(): number {
		return this.#server.port;
	}

	get demoLinks(): DemoLinks | undefined {
		return this.#demoLinks;
	}

	session(id: string): Session | undefined {
		return this.#sessions.get(id);
	}

	/** Process ids of the SFU workers. */
	get sfuPids(): number[] {
		return this.#sfu.workerPids;
	}

	/** Starts a session with a cloud browser on `startUrl` (default: the welcome page). */
	async createSession(id: string, startUrl?: string): Promise<Session> {
		const session = await Session.create({
			id,
			sfu: this.#sfu,
			publisherConfig: this.config.publisher,
			startUrl: startUrl ?? this.config.signaling.startUrl ?? `${this.loopbackUrl}/welcome/`,
			logger: this.#logger.child({ sessionId: id }),
			metrics: this.metrics,
		});
		this.#sessions.set(id, session);
		session.once('ended', () => {
			this.#sessions.delete(id);
			this.tokens.revokeSession(id);
		});
		return session;
	}

	/** Issues a link for a participant of a session. The token rides in the fragment, so it never reaches server logs. */
	link(sessionId: string, role: Role, name: string): string {
		const token = this.tokens.issue({ sessionId, role, name });
		const app = role === 'customer' ? 'customer' : 'agent';
		return `${this.url}/${app}/#t=${token}`;
	}

	/** Starts the demo session and issues its links. */
	async startDemo(): Promise<DemoLinks> {
		await this.createSession(DEMO_SESSION_ID);
		this.#demoLinks = {
			agent: this.link(DEMO_SESSION_ID, 'agent', 'Alex'),
			customer: this.link(DEMO_SESSION_ID, 'customer', 'Casey'),
			supervisor: this.link(DEMO_SESSION_ID, 'supervisor', 'Sam'),
		};
		return this.#demoLinks;
	}

	/** Ends every session, stops the server and the SFU. Safe to call twice. */
	async close(): Promise<void> {
		if (this.#closing) return;
		this.#closing = true;
		await Promise.all([...this.#sessions.values()].map((s) => s.end('server_shutdown')));
		await this.#server?.close();
		this.#sfu.close();
	}
}
