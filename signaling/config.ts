/**
 * Configuration of the whole service, read once from the environment. Every key has a
 * default, so a fresh machine runs with no configuration at all. Secrets are never read
 * from here into logs.
 */
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { parseTrustProxy, type TrustProxy } from './clientAddress.js';
import { loadPublisherConfig, type PublisherConfig } from '../publisher/config.js';
import { loadSfuConfig, type SfuConfig } from '../sfu/config.js';
import { ConfigError, readEnv } from '../protocol/env.js';

const SignalingEnv = z.object({
	/** Interface the HTTP server listens on. Default `0.0.0.0`, so phones on the LAN can connect. */
	ALONGSIDE_HOST: z.string().min(1).default('0.0.0.0'),
	/** HTTP port. Default 8080; 0 picks a free port (tests). */
	ALONGSIDE_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
	/** Base URL printed in links, e.g. `https://cobrowse.example.com`. Default: http://localhost:PORT. */
	ALONGSIDE_PUBLIC_URL: z.url().optional(),
	/** Where the service keeps its files (store, keys). Default `.alongside` in the working directory. */
	ALONGSIDE_DATA_DIR: z.string().min(1).default('.alongside'),
	/** Log level: fatal, error, warn, info, debug, trace or silent. Default `info`. */
	ALONGSIDE_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
	/** The page a new session's cloud browser opens. Default: the built-in welcome page. */
	ALONGSIDE_START_URL: z.url().optional(),
	/**
	 * On first run (empty store), create the company `demo` with an admin, an agent and a
	 * supervisor whose generated passwords are printed once and written to
	 * `<data dir>/first-run-credentials.txt`. Default true.
	 */
	ALONGSIDE_FIRST_RUN_DEMO: z.enum(['true', 'false']).default('true'),
	/** Cloud browsers kept launched and ready for the next PIN. Default 1; 0 disables. */
	ALONGSIDE_WARM_BROWSERS: z.coerce.number().int().min(0).max(32).default(1),
	/** PINs one network address may request per 10 minutes. Default 30. */
	ALONGSIDE_PIN_ISSUE_MAX: z.coerce.number().int().min(1).max(100_000).default(30),
	/** Lifetime of access tokens, in seconds. Default 600 (10 minutes). */
	ALONGSIDE_ACCESS_TOKEN_TTL: z.coerce.number().int().min(60).max(3600).default(600),
	/** Lifetime of refresh tokens, in seconds. Default 604800 (7 days). */
	ALONGSIDE_REFRESH_TOKEN_TTL: z.coerce.number().int().min(600).max(90 * 86400).default(7 * 86400),
	/** A session with no input and no joins for this many seconds ends as `idle`. Default 1800. */
	ALONGSIDE_SESSION_IDLE_TIMEOUT: z.coerce.number().int().min(30).max(86400).default(1800),
	/** TLS certificate (PEM file). With ALONGSIDE_TLS_KEY, the server speaks HTTPS and WSS. */
	ALONGSIDE_TLS_CERT: z.string().min(1).optional(),
	/** TLS private key (PEM file). */
	ALONGSIDE_TLS_KEY: z.string().min(1).optional(),
	/**
	 * Which reverse proxies may report the client's address in X-Forwarded-For (attempt
	 * limits, per-address limits, audit): `false` (default: none, the socket's peer is the
	 * client), the number of proxy hops in front of the service (`1` behind one ingress), or
	 * their addresses and CIDR ranges (`10.0.0.0/8,loopback`). Each hop must append the
	 * address it saw. `true` is refused: it would trust whatever a client writes there.
	 */
	ALONGSIDE_TRUST_PROXY: z
		.string()
		.default('false')
		.transform((value, ctx) => {
			try {
				return parseTrustProxy(value);
			} catch (error) {
				ctx.addIssue({ code: 'custom', message: (error as Error).message });
				return z.NEVER;
			}
		}),
	/**
	 * Origins, besides the service's own, whose pages may open the signaling WebSocket
	 * (comma-separated, e.g. `https://www.example.com`). Default none. Browsers always send
	 * Origin; a WebSocket from any other origin is refused (403) at the upgrade.
	 */
	ALONGSIDE_ALLOWED_ORIGINS: z
		.string()
		.default('')
		.transform((value, ctx) => {
			const origins: string[] = [];
			for (const [index, entry] of value.split(',').map((e) => e.trim()).filter(Boolean).entries()) {
				const parsed = URL.canParse(entry) ? new URL(entry) : undefined;
				if (!parsed || !/^https?:$/.test(parsed.protocol) || parsed.origin !== entry.replace(/\/$/, '')) {
					// NOTE: named by position, not quoted: configuration values are never echoed (see readEnv).
					ctx.addIssue({ code: 'custom', message: `entry ${index + 1} is not an origin like https://www.example.com` });
					return z.NEVER;
				}
				origins.push(parsed.origin);
			}
			return origins;
		}),
	/** Largest WebSocket frame accepted, in bytes. Default 64 KiB. */
	ALONGSIDE_WS_MAX_FRAME: z.coerce.number().int().min(1024).max(16 * 1024 * 1024).default(64 * 1024),
	/**
	 * Where the URL bar sends words that are not a web address: an http(s) URL with `%s` for
	 * the words, or `none` to refuse them with a message. Default DuckDuckGo. (A company that
	 * names its allowed sites must name the search engine too.)
	 */
	ALONGSIDE_SEARCH_URL: z
		.string()
		.refine((v) => v === 'none' || (/^https?:\/\//.test(v) && v.includes('%s') && URL.canParse(v.replace('%s', 'x'))), 'expected an http(s) URL with %s for the words, or none')
		.default('https://duckduckgo.com/?q=%s'),
	/** Seconds a new WebSocket has to join a session or watch a PIN before it is closed. Default 10. */
	ALONGSIDE_JOIN_TIMEOUT: z.coerce.number().int().min(1).max(300).default(10),
	/** Seconds a client has to send a request's headers before the connection is closed. Default 10. */
	ALONGSIDE_HTTP_HEADERS_TIMEOUT: z.coerce.number().int().min(1).max(120).default(10),
	/** Concurrent TCP connections one client address may hold (IPv6: per /64). Default 200. */
	ALONGSIDE_MAX_SOCKETS_PER_ADDRESS: z.coerce.number().int().min(1).max(100_000).default(200),
	/** New TCP connections per second one client address may open (bursts of twice that). Default 20. */
	ALONGSIDE_SOCKETS_PER_SECOND_PER_ADDRESS: z.coerce.number().int().min(1).max(100_000).default(20),
	/** Concurrent WebSockets one client address may hold. Default 100 (a contact centre behind one NAT). */
	ALONGSIDE_MAX_WEBSOCKETS_PER_ADDRESS: z.coerce.number().int().min(1).max(100_000).default(100),
	/** WebSocket frames per second one client address may send (bursts of twice that). Default 100. */
	ALONGSIDE_WS_FRAMES_PER_SECOND_PER_ADDRESS: z.coerce.number().int().min(1).max(100_000).default(100),
	/**
	 * Live sessions this machine runs at once (each has its own Chromium, about one core
	 * when the page moves). Default: twice the CPU cores, at least 2.
	 */
	ALONGSIDE_MAX_SESSIONS: z.coerce.number().int().min(1).max(10_000).default(Math.max(2, 2 * os.availableParallelism())),
	/** Live sessions one company may run at once. Default: ALONGSIDE_MAX_SESSIONS. */
	ALONGSIDE_MAX_SESSIONS_PER_COMPANY: z.coerce.number().int().min(1).max(10_000).optional(),
	/** Live sessions one agent may run at once. Default 1. */
	ALONGSIDE_MAX_SESSIONS_PER_AGENT: z.coerce.number().int().min(1).max(100).default(1),
	/** Days the audit log is kept; older entries are deleted. Default 365. */
	ALONGSIDE_AUDIT_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(365),
	/** Requests a second one API key may make to /api/v1, sustained (bursts of twice that). Default 10. */
	ALONGSIDE_API_KEY_RATE: z.coerce.number().int().min(1).max(10_000).default(10),
	/** Webhook endpoints may be plain http:// (development only; never in production). Default false. */
	ALONGSIDE_WEBHOOKS_ALLOW_HTTP: z.enum(['true', 'false']).default('false'),
	/** The wait before a failed webhook delivery is tried again (ms); later waits grow from it, about a day in all at the default 10000. */
	ALONGSIDE_WEBHOOK_RETRY_MS: z.coerce.number().int().min(10).max(600_000).default(10_000),
	/** The ffmpeg that writes recordings (a path, or a name looked up in PATH). Default `ffmpeg`. */
	ALONGSIDE_FFMPEG: z.string().min(1).default('ffmpeg'),
	/**
	 * Keep recordings in this S3 bucket (AWS, or any S3-compatible store with
	 * ALONGSIDE_RECORDINGS_S3_ENDPOINT) instead of the data directory. Credentials come from
	 * the AWS SDK's usual chain (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, a profile, a role).
	 */
	ALONGSIDE_RECORDINGS_S3_BUCKET: z
		.string()
		.regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'not a bucket name')
		.optional(),
	/** Prepended to every object's key, e.g. `alongside/`. Default none. */
	ALONGSIDE_RECORDINGS_S3_PREFIX: z
		.string()
		.regex(/^((?!\.{1,2}\/)[A-Za-z0-9_.-]+\/)*$/, 'a path of names, each followed by /')
		.max(200)
		.default(''),
	/** The bucket's region. Default: AWS_REGION, else us-east-1. */
	ALONGSIDE_RECORDINGS_S3_REGION: z.string().regex(/^[a-z0-9-]+$/, 'not a region').optional(),
	/** An S3-compatible store's address (MinIO, Ceph, R2…); addressed by path. Default: AWS. */
	ALONGSIDE_RECORDINGS_S3_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
	/** Encryption at rest asked of the store: AES256 or aws:kms. Default: the bucket's own. */
	ALONGSIDE_RECORDINGS_S3_SSE: z.enum(['AES256', 'aws:kms']).optional(),
});

export interface SignalingConfig {
	host: string;
	port: number;
	publicUrl: string | undefined;
	dataDir: string;
	logLevel: string;
	startUrl: string | undefined;
	firstRunDemo: boolean;
	warmBrowsers: number;
	pinIssueMax: number;
	accessTokenTtl: number;
	refreshTokenTtl: number;
	sessionIdleTimeout: number;
	tls: { cert: string; key: string } | undefined;
	trustProxy: TrustProxy;
	allowedOrigins: string[];
	wsMaxFrame: number;
	joinTimeout: number;
	/** See ALONGSIDE_SEARCH_URL; undefined: words are refused. */
	searchUrl: string | undefined;
	httpHeadersTimeout: number;
	addressLimits: { maxSockets: number; socketsPerSecond: number; maxWebSockets: number; framesPerSecond: number };
	sessionLimits: { host: number; company: number; agent: number };
	auditRetentionDays: number;
	ffmpeg: string;
	apiKeyRate: number;
	webhooks: { allowHttp: boolean; retryBaseMs: number };
	/** Where finished recordings are kept: the data directory, or an S3 bucket. */
	recordingStore: { kind: 'local' } | { kind: 's3'; bucket: string; prefix: string; region: string; endpoint: string | undefined; sse: 'AES256' | 'aws:kms' | undefined };
}

export interface Config {
	signaling: SignalingConfig;
	sfu: SfuConfig;
	publisher: PublisherConfig;
}

/** Reads the whole configuration; throws a ConfigError naming every bad key. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
	const problems: string[] = [];
	const attempt = <T>(read: () => T): T | undefined => {
		try {
			return read();
		} catch (error) {
			if (!(error instanceof ConfigError)) throw error;
			problems.push(error.message.replace(/^invalid configuration: /, ''));
			return undefined;
		}
	};
	const e = attempt(() => readEnv(SignalingEnv, env));
	const sfu = attempt(() => loadSfuConfig(env));
	const publisher = attempt(() => loadPublisherConfig(env));
	if (e && !e.ALONGSIDE_TLS_CERT !== !e.ALONGSIDE_TLS_KEY) problems.push('ALONGSIDE_TLS_CERT and ALONGSIDE_TLS_KEY must be set together');
	if (!e || !sfu || !publisher || problems.length) throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
	return {
		signaling: {
			host: e.ALONGSIDE_HOST,
			port: e.ALONGSIDE_PORT,
			publicUrl: e.ALONGSIDE_PUBLIC_URL?.replace(/\/$/, ''),
			dataDir: path.resolve(e.ALONGSIDE_DATA_DIR),
			logLevel: e.ALONGSIDE_LOG_LEVEL,
			startUrl: e.ALONGSIDE_START_URL,
			firstRunDemo: e.ALONGSIDE_FIRST_RUN_DEMO === 'true',
			warmBrowsers: e.ALONGSIDE_WARM_BROWSERS,
			pinIssueMax: e.ALONGSIDE_PIN_ISSUE_MAX,
			accessTokenTtl: e.ALONGSIDE_ACCESS_TOKEN_TTL,
			refreshTokenTtl: e.ALONGSIDE_REFRESH_TOKEN_TTL,
			sessionIdleTimeout: e.ALONGSIDE_SESSION_IDLE_TIMEOUT,
			tls: e.ALONGSIDE_TLS_CERT && e.ALONGSIDE_TLS_KEY ? { cert: e.ALONGSIDE_TLS_CERT, key: e.ALONGSIDE_TLS_KEY } : undefined,
			trustProxy: e.ALONGSIDE_TRUST_PROXY,
			allowedOrigins: e.ALONGSIDE_ALLOWED_ORIGINS,
			wsMaxFrame: e.ALONGSIDE_WS_MAX_FRAME,
			joinTimeout: e.ALONGSIDE_JOIN_TIMEOUT,
			searchUrl: e.ALONGSIDE_SEARCH_URL === 'none' ? undefined : e.ALONGSIDE_SEARCH_URL,
			httpHeadersTimeout: e.ALONGSIDE_HTTP_HEADERS_TIMEOUT,
			addressLimits: {
				maxSockets: e.ALONGSIDE_MAX_SOCKETS_PER_ADDRESS,
				socketsPerSecond: e.ALONGSIDE_SOCKETS_PER_SECOND_PER_ADDRESS,
				maxWebSockets: e.ALONGSIDE_MAX_WEBSOCKETS_PER_ADDRESS,
				framesPerSecond: e.ALONGSIDE_WS_FRAMES_PER_SECOND_PER_ADDRESS,
			},
			sessionLimits: {
				host: e.ALONGSIDE_MAX_SESSIONS,
				company: e.ALONGSIDE_MAX_SESSIONS_PER_COMPANY ?? e.ALONGSIDE_MAX_SESSIONS,
				agent: e.ALONGSIDE_MAX_SESSIONS_PER_AGENT,
			},
			auditRetentionDays: e.ALONGSIDE_AUDIT_RETENTION_DAYS,
			ffmpeg: e.ALONGSIDE_FFMPEG,
			apiKeyRate: e.ALONGSIDE_API_KEY_RATE,
			webhooks: { allowHttp: e.ALONGSIDE_WEBHOOKS_ALLOW_HTTP === 'true', retryBaseMs: e.ALONGSIDE_WEBHOOK_RETRY_MS },
			recordingStore: e.ALONGSIDE_RECORDINGS_S3_BUCKET
				? {
						kind: 's3',
						bucket: e.ALONGSIDE_RECORDINGS_S3_BUCKET,
						prefix: e.ALONGSIDE_RECORDINGS_S3_PREFIX,
						region: e.ALONGSIDE_RECORDINGS_S3_REGION ?? env.AWS_REGION ?? 'us-east-1',
						endpoint: e.ALONGSIDE_RECORDINGS_S3_ENDPOINT,
						sse: e.ALONGSIDE_RECORDINGS_S3_SSE,
					}
				: { kind: 'local' },
		},
		sfu,
		publisher,
	};
}
