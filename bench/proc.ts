/**
 * CPU and memory of a process tree, from /proc (Linux). Used by benchmarks to account for
 * a session's Chromium (browser process plus its renderer, GPU and utility children).
 */
import fs from 'node:fs';

const CLOCK_TICKS = 100; // sysconf(_SC_CLK_TCK) on Linux x86_64 and arm64

function childrenOf(pid: number): number[] {
	const out: number[] = [];
	let tasks: string[];
	try {
		tasks = fs.readdirSync(`/proc/${pid}/task`);
	} catch {
		return out;
	}
	for (const tid of tasks) {
		try {
			const text = fs.readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
			if (text) out.push(...text.split(/\s+/).map(Number));
		} catch {
			// NOTE: the thread exited between readdir and read; its children are gone too.
		}
	}
	return out;
}

/** The pid and all of its descendants that are alive now. */
export function processTree(root: number): number[] {
	const seen: number[] = [];
	const queue = [root];
	while (queue.length) {
		const pid = queue.shift()!;
		if (!fs.existsSync(`/proc/${pid}`)) continue;
		seen.push(pid);
		queue.push(...childrenOf(pid));
	}
	return seen;
}

/** Total CPU time (user + system) of the processes, in seconds. */
export function cpuSeconds(pids: number[]): number {
	let ticks = 0;
	for (const pid of pids) {
		try {
			const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
			// NOTE: the command name (field 2) may contain spaces; fields after ')' are fixed.
			const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
			ticks += Number(fields[11]) + Number(fields[12]);
		} catch {
			// exited
		}
	}
	return ticks / CLOCK_TICKS;
}

/** Memory of the processes in MiB: summed RSS (counts shared pages once per process) and PSS (shares them). */
export function memoryMiB(pids: number[]): { rss: number; pss: number } {
	let rssKb = 0;
	let pssKb = 0;
	for (const pid of pids) {
		try {
			const rollup = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
			rssKb += Number(/^Rss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
			pssKb += Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
		} catch {
			// exited
		}
	}
	return { rss: rssKb / 1024, pss: pssKb / 1024 };
}

/** Measures the average CPU use of a process tree over `run`, in % of one core. */
export async function cpuPercentDuring<T>(root: number, run: () => Promise<T>): Promise<{ result: T; cpuPct: number }> {
	const startCpu = cpuSeconds(processTree(root));
	const startWall = performance.now();
	const result = await run();
	const cpu = cpuSeconds(processTree(root)) - startCpu;
	const wall = (performance.now() - startWall) / 1000;
	return { result, cpuPct: (100 * cpu) / wall };
}
