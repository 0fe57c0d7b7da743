/**
 * Stopping a process tree for good. Chromium's renderer, GPU and zygote processes share the
 * browser's process group (puppeteer starts Chromium as a group leader), so the group is
 * what must be killed and waited for.
 */
import fs from 'node:fs';

/** The ids of the processes running now (/proc). Throws where there is no procfs. */
export function processIds(): number[] {
	return fs
		.readdirSync('/proc')
		.filter((entry) => /^\d+$/.test(entry))
		.map(Number);
}

/**
 * /proc/<pid>/stat from field 3 (state) on: `[state, ppid, pgrp, ...]`, so field N of
 * proc(5) is at index N - 3. Undefined if the process has gone.
 * NOTE: field 2, the command, may hold spaces and parentheses; it is skipped.
 */
export function statFields(pid: number): string[] | undefined {
	try {
		const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
		return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
	} catch {
		return undefined; // NOTE: it exited while we looked.
	}
}

/** /proc/<pid>/cmdline: the arguments, each followed by a NUL. Undefined if the process has gone. */
export function commandLine(pid: number): string | undefined {
	try {
		return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
	} catch {
		return undefined; // NOTE: it exited while we looked.
	}
}

/** The process group of a process, or -1 if it has gone. */
export function processGroupOf(pid: number): number {
	return Number(statFields(pid)?.[2] ?? -1);
}

/**
 * Whether any live process is in the group. NOTE: a killed child of the browser becomes a
 * zombie until whatever adopted it reaps it; where PID 1 does not reap (some containers),
 * it stays one for ever. Zombies hold no memory and no files, so they do not count.
 */
export function processGroupAlive(pgid: number): boolean {
	let pids: number[];
	try {
		pids = processIds();
	} catch {
		return signalable(pgid); // NOTE: no procfs: zombies cannot be told apart.
	}
	return pids.some((pid) => {
		const [state, , pgrp] = statFields(pid) ?? [];
		return Number(pgrp) === pgid && state !== 'Z' && state !== 'X';
	});
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
