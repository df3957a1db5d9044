import assert from 'node:assert/strict';
import { test } from 'node:test';
import { auditLog } from '../helpers/audit.ts';
import { checkInvariants, checkReadPath } from '../helpers/invariants.ts';
import { TEST_DATABASE_URL } from '../helpers/pgdb.ts';
import { prng } from '../helpers/random.ts';
import { useScratch } from '../helpers/scratch.ts';
import {
  client,
  onServerStore,
  sessionOn,
  spawnServer,
  type ServerProcess,
  type Session,
} from '../helpers/server.ts';
import {
  createEndpoint,
  createTable,
  createVpc,
  gatewayServiceIds,
  TWO_GATEWAY_SERVICES,
} from '../helpers/fixtures.ts';
import { ok, sorted } from '../helpers/expect.ts';

/**
 * Scale out (issue 4): three `vpcep serve` processes on one PostgreSQL database, started together so
 * that their migrations and bootstrap race, then 50 clients spread over them rebinding shared
 * endpoints for a bounded time. No update is lost: each endpoint ends with the set of the call that
 * committed last (the audit log gives the commit order), each call's diff is against the call
 * committed before it, one endpoint per service holds each table, the store keeps its invariants,
 * and every replica reads the same state.
 */

const PASSWORD = 'replica-password-1';
const PROJECT_ID = 'abcdef0123456789abcdef0123456789';
const SERVICES = TWO_GATEWAY_SERVICES;
const REPLICAS = 3;
const CLIENTS = 50;
const LOAD_MS = 8_000;
const TABLES = 12;
/** Endpoints per service, all in one VPC, all racing for the same tables. */
const ENDPOINTS = [6, 3];

const scratch = useScratch('vpcep-replica-');

interface Ack {
  client: number;
  replica: number;
  endpoint: string;
  requested: string[];
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  raw: string;
  requestId: string;
}

test(
  'three replicas, 50 clients: no lost update, one endpoint per table and service',
  { timeout: 180_000 },
  async (t) => {
    if (!TEST_DATABASE_URL) return t.skip('VPCEP_TEST_DATABASE_URL is not set');
    const db = await scratch.database('vpcep_rep');
    const env = {
      VPCEP_ADMIN_PASSWORD: PASSWORD,
      VPCEP_PROJECT_ID: PROJECT_ID,
      VPCEP_GATEWAY_SERVICES: JSON.stringify(SERVICES),
      // Short, so that a queue of callers on one endpoint sees some 409s under load: those must
      // have changed nothing.
      VPCEP_LOCK_TIMEOUT_MS: '250',
    };

    // All three at once: migrations and bootstrap race on the empty database.
    const t0 = performance.now();
    const started = await Promise.allSettled(
      Array.from({ length: REPLICAS }, () =>
        spawnServer({ dataDir: scratch.dir(), databaseUrl: db.url, env, startTimeoutMs: 60_000 }),
      ),
    );
    const failed = started.flatMap((s) => (s.status === 'rejected' ? [String(s.reason)] : []));
    assert.deepEqual(failed, [], 'every replica starts on the shared, empty database');
    const servers = started.map((s) => (s as PromiseFulfilledResult<ServerProcess>).value);
    t.diagnostic(`3 replicas up in ${Math.round(performance.now() - t0)} ms`);

    // One account for all: each replica logs in, and each token works on every replica.
    const sessions: Session[] = [];
    for (const s of servers) {
      const session = await sessionOn(s, PASSWORD);
      assert.equal(session.projectId, PROJECT_ID);
      sessions.push(session);
    }
    for (const [i, session] of sessions.entries()) {
      for (const [j, s] of servers.entries()) {
        const res = await client(s.url, session).api('GET', '/vpcs');
        assert.equal(res.status, 200, `token of replica ${i} on replica ${j}: ${res.raw}`);
      }
    }
    const clients = servers.map((s, i) => client(s.url, sessions[(i + 1) % REPLICAS]!));
    const apis = clients.map((c) => c.api);
    const api = apis[0]!;

    // The bootstrap made each configured service exactly once.
    const serviceIds = await gatewayServiceIds(
      clients[0]!,
      SERVICES.map((s) => s.name),
    );

    // One VPC, 12 tables, 6 + 3 endpoints, each starting on a table of its own.
    const vpc = (await createVpc(clients[0]!, '10.0.0.0/16', 'shared')).id;
    const tables: string[] = [];
    for (let i = 0; i < TABLES; i++) tables.push(await createTable(clients[0]!, vpc, [], `rt${i}`));
    const endpoints: { id: string; service: number; initial: string[] }[] = [];
    for (const [service, n] of ENDPOINTS.entries()) {
      for (let i = 0; i < n; i++) {
        const initial = [tables[endpoints.length % TABLES]!];
        const id = await createEndpoint(clients[0]!, serviceIds[service]!, vpc, initial);
        endpoints.push({ id, service, initial });
      }
    }

    // The load: each client sends one call at a time, to its replica, until the time is up.
    const acks: Ack[] = [];
    const failures: string[] = [];
    const deadline = Date.now() + LOAD_MS;
    // On a slow, busy machine the load goes on past LOAD_MS until enough calls committed to mean
    // something (asserted below), within a generous bound: a count, never a rate, is what is tested.
    const MIN_COMMITS = 100;
    const hardDeadline = Date.now() + 20 * LOAD_MS;
    let committed = 0;
    const goOn = () => Date.now() < deadline || (committed < MIN_COMMITS && Date.now() < hardDeadline);
    const loadStart = performance.now();
    await Promise.all(
      Array.from({ length: CLIENTS }, async (_, c) => {
        const random = prng(1000 + c);
        const replica = c % REPLICAS;
        while (goOn()) {
          const ep = endpoints[Math.floor(random() * endpoints.length)]!;
          const pool = [...tables];
          const requested: string[] = [];
          const k = 1 + Math.floor(random() * 3);
          while (requested.length < k) requested.push(pool.splice(Math.floor(random() * pool.length), 1)[0]!);
          try {
            const res = await apis[replica]!('PUT', `/vpc-endpoints/${ep.id}/routetables`, {
              routetables: requested,
            });
            acks.push({ client: c, replica, endpoint: ep.id, requested, ...res });
            if (res.status === 200) committed++;
          } catch (e) {
            failures.push(`client ${c} → replica ${replica}: ${(e as Error).message}`);
          }
        }
      }),
    );
    const loadMs = performance.now() - loadStart;

    const count = (f: (a: Ack) => boolean) => acks.filter(f).length;
    const conflicts = count((a) => a.status === 409);
    const unavailable = count((a) => a.status === 503);
    const taken = acks.reduce(
      (n, a) =>
        n +
        ((a.body?.error?.[0]?.bind_failed ?? []) as { error_message: string }[]).filter((f) =>
          f.error_message.startsWith('EndPoint.2039'),
        ).length,
      0,
    );
    t.diagnostic(
      `${acks.length} calls in ${Math.round(loadMs)} ms (${Math.round((acks.length / loadMs) * 1000)}/s): ` +
        `${count((a) => a.status === 200)} × 200 (${taken} tables refused with EndPoint.2039), ` +
        `${conflicts} × 409, ${unavailable} × 503; per replica ${servers.map((_, i) => count((a) => a.replica === i)).join('/')}`,
    );

    // Every answer is a success or a documented refusal; nothing failed on the wire.
    assert.deepEqual(failures.slice(0, 5), [], `${failures.length} calls got no answer`);
    const undocumented = acks.filter(
      (a) =>
        !(
          a.status === 200 ||
          (a.status === 409 && a.body?.error?.code === 'VPCEP.0409') ||
          (a.status === 503 && a.body?.error?.code === 'VPCEP.0503')
        ),
    );
    assert.deepEqual(
      undocumented.slice(0, 5).map((a) => `${a.status} ${a.raw}`),
      [],
      `${undocumented.length} undocumented answers`,
    );
    for (const a of acks.filter((x) => x.status === 200)) {
      assert.ok(Array.isArray(a.body.routetables) && a.body.routetables.length > 0, a.raw);
      assert.ok(a.requestId, 'every answer names its request');
      if (a.body.error) {
        assert.equal(a.body.error.length, 1, a.raw);
        for (const f of [...a.body.error[0].bind_failed, ...a.body.error[0].unbind_failed]) {
          assert.match(f.error_message, /^EndPoint\.(2039|2040): /, a.raw);
        }
      }
    }

    // The commit order of each endpoint's calls, from the audit log (seq order; one endpoint's calls
    // take turns on its row lock, so their seq order is their commit order).
    const audit = await onServerStore({ databaseUrl: db.url }, (store) =>
      auditLog(store, PROJECT_ID, 'update-routetables'),
    );
    const byRequest = new Map(acks.map((a) => [a.requestId, a]));
    for (const row of audit) {
      const a = byRequest.get(row.request_id);
      assert.ok(a, `audit record of a call nobody sent: ${row.request_id}`);
      assert.equal(a.status, 200, `a call answered ${a.status} committed a change: ${a.raw}`);
      assert.equal(a.endpoint, row.resource_id);
    }
    assert.equal(new Set(audit.map((r) => r.request_id)).size, audit.length, 'one record per call');

    const finals = new Map<string, string[]>();
    for (const ep of endpoints) {
      let current = sorted(ep.initial);
      const rows = audit.filter((r) => r.resource_id === ep.id);
      assert.ok(rows.length > 0, `endpoint ${ep.id} had changes committed`);
      for (const row of rows) {
        const a = byRequest.get(row.request_id)!;
        const d = JSON.parse(row.detail) as { bound: string[]; unbound: string[] };
        // The call saw the state the previous call committed: what it unbound was bound, what it bound
        // was not, and what it answered is exactly that previous state with its own diff applied.
        for (const x of d.unbound) assert.ok(current.includes(x), `${ep.id}: unbound ${x} was not bound`);
        for (const x of d.bound) assert.ok(!current.includes(x), `${ep.id}: bound ${x} was already bound`);
        current = sorted([...current.filter((x) => !d.unbound.includes(x)), ...d.bound]);
        assert.deepEqual(
          sorted(a.body.routetables),
          current,
          `${ep.id}: answer of ${a.requestId} vs commit order`,
        );
      }
      const last = rows.at(-1);
      const shown = ok(await api('GET', `/vpc-endpoints/${ep.id}`)).body.routetables as string[];
      assert.deepEqual(sorted(shown), current, `${ep.id}: final set vs the replayed commits`);
      if (last) {
        assert.deepEqual(
          sorted(shown),
          sorted(byRequest.get(last.request_id)!.body.routetables),
          `${ep.id}: final set vs the answer of the call that committed last`,
        );
      }
      finals.set(ep.id, current);
    }
    assert.ok(audit.length >= MIN_COMMITS, `enough changes committed to mean something: ${audit.length}`);
    t.diagnostic(
      `${audit.length} committed changes; per endpoint ${endpoints.map((e) => audit.filter((r) => r.resource_id === e.id).length).join('/')}`,
    );

    // One endpoint per service on each table.
    for (const service of ENDPOINTS.keys()) {
      const holders = new Map<string, string[]>();
      for (const ep of endpoints.filter((e) => e.service === service)) {
        for (const table of finals.get(ep.id)!) holders.set(table, [...(holders.get(table) ?? []), ep.id]);
      }
      for (const [table, eps] of holders) {
        assert.equal(eps.length, 1, `service ${service}: table ${table} held by ${eps.join(', ')}`);
      }
    }

    // The store's invariants, and every replica reads the same, true state.
    await onServerStore({ databaseUrl: db.url }, async (store) => {
      const snapshot = await checkInvariants(store);
      for (const ep of endpoints) assert.deepEqual(snapshot.bindings.get(ep.id), finals.get(ep.id));
      for (const [i, replicaApi] of apis.entries()) {
        await checkReadPath(
          store,
          {
            endpoint: (id) => replicaApi('GET', `/vpc-endpoints/${id}`),
            list: () => replicaApi('GET', '/vpc-endpoints?limit=1000'),
            routetable: (id) => replicaApi('GET', `/routetables/${id}`),
          },
          { vpcIds: [vpc] },
        ).catch((e: Error) => {
          throw new Error(`replica ${i}: ${e.message}`);
        });
      }
    });
  },
);
