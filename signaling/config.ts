/**
 * Configuration of the whole service, read once from the environment. Every key has a
 * default, so a fresh machine runs with no configuration at all. Secrets are never read
 * from here into logs.
 */
import path from 'node:path';
import { z } from 'zod';
import { loadPublisherConfig, type PublisherConfig } from '../publisher/config.js';
import { loadSfuConfig, type SfuConfig } from '../sfu/config.js';
import { ConfigError, readEnv } from './env.js';

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
	 * Trust X-Forwarded-For from a reverse proxy for client addresses (attempt limits,
	 * audit). Only enable behind a proxy that sets it. Default false.
	 */
	ALONGSIDE_TRUST_PROXY: z.enum(['true', 'false']).default('false'),
	/** Largest WebSocket frame accepted, in bytes. Default 64 KiB. */
	ALONGSIDE_WS_MAX_FRAME: z.coerce.number().int().min(1024).max(16 * 1024 * 1024).default(64 * 1024),
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
	trustProxy: boolean;
	wsMaxFrame: number;
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
			trustProxy: e.ALONGSIDE_TRUST_PROXY === 'true',
			wsMaxFrame: e.ALONGSIDE_WS_MAX_FRAME,
		},
		sfu,
		publisher,
	};
}
