import assert from 'node:assert/strict';
import { test } from 'node:test';
import Sqlite from 'better-sqlite3';
import { withStatementCache } from '../../src/store/sqlite.ts';

/** Statements are prepared once per distinct SQL text and reused (issue 12), within a bounded cache. */

test('one statement per SQL text; the least recently used leaves past the size', () => {
  const raw = new Sqlite(':memory:');
  let prepared = 0;
  const counting = new Proxy(raw, {
    get(target, prop, receiver) {
      if (prop === 'prepare') {
        return (sql: string) => {
          prepared++;
          return target.prepare(sql);
        };
      }
      const v = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  const db = withStatementCache(counting, 2);
  const a = db.prepare('select 1 as a');
  assert.equal(db.prepare('select 1 as a'), a, 'the same statement object again');
  assert.deepEqual(a.all([]), [{ a: 1 }]);
  db.prepare('select 2 as b');
  db.prepare('select 1 as a'); // used again: now the most recent
  db.prepare('select 3 as c'); // evicts `select 2`, the least recent
  assert.equal(prepared, 3);
  db.prepare('select 1 as a');
  assert.equal(prepared, 3, 'still cached');
  db.prepare('select 2 as b');
  assert.equal(prepared, 4, 'evicted, so prepared again');
  db.close();
});

test('a cached statement still works after the schema changes under it', () => {
  const db = withStatementCache(new Sqlite(':memory:'));
  db.prepare('create table t (x integer)').run([]);
  db.prepare('insert into t (x) values (?)').run([1]);
  const read = db.prepare('select * from t');
  assert.deepEqual(read.all([]), [{ x: 1 }]);
  db.prepare('alter table t add column y text').run([]);
  assert.deepEqual(db.prepare('select * from t').all([]), [{ x: 1, y: null }]);
  db.close();
});
