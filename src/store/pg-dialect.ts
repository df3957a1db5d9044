import {
  CompiledQuery,
  PostgresDialect,
  SelectQueryNode,
  type DatabaseConnection,
  type Driver,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';
import type pg from 'pg';
import type { StoreObserver } from './engine.ts';
import { namedStatements } from './prepared.ts';

// Kysely's PostgreSQL dialect with a driver of vpcep's own, on the pool's clients, for fewer round
// trips and the lock metrics:
// - `begin` is not sent by itself: it goes with the transaction's first statement;
// - writes held for the commit: a write whose result nobody reads (Engine.executeAtCommit) goes
//   with the transaction's next statement or, most often, with its `commit`;
// - the lock probe: while metrics are on, locking reads tell whether they had to wait.
// What rides with a statement is sent with it as one simple-protocol query (statements separated
// by semicolons, one round trip), each prepared statement as SQL's `execute name(literals)`.

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

/** Statements Engine.executeTogether was given, by the one query that stands for them. */
const groups = new WeakMap<CompiledQuery, readonly CompiledQuery[]>();

/** One query standing for `queries`, run together by the connection (VpcepConnection.#together). */
export function together(queries: readonly CompiledQuery[]): CompiledQuery {
  const group = CompiledQuery.raw(`-- ${queries.length} statements together`);
  groups.set(group, queries);
  return group;
}

/** The results of a `together` query, one per statement, in order. */
export function resultsOf(result: QueryResult<unknown>): QueryResult<unknown>[] {
  return result.rows as QueryResult<unknown>[];
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
 * Per client of the pool, the named statements (prepared.ts) it has run: parsed and planned there,
 * so SQL's `execute` can run them again.
 */
const preparedOn = new WeakMap<pg.ClientBase, Set<string>>();

/**
 * A query as a text of its own: a named statement this client has prepared as `execute
 * name(literals)`, keeping its plan; any other with its parameters written in (`inlined`).
 * Undefined when it cannot be (a named statement not prepared here yet, a value with no literal).
 */
function asText(client: pg.ClientBase, query: CompiledQuery): string | undefined {
  const name = namedStatements.get(query.sql);
  if (name === undefined) return inlined(query);
  if (!preparedOn.get(client)?.has(name)) return undefined;
  const literals = query.parameters.map(literal);
  if (literals.includes(undefined)) return undefined;
  return literals.length === 0 ? `execute ${name}` : `execute ${name}(${literals.join(', ')})`;
}

/** pg's answer as Kysely's: the last statement's, when several went in one query. */
function resultOf<R>(answer: pg.QueryResult | pg.QueryResult[]): QueryResult<R> {
  return resultOfOne(Array.isArray(answer) ? answer.at(-1)! : answer);
}

function resultOfOne<R>(r: pg.QueryResult): QueryResult<R> {
  const changes = ['INSERT', 'UPDATE', 'DELETE', 'MERGE'].includes(r.command);
  return {
    rows: (r.rows ?? []) as R[],
    ...(changes ? { numAffectedRows: BigInt(r.rowCount ?? 0) } : {}),
  };
}

/** The results of the `count` statements before the last `skip` of a query of several. */
function lastResults(
  answer: pg.QueryResult | pg.QueryResult[],
  count: number,
  skip = 0,
): QueryResult<unknown>[] {
  const answers = Array.isArray(answer) ? answer : [answer];
  return answers.slice(answers.length - skip - count, answers.length - skip).map((r) => resultOfOne(r));
}

/** The lock probe's savepoint (VpcepConnection). */
const SAVEPOINT = 'savepoint vpcep_lock_probe';
const RELEASE = 'release savepoint vpcep_lock_probe';
const ROLLBACK_TO = 'rollback to savepoint vpcep_lock_probe';

/**
 * A locking read with NOWAIT, for the lock probe. The NOWAIT form of a named statement is a named
 * statement too, so that it is prepared once per connection and can ride in a round trip as
 * `execute` (asText).
 */
function nowait(query: CompiledQuery): CompiledQuery {
  const sql = `${query.sql} nowait`;
  const name = namedStatements.get(query.sql);
  if (name !== undefined && !namedStatements.has(sql)) namedStatements.set(sql, `${name}_nowait`);
  return { ...query, sql };
}

/**
 * One client of the pool, checked out. In a transaction it keeps what need not be sent yet: the
 * `begin` and the writes held for the commit (`#pending`). The next statement takes them along when
 * it can be written as a text (asText), else they are sent just before it; the commit takes them
 * along too. Either way the server runs the transaction's statements in their order, so it still
 * sees its own writes; a held write that fails fails the query it went with, and the transaction
 * is rolled back, as if it had failed where it was written.
 *
 * Lock probe: PostgreSQL keeps no count of lock waits, so while someone observes, locking reads
 * first run with NOWAIT inside a savepoint: if the rows are free they have them and are done; if
 * not, that is a lock wait, counted, and the statements since the savepoint run again as written,
 * waiting up to the lock timeout as before. Same rows, same locks, same errors; two more statements
 * in the same round trip (`#probed`), and only while metrics are on.
 */
class VpcepConnection implements DatabaseConnection {
  /** Texts not sent yet: the transaction's start, then the held writes. */
  #pending: string[] = [];
  /** Whether `#pending` starts with the transaction's start. */
  #beginPending = false;
  /** Whether the transaction's start has gone to the server: a rollback is then owed. */
  #begun = false;
  #inTransaction = false;
  /** A failure that leaves the client unusable: the pool then drops it instead of reusing it. */
  broken: Error | undefined;

  constructor(
    readonly client: pg.PoolClient,
    private readonly observer: () => StoreObserver | undefined,
  ) {}

  /** The transaction starts (`begin`, `start transaction …`), sent with its first statement. */
  begin(text: string): void {
    this.#pending = [text];
    this.#beginPending = true;
    this.#inTransaction = true;
  }

  /** The pending texts and `commit` in one query; nothing at all when the transaction ran nothing. */
  async commit(): Promise<void> {
    this.#inTransaction = false;
    const ranNothing = this.#beginPending && this.#pending.length === 1;
    const pending = this.#takePending();
    if (ranNothing) {
      this.#begun = false;
      return;
    }
    const answer = await this.send([...pending, 'commit']);
    this.#begun = false;
    // PostgreSQL answers COMMIT with ROLLBACK when an earlier failure left the transaction aborted.
    if ((Array.isArray(answer) ? answer.at(-1) : answer)?.command === 'ROLLBACK') {
      throw new Error('the transaction was rolled back: an earlier statement of it failed');
    }
  }

  /** The pending texts dropped; `rollback` only when the transaction's start was sent. */
  async rollback(): Promise<void> {
    this.#inTransaction = false;
    this.#pending = [];
    this.#beginPending = false;
    if (!this.#begun) return;
    try {
      await this.send(['rollback']);
    } catch (e) {
      this.broken = e as Error;
      throw e;
    } finally {
      this.#begun = false;
    }
  }

  /** What has not gone to the server yet, taken: the caller sends it. */
  #takePending(): string[] {
    const pending = this.#pending;
    this.#pending = [];
    if (this.#beginPending) this.#begun = true;
    this.#beginPending = false;
    return pending;
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const group = groups.get(query);
    if (group) return { rows: (await this.#together(group)) as R[] };
    if (this.#inTransaction && heldForCommit.has(query)) {
      const text = asText(this.client, query);
      if (text !== undefined) {
        this.#pending.push(text);
        return NOTHING;
      }
    }
    const observer = this.observer();
    if (observer && isLockingRead(query)) return (await this.#probed([query], observer))[0] as QueryResult<R>;
    if (this.#pending.length > 0) {
      const text = asText(this.client, query);
      const pending = this.#takePending();
      if (text !== undefined) return resultOf<R>(await this.send([...pending, text]));
      await this.send(pending);
    }
    return this.#run<R>(query);
  }

  /**
   * Statements run together: in one simple-protocol query, with what is pending, when each can be
   * written as a text (asText); else one by one. With the lock probe owed, as `#probed` runs them.
   * Either way the server runs them in order, each after the one before.
   */
  async #together(queries: readonly CompiledQuery[]): Promise<QueryResult<unknown>[]> {
    const observer = this.observer();
    if (observer && queries.some(isLockingRead)) return this.#probed(queries, observer);
    const texts = queries.map((q) => asText(this.client, q));
    if (texts.some((t) => t === undefined)) {
      const out: QueryResult<unknown>[] = [];
      for (const q of queries) out.push(await this.executeQuery(q));
      return out;
    }
    const pending = this.#takePending();
    return lastResults(await this.send([...pending, ...(texts as string[])]), queries.length);
  }

  /** Texts in one simple-protocol query: one round trip. */
  send(texts: string[]): Promise<pg.QueryResult | pg.QueryResult[]> {
    return this.client.query(texts.join(';\n')) as unknown as Promise<pg.QueryResult | pg.QueryResult[]>;
  }

  async #run<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const out = resultOf<R>(await this.client.query(query.sql, [...query.parameters]));
    // The client named it (postgres.ts NamingClient): it is prepared there now.
    const name = namedStatements.get(query.sql);
    if (name !== undefined) {
      const names = preparedOn.get(this.client) ?? new Set<string>();
      preparedOn.set(this.client, names.add(name));
    }
    return out;
  }

  /**
   * `queries` in order, each locking read first with NOWAIT (the lock probe), inside a savepoint:
   * one round trip with what is pending when every one can be written as a text, as on a connection
   * that has run them before. Held writes go before the savepoint in a round trip of their own, so
   * that a lock timeout of theirs is theirs and never a probe's. A read that finds its rows taken
   * fails the round trip: that is one lock wait, counted; the transaction goes back to the savepoint
   * and the queries run again as written, waiting up to the lock timeout (#afterWait).
   */
  async #probed(queries: readonly CompiledQuery[], observer: StoreObserver): Promise<QueryResult<unknown>[]> {
    const probes = queries.map((q) => (isLockingRead(q) ? nowait(q) : q));
    const heldWrites = this.#pending.length > (this.#beginPending ? 1 : 0);
    const before = [...this.#takePending(), SAVEPOINT];
    if (heldWrites) await this.send(before);
    const lead = heldWrites ? [] : before;
    try {
      return await this.#between(lead, probes, [RELEASE]);
    } catch (e) {
      if ((e as { code?: string }).code !== LOCK_NOT_AVAILABLE) throw e;
    }
    return this.#afterWait(queries, observer);
  }

  /**
   * The lock probe found rows taken: one wait, counted as it begins; back to the savepoint, and
   * `queries` again as written, in the same round trip when they can be texts.
   */
  async #afterWait(queries: readonly CompiledQuery[], observer: StoreObserver) {
    observer.lockWait();
    return this.#between([ROLLBACK_TO, RELEASE], queries, []);
  }

  /**
   * `queries` after the texts `lead` and before `tail`, their results: one round trip when each can
   * be written as a text (asText); else, as a statement's first run on a connection prepares it,
   * `lead`, the queries one by one, then `tail`.
   */
  async #between(
    lead: string[],
    queries: readonly CompiledQuery[],
    tail: string[],
  ): Promise<QueryResult<unknown>[]> {
    const texts = queries.map((q) => asText(this.client, q));
    if (texts.every((t) => t !== undefined)) {
      return lastResults(await this.send([...lead, ...texts, ...tail]), queries.length, tail.length);
    }
    if (lead.length > 0) await this.send(lead);
    const out: QueryResult<unknown>[] = [];
    for (const q of queries) out.push(await this.#run(q));
    if (tail.length > 0) await this.send(tail);
    return out;
  }

  streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('vpcep does not stream queries');
  }
}

const asVpcep = (c: DatabaseConnection) => c as VpcepConnection;
const quotedName = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** The driver of VpcepConnections, on the dialect's pool. */
class VpcepDriver implements Driver {
  constructor(
    private readonly pool: pg.Pool,
    private readonly observer: () => StoreObserver | undefined,
  ) {}

  async init() {}
  async acquireConnection() {
    return new VpcepConnection(await this.pool.connect(), this.observer);
  }
  async beginTransaction(c: DatabaseConnection, settings: TransactionSettings) {
    const level = settings.isolationLevel ? ` isolation level ${settings.isolationLevel}` : '';
    const mode = settings.accessMode ? ` ${settings.accessMode}` : '';
    asVpcep(c).begin(level || mode ? `start transaction${level}${mode}` : 'begin');
  }
  commitTransaction(c: DatabaseConnection) {
    return asVpcep(c).commit();
  }
  rollbackTransaction(c: DatabaseConnection) {
    return asVpcep(c).rollback();
  }
  async savepoint(c: DatabaseConnection, name: string) {
    await c.executeQuery(CompiledQuery.raw(`savepoint ${quotedName(name)}`));
  }
  async rollbackToSavepoint(c: DatabaseConnection, name: string) {
    await c.executeQuery(CompiledQuery.raw(`rollback to savepoint ${quotedName(name)}`));
  }
  async releaseSavepoint(c: DatabaseConnection, name: string) {
    await c.executeQuery(CompiledQuery.raw(`release savepoint ${quotedName(name)}`));
  }
  async releaseConnection(c: DatabaseConnection) {
    const conn = asVpcep(c);
    conn.client.release(conn.broken);
  }
  async destroy() {
    await this.pool.end();
  }
}

/**
 * PostgresDialect (its compiler, adapter and introspector) with vpcep's driver: `begin` and the
 * held writes ride with other statements, and locking reads report lock waits to `observer()`
 * while it returns one.
 */
export class VpcepPostgresDialect extends PostgresDialect {
  constructor(
    private readonly pool: pg.Pool,
    private readonly observer: () => StoreObserver | undefined,
  ) {
    super({ pool });
  }

  override createDriver(): Driver {
    return new VpcepDriver(this.pool, this.observer);
  }
}
