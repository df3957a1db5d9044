import {
  CompiledQuery,
  PostgresDialect,
  SelectQueryNode,
  type DatabaseConnection,
  type Driver,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';
import type { StoreObserver } from './engine.ts';

type Compile = Parameters<NonNullable<Driver['savepoint']>>[2];

/** PostgreSQL's lock_not_available: NOWAIT found the row taken (or lock_timeout passed). */
const LOCK_NOT_AVAILABLE = '55P03';

/** `for update` at the end of a statement, of all its tables or of some (`for update of "endpoints"`). */
const FOR_UPDATE_AT_END = / for update(?: of "[^"]+"(?:, "[^"]+")*)?$/;

/** A `select … for update` as Queries.locking builds it, with no wait policy of its own. */
function isLockingRead(query: CompiledQuery): boolean {
  const node = query.query;
  return (
    SelectQueryNode.is(node) &&
    node.endModifiers?.length === 1 &&
    node.endModifiers[0]!.modifier === 'ForUpdate' &&
    FOR_UPDATE_AT_END.test(query.sql)
  );
}

/**
 * A connection whose locking reads tell whether they had to wait. PostgreSQL keeps no count of lock
 * waits, so while someone observes, a locking read first runs with NOWAIT inside a savepoint: if the
 * rows are free it has them and is done; if not, that is a lock wait, counted, and the read runs
 * again as written, waiting up to the lock timeout as before. Same rows, same locks, same errors;
 * two more statements per locking read, and only while metrics are on.
 */
class ProbedConnection implements DatabaseConnection {
  constructor(
    readonly inner: DatabaseConnection,
    private readonly observer: () => StoreObserver | undefined,
  ) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const observer = this.observer();
    if (!observer || !isLockingRead(query)) return this.inner.executeQuery<R>(query);
    await this.inner.executeQuery(CompiledQuery.raw('savepoint vpcep_lock_probe'));
    try {
      const out = await this.inner.executeQuery<R>({ ...query, sql: `${query.sql} nowait` });
      await this.inner.executeQuery(CompiledQuery.raw('release savepoint vpcep_lock_probe'));
      return out;
    } catch (e) {
      if ((e as { code?: string }).code !== LOCK_NOT_AVAILABLE) throw e;
    }
    await this.inner.executeQuery(CompiledQuery.raw('rollback to savepoint vpcep_lock_probe'));
    await this.inner.executeQuery(CompiledQuery.raw('release savepoint vpcep_lock_probe'));
    observer.lockWait();
    return this.inner.executeQuery<R>(query);
  }

  streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    return this.inner.streamQuery<R>(query, chunkSize);
  }
}

const unwrap = (c: DatabaseConnection) => (c instanceof ProbedConnection ? c.inner : c);

/** Kysely's PostgreSQL driver, handing out ProbedConnections; everything else is the driver's own. */
class ProbingDriver implements Driver {
  constructor(
    private readonly inner: Driver,
    private readonly observer: () => StoreObserver | undefined,
  ) {}

  init() {
    return this.inner.init();
  }
  async acquireConnection() {
    return new ProbedConnection(await this.inner.acquireConnection(), this.observer);
  }
  beginTransaction(c: DatabaseConnection, settings: TransactionSettings) {
    return this.inner.beginTransaction(unwrap(c), settings);
  }
  commitTransaction(c: DatabaseConnection) {
    return this.inner.commitTransaction(unwrap(c));
  }
  rollbackTransaction(c: DatabaseConnection) {
    return this.inner.rollbackTransaction(unwrap(c));
  }
  async savepoint(c: DatabaseConnection, name: string, compile: Compile) {
    await this.inner.savepoint?.(unwrap(c), name, compile);
  }
  async rollbackToSavepoint(c: DatabaseConnection, name: string, compile: Compile) {
    await this.inner.rollbackToSavepoint?.(unwrap(c), name, compile);
  }
  async releaseSavepoint(c: DatabaseConnection, name: string, compile: Compile) {
    await this.inner.releaseSavepoint?.(unwrap(c), name, compile);
  }
  releaseConnection(c: DatabaseConnection) {
    return this.inner.releaseConnection(unwrap(c));
  }
  destroy() {
    return this.inner.destroy();
  }
}

/** PostgresDialect whose locking reads report lock waits to `observer()` while it returns one. */
export class LockProbingPostgresDialect extends PostgresDialect {
  constructor(
    config: ConstructorParameters<typeof PostgresDialect>[0],
    private readonly observer: () => StoreObserver | undefined,
  ) {
    super(config);
  }

  override createDriver(): Driver {
    return new ProbingDriver(super.createDriver(), this.observer);
  }
}
