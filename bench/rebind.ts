// Measures UpdateEndpointRoutetable over real HTTP: sequential latency and concurrent throughput,
// on SQLite and (when it answers) PostgreSQL. Prints figures; asserts nothing.
//   npx tsx bench/rebind.ts [--seconds 5] [--concurrency 16]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { buildApp } from '../src/app.ts';
import { VpcepClient } from '../src/sdk/index.ts';
import { testConfig } from '../src/config.ts';
import { randomIds, systemClock } from '../src/domain/ids.ts';
import { bootstrap } from '../src/service/bootstrap.ts';
import type { Store } from '../src/store/store.ts';
import { openPostgresStore } from '../src/store/postgres.ts';
import { openSqliteStore } from '../src/store/sqlite.ts';

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
  // Driven through the project's own SDK, as a user would.
  const client = new VpcepClient({
    endpoint: base,
    projectId: boot.project_id,
    credentials: { user: 'admin', password: 'bench-password', domain: 'vpcep' },
  });

  const vpc = (await client.vpcs.create({ vpc: { name: 'bench', cidr: '10.0.0.0/16' } })).vpc.id;
  const tables: string[] = [];
  // Two tables of its own per worker, so workers contend for the store, not for tables.
  for (let i = 0; i < 2 * CONCURRENCY; i++) {
    tables.push(
      (await client.routetables.create({ routetable: { vpc_id: vpc, name: `t${i}` } })).routetable.id,
    );
  }
  const svc = (await client.endpointServices.listPublic()).endpoint_services[0]!.id;
  // One endpoint per worker: workers never wait on each other's row lock.
  const endpoints: string[] = [];
  for (let i = 0; i < CONCURRENCY; i++) {
    endpoints.push(
      (
        await client.endpoints.create({
          endpoint_service_id: svc,
          vpc_id: vpc,
          routetables: [tables[2 * i]!],
        })
      ).id,
    );
  }

  // Sequential latency on one endpoint.
  const lat: number[] = [];
  const t0 = performance.now();
  for (let i = 0; performance.now() - t0 < (SECONDS * 1000) / 2; i++) {
    const s = performance.now();
    await client.endpoints.updateRoutetables(endpoints[0]!, { routetables: [tables[i % 2]!] });
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
        const res = await client.endpoints.updateRoutetables(ep, { routetables: [tables[2 * w + (i % 2)]!] });
        if (res.error) failures++;
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
