/**
 * Support for the REST integration tests: a real koa app on port 0 with the given route
 * modules, a real SQLite store in memory, real keys in a temporary directory and the real
 * TokenService. Not used by the service itself.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type Router from '@koa/router';
import { RecordingLinks } from '../recordings/links.js';
import { LocalRecordingStorage } from '../recordings/storage.js';
import Koa from 'koa';
import { createAudit } from '../audit.js';
import { ClientAddresses } from '../clientAddress.js';
import { KeyStore } from '../auth/KeyStore.js';
import { hashPassword } from '../auth/passwords.js';
import { TokenService } from '../auth/TokenService.js';
import { loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { Metrics } from '../metrics.js';
import { ApiKeys } from '../apikeys/ApiKeys.js';
import { SecretBox } from '../webhooks/secrets.js';
import { Webhooks } from '../webhooks/Webhooks.js';
import { parseEgressAllowList } from '../../publisher/egress/policy.js';
import { PinService } from '../pins/PinService.js';
import { PinWatchers } from '../pins/PinWatchers.js';
import { SqliteStore } from '../store/SqliteStore.js';
import type { Company, User, UserRole } from '../store/Store.js';
import type { AuthResponse } from './auth/schema.js';
import { DEFAULT_PERMISSIONS } from './common.js';
import type { ApiContext } from './context.js';
import { ALLOWED_METHODS, errorMiddleware } from './errors-middleware.js';

/** The password every seeded user gets. */
export const TEST_PASSWORD = 'correct horse battery staple';

// NOTE: one scrypt hash shared by every seeded user keeps the tests fast.
let testPasswordHash: Promise<string> | undefined;
let userCounter = 0;
/** The company of each seeded email, for login. */
const seededCompany = new Map<string, string>();
/** The company of a test email not seeded here (created through the API): `x@acme.test` → `acme`. */
const companyOfDomain = (email: string): string => email.split('@')[1]?.split('.')[0]?.toLowerCase() ?? '';

export interface TestApi {
	url: string;
	api: ApiContext;
	store: SqliteStore;
	keys: KeyStore;
	tokens: TokenService;
	/** Creates a company with default settings. */
	seedCompany(id: string, name?: string): Promise<Company>;
	/** Creates a user with {@link TEST_PASSWORD} and the role's default permissions. */
	seedUser(companyId: string, email: string, role: UserRole, overrides?: Partial<User>): Promise<User>;
	/** Logs in through POST /api/auth/login (with the seeded user's company); throws unless it answers 200. */
	login(email: string, password?: string): Promise<AuthResponse>;
	/** fetch() against the server, with an optional bearer token and JSON body. */
	request(method: string, path: string, options?: { token?: string; body?: unknown; headers?: Record<string, string> }): Promise<Response>;
	close(): Promise<void>;
}

/** Starts a server with the given route modules (the auth routes are usually among them). */
export async function startTestApi(routes: Array<(api: ApiContext) => Router>): Promise<TestApi> {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alongside-api-'));
	const store = SqliteStore.open(':memory:');
	const keys = KeyStore.open(dir);
	const tokens = new TokenService({ keys, store });
	const logger = createLogger('silent');
	const metrics = new Metrics({ defaultMetrics: false });
	const api: ApiContext = {
		store,
		apiKeys: new ApiKeys({ store, pepper: () => keys.pinPepper, ratePerSecond: 10 }),
		webhooks: new Webhooks({ store, box: new SecretBox(() => keys.pinPepper), logger, metrics, egress: { allow: parseEgressAllowList('127.0.0.0/8'), protectedPorts: () => [] }, allowHttp: true, retryBaseMs: 50 }),
		publicUrl: (ctx) => `${ctx.protocol}://${ctx.host}`,
		tokens,
		config: loadConfig({ ALONGSIDE_DATA_DIR: dir }),
		logger,
		metrics,
		sessions: { live: () => [], get: () => undefined, thumbnail: async () => undefined },
		pins: new PinService({ store, pepper: keys.pinPepper }),
		watchers: new PinWatchers(),
		audit: createAudit(store, logger, metrics),
		startSession: () => Promise.reject(new Error('sessions are not started in REST tests')),
		uploadFor: () => undefined,
		downloadFor: () => undefined,
		userChanged: () => undefined,
		rulesChanged: () => undefined,
		allowedDomainsChanged: () => undefined,
		liveSession: () => undefined,
		links: new RecordingLinks(keys.pinPepper),
		recordingStorage: new LocalRecordingStorage(path.join(dir, 'recordings')),
		deleteRecording: async (recording) => store.deleteRecording(recording.id),
		deleteReport: async (sessionId) => {
			const recordings = await store.listSessionRecordings(sessionId);
			await store.deleteSessionReport(sessionId);
			return recordings.length;
		},
	};

	const app = new Koa();
	// NOTE: the client's address comes from X-Forwarded-For through one trusted hop, as behind
	// an ingress, so tests can speak for several addresses (the real server's own code).
	const addresses = new ClientAddresses({ kind: 'hops', hops: 1 });
	app.use(async (ctx, next) => {
		ctx.request.ip = addresses.of(ctx.req);
		await next();
	});
	app.use(errorMiddleware(metrics, logger));
	for (const build of routes) {
		const router = build(api);
		app.use(router.routes());
		app.use(router.allowedMethods(ALLOWED_METHODS));
	}
	const server = http.createServer(app.callback());
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const address = server.address();
	const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

	const request: TestApi['request'] = (method, urlPath, options = {}) =>
		fetch(`${url}${urlPath}`, {
			method,
			headers: {
				...(options.body === undefined || options.body instanceof Uint8Array ? {} : { 'Content-Type': 'application/json' }),
				...(options.token ? { Authorization: `Bearer ${options.token}` } : {}),
				...options.headers,
			},
			// NOTE: bytes are sent as they are (an upload); anything else as JSON.
			body: options.body === undefined ? undefined : options.body instanceof Uint8Array ? Buffer.from(options.body) : JSON.stringify(options.body),
		});

	return {
		url,
		api,
		store,
		keys,
		tokens,
		async seedCompany(id, name = `Company ${id}`) {
			const company: Company = { id, name, settings: { announceSupervision: false, pinTtlSeconds: 600, brandName: null, startUrl: null, allowedDomains: [], customerAnnotations: false, brandColor: null, agentNameFormat: 'full', logoVersion: null, recording: 'off', retentionDays: 30, outcomes: [] }, createdAt: Date.now() };
			await store.createCompany(company);
			return company;
		},
		async seedUser(companyId, email, role, overrides = {}) {
			const user: User = {
				id: `user-${++userCounter}`,
				companyId,
				email,
				name: email.split('@')[0] as string,
				role,
				permissions: DEFAULT_PERMISSIONS[role],
				disabled: false,
				passwordHash: await (testPasswordHash ??= hashPassword(TEST_PASSWORD)),
				createdAt: Date.now(),
				...overrides,
			};
			await store.createUser(user);
			seededCompany.set(email, companyId);
			return user;
		},
		async login(email, password = TEST_PASSWORD) {
			const response = await request('POST', '/api/auth/login', { body: { company: seededCompany.get(email) ?? companyOfDomain(email), email, password } });
			if (response.status !== 200) throw new Error(`login as ${email} answered ${response.status}: ${await response.text()}`);
			return (await response.json()) as AuthResponse;
		},
		request,
		async close() {
			await api.webhooks.stop();
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
			await store.close();
			fs.rmSync(dir, { recursive: true, force: true });
		},
	};
}
