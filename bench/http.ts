// The benchmark of issue 12: the compiled server (`node dist/main.js serve`) in processes of its own,
// driven over loopback by autocannon from this process, side by side with the ceiling (a bare
// node:http server answering the rebind's 200 body), in one table. Prints figures; asserts nothing.
//   npm run bench [-- --quick] [--no-postgres] [--cpu-prof <dir>] [--seconds <n>] [--server dist/main.js]
// Rows: the ceiling; rebind with a token and with AK/SK at 1, 16 and 64 connections; show and list;
// the floor (the rebind's service in this process) and the bare front (behind a bare node:http server);
// growth to 10,000 and 100,000 endpoints (seeded straight into the store), then the first and the
// largest size again in alternating rounds, for the growth targets; PostgreSQL with 1 and 3
// replicas (and 1 with metrics on) when a database answers; start-up and memory. Then the issue's
// targets, met or not.
// `--quick`: 2 s rows and growth to 10,000 only, under two minutes. The table also goes to
// bench/results/<date>-bench.md with the machine, the durability settings and the profile.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { MAX_BATCH } from '../src/store/group-commit.ts';
import { openPostgresStore } from '../src/store/postgres.ts';
import { openSqliteStore } from '../src/store/sqlite.ts';
import type { Store } from '../src/store/store.ts';
import { sqliteFloor, type Floor } from './lib/floor.ts';
import { load, login, ok, Rebinds, type Auth, type LoadResult } from './lib/load.ts';
import { benchDatabase } from './lib/postgres.ts';
import { cleanup, cpuMeter, interrupted, serverPid, tempDir, type CallCpu } from './lib/processes.ts';
import {
  int,
  machine,
  median,
  pct,
  profileTop,
  table,
  targetTable,
  times,
  writeResults,
  type Row,
  type Target,
} from './lib/report.ts';
import { seedEndpoints } from './lib/seed.ts';
import {
  ACCOUNT,
  inProcessCeiling,
  REBIND_BODY,
  startBareFront,
  startCeiling,
  startVpcep,
  type Server,
} from './lib/servers.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  const value = i > 0 ? process.argv[i + 1] : undefined;
  return value && !value.startsWith('--') ? value : fallback;
};
const QUICK = process.argv.includes('--quick');
const SECONDS = Number(arg('seconds', QUICK ? '2' : '6'));
const WARMUP = QUICK ? 1 : 2;
const ENTRY = path.resolve(ROOT, arg('server', 'dist/main.js'));
/** `--cpu-prof <dir>`: the main SQLite server writes a V8 CPU profile there; its top entries are kept. */
const PROFILE_DIR = process.argv.includes('--cpu-prof')
  ? path.resolve(arg('cpu-prof', 'bench/profiles'))
  : undefined;
const CONNS = [1, 16, 64];
/** Endpoints the rows' calls move around: one per connection at 64 connections. */
const SCENES = 64;
/** Endpoints of the growth rows; the first size serves every SQLite row but growth. */
const SIZES = QUICK ? [100, 10_000] : [100, 10_000, 100_000];
const P = ACCOUNT.projectId;
const AKSK: Auth = { ak: ACCOUNT.ak, sk: ACCOUNT.sk, projectId: P };

const started = performance.now();
const rows: Row[] = [];
const ceiling = new Map<number, number>();

function progress(text: string) {
  process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${text}\n`);
}

/** One row: `what` at `conns` connections, beside the ceiling at as many. */
async function measure(
  what: string,
  conns: number,
  urls: string | string[],
  opts: Parameters<typeof load>[3],
): Promise<LoadResult> {
  progress(`${what}, ${conns} connection${conns > 1 ? 's' : ''}, ${SECONDS} s`);
  const result = await load(urls, SECONDS, conns, opts);
  rows.push({ what, conns, result, ceiling: ceiling.get(conns) });
  return result;
}

/** JIT, schema compilers and caches warm before the first row of a server; not recorded. */
async function warmUp(urls: string | string[], rebinds: Rebinds, auth: Auth) {
  progress(`warming up for ${WARMUP} s`);
  await load(urls, WARMUP, 16, rebinding(urls, rebinds, auth));
}

function startupRow(what: string, s: Server, note = '') {
  const ms = `${s.startupMs.toFixed(0)} ms to the first 200, RSS ${s.idleRssMb.toFixed(0)} MB idle`;
  rows.push({ what: `start-up: ${what}`, note: `${ms}${note}` });
}

/** Records the resident set of servers after their load, on their start-up rows' notes. */
function rssAfterLoad(what: string, servers: Server[]) {
  const row = rows.find((r) => r.what === `start-up: ${what}`)!;
  row.note += `, ${servers.map((s) => s.rssMb().toFixed(0)).join(' / ')} MB after the load`;
}

/** The list answers `count` endpoints in all and 100 on its page: what was seeded is what it serves. */
async function assertCount(url: string, token: string, count: number) {
  const res = await ok(url, {
    method: 'GET',
    path: `/v1/${P}/vpc-endpoints?limit=100`,
    headers: { 'x-auth-token': token },
  });
  if (res.body.total_count !== count || res.body.endpoints.length !== Math.min(100, count)) {
    throw new Error(
      `seeded ${count} endpoints, the list says ${res.body.total_count} (${res.body.endpoints.length} on the page)`,
    );
  }
}

/** The growth ratio: throughput at the first size / throughput at `size`. */
const growthNote = (first: LoadResult, at: LoadResult, size: number) =>
  `req/s at ${SIZES[0]} / at ${size.toLocaleString('en-US')}: ${times(first.rps / at.rps)}`;

async function withSqlite<T>(dataDir: string, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openSqliteStore({ dataDir, lockTimeoutMs: 10_000 });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** The durability settings the store code in force sets (the server opens SQLite the same way). */
async function sqliteDurability(store: Store): Promise<string> {
  const pragma = async (name: string) =>
    Object.values((await sql.raw(`pragma ${name}`).execute(store.engine.db)).rows[0] as object)[0] as unknown;
  const synchronous = ['OFF', 'NORMAL', 'FULL', 'EXTRA'][Number(await pragma('synchronous'))];
  return (
    `synchronous = ${synchronous}, journal_mode = ${await pragma('journal_mode')}, ` +
    `locking_mode = ${await pragma('locking_mode')}, ` +
    `temp_store = ${['DEFAULT', 'FILE', 'MEMORY'][Number(await pragma('temp_store'))]}, ` +
    `group commit on (at most ${MAX_BATCH} calls per commit)`
  );
}

/**
 * A row with the CPU its calls cost, noted on the row: that of `servers` (the processes answering),
 * of PostgreSQL when `postgres`, and of the load generator.
 */
async function withCpu(
  servers: Server[],
  postgres: boolean,
  row: () => Promise<LoadResult>,
): Promise<[LoadResult, CallCpu]> {
  const meter = cpuMeter(
    servers.map((s) => serverPid(s.pid)),
    postgres,
  );
  const result = await row();
  const cpu = meter(result.rps * SECONDS);
  const parts = [
    `server ${int(cpu.servers)} µs`,
    ...(postgres ? [`PostgreSQL ${int(cpu.postgres)} µs`] : []),
    `load generator ${int(cpu.generator)} µs`,
  ];
  const note = `CPU a call: ${parts.join(', ')}`;
  const last = rows.at(-1)!;
  last.note = last.note ? `${last.note}; ${note}` : note;
  return [result, cpu];
}

/** The ceiling's server: µs of CPU a call at 16 connections, the least an HTTP answer costs here. */
let ceilingCpu = 0;

/** The ceiling at 1, 16 and 64 connections, and the in-process reference at 16; its req/s at 16. */
async function ceilingRows(): Promise<number> {
  const opts = { method: 'PUT' as const, headers: { 'content-type': 'application/json' }, body: REBIND_BODY };
  const server = await startCeiling();
  try {
    for (const c of CONNS) {
      const what = 'ceiling: node:http in a process of its own, the rebind’s 200 body';
      const [r, cpu] = await withCpu([server], false, () => measure(what, c, server.url, opts));
      if (c === 16) ceilingCpu = cpu.servers;
      ceiling.set(c, r.rps);
      rows.at(-1)!.ceiling = r.rps;
    }
  } finally {
    await server.stop();
  }
  const local = await inProcessCeiling();
  try {
    const what = 'ceiling as issue 12 measured it: node:http in the load generator’s process';
    return (await measure(what, 16, local.url, opts)).rps;
  } finally {
    local.close();
  }
}

interface SqliteFigures {
  durability: string;
  rebind16: { token: LoadResult; aksk: LoadResult };
  /** The service's rebind in this process on the same store, 16 in flight (bench/lib/floor.ts). */
  floor: Floor;
  /** The same service behind a bare node:http server, 16 connections (bench/lib/front-server.ts). */
  front: { result: LoadResult; cpu: CallCpu };
  /** CPU a call of the rebind rows at 16 connections. */
  cpu16: { token: CallCpu; aksk: CallCpu };
  show: LoadResult;
  /** Rebind (token, 16 conns) and list (16 conns) by the number of endpoints in the store. */
  rebind: Map<number, LoadResult>;
  list: Map<number, LoadResult>;
  /** The first size's req/s over the largest's, medians of alternating rounds (alternatingGrowth). */
  growth: { rebind: number; list: number; errors: number };
}

/** What autocannon is given for rebinds on `urls`, and for lists (limit 100) of the project on `url`. */
const rebinding = (urls: string | string[], rebinds: Rebinds, auth: Auth) => ({
  requests: rebinds.requests([urls].flat()[0]!, auth),
});
const listing = (url: string, token: string) =>
  [`${url}/v1/${P}/vpc-endpoints?limit=100`, { headers: { 'x-auth-token': token } }] as const;

const rebindRow = (what: string, conns: number, urls: string | string[], rebinds: Rebinds, auth: Auth) =>
  measure(what, conns, urls, rebinding(urls, rebinds, auth));

const listRow = (what: string, url: string, token: string) => measure(what, 16, ...listing(url, token));

/** A SQLite store of the first size: rebind with a token and with AK/SK, show, list; then growth. */
async function sqliteRows(): Promise<SqliteFigures> {
  const dir = tempDir('vpcep-bench-sqlite-');
  progress('SQLite: first start on an empty store (migrations, bootstrap)');
  const first = await startVpcep({ entry: ENTRY, dataDir: dir });
  startupRow('SQLite, empty store', first);
  await first.stop();
  const size = SIZES[0]!;
  const [scenes, durability] = await withSqlite(dir, async (store) => [
    await seedEndpoints(store, P, 0, size),
    await sqliteDurability(store),
  ]);
  const rebinds = new Rebinds(P, scenes.slice(0, SCENES));
  // The store as seeded, every endpoint on its first table: the first size beside the largest in
  // the alternating growth rounds (alternatingGrowth), when every row has moved this one's endpoints.
  const asSeeded = tempDir('vpcep-bench-sqlite-seeded-');
  fs.cpSync(dir, asSeeded, { recursive: true });
  const profile = PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [];
  const server = await startVpcep({ entry: ENTRY, dataDir: dir, nodeFlags: profile });
  startupRow(`SQLite, ${size} endpoints`, server, PROFILE_DIR ? ' (profiled)' : '');
  const token = await login(server.url, P, ACCOUNT.password);
  await assertCount(server.url, token, size);
  // A signed call must really be accepted before its row means anything.
  await rebinds.check(server.url, { token });
  await rebinds.check(server.url, AKSK);
  await warmUp(server.url, rebinds, { token });
  const byToken = new Map<number, LoadResult>();
  const byAkSk = new Map<number, LoadResult>();
  const cpu16 = {} as SqliteFigures['cpu16'];
  for (const c of CONNS) {
    const row = () => rebindRow('rebind, token', c, server.url, rebinds, { token });
    const [r, cpu] = await withCpu([server], false, row);
    byToken.set(c, r);
    if (c === 16) cpu16.token = cpu;
  }
  for (const c of CONNS) {
    const row = () => rebindRow('rebind, AK/SK, signed per call', c, server.url, rebinds, AKSK);
    const [r, cpu] = await withCpu([server], false, row);
    byAkSk.set(c, r);
    if (c === 16) cpu16.aksk = cpu;
  }
  const showUrl = `${server.url}/v1/${P}/vpc-endpoints/${scenes[0]!.endpoint}`;
  const show = await measure('show endpoint', 16, showUrl, { headers: { 'x-auth-token': token } });
  const list = await listRow(`list endpoints, limit 100, of ${size}`, server.url, token);
  rssAfterLoad(`SQLite, ${size} endpoints`, [server]);
  await server.stop();
  progress(`the floor: the service's rebind in this process, 16 in flight, ${SECONDS} s`);
  const floor = await withSqlite(dir, (store) => sqliteFloor(store, rebinds, SECONDS, 16));
  rows.push({
    what: 'floor: the rebind’s service called in the bench’s process, no HTTP, no auth (SQLite)',
    conns: 16,
    rate: floor.rps,
    ceiling: ceiling.get(16),
    note:
      `the process’s CPU ${int(floor.cpu)} µs a call; without the fsync (synchronous = OFF, ` +
      `${int(floor.unsynced.rps)} calls/s) SQLite’s own time ${int(floor.unsynced.sqlite)} µs a call, the ` +
      `commit ${int(floor.unsynced.commit)} µs of it, ${floor.unsynced.perCommit.toFixed(1)} calls a commit`,
  });
  const front = await bareFrontRow(dir, rebinds);
  const figures: Omit<SqliteFigures, 'growth'> = {
    durability,
    rebind16: { token: byToken.get(16)!, aksk: byAkSk.get(16)! },
    floor,
    front,
    cpu16,
    show,
    rebind: new Map([[size, byToken.get(16)!]]),
    list: new Map([[size, list]]),
  };
  await growthRows(dir, rebinds, figures);
  const growth = await alternatingGrowth(asSeeded, new Rebinds(P, scenes.slice(0, SCENES)), dir, rebinds);
  return { ...figures, growth };
}

/**
 * The rebind's service behind a bare node:http server, on the store the rows used: no
 * authentication, no Fastify, no validation, no log line. Between the floor (no HTTP at all) and the
 * rebind rows (vpcep's whole HTTP side), it tells how much of a rebind's cost is that HTTP side.
 */
async function bareFrontRow(dir: string, rebinds: Rebinds): Promise<SqliteFigures['front']> {
  const front = await startBareFront(dir, P);
  try {
    // It reads no token; its answers are checked as the server's are: 200, the endpoint on its new table.
    const auth = { token: 'unused' };
    await rebinds.check(front.url, auth);
    await warmUp(front.url, rebinds, auth);
    const what =
      'bare front: the rebind’s service behind a bare node:http server, no auth, no Fastify, no log';
    const [result, cpu] = await withCpu([front], false, () => rebindRow(what, 16, front.url, rebinds, auth));
    return { result, cpu };
  } finally {
    await front.stop();
  }
}

/** The same store grown to each further size, seeded while no server runs: rebind and list again. */
async function growthRows(dir: string, rebinds: Rebinds, figures: Omit<SqliteFigures, 'growth'>) {
  for (let i = 1; i < SIZES.length; i++) {
    const size = SIZES[i]!;
    const n = size.toLocaleString('en-US');
    progress(`seeding the store from ${SIZES[i - 1]!.toLocaleString('en-US')} to ${n} endpoints`);
    const t0 = performance.now();
    await withSqlite(dir, (store) => seedEndpoints(store, P, SIZES[i - 1]!, size));
    const seeded = ((performance.now() - t0) / 1000).toFixed(1);
    const server = await startVpcep({ entry: ENTRY, dataDir: dir });
    startupRow(`SQLite, ${n} endpoints`, server, ` (seeded in ${seeded} s)`);
    const token = await login(server.url, P, ACCOUNT.password);
    await assertCount(server.url, token, size);
    await warmUp(server.url, rebinds, { token });
    const auth = { token };
    // The CPU a call beside the ratio: what grows with the store, and what is waiting (the disk).
    const [rebind] = await withCpu([server], false, async () => {
      const r = await rebindRow(`growth: rebind, token, ${n} endpoints`, 16, server.url, rebinds, auth);
      rows.at(-1)!.note = growthNote(figures.rebind.get(SIZES[0]!)!, r, size);
      return r;
    });
    const list = await listRow(`growth: list, limit 100, of ${n} endpoints`, server.url, token);
    rows.at(-1)!.note = growthNote(figures.list.get(SIZES[0]!)!, list, size);
    figures.rebind.set(size, rebind);
    figures.list.set(size, list);
    rssAfterLoad(`SQLite, ${n} endpoints`, [server]);
    await server.stop();
  }
  if (QUICK)
    rows.push({ what: 'growth: 100,000 endpoints', note: 'not measured with --quick (10,000 at most)' });
}

/** Rounds of the alternating growth rows: each size's rebind and list, in turn, this many times. */
const GROWTH_ROUNDS = QUICK ? 2 : 3;

/**
 * The growth ratios once more, in alternating rounds: a server on the first size (the store as it
 * was seeded) and one on the largest, driven in turn, rebind then list, round after round, so that the
 * machine's changes of mood over the minutes between the single rows above fall on both sizes alike.
 * The single rows' ratios ran from 1.14× to 1.78× within an hour for one build on this machine
 * (bench/results/2026-12-01-bench-191057.md); the targets take these rounds' medians.
 */
async function alternatingGrowth(
  firstDir: string,
  firstRebinds: Rebinds,
  bigDir: string,
  bigRebinds: Rebinds,
): Promise<SqliteFigures['growth']> {
  const big = SIZES.at(-1)!;
  const sides = [
    { size: SIZES[0]!, dir: firstDir, rebinds: firstRebinds },
    { size: big, dir: bigDir, rebinds: bigRebinds },
  ];
  progress(
    `growth in ${GROWTH_ROUNDS} alternating rounds: ${SIZES[0]} and ${big.toLocaleString('en-US')} endpoints`,
  );
  const running = await Promise.all(
    sides.map(async (side) => {
      const server = await startVpcep({ entry: ENTRY, dataDir: side.dir });
      const token = await login(server.url, P, ACCOUNT.password);
      await assertCount(server.url, token, side.size);
      await warmUp(server.url, side.rebinds, { token });
      return {
        ...side,
        server,
        token,
        rebind: [] as LoadResult[],
        list: [] as LoadResult[],
        cpu: [] as number[],
      };
    }),
  );
  try {
    for (let round = 0; round < GROWTH_ROUNDS; round++) {
      for (const r of running) {
        const meter = cpuMeter([serverPid(r.server.pid)], false);
        const rebind = await load(
          r.server.url,
          SECONDS,
          16,
          rebinding(r.server.url, r.rebinds, { token: r.token }),
        );
        r.cpu.push(meter(rebind.rps * SECONDS).servers);
        r.rebind.push(rebind);
      }
      for (const r of running) {
        const [url, opts] = listing(r.server.url, r.token);
        r.list.push(await load(url, SECONDS, 16, opts));
      }
    }
  } finally {
    await Promise.all(running.map((r) => r.server.stop()));
  }
  const [first, last] = running as [(typeof running)[0], (typeof running)[0]];
  const rps = (xs: LoadResult[]) => median(xs.map((x) => x.rps));
  const each = (xs: LoadResult[]) => xs.map((x) => int(x.rps)).join(', ');
  const n = big.toLocaleString('en-US');
  const ratio = (kind: 'rebind' | 'list') => rps(first[kind]) / rps(last[kind]);
  for (const kind of ['rebind', 'list'] as const) {
    for (const r of running) {
      const errors = r[kind].reduce((e, x) => e + x.errors, 0);
      rows.push({
        what: `growth, alternating rounds: ${kind === 'rebind' ? 'rebind, token' : 'list, limit 100'}, ${r.size.toLocaleString('en-US')} endpoints, median`,
        conns: 16,
        rate: rps(r[kind]),
        ceiling: ceiling.get(16),
        note:
          `rounds ${each(r[kind])} req/s, ${errors} errors` +
          (kind === 'rebind' ? `; server CPU a call, median ${int(median(r.cpu))} µs` : '') +
          (r === last ? `; req/s at ${SIZES[0]} / at ${n}: ${times(ratio(kind))}` : ''),
      });
    }
  }
  return {
    rebind: ratio('rebind'),
    list: ratio('list'),
    errors: running.flatMap((r) => [...r.rebind, ...r.list]).reduce((e, x) => e + x.errors, 0),
  };
}

interface PostgresFigures {
  settings: string;
  one: Map<number, LoadResult>;
  /** CPU a call of one replica's rows, by connections. */
  oneCpu: Map<number, CallCpu>;
  three: Map<number, LoadResult>;
}

async function postgresRows(sqliteRebind16: LoadResult): Promise<PostgresFigures | string> {
  if (process.argv.includes('--no-postgres')) {
    rows.push({ what: 'PostgreSQL, 1 and 3 replicas', note: 'skipped: --no-postgres' });
    return '--no-postgres';
  }
  const db = await benchDatabase();
  if ('skipped' in db) {
    rows.push({ what: 'PostgreSQL, 1 and 3 replicas', note: `skipped: ${db.skipped}` });
    return db.skipped;
  }
  const settings = `PostgreSQL ${db.settings.server_version}, synchronous_commit = ${db.settings.synchronous_commit}, fsync = ${db.settings.fsync}, a fresh database per run`;
  progress('PostgreSQL: first replica on an empty database');
  const servers = [await startVpcep({ entry: ENTRY, databaseUrl: db.url })];
  startupRow('PostgreSQL, empty database', servers[0]!);
  const store = await openPostgresStore({ url: db.url, lockTimeoutMs: 10_000 });
  const scenes = await seedEndpoints(store, P, 0, SIZES[0]!).finally(() => store.close());
  const rebinds = new Rebinds(P, scenes.slice(0, SCENES));
  const token = await login(servers[0]!.url, P, ACCOUNT.password);
  await rebinds.check(servers[0]!.url, { token });
  await warmUp(servers[0]!.url, rebinds, { token });
  const one = new Map<number, LoadResult>();
  const oneCpu = new Map<number, CallCpu>();
  for (const c of [16, 64]) {
    const what = 'PostgreSQL, 1 replica: rebind, token';
    const [r, cpu] = await withCpu(servers, true, async () => {
      const r = await rebindRow(what, c, servers[0]!.url, rebinds, { token });
      if (c === 16) rows.at(-1)!.note = `PostgreSQL / SQLite: ${pct(r.rps / sqliteRebind16.rps)}`;
      return r;
    });
    one.set(c, r);
    oneCpu.set(c, cpu);
  }
  await metricsOnRow(db.url, rebinds, token, one.get(16)!);
  progress('PostgreSQL: two more replicas on the same database');
  for (let i = 2; i <= 3; i++) {
    servers.push(await startVpcep({ entry: ENTRY, databaseUrl: db.url }));
    startupRow(`PostgreSQL, replica ${i}`, servers.at(-1)!);
  }
  const urls = servers.map((s) => s.url);
  await warmUp(urls, rebinds, { token });
  const three = new Map<number, LoadResult>();
  for (const c of [16, 64]) {
    const what = 'PostgreSQL, 3 replicas, connections in turn: rebind, token';
    const [r] = await withCpu(servers, true, async () => {
      const r = await rebindRow(what, c, urls, rebinds, { token });
      rows.at(-1)!.note = `3 replicas / 1: ${times(r.rps / one.get(c)!.rps)}`;
      return r;
    });
    three.set(c, r);
  }
  rssAfterLoad('PostgreSQL, empty database', [servers[0]!]);
  for (let i = 2; i <= 3; i++) rssAfterLoad(`PostgreSQL, replica ${i}`, [servers[i - 1]!]);
  await Promise.all(servers.map((s) => s.stop()));
  return { settings, one, oneCpu, three };
}

/**
 * One replica with metrics on, as production runs it: its locking reads go through the lock probe
 * (README, "Metrics"), which once cost a PostgreSQL rebind a third to a half of its throughput, unseen
 * by a table that measured metrics off only.
 */
async function metricsOnRow(url: string, rebinds: Rebinds, token: string, off: LoadResult) {
  progress('PostgreSQL: a replica with metrics on');
  const server = await startVpcep({ entry: ENTRY, databaseUrl: url, args: ['--metrics'] });
  try {
    await warmUp(server.url, rebinds, { token });
    const what = 'PostgreSQL, 1 replica, metrics on: rebind, token';
    const r = await rebindRow(what, 16, server.url, rebinds, { token });
    rows.at(-1)!.note = `metrics on / off: ${pct(r.rps / off.rps)}`;
  } finally {
    await server.stop();
  }
}

function targets(s: SqliteFigures, pg: PostgresFigures | string, inProcess: number): Target[] {
  const t = (what: string, measured: string, goal: string, met: boolean | undefined) => ({
    what,
    measured,
    goal,
    met,
  });
  /** Share of the ceiling, and in brackets of the in-process ceiling the issue's targets were set against. */
  const share = (r: LoadResult) => `${pct(r.rps / ceiling.get(16)!)} (${pct(r.rps / inProcess)})`;
  const errors = rows.reduce((n, r) => n + (r.result?.errors ?? 0), 0) + s.growth.errors;
  const big = SIZES.at(-1)!;
  const { growth } = s;
  const scale =
    `${SIZES[0]} → ${big.toLocaleString('en-US')} endpoints, medians of ${GROWTH_ROUNDS} alternating rounds` +
    (QUICK ? ' (--quick)' : '');
  const { token, aksk } = s.rebind16;
  const list = s.list.get(SIZES[0]!)!.rps;
  const out = [
    t(
      'rebind, token, 16 conns: share of the ceiling',
      share(token),
      '≥ 25 %',
      token.rps >= 0.25 * ceiling.get(16)!,
    ),
    t(
      'rebind, AK/SK, 16 conns: share of the ceiling',
      share(aksk),
      '≥ 20 %',
      aksk.rps >= 0.2 * ceiling.get(16)!,
    ),
    t('errors, all rows', String(errors), '0', errors === 0),
    t('list endpoints, limit 100, 16 conns', `${int(list)}/s`, '≥ 2,000/s', list >= 2000),
    t('show endpoint, 16 conns', `${int(s.show.rps)}/s`, '≥ 8,000/s', s.show.rps >= 8000),
    t(`growth of rebind, ${scale}`, times(growth.rebind), '≤ 1.3×', growth.rebind <= 1.3),
    t(`growth of list, ${scale}`, times(growth.list), '≤ 1.5×', growth.list <= 1.5),
  ];
  const ratio = typeof pg === 'string' ? undefined : pg.one.get(16)!.rps / token.rps;
  const scaling = typeof pg === 'string' ? undefined : pg.three.get(64)!.rps / pg.one.get(64)!.rps;
  out.push(
    t(
      'PostgreSQL rebind / SQLite rebind, token, 16 conns',
      ratio === undefined ? '—' : pct(ratio),
      '≥ 60 %',
      ratio === undefined ? undefined : ratio >= 0.6,
    ),
    t(
      'PostgreSQL 3 replicas / 1, rebind, 64 conns',
      scaling === undefined ? '—' : times(scaling),
      '≥ 1.5×',
      scaling === undefined ? undefined : scaling >= 1.5,
    ),
  );
  return out;
}

/**
 * What this machine allows, worked out from this run's own figures: the most rebinds a second that
 * the work a call was measured to take can fit, set beside the targets' rates.
 */
function limits(s: SqliteFigures, pg: PostgresFigures | string, inProcess: number): string[] {
  const cores = os.cpus().length;
  const top = ceiling.get(16)!;
  const f = s.floor;
  // The least a rebind over HTTP can cost the machine with this service and store: their CPU in the
  // floor, an HTTP answer at the ceiling server's cost, and the load generator's CPU in the row.
  const fit = (generator: number) => (cores * 1e6) / (f.cpu + ceilingCpu + generator);
  const budget = (share: number, generator: number) => (cores * 1e6) / (share * top) - ceilingCpu - generator;
  const { token, aksk } = s.cpu16;
  const each = (what: string, share: number, generator: number) =>
    `${what}: the load generator spent ${int(generator)} µs a call of its row, so at most ` +
    `${int(fit(generator))} rebinds a second (${pct(fit(generator) / top)} of the ceiling, ` +
    `${pct(fit(generator) / inProcess)} of the in-process one), where the target asks ` +
    `${int(share * top)}/s (${pct(share)}; ${int(share * inProcess)}/s of the in-process ceiling): the ` +
    `service and the store would have to take at most ${int(budget(share, generator))} µs a call for ` +
    `the first (measured: ${int(f.cpu)} µs, of which SQLite's own ${int(f.unsynced.sqlite)})`;
  const out = [
    `- **SQLite.** Called in process with no HTTP and no auth (the floor row), the service and the store ` +
      `take ${int(f.cpu)} µs of CPU a rebind. An answer over HTTP costs at least what the ceiling's ` +
      `server spends on one (${int(ceilingCpu)} µs). With the HTTP side as cheap as the ceiling's, ` +
      `every one of the ${cores} cores busy and every fsync overlapped: ` +
      `${each('token', 0.25, token.generator)}; ` +
      `${each('AK/SK', 0.2, aksk.generator)}.`,
    `- **HTTP side.** Behind a bare node:http server (the bare front row: no auth, no Fastify, no ` +
      `validation, no log line) the same service and store did ${int(s.front.result.rps)} rebinds a ` +
      `second at 16 connections (${pct(s.front.result.rps / top)} of the ceiling, ` +
      `${pct(s.front.result.rps / inProcess)} of the in-process one), at ${int(s.front.cpu.servers)} µs ` +
      `of its CPU a call; vpcep with a token did ${int(s.rebind16.token.rps)} at ${int(token.servers)} µs ` +
      `(the bare front did ${times(s.front.result.rps / s.rebind16.token.rps)} as many). What vpcep's ` +
      `HTTP side (Fastify, the checks, auth, the log line) adds to a rebind is the difference: ` +
      `${int(token.servers - s.front.cpu.servers)} µs a call.`,
  ];
  if (typeof pg === 'string') return out;
  const at = (c: number) => {
    const cpu = pg.oneCpu.get(c)!;
    return { cpu, all: cpu.servers + cpu.postgres + cpu.generator };
  };
  const { cpu, all } = at(16);
  const both = (cores * 1e6) / all;
  const alone = (cores * 1e6) / cpu.postgres;
  const sqlite = s.rebind16.token.rps;
  out.push(
    `- **PostgreSQL.** A rebind costs PostgreSQL ${int(cpu.postgres)} µs of CPU, vpcep ${int(cpu.servers)} µs ` +
      `and the load generator ${int(cpu.generator)} µs (1 replica, 16 connections, /proc). Sharing ` +
      `${cores} cores, they fit at most ${int(both)} rebinds a second (PostgreSQL with the cores to itself: ` +
      `${int(alone)}): ${pct(both / sqlite)} of this run's SQLite rebind (${pct(alone / sqlite)}). The ` +
      `target asks 60 %.`,
  );
  const many = at(64);
  const bound = (cores * 1e6) / many.all;
  const one = pg.one.get(64)!.rps;
  out.push(
    `- **Replicas.** Each call is served whole by one replica, so more replicas do not make a call ` +
      `cheaper: at 64 connections a call costs ${int(many.all)} µs of CPU in all, which ${cores} cores ` +
      `fit at most ${int(bound)} times a second with any number of replicas, ${times(bound / one)} one ` +
      `replica's ${int(one)}. The target asks 1.5×.`,
  );
  return out;
}

async function main() {
  const loadBefore = os.loadavg();
  const when = new Date();
  let sqlite: SqliteFigures;
  let pg: PostgresFigures | string;
  let inProcess: number;
  try {
    inProcess = await ceilingRows();
    sqlite = await sqliteRows();
    pg = await postgresRows(sqlite.rebind16.token);
  } finally {
    await cleanup();
  }
  const profile = PROFILE_DIR ? profileTop(PROFILE_DIR) : undefined;
  const minutes = ((performance.now() - started) / 60_000).toFixed(1);
  const text = [
    `# Benchmark, ${when.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `\`npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}\` (bench/http.ts), ${minutes} min in all.`,
    '',
    ...[
      ...machine(ROOT, loadBefore),
      `servers: \`node ${path.relative(ROOT, ENTRY)} serve\` in processes of their own, log level ${process.env.VPCEP_LOG_LEVEL || 'info'}, stdout to /dev/null; the ceiling in a process of its own (and once, for reference, inside the bench's process, where issue 12 measured it); autocannon in the bench's process`,
      `rows: ${SECONDS} s each after ${WARMUP} s of warm-up per server; every rebind moves an endpoint to its other table, no two calls in flight on one endpoint; AK/SK calls each signed afresh (src/sdk/signer.ts)`,
      `SQLite durability: ${sqlite.durability}`,
      `PostgreSQL: ${typeof pg === 'string' ? `skipped (${pg})` : pg.settings}`,
      `growth: ${SIZES.map((n) => n.toLocaleString('en-US')).join(', ')} endpoints in one project (100 per VPC, two route tables of its own each, bound to one), seeded into the store directly`,
    ].map((l) => `- ${l}`),
    '',
    table(rows),
    '',
    '## Targets of issue 12',
    '',
    'The shares in brackets are of the in-process ceiling, the one issue 12 first measured its figures against.',
    '',
    targetTable(targets(sqlite, pg, inProcess)),
    '',
    '## What this machine allows',
    '',
    ...limits(sqlite, pg, inProcess),
    ...(profile
      ? [
          '',
          `## Profile of the SQLite server with ${SIZES[0]} endpoints (self time, ${path.relative(ROOT, profile.file)})`,
          '',
          'Places are in the sources (through dist/’s source maps). better-sqlite3 runs in the frame that calls it: ' +
            '`executeQuery` of Kysely’s SQLite driver is the transaction’s `begin`, savepoints and `commit` with its ' +
            'fsync, `rowsOf` the reads, `execute` the writes (src/store/sqlite.ts). The profile counts time on the ' +
            'main thread, waits in a system call (the fsync, `writev`) included.',
          '',
          '| share | where |',
          '|--:|---|',
          ...profile.top.map(([share, where]) => `| ${share} | \`${where}\` |`),
        ]
      : []),
    '',
  ].join('\n');
  console.log(`\n${text}`);
  progress(`written to ${path.relative(process.cwd(), writeResults(ROOT, text, when))}`);
}

// Interrupted: the signal handler has cleaned up and sets the exit code; the failed row says nothing new.
await main().catch((e: unknown) => {
  if (!interrupted) throw e;
});
