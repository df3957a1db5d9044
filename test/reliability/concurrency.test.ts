import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { auditLog } from '../helpers/audit.ts';
import { checkInvariants, checkReadPath } from '../helpers/invariants.ts';
import { prng } from '../helpers/random.ts';
import { client, type HttpReply } from '../helpers/server.ts';
import { makeWorld, type World } from '../helpers/world.ts';
import {
  createEndpoint,
  createTable,
  createVpc,
  gatewayServiceIds,
  TWO_GATEWAY_SERVICES,
} from '../helpers/fixtures.ts';
import { ok, sorted } from '../helpers/expect.ts';

/**
 * Concurrent calls over real HTTP against a listening server (routetables.md, "Atomicity and
 * concurrency"): calls on one endpoint take turns and none is lost; two endpoints of one service
 * racing for a table: exactly one gets it.
 */

let w: World;
/** The JSON client of the listening server: `http('GET', '/vpcs')` calls `/v1/{project}/vpcs`. */
let http: ReturnType<typeof client>['api'];
/** The same client, for the fixtures. */
let real: ReturnType<typeof client>;
let serviceId: string;
/** A second gateway service: its endpoints share tables with the first one's. */
let otherServiceId: string;
const SERVICES = TWO_GATEWAY_SERVICES;

const readPath = {
  endpoint: (id: string) => http('GET', `/vpc-endpoints/${id}`),
  list: () => http('GET', '/vpc-endpoints?limit=1000'),
  routetable: (id: string) => http('GET', `/routetables/${id}`),
};

async function vpcWithTables(name: string, n: number) {
  const { id: vpc, defaultTable } = await createVpc(real, '10.0.0.0/16', name);
  const tables: string[] = [];
  for (let i = 0; i < n; i++) tables.push(await table(vpc));
  return { vpc, defaultTable, tables };
}

const table = (vpc: string) => createTable(real, vpc);
const endpoint = (vpc: string, routetables: string[], service = serviceId) =>
  createEndpoint(real, service, vpc, routetables);

before(async () => {
  w = await makeWorld({ gatewayServices: SERVICES });
  const base = await w.app.listen({ port: 0, host: '127.0.0.1' });
  assert.match(base, /^http:\/\/127\.0\.0\.1:\d+$/);
  real = client(base, { token: w.token, projectId: w.projectId });
  http = real.api;
  [serviceId, otherServiceId] = (await gatewayServiceIds(
    real,
    SERVICES.map((s) => s.name),
    w.config.region,
  )) as [string, string];
});
after(() => w?.close());

test('20 concurrent rebinds of one endpoint take turns; none is lost', { timeout: 120_000 }, async (t) => {
  const { vpc, defaultTable, tables } = await vpcWithTables('race-one', 6);
  const ep = await endpoint(vpc, [defaultTable]);
  const random = prng(4242);
  let current = [defaultTable];
  for (let round = 0; round < 3; round++) {
    // 20 different non-empty subsets of the 6 tables, none equal to the current set, so every call
    // changes something and leaves an audit record.
    const key = (s: string[]) => sorted(s).join(',');
    const sets = new Map<string, string[]>();
    while (sets.size < 20) {
      const mask = 1 + Math.floor(random() * 63);
      const set = tables.filter((_, i) => mask & (1 << i));
      if (key(set) !== key(current)) sets.set(key(set), set);
    }
    const requested = [...sets.values()];
    const auditBefore = (await auditLog(w.store, w.projectId)).length;
    const allowed = new Set([key(current), ...sets.keys()]);

    // The writers, and readers that must never see a state between two calls.
    const puts = requested.map((set) =>
      http('PUT', `/vpc-endpoints/${ep}/routetables`, { routetables: set }),
    );
    const gets = Array.from({ length: 20 }, () => http('GET', `/vpc-endpoints/${ep}`));
    const [answers, reads] = await Promise.all([Promise.all(puts), Promise.all(gets)]);

    for (const [i, res] of answers.entries()) {
      ok(res);
      assert.deepEqual(res.body, { routetables: sorted(requested[i]!) }, `request ${i}: ${res.raw}`);
    }
    for (const res of reads) {
      ok(res);
      assert.ok(allowed.has(key(res.body.routetables)), `a read saw a torn set: ${res.raw}`);
    }

    // The commit order, from the audit log: each call's diff is against the call before it.
    const rows = (await auditLog(w.store, w.projectId))
      .slice(auditBefore)
      .filter((r) => r.action === 'update-routetables' && r.resource_id === ep);
    assert.equal(rows.length, 20, 'one audit record per call');
    const byRequest = new Map(answers.map((a, i) => [a.requestId, requested[i]!]));
    let prev = current;
    for (const row of rows) {
      const set = byRequest.get(row.request_id);
      assert.ok(set, `audit record of an unknown request ${row.request_id}`);
      byRequest.delete(row.request_id);
      const detail = JSON.parse(row.detail);
      assert.deepEqual(sorted(detail.requested), sorted(set));
      assert.deepEqual(
        sorted(detail.bound),
        sorted(set.filter((x) => !prev.includes(x))),
        'bound vs previous',
      );
      assert.deepEqual(
        sorted(detail.unbound),
        sorted(prev.filter((x) => !set.includes(x))),
        'unbound vs previous',
      );
      prev = set;
    }
    assert.equal(byRequest.size, 0, 'every call committed once');

    const shown = ok(await http('GET', `/vpc-endpoints/${ep}`));
    assert.deepEqual(shown.body.routetables, sorted(prev), 'the final set is the last committed request');
    assert.ok(sets.has(key(shown.body.routetables)), 'the final set is one of the requested sets');
    await checkReadPath(w.store, readPath, { vpcIds: [vpc] });
    current = prev;
    t.diagnostic(`round ${round}: last committed ${key(prev.map((x) => x.slice(0, 4)))}`);
  }
});

test('two endpoints race for one table: exactly one gets it', { timeout: 120_000 }, async (t) => {
  const { vpc, tables } = await vpcWithTables('race-two', 3);
  const [ownA, ownB, ownC] = tables as [string, string, string];
  const a = await endpoint(vpc, [ownA]);
  const b = await endpoint(vpc, [ownB]);
  // An endpoint of the other service joins every race; it shares the table, so it always gets it.
  const c = await endpoint(vpc, [ownC], otherServiceId);
  const wins = { [a]: 0, [b]: 0 };
  for (let round = 0; round < 20; round++) {
    const contested = await table(vpc);
    // Both calls in flight at once; which one is sent first alternates.
    const putA = () => http('PUT', `/vpc-endpoints/${a}/routetables`, { routetables: [ownA, contested] });
    const putB = () => http('PUT', `/vpc-endpoints/${b}/routetables`, { routetables: [ownB, contested] });
    const putC = () => http('PUT', `/vpc-endpoints/${c}/routetables`, { routetables: [contested, ownC] });
    const [ra, rb, rc]: HttpReply[] =
      round % 2 === 0
        ? await Promise.all([putA(), putC(), putB()]).then(([x, z, y]) => [x!, y!, z!])
        : await Promise.all([putB(), putA(), putC()]).then(([y, x, z]) => [x!, y!, z!]);
    assert.ok(ra && rb && rc);
    ok(ra);
    ok(rb);
    assert.deepEqual(
      ok(rc).body,
      { routetables: sorted([ownC, contested]) },
      'the other service shares the table',
    );
    const aWon = ra.body.routetables.includes(contested);
    const bWon = rb.body.routetables.includes(contested);
    assert.ok(aWon !== bWon, `round ${round}: exactly one gets the table: ${ra.raw} / ${rb.raw}`);
    const [winner, loser, winnerOwn, loserOwn] = aWon ? [ra, rb, ownA, ownB] : [rb, ra, ownB, ownA];
    wins[aWon ? a : b]!++;
    assert.deepEqual(winner.body, { routetables: sorted([winnerOwn, contested]) }, winner.raw);
    assert.deepEqual(loser.body.routetables, [loserOwn], loser.raw);
    assert.equal(loser.body.error?.length, 1, loser.raw);
    const { bind_failed, unbind_failed } = loser.body.error[0];
    assert.deepEqual(unbind_failed, [], loser.raw);
    assert.equal(bind_failed.length, 1, loser.raw);
    assert.equal(bind_failed[0].id, contested, loser.raw);
    assert.ok(bind_failed[0].error_message.startsWith('EndPoint.2039: '), loser.raw);

    const routes = ok(await http('GET', `/routetables/${contested}`)).body.routetable.routes;
    const egw = routes
      .filter((r: { type: string }) => r.type === 'egw')
      .map((r: { destination: string; nexthop: string }) => `${r.destination}>${r.nexthop}`)
      .sort();
    const winnerId = aWon ? a : b;
    assert.deepEqual(
      egw,
      [`100.125.0.0/16>${winnerId}`, `100.126.0.0/16>${c}`, `100.127.0.0/24>${c}`],
      'the contested table routes to the winner and to the other service',
    );
    await checkReadPath(w.store, readPath, { vpcIds: [vpc] });
  }
  t.diagnostic(`wins: a ${wins[a]}, b ${wins[b]}`);
});

test('the store keeps the invariants after the races', async () => {
  await checkInvariants(w.store);
});
