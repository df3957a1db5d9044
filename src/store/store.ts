import fs from 'node:fs';
import path from 'node:path';
import Sqlite from 'better-sqlite3';
import {
  CompiledQuery,
  Kysely,
  PostgresDialect,
  sql,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type Driver,
} from 'kysely';
import pg from 'pg';
import { ApiError } from '../domain/errors.ts';
import { privateDataDir } from './data-dir.ts';
import type { Database } from './schema.ts';
import { migrate, pendingMigrations } from './migrate.ts';
import { Repo } from './repo.ts';

export type Dialect = 'sqlite' | 'postgres';

/**
 * The durable store. Every state change runs in `tx` (design.md: one transaction per use case);
 * `read` runs its queries on one consistent snapshot.
 */
export interface Store {
  readonly dialect: Dialect;
  /** Where the store lives, for logs: a file path or a URL without its password. */
  readonly location: string;
  tx<T>(fn: (r: Repo) => Promise<T>): Promise<T>;
  read<T>(fn: (r: Repo) => Promise<T>): Promise<T>;
  /** Resolves when the store answers and its migrations are applied (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** SQLite's default `begin` is deferred; `begin immediate` takes the write lock at once, so two
 * writers never deadlock on the upgrade from read to write. */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: ConstructorParameters<typeof SqliteDialect>[0];
  constructor(config: ConstructorParameters<typeof SqliteDialect>[0]) {
    super(config);
    this.#config = config;
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }
}

class KyselyStore implements Store {
  constructor(
    readonly db: Kysely<Database>,
    readonly dialect: Dialect,
    readonly location: string,
    private readonly lockTimeoutMs: number,
    private readonly onClose: () => Promise<void> = async () => undefined,
  ) {}

  tx<T>(fn: (r: Repo) => Promise<T>): Promise<T> {
    return translateErrors(() =>
      this.db.transaction().execute(async (t) => {
        if (this.dialect === 'postgres') {
          // A call that cannot get its row locks in time gives up with nothing applied (routetables.md).
          await sql.raw(`set local lock_timeout = ${Math.trunc(this.lockTimeoutMs)}`).execute(t);
        }
        return fn(new Repo(t, this.dialect));
      }),
    );
  }

  read<T>(fn: (r: Repo) => Promise<T>): Promise<T> {
    if (this.dialect === 'sqlite') return this.tx(fn);
    return translateErrors(() =>
      this.db
        .transaction()
        .setIsolationLevel('repeatable read')
        .execute((t) => fn(new Repo(t, this.dialect))),
    );
  }

  async ping(): Promise<void> {
    const missing = await translateErrors(() => pendingMigrations(this.db));
    if (missing.length > 0) {
      throw new ApiError('VPCEP.0503', undefined, {
        headers: { 'Retry-After': '1' },
        reason: `migrations pending: ${missing.join(', ')}`,
      });
    }
  }

  async close(): Promise<void> {
    await this.db.destroy();
    await this.onClose();
  }
}

/** PostgreSQL SQLSTATEs and socket errors that mean "the database is not reachable now". */
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  '57P01',
  '57P02',
  '57P03',
  '53300',
]);

/**
 * Maps what the database says to the API's codes, in one place: a busy lock is 409 VPCEP.0409, an
 * unreachable database 503 VPCEP.0503 with Retry-After, a statement past its timeout 504.
 */
async function translateErrors<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof ApiError) throw e;
    const err = e as { code?: string; message?: string };
    const code = err.code ?? '';
    const message = err.message ?? '';
    // 23503/23505: a concurrent change removed a row this one refers to, or added one it collides
    // with (e.g. a VPC deleted while an endpoint is created in it); retrying sees the new state.
    if (['SQLITE_BUSY', '55P03', '40P01', '40001', '23503', '23505'].includes(code)) {
      throw new ApiError('VPCEP.0409', undefined, { reason: `${code}: ${message}` });
    }
    if (code === '57014') throw new ApiError('EndPoint.0013', undefined, { reason: message });
    if (
      UNREACHABLE.has(code) ||
      code.startsWith('08') ||
      /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|connect ECONNREFUSED/i.test(
        message,
      )
    ) {
      throw new ApiError('VPCEP.0503', 'The database is unreachable.', {
        headers: { 'Retry-After': '1' },
        reason: `${code || 'connection'}: ${message}`,
      });
    }
    throw e;
  }
}

export interface OpenOptions {
  dataDir: string;
  /** How long a writer waits for the database lock before giving up. */
  lockTimeoutMs: number;
}

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

/** The store the configuration names: PostgreSQL for a `postgres://` URL, else SQLite in the data dir. */
export function openStore(
  config: { dataDir: string; databaseUrl: string | undefined; lockTimeoutMs: number },
  onPoolError?: (err: Error) => void,
): Promise<Store> {
  return config.databaseUrl
    ? openPostgresStore({ url: config.databaseUrl, lockTimeoutMs: config.lockTimeoutMs, onPoolError })
    : openSqliteStore(config);
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

/** Opens (creating when new) the SQLite store in `dataDir/vpcep.db`, WAL mode, migrated. */
export async function openSqliteStore(opts: OpenOptions): Promise<Store> {
  // The database holds every SK and the token key: only the server's user may read it.
  privateDataDir(opts.dataDir);
  const file = path.join(opts.dataDir, 'vpcep.db');
  const sqlite = new Sqlite(file);
  sqlite.pragma('journal_mode = WAL');
  // FULL: a committed transaction survives power loss, not only a process crash.
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma(`busy_timeout = ${opts.lockTimeoutMs}`);
  const db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database: sqlite }) });
  await migrate(db, 'sqlite');
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    if (fs.existsSync(f)) fs.chmodSync(f, 0o600);
  }
  return new KyselyStore(db, 'sqlite', file, opts.lockTimeoutMs);
}
