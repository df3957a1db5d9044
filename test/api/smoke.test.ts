import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  createEndpoint,
  createTable,
  createVpc,
  gatewayService,
  rebind,
  routesOf,
} from '../helpers/fixtures.ts';
import { makeWorld, type World } from '../helpers/world.ts';

let w: World;
before(async () => {
  w = await makeWorld();
});
after(() => w.close());

test('a rebind moves the egw route from one table to the other', async () => {
  const vpc = await createVpc(w);
  const a = await createTable(w, vpc.id);
  const b = await createTable(w, vpc.id);
  const svc = await gatewayService(w);
  const ep = await createEndpoint(w, svc, vpc.id, [a]);
  assert.deepEqual(
    (await routesOf(w, a)).filter((r) => r.type === 'egw').map((r) => r.nexthop),
    [ep],
  );
  const res = await rebind(w, ep, [b]);
  assert.equal(res.status, 200, res.raw);
  assert.deepEqual(res.body, { routetables: [b] });
  assert.deepEqual(
    (await routesOf(w, a)).filter((r) => r.type === 'egw'),
    [],
  );
  assert.equal((await routesOf(w, b)).filter((r) => r.type === 'egw' && r.nexthop === ep).length, 1);
});
