import assert from 'node:assert/strict';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../src/store/schema.ts';
import type { Store } from '../../src/store/store.ts';
import { sorted } from './expect.ts';

/** What the checker needs of a store: snapshot reads (a test may hand it an open transaction). */
export type StoreReader = Pick<Store, 'read' | 'dialect'>;

/**
 * The binding invariants of routetables.md, checked against the real store:
 *
 * (a) for every route table and every gateway service, the table holds one `egw` route per CIDR of
 *     the service exactly when an endpoint of that service is bound to it, with `nexthop` and
 *     `routes.endpoint_id` both naming that endpoint; no `egw` route (and no route carrying an
 *     `endpoint_id`) exists without such a binding;
 * (b) at most one endpoint per (table, service);
 * (c) every gateway endpoint has at least one bound table, unless it is being deleted or its
 *     provisioning failed (then it holds none); interface endpoints have none;
 * plus: each binding row names a live endpoint and a live table of the endpoint's project and VPC,
 * with the endpoint's own service; and (d) each project's stored endpoint count is its number of rows.
 *
 * The reads run in one read transaction (a snapshot), so the check is meaningful even while another
 * process writes; inside this process, the SQLite driver's single connection gives the same.
 */

export interface InvariantScope {
  /** Only tables and endpoints of these VPCs (bindings touching them are always checked). */
  vpcIds?: readonly string[];
}

export interface BindingSnapshot {
  /** Every endpoint in scope → its bound table ids, sorted. Interface endpoints map to []. */
  bindings: Map<string, string[]>;
  /** Route tables in scope. */
  tables: Set<string>;
  /** egw routes in scope, `table|destination` → endpoint id. */
  egw: Map<string, string>;
}

type EndpointRow = {
  id: string;
  project_id: string;
  vpc_id: string;
  endpoint_service_id: string;
  status: string;
  error_code: string;
};
const ENDPOINT_COLUMNS = [
  'id',
  'project_id',
  'vpc_id',
  'endpoint_service_id',
  'status',
  'error_code',
] as const;
type TableRow = { id: string; project_id: string; vpc_id: string };
type RouteRow = Database['routes'];
type BindingRow = Database['endpoint_routetables'];

async function readAll(db: Kysely<Database>, scope: InvariantScope) {
  const vpcIds = scope.vpcIds;
  const services = await db.selectFrom('endpoint_services').selectAll().execute();
  let eq = db.selectFrom('endpoints').select(ENDPOINT_COLUMNS);
  let tq = db.selectFrom('routetables').select(['id', 'project_id', 'vpc_id']);
  if (vpcIds !== undefined) {
    if (vpcIds.length === 0) {
      const none = { endpoints: [], tables: [], bindings: [], routes: [] };
      return { services, ...none, outsideEndpoints: [], outsideTables: [] };
    }
    eq = eq.where('vpc_id', 'in', vpcIds);
    tq = tq.where('vpc_id', 'in', vpcIds);
  }
  const endpoints: EndpointRow[] = await eq.execute();
  const tables: TableRow[] = await tq.execute();
  let bindings: BindingRow[];
  let routes: RouteRow[];
  if (vpcIds === undefined) {
    bindings = await db.selectFrom('endpoint_routetables').selectAll().execute();
    routes = await db
      .selectFrom('routes')
      .selectAll()
      .where((eb) => eb.or([eb('type', '=', 'egw'), eb('endpoint_id', 'is not', null)]))
      .execute();
  } else {
    const eIds = endpoints.map((e) => e.id);
    const tIds = tables.map((t) => t.id);
    bindings =
      eIds.length + tIds.length === 0
        ? []
        : await db
            .selectFrom('endpoint_routetables')
            .selectAll()
            .where((eb) =>
              eb.or([
                ...(eIds.length ? [eb('endpoint_id', 'in', eIds)] : []),
                ...(tIds.length ? [eb('routetable_id', 'in', tIds)] : []),
              ]),
            )
            .execute();
    routes =
      eIds.length + tIds.length === 0
        ? []
        : await db
            .selectFrom('routes')
            .selectAll()
            .where((eb) =>
              eb.and([
                eb.or([eb('type', '=', 'egw'), eb('endpoint_id', 'is not', null)]),
                eb.or([
                  ...(tIds.length ? [eb('routetable_id', 'in', tIds)] : []),
                  ...(eIds.length ? [eb('endpoint_id', 'in', eIds)] : []),
                ]),
              ]),
            )
            .execute();
  }
  // Rows a binding or route points at that lie outside the scope: fetched so a cross-VPC binding
  // is reported as such rather than as a dangling reference.
  const knownE = new Set(endpoints.map((e) => e.id));
  const knownT = new Set(tables.map((t) => t.id));
  const extraE = [...new Set(bindings.map((b) => b.endpoint_id))].filter((id) => !knownE.has(id));
  const extraT = [...new Set([...bindings, ...routes].map((b) => b.routetable_id))].filter(
    (id) => !knownT.has(id),
  );
  const outsideEndpoints: EndpointRow[] = extraE.length
    ? await db.selectFrom('endpoints').select(ENDPOINT_COLUMNS).where('id', 'in', extraE).execute()
    : [];
  const outsideTables: TableRow[] = extraT.length
    ? await db
        .selectFrom('routetables')
        .select(['id', 'project_id', 'vpc_id'])
        .where('id', 'in', extraT)
        .execute()
    : [];
  // (d) the endpoint count of each project that triggers keep (migration 008), against the rows.
  const stored = await db.selectFrom('endpoint_counts').select(['project_id', 'n']).execute();
  const counted = await db
    .selectFrom('endpoints')
    .select(['project_id', (eb) => eb.fn.countAll<number | string>().as('n')])
    .groupBy('project_id')
    .execute();
  const counts = { stored, counted };
  return { services, endpoints, tables, bindings, routes, outsideEndpoints, outsideTables, counts };
}

/** Runs `fn` on one connection inside a read-only snapshot transaction. */
async function snapshot<T>(store: StoreReader, fn: (db: Kysely<Database>) => Promise<T>): Promise<T> {
  return store.read((r) =>
    // Already inside a transaction (a caller checking an uncommitted state): read through it.
    r.db.isTransaction
      ? fn(r.db)
      : r.db.connection().execute(async (db) => {
          await sql
            .raw(store.dialect === 'postgres' ? 'begin isolation level repeatable read read only' : 'begin')
            .execute(db);
          try {
            return await fn(db);
          } finally {
            await sql.raw('rollback').execute(db);
          }
        }),
  );
}

/** Asserts invariants (a), (b), (c) and the binding-row rules; returns what it read. */
export async function checkInvariants(
  store: StoreReader,
  scope: InvariantScope = {},
): Promise<BindingSnapshot> {
  const data = await snapshot(store, (db) => readAll(db, scope));
  const services = new Map(data.services.map((s) => [s.id, s]));
  const cidrsOf = (serviceId: string): string[] => {
    const s = services.get(serviceId);
    return s ? (JSON.parse(s.cidrs) as string[]) : [];
  };
  const endpoints = new Map([...data.endpoints, ...data.outsideEndpoints].map((e) => [e.id, e]));
  const tables = new Map([...data.tables, ...data.outsideTables].map((t) => [t.id, t]));
  const tablesInScope = new Set(data.tables.map((t) => t.id));

  // Binding rows: live endpoint, live table, same project and VPC, the endpoint's own gateway service.
  const byTableService = new Map<string, string[]>();
  for (const b of data.bindings) {
    const e = endpoints.get(b.endpoint_id);
    const t = tables.get(b.routetable_id);
    assert.ok(e, `binding ${b.endpoint_id} → ${b.routetable_id}: no such endpoint`);
    assert.ok(t, `binding ${b.endpoint_id} → ${b.routetable_id}: no such route table`);
    assert.equal(
      b.endpoint_service_id,
      e.endpoint_service_id,
      `binding ${b.endpoint_id} → ${b.routetable_id}: recorded service differs from the endpoint's`,
    );
    assert.equal(
      services.get(e.endpoint_service_id)?.service_type,
      'gateway',
      `binding ${b.endpoint_id} → ${b.routetable_id}: the endpoint's service is not a gateway service`,
    );
    assert.equal(t.project_id, e.project_id, `binding ${b.endpoint_id} → ${t.id}: another project's table`);
    assert.equal(t.vpc_id, e.vpc_id, `binding ${b.endpoint_id} → ${t.id}: a table of another VPC`);
    const key = `${t.id}|${b.endpoint_service_id}`;
    byTableService.set(key, [...(byTableService.get(key) ?? []), e.id]);
  }
  // (b) one endpoint per (table, service).
  for (const [key, eps] of byTableService) {
    assert.equal(eps.length, 1, `(b) table|service ${key} is bound to ${eps.length} endpoints: ${eps}`);
  }

  // (a) the egw routes of each table are exactly those its bindings program.
  type Egw = { destination: string; nexthop: string; endpoint_id: string | null; type: string };
  const expected = new Map<string, Egw[]>();
  for (const b of data.bindings) {
    const list = expected.get(b.routetable_id) ?? [];
    for (const destination of cidrsOf(b.endpoint_service_id)) {
      list.push({ destination, nexthop: b.endpoint_id, endpoint_id: b.endpoint_id, type: 'egw' });
    }
    expected.set(b.routetable_id, list);
  }
  const actual = new Map<string, Egw[]>();
  const egw = new Map<string, string>();
  for (const r of data.routes) {
    const list = actual.get(r.routetable_id) ?? [];
    list.push({ destination: r.destination, nexthop: r.nexthop, endpoint_id: r.endpoint_id, type: r.type });
    actual.set(r.routetable_id, list);
    egw.set(`${r.routetable_id}|${r.destination}`, r.endpoint_id ?? '');
  }
  const order = (xs: Egw[]) =>
    [...xs].sort((a, b) => (a.destination < b.destination ? -1 : a.destination > b.destination ? 1 : 0));
  for (const tableId of new Set([...expected.keys(), ...actual.keys()])) {
    assert.deepEqual(
      order(actual.get(tableId) ?? []),
      order(expected.get(tableId) ?? []),
      `(a) egw routes of table ${tableId} differ from what its bindings program` +
        (tablesInScope.has(tableId) || tables.has(tableId) ? '' : ' (the table does not exist)'),
    );
  }

  // (c) every gateway endpoint keeps a table while it holds its resources; interface endpoints,
  // and endpoints being deleted or whose provisioning failed, have none (spec/operations.md).
  const bindings = new Map<string, string[]>();
  for (const e of data.endpoints) bindings.set(e.id, []);
  for (const b of data.bindings) {
    if (bindings.has(b.endpoint_id)) bindings.get(b.endpoint_id)!.push(b.routetable_id);
  }
  for (const e of data.endpoints) {
    const bound = sorted(bindings.get(e.id)!);
    bindings.set(e.id, bound);
    const holds = e.status !== 'deleting' && e.status !== 'failed' && e.error_code === '';
    if (!holds) {
      assert.deepEqual(bound, [], `(c) ${e.status} endpoint ${e.id} (error "${e.error_code}") has tables`);
    } else if (services.get(e.endpoint_service_id)?.service_type === 'gateway') {
      assert.ok(bound.length > 0, `(c) gateway endpoint ${e.id} has no route table bound`);
    } else {
      assert.deepEqual(bound, [], `interface endpoint ${e.id} has route tables bound`);
    }
  }
  const countOf = (rows: { project_id: string; n: number | string }[]) =>
    Object.fromEntries(rows.filter((r) => Number(r.n) !== 0).map((r) => [r.project_id, Number(r.n)]));
  // (An empty scope reads nothing, counts included.)
  if (data.counts)
    assert.deepEqual(
      countOf(data.counts.stored),
      countOf(data.counts.counted),
      '(d) the stored endpoint count of a project differs from its endpoint rows',
    );
  return { bindings, tables: tablesInScope, egw };
}

/** What a GET through the API answered (world.ts `Reply`, or a fetch wrapped the same way). */
export interface ReadReply {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export interface ReadPath {
  /** GET /v1/{project}/vpc-endpoints/{id}. */
  endpoint(id: string): Promise<ReadReply>;
  /** GET /v1/{project}/routetables/{id}; when given, each table's egw routes are compared too. */
  routetable?(id: string): Promise<ReadReply>;
  /**
   * GET /v1/{project}/vpc-endpoints (with a `limit` that covers the scope); when given, each listed
   * endpoint in scope must show its binding rows, and every endpoint in scope must be listed.
   */
  list?(): Promise<ReadReply>;
}

/**
 * The read path tells the truth: each endpoint's `routetables` from GET equals its binding rows,
 * (with `list`) so does the list, and (with `routetable`) each table's `egw` routes from GET equal
 * the stored ones.
 * Call it when no write is in flight.
 */
export async function checkReadPath(
  store: Store,
  read: ReadPath,
  scope: InvariantScope = {},
): Promise<BindingSnapshot> {
  const snap = await checkInvariants(store, scope);
  for (const [id, bound] of snap.bindings) {
    const res = await read.endpoint(id);
    assert.equal(res.status, 200, `GET endpoint ${id}: ${res.status} ${JSON.stringify(res.body)}`);
    const shown = res.body.routetables as string[];
    assert.equal(new Set(shown).size, shown.length, `GET endpoint ${id}: duplicate routetables ${shown}`);
    assert.deepEqual(sorted(shown), bound, `GET endpoint ${id}: routetables differ from the binding rows`);
  }
  if (read.list) {
    const res = await read.list();
    assert.equal(res.status, 200, `GET endpoints: ${res.status} ${JSON.stringify(res.body)}`);
    const listed = new Map<string, string[]>(
      (res.body.endpoints as { id: string; routetables: string[] }[]).map((e) => [e.id, e.routetables]),
    );
    for (const [id, bound] of snap.bindings) {
      const shown = listed.get(id);
      assert.ok(shown, `GET endpoints: ${id} is not listed`);
      assert.deepEqual(
        sorted(shown),
        bound,
        `GET endpoints: routetables of ${id} differ from the binding rows`,
      );
    }
  }
  if (read.routetable) {
    for (const tableId of snap.tables) {
      const res = await read.routetable(tableId);
      assert.equal(res.status, 200, `GET routetable ${tableId}: ${res.status} ${JSON.stringify(res.body)}`);
      const shown = (res.body.routetable.routes as { type: string; destination: string; nexthop: string }[])
        .filter((r) => r.type === 'egw')
        .map((r) => `${r.destination}>${r.nexthop}`)
        .sort();
      const stored = [...snap.egw]
        .filter(([k]) => k.startsWith(`${tableId}|`))
        .map(([k, e]) => `${k.slice(tableId.length + 1)}>${e}`)
        .sort();
      assert.deepEqual(shown, stored, `GET routetable ${tableId}: egw routes differ from the store`);
    }
  }
  return snap;
}
