import assert from 'node:assert/strict';
import {
  createEndpoint,
  createTable,
  createVpc,
  egwRoutes,
  gatewayService,
  getEndpoint,
  GW_CIDR,
} from './fixtures.ts';
import { auditLog } from './audit.ts';
import { sorted } from './expect.ts';
import type { Reply, World } from './world.ts';
import { expectPublished } from './published.ts';

/**
 * The contract helpers of UpdateEndpointRoutetable (spec/routetables.md): a scene to rebind in, the
 * call, "a failing call changes nothing", and the 200 report with its per-table rows.
 */

type Headers = Record<string, string | undefined>;

/** Published messages (errors.md) of the codes that appear in per-table failure rows. */
const PUBLISHED: Record<string, string> = {
  'EndPoint.2039': 'The route table is being used by another VPC endpoint.',
  'Endpoint.1018': 'Quota exceeded.',
  'EndPoint.2040': 'The VPC endpoint has no route table bound.',
  'EndPoint.4028': "Failed to add routes to the VPC's route table.",
  'EndPoint.4029': "Failed to remove routes from the VPC's route table.",
};

export const rtPath = (ep: string) => `/vpc-endpoints/${ep}/routetables`;

/** `PUT /v1/{project}/vpc-endpoints/{ep}/routetables` with `body` as is. */
export const put = (w: World, ep: string, body?: unknown, headers?: Headers) =>
  w.api('PUT', rtPath(ep), body, headers);

export interface Scene {
  vpc: string;
  defaultTable: string;
  a: string;
  b: string;
  c: string;
  svc: string;
  ep: string;
  tables: string[];
}

/** A VPC with three custom tables and a gateway endpoint bound to `a`. */
export async function scene(w: World): Promise<Scene> {
  const vpc = await createVpc(w);
  const a = await createTable(w, vpc.id);
  const b = await createTable(w, vpc.id);
  const c = await createTable(w, vpc.id);
  const svc = await gatewayService(w);
  const ep = await createEndpoint(w, svc, vpc.id, [a]);
  return {
    vpc: vpc.id,
    defaultTable: vpc.defaultTable,
    a,
    b,
    c,
    svc,
    ep,
    tables: [vpc.defaultTable, a, b, c],
  };
}

/** How many successful calls the project's audit trail holds (a refused call adds a failure only). */
const auditCount = async (w: World) =>
  (await auditLog(w.store, w.projectId)).filter((e) => e.outcome === 'success').length;

/** Everything a call may change: the endpoint as read, the routes of the given tables, the audit trail. */
export async function snapshot(w: World, ep: string, tables: readonly string[], headers?: Headers) {
  const routes: Record<string, unknown> = {};
  for (const t of tables) {
    const res = await w.api('GET', `/routetables/${t}`, undefined, headers);
    assert.equal(res.status, 200, res.raw);
    routes[t] = res.body.routetable.routes;
  }
  return { endpoint: await getEndpoint(w, ep, headers), routes, audit: await auditCount(w) };
}

/** Runs a call that must fail, and asserts it changed nothing. */
export async function failing(w: World, s: Pick<Scene, 'ep' | 'tables'>, call: () => Promise<Reply>) {
  const before = await snapshot(w, s.ep, s.tables);
  const res = await call();
  assert.notEqual(res.status, 200, `expected a failure, got ${res.raw}`);
  assert.deepEqual(await snapshot(w, s.ep, s.tables), before, 'a failing call changed state');
  return res;
}

export interface Report {
  routetables: string[];
  bind_failed?: [id: string, code: string][];
  unbind_failed?: [id: string, code: string][];
}

/**
 * A 200 as published with per-table rows: `routetables` is the bound set and equals a following GET; `error` is
 * absent when nothing failed, else one object with both lists; every bound table holds the
 * endpoint's egw route and every other table of `tables` holds none.
 */
export async function expectReport(
  w: World,
  ep: string,
  res: Reply,
  tables: readonly string[],
  want: Report,
) {
  expectPublished(res, 'UpdateEndpointRoutetable');
  assert.deepEqual(sorted(res.body.routetables), sorted(want.routetables), res.raw);
  assert.deepEqual(sorted((await getEndpoint(w, ep)).routetables), sorted(res.body.routetables));
  const bindFailed = want.bind_failed ?? [];
  const unbindFailed = want.unbind_failed ?? [];
  if (bindFailed.length + unbindFailed.length === 0) {
    assert.deepEqual(Object.keys(res.body), ['routetables'], res.raw);
  } else {
    assert.deepEqual(Object.keys(res.body).sort(), ['error', 'routetables'], res.raw);
    assert.ok(Array.isArray(res.body.error), res.raw);
    assert.equal(res.body.error.length, 1, res.raw);
    const [report] = res.body.error;
    assert.deepEqual(Object.keys(report).sort(), ['bind_failed', 'unbind_failed']);
    for (const [list, expected] of [
      [report.bind_failed, bindFailed],
      [report.unbind_failed, unbindFailed],
    ] as const) {
      assert.ok(Array.isArray(list));
      // The order of rows is not part of the contract: compare by id.
      const rows = [...(list as { id: string; error_message: string }[])].sort((x, y) =>
        x.id < y.id ? -1 : 1,
      );
      const wanted = [...expected].sort(([x], [y]) => (x < y ? -1 : 1));
      assert.deepEqual(
        rows.map((r) => r.id),
        wanted.map(([id]) => id),
        res.raw,
      );
      for (const [i, [, code]] of wanted.entries()) {
        const line = rows[i]!.error_message;
        assert.deepEqual(Object.keys(rows[i]!).sort(), ['error_message', 'id']);
        assert.ok(line.length <= 1024, 'error_message is at most 1024 chars');
        assert.ok(
          line.startsWith(`${code}: ${PUBLISHED[code]}`),
          `"${line}" should start with "${code}: ${PUBLISHED[code]}"`,
        );
      }
    }
  }
  for (const t of tables) {
    const mine = (await egwRoutes(w, t)).filter((r) => r.nexthop === ep);
    if (want.routetables.includes(t)) {
      assert.deepEqual(mine, [{ type: 'egw', destination: GW_CIDR, nexthop: ep }], `egw route in ${t}`);
    } else {
      assert.deepEqual(mine, [], `no egw route of ${ep} in ${t}`);
    }
  }
}
