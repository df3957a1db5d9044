import type { CompiledQuery, Kysely, QueryResult, Transaction } from 'kysely';
import type { ApiError } from '../domain/errors.ts';
import type { Database } from './schema.ts';

export type Dialect = 'sqlite' | 'postgres';

/** What the store reports for metrics (http/metrics.ts); nothing is measured while none is set. */
export interface StoreObserver {
  /** A `tx` or `read` ended after `seconds`, waiting for its turn and committing included. */
  transaction(kind: 'read' | 'write', seconds: number, ok: boolean): void;
  /** A write could not have its lock at once and waited for another call to let go of it. */
  lockWait(): void;
  /** A write gave up after waiting the whole lock timeout (409 VPCEP.0409). */
  lockTimeout(): void;
}

/**
 * What differs between database engines, and the only thing a new engine implements (README,
 * "Development: a new engine"). Everything above it — the queries of each aggregate, the
 * migrations, the services — is written once, in Kysely, for every engine.
 */
export interface Engine {
  readonly dialect: Dialect;
  /** Where the data lives, for logs: a file path, or a URL without its password. */
  readonly location: string;
  /** The database outside any transaction: migrations and readiness only. */
  readonly db: Kysely<Database>;
  /**
   * Runs `fn` in a transaction that may write. Writers of the same rows take turns; one that
   * cannot have its locks within the lock timeout fails with nothing applied.
   */
  write<T>(fn: (t: Transaction<Database>) => Promise<T>): Promise<T>;
  /** Runs `fn` in a transaction that reads one consistent snapshot. */
  read<T>(fn: (t: Transaction<Database>) => Promise<T>): Promise<T>;
  /**
   * Runs `fn`, which reads with one statement: a statement is its own snapshot, so an engine may
   * spare it a transaction (PostgreSQL: one round trip instead of three).
   */
  readStatement<T>(fn: (t: Transaction<Database>) => Promise<T>): Promise<T>;
  /**
   * Runs one compiled statement in `t` (store/prepared.ts): the engine's shortest way to the
   * database, past Kysely's builders and layers.
   */
  execute(t: Transaction<Database>, query: CompiledQuery): Promise<QueryResult<unknown>>;
  /**
   * A write in `t` whose result nobody reads. The engine may send it later, at the latest with the
   * commit, but before any other statement of `t`, so that the transaction still sees its own
   * writes in order; a failure of it fails the transaction (at the commit, if it was held until
   * then). PostgreSQL sends it with the commit, one round trip fewer; SQLite runs it at once.
   */
  executeAtCommit(t: Transaction<Database>, query: CompiledQuery): Promise<void>;
  /**
   * Statements of `t` run in their order, each after the one before has ended (so each takes the
   * locks and, in read committed, the snapshot of its own moment), their results in that order.
   * An engine may send them together: PostgreSQL in one round trip; SQLite runs them one by one.
   * A failure of one fails the whole; the statements after it do not run.
   */
  executeTogether(
    t: Transaction<Database>,
    queries: readonly CompiledQuery[],
  ): Promise<QueryResult<unknown>[]>;
  /** Whether `select … for update` locks rows (an engine without it serializes writers instead). */
  readonly rowLocks: boolean;
  /** Takes the transaction-scoped lock under which one-time set-up runs, across processes. */
  lockSetup(t: Transaction<Database>): Promise<void>;
  /** Reports lock waits to `observer` from now on; undefined stops it. */
  observe(observer: StoreObserver | undefined): void;
  /** Whether `e` means a write waited the whole lock timeout for a lock (counted by Store). */
  lockTimedOut(e: unknown): boolean;
  /** An engine failure as the API's error (busy → 409, unreachable → 503, …); undefined for others. */
  translate(e: unknown): ApiError | undefined;
  close(): Promise<void>;
}
