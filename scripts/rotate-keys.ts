/**
 * `npm run keys:rotate`: makes a new token-signing key for the data directory of the
 * current configuration and prints its id. The running server picks it up within a second;
 * tokens signed by the previous keys stay valid until they expire.
 */
import { KeyStore } from '../signaling/auth/KeyStore.js';
import { loadConfig } from '../signaling/config.js';

try {
	const config = loadConfig();
	process.stdout.write(`${KeyStore.open(config.signaling.dataDir).rotate()}\n`);
} catch (error) {
	process.stderr.write(`keys:rotate: ${error instanceof Error ? error.message : String(error)}\n`);
	process.exit(1);
}
