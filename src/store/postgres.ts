import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';
import { migrate } from './migrate.ts';
import { KyselyStore, type Store } from './store.ts';

export interface PostgresOptions {
  url: string;
  lockTimeoutMs: number;
  /** A schema to live in (tests give each world its own); created when missing. */
  schema?: string;
  /** Connections per process. */
  poolSize?: number;
  /** Called for errors of idle connections, which must never crash the process. */
  onPoolError?: (err: Error) => void;
}

/** The URL without its password, for logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparsable URL)';
  }
}

/** Opens the PostgreSQL store and applies migrations once, under an advisory lock, however many replicas start. */
export async function openPostgresStore(opts: PostgresOptions): Promise<Store> {
  if (opts.schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(opts.schema)) {
    throw new Error(`invalid schema name ${opts.schema}`);
  }
  const pool = new pg.Pool({
    connectionString: opts.url,
    max: opts.poolSize ?? 10,
    // Fail fast when the database is away, so a call answers 503 instead of hanging.
    connectionTimeoutMillis: 3000,
    idleTimeoutMillis: 30_000,
    // A statement may wait for row locks up to the lock timeout; past that something is wrong.
    statement_timeout: opts.lockTimeoutMs + 5000,
    query_timeout: opts.lockTimeoutMs + 10_000,
    ...(opts.schema ? { options: `-c search_path=${opts.schema}` } : {}),
  });
  pool.on('error', (err) => opts.onPoolError?.(err));
  // pg-pool listens for a client's errors only while it is idle. A connection that breaks while
  // checked out (in a transaction) emits 'error' with no listener, which would crash the process;
  // the query in flight fails by itself (503), so this listener only has to exist.
  pool.on('connect', (client) => client.on('error', () => undefined));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  try {
    await db.connection().execute(async (conn) => {
      await sql`select pg_advisory_lock(${MIGRATION_LOCK})`.execute(conn);
      try {
        // Under the lock: two `create schema if not exists` at once can both try to create it.
        if (opts.schema) await sql.raw(`create schema if not exists ${opts.schema}`).execute(conn);
        await migrate(conn, 'postgres');
      } finally {
        await sql`select pg_advisory_unlock(${MIGRATION_LOCK})`.execute(conn);
      }
    });
  } catch (e) {
    await db.destroy();
    throw e;
  }
  return new KyselyStore(
    db,
    'postgres',
    redactUrl(opts.url) + (opts.schema ? ` (schema ${opts.schema})` : ''),
    opts.lockTimeoutMs,
  );
}

/** An arbitrary constant naming vpcep's migration lock among the database's advisory locks. */
const MIGRATION_LOCK = 7_311_042_001;
