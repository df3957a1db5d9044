// The floor of a SQLite rebind: the service's UpdateEndpointRoutetable called in this process on the
// store, with no HTTP, no authentication and no load generator. What a rebind costs the service and
// the store alone, the part no HTTP side, however lean or spread over cores, takes away; and, in a
// second run without the fsync, the time SQLite itself takes for it, statements and commit.
import Sqlite from 'better-sqlite3';
import { sql } from 'kysely';
import pino from 'pino';
import { loadConfig } from '../../src/config.ts';
import { randomIds, systemClock } from '../../src/domain/ids.ts';
import type { Caller } from '../../src/service/context.ts';
import { Endpoints, type RebindResult } from '../../src/service/endpoints.ts';
import { Faults } from '../../src/service/faults.ts';
import type { Store } from '../../src/store/store.ts';
import type { Rebinds } from './load.ts';

export interface Floor {
  /** Rebinds a second, as the server runs the store (synchronous = FULL). */
  rps: number;
  /** µs of this process's CPU a call (the service, Kysely, SQLite), in that run. */
  cpu: number;
  /** A second run with synchronous = OFF, each statement timed (the timer's cost in its figures). */
  unsynced: {
    rps: number;
    /** µs a call inside SQLite: its statements and its commits. */
    sqlite: number;
    /** Of `sqlite`, the commits'. */
    commit: number;
    /** Calls a commit carried. */
    perCommit: number;
  };
}

type Method = (this: Sqlite.Statement, ...args: unknown[]) => unknown;

/**
 * Times every statement SQLite runs in this process while `fn` runs (better-sqlite3 runs them all
 * through its Statement's methods, Kysely's `begin` and `commit` too), by whether it is a commit.
 */
async function timingSqlite<T>(
  fn: () => Promise<T>,
): Promise<{ value: T; total: number; commit: number; commits: number }> {
  const proto = Object.getPrototypeOf(new Sqlite(':memory:').prepare('select 1')) as Record<string, Method>;
  const names = ['run', 'all', 'get', 'iterate'] as const;
  const original = new Map(names.map((n) => [n, proto[n]!]));
  const clock = { total: 0, commit: 0, commits: 0 };
  // Whether a statement is a commit, known once per statement: its `source` is a new string at each read.
  const commits = new WeakMap<Sqlite.Statement, boolean>();
  const isCommit = (stmt: Sqlite.Statement) => {
    let is = commits.get(stmt);
    if (is === undefined) commits.set(stmt, (is = stmt.source === 'commit'));
    return is;
  };
  for (const name of names) {
    const inner = original.get(name)!;
    proto[name] = function (this: Sqlite.Statement, ...args: unknown[]) {
      const t0 = performance.now();
      try {
        return inner.apply(this, args);
      } finally {
        const spent = performance.now() - t0;
        clock.total += spent;
        if (isCommit(this)) {
          clock.commit += spent;
          clock.commits++;
        }
      }
    };
  }
  try {
    const value = await fn();
    return {
      value,
      total: clock.total * 1000,
      commit: clock.commit * 1000,
      commits: clock.commits,
    };
  } finally {
    for (const name of names) proto[name] = original.get(name)!;
  }
}

/**
 * The service's UpdateEndpointRoutetable on `store`, called as a token's caller of `projectId` with
 * every role would be once the HTTP side has authenticated it: what the floor and the bare front
 * (bench/lib/front-server.ts) run without HTTP, or behind a bare one.
 */
export function rebindService(
  store: Store,
  projectId: string,
): (endpoint: string, tables: string[]) => Promise<RebindResult> {
  const config = loadConfig({});
  const deps = { config, store, clock: systemClock, ids: randomIds, log: pino({ level: 'silent' }) };
  const endpoints = new Endpoints(deps, new Faults(deps));
  const caller = (): Caller => ({
    user_id: 'bench',
    user_name: 'bench',
    domain_id: 'bench',
    domain_name: 'bench',
    project_id: projectId,
    project_name: 'bench',
    // As the server makes one (ids.hex, from a pool): a randomBytes call each was 6 % of the floor's CPU.
    request_id: randomIds.hex(16),
    roles: ['te_admin'],
    account_admin: true,
    call: { operation: 'UpdateEndpointRoutetable', status: 200 },
  });
  return (endpoint, tables) => endpoints.updateRoutetables(caller(), endpoint, tables);
}

/**
 * `inFlight` callers, each moving endpoints of its own (`rebinds`' scenes) between their two tables
 * for `seconds`, on `store` (SQLite, as the server opens it; no server may hold it meanwhile).
 */
export async function sqliteFloor(
  store: Store,
  rebinds: Rebinds,
  seconds: number,
  inFlight: number,
): Promise<Floor> {
  const { projectId, scenes } = rebinds;
  if (scenes.length % inFlight !== 0) {
    throw new Error(`${scenes.length} scenes do not share out among ${inFlight} callers`);
  }
  const rebindOn = rebindService(store, projectId);
  /** Moves scene `i`'s endpoint to its other table, checked. */
  const rebind = async (i: number) => {
    const { target } = rebinds.call(i);
    const result = await rebindOn(scenes[i]!.endpoint, [target]);
    if (JSON.stringify(result.routetables) !== JSON.stringify([target])) {
      throw new Error(`the floor's rebind answered ${JSON.stringify(result)}, not the table ${target}`);
    }
  };
  const run = async (ms: number) => {
    const until = performance.now() + ms;
    let calls = 0;
    await Promise.all(
      Array.from({ length: inFlight }, async (_, w) => {
        // Caller w takes scenes w, w + inFlight, …: no two calls in flight on one endpoint.
        for (let i = w; performance.now() < until; i = (i + inFlight) % scenes.length) {
          await rebind(i);
          calls++;
        }
      }),
    );
    return calls;
  };
  await run(1000); // JIT and statement caches warm
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const calls = Math.max(1, await run(seconds * 1000));
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  // Again with no fsync, each statement timed: SQLite's own work, without the waits for the disk.
  const synchronous = async (mode: string) =>
    sql.raw(`pragma synchronous = ${mode}`).execute(store.engine.db);
  await synchronous('OFF');
  try {
    const t1 = performance.now();
    const timed = await timingSqlite(() => run(seconds * 1000));
    const n = Math.max(1, timed.value);
    return {
      rps: calls / elapsed,
      cpu: (cpu.user + cpu.system) / calls,
      unsynced: {
        rps: n / ((performance.now() - t1) / 1000),
        sqlite: timed.total / n,
        commit: timed.commit / n,
        perCommit: n / Math.max(1, timed.commits),
      },
    };
  } finally {
    await synchronous('FULL');
  }
}
