import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { auditLog } from '../helpers/audit.ts';
import { checkInvariants } from '../helpers/invariants.ts';
import { prng } from '../helpers/random.ts';
import { useScratch } from '../helpers/scratch.ts';
import { client, login, onServerStore, sessionOn, spawnServer, type HttpReply } from '../helpers/server.ts';
import {
  createEndpoint,
  createTable,
  createVpc,
  gatewayService,
  routesOf,
  type Api,
} from '../helpers/fixtures.ts';
import { ok, sorted } from '../helpers/expect.ts';

/**
 * Crash safety with real processes: what a server acknowledged survives SIGKILL, a request in flight
 * is all-or-nothing, and a restart keeps the account, the credentials file and the token key.
 */

const PASSWORD = 'durable-password-1';
const scratch = useScratch('vpcep-durability-');

/**
 * A VPC with `n` tables (the first holding a peering route to `userRoute` when given) and a gateway
 * endpoint bound to the first table.
 */
async function createVpcWithEndpoint(c: Api, n: number, userRoute?: string) {
  const vpc = (await createVpc(c, '10.0.0.0/16', 'dur')).id;
  const tables: string[] = [];
  for (let i = 0; i < n; i++) {
    const routes =
      i === 0 && userRoute ? [{ type: 'peering', destination: userRoute, nexthop: 'pcx-1' }] : [];
    tables.push(await createTable(c, vpc, routes, `t${i}`));
  }
  const ep = await createEndpoint(c, await gatewayService(c), vpc, [tables[0]!]);
  return { vpc, tables, ep };
}

/** The table's `egw` routes as GET shows them, every field included. */
const egwOf = async (c: Api, table: string) => (await routesOf(c, table)).filter((r) => r.type === 'egw');

test(
  'acknowledged changes, the account and the token key survive SIGKILL',
  { timeout: 120_000 },
  async () => {
    const dataDir = scratch.dir();
    const first = await spawnServer({ dataDir, env: { VPCEP_ADMIN_PASSWORD: PASSWORD } });
    const s = await sessionOn(first, PASSWORD);
    const c1 = client(first.url, s);
    const credentialsFile = path.join(dataDir, 'credentials.json');
    const credentials = fs.readFileSync(credentialsFile);
    assert.equal(fs.statSync(credentialsFile).mode & 0o777, 0o600, 'credentials.json is 0600');
    assert.equal(JSON.parse(String(credentials)).project_id, s.projectId);

    const { vpc, tables, ep } = await createVpcWithEndpoint(c1, 3, '172.31.9.0/24');
    const rebound = ok(
      await c1.api('PUT', `/vpc-endpoints/${ep}/routetables`, { routetables: [tables[2], tables[1]] }),
    ).body;
    assert.deepEqual(rebound, { routetables: sorted([tables[1]!, tables[2]!]) });
    // The last acknowledged response is in; kill at once, no graceful shutdown.
    assert.equal(await first.stop('SIGKILL'), 'SIGKILL');

    // Restart with another configured password: bootstrap must leave the existing account alone.
    const second = await spawnServer({ dataDir, env: { VPCEP_ADMIN_PASSWORD: 'another-password-2' } });
    const c2 = client(second.url, s); // the OLD token, issued by the killed process
    const shown = ok(await c2.api('GET', `/vpc-endpoints/${ep}`)).body;
    assert.deepEqual(shown.routetables, sorted([tables[1]!, tables[2]!]), 'the acknowledged rebind survived');
    assert.equal(shown.status, 'accepted');
    assert.deepEqual(await egwOf(c2, tables[0]!), [], 'the unbound table lost its egw route');
    for (const t of [tables[1]!, tables[2]!]) {
      assert.deepEqual(await egwOf(c2, t), [
        { type: 'egw', destination: '100.125.0.0/16', nexthop: ep, description: '' },
      ]);
    }
    const listed = ok(await c2.api('GET', `/routetables?vpc_id=${vpc}`)).body.routetables.map(
      (t: { id: string }) => t.id,
    );
    for (const t of tables) assert.ok(listed.includes(t), `table ${t} survived`);
    const userRoutes = await routesOf(c2, tables[0]!);
    assert.ok(
      userRoutes.some((r) => r.destination === '172.31.9.0/24'),
      'user route survived',
    );

    assert.equal((await login(second.url, PASSWORD)).status, 201, 'the original password still works');
    assert.equal(
      (await login(second.url, 'another-password-2')).status,
      401,
      'bootstrap did not reset the password',
    );
    assert.deepEqual(fs.readFileSync(credentialsFile), credentials, 'credentials.json unchanged');
    assert.equal(fs.statSync(credentialsFile).mode & 0o777, 0o600, 'credentials.json still 0600');

    // A graceful stop ends the process cleanly; the store it leaves keeps the invariants.
    assert.equal(await second.stop('SIGTERM'), 0, second.output());
    const snap = await onServerStore({ dataDir }, checkInvariants);
    assert.deepEqual(snap.bindings.get(ep), sorted([tables[1]!, tables[2]!]));
  },
);

test(
  'SIGKILL during a stream of rebinds leaves the last acknowledged set or the one in flight',
  { timeout: 180_000 },
  async (t) => {
    const dataDir = scratch.dir();
    const random = prng(777);
    let server = await spawnServer({ dataDir, env: { VPCEP_ADMIN_PASSWORD: PASSWORD } });
    const s = await sessionOn(server, PASSWORD);
    let c = client(server.url, s);
    const { tables, ep } = await createVpcWithEndpoint(c, 4);
    let state = [tables[0]!];
    let committed = 0; // update-routetables calls known to have committed

    const key = (xs: string[]) => sorted(xs).join(',');
    const nextSet = (prev: string[]) => {
      for (;;) {
        const mask = 1 + Math.floor(random() * 15);
        const set = sorted(tables.filter((_, i) => mask & (1 << i)));
        if (key(set) !== key(prev)) return set;
      }
    };

    for (let cycle = 0; cycle < 3; cycle++) {
      let lastAcked = state;
      let inFlight: string[] | undefined;
      let acked = 0;
      const delay = 200 + Math.floor(Math.random() * 600);
      const killer = new Promise<void>((resolve) => setTimeout(resolve, delay)).then(() =>
        server.stop('SIGKILL'),
      );
      let stopped = false;
      void killer.then(() => (stopped = true));
      // The client: one rebind after another, each to a set different from the one before.
      for (let i = 0; i < 100_000 && !stopped; i++) {
        const set = nextSet(lastAcked);
        inFlight = set;
        let res: HttpReply;
        try {
          res = await c.api('PUT', `/vpc-endpoints/${ep}/routetables`, { routetables: set });
        } catch {
          break; // the connection died with the server
        }
        assert.equal(res.status, 200, res.raw);
        assert.deepEqual(res.body, { routetables: set }, res.raw);
        lastAcked = set;
        inFlight = undefined;
        acked++;
      }
      await killer;
      t.diagnostic(
        `cycle ${cycle}: killed after ${delay} ms, ${acked} rebinds acknowledged, one in flight: ${inFlight !== undefined}`,
      );
      assert.ok(acked > 0, 'the client got some rebinds through before the kill');

      // The process is dead: open its store directly.
      const { snap, audit } = await onServerStore({ dataDir }, async (store) => ({
        snap: await checkInvariants(store),
        audit: await auditLog(store, s.projectId, 'update-routetables'),
      }));
      const bound = snap.bindings.get(ep)!;
      const allowed = [key(lastAcked), ...(inFlight ? [key(inFlight)] : [])];
      assert.ok(
        allowed.includes(key(bound)),
        `after the kill the set is ${key(bound)}, expected one of ${allowed.join(' | ')}`,
      );
      // The audit record committed with the change: one per committed call, the last one naming the set.
      const inFlightCommitted = inFlight !== undefined && key(bound) === key(inFlight) ? 1 : 0;
      t.diagnostic(
        `cycle ${cycle}: the call in flight ${inFlightCommitted ? 'committed' : 'did not commit'}`,
      );
      committed += acked + inFlightCommitted;
      const rows = audit.filter((r) => r.resource_id === ep);
      assert.equal(rows.length, committed, 'one audit record per committed rebind');
      assert.deepEqual(
        sorted(JSON.parse(rows.at(-1)!.detail).requested),
        bound,
        'the last audit record is the state',
      );
      state = bound;

      // A new process on the same data dir serves the same state to the old token.
      server = await spawnServer({ dataDir, env: { VPCEP_ADMIN_PASSWORD: PASSWORD } });
      c = client(server.url, s);
      const shown = ok(await c.api('GET', `/vpc-endpoints/${ep}`)).body;
      assert.deepEqual(shown.routetables, state);
      for (const table of tables) {
        const egw = await egwOf(c, table);
        assert.deepEqual(
          egw.map((r) => r.nexthop),
          state.includes(table) ? [ep] : [],
          `egw routes of ${table}`,
        );
      }
    }
    assert.equal(await server.stop('SIGTERM'), 0, server.output());
  },
);

test(
  'SIGKILL while many rebinds share commits: each endpoint keeps its last acknowledged set or the one in flight',
  { timeout: 180_000 },
  async (t) => {
    // Group commit (issue 12): concurrent calls are committed together. A kill in the middle of a
    // batch must lose none of what was acknowledged, and apply any call of the batch whole or not at all.
    const dataDir = scratch.dir();
    const random = prng(4242);
    const server = await spawnServer({ dataDir, env: { VPCEP_ADMIN_PASSWORD: PASSWORD } });
    const s = await sessionOn(server, PASSWORD);
    const c = client(server.url, s);
    const WRITERS = 12;
    const scenes = [];
    for (let i = 0; i < WRITERS; i++) scenes.push(await createVpcWithEndpoint(c, 3));
    const key = (xs: string[]) => sorted(xs).join(',');

    let stopped = false;
    const delay = 300 + Math.floor(random() * 500);
    const killer = new Promise<void>((resolve) => setTimeout(resolve, delay))
      .then(() => server.stop('SIGKILL'))
      .then(() => void (stopped = true));
    const outcomes = await Promise.all(
      scenes.map(async ({ tables, ep }) => {
        let lastAcked = [tables[0]!];
        let inFlight: string[] | undefined;
        let acked = 0;
        while (!stopped) {
          const candidates = [[tables[0]!], [tables[1]!], [tables[2]!], [tables[0]!, tables[1]!]];
          const set = sorted(candidates.filter((x) => key(x) !== key(lastAcked))[Math.floor(random() * 3)]!);
          inFlight = set;
          let res: HttpReply;
          try {
            res = await c.api('PUT', `/vpc-endpoints/${ep}/routetables`, { routetables: set });
          } catch {
            break;
          }
          assert.equal(res.status, 200, res.raw);
          lastAcked = set;
          inFlight = undefined;
          acked++;
        }
        return { ep, lastAcked, inFlight, acked };
      }),
    );
    await killer;
    const total = outcomes.reduce((n, o) => n + o.acked, 0);
    t.diagnostic(`killed after ${delay} ms; ${total} rebinds acknowledged over ${WRITERS} writers`);
    assert.ok(total > WRITERS, 'the writers got rebinds through before the kill');

    const { snap, audit } = await onServerStore({ dataDir }, async (store) => ({
      snap: await checkInvariants(store),
      audit: await auditLog(store, s.projectId, 'update-routetables'),
    }));
    for (const o of outcomes) {
      const bound = key(snap.bindings.get(o.ep)!);
      const allowed = [key(o.lastAcked), ...(o.inFlight ? [key(o.inFlight)] : [])];
      assert.ok(allowed.includes(bound), `${o.ep}: ${bound}, expected one of ${allowed.join(' | ')}`);
      const committed = o.acked + (o.inFlight !== undefined && bound === key(o.inFlight) ? 1 : 0);
      assert.equal(
        audit.filter((r) => r.resource_id === o.ep).length,
        committed,
        `${o.ep}: one audit record per committed rebind`,
      );
    }
  },
);
