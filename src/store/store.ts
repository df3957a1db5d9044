import { sql, type Kysely } from 'kysely';
import { ApiError } from '../domain/errors.ts';
import type { Database } from './schema.ts';
import { pendingMigrations } from './migrate.ts';
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

/** Another process holds the data dir (README, "Configuration": one process per SQLite data dir). */
export class DataDirBusyError extends Error {}

export class KyselyStore implements Store {
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
