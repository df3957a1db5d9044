import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CompiledQuery } from 'kysely';
import type { Engine } from '../../src/store/engine.ts';
import { ok } from '../helpers/expect.ts';
import { createEndpoint, createVpc, gatewayService } from '../helpers/fixtures.ts';
import { makeWorld, type World } from '../helpers/world.ts';

/**
 * A page of ListEndpoints is read in its order from an index, whatever the order asked for
 * (migration 010): sorted by update time, a project of 100,000 endpoints was sorted whole on every
 * call (about 55 ms on SQLite). Each order's statement, as the list really sends it, is explained
 * by the store: SQLite's plan must use no temporary b-tree, PostgreSQL's (sorting disabled, so
 * that it takes an index wherever one gives the order, whatever the table's size) no Sort node.
 */

let w: World;
before(async () => {
  w = await makeWorld();
  const vpc = await createVpc(w);
  const service = await gatewayService(w);
  await createEndpoint(w, service, vpc.id);
});
after(() => w.close());

/** The page statements the list runs for `query`, as compiled with their arguments. */
async function pageStatements(query: string): Promise<CompiledQuery[]> {
  const engine: Engine = w.store.engine;
  const seen: CompiledQuery[] = [];
  const execute = engine.execute;
  engine.execute = function (this: Engine, t, q) {
    seen.push(q);
    return execute.call(this, t, q);
  };
  try {
    const res = ok(await w.api('GET', `/vpc-endpoints?${query}`)).body;
    assert.equal(res.endpoints.length, 1, 'the endpoint is listed');
  } finally {
    engine.execute = execute;
  }
  return seen.filter((q) => /order by "endpoints"\./.test(q.sql));
}

/** The plan the store makes of `q`, one line per step. */
async function planOf(q: CompiledQuery): Promise<string[]> {
  const { engine } = w.store;
  if (engine.dialect === 'sqlite') {
    const res = await engine.db.executeQuery(
      CompiledQuery.raw(`explain query plan ${q.sql}`, [...q.parameters]),
    );
    return (res.rows as { detail: string }[]).map((r) => r.detail);
  }
  return w.store.tx(async (r) => {
    await r.db.executeQuery(CompiledQuery.raw('set local enable_sort = off'));
    const res = await r.db.executeQuery(CompiledQuery.raw(`explain ${q.sql}`, [...q.parameters]));
    return (res.rows as { 'QUERY PLAN': string }[]).map((row) => row['QUERY PLAN']);
  });
}

for (const sortKey of ['create_at', 'update_at']) {
  for (const sortDir of ['asc', 'desc']) {
    test(`sort_key=${sortKey}&sort_dir=${sortDir}: the page is read from an index, nothing sorted`, async () => {
      const statements = await pageStatements(`limit=10&sort_key=${sortKey}&sort_dir=${sortDir}`);
      assert.equal(statements.length, 1, 'one page statement');
      const column = sortKey === 'update_at' ? 'updated_at' : 'created_at';
      assert.match(statements[0]!.sql, new RegExp(`order by "endpoints"\\."${column}" ${sortDir}`));
      const plan = await planOf(statements[0]!);
      const sorting = plan.filter((line) => /TEMP B-TREE|\bSort\b/i.test(line));
      assert.deepEqual(sorting, [], `the plan sorts:\n${plan.join('\n')}`);
      assert.ok(
        plan.some((line) => /endpoints_project_(created|updated)/.test(line)),
        plan.join('\n'),
      );
    });
  }
}
