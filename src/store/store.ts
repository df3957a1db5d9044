import fs from 'node:fs';
import path from 'node:path';
import Sqlite from 'better-sqlite3';
import {
  CompiledQuery,
  Kysely,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type Driver,
} from 'kysely';
import { ApiError } from '../domain/errors.ts';
import type { Database } from './schema.ts';
import { migrate } from './migrate.ts';
import { Repo } from './repo.ts';

export type Dialect = 'sqlite' | 'postgres';

/**
 * The durable store. Every state change runs in `tx` (design.md: one transaction per use case);
 * `read` runs queries outside a transaction.
 */
export interface Store {
  readonly dialect: Dialect;
  /** Where the store lives, for logs: a file path or a URL without its password. */
  readonly location: string;
  tx<T>(fn: (r: Repo) => Promise<T>): Promise<T>;
  read<T>(fn: (r: Repo) => Promise<T>): Promise<T>;
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
  ) {}

  async tx<T>(fn: (r: Repo) => Promise<T>): Promise<T> {
    try {
      return await this.db.transaction().execute((t) => fn(new Repo(t, this.dialect)));
    } catch (e) {
      // The write lock stayed taken past busy_timeout (the lock timeout): nothing was applied.
      if ((e as { code?: string }).code === 'SQLITE_BUSY') throw new ApiError('VPCEP.0409');
      throw e;
    }
  }

  read<T>(fn: (r: Repo) => Promise<T>): Promise<T> {
    return fn(new Repo(this.db, this.dialect));
  }

  close(): Promise<void> {
    return this.db.destroy();
  }
}

export interface OpenOptions {
  dataDir: string;
  /** How long a writer waits for the database lock before giving up. */
  lockTimeoutMs: number;
}

/** Opens (creating when new) the SQLite store in `dataDir/vpcep.db`, WAL mode, migrated. */
export async function openSqliteStore(opts: OpenOptions): Promise<Store> {
  fs.mkdirSync(opts.dataDir, { recursive: true });
  const file = path.join(opts.dataDir, 'vpcep.db');
  const sqlite = new Sqlite(file);
  sqlite.pragma('journal_mode = WAL');
  // FULL: a committed transaction survives power loss, not only a process crash.
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma(`busy_timeout = ${opts.lockTimeoutMs}`);
  const db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database: sqlite }) });
  await migrate(db, 'sqlite');
  return new KyselyStore(db, 'sqlite', file);
}
