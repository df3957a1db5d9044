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
import { namedStatements } from './prepared.ts';

// Kysely's PostgreSQL dialect with two additions, both in the connection it hands out:
// - the lock probe: while metrics are on, locking reads tell whether they had to wait;
// - writes held for the commit: a write whose result nobody reads (Engine.executeAtCommit) goes
//   to the server with the transaction's next statement or, most often, with its `commit`, in one
//   round trip instead of two.

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

/** The queries Engine.executeAtCommit was given: the connection may hold them. */
const heldForCommit = new WeakSet<CompiledQuery>();

/** `query`, marked as a write that may wait for the commit (see PostgresEngine.executeAtCommit). */
export function atCommit(query: CompiledQuery): CompiledQuery {
  heldForCommit.add(query);
  return query;
}

/**
 * A value as a string literal PostgreSQL reads as a parameter's text: untyped, so that the column
 * or cast it meets gives it its type, as it gives a parameter's. Undefined for a value it cannot
 * write so (a NUL, which PostgreSQL text cannot hold, an object, a non-finite number).
 */
function literal(value: unknown): string | undefined {
  if (value === null || value === undefined) return 'null';
  const text = textOf(value);
  if (text === undefined || text.includes('\0')) return undefined;
  // E'' reads backslashes as escapes whatever standard_conforming_strings says; '' is a quote in both.
  const quoted = text.replace(/'/g, "''");
  return text.includes('\\') ? `E'${quoted.replace(/\\/g, '\\\\')}'` : `'${quoted}'`;
}

function textOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : undefined;
  if (typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (!Array.isArray(value)) return undefined;
  // An array literal: every element double-quoted, its quotes and backslashes escaped.
  const items: string[] = [];
  for (const item of value as unknown[]) {
    if (item === null || item === undefined) {
      items.push('NULL');
      continue;
    }
    const text = typeof item === 'object' ? undefined : textOf(item);
    if (text === undefined) return undefined;
    items.push(`"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`);
  }
  return `{${items.join(',')}}`;
}

/**
 * The query's text with its parameters written in as literals, or undefined when that cannot be
 * done safely: only a text whose every `$` is a placeholder and that has no string literal of its
 * own (Kysely's builders make such texts: values are always parameters).
 */
export function inlined(query: CompiledQuery): string | undefined {
  const { sql, parameters } = query;
  if (sql.includes("'") || /\$(?!\d)/.test(sql)) return undefined;
  // Quoted identifiers, read from the left so that each closing quote ends its own.
  for (const [identifier] of sql.matchAll(/"(?:[^"]|"")*"/g)) if (identifier.includes('$')) return undefined;
  const literals = parameters.map(literal);
  if (literals.includes(undefined)) return undefined;
  let ok = true;
  const text = sql.replace(/\$(\d+)/g, (_, n: string) => {
    const lit = literals[Number(n) - 1];
    if (lit === undefined) ok = false;
    return lit ?? '';
  });
  return ok ? text : undefined;
}

const NOTHING: QueryResult<never> = { rows: [] };

/**
 * Per connection of the pool (Kysely keeps one per client), the named statements (prepared.ts) it
 * has run: parsed and planned there, so SQL's `execute` can run them again.
 */
const preparedOn = new WeakMap<DatabaseConnection, Set<string>>();

/**
 * The text a held write is sent as, or undefined to run it now: a named statement this connection
 * has prepared as `execute name(literals)`, keeping its plan; one not prepared yet runs now, and is
 * then; any other text with its parameters written in (`inlined`).
 */
function heldText(connection: DatabaseConnection, query: CompiledQuery): string | undefined {
  const name = namedStatements.get(query.sql);
  if (name === undefined) return inlined(query);
  if (!preparedOn.get(connection)?.has(name)) return undefined;
  const literals = query.parameters.map(literal);
  if (literals.includes(undefined)) return undefined;
  return literals.length === 0 ? `execute ${name}` : `execute ${name}(${literals.join(', ')})`;
}

/**
 * The dialect's connection with the lock probe and the writes held for the commit.
 *
 * Lock probe: PostgreSQL keeps no count of lock waits, so while someone observes, a locking read
 * first runs with NOWAIT inside a savepoint: if the rows are free it has them and is done; if not,
 * that is a lock wait, counted, and the read runs again as written, waiting up to the lock timeout
 * as before. Same rows, same locks, same errors; two more statements per locking read, and only
 * while metrics are on.
 *
 * Held writes: inside a transaction, a write marked `atCommit` whose parameters can be written as
 * literals is kept (as `execute` of its named statement where this connection has prepared it, so
 * that its plan is PostgreSQL's cached one, not made afresh); the next statement of any kind sends the kept writes first (so the
 * transaction's statements still run in their order and see each other), and the commit sends
 * them with itself, in one simple-protocol round trip. A held write that fails fails the commit,
 * and the transaction is rolled back, as if it had failed where it was written.
 */
class VpcepConnection implements DatabaseConnection {
  /** Texts of the writes held, in order. */
  #held: string[] = [];
  inTransaction = false;

  constructor(
    readonly inner: DatabaseConnection,
    private readonly observer: () => StoreObserver | undefined,
  ) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    if (this.inTransaction && heldForCommit.has(query)) {
      const text = heldText(this.inner, query);
      if (text !== undefined) {
        this.#held.push(text);
        return NOTHING;
      }
    }
    await this.#sendHeld();
    const observer = this.observer();
    if (!observer || !isLockingRead(query)) {
      const out = await this.inner.executeQuery<R>(query);
      const name = namedStatements.get(query.sql);
      if (name !== undefined) {
        const names = preparedOn.get(this.inner) ?? new Set<string>();
        preparedOn.set(this.inner, names.add(name));
      }
      return out;
    }
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

  /** The held writes, taken: the statements to send before (or with) the next one. */
  takeHeld(): string[] {
    const held = this.#held;
    this.#held = [];
    return held;
  }

  async #sendHeld(): Promise<void> {
    if (this.#held.length === 0) return;
    await this.inner.executeQuery(CompiledQuery.raw(this.takeHeld().join(';\n')));
  }

  streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    return this.inner.streamQuery<R>(query, chunkSize);
  }
}

const unwrap = (c: DatabaseConnection) => (c instanceof VpcepConnection ? c.inner : c);

/** Kysely's PostgreSQL driver, handing out VpcepConnections; everything else is the driver's own. */
class VpcepDriver implements Driver {
  constructor(
    private readonly inner: Driver,
    private readonly observer: () => StoreObserver | undefined,
  ) {}

  init() {
    return this.inner.init();
  }
  async acquireConnection() {
    return new VpcepConnection(await this.inner.acquireConnection(), this.observer);
  }
  async beginTransaction(c: DatabaseConnection, settings: TransactionSettings) {
    await this.inner.beginTransaction(unwrap(c), settings);
    if (c instanceof VpcepConnection) c.inTransaction = true;
  }
  async commitTransaction(c: DatabaseConnection) {
    const held = c instanceof VpcepConnection ? c.takeHeld() : [];
    if (c instanceof VpcepConnection) c.inTransaction = false;
    if (held.length === 0) return this.inner.commitTransaction(unwrap(c));
    // The held writes and the commit in one round trip. A failing write stops the rest, commit
    // included: the error reaches Kysely, which rolls the transaction back.
    await unwrap(c).executeQuery(CompiledQuery.raw(`${held.join(';\n')};\ncommit`));
  }
  rollbackTransaction(c: DatabaseConnection) {
    if (c instanceof VpcepConnection) {
      c.takeHeld();
      c.inTransaction = false;
    }
    return this.inner.rollbackTransaction(unwrap(c));
  }
  // Savepoints go through the connection itself, so that held writes are sent before them.
  async savepoint(c: DatabaseConnection, name: string, compile: Compile) {
    await this.inner.savepoint?.(c, name, compile);
  }
  async rollbackToSavepoint(c: DatabaseConnection, name: string, compile: Compile) {
    await this.inner.rollbackToSavepoint?.(c, name, compile);
  }
  async releaseSavepoint(c: DatabaseConnection, name: string, compile: Compile) {
    await this.inner.releaseSavepoint?.(c, name, compile);
  }
  releaseConnection(c: DatabaseConnection) {
    return this.inner.releaseConnection(unwrap(c));
  }
  destroy() {
    return this.inner.destroy();
  }
}

/**
 * PostgresDialect whose connections hold writes for the commit, and whose locking reads report
 * lock waits to `observer()` while it returns one.
 */
export class VpcepPostgresDialect extends PostgresDialect {
  constructor(
    config: ConstructorParameters<typeof PostgresDialect>[0],
    private readonly observer: () => StoreObserver | undefined,
  ) {
    super(config);
  }

  override createDriver(): Driver {
    return new VpcepDriver(super.createDriver(), this.observer);
  }
}
