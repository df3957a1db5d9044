import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Store } from '../../src/store/store.ts';

/** The names of the store's tables (its own schema on PostgreSQL). */
async function tableNames(store: Store): Promise<string[]> {
  return store.read(async (r) => {
    const rows =
      store.dialect === 'sqlite'
        ? await sql<{ name: string }>`select name from sqlite_master
            where type = 'table' and name not like 'sqlite_%'`.execute(r.db)
        : await sql<{ name: string }>`select table_name as name from information_schema.tables
            where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(r.db);
    return rows.rows.map((x) => x.name).sort();
  });
}

const cache = new WeakMap<Store, Promise<string[]>>();

/**
 * A digest of every row of every table, on one snapshot: equal digests mean the store holds the
 * same data. Rows are compared as sorted JSON, so their order on disk does not matter.
 */
export async function storeDigest(store: Store): Promise<string> {
  let names = cache.get(store);
  if (!names) cache.set(store, (names = tableNames(store)));
  const tables = await names;
  return store.read(async (r) => {
    const hash = createHash('sha256');
    for (const table of tables) {
      if (!/^[a-z_][a-z0-9_]*$/.test(table)) throw new Error(`unexpected table name ${table}`);
      const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(r.db);
      const lines = rows.map((row) => JSON.stringify(row)).sort();
      hash.update(`${table}\n${lines.join('\n')}\n`);
    }
    return hash.digest('hex');
  });
}

/** Row counts per table, for a failure message that says what changed. */
export async function storeCounts(store: Store): Promise<Record<string, number>> {
  const tables = await (cache.get(store) ?? tableNames(store));
  return store.read(async (r) => {
    const out: Record<string, number> = {};
    for (const table of tables) {
      const { rows } = await sql<{
        n: number | string;
      }>`select count(*) as n from ${sql.table(table)}`.execute(r.db);
      out[table] = Number(rows[0]?.n ?? 0);
    }
    return out;
  });
}
