/**
 * Prints one plain closing line, `tests: N passed, N failed, N skipped`, after vitest's own
 * summary, so tools that read a run's last lines (CI) count the tests.
 */
import type { Reporter, TestModule } from 'vitest/node';

export default class SummaryReporter implements Reporter {
	onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
		let passed = 0;
		let failed = 0;
		let skipped = 0;
		for (const module of testModules) {
			let failedHere = 0;
			for (const test of module.children.allTests()) {
				const state = test.result().state;
				if (state === 'passed') passed++;
				else if (state === 'failed') failedHere++;
				else skipped++;
			}
			// NOTE: a file that failed outside its tests (a hook, an import) counts as one failure,
			// even when its tests were all skipped because of it.
			failed += module.state() === 'failed' && failedHere === 0 ? 1 : failedHere;
		}
		process.stdout.write(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
	}
}
