/**
 * Stopping a process tree for good. Chromium's renderer, GPU and zygote processes share the
 * browser's process group (puppeteer starts Chromium as a group leader), so the group is
 * what must be killed and waited for.
 */
import fs from 'node:fs';

/**
 * Whether any live process is in the group. NOTE: a killed child of the browser becomes a
 * zombie until whatever adopted it reaps it; where PID 1 does not reap (some containers),
 * it stays one for ever. Zombies hold no memory and no files, so they do not count.
 */
export function processGroupAlive(pgid: number): boolean {
	let entries: string[];
	try {
		entries = fs.readdirSync('/proc');
	} catch {
		return signalable(pgid); // NOTE: no procfs: zombies cannot be told apart.
	}
	for (const entry of entries) {
		if (!/^\d+$/.test(entry)) continue;
		let stat: string;
		try {
			stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
		} catch {
			continue; // NOTE: it exited while we looked.
		}
		// "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses.
		const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		if (Number(pgrp) === pgid && state !== 'Z' && state !== 'X') return true;
	}
	return false;
}

function signalable(pgid: number): boolean {
	try {
		process.kill(-pgid, 0);
		return true;
	} catch {
		return false;
	}
}

/** Sends SIGKILL to the group and waits (up to `timeoutMs`, default 2 s) until none of it runs. */
export async function killProcessGroup(pgid: number, timeoutMs = 2000): Promise<void> {
	if (!processGroupAlive(pgid)) return;
	try {
		process.kill(-pgid, 'SIGKILL');
	} catch {
		return; // ESRCH: it ended on its own in between.
	}
	for (let waited = 0; processGroupAlive(pgid) && waited < timeoutMs; waited += 20) {
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
}
