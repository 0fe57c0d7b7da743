import { defineConfig } from 'vitest/config';

export default defineConfig({
	test: {
		include: ['{protocol,signaling,sfu,publisher,web,test,bench}/**/*.test.ts'],
		// NOTE: integration tests start real Chromium and mediasoup workers; on two cores they
		// are more reliable one file at a time.
		fileParallelism: false,
		testTimeout: 60_000,
		// The fuzz suite checks that memory comes back after a full GC.
		execArgv: ['--expose-gc'],
		hookTimeout: 90_000,
		reporters: ['default', './test/summary-reporter.ts'],
	},
});
