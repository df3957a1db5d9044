// Two or more builds of the server compared side by side: each in a process of its own on a store of
// its own (SQLite) or on one shared database (`--postgres`), driven in turn by autocannon, round after
// round, so that the machine's changes of mood fall on every build alike. Per run: req/s, p50, errors,
// and the CPU a call of the server, of PostgreSQL and of the load generator (from /proc); then each
// build's median. Prints figures; asserts nothing.
//   npm run bench:ab -- --server .ab/before/main.js --server dist/main.js [--server 'dist/main.js --metrics']
//                       [--rows token,aksk,show,list] [--rounds 5] [--seconds 5] [--conns 16] [--postgres]
//                       [--endpoints 100]
// A `--server` is an entry point and, after a space, options of `serve` for it. A build to compare
// with must sit inside the repository, for its packages to resolve: `npm run build && cp -r dist .ab/before`.
import path from 'node:path';
import { openPostgresStore } from '../src/store/postgres.ts';
import { openSqliteStore } from '../src/store/sqlite.ts';
import type { Store } from '../src/store/store.ts';
import { load, login, Rebinds, type Auth, type LoadResult, type Scene } from './lib/load.ts';
import { benchDatabase } from './lib/postgres.ts';
import { cleanup, cpuMeter, serverPid, tempDir } from './lib/processes.ts';
import { int, median } from './lib/report.ts';
import { seedEndpoints } from './lib/seed.ts';
import { ACCOUNT, startVpcep, type Server } from './lib/servers.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const P = ACCOUNT.projectId;
const ROWS = ['token', 'aksk', 'show', 'list'] as const;
type RowName = (typeof ROWS)[number];

function option(name: string): string[] {
  const out: string[] = [];
  process.argv.forEach((a, i) => {
    const value = process.argv[i + 1];
    if (a === `--${name}` && value !== undefined && !value.startsWith('--')) out.push(value);
  });
  return out;
}
function number(name: string, fallback: number, min: number): number {
  const text = option(name).at(-1);
  const n = text === undefined ? fallback : Number(text);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} wants a whole number of at least ${min}`);
  return n;
}

const SERVERS = option('server').map((s) => {
  const [entry, ...args] = s.trim().split(/\s+/);
  return { label: s.trim(), entry: path.resolve(ROOT, entry!), args };
});
const ROW_NAMES = (option('rows').at(-1) ?? 'token').split(',') as RowName[];
const ROUNDS = number('rounds', 5, 1);
const SECONDS = number('seconds', 5, 1);
const CONNS = number('conns', 16, 1);
const POSTGRES = process.argv.includes('--postgres');
/** Endpoints in the project (the rows move the first 64; a list reads the newest 100). */
const ENDPOINTS = number('endpoints', 100, 64);

interface Running {
  label: string;
  server: Server;
  pid: number;
  token: string;
  rebinds: Rebinds;
  scenes: Scene[];
}

async function seeded(open: () => Promise<Store>): Promise<Scene[]> {
  const store = await open();
  try {
    return await seedEndpoints(store, P, 0, ENDPOINTS);
  } finally {
    await store.close();
  }
}

/** Every build started, each with its endpoints to move (SQLite: its own; PostgreSQL: the shared ones). */
async function start(): Promise<Running[]> {
  const running: Running[] = [];
  const db = POSTGRES ? await benchDatabase() : undefined;
  if (db && 'skipped' in db) throw new Error(db.skipped);
  /** On one database, one set of endpoints, whose tables every build's calls must know alike. */
  let shared: { scenes: Scene[]; rebinds: Rebinds } | undefined;
  for (const s of SERVERS) {
    let server: Server;
    let scenes: Scene[];
    let rebinds: Rebinds;
    if (db) {
      server = await startVpcep({ entry: s.entry, databaseUrl: db.url, args: s.args });
      if (!shared) {
        const all = await seeded(() => openPostgresStore({ url: db.url, lockTimeoutMs: 10_000 }));
        shared = { scenes: all, rebinds: new Rebinds(P, all.slice(0, 64)) };
      }
      ({ scenes, rebinds } = shared);
    } else {
      const dir = tempDir('vpcep-ab-');
      // The server's first start creates the store (migrations, the account the rows use).
      await (await startVpcep({ entry: s.entry, dataDir: dir })).stop();
      scenes = await seeded(() => openSqliteStore({ dataDir: dir, lockTimeoutMs: 10_000 }));
      server = await startVpcep({ entry: s.entry, dataDir: dir, args: s.args });
      rebinds = new Rebinds(P, scenes.slice(0, 64));
    }
    const token = await login(server.url, P, ACCOUNT.password);
    await rebinds.check(server.url, { token });
    running.push({ label: s.label, server, pid: serverPid(server.pid), token, rebinds, scenes });
  }
  return running;
}

interface Run {
  result: LoadResult;
  /** µs of CPU a call: the server (and of it, the kernel's), PostgreSQL, the load generator. */
  server: number;
  system: number;
  postgres: number;
  generator: number;
}

async function run(r: Running, row: RowName, seconds: number): Promise<Run> {
  const auth: Auth = row === 'aksk' ? { ak: ACCOUNT.ak, sk: ACCOUNT.sk, projectId: P } : { token: r.token };
  const base = `${r.server.url}/v1/${P}`;
  const [url, opts] =
    row === 'show'
      ? [`${base}/vpc-endpoints/${r.scenes[0]!.endpoint}`, { headers: { 'x-auth-token': r.token } }]
      : row === 'list'
        ? [`${base}/vpc-endpoints?limit=100`, { headers: { 'x-auth-token': r.token } }]
        : [r.server.url, { requests: r.rebinds.requests(r.server.url, auth) }];
  const meter = cpuMeter([r.pid], POSTGRES);
  const result = await load(url, seconds, CONNS, opts);
  const { servers: server, system, postgres, generator } = meter(result.rps * seconds);
  return { result, server, system, postgres, generator };
}

const us = (n: number) => `${Math.round(n)} µs`;

function line(label: string, row: RowName, what: string, x: Run) {
  const pg = POSTGRES ? `, PostgreSQL ${us(x.postgres)}` : '';
  return (
    `${label} · ${row} · ${what}: ${int(x.result.rps)} req/s, p50 ${x.result.p50} ms, ` +
    `${x.result.errors} errors; CPU a call: server ${us(x.server)} (kernel ${us(x.system)})${pg}, ` +
    `load generator ${us(x.generator)}`
  );
}

async function main() {
  if (SERVERS.length === 0) throw new Error('name the builds to compare: --server <entry> (twice or more)');
  for (const row of ROW_NAMES)
    if (!ROWS.includes(row)) throw new Error(`--rows: ${row} is not one of ${ROWS}`);
  process.stderr.write(
    `${SERVERS.length} builds × ${ROW_NAMES.join(', ')} × ${ROUNDS} rounds of ${SECONDS} s at ${CONNS} connections` +
      ` on ${POSTGRES ? 'PostgreSQL (one database)' : 'SQLite (a store each)'}, ${ENDPOINTS} endpoints\n`,
  );
  const running = await start();
  const runs = new Map<string, Run[]>();
  for (let round = 0; round <= ROUNDS; round++) {
    for (const r of running) {
      for (const row of ROW_NAMES) {
        // Round 0 warms each build up (JIT, caches) and is not counted.
        const x = await run(r, row, round === 0 ? 2 : SECONDS);
        if (round === 0) continue;
        const key = `${r.label} · ${row}`;
        runs.set(key, [...(runs.get(key) ?? []), x]);
        console.log(line(r.label, row, `round ${round}`, x));
      }
    }
  }
  console.log('\nmedians:');
  for (const [key, xs] of runs) {
    const [label, row] = key.split(' · ') as [string, RowName];
    const pick = (f: (x: Run) => number) => median(xs.map(f));
    const m: Run = {
      result: { ...xs[0]!.result, rps: pick((x) => x.result.rps), p50: pick((x) => x.result.p50) },
      server: pick((x) => x.server),
      system: pick((x) => x.system),
      postgres: pick((x) => x.postgres),
      generator: pick((x) => x.generator),
    };
    m.result.errors = xs.reduce((n, x) => n + x.result.errors, 0);
    console.log(`${line(label, row, 'median', m)}  [${xs.map((x) => int(x.result.rps)).join(' ')}]`);
  }
  await Promise.all(running.map((r) => r.server.stop()));
}

try {
  await main();
} finally {
  await cleanup();
}
