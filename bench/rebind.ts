// Measures UpdateEndpointRoutetable over real HTTP: sequential latency and concurrent throughput,
// on SQLite and (when it answers) PostgreSQL. Prints figures; asserts nothing.
//   npx tsx bench/rebind.ts [--seconds 5] [--concurrency 16]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { buildApp } from '../src/app.ts';
import { testConfig } from '../src/config.ts';
import { randomIds, systemClock } from '../src/domain/ids.ts';
import { bootstrap } from '../src/service/bootstrap.ts';
import { openPostgresStore, openSqliteStore, type Store } from '../src/store/store.ts';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const SECONDS = arg('seconds', 5);
const CONCURRENCY = arg('concurrency', 16);
const PG_URL = process.env.VPCEP_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function bench(label: string, open: (dir: string) => Promise<Store>) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vpcep-bench-'));
  const config = testConfig({ dataDir: dir, adminPassword: 'bench-password', logLevel: 'silent' });
  const store = await open(dir);
  const log = pino({ level: 'silent' });
  const boot = await bootstrap({ config, store, clock: systemClock, ids: randomIds, log });
  const app = await buildApp({ config, store, logger: log });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  const login = await fetch(`${base}/v3/auth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      auth: {
        identity: {
          methods: ['password'],
          password: { user: { name: 'admin', password: 'bench-password', domain: { name: 'vpcep' } } },
        },
        scope: { project: { id: boot.project_id } },
      },
    }),
  });
  const headers = {
    'x-auth-token': login.headers.get('x-subject-token')!,
    'content-type': 'application/json',
  };
  const api = async (method: string, p: string, body?: unknown) => {
    const res = await fetch(`${base}/v1/${boot.project_id}${p}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json().catch(() => undefined)) as any }; // eslint-disable-line @typescript-eslint/no-explicit-any
  };

  const vpc = (await api('POST', '/vpcs', { vpc: { name: 'bench', cidr: '10.0.0.0/16' } })).body.vpc.id;
  const tables: string[] = [];
  // Two tables of its own per worker, so workers contend for the store, not for tables.
  for (let i = 0; i < 2 * CONCURRENCY; i++)
    tables.push(
      (await api('POST', '/routetables', { routetable: { vpc_id: vpc, name: `t${i}` } })).body.routetable.id,
    );
  const svc = (await api('GET', '/vpc-endpoint-services/public')).body.endpoint_services[0].id;
  // One endpoint per worker: workers never wait on each other's row lock.
  const endpoints: string[] = [];
  for (let i = 0; i < CONCURRENCY; i++) {
    const res = await api('POST', '/vpc-endpoints', {
      endpoint_service_id: svc,
      vpc_id: vpc,
      routetables: [tables[2 * i]],
    });
    if (res.status !== 200) throw new Error(`create answered ${res.status}`);
    endpoints.push(res.body.id);
  }

  // Sequential latency on one endpoint.
  const lat: number[] = [];
  const t0 = performance.now();
  for (let i = 0; performance.now() - t0 < (SECONDS * 1000) / 2; i++) {
    const s = performance.now();
    const res = await api('PUT', `/vpc-endpoints/${endpoints[0]}/routetables`, {
      routetables: [tables[i % 2]],
    });
    if (res.status !== 200) throw new Error(`rebind answered ${res.status} ${JSON.stringify(res.body)}`);
    lat.push(performance.now() - s);
  }
  lat.sort((a, b) => a - b);
  const pct = (p: number) => lat[Math.min(lat.length - 1, Math.floor((lat.length * p) / 100))]!.toFixed(2);

  // Concurrent throughput: each worker flips its endpoint between its own two tables.
  let done = 0;
  let failures = 0;
  const end = performance.now() + (SECONDS * 1000) / 2;
  await Promise.all(
    endpoints.map(async (ep, w) => {
      for (let i = 0; performance.now() < end; i++) {
        const res = await api('PUT', `/vpc-endpoints/${ep}/routetables`, {
          routetables: [tables[2 * w + (i % 2)]],
        });
        if (res.status !== 200)
          throw new Error(`rebind of ${ep} answered ${res.status} ${JSON.stringify(res.body)}`);
        if (res.body.error) failures++;
        done++;
      }
    }),
  );
  const rps = done / (SECONDS / 2);
  console.log(
    `${label.padEnd(10)} sequential: ${lat.length} calls, p50 ${pct(50)} ms, p95 ${pct(95)} ms, p99 ${pct(99)} ms | ` +
      `${CONCURRENCY} concurrent: ${rps.toFixed(0)} rebinds/s (${failures} with per-table failures)`,
  );
  await app.close();
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
  return rps;
}

const sqlite = await bench('SQLite', (dir) => openSqliteStore({ dataDir: dir, lockTimeoutMs: 10_000 }));
let postgres: number | undefined;
const schema = `bench_${randomIds.hex(4)}`;
try {
  postgres = await bench('PostgreSQL', () =>
    openPostgresStore({ url: PG_URL, lockTimeoutMs: 10_000, schema }),
  );
} catch (e) {
  console.log(`PostgreSQL skipped: ${(e as Error).message}`);
} finally {
  const pg = await import('pg');
  const c = new pg.default.Client({ connectionString: PG_URL });
  await c
    .connect()
    .then(() => c.query(`drop schema if exists ${schema} cascade`))
    .catch(() => undefined);
  await c.end().catch(() => undefined);
}
if (postgres !== undefined)
  console.log(`ratio PostgreSQL/SQLite concurrent throughput: ${(postgres / sqlite).toFixed(2)}`);
