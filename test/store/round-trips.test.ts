import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { namedStatements } from '../../src/store/prepared.ts';
import { sentDuring } from '../helpers/pg-sent.ts';
import { put, scene, type Scene } from '../helpers/rebind.ts';
import { makeWorld, type World } from '../helpers/world.ts';

/**
 * What a rebind sends to PostgreSQL, statement by statement (issue 12: each statement is a round
 * trip, and on PostgreSQL the round trips were most of a rebind's cost). SQLite has no round trips;
 * its pass skips these.
 */

let w: World;
let s: Scene;

before(async () => {
  w = await makeWorld();
  s = await scene(w);
});
after(() => w.close());

test('a rebind that moves an endpoint takes three round trips', async (t) => {
  if (w.store.engine.dialect !== 'postgres') return t.skip('PostgreSQL only');
  // Calls at once first, each on a connection of its own, so that every connection of the pool has
  // prepared the statements (a statement's first run on a connection prepares it there).
  for (let round = 0; round < 2; round++) {
    await Promise.all(
      Array.from({ length: 8 }, (_, i) => put(w, s.ep, { routetables: [i % 2 ? s.a : s.b] })),
    );
  }
  await put(w, s.ep, { routetables: [s.a] });
  const sent = await sentDuring(async () => {
    const res = await put(w, s.ep, { routetables: [s.b] });
    assert.equal(res.status, 200);
  });
  /** The name of the one prepared statement whose text matches. */
  const named = (pattern: RegExp) => {
    const names = [...namedStatements].filter(([text]) => pattern.test(text)).map(([, name]) => name);
    assert.equal(names.length, 1, String(pattern));
    return names[0]!;
  };
  const context = named(/^select "endpoints"\.\*.* for update of "endpoints"$/s);
  const tables = named(/^select "routetables"\.\*.*endpoint_routetables.* for update of "routetables"$/s);
  const occupancy = named(
    /^select "routetable_id", .* from "routes" .*not in \(select routetable_id.*union all/s,
  );
  const writes = named(/^with "unrouted" as/);
  const audit = named(/^insert into "audit_log"/);
  const kinds = sent.map((text) =>
    /^select .* from "users"/s.test(text)
      ? 'grants'
      : new RegExp(
            `^begin;\nexecute ${context}\\(.*\\);\nexecute ${tables}\\(.*\\);\nexecute ${occupancy}\\(.*\\)$`,
            's',
          ).test(text)
        ? 'begin, endpoint locked, its tables locked, occupancy'
        : new RegExp(
              `^execute ${writes}\\(.*\\);\nexecute ${audit}\\(.*'update-routetables'.*\\);\ncommit$`,
              's',
            ).test(text)
          ? 'writes, audit record, commit'
          : text,
  );
  assert.deepEqual(kinds, [
    'grants',
    'begin, endpoint locked, its tables locked, occupancy',
    'writes, audit record, commit',
  ]);
  const after = await w.api('GET', `/vpc-endpoints/${s.ep}`);
  assert.deepEqual(after.body.routetables, [s.b]);
});
