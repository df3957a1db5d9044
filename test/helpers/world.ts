import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { buildApp } from '../../src/app.ts';
import { testConfig, type Config } from '../../src/config.ts';
import { randomIds, type Clock } from '../../src/domain/ids.ts';
import { bootstrap } from '../../src/service/bootstrap.ts';
import type { LightMyRequestResponse as InjectResponse } from 'fastify';
import { passwordLogin } from './auth.ts';
import { parseJson } from './json.ts';
import pg from 'pg';
import type { Store } from '../../src/store/store.ts';
import { openPostgresStore } from '../../src/store/postgres.ts';
import { openSqliteStore } from '../../src/store/sqlite.ts';

export const PASSWORD = 'test-password-1';
export const PROJECT_ID = '0123456789abcdef0123456789abcdef';
/** The operator key every world is configured with (operator API, `Authorization: Bearer`). */
export const OPERATOR_KEY = 'test-operator-key-0123456789';

/**
 * A clock tests move by hand. It starts at the real time (to the whole second, so stored
 * second-precision times compare equal): a fixed start date would expire its tokens once the
 * calendar passes it, and anything that signs with the system clock would disagree (design.md).
 */
export class ManualClock implements Clock {
  #t: number;
  constructor(start = Math.floor(Date.now() / 1000) * 1000) {
    this.#t = start;
  }
  now() {
    return new Date(this.#t);
  }
  advance(ms: number) {
    this.#t += ms;
  }
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  raw: string;
}

/**
 * One server driven through `inject`, on a real store: SQLite in a fresh temp dir, or a PostgreSQL
 * schema of its own when the suite runs on PostgreSQL (openTestStore).
 */
export interface World {
  app: FastifyInstance;
  store: Store;
  config: Readonly<Config>;
  clock: ManualClock;
  dir: string;
  projectId: string;
  token: string;
  /** An authenticated JSON call; pass `headers` to override or drop (undefined) the defaults. */
  call(
    method: string,
    url: string,
    body?: unknown,
    headers?: Record<string, string | undefined>,
  ): Promise<Reply>;
  /** `call` with `/v1/{project_id}` put in front of `url`. */
  api(
    method: string,
    url: string,
    body?: unknown,
    headers?: Record<string, string | undefined>,
  ): Promise<Reply>;
  close(): Promise<void>;
}

/** An `inject` response as the suites read it. */
export function replyOf(res: InjectResponse): Reply {
  return { status: res.statusCode, headers: res.headers, body: parseJson(res.body), raw: res.body };
}

export async function tokenFor(
  app: FastifyInstance,
  user = 'admin',
  password = PASSWORD,
  projectName = 'cn-north-4',
) {
  const res = await app.inject({
    method: 'POST',
    url: '/v3/auth/tokens',
    payload: passwordLogin({ user, password, project: { name: projectName } }),
  });
  if (res.statusCode !== 201) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
  return String(res.headers['x-subject-token']);
}

/**
 * `onApp` runs on the app before it is ready (before the world's first call), where a test adds a
 * hook to watch what the server does, e.g. which operation each request reached.
 */
export async function makeWorld(
  overrides: Partial<Config> = {},
  dir?: string,
  onApp?: (app: FastifyInstance) => void,
): Promise<World> {
  const dataDir = dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'vpcep-test-'));
  const config = testConfig({
    dataDir,
    adminPassword: PASSWORD,
    projectId: PROJECT_ID,
    operatorKey: OPERATOR_KEY,
    logLevel: 'silent',
    ...overrides,
  });
  const clock = new ManualClock();
  const store = await openTestStore(dataDir, config.lockTimeoutMs);
  const log = pino({ level: 'silent' });
  await bootstrap({ config, store, clock, ids: randomIds, log });
  const app = await buildApp({ config, store, clock, logger: log });
  onApp?.(app);
  const token = await tokenFor(app);
  const call: World['call'] = async (method, url, body, headers = {}) => {
    const merged: Record<string, string> = {};
    for (const [k, v] of Object.entries({
      'x-auth-token': token,
      'content-type': 'application/json',
      ...headers,
    })) {
      if (v !== undefined) merged[k] = v;
    }
    const res = await app.inject({
      method: method as 'GET',
      url,
      headers: merged,
      ...(body === undefined ? {} : { payload: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    return replyOf(res);
  };
  return {
    app,
    store,
    config,
    clock,
    dir: dataDir,
    projectId: PROJECT_ID,
    token,
    call,
    api: (method, url, body, headers) => call(method, `/v1/${PROJECT_ID}${url}`, body, headers),
    async close() {
      await app.close();
      await store.close();
      // A world on a given data dir keeps its state for the next world on that dir.
      if (dir === undefined) {
        await dropTestSchema(store);
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}

/**
 * The store the suite runs on: SQLite in the world's data dir, or — when VPCEP_TEST_DATABASE_URL is
 * set (scripts/test.mjs sets it for the PostgreSQL pass) — a fresh schema of that database.
 */
export async function openTestStore(dataDir: string, lockTimeoutMs = 10_000): Promise<Store> {
  const url = process.env.VPCEP_TEST_DATABASE_URL;
  if (!url) return openSqliteStore({ dataDir, lockTimeoutMs });
  // One schema per data dir, so a second world on the same dir finds the first one's state.
  // scripts/test.mjs tags its run's schemas, so it drops only its own.
  const run = process.env.VPCEP_TEST_RUN ?? 'manual0000';
  const schema = `t_${run}_${createHash('sha256').update(dataDir).digest('hex').slice(0, 16)}`;
  const store = await openPostgresStore({ url, lockTimeoutMs, schema, poolSize: 4 });
  schemas.set(store, schema);
  return store;
}

const schemas = new WeakMap<Store, string>();

/** The PostgreSQL schema a test store lives in (undefined on SQLite). */
export function testSchemaOf(store: Store): string | undefined {
  return schemas.get(store);
}

export async function dropTestSchema(store: Store): Promise<void> {
  const schema = schemas.get(store);
  const url = process.env.VPCEP_TEST_DATABASE_URL;
  if (!schema || !url) return;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`drop schema if exists ${schema} cascade`);
  } finally {
    await client.end();
  }
}
