/**
 * Entry point: `npm start`. Runs the whole service with embedded defaults and prints the
 * demo session's links.
 */
import { Alongside } from './Alongside.js';
import { loadConfig } from './config.js';
import { ConfigError } from './env.js';
import { createLogger } from './logger.js';

async function main(): Promise<void> {
	let config;
	try {
		config = loadConfig();
	} catch (error) {
		if (error instanceof ConfigError) {
			console.error(`alongside: ${error.message}`);
			process.exit(2);
		}
		throw error;
	}
	const logger = createLogger(config.signaling.logLevel);
	const app = await Alongside.create(config, logger);
	logger.info({ url: app.url }, 'Alongside is running');
	const links = app.demoLinks;
	if (links) {
		process.stdout.write(
			`\n  Alongside is running at ${app.url}\n\n` +
				`  Agent console:  ${links.agent}\n` +
				`  Customer page:  ${links.customer}\n` +
				`  Supervisor:     ${links.supervisor}\n\n` +
				'  Open the agent and customer links in two windows (one phone-sized) to browse together.\n\n',
		);
	}
	let stopping = false;
	const stop = async (signal: string) => {
		if (stopping) return;
		stopping = true;
		logger.info({ signal }, 'shutting down');
		await app.close();
		process.exit(0);
	};
	process.on('SIGINT', () => void stop('SIGINT'));
	process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
	console.error('alongside: failed to start:', error);
	process.exit(1);
});
