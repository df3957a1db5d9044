import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createEndpoint, createTable, createVpc, gatewayService } from '../helpers/fixtures.ts';
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

/** A write transaction that locks the endpoint (as every change of it does) and holds it until `release()`. */
async function holdEndpoint() {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let locked = false;
  const done = w.store.tx(async (r) => {
    const e = await r.endpoints.byId(w.projectId, endpoint, w.clock.now(), { forUpdate: true });
    assert.ok(e, 'the endpoint exists');
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
