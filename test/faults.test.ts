/**
 * One frame, one connection or one session failing never takes the service down. These run
 * the real entry point (`signaling/index.ts`) as a child process, because what is at stake
 * is whether the process itself survives.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WsClient } from './helpers.js';

const repo = path.resolve(import.meta.dirname, '..');

interface ServiceProcess {
	url: string;
	dataDir: string;
	/** What the process printed to stdout so far. */
	stdout(): string;
	child: ChildProcess;
	exited: Promise<number | null>;
	stop(): Promise<void>;
}

/** Starts `signaling/index.ts` on a free port with a fresh data directory; resolves once it listens. */
async function startServiceProcess(): Promise<ServiceProcess> {
	const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'alongside-proc-'));
	const child = spawn(process.execPath, ['--import', 'tsx', 'signaling/index.ts'], {
		cwd: repo,
		env: {
			...process.env,
			ALONGSIDE_HOST: '127.0.0.1',
			ALONGSIDE_PORT: '0',
			ALONGSIDE_RTC_PORT: String(43_500 + (process.pid % 100) * 4),
			ALONGSIDE_SFU_WORKERS: '1',
			ALONGSIDE_WARM_BROWSERS: '0',
			ALONGSIDE_DATA_DIR: dataDir,
			ALONGSIDE_LOG_LEVEL: 'warn',
		},
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
	let output = '';
	const stdout: string[] = [];
	child.stdout!.on('data', (chunk: Buffer) => stdout.push(chunk.toString()));
	const url = await new Promise<string>((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`service did not start:\n${output}`)), 30_000);
		const onData = (chunk: Buffer) => {
			output += chunk.toString();
			const match = /running at (http:\/\/\S+)/.exec(output);
			if (match) {
				clearTimeout(timer);
				resolve(match[1]!);
			}
		};
		child.stdout!.on('data', onData);
		child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
		void exited.then((code) => reject(new Error(`service exited with ${code}:\n${output}`)));
	});
	return {
		url,
		dataDir,
		stdout: () => stdout.join(''),
		child,
		exited,
		async stop() {
			if (child.exitCode === null) child.kill('SIGTERM');
			await exited;
			fs.rmSync(dataDir, { recursive: true, force: true });
		},
	};
}

describe('a request type named after an Object.prototype property', () => {
	let service: ServiceProcess;
	beforeAll(async () => {
		service = await startServiceProcess();
	});
	afterAll(async () => {
		await service?.stop();
	});

	it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', '__defineGetter__'])(
		'"%s" sent before logging in is refused as unknown, and the process keeps serving',
		async (type) => {
			const bystander = await WsClient.connect(service.url);
			const attacker = await WsClient.connect(service.url);
			const reply = await attacker.raw(JSON.stringify({ id: 1, type }), 1);
			expect(reply).toEqual({ id: 1, ok: false, error: { code: 'unknown_type', message: `unknown message type "${type}"` } });
			// The attacker's own connection stays usable, and so does everyone else's.
			expect((await attacker.request('session/leave')).error?.code).toBe('not_joined');
			expect((await bystander.request('pin/watch', { watchToken: 'x'.repeat(40) })).error?.code).toBe('not_found');
			expect(service.child.exitCode).toBeNull();
			expect((await fetch(`${service.url}/healthz`)).status).toBe(200);
			attacker.close();
			bystander.close();
		},
	);
});

describe('the first run, started by a service manager (stdout is not a terminal)', () => {
	it('keeps the generated passwords out of stdout, in a file only the service can read', async () => {
		const service = await startServiceProcess();
		try {
			const file = path.join(service.dataDir, 'first-run-credentials.txt');
			expect(fs.statSync(file).mode & 0o777).toBe(0o600);
			const passwords = [...fs.readFileSync(file, 'utf8').matchAll(/ (\w{4}-\w{4}-\w{4}-\w{4})$/gm)].map((m) => m[1]!);
			expect(passwords).toHaveLength(3);
			expect(service.stdout()).toContain(file);
			for (const password of passwords) expect(service.stdout()).not.toContain(password);
		} finally {
			await service.stop();
		}
	});
});

describe('errors that escape every handler', () => {
	/**
	 * Runs a script that installs the fault handlers, provokes escaped errors inside scope A
	 * and outside any scope, and prints what happened once the process has had time to die.
	 */
	function runContainmentScript(): Promise<{ code: number | null; stdout: string }> {
		const script = `
			import { installFaultHandlers, runInScope } from './signaling/faults.ts';
			const failed = { A: [], B: [] };
			const counted = [];
			const logger = { error() {} };
			installFaultHandlers({ logger, count: (labels) => counted.push(labels.scope + ':' + labels.kind) });
			const scope = (id) => ({ kind: id === 'A' ? 'connection' : 'session', id, fail: (e) => failed[id].push(e.message) });
			runInScope(scope('A'), () => {
				(async () => { await null; throw new Error('rejected in A'); })();
				setTimeout(() => { throw new Error('thrown in A'); }, 5);
			});
			runInScope(scope('B'), () => setTimeout(() => failed.B.length === 0 && counted.push('B ran'), 20));
			setTimeout(() => Promise.reject(new Error('outside any scope')), 10);
			setTimeout(() => console.log(JSON.stringify({ failed, counted })), 60);
		`;
		return new Promise((resolve) => {
			const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: repo, stdio: ['ignore', 'pipe', 'inherit'] });
			let stdout = '';
			child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
			child.once('exit', (code) => resolve({ code, stdout }));
		});
	}

	it('end only their own scope, are counted, and the process lives on', async () => {
		const { code, stdout } = await runContainmentScript();
		expect(code).toBe(0);
		const result = JSON.parse(stdout) as { failed: Record<string, string[]>; counted: string[] };
		expect(result.failed.A?.sort()).toEqual(['rejected in A', 'thrown in A']);
		expect(result.failed.B).toEqual([]);
		expect(result.counted.sort()).toEqual(['B ran', 'connection:exception', 'connection:rejection', 'none:rejection']);
	});
});
