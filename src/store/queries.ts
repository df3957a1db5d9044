import type { CompiledQuery, Insertable, Selectable, Transaction } from 'kysely';
import type { Engine } from './engine.ts';
import type { Prepared } from './prepared.ts';
import type { Database } from './schema.ts';

export type Row<T extends keyof Database> = Selectable<Database[T]>;
export type NewRow<T extends keyof Database> = Insertable<Database[T]>;

/** A read that can also lock what it reads until the transaction ends (`{ forUpdate: true }`). */
export interface LockOption {
  forUpdate?: boolean;
  /** With `forUpdate`: pass over rows another transaction holds, instead of waiting for them. */
  skipLocked?: boolean;
}

/** A read to run with others (Tx.together): its statement, and how its rows become its answer. */
export interface Read<T> {
  query: CompiledQuery;
  decode(rows: unknown[]): T;
}

/**
 * The base of each aggregate's queries: typed reads and writes on one transaction. No rules live
 * here; services decide, the queries only move rows. Locks are part of a read (`LockOption`), so
 * a service that needs one says so where it reads, and every engine honours it its own way.
 */
export abstract class Queries {
  constructor(
    protected readonly db: Transaction<Database>,
    protected readonly engine: Engine,
  ) {}

  /** The rows of a prepared query (store/prepared.ts) with these arguments. */
  protected all<A extends readonly unknown[], R>(q: Prepared<A, R>, ...args: A): Promise<R[]> {
    return q.all(this.db, this.engine, args);
  }

  protected first<A extends readonly unknown[], R>(q: Prepared<A, R>, ...args: A): Promise<R | undefined> {
    return q.first(this.db, this.engine, args);
  }

  /** A prepared query with these arguments, to run with others (Tx.together); `decode` makes its answer. */
  protected reading<A extends readonly unknown[], R, T>(
    q: Prepared<A, R>,
    args: A,
    decode: (rows: R[]) => T,
  ): Read<T> {
    return { query: q.bind(this.engine, args), decode: decode as (rows: unknown[]) => T };
  }

  /** A prepared write; how many rows it changed. */
  protected run<A extends readonly unknown[], R>(q: Prepared<A, R>, ...args: A): Promise<number> {
    return q.run(this.db, this.engine, args);
  }

  /** A prepared write whose count nobody reads, sent at the engine's convenience before the commit. */
  protected runAtCommit<A extends readonly unknown[], R>(q: Prepared<A, R>, ...args: A): Promise<void> {
    return q.runAtCommit(this.db, this.engine, args);
  }

  /** `q` made to lock its rows when asked and the engine has row locks. */
  protected locking<Q extends { forUpdate(): Q; skipLocked(): Q }>(q: Q, opts: LockOption | undefined): Q {
    if (!opts?.forUpdate || !this.engine.rowLocks) return q;
    return opts.skipLocked ? q.forUpdate().skipLocked() : q.forUpdate();
  }
}
