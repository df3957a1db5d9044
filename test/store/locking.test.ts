import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { createEndpoint, createTable, createVpc, gatewayService, routesOf } from '../helpers/fixtures.ts';
import { checkInvariants } from '../helpers/invariants.ts';
import { holdRowLock as holdSchemaRowLock } from '../helpers/pgdb.ts';
import { makeWorld, testSchemaOf, type Reply, type World } from '../helpers/world.ts';

/**
 * Row locks on PostgreSQL (routetables.md, "Atomicity and concurrency"): a call that cannot get its
 * turn within the lock timeout answers 409 VPCEP.0409 and changes nothing; once the lock is gone the
 * same call succeeds. The lock is held by another connection, as another replica would hold it.
 * PostgreSQL only: on SQLite the whole database is the lock (test/reliability covers it).
 */

const PG_URL = process.env.VPCEP_TEST_DATABASE_URL || undefined;
const LOCK_TIMEOUT_MS = 300;

let w: World;
/** The world's schema (test/helpers/world.ts gives each world one). */
let schema: string;
let service: string;
let vpc: { id: string; defaultTable: string };

before(async () => {
  if (!PG_URL) return;
  w = await makeWorld({ lockTimeoutMs: LOCK_TIMEOUT_MS });
  schema = testSchemaOf(w.store)!;
  service = await gatewayService(w);
  vpc = await createVpc(w);
});
after(() => w?.close());

/** A connection that holds `for update` on one row of the world's schema until `release()`. */
const holdRowLock = (table: 'endpoints' | 'routetables' | 'vpcs' | 'users', id: string) =>
  holdSchemaRowLock(schema, table, id);

function assertConflict(res: Reply, elapsedMs: number, envelope: 'endpoint' | 'vpc' = 'endpoint') {
  assert.equal(res.status, 409, res.raw);
  // The endpoint API's envelope (`error` only, no gateway fields); on VPC routes the VPC service's
  // top-level code and message as well.
  if (envelope === 'vpc') {
    assert.deepEqual(Object.keys(res.body).sort(), ['code', 'error', 'message'], res.raw);
    assert.equal(res.body.code, 'VPCEP.0409');
  } else {
    assert.deepEqual(Object.keys(res.body), ['error'], res.raw);
  }
  assert.equal(res.body.error.code, 'VPCEP.0409', res.raw);
  assert.equal(typeof res.body.error.message, 'string');
  assert.ok(res.body.error.message.length > 0);
  assert.doesNotMatch(res.raw, /lock|55P03|select|timeout/i, 'no SQL or driver text leaks');
  assert.ok(res.headers['x-request-id'], 'the error carries X-Request-Id');
  assert.ok(elapsedMs >= LOCK_TIMEOUT_MS - 50, `waited for the lock timeout (${elapsedMs} ms)`);
  assert.ok(elapsedMs < LOCK_TIMEOUT_MS + 4000, `gave up soon after the lock timeout (${elapsedMs} ms)`);
}

async function timed<T>(p: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const out = await p();
  return [out, performance.now() - t0];
}

const egwOf = async (table: string) =>
  (await routesOf(w, table))
    .filter((r) => r.type === 'egw')
    .map((r) => `${r.destination}>${r.nexthop}`)
    .sort();

async function stateOf(endpoint: string, tables: string[]) {
  const ep = await w.api('GET', `/vpc-endpoints/${endpoint}`);
  assert.equal(ep.status, 200, ep.raw);
  const routes: Record<string, string[]> = {};
  for (const t of tables) routes[t] = await egwOf(t);
  return { routetables: ep.body.routetables as string[], updated_at: ep.body.updated_at as string, routes };
}

test('a rebind waiting on a locked endpoint answers 409 VPCEP.0409 and changes nothing', async (t) => {
  if (!PG_URL) return t.skip('VPCEP_TEST_DATABASE_URL is not set');
  const t1 = await createTable(w, vpc.id);
  const t2 = await createTable(w, vpc.id);
  const ep = await createEndpoint(w, service, vpc.id, [t1]);
  const other = await createEndpoint(w, service, vpc.id, [await createTable(w, vpc.id)]);
  const before = await stateOf(ep, [t1, t2]);
  w.clock.advance(1000);

  const lock = await holdRowLock('endpoints', ep);
  try {
    const [res, ms] = await timed(() =>
      w.api('PUT', `/vpc-endpoints/${ep}/routetables`, { routetables: [t2] }),
    );
    assertConflict(res, ms);
    t.diagnostic(`409 after ${Math.round(ms)} ms (lock timeout ${LOCK_TIMEOUT_MS} ms)`);
    assert.deepEqual(await stateOf(ep, [t1, t2]), before, 'nothing changed');
    // A delete of the locked endpoint takes the same turn.
    const [del, delMs] = await timed(() => w.api('DELETE', `/vpc-endpoints/${ep}`));
    assertConflict(del, delMs);
    // Calls on other endpoints do not wait for this one's lock.
    const [free, freeMs] = await timed(() =>
      w.api('PUT', `/vpc-endpoints/${other}/routetables`, { routetables: [vpc.defaultTable] }),
    );
    assert.equal(free.status, 200, free.raw);
    assert.ok(freeMs < LOCK_TIMEOUT_MS, `another endpoint's call did not wait (${freeMs} ms)`);
    // Reads do not wait either.
    const [read, readMs] = await timed(() => w.api('GET', `/vpc-endpoints/${ep}`));
    assert.equal(read.status, 200, read.raw);
    assert.ok(readMs < LOCK_TIMEOUT_MS, `a read did not wait (${readMs} ms)`);
  } finally {
    await lock.release();
  }
  assert.deepEqual(await stateOf(ep, [t1, t2]), before, 'nothing changed after the lock went away');

  const res = await w.api('PUT', `/vpc-endpoints/${ep}/routetables`, { routetables: [t2] });
  assert.equal(res.status, 200, res.raw);
  assert.deepEqual(res.body, { routetables: [t2] });
  const now = await stateOf(ep, [t1, t2]);
  assert.deepEqual(now.routetables, [t2]);
  assert.deepEqual(now.routes[t1], []);
  assert.deepEqual(now.routes[t2], [`100.125.0.0/16>${ep}`]);
  assert.notEqual(now.updated_at, before.updated_at);
  await checkInvariants(w.store, { vpcIds: [vpc.id] });
});

test('a rebind that must bind a locked route table answers 409 and changes nothing', async (t) => {
  if (!PG_URL) return t.skip('VPCEP_TEST_DATABASE_URL is not set');
  const t1 = await createTable(w, vpc.id);
  const t2 = await createTable(w, vpc.id);
  const t3 = await createTable(w, vpc.id);
  const ep = await createEndpoint(w, service, vpc.id, [t1, t2]);
  const before = await stateOf(ep, [t1, t2, t3]);
  w.clock.advance(1000);

  const lock = await holdRowLock('routetables', t3);
  try {
    // Unbind t1, keep t2, bind the locked t3: all or nothing.
    const [res, ms] = await timed(() =>
      w.api('PUT', `/vpc-endpoints/${ep}/routetables`, { routetables: [t2, t3] }),
    );
    assertConflict(res, ms);
    assert.deepEqual(await stateOf(ep, [t1, t2, t3]), before, 'nothing changed');
    // A call that does not need t3 is not held up by its lock.
    const [fine, fineMs] = await timed(() =>
      w.api('PUT', `/vpc-endpoints/${ep}/routetables`, { routetables: [t1, t2] }),
    );
    assert.equal(fine.status, 200, fine.raw);
    assert.ok(fineMs < LOCK_TIMEOUT_MS, `${fineMs} ms`);
  } finally {
    await lock.release();
  }

  const res = await w.api('PUT', `/vpc-endpoints/${ep}/routetables`, { routetables: [t2, t3] });
  assert.equal(res.status, 200, res.raw);
  assert.deepEqual(res.body, { routetables: [t2, t3].sort() });
  const now = await stateOf(ep, [t1, t2, t3]);
  assert.deepEqual(now.routes[t1], []);
  assert.deepEqual(now.routes[t2], [`100.125.0.0/16>${ep}`]);
  assert.deepEqual(now.routes[t3], [`100.125.0.0/16>${ep}`]);
  await checkInvariants(w.store, { vpcIds: [vpc.id] });
});

test('a route-table update racing a held lock on the table answers 409 and changes nothing', async (t) => {
  if (!PG_URL) return t.skip('VPCEP_TEST_DATABASE_URL is not set');
  const table = await createTable(w, vpc.id);
  const ep = await createEndpoint(w, service, vpc.id, [table]);
  const show = async () => {
    const res = await w.api('GET', `/routetables/${table}`);
    assert.equal(res.status, 200, res.raw);
    return res.body.routetable;
  };
  const before = await show();
  w.clock.advance(1000);
  const edit = {
    routetable: {
      name: 'renamed',
      routes: { add: [{ type: 'nat', destination: '172.22.1.0/24', nexthop: 'nat-1' }] },
    },
  };

  const lock = await holdRowLock('routetables', table);
  try {
    const [res, ms] = await timed(() => w.api('PUT', `/routetables/${table}`, edit));
    assertConflict(res, ms, 'vpc');
    assert.deepEqual(await show(), before, 'nothing changed');
  } finally {
    await lock.release();
  }

  const res = await w.api('PUT', `/routetables/${table}`, edit);
  assert.equal(res.status, 200, res.raw);
  const after = await show();
  assert.equal(after.name, 'renamed');
  assert.deepEqual(
    after.routes.map((r: { destination: string; nexthop: string }) => `${r.destination}>${r.nexthop}`).sort(),
    [`100.125.0.0/16>${ep}`, '172.22.1.0/24>nat-1'],
  );
  await checkInvariants(w.store, { vpcIds: [vpc.id] });
});

// The checks that count or compare rows (the subnet-overlap check, the two-keys-per-user limit)
// lock the row they hang on, so two calls at once cannot both pass them.

test('a subnet create waits for a held lock on its VPC: 409, nothing created', async (t) => {
  if (!PG_URL) return t.skip('VPCEP_TEST_DATABASE_URL is not set');
  const lock = await holdRowLock('vpcs', vpc.id);
  try {
    const [res, ms] = await timed(() =>
      w.api('POST', '/subnets', {
        subnet: { name: 'held', cidr: '10.0.77.0/24', gateway_ip: '10.0.77.1', vpc_id: vpc.id },
      }),
    );
    assertConflict(res, ms, 'vpc');
  } finally {
    await lock.release();
  }
  const subnets = await w.api('GET', `/subnets?vpc_id=${vpc.id}`);
  assert.deepEqual(
    subnets.body.subnets.filter((s: { name: string }) => s.name === 'held'),
    [],
    'nothing was created',
  );
});

test('overlapping subnets created at once: exactly one is created', async (t) => {
  if (!PG_URL) return t.skip('VPCEP_TEST_DATABASE_URL is not set');
  const racing = Array.from({ length: 6 }, (_, i) =>
    w.api('POST', '/subnets', {
      subnet: { name: `race-${i}`, cidr: '10.0.88.0/24', gateway_ip: '10.0.88.1', vpc_id: vpc.id },
    }),
  );
  const answers = await Promise.all(racing);
  const created = answers.filter((r) => r.status === 200 || r.status === 201);
  assert.equal(created.length, 1, answers.map((r) => `${r.status} ${r.raw}`).join('\n'));
  for (const r of answers.filter((a) => !created.includes(a))) {
    assert.ok(r.status === 400 || r.status === 409, r.raw);
  }
  const subnets = await w.api('GET', `/subnets?vpc_id=${vpc.id}`);
  assert.equal(subnets.body.subnets.filter((s: { cidr: string }) => s.cidr === '10.0.88.0/24').length, 1);
});

// Deletes racing the creates and binds that refer to what they delete: whichever commits first
// wins, the other is refused with a documented code (a foreign key the loser trips answers 409), and
// nothing is ever left referring to what was deleted.

/** `status code` of an answer, for tallies and messages. */
const outcome = (r: Reply) => `${r.status} ${r.body?.error?.code ?? ''}`.trim();

test('a VPC delete racing creates inside it: one side wins, nothing is left in a deleted VPC', async (t) => {
  if (!PG_URL) return t.skip('VPCEP_TEST_DATABASE_URL is not set');
  const tally = new Map<string, number>();
  for (let round = 0; round < 8; round++) {
    const v = (await createVpc(w, '10.60.0.0/16', `race-${round}`)).id;
    const [del, ...creates] = await Promise.all([
      w.api('DELETE', `/vpcs/${v}`),
      w.api('POST', '/subnets', {
        subnet: { name: 'race', cidr: '10.60.1.0/24', gateway_ip: '10.60.1.1', vpc_id: v },
      }),
      w.api('POST', '/routetables', { routetable: { vpc_id: v, name: 'race' } }),
      w.api('POST', '/vpc-endpoints', { endpoint_service_id: service, vpc_id: v }),
    ]);
    const answers = [del!, ...creates].map(outcome);
    for (const a of answers) tally.set(a, (tally.get(a) ?? 0) + 1);
    const why = `round ${round}: delete, subnet, table, endpoint answered ${answers.join(' | ')}`;
    assert.ok(['204', '409 VPC.0104', '409 VPCEP.0409'].includes(outcome(del!)), why);
    const refused = ['404 VPC.0103', '400 EndPoint.2001', '400 EndPoint.1019', '409 VPCEP.0409'];
    for (const c of creates) assert.ok(c.status === 200 || refused.includes(outcome(c)), why);
    const shown = await w.api('GET', `/vpcs/${v}`);
    if (del!.status === 204) {
      assert.deepEqual(
        creates.map((c) => c.status).filter((s) => s === 200),
        [],
        why,
      );
      assert.equal(shown.status, 404, why);
      assert.deepEqual((await w.api('GET', `/subnets?vpc_id=${v}`)).body.subnets, [], why);
      assert.deepEqual((await w.api('GET', `/vpc-endpoints?vpc_id=${v}`)).body.endpoints, [], why);
    } else {
      assert.equal(shown.status, 200, why);
    }
  }
  t.diagnostic(`answers: ${[...tally].map(([k, n]) => `${n} × ${k}`).join(', ')}`);
  await checkInvariants(w.store);
});

test('a route-table delete racing a rebind that binds it: one side wins, no binding outlives the table', async (t) => {
  if (!PG_URL) return t.skip('VPCEP_TEST_DATABASE_URL is not set');
  const own = await createTable(w, vpc.id);
  const ep = await createEndpoint(w, service, vpc.id, [own]);
  const tally = new Map<string, number>();
  for (let round = 0; round < 8; round++) {
    const contested = await createTable(w, vpc.id);
    const [del, put] = await Promise.all([
      w.api('DELETE', `/routetables/${contested}`),
      w.api('PUT', `/vpc-endpoints/${ep}/routetables`, { routetables: [own, contested] }),
    ]);
    const answers = [outcome(del!), outcome(put!)];
    for (const a of answers) tally.set(a, (tally.get(a) ?? 0) + 1);
    const why = `round ${round}: delete, rebind answered ${answers.join(' | ')}`;
    assert.ok(['204', '400 VPC.2802', '409 VPCEP.0409'].includes(outcome(del!)), why);
    assert.ok(['200', '400 EndPoint.1019', '409 VPCEP.0409'].includes(outcome(put!)), why);
    const bound = (await w.api('GET', `/vpc-endpoints/${ep}`)).body.routetables as string[];
    if (del!.status === 204) {
      assert.deepEqual(bound, [own], why);
      assert.equal((await w.api('GET', `/routetables/${contested}`)).status, 404, why);
    } else {
      assert.deepEqual(bound, put!.status === 200 ? [own, contested].sort() : [own], why);
      // Unbind it again for the next round, so the endpoint always starts on its own table.
      assert.equal(
        (await w.api('PUT', `/vpc-endpoints/${ep}/routetables`, { routetables: [own] })).status,
        200,
      );
    }
  }
  t.diagnostic(`answers: ${[...tally].map(([k, n]) => `${n} × ${k}`).join(', ')}`);
  await checkInvariants(w.store, { vpcIds: [vpc.id] });
});

test('an access-key create waits for a held lock on its user: 409, no key made', async (t) => {
  if (!PG_URL) return t.skip('VPCEP_TEST_DATABASE_URL is not set');
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  const { rows } = await c.query(`select id from ${schema}.users where name = 'admin'`);
  await c.end();
  const userId = rows[0].id as string;
  const before = await w.call('GET', '/v3.0/OS-CREDENTIAL/credentials');
  const lock = await holdRowLock('users', userId);
  try {
    const [res, ms] = await timed(() =>
      w.call('POST', '/v3.0/OS-CREDENTIAL/credentials', { credential: { user_id: userId } }),
    );
    assert.equal(res.status, 409, res.raw);
    assert.ok(ms >= LOCK_TIMEOUT_MS - 50, `waited for the lock (${ms} ms)`);
  } finally {
    await lock.release();
  }
  assert.deepEqual(
    (await w.call('GET', '/v3.0/OS-CREDENTIAL/credentials')).body,
    before.body,
    'no key was made',
  );
});

test('access keys created at once for one user: never more than two', async (t) => {
  if (!PG_URL) return t.skip('VPCEP_TEST_DATABASE_URL is not set');
  const list = async () =>
    (await w.call('GET', '/v3.0/OS-CREDENTIAL/credentials')).body.credentials as { access: string }[];
  for (const k of (await list()).slice(1)) {
    assert.equal((await w.call('DELETE', `/v3.0/OS-CREDENTIAL/credentials/${k.access}`)).status, 204);
  }
  const userId = ((await list())[0] as unknown as { user_id: string }).user_id;
  const answers = await Promise.all(
    Array.from({ length: 5 }, () =>
      w.call('POST', '/v3.0/OS-CREDENTIAL/credentials', { credential: { user_id: userId } }),
    ),
  );
  assert.equal(answers.filter((r) => r.status === 201).length, 1, answers.map((r) => r.raw).join('\n'));
  assert.equal((await list()).length, 2);
});
