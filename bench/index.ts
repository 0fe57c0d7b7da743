/**
 * `npm run bench <name> [-- flags]`: runs bench/<name>.ts. Known benchmarks: latency.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const [name, ...rest] = process.argv.slice(2);
const known = fs.readdirSync(here).filter((f) => f.endsWith('.ts') && !/^(index|proc|stats)\.ts$|\.test\.ts$/.test(f)).map((f) => f.slice(0, -3));
if (!name || !known.includes(name)) {
	console.error(`usage: npm run bench <${known.join('|')}> [-- --json]`);
	process.exit(2);
}
const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(here, `${name}.ts`), ...rest], { stdio: 'inherit' });
process.exit(result.status ?? 1);
