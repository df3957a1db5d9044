import assert from 'node:assert/strict';
import { test } from 'node:test';
import Sqlite from 'better-sqlite3';
import { Kysely, sql, SqliteDialect } from 'kysely';
import { GroupCommit } from '../../src/store/group-commit.ts';
import type { Database } from '../../src/store/schema.ts';

/**
 * Group commit on a real SQLite database (issue 12): calls submitted together share one commit; one
 * call failing changes nothing of its own and nothing of the others; a commit that fails fails every
 * call of its batch and applies none; reads see committed state only.
 */

interface Scratch {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a table of the test's own
  db: Kysely<any>;
  calls: GroupCommit;
  commits: () => number;
}

async function scratch(maxBatch?: number): Promise<Scratch> {
  let commits = 0;
  const db = new Kysely<Database>({
    dialect: new SqliteDialect({ database: new Sqlite(':memory:') }),
    log: (e) => {
      if (e.level === 'query' && e.query.sql === 'commit') commits++;
    },
  });
  await sql`create table t (id integer primary key, v text not null)`.execute(db);
  await sql`create table child (id integer primary key, parent integer not null references t(id))`.execute(
    db,
  );
  await sql`pragma foreign_keys = on`.execute(db);
  return { db, calls: new GroupCommit(db, maxBatch), commits: () => commits };
}

const rows = (s: Scratch) =>
  s.calls
    .read((t) => sql<{ id: number; v: string }>`select * from t order by id`.execute(t))
    .then((r) => r.rows);
const insert =
  (id: number, v = `row ${id}`) =>
  async (t: Parameters<Parameters<GroupCommit['write']>[0]>[0]) => {
    await sql`insert into t (id, v) values (${id}, ${v})`.execute(t);
    return id;
  };

test('calls submitted together share one commit, and each gets its own answer', async () => {
  const s = await scratch();
  const answers = await Promise.all([1, 2, 3, 4, 5].map((i) => s.calls.write(insert(i))));
  assert.deepEqual(answers, [1, 2, 3, 4, 5]);
  assert.equal(s.commits(), 1, 'one commit for the five');
  assert.equal((await rows(s)).length, 5);
  await s.db.destroy();
});

test('a call that fails changes nothing, and the others of its batch go on', async () => {
  const s = await scratch();
  const failing = async (t: Parameters<Parameters<GroupCommit['write']>[0]>[0]) => {
    await sql`insert into t (id, v) values (20, 'half done')`.execute(t);
    throw new Error('refused after writing');
  };
  const results = await Promise.allSettled([
    s.calls.write(insert(10)),
    s.calls.write(failing),
    s.calls.write(insert(11)),
    s.calls.write(insert(10, 'duplicate key')), // fails in the database itself
    s.calls.write(insert(12)),
  ]);
  assert.deepEqual(
    results.map((r) => r.status),
    ['fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled'],
  );
  assert.equal(s.commits(), 1);
  assert.deepEqual(
    (await rows(s)).map((r) => [r.id, r.v]),
    [
      [10, 'row 10'],
      [11, 'row 11'],
      [12, 'row 12'],
    ],
  );
  await s.db.destroy();
});

test('a commit that fails fails every call of its batch, and none is applied', async () => {
  const s = await scratch();
  await s.calls.write(insert(1));
  const results = await Promise.allSettled([
    s.calls.write(insert(30)),
    // Foreign keys checked at commit: this call succeeds on its own, and the commit then fails.
    s.calls.write(async (t) => {
      await sql`pragma defer_foreign_keys = on`.execute(t);
      await sql`insert into child (id, parent) values (1, 999)`.execute(t);
    }),
    s.calls.write(insert(31)),
  ]);
  assert.deepEqual(
    results.map((r) => r.status),
    ['rejected', 'rejected', 'rejected'],
  );
  assert.deepEqual(
    (await rows(s)).map((r) => r.id),
    [1],
    'nothing of the failed batch',
  );
  // The next call starts a batch of its own and succeeds.
  assert.equal(await s.calls.write(insert(32)), 32);
  await s.db.destroy();
});

test('a batch holds at most maxBatch calls; the rest go into the next', async () => {
  const s = await scratch(4);
  await Promise.all(Array.from({ length: 10 }, (_, i) => s.calls.write(insert(100 + i))));
  assert.equal(s.commits(), 3, '4 + 4 + 2');
  assert.equal((await rows(s)).length, 10);
  await s.db.destroy();
});

test('a read never sees a write that is not committed yet', async () => {
  const s = await scratch();
  let seen: number | undefined;
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const writing = s.calls.write(async (t) => {
    await sql`insert into t (id, v) values (50, 'pending')`.execute(t);
    // A read submitted while this write's batch is open waits for the commit.
    void s.calls.read(async (r) => {
      seen = (await sql<{ n: number }>`select count(*) as n from t`.execute(r)).rows[0]!.n;
    });
    await gate;
  });
  await new Promise((r) => setImmediate(r));
  assert.equal(seen, undefined, 'the read waits while the batch is open');
  release();
  await writing;
  await s.calls.idle();
  assert.equal(seen, 1, 'and then sees the committed row');
  await s.db.destroy();
});
