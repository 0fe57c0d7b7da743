/**
 * Build of the browser apps: the agent console and the customer page, one multi-page
 * Vite build. `vite build --config web/vite.config.ts` writes web/dist/{agent,customer}/
 * index.html with shared assets under web/dist/assets; the signaling server serves them.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

const webRoot = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = fileURLToPath(new URL('..', import.meta.url));

export default defineConfig({
	root: webRoot,
	base: '/',
	plugins: [svelte()],
	build: {
		outDir: 'dist',
		emptyOutDir: true,
		target: 'es2022',
		rolldownOptions: {
			input: {
				agent: fileURLToPath(new URL('./agent/index.html', import.meta.url)),
				customer: fileURLToPath(new URL('./customer/index.html', import.meta.url)),
			},
		},
	},
	server: {
		// NOTE: web/ imports ../signaling/protocol.ts, which is outside the Vite root.
		fs: { allow: [repoRoot] },
		// `vite --config web/vite.config.ts` during development: the signaling server's
		// WebSocket runs on its own port (8080 by default).
		proxy: { '/ws': { target: 'ws://localhost:8080', ws: true } },
	},
});
