import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { CompiledQuery } from 'kysely';
import { inlined } from '../../src/store/pg-dialect.ts';
import { prepare, type Shaping } from '../../src/store/prepared.ts';
import type { Read } from '../../src/store/queries.ts';
import type { Store } from '../../src/store/store.ts';
import { sentDuring } from '../helpers/pg-sent.ts';
import { dropTestSchema, openTestStore } from '../helpers/world.ts';

/**
 * Writes whose result nobody reads (Engine.executeAtCommit): PostgreSQL holds them and sends them
 * with the commit, one round trip fewer; SQLite runs them at once. Either way the transaction sees
 * them in order, they commit with it, and one that fails fails it whole. On the real store of the
 * pass (SQLite, or PostgreSQL in its pass).
 */

let store: Store;

before(async () => {
  store = await openTestStore(fs.mkdtempSync(path.join(os.tmpdir(), 'vpcep-at-commit-')));
});
after(async () => {
  await dropTestSchema(store);
  await store.close();
});

const FAULT = prepare(({ db }, id: string, projectId: string, target: string, remaining: number | null) =>
  db.insertInto('faults').values({
    id,
    project_id: projectId,
    operation: 'bind',
    routetable_id: target,
    remaining,
    created_at: '2020-01-01T00:00:00.000Z',
  }),
);
const OF_PROJECT = prepare(({ db }, projectId: string) =>
  db
    .selectFrom('faults')
    .select(['id', 'routetable_id', 'remaining'])
    .where('project_id', '=', projectId)
    .orderBy('id'),
);
const DELETE_TARGETS = prepare((s: Shaping, projectId: string, targets: readonly string[]) =>
  s.db.deleteFrom('faults').where('project_id', '=', projectId).where(s.inList('routetable_id', targets)),
);

const committed = (projectId: string) => store.read((r) => OF_PROJECT.all(r.db, store.engine, [projectId]));

test('a held write is seen by the next statement of its transaction, and commits with it', async () => {
  const seen = await store.tx(async (r) => {
    await FAULT.runAtCommit(r.db, store.engine, ['held-1', 'p-held', 't1', 3]);
    const rows = await OF_PROJECT.all(r.db, store.engine, ['p-held']);
    await FAULT.runAtCommit(r.db, store.engine, ['held-2', 'p-held', 't2', null]);
    return rows;
  });
  assert.deepEqual(seen, [{ id: 'held-1', routetable_id: 't1', remaining: 3 }]);
  assert.deepEqual(await committed('p-held'), [
    { id: 'held-1', routetable_id: 't1', remaining: 3 },
    { id: 'held-2', routetable_id: 't2', remaining: null },
  ]);
});

test('a held write that fails fails its transaction: nothing of it is applied', async () => {
  await assert.rejects(
    store.tx(async (r) => {
      await FAULT.run(r.db, store.engine, ['dup-1', 'p-dup', 't1', null]);
      await FAULT.runAtCommit(r.db, store.engine, ['dup-2', 'p-dup', 't2', null]);
      // The same primary key again: the last write of the transaction fails (at the commit, held).
      await FAULT.runAtCommit(r.db, store.engine, ['dup-1', 'p-dup', 't3', null]);
    }),
  );
  assert.deepEqual(await committed('p-dup'), []);
  // The connection is whole again: the next transaction on it commits.
  await store.tx((r) => FAULT.runAtCommit(r.db, store.engine, ['dup-3', 'p-dup', 't4', null]));
  assert.deepEqual(await committed('p-dup'), [{ id: 'dup-3', routetable_id: 't4', remaining: null }]);
});

test('a held write rolls back with its transaction when the transaction fails after it', async () => {
  await assert.rejects(
    store.tx(async (r) => {
      await FAULT.runAtCommit(r.db, store.engine, ['gone-1', 'p-gone', 't1', null]);
      throw new Error('the call fails after its write');
    }),
    /fails after/,
  );
  assert.deepEqual(await committed('p-gone'), []);
});

/** Texts a literal must carry unchanged: quotes, backslashes, placeholders, array syntax, non-ASCII. */
const AWKWARD = [
  "it's",
  "''",
  'back\\slash',
  "both \\' at once",
  '\\\\server\\share',
  '$1 and $2',
  '$$dollar$$',
  '{a,b}',
  '"quoted", comma',
  'NULL',
  'null',
  "E'x'",
  '; commit; drop table faults; --',
  'ünïcødé 路由表 🚀',
  ' ',
  '',
];

test('values written as literals arrive as they were given, arrays included', async () => {
  await store.tx(async (r) => {
    for (const [i, text] of AWKWARD.entries()) {
      await FAULT.runAtCommit(r.db, store.engine, [`awk-${String(i).padStart(2, '0')}`, 'p-awk', text, i]);
    }
  });
  const rows = await committed('p-awk');
  assert.deepEqual(
    rows.map((row) => row.routetable_id),
    AWKWARD,
  );
  assert.deepEqual(
    rows.map((row) => row.remaining),
    AWKWARD.map((_, i) => i),
  );
  // A list parameter with the same texts: every row it names goes, the others stay.
  const named = AWKWARD.filter((_, i) => i % 2 === 0);
  await store.tx((r) => DELETE_TARGETS.runAtCommit(r.db, store.engine, ['p-awk', named]));
  assert.deepEqual(
    (await committed('p-awk')).map((row) => row.routetable_id),
    AWKWARD.filter((_, i) => i % 2 === 1),
  );
});

test('a text is only written with literals where that is safe', () => {
  const q = (sql: string, parameters: unknown[]) => CompiledQuery.raw(sql, parameters);
  assert.equal(
    inlined(q('insert into t (a, b, c) values ($1, $2, $3)', ["o'k", 'a\\b', 7])),
    "insert into t (a, b, c) values ('o''k', E'a\\\\b', '7')",
  );
  assert.equal(
    inlined(q('update "t" set "a" = $1 where "b" = $2 and $3', ['x', 'y', true])),
    `update "t" set "a" = 'x' where "b" = 'y' and 'true'`,
  );
  assert.equal(inlined(q('select "a", $1 as "b$"', ['x'])), undefined, 'a dollar in the last identifier');
  assert.equal(inlined(q('select $1, $10', ['x'])), undefined, 'a placeholder without its value');
  assert.equal(inlined(q("select 'lit', $1", ['x'])), undefined, 'a string literal of its own');
  assert.equal(inlined(q('select $$x$$, $1', ['x'])), undefined, 'a dollar-quoted string');
  assert.equal(inlined(q('select "a$1"', [])), undefined, 'a dollar in an identifier');
  assert.equal(inlined(q('select $1', ['nul\0byte'])), undefined, 'a NUL');
  assert.equal(inlined(q('select $1', [{ a: 1 }])), undefined, 'an object');
  assert.equal(inlined(q('select $1', [Number.NaN])), undefined, 'a number without a literal');
  assert.equal(inlined(q('select $1', [[{ a: 1 }]])), undefined, 'an array of objects');
  assert.equal(inlined(q('select $1, $2', [null, undefined])), 'select null, null');
  assert.equal(
    inlined(q('select $1::text[]', [['a"b', null, 'c\\d']])),
    `select E'{"a\\\\"b",NULL,"c\\\\\\\\d"}'::text[]`,
  );
});

test('PostgreSQL: begin goes with the first statement, the held writes with the commit', async (t) => {
  if (store.engine.dialect !== 'postgres') return t.skip('PostgreSQL only');
  // The insert's first run on a client prepares it there; the pool hands out the client it got
  // back last, so the transaction below runs on this one.
  await store.tx((r) => FAULT.run(r.db, store.engine, ['rt-0', 'p-rt', 't0', null]));
  const sent = await sentDuring(() =>
    store.tx(async (r) => {
      await FAULT.run(r.db, store.engine, ['rt-1', 'p-rt', 't1', null]);
      await FAULT.runAtCommit(r.db, store.engine, ['rt-2', 'p-rt', 't2', null]);
      await FAULT.runAtCommit(r.db, store.engine, ['rt-3', 'p-rt', 't3', null]);
    }),
  );
  // Two round trips: `begin` with the first insert, then both held inserts with the commit, each
  // an execution of the prepared statement.
  assert.equal(sent.length, 2, sent.join('\n---\n'));
  assert.match(
    sent[0]!,
    /^begin;\nexecute (vpcep_\d+)\('rt-1', 'p-rt', 'bind', 't1', null, '2020-01-01T00:00:00\.000Z'\)$/,
  );
  assert.match(
    sent[1]!,
    /^execute (vpcep_\d+)\('rt-2', 'p-rt', 'bind', 't2', null, '2020-01-01T00:00:00\.000Z'\);\nexecute \1\('rt-3', [^;]*\);\ncommit$/,
  );
  assert.equal((await committed('p-rt')).length, 4);
});

test('PostgreSQL: a transaction that ran nothing sends nothing, and one that failed is rolled back', async (t) => {
  if (store.engine.dialect !== 'postgres') return t.skip('PostgreSQL only');
  assert.deepEqual(
    await sentDuring(async () => assert.equal(await store.tx(async () => 'nothing'), 'nothing')),
    [],
  );
  // One that fails before its first statement has nothing to roll back either.
  const refused = await sentDuring(() =>
    assert.rejects(
      store.tx(async () => {
        throw new Error('refused before any statement');
      }),
      /refused before/,
    ),
  );
  assert.deepEqual(refused, []);
  // A read's snapshot starts with its first statement too.
  const read = await sentDuring(() => store.read((r) => OF_PROJECT.all(r.db, store.engine, ['p-rt'])));
  assert.equal(read.length, 2, read.join('\n---\n'));
  assert.match(read[0]!, /^start transaction isolation level repeatable read;\nexecute vpcep_\d+\('p-rt'\)$/);
  assert.equal(read[1], 'commit');
  // A statement that fails on the server, `begin` having gone with it: rolled back, and the
  // client is whole for the next transaction.
  const sent = await sentDuring(() =>
    assert.rejects(
      store.tx(async (r) => {
        await FAULT.run(r.db, store.engine, ['rb-1', 'p-rb', 't1', null]);
        await FAULT.run(r.db, store.engine, ['rb-1', 'p-rb', 't1', null]);
      }),
    ),
  );
  assert.equal(sent.at(-1), 'rollback');
  assert.deepEqual(await committed('p-rb'), []);
  await store.tx((r) => FAULT.run(r.db, store.engine, ['rb-2', 'p-rb', 't2', null]));
  assert.deepEqual(await committed('p-rb'), [{ id: 'rb-2', routetable_id: 't2', remaining: null }]);
});

// ---- Reads together (Tx.together, Engine.executeTogether)

/** A read of the faults of a project, to run with others. */
const faultsRead = (projectId: string): Read<unknown[]> => ({
  query: OF_PROJECT.bind(store.engine, [projectId]),
  decode: (rows) => rows,
});

test('reads together: each answer in its order, each statement seeing what the ones before it wrote', async () => {
  await store.tx((r) => FAULT.run(r.db, store.engine, ['tog-1', 'p-tog-a', 't1', 1]));
  const answers = await store.tx(async (r) => {
    await FAULT.runAtCommit(r.db, store.engine, ['tog-2', 'p-tog-b', 't2', 2]);
    return r.together(faultsRead('p-tog-b'), faultsRead('p-tog-a'), faultsRead('p-tog-none'));
  });
  assert.deepEqual(answers, [
    [{ id: 'tog-2', routetable_id: 't2', remaining: 2 }],
    [{ id: 'tog-1', routetable_id: 't1', remaining: 1 }],
    [],
  ]);
});

test('reads together: one that fails fails them all and the transaction, and the connection is whole after', async () => {
  const failing: Read<unknown> = {
    query: CompiledQuery.raw('select * from no_such_table'),
    decode: (rows) => rows,
  };
  await assert.rejects(
    store.tx(async (r) => {
      await FAULT.run(r.db, store.engine, ['tog-f', 'p-tog-f', 't1', null]);
      return r.together(faultsRead('p-tog-f'), failing);
    }),
  );
  assert.deepEqual(await committed('p-tog-f'), []);
  await store.tx((r) => FAULT.run(r.db, store.engine, ['tog-g', 'p-tog-f', 't2', null]));
  assert.deepEqual(await committed('p-tog-f'), [{ id: 'tog-g', routetable_id: 't2', remaining: null }]);
});

test('PostgreSQL: reads together are one query, with the begin and the held writes before them', async (t) => {
  if (store.dialect !== 'postgres') return t.skip('PostgreSQL only');
  // Run once each on every connection of the pool, so that each has the statements prepared.
  await Promise.all(
    Array.from({ length: 12 }, (_, i) =>
      store.tx(async (r) => {
        await FAULT.run(r.db, store.engine, [`tog-w${i}`, 'p-tog-w', 't1', null]);
        await OF_PROJECT.all(r.db, store.engine, ['p-tog-x']);
      }),
    ),
  );
  const sent = await sentDuring(() =>
    store.tx(async (r) => {
      await FAULT.runAtCommit(r.db, store.engine, ['tog-q', 'p-tog-q', 't1', null]);
      await r.together(faultsRead('p-tog-q'), faultsRead('p-tog-x'));
    }),
  );
  assert.equal(sent.length, 2, sent.join('\n---\n'));
  assert.match(
    sent[0]!,
    /^begin;\nexecute vpcep_\d+\('tog-q'.*\);\nexecute vpcep_\d+\('p-tog-q'\);\nexecute vpcep_\d+\('p-tog-x'\)$/s,
  );
  assert.equal(sent[1], 'commit');
});
