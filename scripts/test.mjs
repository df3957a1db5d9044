// Runs the whole suite with node's test runner, in two passes:
//   1. every test file, on SQLite;
//   2. the store-backed suites (test/api, test/store, test/reliability but the SQLite crash tests)
//      again on PostgreSQL, each test world in a schema of its own.
// Node 20 neither expands globs nor finds .ts files in a folder, so this lists the files itself.
// Pass path fragments to run fewer: `npm test -- routetables` (files whose path contains it).
//
// PostgreSQL: VPCEP_TEST_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/test when it answers.
// Without one the second pass is skipped with a warning, except under CI, where that is a failure.
// The same for Debian's chromium and the console's browser tests (test/console/).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.test.ts') ? [p] : [];
  });
}

const filters = process.argv.slice(2);
const files = walk('test')
  .sort()
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)));
if (files.length === 0) {
  console.error(`no test file matches ${filters.join(' ')}`);
  process.exit(1);
}
/** Suites that run on whichever store the test worlds open. */
const onBothStores = (f) =>
  (f.startsWith('test/api/') || f.startsWith('test/store/') || f.startsWith('test/reliability/')) &&
  !f.includes('durability') &&
  !f.includes('bootstrap');

function reachable(url) {
  const u = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: u.hostname, port: Number(u.port || 5432) });
    socket.setTimeout(1000);
    socket.on('connect', () => (socket.destroy(), resolve(true)));
    socket.on('timeout', () => (socket.destroy(), resolve(false)));
    socket.on('error', () => resolve(false));
  });
}

/**
 * This run's tag for the per-world schemas of test/helpers/world.ts (`t_<tag>_…`): its start time
 * in base 36 and a random part, so runs side by side never drop each other's schemas.
 */
const RUN = `${Math.floor(Date.now() / 1000).toString(36)}${randomBytes(2).toString('hex')}`;

/** Drops this run's schemas, and those of runs over an hour old that died before cleaning up. */
async function dropTestSchemas(url) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query(`select nspname from pg_namespace where nspname like 't\\_%'`);
    const hourAgo = Math.floor(Date.now() / 1000) - 3600;
    for (const { nspname } of rows) {
      const tag = nspname.split('_')[1] ?? '';
      const started = parseInt(tag.slice(0, 6), 36);
      if (tag === RUN || (tag.length === 10 && started < hourAgo)) {
        await client.query(`drop schema if exists "${nspname}" cascade`);
      }
    }
  } finally {
    await client.end();
  }
}

/** Runs one pass, echoing its output, and returns its pass/fail counts. */
function run(label, list, env) {
  console.log(`\n== ${label}: ${list.length} files`);
  const reporter = process.env.VPCEP_TEST_REPORTER ?? 'spec';
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--test', `--test-reporter=${reporter}`, '--test-concurrency=2', ...list],
    { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } },
  );
  let out = '';
  child.stdout.on('data', (chunk) => {
    process.stdout.write(chunk);
    out += chunk;
  });
  return new Promise((resolve) => {
    child.on('close', (code) => {
      const count = (name) => Number(out.match(new RegExp(`^ℹ ${name} (\\d+)$`, 'm'))?.[1] ?? 0);
      resolve({ label, code: code ?? 1, passed: count('pass'), failed: count('fail') });
    });
  });
}

// The end-to-end suites spawn the compiled server and CLI, as production runs them: build first,
// so they never test a stale dist/.
const built = spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
if (built.status !== 0) {
  console.error('build failed');
  process.exit(1);
}

// The console's browser suites need Debian's chromium (test/helpers/browser.ts). Without it they are
// skipped with a warning, as the PostgreSQL pass is, except under CI, which must run them.
const CHROMIUM = '/usr/bin/chromium';
const needsBrowser = (f) => f.startsWith('test/console/');
let sqliteFiles = files;
if (files.some(needsBrowser) && !existsSync(CHROMIUM)) {
  if (process.env.CI) {
    console.error(
      `\n${CHROMIUM} is missing; CI needs it for the console's browser tests (.ci/run installs it).`,
    );
  } else {
    sqliteFiles = files.filter((f) => !needsBrowser(f));
    console.warn(
      `\nwarning: ${CHROMIUM} is missing (apt-get install chromium); the browser tests are skipped.`,
    );
  }
}

const passes = [];
if (sqliteFiles.length > 0) passes.push(await run('SQLite', sqliteFiles, { VPCEP_TEST_DATABASE_URL: '' }));

const pgFiles = files.filter(onBothStores);
if (pgFiles.length > 0) {
  const url = process.env.VPCEP_TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
  if (await reachable(url)) {
    await dropTestSchemas(url);
    passes.push(await run('PostgreSQL', pgFiles, { VPCEP_TEST_DATABASE_URL: url, VPCEP_TEST_RUN: RUN }));
    await dropTestSchemas(url);
  } else if (process.env.CI) {
    console.error(`\nPostgreSQL at ${new URL(url).host} does not answer; CI needs it.`);
    passes.push({ label: 'PostgreSQL', code: 1, passed: 0, failed: 1 });
  } else {
    console.warn(`\nwarning: PostgreSQL at ${new URL(url).host} does not answer; its pass is skipped.`);
  }
}

console.log('');
for (const p of passes) console.log(`${p.label}: ${p.passed} passed, ${p.failed} failed`);
const passed = passes.reduce((n, p) => n + p.passed, 0);
const failed = passes.reduce((n, p) => n + p.failed, 0);
console.log(`${passed} passed, ${failed} failed`);
process.exit(passes.some((p) => p.code !== 0) || failed > 0 ? 1 : 0);
