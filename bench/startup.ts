// Start-up time and idle memory of the compiled server, as a user starts it: from spawn to the
// first 200 on `GET /`, then the resident set of the idle process. Prints figures; asserts nothing.
//   npm run bench:startup [-- --runs 7] [--endpoints 10000] [--cpu-prof]
// Cases: an empty store (first start: migrations, bootstrap, credentials), a restart on that store,
// a store holding --endpoints endpoints, and `npm start` (npm's own start-up included).
// --cpu-prof writes a profile of one empty-store start to bench/results/ for `--cpu-prof` reading.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openSqliteStore } from '../src/store/sqlite.ts';
import { freePort, rssMb, serverPid, status, tempDir } from './lib/processes.ts';
import { seedEndpoints } from './lib/seed.ts';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const RUNS = arg('runs', 7);
const ENDPOINTS = arg('endpoints', 10_000);
const ROOT = path.resolve(import.meta.dirname, '..');
const tmp = tempDir('vpcep-startup-');
const node = [process.execPath, 'dist/main.js', 'serve'];

interface Start {
  ms: number;
  rss: number;
}

/** Spawns, polls `GET /` until 200, waits a second idle, reads RSS, stops with SIGTERM. */
async function start(cmd: string[], dataDir: string, env: Record<string, string> = {}): Promise<Start> {
  const port = await freePort();
  const t0 = performance.now();
  const child = spawn(cmd[0]!, [...cmd.slice(1)], {
    cwd: ROOT,
    env: {
      ...process.env,
      VPCEP_PORT: String(port),
      VPCEP_DATA_DIR: dataDir,
      VPCEP_LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  for (;;) {
    if (child.exitCode !== null) throw new Error(`exited ${child.exitCode}: ${stderr}`);
    if ((await status(port)) === 200) break;
    await new Promise((r) => setTimeout(r, 2));
  }
  const ms = performance.now() - t0;
  await new Promise((r) => setTimeout(r, 1000));
  const rss = rssMb(serverPid(child.pid!));
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
  return { ms, rss };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rows: string[][] = [];

async function measure(label: string, runs: number, once: (i: number) => Promise<Start>) {
  const results: Start[] = [];
  for (let i = 0; i < runs; i++) results.push(await once(i));
  const ms = results.map((r) => r.ms);
  const row = [
    label,
    String(runs),
    Math.min(...ms).toFixed(0),
    median(ms).toFixed(0),
    Math.max(...ms).toFixed(0),
    median(results.map((r) => r.rss)).toFixed(0),
  ];
  rows.push(row);
  console.log(row.join('  '));
}

/**
 * Fills a store with `count` gateway endpoints: one start makes the store and its project, then
 * the rows go in straight through the store code, as the main bench seeds its growth rows (through
 * the API, the default quota of 150 endpoints would stop it, and 10,000 calls would take minutes).
 */
async function seed(dataDir: string, count: number) {
  await start(node, dataDir);
  const creds = JSON.parse(fs.readFileSync(path.join(dataDir, 'credentials.json'), 'utf8'));
  const t0 = performance.now();
  const store = await openSqliteStore({ dataDir, lockTimeoutMs: 10_000 });
  try {
    await seedEndpoints(store, creds.project_id, 0, count);
  } finally {
    await store.close();
  }
  console.log(`seeded ${count} endpoints in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

if (spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'inherit' }).status !== 0) {
  throw new Error('build failed');
}
console.log(
  `node ${process.version}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB`,
);
console.log('case  runs  min ms  median ms  max ms  idle RSS MB');

const restartDir = path.join(tmp, 'restart');
await measure('empty store', RUNS, (i) => start(node, path.join(tmp, `empty-${i}`)));
await start(node, restartDir);
await measure('restart', RUNS, () => start(node, restartDir));
const bigDir = path.join(tmp, 'big');
await seed(bigDir, ENDPOINTS);
await measure(`${ENDPOINTS} endpoints`, RUNS, () => start(node, bigDir));
await measure('npm start, empty store', Math.min(RUNS, 3), (i) =>
  start(['npm', 'start', '--silent'], path.join(tmp, `npm-${i}`)),
);

if (process.argv.includes('--cpu-prof')) {
  const dir = path.join(ROOT, 'bench', 'results');
  await start(
    [process.execPath, '--cpu-prof', `--cpu-prof-dir=${dir}`, 'dist/main.js', 'serve'],
    path.join(tmp, 'prof'),
  );
  console.log(`profile written to ${dir}`);
}

console.log('\n| case | runs | min ms | median ms | max ms | idle RSS MB |\n|---|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
fs.rmSync(tmp, { recursive: true, force: true });
