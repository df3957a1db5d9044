import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { prepare, type Shaping } from '../../src/store/prepared.ts';
import type { Store } from '../../src/store/store.ts';
import { dropTestSchema, openTestStore } from '../helpers/world.ts';

/**
 * Prepared queries (store/prepared.ts, issue 12): compiled once per dialect, then run with each
 * call's own values, on the real store of the pass (SQLite, or PostgreSQL in its pass).
 */

let store: Store;

before(async () => {
  store = await openTestStore(fs.mkdtempSync(path.join(os.tmpdir(), 'vpcep-prepared-')));
});
after(async () => {
  await dropTestSchema(store);
  await store.close();
});

const FAULT = prepare(({ db }, id: string, projectId: string, target: string) =>
  db.insertInto('faults').values({
    id,
    project_id: projectId,
    operation: 'bind',
    routetable_id: target,
    remaining: null,
    created_at: '2020-01-01T00:00:00.000Z',
  }),
);
const BY_PROJECT = prepare(({ db }, projectId: string) =>
  db.selectFrom('faults').select(['id', 'routetable_id']).where('project_id', '=', projectId).orderBy('id'),
);
const BY_TARGETS = prepare((s: Shaping, projectId: string, targets: readonly string[]) =>
  s.db
    .selectFrom('faults')
    .select('id')
    .where('project_id', '=', projectId)
    .where(s.inList('routetable_id', targets))
    .orderBy('id'),
);
const DELETE_BY_TARGETS = prepare((s: Shaping, targets: readonly string[]) =>
  s.db.deleteFrom('faults').where(s.inList('routetable_id', targets)),
);

test('each call binds its own values to the one compiled text', async () => {
  await store.tx(async (r) => {
    const engine = store.engine;
    assert.equal(await FAULT.run(r.db, engine, ['f1', 'p1', 't1']), 1);
    assert.equal(await FAULT.run(r.db, engine, ['f2', 'p1', 't2']), 1);
    assert.equal(await FAULT.run(r.db, engine, ['f3', 'p2', 't1']), 1);
    assert.deepEqual(await BY_PROJECT.all(r.db, engine, ['p1']), [
      { id: 'f1', routetable_id: 't1' },
      { id: 'f2', routetable_id: 't2' },
    ]);
    assert.deepEqual(await BY_PROJECT.all(r.db, engine, ['p2']), [{ id: 'f3', routetable_id: 't1' }]);
    assert.equal(await BY_PROJECT.first(r.db, engine, ['nobody']), undefined);
    // The same text for every call: the values are parameters, not part of the SQL.
    assert.equal(BY_PROJECT.bind(engine, ['p1']).sql, BY_PROJECT.bind(engine, ['p2']).sql);
    assert.deepEqual(BY_PROJECT.bind(engine, ['p2']).parameters, ['p2']);
  });
});

test('a list argument is one parameter: lists of any length, and values that look like SQL or JSON', async () => {
  const odd = [`it's`, '"quoted"', 'back\\slash', '[1,2]', 'ünïcødé', "'); drop table faults; --"];
  await store.tx(async (r) => {
    const engine = store.engine;
    for (const [i, target] of odd.entries()) await FAULT.run(r.db, engine, [`o${i}`, 'p3', target]);
    const ids = async (targets: string[]) =>
      (await BY_TARGETS.all(r.db, engine, ['p3', targets])).map((x) => x.id);
    assert.deepEqual(await ids([odd[0]!]), ['o0']);
    assert.deepEqual(await ids([odd[1]!, odd[3]!, 'absent']), ['o1', 'o3']);
    assert.deepEqual(await ids(odd), ['o0', 'o1', 'o2', 'o3', 'o4', 'o5']);
    assert.deepEqual(await ids([]), []);
    // One text for lists of any length; on SQLite a list of one item has one text of its own (below).
    assert.equal(
      BY_TARGETS.bind(engine, ['p3', ['a', 'b']]).sql,
      BY_TARGETS.bind(engine, ['p3', ['a', 'b', 'c']]).sql,
    );
    assert.equal(BY_TARGETS.bind(engine, ['p3', []]).sql, BY_TARGETS.bind(engine, ['p3', ['a', 'b']]).sql);
    assert.equal(await DELETE_BY_TARGETS.run(r.db, engine, [[odd[2]!, odd[5]!]]), 2);
    assert.deepEqual(await ids(odd), ['o0', 'o1', 'o3', 'o4']);
  });
});

/** Two list arguments, the first tested twice. */
const BY_TWO_LISTS = prepare(
  (s: Shaping, projectId: string, targets: readonly string[], ids: readonly string[]) =>
    s.db
      .selectFrom('faults')
      .select('id')
      .where('project_id', '=', projectId)
      .where((eb) => eb.or([s.inList('routetable_id', targets), s.inList('id', ids)]))
      .where((eb) => eb.or([s.inList('routetable_id', targets), eb('id', '<>', '')]))
      .orderBy('id'),
);

test('a list of one item: on SQLite tested as `column = ?`, with the same rows as any other list', async () => {
  await store.tx(async (r) => {
    const engine = store.engine;
    for (const [id, target] of [
      ['l1', 't1'],
      ['l2', 't2'],
      ['l3', 't3'],
    ]) {
      await FAULT.run(r.db, engine, [id!, 'p6', target!]);
    }
    const ids = async (targets: string[], of: string[]) =>
      (await BY_TWO_LISTS.all(r.db, engine, ['p6', targets, of])).map((x) => x.id);
    assert.deepEqual(await ids(['t1'], ['l3']), ['l1', 'l3']);
    assert.deepEqual(await ids(['t1', 't2'], ['l3']), ['l1', 'l2', 'l3']);
    assert.deepEqual(await ids(['t2'], ['l1', 'l3']), ['l1', 'l2', 'l3']);
    assert.deepEqual(await ids([], ['l2']), ['l2']);
    assert.deepEqual(await ids(['absent'], []), []);
    assert.deepEqual(await ids([`it's`], ['l1']), ['l1']);
    const text = (targets: string[], of: string[]) => BY_TWO_LISTS.bind(engine, ['p6', targets, of]).sql;
    if (store.dialect === 'sqlite') {
      // Each list of one item is a plain comparison; the others read their JSON list.
      assert.equal((text(['t1'], ['l3']).match(/json_each/g) ?? []).length, 0);
      assert.equal((text(['t1'], ['l2', 'l3']).match(/json_each/g) ?? []).length, 1);
      assert.equal((text(['t1', 't2'], ['l3']).match(/json_each/g) ?? []).length, 2);
      assert.equal(text(['t1'], ['l3']), text(['t9'], ['l9']));
      assert.deepEqual(BY_TWO_LISTS.bind(engine, ['p6', ['t1'], ['l2', 'l3']]).parameters, [
        'p6',
        't1',
        '["l2","l3"]',
        't1',
        '',
      ]);
    } else {
      assert.equal(text(['t1'], ['l3']), text(['t1', 't2'], ['l2', 'l3']));
    }
  });
});

/** A list as the first argument and as the 33rd: lists past the 31st are always read whole. */
const MANY_ARGS = prepare(
  (s: Shaping, ...args: unknown[]) =>
    s.db
      .selectFrom('faults')
      .select('id')
      .where('project_id', '=', 'p7')
      .where(s.inList('routetable_id', args[0] as string[]))
      .where(s.inList('id', args[32] as string[]))
      .orderBy('id'),
  33,
);

test('a list argument past the 31st is read whole, whatever the lists of one item before it', async () => {
  await store.tx(async (r) => {
    for (const [id, target] of [
      ['m1', 't1'],
      ['m2', 't1'],
    ]) {
      await FAULT.run(r.db, store.engine, [id!, 'p7', target!]);
    }
    const args = Array.from({ length: 33 }, () => [] as string[]);
    args[0] = ['t1'];
    args[32] = ['m1', 'm2'];
    assert.deepEqual(
      (await MANY_ARGS.all(r.db, store.engine, args)).map((x) => x.id),
      ['m1', 'm2'],
    );
  });
});

test('a prepared write inside a transaction that fails is rolled back with it', async () => {
  await assert.rejects(
    store.tx(async (r) => {
      await FAULT.run(r.db, store.engine, ['r1', 'p4', 't1']);
      throw new Error('the call fails');
    }),
    /the call fails/,
  );
  const rows = await store.read((r) => BY_PROJECT.all(r.db, store.engine, ['p4']));
  assert.deepEqual(rows, []);
});

const ODD_COLUMNS = prepare(({ db }, projectId: string) =>
  db
    .selectFrom('faults')
    .select((eb) => [
      'id',
      eb.ref('routetable_id').as('quote"d \\ name'),
      eb.ref('operation').as('id'), // a name twice: the later value stands, as better-sqlite3 has it
      eb.ref('remaining').as('constructor'),
    ])
    .where('project_id', '=', projectId)
    .orderBy('created_at'),
);

test('rows come out as objects keyed by column name, whatever the names', async () => {
  await store.tx(async (r) => {
    await FAULT.run(r.db, store.engine, ['n1', 'p5', 't"1']);
    const rows = await ODD_COLUMNS.all(r.db, store.engine, ['p5']);
    assert.deepEqual(rows, [{ id: 'bind', 'quote"d \\ name': 't"1', constructor: null }]);
    // A statement's rows stay objects when Kysely runs the same text itself (the statement is shared).
    const compiled = ODD_COLUMNS.bind(store.engine, ['p5']);
    assert.deepEqual((await r.db.executeQuery(compiled)).rows, rows);
  });
});
