import {
  sql,
  type Compilable,
  type CompiledQuery,
  type Expression,
  type Kysely,
  type SqlBool,
  type Transaction,
} from 'kysely';
import type { Dialect, Engine } from './engine.ts';
import type { Database } from './schema.ts';

/**
 * Where a prepared query's i-th argument goes. Kysely puts any value it is given into the query's
 * parameters untouched, so a slot built into a query comes out at its parameter's place.
 */
class Slot {
  constructor(readonly index: number) {}
}

/**
 * The SQL texts of prepared queries compiled for PostgreSQL, each with a statement name: the
 * PostgreSQL store runs them as named statements, parsed and planned once per connection
 * (postgres.ts). A few dozen texts, one per prepared query.
 */
export const namedStatements = new Map<string, string>();

/** An argument that is a list, passed as the dialect takes one whole (see Shaping.inList). */
class ListSlot {
  constructor(readonly index: number) {}
}

/** The one item of a list argument, where `inList` tests a list of one item (SQLite, see Prepared.bind). */
class OnlySlot {
  constructor(readonly index: number) {}
}

/** What a prepared query's build gets besides its arguments: the engine's dialect and row locks. */
export interface Shaping {
  db: Kysely<Database>;
  dialect: Dialect;
  /** Whether the engine locks rows (`select … for update`); forUpdate says it for the common case. */
  rowLocks: boolean;
  /** `q` made to lock its rows (`select … for update`) on an engine with row locks. */
  forUpdate<Q extends { forUpdate(): Q }>(q: Q): Q;
  /**
   * `column in (values)` with the whole list as one parameter, so that one compiled text serves
   * lists of any length: a JSON array read by `json_each` on SQLite, an array on PostgreSQL. On
   * SQLite a list of one item is `column = item` instead, in a text of its own (Prepared.bind).
   */
  inList(column: string, values: readonly unknown[]): Expression<SqlBool>;
  /**
   * A list argument as one parameter, for a query's own SQL: JSON text on SQLite (`json_each`),
   * an array on PostgreSQL (`unnest`, `any`).
   */
  list(values: readonly unknown[]): unknown;
}

/**
 * A query compiled once per dialect and shape, then run with each call's values (issue 12: Kysely
 * built and compiled every query of every call, a fifth of a rebind's time). `build` describes
 * the query with its arguments as opaque values: it must only place them, never look at them, so
 * that one compiled text serves every call (a list goes in whole through `inList`). A query whose
 * shape depends on a value (an optional filter, a sort order) is one prepared query per shape
 * (`byShape`).
 *
 *     const byId = prepare(({ db }, id: string) => db.selectFrom('vpcs').selectAll().where('id', '=', id));
 *     const row = await byId.first(tx, engine, [id]);
 */
export class Prepared<A extends readonly unknown[], R> {
  /** Per dialect, the compiled query: each parameter the slot of an argument, or a constant of the build. */
  readonly #compiled = new Map<Dialect, CompiledQuery>();
  /**
   * SQLite: the arguments `inList` tests, and the texts in which those holding one item are tested
   * as `column = ?`, by which of them (bit i: argument i). Reading `json_each` costs a statement
   * about 2 µs, and a rebind's lists most often hold one table (issue 12).
   */
  #listArgs: number[] | undefined;
  readonly #ofOnes = new Map<number, CompiledQuery>();

  constructor(
    private readonly build: (s: Shaping, ...args: A) => Compilable<R>,
    /** How many arguments it takes, when `build` has a rest parameter. */
    private readonly arity = build.length - 1,
  ) {}

  /** The compiled query of one call on `engine`'s dialect. */
  bind(engine: Engine, args: A): CompiledQuery {
    let compiled = this.#compiled.get(engine.dialect) ?? this.#compile(engine);
    if (engine.dialect === 'sqlite') {
      let ones = 0;
      for (const i of this.#listArgs!) if ((args[i] as readonly unknown[]).length === 1) ones |= 1 << i;
      if (ones !== 0) compiled = this.#ofOnes.get(ones) ?? this.#compile(engine, ones);
    }
    return {
      ...compiled,
      parameters: compiled.parameters.map((p) => {
        if (p instanceof Slot) return args[p.index];
        if (p instanceof ListSlot) {
          const list = args[p.index] as readonly unknown[];
          return engine.dialect === 'sqlite' ? JSON.stringify(list) : [...list];
        }
        if (p instanceof OnlySlot) return (args[p.index] as readonly unknown[])[0];
        return p;
      }),
    };
  }

  async all(t: Transaction<Database>, engine: Engine, args: A): Promise<R[]> {
    return (await engine.execute(t, this.bind(engine, args))).rows as R[];
  }

  async first(t: Transaction<Database>, engine: Engine, args: A): Promise<R | undefined> {
    return (await this.all(t, engine, args))[0];
  }

  /** A write: how many rows it changed. */
  async run(t: Transaction<Database>, engine: Engine, args: A): Promise<number> {
    return Number((await engine.execute(t, this.bind(engine, args))).numAffectedRows ?? 0);
  }

  /** A write whose count nobody reads: the engine may send it with the commit (Engine.executeAtCommit). */
  runAtCommit(t: Transaction<Database>, engine: Engine, args: A): Promise<void> {
    return engine.executeAtCommit(t, this.bind(engine, args));
  }

  /** The query's text on `engine`'s dialect; on SQLite with the list arguments of `ones` as one item each. */
  #compile(engine: Engine, ones = 0): CompiledQuery {
    // Compiling runs no query: the engine's own Kysely only lends its dialect's compiler.
    const db = engine.db;
    const slots = Array.from({ length: this.arity }, (_, i) => new Slot(i)) as unknown as A;
    const listArgs = new Set<number>();
    const shaping: Shaping = {
      db,
      dialect: engine.dialect,
      rowLocks: engine.rowLocks,
      forUpdate: (q) => (engine.rowLocks ? q.forUpdate() : q),
      list: (values) => new ListSlot((values as unknown as Slot).index),
      inList: (column, values) => {
        const { index } = values as unknown as Slot;
        if (engine.dialect !== 'sqlite')
          return sql<SqlBool>`${sql.ref(column)} = any(${new ListSlot(index)})`;
        listArgs.add(index);
        return index < 31 && ones & (1 << index)
          ? sql<SqlBool>`${sql.ref(column)} = ${new OnlySlot(index)}`
          : sql<SqlBool>`${sql.ref(column)} in (select value from json_each(${new ListSlot(index)}))`;
      },
    };
    const compiled = this.build(shaping, ...slots).compile();
    if (ones !== 0) {
      this.#ofOnes.set(ones, compiled);
      return compiled;
    }
    if (engine.dialect === 'postgres' && !namedStatements.has(compiled.sql)) {
      namedStatements.set(compiled.sql, `vpcep_${namedStatements.size + 1}`);
    }
    // At most 31 list arguments are told apart (a bit each); a query with more has none.
    if (engine.dialect === 'sqlite') this.#listArgs = [...listArgs].filter((i) => i < 31);
    this.#compiled.set(engine.dialect, compiled);
    return compiled;
  }
}

/** See Prepared. */
export function prepare<A extends readonly unknown[], R>(
  build: (s: Shaping, ...args: A) => Compilable<R>,
  arity?: number,
): Prepared<A, R> {
  return new Prepared(build, arity);
}

/**
 * A family of prepared queries, one per shape: `make` builds the query of a shape (which filters it
 * has, how it sorts), and each shape is built and compiled the first time it is asked for. `keyOf`
 * names a shape; shapes must be few (they are kept for the process's life).
 */
export function byShape<S, A extends readonly unknown[], R>(
  keyOf: (shape: S) => string,
  make: (shape: S) => Prepared<A, R>,
): (shape: S) => Prepared<A, R> {
  const made = new Map<string, Prepared<A, R>>();
  return (shape) => {
    const key = keyOf(shape);
    let query = made.get(key);
    if (!query) made.set(key, (query = make(shape)));
    return query;
  };
}
