import { sql, type Kysely } from 'kysely';
import type { Dialect } from './engine.ts';
import * as initial from './migrations/001-initial.ts';
import * as accounts from './migrations/002-accounts.ts';
import * as interfaceServices from './migrations/003-interface-services.ts';
import * as quotas from './migrations/004-quotas.ts';
import * as lifecycle from './migrations/005-lifecycle.ts';
import * as auditEvents from './migrations/006-audit-events.ts';
import * as consoleSessions from './migrations/007-console-sessions.ts';
import * as endpointCounts from './migrations/008-endpoint-counts.ts';
import * as endpointVersions from './migrations/009-endpoint-versions.ts';
import * as endpointListOrder from './migrations/010-endpoint-list-order.ts';

interface Migration {
  name: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  up(db: Kysely<any>, dialect: Dialect): Promise<void>;
}

/**
 * One ordered set for both stores. Append only: a shipped migration never changes.
 *
 * Kysely's Migrator is not used, for three reasons: its usual provider finds migrations by reading
 * a folder at run time, which the bundled dist/ does not have; its `up(db)` cannot be told the
 * engine, which a migration written once for both needs; and replicas already take turns through
 * the PostgreSQL advisory lock in postgres.ts, so its own lock table would be a second one.
 */
const migrations: Migration[] = [
  { name: '001-initial', up: initial.up },
  { name: '002-accounts', up: accounts.up },
  { name: '003-interface-services', up: interfaceServices.up },
  { name: '004-quotas', up: quotas.up },
  { name: '005-lifecycle', up: lifecycle.up },
  { name: '006-audit-events', up: auditEvents.up },
  { name: '007-console-sessions', up: consoleSessions.up },
  { name: '008-endpoint-counts', up: endpointCounts.up },
  { name: '009-endpoint-versions', up: endpointVersions.up },
  { name: '010-endpoint-list-order', up: endpointListOrder.up },
];

/** Applies what is missing, each migration in its own transaction. Returns the names applied. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function migrate(db: Kysely<any>, dialect: Dialect): Promise<string[]> {
  await db.schema
    .createTable('schema_migrations')
    .ifNotExists()
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('applied_at', 'text', (c) => c.notNull())
    .execute();
  const applied: string[] = [];
  for (const m of migrations) {
    const done = await db.transaction().execute(async (tx) => {
      const row = await tx
        .selectFrom('schema_migrations')
        .select('name')
        .where('name', '=', m.name)
        .executeTakeFirst();
      if (row) return false;
      await m.up(tx, dialect);
      await tx
        .insertInto('schema_migrations')
        .values({ name: m.name, applied_at: new Date().toISOString() })
        .execute();
      return true;
    });
    if (done) applied.push(m.name);
  }
  return applied;
}

/** Migrations not applied yet; throws when the database does not answer. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function pendingMigrations(db: Kysely<any>): Promise<string[]> {
  const rows = await sql<{ name: string }>`select name from schema_migrations`.execute(db);
  const have = new Set(rows.rows.map((r) => r.name));
  return migrations.map((m) => m.name).filter((n) => !have.has(n));
}
