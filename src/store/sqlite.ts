import fs from 'node:fs';
import path from 'node:path';
import Sqlite from 'better-sqlite3';
import {
  CompiledQuery,
  Kysely,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type QueryResult,
  type Driver,
  type SqliteDatabase,
  type Transaction,
} from 'kysely';
import type { Database } from './schema.ts';
import { migrate } from './migrate.ts';
import { ApiError } from '../domain/errors.ts';
import { privateDataDir } from './data-dir.ts';
import type { Engine, StoreObserver } from './engine.ts';
import { GroupCommit } from './group-commit.ts';
import { DataDirBusyError, Store } from './store.ts';

export interface OpenOptions {
  dataDir: string;
  /** How long a writer waits for the database lock before giving up. */
  lockTimeoutMs: number;
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

/** How many distinct statements stay prepared; queries with lists of different lengths are distinct. */
const STATEMENT_CACHE_SIZE = 512;

/**
 * The database as Kysely sees it, preparing each distinct statement once. Kysely's SQLite driver
 * prepares on every call, which cost an eighth of a rebind's time (issue 12's profile); a prepared
 * statement is reused as long as the connection lives, and SQLite re-prepares it by itself after a
 * schema change. The least recently used statements leave the cache past its size.
 */
export function withStatementCache(
  sqlite: Sqlite.Database,
  size = STATEMENT_CACHE_SIZE,
): SqliteDatabase & { prepare(sql: string): Sqlite.Statement } {
  const cache = new Map<string, Sqlite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string) {
      let stmt = cache.get(sql);
      if (stmt) {
        // Most recently used last: a Map keeps insertion order.
        cache.delete(sql);
      } else {
        stmt = sqlite.prepare(sql);
        if (cache.size >= size) cache.delete(cache.keys().next().value!);
      }
      cache.set(sql, stmt);
      return stmt;
    },
  };
}

/** Opens (creating when new) the SQLite store in `dataDir/vpcep.db`, WAL mode, migrated. */
export async function openSqliteStore(opts: OpenOptions): Promise<Store> {
  // The database holds every SK and the token key: only the server's user may read it.
  privateDataDir(opts.dataDir);
  const file = path.join(opts.dataDir, 'vpcep.db');
  const pidFile = path.join(opts.dataDir, 'vpcep.pid');
  const sqlite = new Sqlite(file, { timeout: 0 });
  try {
    claimDataDir(sqlite, opts.dataDir, pidFile);
  } catch (e) {
    sqlite.close();
    throw e;
  }
  // FULL: a committed transaction survives power loss, not only a process crash.
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  // Temporary files in memory, the savepoint journal among them: group commit runs each call in a
  // savepoint, and SQLite kept the pages a call first changed in a journal file of its own, which
  // made every write statement of a rebind cost 20–27 µs instead of 5–9 (issue 12). That journal
  // only ever undoes a savepoint of the open transaction; recovery after a crash is the WAL's.
  sqlite.pragma('temp_store = MEMORY');
  sqlite.pragma(`busy_timeout = ${opts.lockTimeoutMs}`);
  const statements = withStatementCache(sqlite);
  const db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database: statements }) });
  await migrate(db, 'sqlite');
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    if (fs.existsSync(f)) fs.chmodSync(f, 0o600);
  }
  return new Store(
    new SqliteEngine(db, statements, file, async () => {
      if (readPid(pidFile) === process.pid) fs.rmSync(pidFile, { force: true });
    }),
  );
}

/**
 * One process, one connection: writers take turns without row locks, and set-up needs no lock of
 * its own. Calls that arrive together share one commit (group-commit.ts).
 */
class SqliteEngine implements Engine {
  readonly dialect = 'sqlite';
  readonly rowLocks = false;
  readonly #calls: GroupCommit;

  constructor(
    readonly db: Kysely<Database>,
    private readonly statements: { prepare(sql: string): Sqlite.Statement },
    readonly location: string,
    private readonly onClose: () => Promise<void>,
  ) {
    this.#calls = new GroupCommit(db);
  }

  write<T>(fn: (t: Transaction<Database>) => Promise<T>): Promise<T> {
    return this.#calls.write(fn);
  }

  read<T>(fn: (t: Transaction<Database>) => Promise<T>): Promise<T> {
    return this.#calls.read(fn);
  }

  /** Between batches, as any read: the one connection may be in a batch's transaction now. */
  readStatement<T>(fn: (t: Transaction<Database>) => Promise<T>): Promise<T> {
    return this.#calls.read(fn);
  }

  /**
   * The one connection's cached statement, run at once: the caller's transaction is the one open on
   * this connection (group-commit.ts runs one call at a time), so nothing else runs in between.
   */
  async execute(_t: Transaction<Database>, query: CompiledQuery): Promise<QueryResult<unknown>> {
    const stmt = this.statements.prepare(query.sql);
    if (stmt.reader) return { rows: rowsOf(stmt, query.parameters) };
    return { rows: [], numAffectedRows: BigInt(stmt.run(query.parameters).changes) };
  }

  /** At once: a statement costs no round trip here. */
  async executeAtCommit(t: Transaction<Database>, query: CompiledQuery): Promise<void> {
    await this.execute(t, query);
  }

  /** One by one, as the one connection runs everything. */
  async executeTogether(t: Transaction<Database>, queries: readonly CompiledQuery[]) {
    const out: QueryResult<unknown>[] = [];
    for (const q of queries) out.push(await this.execute(t, q));
    return out;
  }

  async lockSetup(): Promise<void> {}

  observe(observer: StoreObserver | undefined): void {
    this.#calls.onWait = observer && (() => observer.lockWait());
  }

  lockTimedOut(e: unknown): boolean {
    return isBusy(e);
  }

  /** A writer that waited the whole busy timeout is 409 VPCEP.0409. */
  translate(e: unknown): ApiError | undefined {
    const err = e as { code?: string; message?: string };
    if (isBusy(e)) {
      return new ApiError('VPCEP.0409', undefined, { reason: `${err.code}: ${err.message ?? ''}` });
    }
    return undefined;
  }

  async close(): Promise<void> {
    await this.#calls.idle();
    await this.db.destroy();
    await this.onClose();
  }
}

/** Per statement, the function that makes a row object of its raw values (see rowsOf). */
const rowMakers = new WeakMap<Sqlite.Statement, (values: unknown[]) => unknown>();

/**
 * The rows of a reading statement, as objects keyed by column name like better-sqlite3's own, but
 * built by a function compiled once per statement from its column names: better-sqlite3 sets each
 * property of each row through V8's API, which took half the time of reading a page of 100
 * endpoints (issue 12); an object literal of a fixed shape is V8's fastest way to make one. A name
 * that appears twice keeps its last value, as better-sqlite3 does. The statement is shared with
 * Kysely's own calls, so its raw mode is on only for the read.
 */
function rowsOf(stmt: Sqlite.Statement, parameters: readonly unknown[]): unknown[] {
  let make = rowMakers.get(stmt);
  if (!make) {
    const fields = stmt.columns().map((c, i) => `${JSON.stringify(c.name)}: v[${i}]`);
    // The names are the statement's own columns, each written as a JSON string literal.
    make = new Function('v', `return { ${fields.join(', ')} };`) as (values: unknown[]) => unknown;
    rowMakers.set(stmt, make);
  }
  let values: unknown[][];
  try {
    values = stmt.raw(true).all(parameters) as unknown[][];
  } finally {
    stmt.raw(false);
  }
  return values.map(make);
}

/** SQLite's lock stayed taken for the whole busy timeout. */
function isBusy(e: unknown): boolean {
  return (e as { code?: string }).code === 'SQLITE_BUSY';
}

/**
 * Takes the data dir for this process. SQLite's exclusive locking mode keeps the database's file
 * lock for the connection's whole life, so a second server on the same dir is refused at once. The
 * kernel drops the lock when the process ends, SIGKILL included, so a crash leaves nothing stale
 * to clean up. `vpcep.pid` only tells the refused server whom to name.
 */
function claimDataDir(sqlite: Sqlite.Database, dataDir: string, pidFile: string): void {
  try {
    sqlite.pragma('locking_mode = EXCLUSIVE');
    sqlite.pragma('journal_mode = WAL');
    sqlite.exec('begin immediate; commit');
  } catch (e) {
    if ((e as { code?: string }).code !== 'SQLITE_BUSY') throw e;
    const pid = readPid(pidFile);
    throw new DataDirBusyError(
      `the data dir ${dataDir} is in use by another vpcep process${pid ? ` (PID ${pid})` : ''}; ` +
        'SQLite serves one process: stop that one, choose another --data-dir, or use PostgreSQL for replicas',
    );
  }
  fs.writeFileSync(pidFile, `${process.pid}\n`, { mode: 0o600 });
}

function readPid(file: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}
