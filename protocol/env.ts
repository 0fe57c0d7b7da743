/**
 * Reading configuration from the environment: one helper shared by every service's
 * `config.ts`, so a bad value fails the same way everywhere, naming the key.
 */
import type { z } from 'zod';

/** A configuration value that failed validation; the message names the key and the value's problem. */
export class ConfigError extends Error {
	override name = 'ConfigError';
}

/**
 * Parses `env` against `schema`. Empty strings count as unset, so `KEY=` falls back to the
 * default. Throws {@link ConfigError} naming every offending key (never its value: it may
 * be a secret).
 */
export function readEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv): z.output<S> {
	const cleaned: Record<string, string> = {};
	for (const [key, value] of Object.entries(env)) {
		if (value !== undefined && value !== '') cleaned[key] = value;
	}
	const result = schema.safeParse(cleaned);
	if (!result.success) {
		const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
		throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
	}
	return result.data;
}
