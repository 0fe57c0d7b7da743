/**
 * Bundles the in-browser capture script (page/capture.ts, with mediasoup-client) into one
 * IIFE string, once per process, for evaluation in the cloud browser's extension page.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
let cached: Promise<string> | undefined;

/** The capture script as JavaScript source. Built on first use (about 100 ms), then cached. */
export function captureScript(): Promise<string> {
	cached ??= build({
		entryPoints: [path.join(here, 'page', 'capture.ts')],
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
		if (!file) throw new Error('capture bundle produced no output');
		return file.text;
	});
	return cached;
}
