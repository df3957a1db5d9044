import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createEndpoint, createTable, createVpc, gatewayService } from '../helpers/fixtures.ts';
import { sql } from 'kysely';
import { ApiError } from '../../src/domain/errors.ts';
import { namedStatements, prepare } from '../../src/store/prepared.ts';
import type { Tx } from '../../src/store/store.ts';
import { sentDuring } from '../helpers/pg-sent.ts';
import { parseScrape, type Scrape } from '../helpers/prometheus.ts';
import { until } from '../helpers/wait.ts';
import { makeWorld, type World } from '../helpers/world.ts';

/**
 * Lock waits and lock timeouts as the store counts them (README, "Metrics"), on each store: a write
 * that must wait for another to let go of its lock is one wait; one that gives up after the lock
 * timeout is one timeout. The lock is held by a store transaction of this process that does not end
 * until the test lets it.
 */

const LOCK_TIMEOUT_MS = 300;
const WAITS = 'vpcep_store_lock_waits_total';
const TIMEOUTS = 'vpcep_store_lock_timeouts_total';

let w: World;
let endpoint: string;
let table: string;

before(async () => {
  w = await makeWorld({ metrics: true, lockTimeoutMs: LOCK_TIMEOUT_MS });
  const vpc = await createVpc(w);
  table = await createTable(w, vpc.id);
  endpoint = await createEndpoint(w, await gatewayService(w), vpc.id, [table]);
});
after(() => w?.close());

async function metrics(): Promise<Scrape> {
  const res = await w.call('GET', '/metrics');
  assert.equal(res.status, 200, res.raw);
  return parseScrape(res.raw);
}

/** A write transaction that takes its locks with `lock` and holds them until `release()`. */
async function holding(lock: (r: Tx) => Promise<unknown>) {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let locked = false;
  const done = w.store.tx(async (r) => {
    await lock(r);
    locked = true;
    await released;
  });
  await until('the holder to have its lock', () => locked);
  return {
    async release() {
      release();
      await done;
    },
  };
}

/** The endpoint locked, as every change of it does. */
const holdEndpoint = () =>
  holding(async (r) => {
    const e = await r.endpoints.byId(w.projectId, endpoint, w.clock.now(), { forUpdate: true });
    assert.ok(e, 'the endpoint exists');
  });

/** Route table `id` locked, as a rebind binding it does. */
const holdTable = (id: string) => holding((r) => r.network.lockRoutetables([id]));

test('a write that waits for another one to let go of its lock is one lock wait', async () => {
  const before = await metrics();
  const holder = await holdEndpoint();
  let second: Promise<unknown> | undefined;
  try {
    second = w.store.tx((r) => r.endpoints.byId(w.projectId, endpoint, w.clock.now(), { forUpdate: true }));
    // PostgreSQL counts the wait when the second write finds the row taken, which a scrape can watch
    // for meanwhile; SQLite counts it when the write queues behind the holder, which it has done by
    // now, and a scrape would queue behind the holder too (reads run between writes).
    if (w.store.dialect === 'postgres') {
      await until('the second write to be seen waiting', async () =>
        (await metrics()).count(WAITS) > before.count(WAITS) ? true : undefined,
      );
    }
  } finally {
    await holder.release();
  }
  assert.ok(await second, 'the second write got its turn');
  const after = await metrics();
  assert.equal(after.count(WAITS) - before.count(WAITS), 1);
  assert.equal(after.count(TIMEOUTS) - before.count(TIMEOUTS), 0);
});

test('writes that find their lock free wait for nothing', async () => {
  const before = await metrics();
  for (let i = 0; i < 3; i++) {
    await w.store.tx((r) => r.endpoints.byId(w.projectId, endpoint, w.clock.now(), { forUpdate: true }));
  }
  const res = await w.api('PUT', `/vpc-endpoints/${endpoint}/routetables`, { routetables: [table] });
  assert.equal(res.status, 200, res.raw);
  const after = await metrics();
  assert.equal(after.count(WAITS) - before.count(WAITS), 0);
});

test('a rebind that waits out the lock timeout is one wait and one timeout (409 VPCEP.0409)', async (t) => {
  // SQLite: the one connection is the lock, and a write waits for it in this process's queue, not
  // for a timeout; a scrape would wait in that queue too.
  if (w.store.dialect !== 'postgres')
    return t.skip('SQLite writers take turns in one queue, without a timeout');
  const before = await metrics();
  const holder = await holdEndpoint();
  try {
    const res = await w.api('PUT', `/vpc-endpoints/${endpoint}/routetables`, { routetables: [table] });
    assert.equal(res.status, 409, res.raw);
    assert.equal(res.body.error.code, 'VPCEP.0409');
  } finally {
    await holder.release();
  }
  const after = await metrics();
  assert.equal(after.count(WAITS) - before.count(WAITS), 1);
  assert.equal(after.count(TIMEOUTS) - before.count(TIMEOUTS), 1);
  assert.equal(
    after.count('vpcep_store_transaction_duration_seconds_count', { kind: 'write', outcome: 'failed' }) -
      before.count('vpcep_store_transaction_duration_seconds_count', { kind: 'write', outcome: 'failed' }),
    1,
  );
});

/**
 * A rebind of the endpoint to `to` while another transaction holds `to` locked, released once the
 * rebind is seen waiting: its answer, what it sent, and the waits and timeouts it counted.
 */
async function rebindWaitingFor(to: string) {
  const before = await metrics();
  const holder = await holdTable(to);
  let answer: ReturnType<World['api']> | undefined;
  const sent = await sentDuring(async () => {
    try {
      answer = w.api('PUT', `/vpc-endpoints/${endpoint}/routetables`, { routetables: [to] });
      await until('the rebind to be seen waiting', async () =>
        (await metrics()).count(WAITS) > before.count(WAITS) ? true : undefined,
      );
    } finally {
      await holder.release();
    }
    await answer;
  });
  const after = await metrics();
  return {
    res: await answer!,
    sent,
    waits: after.count(WAITS) - before.count(WAITS),
    timeouts: after.count(TIMEOUTS) - before.count(TIMEOUTS),
  };
}

test('PostgreSQL: a rebind whose new table is locked waits once, then binds it as asked', async (t) => {
  // The rebind locks its endpoint, then its tables (one round trip with the lock probe): the probe
  // finds the endpoint free and the table taken, goes back to its savepoint and reads both again,
  // waiting. Its answer and what it binds must be those of a call that never waited.
  if (w.store.dialect !== 'postgres') return t.skip('SQLite has no row locks to wait for');
  const other = await createTable(w, (await w.api('GET', `/vpc-endpoints/${endpoint}`)).body.vpc_id);
  // Calls at once, so that the pool's connections have prepared the rebind's statements and the
  // probe can ride in one round trip (a refused one prepares them as well).
  await Promise.all(
    Array.from({ length: 6 }, (_, i) =>
      w.api('PUT', `/vpc-endpoints/${endpoint}/routetables`, { routetables: [i % 2 ? other : table] }),
    ),
  );
  const reset = await w.api('PUT', `/vpc-endpoints/${endpoint}/routetables`, { routetables: [table] });
  assert.equal(reset.status, 200, reset.raw);
  const tablesRead = [...namedStatements].find(([text]) =>
    /^select "routetables"\.\*.*for update of "routetables"$/s.test(text),
  );
  assert.ok(tablesRead, 'the rebind reads its tables as a prepared statement');
  const [tablesText, tablesName] = tablesRead;
  // Three times: a waiting read is prepared on a connection as it first runs there; where it has run
  // before, the reads ride in the round trip that goes back to the savepoint (the warm-up's calls
  // waited for each other, so the pool's connections have them).
  let oneRoundTrip = 0;
  for (const to of [other, table, other]) {
    const { res, sent, waits, timeouts } = await rebindWaitingFor(to);
    assert.equal(res.status, 200, res.raw);
    assert.deepEqual(res.body.routetables, [to]);
    assert.equal(res.body.error, undefined);
    const shown = await w.api('GET', `/vpc-endpoints/${endpoint}`);
    assert.deepEqual(shown.body.routetables, [to]);
    assert.equal(waits, 1);
    assert.equal(timeouts, 0);
    // After going back to the savepoint, the tables' locking read ran again as written: no NOWAIT.
    const back = sent.findIndex((text) => text.startsWith('rollback to savepoint vpcep_lock_probe'));
    assert.ok(back > 0, sent.join('\n---\n'));
    if (new RegExp(`execute ${tablesName}\\(`).test(sent[back]!)) oneRoundTrip++;
    assert.ok(
      sent.slice(back).some((s) => s === tablesText || new RegExp(`execute ${tablesName}\\(`).test(s)),
      sent.slice(back).join('\n---\n'),
    );
  }
  assert.ok(oneRoundTrip > 0, 'no retry went back to the savepoint and read again in one round trip');
});

/** A write of the endpoint's row that nobody reads the count of: held for the transaction's next round trip. */
const TOUCH = prepare(({ db }, id: string) =>
  db
    .updateTable('endpoints')
    .set({ updated_at: sql<string>`updated_at` })
    .where('id', '=', id),
);

test('PostgreSQL: a held write that waits out the lock timeout before a probed read is one timeout, no wait (409)', async (t) => {
  // A held write goes before the probe's savepoint, in a round trip of its own: when it gives up,
  // its lock timeout is its own (409, one timeout) and no probe found rows taken (no wait), as when
  // the same write goes with the commit.
  if (w.store.dialect !== 'postgres') return t.skip('SQLite has no row locks to wait for');
  // Run at once on every connection of the pool: a held write is held only where it is prepared.
  await Promise.all(
    Array.from({ length: 12 }, () => w.store.tx((r) => TOUCH.run(r.db, w.store.engine, [endpoint]))),
  );
  const before = await metrics();
  const holder = await holdEndpoint();
  try {
    const sent = await sentDuring(() =>
      assert.rejects(
        w.store.tx(async (r) => {
          await TOUCH.runAtCommit(r.db, w.store.engine, [endpoint]);
          await r.endpoints.byId(w.projectId, endpoint, w.clock.now(), { forUpdate: true });
        }),
        (e: unknown) => e instanceof ApiError && e.code === 'VPCEP.0409',
      ),
    );
    // The write was held, then sent with the savepoint and nothing after it; no probe ran.
    assert.ok(
      sent.some((text) => /^begin;\nexecute vpcep_\d+\(.*\);\nsavepoint vpcep_lock_probe$/s.test(text)),
      sent.join('\n---\n'),
    );
    assert.ok(!sent.some((text) => /nowait|rollback to savepoint/.test(text)), sent.join('\n---\n'));
  } finally {
    await holder.release();
  }
  const after = await metrics();
  assert.equal(after.count(TIMEOUTS) - before.count(TIMEOUTS), 1);
  assert.equal(after.count(WAITS) - before.count(WAITS), 0);
  // The connection is whole: the next transaction on it runs.
  const res = await w.api('PUT', `/vpc-endpoints/${endpoint}/routetables`, { routetables: [table] });
  assert.equal(res.status, 200, res.raw);
});
