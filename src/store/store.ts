import type { Transaction } from 'kysely';
import { ApiError } from '../domain/errors.ts';
import { AuditQueries } from './audit.ts';
import { ConsoleSessionQueries } from './console-sessions.ts';
import type { Dialect, Engine, StoreObserver } from './engine.ts';
import { EndpointQueries } from './endpoints.ts';
import { FaultQueries } from './faults.ts';
import { IdentityQueries } from './identity.ts';
import { LifecycleQueries } from './lifecycle.ts';
import { pendingMigrations } from './migrate.ts';
import type { Read } from './queries.ts';
import { NetworkQueries } from './network.ts';
import type { Database } from './schema.ts';
import { ServiceQueries } from './services.ts';

export type { Dialect, StoreObserver } from './engine.ts';

/**
 * The queries of every aggregate, on one transaction (design.md, "store/"). Each is made on its
 * first use: most calls touch two or three of the eight (issue 12's profile: making all eight was
 * 2 % of a rebind).
 */
export class Tx {
  #identity?: IdentityQueries;
  #network?: NetworkQueries;
  #services?: ServiceQueries;
  #endpoints?: EndpointQueries;
  #faults?: FaultQueries;
  #audit?: AuditQueries;
  #lifecycle?: LifecycleQueries;
  #consoleSessions?: ConsoleSessionQueries;

  constructor(
    /** The transaction itself, for what no aggregate offers: checks of invariants in tests. */
    readonly db: Transaction<Database>,
    private readonly engine: Engine,
  ) {}

  get identity(): IdentityQueries {
    return (this.#identity ??= new IdentityQueries(this.db, this.engine));
  }
  get network(): NetworkQueries {
    return (this.#network ??= new NetworkQueries(this.db, this.engine));
  }
  get services(): ServiceQueries {
    return (this.#services ??= new ServiceQueries(this.db, this.engine));
  }
  get endpoints(): EndpointQueries {
    return (this.#endpoints ??= new EndpointQueries(this.db, this.engine));
  }
  get faults(): FaultQueries {
    return (this.#faults ??= new FaultQueries(this.db, this.engine));
  }
  get audit(): AuditQueries {
    return (this.#audit ??= new AuditQueries(this.db, this.engine));
  }
  get lifecycle(): LifecycleQueries {
    return (this.#lifecycle ??= new LifecycleQueries(this.db, this.engine, this.endpoints, this.services));
  }
  get consoleSessions(): ConsoleSessionQueries {
    return (this.#consoleSessions ??= new ConsoleSessionQueries(this.db, this.engine));
  }

  /**
   * Reads run in their order, each after the one before, sent together where the engine can
   * (Engine.executeTogether: PostgreSQL, one round trip for all); their answers in that order.
   */
  async together<T extends readonly unknown[]>(...reads: { [K in keyof T]: Read<T[K]> }): Promise<T> {
    const results = await this.engine.executeTogether(
      this.db,
      reads.map((r) => r.query),
    );
    return reads.map((r, i) => r.decode(results[i]!.rows)) as unknown as T;
  }

  /** Makes one-time set-up (bootstrap, the first server key) take turns across replicas starting together. */
  lockSetup(): Promise<void> {
    return this.engine.lockSetup(this.db);
  }
}

/**
 * The durable store. Every state change runs in `tx` (design.md: one transaction per use case);
 * `read` runs its queries on one consistent snapshot. What the engine says goes out as the API's
 * codes (Engine.translate), in this one place.
 */
export class Store {
  #observer: StoreObserver | undefined;

  /** The engine underneath, for tools and tests that read the database outside a transaction. */
  constructor(readonly engine: Engine) {}

  /**
   * Reports every transaction's duration, and the engine's lock waits and timeouts, to `observer`
   * (metrics); undefined stops it. Without one, nothing is timed.
   */
  observe(observer: StoreObserver | undefined): void {
    this.#observer = observer;
    this.engine.observe(observer);
  }

  get dialect(): Dialect {
    return this.engine.dialect;
  }

  /** Where the store lives, for logs: a file path or a URL without its password. */
  get location(): string {
    return this.engine.location;
  }

  tx<T>(fn: (t: Tx) => Promise<T>): Promise<T> {
    return this.#timed('write', async () => {
      const out = await this.engine.write(async (db): Promise<{ value: T } | { failure: Error }> => {
        try {
          return { value: await fn(new Tx(db, this.engine)) };
        } catch (e) {
          if (e instanceof FailAfterCommit) return { failure: e.error };
          throw e;
        }
      });
      if ('failure' in out) throw out.failure;
      return out.value;
    });
  }

  read<T>(fn: (t: Tx) => Promise<T>): Promise<T> {
    return this.#timed('read', () => this.engine.read((db) => fn(new Tx(db, this.engine))));
  }

  /**
   * `read` for a use that runs exactly one statement (the caller's grants on every call): its own
   * snapshot, with no transaction around it where the engine can spare one.
   */
  readStatement<T>(fn: (t: Tx) => Promise<T>): Promise<T> {
    return this.#timed('read', () => this.engine.readStatement((db) => fn(new Tx(db, this.engine))));
  }

  /** Resolves when the store answers and its migrations are applied (readiness). */
  async ping(): Promise<void> {
    const missing = await this.#translated(() => pendingMigrations(this.engine.db));
    if (missing.length > 0) {
      throw new ApiError('VPCEP.0503', undefined, {
        headers: { 'Retry-After': '1' },
        reason: `migrations pending: ${missing.join(', ')}`,
      });
    }
  }

  close(): Promise<void> {
    return this.engine.close();
  }

  /** `run`, translated; timed, and its lock timeout counted, when someone observes. */
  async #timed<T>(kind: 'read' | 'write', run: () => Promise<T>): Promise<T> {
    const observer = this.#observer;
    if (!observer) return this.#translated(run);
    const started = performance.now();
    let ok = false;
    try {
      const out = await run();
      ok = true;
      return out;
    } catch (e) {
      if (this.engine.lockTimedOut(e)) observer.lockTimeout();
      throw this.#translate(e);
    } finally {
      observer.transaction(kind, (performance.now() - started) / 1000, ok);
    }
  }

  async #translated<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (e) {
      throw this.#translate(e);
    }
  }

  #translate(e: unknown): unknown {
    if (e instanceof ApiError) return e;
    return this.engine.translate(e) ?? e;
  }
}

/**
 * Thrown inside `tx` by a use case that fails, but whose writes so far must stand: the transaction
 * commits, then `error` is thrown to the caller. (An endpoint create that a route-backend fault
 * refuses fails, yet the fault that fired stays used up.) Any other error rolls back.
 */
export class FailAfterCommit {
  constructor(readonly error: Error) {}
}

/** Another process holds the data dir (README, "Configuration": one process per SQLite data dir). */
export class DataDirBusyError extends Error {}

/**
 * The store the configuration names: PostgreSQL for a `postgres://` URL, else SQLite in the data
 * dir. Each engine is loaded only when chosen, so a SQLite server never loads the PostgreSQL
 * driver (start-up, bench/startup.ts).
 */
export async function openStore(
  config: { dataDir: string; databaseUrl: string | undefined; lockTimeoutMs: number },
  onPoolError?: (err: Error) => void,
): Promise<Store> {
  if (config.databaseUrl) {
    const { openPostgresStore } = await import('./postgres.ts');
    return openPostgresStore({ url: config.databaseUrl, lockTimeoutMs: config.lockTimeoutMs, onPoolError });
  }
  const { openSqliteStore } = await import('./sqlite.ts');
  return openSqliteStore(config);
}
