import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * PostgreSQL databases of their own, for tests that start `vpcep serve --database-url` processes
 * (the server has no schema option, so each such test gets a whole database). Only used when
 * VPCEP_TEST_DATABASE_URL is set; every database made here is dropped by `drop()` (call it in
 * `after`/`finally`).
 */

/** The URL of the PostgreSQL pass, or undefined on the SQLite pass. */
export const TEST_DATABASE_URL = process.env.VPCEP_TEST_DATABASE_URL || undefined;

export interface TestDatabase {
  name: string;
  /** The URL of the new database (same server and user as VPCEP_TEST_DATABASE_URL). */
  url: string;
  /** A URL of the same database through another host:port (a proxy in front of PostgreSQL). */
  urlVia(host: string, port: number): string;
  /** A fresh connected client on the new database; end it yourself. */
  connect(): Promise<pg.Client>;
  /** Drops the database, ending any connection still open to it. */
  drop(): Promise<void>;
}

async function onAdmin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  if (!TEST_DATABASE_URL) throw new Error('VPCEP_TEST_DATABASE_URL is not set');
  const c = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 5000 });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** Creates `<prefix>_<hex>` on the server of VPCEP_TEST_DATABASE_URL. */
export async function createTestDatabase(prefix: string): Promise<TestDatabase> {
  if (!/^[a-z][a-z0-9_]{0,30}$/.test(prefix)) throw new Error(`bad database prefix ${prefix}`);
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await onAdmin((c) => c.query(`create database ${name}`));
  const base = new URL(TEST_DATABASE_URL!);
  const urlVia = (host: string, port: number) => {
    const u = new URL(base.toString());
    u.hostname = host;
    u.port = String(port);
    u.pathname = `/${name}`;
    return u.toString();
  };
  const url = urlVia(base.hostname, Number(base.port || 5432));
  return {
    name,
    url,
    urlVia,
    async connect() {
      const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
      await c.connect();
      return c;
    },
    async drop() {
      await onAdmin((c) => c.query(`drop database if exists ${name} with (force)`));
    },
  };
}

/**
 * A connection of its own, as another replica's, that holds `for update` on one row of a test
 * world's schema (world.ts `testSchemaOf`) until `release()`: calls that need that row wait for it,
 * and past the store's lock timeout answer 409 VPCEP.0409.
 */
export async function holdRowLock(
  schema: string,
  table: 'endpoints' | 'routetables' | 'vpcs' | 'users',
  id: string,
): Promise<{ release(): Promise<void> }> {
  if (!TEST_DATABASE_URL) throw new Error('VPCEP_TEST_DATABASE_URL is not set');
  const c = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 5000 });
  await c.connect();
  await c.query('begin');
  const { rowCount } = await c.query(`select * from ${schema}.${table} where id = $1 for update`, [id]);
  if (rowCount !== 1) {
    await c.end();
    throw new Error(`the locker found no ${table} ${id} in schema ${schema}`);
  }
  let released: Promise<void> | undefined;
  return {
    release() {
      released ??= c
        .query('rollback')
        .catch(() => undefined)
        .then(() => c.end());
      return released;
    },
  };
}
