/**
 * Bundles the code that runs inside the cloud browser into IIFE strings, once per process:
 * the publisher (page/publisher.ts, with mediasoup-client) for the extension page, and the
 * detector (page/detector.ts) for an isolated world in every frame of the tab.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
const cache = new Map<string, Promise<string>>();

function bundle(entry: string): Promise<string> {
	let cached = cache.get(entry);
	if (!cached) {
		cached = build({
			entryPoints: [path.join(here, 'page', entry)],
			bundle: true,
			format: 'iife',
			platform: 'browser',
			target: 'chrome120',
			write: false,
			// Smaller to parse: it is evaluated at every cloud browser's start.
			minify: true,
			logLevel: 'silent',
		}).then((result) => {
			const file = result.outputFiles[0];
			if (!file) throw new Error(`${entry} bundle produced no output`);
			return file.text;
		});
		cache.set(entry, cached);
	}
	return cached;
}

/** The extension page's publisher as JavaScript source. Built on first use (about 100 ms), then cached. */
export function publisherScript(): Promise<string> {
	return bundle('publisher.ts');
}

/** The detector as JavaScript source. */
export function detectorScript(): Promise<string> {
	return bundle('detector.ts');
}
