/**
 * Entry point: `npm start`. Runs the whole service with embedded defaults and prints the
 * demo session's links.
 */
import { Alongside } from './Alongside.js';
import { loadConfig } from './config.js';
import { ConfigError } from '../protocol/env.js';
import { installFaultHandlers } from './faults.js';
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
	// NOTE: from here on, an error that escapes one connection or session ends just that one.
	installFaultHandlers({ logger, count: (labels) => app.metrics.unhandledErrors.inc(labels) });
	logger.info({ url: app.url }, 'Alongside is running');
	const lines = [
		'',
		`  Alongside is running at ${app.url}`,
		'',
		`  Agent console:   ${app.url}/agent/`,
		`  Customer link:   ${app.url}/c/demo      (a customer opens this and reads the PIN to the agent)`,
		`  Supervisor:      ${app.url}/supervisor/`,
		`  Company admin:   ${app.url}/admin/`,
	];
	if (app.firstRun && process.stdout.isTTY) {
		// NOTE: printed once, on the run that created them, and only to a terminal: a
		// container's or service manager's stdout is a log that others read and keep.
		lines.push('', '  First run: these accounts of company "demo" were created (the passwords are shown only now):');
		for (const c of app.firstRun.credentials) lines.push(`    ${c.role.padEnd(10)} ${c.email.padEnd(24)} ${c.password}`);
		lines.push(`  They are also in ${app.firstRun.file}; delete it once you have them.`);
	} else if (app.firstRun) {
		lines.push('', `  First run: demo accounts were created; their passwords are in ${app.firstRun.file} (readable by this user only).`);
	}
	lines.push('', '');
	process.stdout.write(lines.join('\n'));
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
