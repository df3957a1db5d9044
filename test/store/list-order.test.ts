import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ok } from '../helpers/expect.ts';
import { createEndpoint, createVpc, gatewayService } from '../helpers/fixtures.ts';
import { planOf, sorting, statementsDuring } from '../helpers/plans.ts';
import { makeWorld, type World } from '../helpers/world.ts';

/**
 * A page of ListEndpoints is read in its order from an index, whatever the order asked for
 * (migration 010): sorted by update time, a project of 100,000 endpoints was sorted whole on every
 * call (about 55 ms on SQLite). Each order's statement, as the list really sends it, is explained
 * by the store: no temporary b-tree on SQLite, no Sort node on PostgreSQL (helpers/plans.ts).
 */

let w: World;
before(async () => {
  w = await makeWorld();
  const vpc = await createVpc(w);
  const service = await gatewayService(w);
  await createEndpoint(w, service, vpc.id);
});
after(() => w.close());

for (const sortKey of ['create_at', 'update_at']) {
  for (const sortDir of ['asc', 'desc']) {
    test(`sort_key=${sortKey}&sort_dir=${sortDir}: the page is read from an index, nothing sorted`, async () => {
      const statements = await statementsDuring(w, /order by "endpoints"\./, async () => {
        const res = ok(await w.api('GET', `/vpc-endpoints?limit=10&sort_key=${sortKey}&sort_dir=${sortDir}`));
        assert.equal(res.body.endpoints.length, 1, 'the endpoint is listed');
      });
      assert.equal(statements.length, 1, 'one page statement');
      const column = sortKey === 'update_at' ? 'updated_at' : 'created_at';
      assert.match(statements[0]!.sql, new RegExp(`order by "endpoints"\\."${column}" ${sortDir}`));
      const plan = await planOf(w, statements[0]!);
      assert.deepEqual(sorting(plan), [], `the plan sorts:\n${plan.join('\n')}`);
      assert.ok(
        plan.some((line) => /endpoints_project_(created|updated)/.test(line)),
        plan.join('\n'),
      );
    });
  }
}
