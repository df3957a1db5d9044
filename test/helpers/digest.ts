import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../src/store/schema.ts';
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
    // The change counter below is the test's own, not the store's.
    return rows.rows
      .map((x) => x.name)
      .filter((n) => n !== 'test_change_count')
      .sort();
  });
}

const cache = new WeakMap<Store, Promise<string[]>>();

/**
 * Rows a digest leaves out: a refused call records its failure in the audit trail by design
 * (spec/audit.md), and is still a call that changed nothing.
 */
const COUNTED: Record<string, string> = { audit_log: "outcome = 'success'" };
const rowsOf = (table: string) =>
  COUNTED[table] ? `(select * from "${table}" where ${COUNTED[table]})` : `"${table}"`;

/**
 * A digest of every table's rows, by table, on one snapshot: equal digests mean the table holds
 * the same data. Rows are compared as sorted text, so their order on disk does not matter.
 */
export async function tableDigests(store: Store): Promise<Record<string, string>> {
  let names = cache.get(store);
  if (!names) cache.set(store, (names = tableNames(store)));
  const tables = await names;
  for (const table of tables) {
    if (!/^[a-z_][a-z0-9_]*$/.test(table)) throw new Error(`unexpected table name ${table}`);
  }
  if (store.dialect === 'postgres') {
    // One round trip: every table's rows as text, sorted, hashed by the database.
    const parts = tables.map(
      (t) =>
        `md5((select coalesce(string_agg(x::text, E'\\n' order by x::text), '') from ${rowsOf(t)} x)) as "${t}"`,
    );
    const query = `select ${parts.join(', ')}`;
    // Outside a transaction (the pool), so the digest is one round trip:
    // a digest after every fuzzed request must stay cheap. Reads see what has committed.
    const { rows } = await sql.raw<Record<string, string>>(query).execute(poolOf(store));
    return rows[0]!;
  }
  return store.read(async (r) => {
    const out: Record<string, string> = {};
    for (const table of tables) {
      const { rows } = await sql<Record<string, unknown>>`select * from ${sql.raw(rowsOf(table))} x`.execute(
        r.db,
      );
      const lines = rows.map((row) => JSON.stringify(row)).sort();
      out[table] = createHash('sha256').update(lines.join('\n')).digest('hex');
    }
    return out;
  });
}

/** One digest of the whole store (see tableDigests). */
export async function storeDigest(store: Store): Promise<string> {
  return createHash('sha256')
    .update(JSON.stringify(Object.entries(await tableDigests(store)).sort()))
    .digest('hex');
}

const counters = new WeakMap<Store, Promise<void>>();

/** The store's database outside any transaction (its pool on PostgreSQL). */
const poolOf = (store: Store): Kysely<Database> => store.engine.db;

/**
 * A number that changes whenever a statement may have changed a row: cheap to read, so a caller
 * can skip `storeDigest` while it stays the same. SQLite: `total_changes()` of the store's one
 * connection. PostgreSQL: a counter that statement triggers, installed here in the test's own
 * schema, bump inside each writing transaction (so a rolled-back change leaves it as it was).
 */
export async function changeCount(store: Store): Promise<number> {
  const db = poolOf(store);
  if (store.dialect === 'sqlite') {
    const { rows } = await sql<{ n: number }>`select total_changes() as n`.execute(db);
    return Number(rows[0]!.n);
  }
  let ready = counters.get(store);
  if (!ready) counters.set(store, (ready = installCounter(store, db)));
  await ready;
  const { rows } = await sql<{ n: string }>`select n from test_change_count`.execute(db);
  return Number(rows[0]!.n);
}

async function installCounter(store: Store, db: Kysely<Database>) {
  const tables = await (cache.get(store) ?? tableNames(store));
  await sql`create table test_change_count (n bigint not null)`.execute(db);
  await sql`insert into test_change_count values (0)`.execute(db);
  await sql`create function test_change_bump() returns trigger language plpgsql as
    $$ begin update test_change_count set n = n + 1; return null; end $$`.execute(db);
  for (const t of tables) {
    await sql
      .raw(
        `create trigger test_change_bump after insert or update or delete or truncate on "${t}"
         for each statement execute function test_change_bump()`,
      )
      .execute(db);
  }
}
