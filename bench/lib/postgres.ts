// A PostgreSQL database of the bench's own for one run, on the server of VPCEP_DATABASE_URL or the
// default test database, dropped at clean-up. The server has no schema option, so the replicas
// share a whole database (as test/helpers/pgdb.ts does for the tests' server processes).
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { redactUrl } from '../../src/store/postgres.ts';
import { onCleanup } from './processes.ts';

export const DEFAULT_URL = 'postgres://postgres@127.0.0.1:5432/test';

export interface BenchDatabase {
  url: string;
  /** `version`, `synchronous_commit`, `fsync`, as the server says. */
  settings: Record<string, string>;
}

async function on<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** A fresh database, or the reason there is none (nothing answers, no right to create one). */
export async function benchDatabase(): Promise<BenchDatabase | { skipped: string }> {
  const admin = process.env.VPCEP_DATABASE_URL || DEFAULT_URL;
  const name = `vpcep_bench_${randomBytes(6).toString('hex')}`;
  try {
    await on(admin, (c) => c.query(`create database ${name}`));
  } catch (e) {
    return {
      skipped: `${redactUrl(admin)} did not answer or refused a new database: ${(e as Error).message}`,
    };
  }
  onCleanup(() =>
    on(admin, (c) => c.query(`drop database if exists ${name} with (force)`)).then(() => undefined),
  );
  const u = new URL(admin);
  u.pathname = `/${name}`;
  const url = u.toString();
  const settings = await on(url, async (c) => {
    const out: Record<string, string> = {};
    for (const s of ['server_version', 'synchronous_commit', 'fsync']) {
      out[s] = String((await c.query(`show ${s}`)).rows[0]?.[s]);
    }
    return out;
  });
  return { url, settings };
}
