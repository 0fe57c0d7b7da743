/**
 * Build of the browser apps, one multi-page Vite build: the home page, the agent console,
 * the customer page, the supervisor view, the company admin and the integration API's
 * reference (/developers/).
 * `vite build --config web/vite.config.ts` writes web/dist/index.html and
 * web/dist/{agent,customer,supervisor,admin,developers}/index.html with shared assets under
 * web/dist/assets; the signaling server serves them (and web/dist/customer/index.html for
 * every path under /c/).
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
				home: fileURLToPath(new URL('./index.html', import.meta.url)),
				agent: fileURLToPath(new URL('./agent/index.html', import.meta.url)),
				customer: fileURLToPath(new URL('./customer/index.html', import.meta.url)),
				supervisor: fileURLToPath(new URL('./supervisor/index.html', import.meta.url)),
				admin: fileURLToPath(new URL('./admin/index.html', import.meta.url)),
				developers: fileURLToPath(new URL('./developers/index.html', import.meta.url)),
			},
		},
	},
	server: {
		// NOTE: web/ imports ../protocol/wire.ts and ../signaling/api schemas, outside the Vite root.
		fs: { allow: [repoRoot] },
		// `vite --config web/vite.config.ts` during development: the signaling server (REST
		// and WebSocket) runs on its own port (8080 by default).
		proxy: {
			'/api': { target: 'http://localhost:8080' },
			'/ws': { target: 'ws://localhost:8080', ws: true },
		},
	},
});
