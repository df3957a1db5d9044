import { CompiledQuery, type Kysely, type Transaction } from 'kysely';
import type { Database } from './schema.ts';

type Work<T> = (t: Transaction<Database>) => Promise<T>;

interface Job {
  write: boolean;
  fn: Work<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/** The statements around each call of a batch, compiled once (issue 12: not once per call). */
const SAVEPOINT = CompiledQuery.raw('savepoint call');
const ROLLBACK_TO = CompiledQuery.raw('rollback to call');
const RELEASE = CompiledQuery.raw('release call');

/** The most calls one commit carries: bounds how long the first of them waits for its answer. */
export const MAX_BATCH = 64;

/**
 * Group commit for the one SQLite connection (issue 12). A durable commit costs an fsync whatever
 * it carries, so calls that arrive together share one: each write runs in a savepoint of one
 * transaction, and the transaction commits once the calls waiting at that moment have run.
 *
 * - A call is answered only after the commit that holds it is on disk.
 * - A call that fails is rolled back to its savepoint: it changes nothing, and the others in the
 *   batch go on. If the commit itself fails, every call in the batch fails, and none is applied.
 * - Reads run between batches, in a transaction of their own, so they only ever see committed
 *   state: nobody learns of a change before it is durable.
 *
 * The queue is drained from `setImmediate`, after the event loop has read every request that
 * arrived together, so those requests' calls are in the queue when the batch starts.
 */
export class GroupCommit {
  #queue: Job[] = [];
  #draining: Promise<void> | undefined;
  /** Whether a batch of writes holds the connection now. */
  #writing = false;
  /**
   * Called for a write that must wait for its turn: another write holds the connection, or is
   * queued ahead of it. The one connection is SQLite's lock; this is its lock wait (metrics).
   */
  onWait: (() => void) | undefined;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly maxBatch = MAX_BATCH,
  ) {}

  write<T>(fn: Work<T>): Promise<T> {
    if (this.onWait && (this.#writing || this.#queue.some((job) => job.write))) this.onWait();
    return this.#submit(true, fn);
  }

  read<T>(fn: Work<T>): Promise<T> {
    return this.#submit(false, fn);
  }

  /** Resolves once nothing is queued or running. */
  async idle(): Promise<void> {
    while (this.#draining) await this.#draining;
  }

  #submit<T>(write: boolean, fn: Work<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ write, fn, resolve: resolve as (v: unknown) => void, reject });
      this.#draining ??= new Promise<void>((done) => setImmediate(() => void this.#drain().finally(done)));
    });
  }

  async #drain(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        if (this.#queue[0]!.write) {
          this.#writing = true;
          try {
            await this.#batch();
          } finally {
            this.#writing = false;
          }
        } else await this.#reads();
      }
    } finally {
      this.#draining = undefined;
    }
  }

  /** The reads at the head of the queue, in one read transaction: one snapshot, nothing to sync. */
  async #reads(): Promise<void> {
    const group: Job[] = [];
    while (this.#queue.length > 0 && !this.#queue[0]!.write) group.push(this.#queue.shift()!);
    let trx;
    try {
      trx = await this.db.startTransaction().execute();
    } catch (e) {
      for (const job of group) job.reject(e);
      return;
    }
    for (const job of group) {
      try {
        job.resolve(await job.fn(trx));
      } catch (e) {
        job.reject(e);
      }
    }
    // A read-only transaction ends without writing anything; a failure here changes no answer.
    await trx
      .rollback()
      .execute()
      .catch(() => undefined);
  }

  /** The writes at the head of the queue, arrivals while it runs included, up to maxBatch: one commit. */
  async #batch(): Promise<void> {
    const done: [Job, unknown][] = [];
    /** The call running now, failed with the batch if the batch fails before it is settled. */
    let current: Job | undefined;
    let trx;
    try {
      trx = await this.db.startTransaction().execute();
    } catch (e) {
      // The transaction could not begin: fail only the first call, so the others try again.
      this.#queue.shift()!.reject(e);
      return;
    }
    try {
      let count = 0;
      while (count < this.maxBatch && this.#queue.length > 0 && this.#queue[0]!.write) {
        const job = (current = this.#queue.shift()!);
        count++;
        await trx.executeQuery(SAVEPOINT);
        let value: unknown;
        try {
          value = await job.fn(trx);
        } catch (e) {
          // Undo this call only; its failure is its own.
          await trx.executeQuery(ROLLBACK_TO);
          await trx.executeQuery(RELEASE);
          current = undefined;
          job.reject(e);
          continue;
        }
        await trx.executeQuery(RELEASE);
        current = undefined;
        done.push([job, value]);
      }
      await trx.commit().execute();
    } catch (e) {
      // The batch could not be made durable: none of it is applied, and every call in it fails.
      await trx
        .rollback()
        .execute()
        .catch(() => undefined);
      current?.reject(e);
      for (const [job] of done) job.reject(e);
      return;
    }
    for (const [job, value] of done) job.resolve(value);
  }
}
