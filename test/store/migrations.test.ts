import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import Sqlite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import pino from 'pino';
import { testConfig } from '../../src/config.ts';
import { isApiError } from '../../src/domain/errors.ts';
import { randomIds, systemClock } from '../../src/domain/ids.ts';
import { bootstrap, type BootstrapResult } from '../../src/service/bootstrap.ts';
import { Identity } from '../../src/service/identity.ts';
import { ROLE_TENANT_ADMIN } from '../../src/domain/roles.ts';
import { migrate } from '../../src/store/migrate.ts';
import * as initial from '../../src/store/migrations/001-initial.ts';
import type { Store } from '../../src/store/store.ts';
import { openPostgresStore } from '../../src/store/postgres.ts';
import { openSqliteStore } from '../../src/store/sqlite.ts';
import { createEndpoint, createTable, createVpc, gatewayService } from '../helpers/fixtures.ts';
import { checkInvariants } from '../helpers/invariants.ts';
import { dropTestSchema, makeWorld } from '../helpers/world.ts';

/**
 * Migrations (issue 4, "Scale out"): replicas that start together on one PostgreSQL database apply
 * each migration exactly once, under the advisory lock; a store that is already migrated applies
 * nothing when opened again and keeps its data; `ping` (readiness) answers on a migrated store.
 */

const PG_URL = process.env.VPCEP_TEST_DATABASE_URL || undefined;

interface MigrationRow {
  name: string;
  applied_at: string;
}

/** A schema of its own; `t_` so scripts/test.mjs drops it if this test dies before its `finally`. */
const freshSchema = () => `t_mig_${randomBytes(6).toString('hex')}`;

async function onPg<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 5000 });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

const pgMigrations = (schema: string) =>
  onPg(
    async (c) =>
      (await c.query(`select name, applied_at from ${schema}.schema_migrations order by name`)).rows,
  );

/** `migrate` run again by hand on an already-migrated PostgreSQL schema: the names it applied. */
async function migrateAgainPg(schema: string): Promise<string[]> {
  const pool = new pg.Pool({ connectionString: PG_URL, max: 1, options: `-c search_path=${schema}` });
  const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
  try {
    return await migrate(db, 'postgres');
  } finally {
    await db.destroy();
  }
}

async function sqliteMigrations(dir: string): Promise<MigrationRow[]> {
  const db = new Sqlite(path.join(dir, 'vpcep.db'), { readonly: true });
  try {
    return db.prepare('select name, applied_at from schema_migrations order by name').all() as MigrationRow[];
  } finally {
    db.close();
  }
}

async function insertDomain(store: Store, name: string) {
  await store.tx((r) =>
    r.identity.insertDomain({ id: randomBytes(8).toString('hex'), name, created_at: '2026-01-01' }),
  );
}

test('PostgreSQL: three stores opened at once on a fresh schema migrate it exactly once', async (t) => {
  if (!PG_URL) return t.skip('VPCEP_TEST_DATABASE_URL is not set');
  // A few rounds: the race between replicas that start together is not there every time.
  for (let round = 0; round < 5; round++) await openThreeAtOnce(PG_URL);
});

async function openThreeAtOnce(url: string) {
  const schema = freshSchema();
  const stores: Store[] = [];
  try {
    const opened = await Promise.allSettled(
      [0, 1, 2].map(() => openPostgresStore({ url, lockTimeoutMs: 2000, schema, poolSize: 2 })),
    );
    for (const o of opened) if (o.status === 'fulfilled') stores.push(o.value);
    const failures = opened.flatMap((o) => (o.status === 'rejected' ? [String(o.reason)] : []));
    assert.deepEqual(failures, [], 'every concurrent open succeeds');

    const rows = await pgMigrations(schema);
    assert.ok(rows.length > 0, 'schema_migrations lists the migrations');
    const names = rows.map((r) => r.name);
    assert.equal(new Set(names).size, names.length, `each migration recorded once: ${names}`);
    assert.ok(names.includes('001-initial'));
    for (const s of stores) await s.ping();

    // Data written through one store is seen through the others: they share the schema.
    await insertDomain(stores[0]!, 'shared');
    for (const s of stores) {
      assert.equal((await s.read((r) => r.identity.domainByName('shared')))?.name, 'shared');
    }

    // Reopening applies nothing: the records stay as they were, and migrate() finds nothing to do.
    const reopened = await openPostgresStore({ url, lockTimeoutMs: 2000, schema, poolSize: 1 });
    stores.push(reopened);
    await reopened.ping();
    assert.deepEqual(await pgMigrations(schema), rows, 'reopening changed schema_migrations');
    assert.deepEqual(await migrateAgainPg(schema), [], 'nothing left to apply');
    assert.equal(
      (await reopened.read((r) => r.identity.domainByName('shared')))?.name,
      'shared',
      'data kept',
    );
  } finally {
    await Promise.allSettled(stores.map((s) => s.close()));
    await onPg((c) => c.query(`drop schema if exists ${schema} cascade`));
  }
}

test('PostgreSQL: three replicas bootstrapping one fresh schema at once all succeed', async (t) => {
  if (!PG_URL) return t.skip('VPCEP_TEST_DATABASE_URL is not set');
  const config = testConfig({
    databaseUrl: PG_URL,
    adminPassword: 'race-password-1',
    projectId: '0123456789abcdef0123456789abcdef',
    logLevel: 'silent',
    gatewayServices: [
      { name: 'gw-a', cidrs: ['100.125.0.0/16'] },
      { name: 'gw-b', cidrs: ['100.126.0.0/16'] },
    ],
  });
  for (let round = 0; round < 5; round++) {
    const schema = freshSchema();
    const stores: Store[] = [];
    try {
      for (const s of await Promise.all(
        [0, 1, 2].map(() => openPostgresStore({ url: PG_URL, lockTimeoutMs: 5000, schema, poolSize: 2 })),
      )) {
        stores.push(s);
      }
      // What `vpcep serve` does first: bootstrap, and the identity's server key for tokens.
      const started = await Promise.allSettled(
        stores.map(async (store) => {
          const deps = { config, store, clock: systemClock, ids: randomIds, log: pino({ level: 'silent' }) };
          const identity = new Identity(deps);
          const boot = await bootstrap(deps);
          await identity.init();
          return { boot, identity };
        }),
      );
      const failures = started.flatMap((s) => (s.status === 'rejected' ? [String(s.reason)] : []));
      assert.deepEqual(failures, [], 'every replica bootstraps');
      const ok = started.map(
        (s) => (s as PromiseFulfilledResult<{ boot: BootstrapResult; identity: Identity }>).value,
      );
      assert.equal(ok.filter((x) => x.boot.created).length, 1, 'exactly one replica created the account');
      for (const x of ok) assert.equal(x.boot.project_id, config.projectId);
      const counts = await onPg(async (c) => {
        const n = async (q: string) => Number((await c.query(q)).rows[0].n);
        return {
          domains: await n(`select count(*) as n from ${schema}.domains`),
          users: await n(`select count(*) as n from ${schema}.users`),
          keys: await n(`select count(*) as n from ${schema}.server_keys`),
          services: await n(`select count(*) as n from ${schema}.endpoint_services`),
        };
      });
      assert.deepEqual(counts, { domains: 1, users: 1, keys: 1, services: 2 });
      // A token issued by one replica is accepted by every other.
      const token = await ok[0]!.identity.login({
        user: 'admin',
        password: 'race-password-1',
        domain: 'vpcep',
        project: { name: config.region },
        address: '127.0.0.1',
      });
      for (const x of ok)
        assert.equal((await x.identity.verify(token.token, 'r')).project_id, config.projectId);
    } finally {
      await Promise.allSettled(stores.map((s) => s.close()));
      await onPg((c) => c.query(`drop schema if exists ${schema} cascade`));
    }
  }
});

test('PostgreSQL: ping answers 503 while a migration is missing', async (t) => {
  if (!PG_URL) return t.skip('VPCEP_TEST_DATABASE_URL is not set');
  const schema = freshSchema();
  const store = await openPostgresStore({ url: PG_URL, lockTimeoutMs: 2000, schema, poolSize: 1 });
  try {
    await store.ping();
    await onPg((c) => c.query(`delete from ${schema}.schema_migrations where name = '001-initial'`));
    await assert.rejects(store.ping(), (e) => isApiError(e) && e.code === 'VPCEP.0503');
  } finally {
    await store.close();
    await onPg((c) => c.query(`drop schema if exists ${schema} cascade`));
  }
});

test('SQLite: reopening the same data dir applies nothing and keeps the data', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vpcep-mig-'));
  try {
    const first = await openSqliteStore({ dataDir: dir, lockTimeoutMs: 2000 });
    await first.ping();
    await insertDomain(first, 'kept');
    await first.close();
    const rows = await sqliteMigrations(dir);
    assert.ok(
      rows.some((r) => r.name === '001-initial'),
      JSON.stringify(rows),
    );

    const second = await openSqliteStore({ dataDir: dir, lockTimeoutMs: 2000 });
    try {
      await second.ping();
      assert.equal((await second.read((r) => r.identity.domainByName('kept')))?.name, 'kept', 'data kept');
    } finally {
      await second.close();
    }
    assert.deepEqual(await sqliteMigrations(dir), rows, 'reopening changed schema_migrations');

    // migrate() itself, on the migrated file, has nothing to apply.
    const db = new Kysely<unknown>({
      dialect: new SqliteDialect({ database: new Sqlite(path.join(dir, 'vpcep.db')) }),
    });
    try {
      assert.deepEqual(await migrate(db, 'sqlite'), []);
    } finally {
      await db.destroy();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('ping resolves on a freshly migrated store of this pass', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vpcep-mig-'));
  const schema = freshSchema();
  const store = PG_URL
    ? await openPostgresStore({ url: PG_URL, lockTimeoutMs: 2000, schema, poolSize: 1 })
    : await openSqliteStore({ dataDir: dir, lockTimeoutMs: 2000 });
  try {
    await store.ping();
    assert.equal(store.dialect, PG_URL ? 'postgres' : 'sqlite');
  } finally {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
    if (PG_URL) await onPg((c) => c.query(`drop schema if exists ${schema} cascade`));
  }
});

test('SQLite: a store made before accounts had groups gains them, and its first start an operator key', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vpcep-mig-'));
  try {
    // The store as 001 left it: one account, its admin and a second user, a credentials file.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a schema older than src/store/schema.ts
    const raw = new Kysely<any>({
      dialect: new SqliteDialect({ database: new Sqlite(path.join(dir, 'vpcep.db')) }),
    });
    await raw.schema
      .createTable('schema_migrations')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('applied_at', 'text', (c) => c.notNull())
      .execute();
    await initial.up(raw, 'sqlite');
    await raw.insertInto('schema_migrations').values({ name: '001-initial', applied_at: 'then' }).execute();
    const now = new Date().toISOString();
    await raw.insertInto('domains').values({ id: 'd1', name: 'vpcep', created_at: now }).execute();
    await raw
      .insertInto('projects')
      .values({ id: 'p'.repeat(32), name: 'cn-north-4', domain_id: 'd1', created_at: now })
      .execute();
    for (const [id, name] of [
      ['u-admin', 'admin'],
      ['u-bob', 'bob'],
    ]) {
      await raw
        .insertInto('users')
        .values({ id, name, domain_id: 'd1', password_hash: 'x', created_at: now })
        .execute();
    }
    await raw.destroy();
    const creds = { endpoint: 'http://127.0.0.1:8080', project_id: 'p'.repeat(32), password: 'pw' };
    fs.writeFileSync(path.join(dir, 'credentials.json'), JSON.stringify(creds), { mode: 0o600 });

    const store = await openSqliteStore({ dataDir: dir, lockTimeoutMs: 1000 });
    try {
      // What each call checks of its caller: its groups, and its roles on the project.
      const rights = async (userId: string) => {
        const rows = await store.read((r) => r.identity.userWithGrants(userId));
        return [
          rows.some((x) => x.group_name === 'admin'),
          await store.read((r) => r.identity.rolesOnProject(userId, 'p'.repeat(32))),
        ];
      };
      const facts = { admin: await rights('u-admin'), bob: await rights('u-bob') };
      assert.deepEqual(facts.admin, [true, [ROLE_TENANT_ADMIN]], 'the admin keeps every right it had');
      assert.deepEqual(facts.bob, [false, []], 'no one else is given a right');
      const config = testConfig({ dataDir: dir, logLevel: 'silent' });
      const boot = await bootstrap({
        config,
        store,
        clock: systemClock,
        ids: randomIds,
        log: pino({ level: 'silent' }),
      });
      assert.equal(boot.created, false);
      assert.deepEqual(Object.keys(boot.generated), ['operator_key']);
      const file = JSON.parse(fs.readFileSync(path.join(dir, 'credentials.json'), 'utf8'));
      assert.deepEqual(
        file,
        { ...creds, operator_key: boot.generated.operator_key },
        'the file gains the key',
      );
      const again = await bootstrap({
        config,
        store,
        clock: systemClock,
        ids: randomIds,
        log: pino({ level: 'silent' }),
      });
      assert.deepEqual(again.generated, {}, 'made once');
    } finally {
      await store.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a store made before 008 counts the endpoints it already holds, and the count follows creates and deletes', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vpcep-mig-'));
  let w = await makeWorld({}, dir);
  try {
    const service = await gatewayService(w);
    const vpc = await createVpc(w);
    const ids = [];
    for (let i = 0; i < 3; i++)
      ids.push(await createEndpoint(w, service, vpc.id, [await createTable(w, vpc.id)]));
    // Back to the store as 007 left it: no count, no triggers.
    const db = w.store.engine.db;
    if (w.store.dialect === 'sqlite') {
      await sql`drop trigger endpoints_counted_insert`.execute(db);
      await sql`drop trigger endpoints_counted_delete`.execute(db);
    } else {
      await sql`drop trigger endpoints_counted on endpoints`.execute(db);
      await sql`drop function endpoints_counted()`.execute(db);
    }
    await sql`drop table endpoint_counts`.execute(db);
    await sql`delete from schema_migrations where name = '008-endpoint-counts'`.execute(db);
    await w.close();

    w = await makeWorld({}, dir);
    const total = async () => (await w.api('GET', '/vpc-endpoints')).body.total_count as number;
    assert.equal(await total(), 3, 'the migration counted what was there');
    await createEndpoint(w, service, vpc.id, [await createTable(w, vpc.id)]);
    assert.equal(await total(), 4);
    assert.equal((await w.api('DELETE', `/vpc-endpoints/${ids[0]}`)).status, 204);
    assert.equal(await total(), 3);
    await checkInvariants(w.store);
  } finally {
    await w.close();
    await dropTestSchema(w.store);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
