import { Kysely, sql, type CompiledQuery, type QueryResult, type Transaction } from 'kysely';
import pg from 'pg';
import { ApiError } from '../domain/errors.ts';
import type { Engine, StoreObserver } from './engine.ts';
import { atCommit, resultsOf, together, VpcepPostgresDialect } from './pg-dialect.ts';
import type { Database } from './schema.ts';
import { migrate } from './migrate.ts';
import { Store } from './store.ts';
import { namedStatements } from './prepared.ts';

/**
 * A client that runs the texts of prepared queries (prepared.ts) as named statements: PostgreSQL
 * parses and plans each once per connection instead of once per call. Every other text is sent as
 * it comes.
 */
class NamingClient extends pg.Client {
  // One override for pg's many query signatures; only (text, values) is changed.
  override query(first: unknown, values?: unknown, callback?: unknown) {
    if (typeof first === 'string' && callback === undefined && Array.isArray(values)) {
      const name = namedStatements.get(first);
      if (name) return super.query({ name, text: first, values });
    }
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- passed through as given
    return (super.query as any)(first, values, callback);
  }
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
    Client: NamingClient,
    max: opts.poolSize ?? 10,
    // Fail fast when the database is away, so a call answers 503 instead of hanging.
    connectionTimeoutMillis: 3000,
    idleTimeoutMillis: 30_000,
    // A call that cannot get its row locks in time gives up with nothing applied (routetables.md):
    // every connection's setting, rather than a statement more in every transaction.
    lock_timeout: Math.trunc(opts.lockTimeoutMs),
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
  // Whom the engine reports lock waits to (metrics), read by the dialect's connections at each query.
  const watch: { observer?: StoreObserver } = {};
  const db = new Kysely<Database>({
    dialect: new VpcepPostgresDialect(pool, () => watch.observer),
  });
  try {
    await db.connection().execute(async (conn) => {
      // Replicas starting together wait for each other's migrations however long they take.
      await sql`set lock_timeout = 0`.execute(conn);
      await sql`select pg_advisory_lock(${MIGRATION_LOCK})`.execute(conn);
      try {
        // Under the lock: two `create schema if not exists` at once can both try to create it.
        if (opts.schema) await sql.raw(`create schema if not exists ${opts.schema}`).execute(conn);
        await migrate(conn, 'postgres');
      } finally {
        await sql`select pg_advisory_unlock(${MIGRATION_LOCK})`.execute(conn);
        await sql`reset lock_timeout`.execute(conn);
      }
    });
  } catch (e) {
    await db.destroy();
    throw e;
  }
  return new Store(
    new PostgresEngine(db, redactUrl(opts.url) + (opts.schema ? ` (schema ${opts.schema})` : ''), watch),
  );
}

/** Arbitrary constants naming vpcep's locks among the database's advisory locks. */
const MIGRATION_LOCK = 7_311_042_001;
const SETUP_LOCK = 7_311_042_002;

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
 * Any number of processes on one database: row locks make writers of the same rows take turns,
 * advisory locks serialize migrations and set-up, and reads see one repeatable-read snapshot.
 */
class PostgresEngine implements Engine {
  readonly dialect = 'postgres';
  readonly rowLocks = true;

  constructor(
    readonly db: Kysely<Database>,
    readonly location: string,
    private readonly watch: { observer?: StoreObserver },
  ) {}

  write<T>(fn: (t: Transaction<Database>) => Promise<T>): Promise<T> {
    // The connections' lock_timeout bounds its waits for row locks (openPostgresStore).
    return this.db.transaction().execute(fn);
  }

  execute(t: Transaction<Database>, query: CompiledQuery): Promise<QueryResult<unknown>> {
    return t.executeQuery(query);
  }

  /** Held by the transaction's connection and sent with its commit (pg-dialect.ts). */
  async executeAtCommit(t: Transaction<Database>, query: CompiledQuery): Promise<void> {
    await t.executeQuery(atCommit(query));
  }

  /** In one query where the connection can write them all as texts (pg-dialect.ts). */
  async executeTogether(t: Transaction<Database>, queries: readonly CompiledQuery[]) {
    return resultsOf(await t.executeQuery(together(queries)));
  }

  /** Lock waits are seen by the dialect's connections (pg-dialect.ts). */
  observe(observer: StoreObserver | undefined): void {
    this.watch.observer = observer;
  }

  /** lock_not_available: `lock_timeout` passed (the lock probe's own NOWAIT never gets this far). */
  lockTimedOut(e: unknown): boolean {
    return (e as { code?: string }).code === '55P03';
  }

  /** On whichever pooled connection is free, outside any transaction. */
  readStatement<T>(fn: (t: Transaction<Database>) => Promise<T>): Promise<T> {
    // Transaction adds nothing to Kysely's query API that one statement's queries use.
    return fn(this.db as Transaction<Database>);
  }

  read<T>(fn: (t: Transaction<Database>) => Promise<T>): Promise<T> {
    return this.db.transaction().setIsolationLevel('repeatable read').execute(fn);
  }

  async lockSetup(t: Transaction<Database>): Promise<void> {
    await sql`select pg_advisory_xact_lock(${SETUP_LOCK})`.execute(t);
  }

  /**
   * A busy lock is 409 VPCEP.0409, an unreachable database 503 VPCEP.0503 with Retry-After, a
   * statement past its timeout 408 EndPoint.0013.
   */
  translate(e: unknown): ApiError | undefined {
    const err = e as { code?: string; message?: string };
    const code = err.code ?? '';
    const message = err.message ?? '';
    // 23503/23505: a concurrent change removed a row this one refers to, or added one it collides
    // with (e.g. a VPC deleted while an endpoint is created in it); retrying sees the new state.
    if (['55P03', '40P01', '40001', '23503', '23505'].includes(code)) {
      return new ApiError('VPCEP.0409', undefined, { reason: `${code}: ${message}` });
    }
    if (code === '57014') return new ApiError('EndPoint.0013', undefined, { reason: message });
    if (
      UNREACHABLE.has(code) ||
      code.startsWith('08') ||
      /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|connect ECONNREFUSED/i.test(
        message,
      )
    ) {
      return new ApiError('VPCEP.0503', 'The database is unreachable.', {
        headers: { 'Retry-After': '1' },
        reason: `${code || 'connection'}: ${message}`,
      });
    }
    return undefined;
  }

  close(): Promise<void> {
    return this.db.destroy();
  }
}
