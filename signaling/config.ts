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
	/** Start a demo session at boot and print its agent and customer links. Default true. */
	ALONGSIDE_DEMO: z.enum(['true', 'false']).default('true'),
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
	demo: boolean;
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
	if (!e || !sfu || !publisher) throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
	return {
		signaling: {
			host: e.ALONGSIDE_HOST,
			port: e.ALONGSIDE_PORT,
			publicUrl: e.ALONGSIDE_PUBLIC_URL?.replace(/\/$/, ''),
			dataDir: path.resolve(e.ALONGSIDE_DATA_DIR),
			logLevel: e.ALONGSIDE_LOG_LEVEL,
			startUrl: e.ALONGSIDE_START_URL,
			demo: e.ALONGSIDE_DEMO === 'true',
			wsMaxFrame: e.ALONGSIDE_WS_MAX_FRAME,
		},
		sfu,
		publisher,
	};
}
