import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { killProcessGroup, processGroupAlive } from './processGroup.js';

describe('killProcessGroup', () => {
	it('kills a process and the children it started, and returns once none runs', async () => {
		// A group leader whose child outlives it unless the whole group is killed.
		const leader = spawn('sh', ['-c', 'sleep 30 & sleep 30'], { detached: true, stdio: 'ignore' });
		const pgid = leader.pid!;
		await new Promise((resolve) => setTimeout(resolve, 100));
		expect(processGroupAlive(pgid)).toBe(true);
		await killProcessGroup(pgid);
		expect(processGroupAlive(pgid)).toBe(false);
	});

	it('returns at once for a group that has already gone', async () => {
		const leader = spawn('true', [], { detached: true, stdio: 'ignore' });
		await new Promise((resolve) => leader.once('exit', resolve));
		const started = performance.now();
		await killProcessGroup(leader.pid!);
		expect(performance.now() - started).toBeLessThan(500);
		expect(processGroupAlive(leader.pid!)).toBe(false);
	});
});
