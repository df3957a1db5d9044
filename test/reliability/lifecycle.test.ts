import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sweep } from '../../src/service/lifecycle.ts';
import type { Store } from '../../src/store/store.ts';
import { ok } from '../helpers/expect.ts';
import {
  createEndpoint,
  createPort,
  createService,
  createSubnet,
  createTable,
  createVpc,
  egwRoutes,
  gatewayService,
  GW_CIDR,
  type Api,
} from '../helpers/fixtures.ts';
import { checkInvariants } from '../helpers/invariants.ts';
import { TEST_DATABASE_URL } from '../helpers/pgdb.ts';
import { useScratch } from '../helpers/scratch.ts';
import { client, onServerStore, sessionOn, spawnServer } from '../helpers/server.ts';
import { until } from '../helpers/wait.ts';
import { makeWorld, openTestStore, type World } from '../helpers/world.ts';

/**
 * The lifecycle's transitions are stored state (spec/operations.md, "Lifecycle"): a server killed
 * while an endpoint is being created and another deleted finishes both after a restart, and the
 * sweeps that remove what is gone may run at once, on several replicas, without failing or
 * removing anything twice.
 */

const PASSWORD = 'lifecycle-password-1';
const scratch = useScratch('vpcep-lifecycle-');

/** The stored row of an endpoint (what no API shows), or undefined when none is left. */
const storedEndpoint = (store: Store, id: string) =>
  store.read((r) =>
    r.db.selectFrom('endpoints').select(['status', 'ready_at']).where('id', '=', id).executeTakeFirst(),
  );

test(
  'SIGKILL while one endpoint is creating and another deleting: after a restart, one settles and the other is gone and purged',
  { timeout: 240_000 },
  async () => {
    const dataDir = scratch.dir();
    const db = TEST_DATABASE_URL ? await scratch.database('vpcep_life') : undefined;
    const where = db ? { databaseUrl: db.url } : { dataDir };
    // Delays long enough that the kill, one call after the delete, lands inside both.
    const env = {
      VPCEP_ADMIN_PASSWORD: PASSWORD,
      VPCEP_PROVISIONING_DELAY_MS: '2000',
      VPCEP_DELETION_DELAY_MS: '4000',
    };
    const start = () => spawnServer({ dataDir, env, ...(db ? { databaseUrl: db.url } : {}) });
    const first = await start();
    const session = await sessionOn(first, PASSWORD);
    const c1 = client(first.url, session);
    const show = (c: Api, ep: string) => c.api('GET', `/vpc-endpoints/${ep}`);

    const vpc = await createVpc(c1, '10.0.0.0/16', 'life');
    const table = await createTable(c1, vpc.id);
    const gw = await gatewayService(c1);
    const leaving = await createEndpoint(c1, gw, vpc.id, [table]);
    await until(
      'the first endpoint accepted',
      async () => ok(await show(c1, leaving)).body.status === 'accepted',
      60_000,
    );
    assert.deepEqual(await egwRoutes(c1, table), [{ type: 'egw', destination: GW_CIDR, nexthop: leaving }]);

    ok(await c1.api('DELETE', `/vpc-endpoints/${leaving}`), 204);
    const coming = await createEndpoint(c1, gw, vpc.id);
    assert.equal(await first.stop('SIGKILL'), 'SIGKILL');

    // Killed in the middle: what the store holds is each transition, not its outcome.
    await onServerStore(where, async (store) => {
      assert.equal((await storedEndpoint(store, coming))?.status, 'creating');
      assert.equal((await storedEndpoint(store, leaving))?.status, 'deleting');
    });

    const second = await start();
    const c2 = client(second.url, session);
    await until(
      'the creating endpoint accepted',
      async () => ok(await show(c2, coming)).body.status === 'accepted',
      60_000,
    );
    await until('the deleting endpoint gone', async () => (await show(c2, leaving)).status === 404, 60_000);
    const shown = ok(await c2.api('GET', `/vpc-endpoints?vpc_id=${vpc.id}`)).body;
    assert.deepEqual(
      shown.endpoints.map((e: { id: string; status: string }) => [e.id, e.status]),
      [[coming, 'accepted']],
    );
    assert.deepEqual(await egwRoutes(c2, table), []);
    assert.deepEqual(await egwRoutes(c2, vpc.defaultTable), [
      { type: 'egw', destination: GW_CIDR, nexthop: coming },
    ]);
    assert.equal(await second.stop('SIGTERM'), 0, second.output());

    // A server sweeps before it serves: once a third one answers, the gone row has left the store.
    const third = await start();
    assert.equal(ok(await show(client(third.url, session), coming)).body.status, 'accepted');
    assert.equal(await third.stop('SIGTERM'), 0, third.output());
    await onServerStore(where, async (store) => {
      assert.equal(await storedEndpoint(store, leaving), undefined, 'the gone endpoint was purged');
      assert.equal(
        (await storedEndpoint(store, coming))?.status,
        'creating',
        'settled on read, not rewritten',
      );
      const snap = await checkInvariants(store, { vpcIds: [vpc.id] });
      assert.deepEqual([...snap.bindings], [[coming, [vpc.defaultTable]]]);
    });
  },
);

/** What one test of sweeps needs: endpoints and services whose deletion has ended, in a world. */
async function goneThings(w: World, endpoints: number, services: number) {
  const vpc = (await createVpc(w, '10.20.0.0/16')).id;
  const subnet = await createSubnet(w, vpc, '10.20.0.0/24');
  const port = (await createPort(w, subnet)).id;
  const service = (await createService(w, vpc, port, { approval_enabled: false })).id;
  const eps: string[] = [];
  for (let i = 0; i < endpoints; i++) {
    const res = ok(
      await w.api('POST', '/vpc-endpoints', { endpoint_service_id: service, vpc_id: vpc, subnet_id: subnet }),
    );
    eps.push(res.body.id);
  }
  const svcs: string[] = [];
  for (let i = 0; i < services; i++) {
    const p = (await createPort(w, subnet)).id;
    svcs.push((await createService(w, vpc, p)).id);
  }
  for (const ep of eps) ok(await w.api('DELETE', `/vpc-endpoints/${ep}`), 204);
  for (const s of svcs) ok(await w.api('DELETE', `/vpc-endpoint-services/${s}`), 204);
  w.clock.advance(w.config.deletionDelayMs);
  return { vpc, endpoints: eps, services: svcs };
}

/** How many rows of each kind the store still holds. */
async function stored(store: Store, ids: { endpoints: string[]; services: string[] }) {
  return store.read(async (r) => ({
    endpoints: (await r.db.selectFrom('endpoints').select('id').where('id', 'in', ids.endpoints).execute())
      .length,
    services: (
      await r.db.selectFrom('endpoint_services').select('id').where('id', 'in', ids.services).execute()
    ).length,
  }));
}

test('sweeps racing one another each succeed, and remove every gone row once between them', async () => {
  const w = await makeWorld({ deletionDelayMs: 1000, quotaEndpoints: 1000 });
  // On PostgreSQL, a second store on the same schema: a replica's own pool.
  const other = TEST_DATABASE_URL ? await openTestStore(w.dir) : w.store;
  try {
    const gone = await goneThings(w, 40, 5);
    assert.deepEqual(await stored(w.store, gone), { endpoints: 40, services: 5 });
    const stores = [w.store, other, w.store, other];
    const results = await Promise.all(stores.map((store) => sweep({ store, clock: w.clock })));
    const total = results.reduce((a, b) => ({
      endpoints: a.endpoints + b.endpoints,
      services: a.services + b.services,
    }));
    assert.deepEqual(total, { endpoints: 40, services: 5 }, JSON.stringify(results));
    assert.deepEqual(await stored(w.store, gone), { endpoints: 0, services: 0 });
    await checkInvariants(w.store, { vpcIds: [gone.vpc] });
  } finally {
    if (other !== w.store) await other.close();
    await w.close();
  }
});

test('a sweep passes over the rows another sweep holds, without waiting for it (PostgreSQL)', async (t) => {
  if (!TEST_DATABASE_URL) return t.skip('row locks are PostgreSQL’s; SQLite’s writers take turns');
  const w = await makeWorld({ deletionDelayMs: 1000 });
  const other = await openTestStore(w.dir, 2_000);
  let release = () => {};
  try {
    const gone = await goneThings(w, 10, 3);
    let entered = () => {};
    const inside = new Promise<void>((resolve) => (entered = resolve));
    const held = new Promise<void>((resolve) => (release = resolve));
    // One sweep takes every gone row and holds them, uncommitted.
    const holder = w.store.tx(async (r) => {
      const n = await r.lifecycle.purge(w.clock.now(), {}, { skipLocked: true });
      entered();
      await held;
      return n;
    });
    await inside;
    // The other, on another connection, finds them all held: it removes none and does not wait
    // (were it to wait, it would fail on its 2-second lock timeout, the holder being released after it).
    assert.deepEqual(await sweep({ store: other, clock: w.clock }), { endpoints: 0, services: 0 });
    release();
    assert.deepEqual(await holder, { endpoints: 10, services: 3 });
    assert.deepEqual(await stored(other, gone), { endpoints: 0, services: 0 });
  } finally {
    release();
    await other.close();
    await w.close();
  }
});
