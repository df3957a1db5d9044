import { CompiledQuery } from 'kysely';
import type { Engine } from '../../src/store/engine.ts';
import type { World } from './world.ts';

/** The statements the store runs while `fn` runs whose SQL matches `pattern`, as compiled with their values. */
export async function statementsDuring(
  w: World,
  pattern: RegExp,
  fn: () => Promise<unknown>,
): Promise<CompiledQuery[]> {
  const engine: Engine = w.store.engine;
  const seen: CompiledQuery[] = [];
  const execute = engine.execute;
  engine.execute = function (this: Engine, t, q) {
    seen.push(q);
    return execute.call(this, t, q);
  };
  try {
    await fn();
  } finally {
    engine.execute = execute;
  }
  return seen.filter((q) => pattern.test(q.sql));
}

/**
 * The plan the store makes of `q`, one line per step: SQLite's `explain query plan`; PostgreSQL's
 * `explain` with sorting disabled, so that it takes an index wherever one gives the order, however
 * few rows the table has.
 */
export async function planOf(w: World, q: CompiledQuery): Promise<string[]> {
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

/** The steps of a plan that sort: a temporary b-tree (SQLite), a Sort node (PostgreSQL). */
export const sorting = (plan: string[]) => plan.filter((line) => /TEMP B-TREE|\bSort\b/i.test(line));
