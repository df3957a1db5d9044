import { sql, type SelectQueryBuilder, type Updateable } from 'kysely';
import type { EndpointStatus } from '../domain/endpoint-status.ts';
import type { Database } from './schema.ts';
import { present, presentAt } from './lifecycle.ts';
import { byShape, prepare, type Prepared, type Shaping } from './prepared.ts';
import { NetworkQueries } from './network.ts';
import { Queries, type LockOption, type NewRow, type Read, type Row } from './queries.ts';

/**
 * An endpoint's version, raised by one: every write of an endpoint row or of its bindings here
 * raises it (migration 009), so that what the endpoint shows is known by its id and version
 * (service/endpoint-views.ts). A row update that forgets is caught by the trigger of 009; the
 * bindings have no trigger (it cost a rebind 15–25 µs on SQLite), so their writes, all in this
 * file, raise it themselves.
 */
const RAISED = sql<number>`version + 1`;

const byId = (lock: boolean) =>
  prepare((s: Shaping, projectId: string, id: string, at: string) => {
    const q = s.db
      .selectFrom('endpoints')
      .selectAll()
      .where('project_id', '=', projectId)
      .where('id', '=', id)
      .where(presentAt('endpoints', at));
    return lock ? s.forUpdate(q) : q;
  });
const BY_ID = byId(false);
const BY_ID_FOR_UPDATE = byId(true);

/**
 * The route tables an endpoint is bound to, sorted, as one comma-separated text (ids hold no
 * comma), or null: one index lookup per listed endpoint instead of a statement for the page.
 */
const boundTablesColumn = (s: Shaping) =>
  s.dialect === 'sqlite'
    ? sql<
        string | null
      >`(select group_concat(routetable_id, ',' order by routetable_id) from endpoint_routetables where endpoint_id = endpoints.id)`
    : sql<
        string | null
      >`(select string_agg(routetable_id, ',' order by routetable_id) from endpoint_routetables where endpoint_id = endpoints.id)`;

/** The tables of boundTablesColumn's text, sorted as it sorts them. */
const tablesOf = (text: string | null): string[] => (text === null ? [] : text.split(','));

/** Every column of a service, each selected under a name of its own beside the endpoint's (`svc_<column>`). */
const SERVICE_COLUMNS = [
  'id',
  'owner_project_id',
  'owner',
  'service_name',
  'service_type',
  'server_type',
  'vpc_id',
  'port_id',
  'approval_enabled',
  'status',
  'cidrs',
  'is_charge',
  'enable_policy',
  'description',
  'created_at',
  'updated_at',
  'owner_domain_id',
  'ports',
  'tcp_proxy',
  'tags',
  'ready_at',
  'error_code',
  'error_message',
] as const satisfies readonly (keyof Database['endpoint_services'])[];
/** Fails to compile when the service table gains a column the list above lacks. */
const _everyServiceColumn: Exclude<
  keyof Database['endpoint_services'],
  (typeof SERVICE_COLUMNS)[number]
> extends never
  ? true
  : never = true;

const SERVICE_ALIASES = SERVICE_COLUMNS.map((c) => [c, `svc_${c}`] as const);

/**
 * An endpoint, its service, the tables it is bound to and whether its project has faults, in one
 * statement (issue 12: four before, each a round trip on PostgreSQL). Locking, it locks the
 * endpoint's row only, as byId does, and leaves the bound tables out: on PostgreSQL a statement
 * that waited for the lock reads the locked row as its holder left it, but other tables as they
 * were when it began (read committed), so the tables must be read by a later statement.
 */
const withContext = (lock: boolean) =>
  prepare((s: Shaping, projectId: string, id: string, at: string) => {
    const q = s.db
      .selectFrom('endpoints')
      .innerJoin('endpoint_services as svc', 'svc.id', 'endpoints.endpoint_service_id')
      .selectAll('endpoints')
      .select(SERVICE_COLUMNS.map((c) => `svc.${c} as svc_${c}` as const))
      .select(lock ? sql<string | null>`null`.as('bound_tables') : boundTablesColumn(s).as('bound_tables'))
      .select((eb) =>
        eb
          .exists(eb.selectFrom('faults').select('faults.id').where('faults.project_id', '=', projectId))
          .as('has_faults'),
      )
      .where('endpoints.project_id', '=', projectId)
      .where('endpoints.id', '=', id)
      .where(presentAt('endpoints', at));
    return lock && s.rowLocks ? q.forUpdate('endpoints') : q;
  });
const WITH_CONTEXT = withContext(false);
const LOCKED_CONTEXT = withContext(true);

/** What lockedContext reads of an endpoint. */
export interface LockedContext {
  endpoint: Row<'endpoints'>;
  service: Row<'endpoint_services'>;
  /** Whether its project has faults (service/faults.ts): without any, none need reading. */
  hasFaults: boolean;
}
/** What withContext reads of an endpoint. */
export interface EndpointContext extends LockedContext {
  /** The route tables it is bound to, sorted. */
  routetables: string[];
}
const BOUND_TABLES = prepare(({ db }, endpointId: string) =>
  db
    .selectFrom('endpoint_routetables')
    .select('routetable_id')
    .where('endpoint_id', '=', endpointId)
    .orderBy('routetable_id'),
);
const BINDINGS_ON_TABLES = prepare((s: Shaping, tableIds: readonly string[]) =>
  s.db.selectFrom('endpoint_routetables').selectAll().where(s.inList('routetable_id', tableIds)),
);
const INSERT_BINDING = prepare(({ db }, endpointId: string, tableId: string, serviceId: string) =>
  db
    .insertInto('endpoint_routetables')
    .values({ endpoint_id: endpointId, routetable_id: tableId, endpoint_service_id: serviceId }),
);
const DELETE_BINDINGS = prepare((s: Shaping, endpointId: string, tableIds: readonly string[]) =>
  s.db
    .deleteFrom('endpoint_routetables')
    .where('endpoint_id', '=', endpointId)
    .where(s.inList('routetable_id', tableIds)),
);
const STORED_COUNT = prepare(({ db }, projectId: string) =>
  db.selectFrom('endpoint_counts').select('n').where('project_id', '=', projectId),
);
/** Rows of the project whose deletion has ended, not swept yet: few, found by the transition index. */
const GONE_COUNT = prepare(({ db }, projectId: string, at: string) =>
  db
    .selectFrom('endpoints')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('status', '=', 'deleting')
    .where('ready_at', '<=', at)
    .where('project_id', '=', projectId),
);
/**
 * A rebind's writes on PostgreSQL, in one statement of data-modifying CTEs (one round trip instead
 * of five): the endpoint's routes and bindings leave the unbound tables, its routes and bindings
 * enter the bound ones, and its status and update time are set when `changed`. The parts run on
 * one snapshot and do not see each other's rows, which they need not: bound and unbound tables are
 * disjoint. Routes and bound tables come as parallel arrays (unnest).
 */
const REBIND_WRITES = prepare(
  (
    s: Shaping,
    endpointId: string,
    serviceId: string,
    unbind: readonly string[],
    bind: readonly string[],
    routeTables: readonly string[],
    routeDestinations: readonly string[],
    routeTypes: readonly string[],
    routeNexthops: readonly string[],
    status: EndpointStatus | null,
    updatedAt: string | null,
    changed: boolean,
  ) =>
    s.db
      .with('unrouted', (db) =>
        db
          .deleteFrom('routes')
          .where('endpoint_id', '=', endpointId)
          .where(s.inList('routetable_id', unbind))
          .returning('routetable_id'),
      )
      .with('unbound', (db) =>
        db
          .deleteFrom('endpoint_routetables')
          .where('endpoint_id', '=', endpointId)
          .where(s.inList('routetable_id', unbind))
          .returning('routetable_id'),
      )
      .with('routed', (db) =>
        db
          .insertInto('routes')
          .columns(['routetable_id', 'destination', 'type', 'nexthop', 'description', 'endpoint_id'])
          .expression(
            sql`select t, d, y, n, ${''}, ${endpointId} from unnest(${routeTables}::text[], ${routeDestinations}::text[], ${routeTypes}::text[], ${routeNexthops}::text[]) as r(t, d, y, n)`,
          )
          .returning('routetable_id'),
      )
      .with('bound', (db) =>
        db
          .insertInto('endpoint_routetables')
          .columns(['endpoint_id', 'routetable_id', 'endpoint_service_id'])
          .expression(sql`select ${endpointId}, t, ${serviceId} from unnest(${bind}::text[]) as b(t)`)
          .returning('routetable_id'),
      )
      .updateTable('endpoints')
      .set({
        status: sql<EndpointStatus>`coalesce(${status}, status)`,
        updated_at: sql<string>`coalesce(${updatedAt}, updated_at)`,
        version: RAISED,
      })
      .where('id', '=', endpointId)
      .where(sql<boolean>`${changed}`),
  11,
);

/** What a rebind writes (service/endpoints.ts #apply). */
export interface RebindWrites {
  endpointId: string;
  serviceId: string;
  unbind: readonly string[];
  bind: readonly string[];
  /** The endpoint's own routes in the bound tables (`egw`, no description: the statement writes ''). */
  routes: readonly NewRow<'routes'>[];
  /**
   * Set when the rebind changed anything: the endpoint's update time, and its status when that is not
   * the row's (an endpoint whose provisioning has ended is stored as it shows). A status written
   * unchanged still rewrites the row's entry in the index by status (migration 005): on SQLite one
   * more page of that index a rebind, at a place of its own (issue 12).
   */
  touched?: { updatedAt: string; status?: EndpointStatus };
}

const SET_STATUS = prepare(({ db }, id: string, status: EndpointStatus, updatedAt: string) =>
  db.updateTable('endpoints').set({ status, updated_at: updatedAt, version: RAISED }).where('id', '=', id),
);
const SET_UPDATED = prepare(({ db }, id: string, updatedAt: string) =>
  db.updateTable('endpoints').set({ updated_at: updatedAt, version: RAISED }).where('id', '=', id),
);
/** The endpoints' versions raised: their bindings changed (a row's own update raises it itself). */
const RAISE_VERSIONS = prepare((s: Shaping, ids: readonly string[]) =>
  s.db.updateTable('endpoints').set({ version: RAISED }).where(s.inList('id', ids)),
);

/** A context statement's row (withContext) as the endpoint, its service and its faults flag. */
function contextOf(found: unknown): LockedContext | undefined {
  const row = found as (Row<'endpoints'> & Record<string, unknown>) | undefined;
  if (!row) return undefined;
  const service: Record<string, unknown> = {};
  for (const [column, alias] of SERVICE_ALIASES) service[column] = row[alias];
  return { endpoint: row, service: service as Row<'endpoint_services'>, hasFaults: Boolean(row.has_faults) };
}

/**
 * A list's page in its order, ties broken by id, for a list query of endpoints (LIST, CONNECTIONS):
 * the order an index of migration 010 holds.
 */
const inOrder =
  (
    order: { sort_key: 'created_at' | 'updated_at'; sort_dir: 'asc' | 'desc' },
    limit: number,
    offset: number,
  ) =>
  <Q extends SelectQueryBuilder<Database, 'endpoints', object>>(q: Q): Q =>
    q
      .orderBy(`endpoints.${order.sort_key}`, order.sort_dir)
      .orderBy('endpoints.id', order.sort_dir)
      .limit(limit)
      .offset(offset) as Q;

/** What decides the text of a list query: the filters given and the order. */
type ListShape = Pick<EndpointListQuery, 'sort_key' | 'sort_dir'> & {
  id: boolean;
  vpc: boolean;
  name: boolean;
  /** The count of the filtered rows instead of a page of them. */
  count: boolean;
};
/** A list query's arguments, every shape's the same; a shape places those it uses. */
type ListArgs = [
  projectId: string,
  at: string,
  id: string,
  vpcId: string,
  namePattern: string,
  limit: number,
  offset: number,
];

const LIST = byShape(
  (shape: ListShape) => Object.values(shape).join(),
  (shape) =>
    prepare((s: Shaping, ...[projectId, at, id, vpcId, pattern, limit, offset]: ListArgs) => {
      let query = s.db
        .selectFrom('endpoints')
        .where('endpoints.project_id', '=', projectId)
        .where(presentAt('endpoints', at));
      if (shape.id) query = query.where('endpoints.id', '=', id);
      if (shape.vpc) query = query.where('endpoints.vpc_id', '=', vpcId);
      // The service only for its name: an endpoint's service is never gone before it. An explicit
      // escape character: SQLite has none by default, PostgreSQL's is the same backslash.
      if (shape.name) {
        query = query.where((eb) =>
          eb.exists(
            eb
              .selectFrom('endpoint_services')
              .select('endpoint_services.id')
              .whereRef('endpoint_services.id', '=', 'endpoints.endpoint_service_id')
              .where(sql<boolean>`${sql.ref('endpoint_services.service_name')} like ${pattern} escape '\\'`),
          ),
        );
      }
      if (shape.count) return query.select((eb) => eb.fn.countAll<string | number>().as('n'));
      return query
        .select(['endpoints.id', 'endpoints.version', 'endpoints.endpoint_service_id'])
        .$call(inOrder(shape, limit, offset));
    }, 7),
);

/** ListServiceConnections' filters, order and page, as the store reads them (EndpointQueries.connections). */
export interface ConnectionsQuery {
  service_id: string;
  /** Endpoints gone at this time are not listed; a status is the one shown at this time. */
  now: Date;
  id?: string;
  marker_id?: number;
  status?: string;
  /** What a `creating` endpoint whose provisioning ended without a fault shows: by the service's approval. */
  settled: string;
  sort_key: 'created_at' | 'updated_at';
  sort_dir: 'asc' | 'desc';
  limit: number;
  offset: number;
}
/** A listed connection: the endpoint with its project's domain. */
export type Connection = Row<'endpoints'> & { domain_id: string };

/** What decides the text of a connections query: the filters given and the order. */
type ConnectionsShape = Pick<ConnectionsQuery, 'sort_key' | 'sort_dir'> & {
  id: boolean;
  marker: boolean;
  status: boolean;
  /** The count of the filtered rows instead of a page of them. */
  count: boolean;
};
/** A connections query's arguments, every shape's the same; a shape places those it uses. */
type ConnectionsArgs = [
  serviceId: string,
  at: string,
  id: string,
  markerId: number,
  status: string,
  /** What a `creating` endpoint whose provisioning has ended without a fault shows (statusAt). */
  settled: string,
  limit: number,
  offset: number,
];

/**
 * A service's endpoints as its provider lists them, each with its project's domain: filtered, in
 * order and paged by the store, so that a page reads its rows only. The status filter is
 * domain/endpoint-status.ts's statusAt written in SQL (a `creating` endpoint whose provisioning
 * time has come shows `failed` after a fault, else `settled`).
 */
const CONNECTIONS = byShape(
  (shape: ConnectionsShape) => Object.values(shape).join(),
  (shape) =>
    prepare(
      (s: Shaping, ...[serviceId, at, id, markerId, status, settled, limit, offset]: ConnectionsArgs) => {
        let query = s.db
          .selectFrom('endpoints')
          .innerJoin('projects', 'projects.id', 'endpoints.project_id')
          .where('endpoints.endpoint_service_id', '=', serviceId)
          .where(presentAt('endpoints', at));
        if (shape.id) query = query.where('endpoints.id', '=', id);
        if (shape.marker) query = query.where('endpoints.marker_id', '=', markerId);
        if (shape.status) {
          const shown = sql<string>`case when ${sql.ref('endpoints.status')} = 'creating' and ${sql.ref('endpoints.ready_at')} <> '' and ${sql.ref('endpoints.ready_at')} <= ${at}
          then case when ${sql.ref('endpoints.error_code')} <> '' then 'failed' else cast(${settled} as text) end
          else ${sql.ref('endpoints.status')} end`;
          query = query.where(shown, '=', status);
        }
        if (shape.count) return query.select((eb) => eb.fn.countAll<string | number>().as('n'));
        return query
          .selectAll('endpoints')
          .select('projects.domain_id')
          .$call(inOrder(shape, limit, offset));
      },
      8,
    ),
);

/** Endpoints by id, each with its project's domain. */
const DOMAINS_OF = prepare((s: Shaping, ids: readonly string[]) =>
  s.db
    .selectFrom('endpoints')
    .innerJoin('projects', 'projects.id', 'endpoints.project_id')
    .select(['endpoints.id', 'projects.domain_id'])
    .where(s.inList('endpoints.id', ids)),
);

/** Endpoints by id, each with the tables it is bound to (boundTablesColumn), in no order. */
const BY_IDS = prepare((s: Shaping, ids: readonly string[]) =>
  s.db
    .selectFrom('endpoints')
    .selectAll()
    .select(boundTablesColumn(s).as('bound_tables'))
    .where(s.inList('endpoints.id', ids)),
);

/** A listed endpoint as the page's statement reads it: what names the view it shows (service/endpoint-views.ts). */
export interface EndpointKey {
  id: string;
  version: number;
  endpoint_service_id: string;
}

/** An endpoint with the route tables it is bound to, sorted. */
export interface EndpointWithTables {
  endpoint: Row<'endpoints'>;
  routetables: string[];
}

export interface EndpointListQuery {
  project_id: string;
  /** Endpoints gone at this time are not listed (store/lifecycle.ts). */
  now: Date;
  id?: string;
  vpc_id?: string;
  /** Fuzzy: a substring of the service name. */
  endpoint_service_name?: string;
  limit: number;
  offset: number;
  sort_key: 'created_at' | 'updated_at';
  sort_dir: 'asc' | 'desc';
}

/**
 * Endpoints and their route-table bindings. Every read of endpoints takes the time it reads at:
 * an endpoint whose deletion has ended is gone (store/lifecycle.ts).
 */
export class EndpointQueries extends Queries {
  /** The endpoint; `forUpdate` makes calls on it take turns. */
  byId(projectId: string, id: string, now: Date, opts?: LockOption) {
    return this.first(opts?.forUpdate ? BY_ID_FOR_UPDATE : BY_ID, projectId, id, now.toISOString());
  }
  /** The endpoint with its service, bound tables and faults flag (withContext); undefined: none. */
  async withContext(projectId: string, id: string, now: Date): Promise<EndpointContext | undefined> {
    const row = contextOf(await this.first(WITH_CONTEXT, projectId, id, now.toISOString()));
    const bound = row && (row.endpoint as Row<'endpoints'> & { bound_tables: string | null }).bound_tables;
    return row && { ...row, routetables: tablesOf(bound ?? null) };
  }
  /**
   * The endpoint, locked so that calls on it take turns, with its service and faults flag; its
   * bound tables are for a later statement to read (withContext).
   */
  async lockedContext(projectId: string, id: string, now: Date): Promise<LockedContext | undefined> {
    return contextOf(await this.first(LOCKED_CONTEXT, projectId, id, now.toISOString()));
  }
  /** lockedContext, to read with others (Tx.together). */
  lockedContextRead(projectId: string, id: string, now: Date): Read<LockedContext | undefined> {
    return this.reading(LOCKED_CONTEXT, [projectId, id, now.toISOString()], (rows) => contextOf(rows[0]));
  }
  /** A project's endpoints, oldest first, each with its service's name. */
  ofProject(projectId: string, now: Date) {
    return this.db
      .selectFrom('endpoints')
      .innerJoin('endpoint_services', 'endpoint_services.id', 'endpoints.endpoint_service_id')
      .select(['endpoints.id', 'endpoints.tags', 'endpoint_services.service_name'])
      .where('endpoints.project_id', '=', projectId)
      .where(present('endpoints', now))
      .orderBy('endpoints.created_at')
      .orderBy('endpoints.id')
      .execute();
  }
  /**
   * How many endpoints the project holds, whatever their status: the rows the triggers of migration
   * 008 count, less those gone at `now` that no sweep has removed yet. Two index lookups, however
   * many endpoints the project has.
   */
  async countOfProject(projectId: string, now: Date): Promise<number> {
    const stored = await this.first(STORED_COUNT, projectId);
    if (!stored) return 0;
    const gone = await this.first(GONE_COUNT, projectId, now.toISOString());
    return Number(stored.n) - Number(gone?.n ?? 0);
  }
  ofVpc(vpcId: string, now: Date) {
    return this.db
      .selectFrom('endpoints')
      .select(['id'])
      .where('vpc_id', '=', vpcId)
      .where(present('endpoints', now))
      .execute();
  }
  /**
   * A page of the project's endpoints, each by its key only (id, version, service), and how many
   * match: the rows themselves are for withTables to read, of the endpoints whose view the caller
   * has not built yet.
   */
  async list(q: EndpointListQuery): Promise<{ page: EndpointKey[]; total: number }> {
    const shape = {
      sort_key: q.sort_key,
      sort_dir: q.sort_dir,
      id: q.id !== undefined,
      vpc: q.vpc_id !== undefined,
      name: q.endpoint_service_name !== undefined,
    };
    const pattern = `%${(q.endpoint_service_name ?? '').replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const args: ListArgs = [
      q.project_id,
      q.now.toISOString(),
      q.id ?? '',
      q.vpc_id ?? '',
      pattern,
      q.limit,
      q.offset,
    ];
    // Unfiltered, the count is the project's (an endpoint's service is never gone before it).
    const filtered = shape.id || shape.vpc || shape.name;
    const total = filtered
      ? await this.#matching(LIST, shape, args)
      : await this.countOfProject(q.project_id, q.now);
    const rows = (await this.all(LIST({ ...shape, count: false }), ...args)) as unknown as EndpointKey[];
    return { page: rows, total };
  }
  /** The endpoints of `ids` with their bound tables, by id; those not found are left out. */
  async withTables(ids: readonly string[]): Promise<Map<string, EndpointWithTables>> {
    const out = new Map<string, EndpointWithTables>();
    if (ids.length === 0) return out;
    const rows = (await this.all(BY_IDS, ids)) as (Row<'endpoints'> & { bound_tables: string | null })[];
    for (const row of rows) out.set(row.id, { endpoint: row, routetables: tablesOf(row.bound_tables) });
    return out;
  }
  async insert(row: NewRow<'endpoints'>) {
    await this.db.insertInto('endpoints').values(row).execute();
  }
  async update(id: string, patch: Updateable<Database['endpoints']>) {
    await this.db
      .updateTable('endpoints')
      .set({ ...patch, version: RAISED })
      .where('id', '=', id)
      .execute();
  }
  /**
   * What endpoints hold leaves the store: their `egw` routes, their bindings and their addresses.
   * The caller has locked the tables of the routes (routetables.md, "Atomicity").
   */
  async release(ids: readonly string[]) {
    if (ids.length === 0) return;
    await this.db.deleteFrom('routes').where('endpoint_id', 'in', ids).execute();
    await this.db.deleteFrom('endpoint_routetables').where('endpoint_id', 'in', ids).execute();
    await this.run(RAISE_VERSIONS, ids);
    await this.db.deleteFrom('ip_allocations').where('owner_id', 'in', ids).execute();
  }
  /** Endpoints leave the store, with whatever they still hold. */
  async remove(ids: readonly string[]) {
    if (ids.length === 0) return;
    await this.release(ids);
    await this.db.deleteFrom('endpoints').where('id', 'in', ids).execute();
  }
  async boundTables(endpointId: string): Promise<string[]> {
    return (await this.all(BOUND_TABLES, endpointId)).map((r) => r.routetable_id);
  }
  /** Bindings on these tables, any endpoint. */
  bindingsOnTables(tableIds: readonly string[]) {
    if (tableIds.length === 0) return Promise.resolve([]);
    return this.all(BINDINGS_ON_TABLES, tableIds);
  }
  /**
   * A rebind's writes: on PostgreSQL in one statement (REBIND_WRITES), elsewhere one statement each,
   * where a statement costs no round trip.
   */
  async rebindWrites(w: RebindWrites) {
    const rebound = w.unbind.length + w.bind.length > 0;
    if (this.engine.dialect === 'postgres') {
      // The endpoint's row is written (its version raised) when anything changed; its status and
      // update time only when given.
      await this.runAtCommit(
        REBIND_WRITES,
        w.endpointId,
        w.serviceId,
        w.unbind,
        w.bind,
        w.routes.map((r) => r.routetable_id),
        w.routes.map((r) => r.destination),
        w.routes.map((r) => r.type),
        w.routes.map((r) => r.nexthop),
        w.touched?.status ?? null,
        w.touched?.updatedAt ?? null,
        rebound || w.touched !== undefined,
      );
      return;
    }
    const network = new NetworkQueries(this.db, this.engine);
    await network.deleteEndpointRoutes(w.endpointId, w.unbind);
    if (w.unbind.length > 0) await this.run(DELETE_BINDINGS, w.endpointId, w.unbind);
    await network.insertRoutes([...w.routes]);
    for (const t of w.bind) await this.run(INSERT_BINDING, w.endpointId, t, w.serviceId);
    const { touched } = w;
    if (touched?.status) await this.run(SET_STATUS, w.endpointId, touched.status, touched.updatedAt);
    else if (touched) await this.run(SET_UPDATED, w.endpointId, touched.updatedAt);
    else if (rebound) await this.run(RAISE_VERSIONS, [w.endpointId]);
  }

  /** An endpoint of any project, for the provider of its service; `forUpdate` as for byId. */
  byIdOfAnyProject(id: string, now: Date, opts?: LockOption) {
    return this.locking(
      this.db.selectFrom('endpoints').selectAll().where('id', '=', id).where(present('endpoints', now)),
      opts,
    ).executeTakeFirst();
  }
  /** The endpoints of a service, whoever made them, each with its project's domain; of `ids` only, when given. */
  async ofService(serviceId: string, now: Date, ids?: readonly string[]) {
    if (ids?.length === 0) return [];
    let q = this.db
      .selectFrom('endpoints')
      .innerJoin('projects', 'projects.id', 'endpoints.project_id')
      .selectAll('endpoints')
      .select('projects.domain_id')
      .where('endpoints.endpoint_service_id', '=', serviceId)
      .where(present('endpoints', now));
    if (ids) q = q.where('endpoints.id', 'in', ids);
    return q.execute();
  }
  /** A page of a service's endpoints as its provider lists them (CONNECTIONS), and how many match. */
  async connections(q: ConnectionsQuery): Promise<{ page: Connection[]; total: number }> {
    const shape = {
      sort_key: q.sort_key,
      sort_dir: q.sort_dir,
      id: q.id !== undefined,
      marker: q.marker_id !== undefined,
      status: q.status !== undefined,
    };
    const args: ConnectionsArgs = [
      q.service_id,
      q.now.toISOString(),
      q.id ?? '',
      q.marker_id ?? 0,
      q.status ?? '',
      q.settled,
      q.limit,
      q.offset,
    ];
    const total = await this.#matching(CONNECTIONS, shape, args);
    const page = await this.all(CONNECTIONS({ ...shape, count: false }), ...args);
    return { page: page as unknown as Connection[], total };
  }
  /** How many rows a list query's filters match: the `n` of its family's count shape (LIST, CONNECTIONS). */
  async #matching<S extends object, A extends readonly unknown[]>(
    family: (shape: S & { count: boolean }) => Prepared<A, unknown>,
    shape: S,
    args: A,
  ): Promise<number> {
    const row = (await this.first(family({ ...shape, count: true }), ...args)) as { n: string | number };
    return Number(row.n);
  }
  /** The domain of each endpoint of `ids` that exists, by id. */
  async domainsOf(ids: readonly string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = (await this.all(DOMAINS_OF, ids)) as unknown as { id: string; domain_id: string }[];
    return new Map(rows.map((r) => [r.id, r.domain_id]));
  }
  /** How many endpoints each of these services has. */
  async countsOfServices(serviceIds: readonly string[], now: Date): Promise<Map<string, number>> {
    const out = new Map<string, number>(serviceIds.map((id) => [id, 0]));
    if (serviceIds.length === 0) return out;
    const rows = await this.db
      .selectFrom('endpoints')
      .select(['endpoint_service_id', (eb) => eb.fn.countAll<string | number>().as('n')])
      .where('endpoint_service_id', 'in', serviceIds)
      .where(present('endpoints', now))
      .groupBy('endpoint_service_id')
      .execute();
    for (const r of rows) out.set(r.endpoint_service_id, Number(r.n));
    return out;
  }
  /**
   * Every endpoint counted in groups that share what its status at `now` depends on (stored status,
   * service type, approval, and whether its provisioning time has come), each group with one
   * `ready_at` of its members to decide it by: at most a few dozen rows, in one aggregate query.
   */
  async statusGroups(now: Date) {
    const due = sql<number>`case when endpoints.ready_at <= ${now.toISOString()} then 1 else 0 end`;
    const rows = await this.db
      .selectFrom('endpoints')
      .innerJoin('endpoint_services', 'endpoint_services.id', 'endpoints.endpoint_service_id')
      .where(present('endpoints', now))
      .select((eb) => [
        'endpoints.status',
        'endpoints.error_code',
        'endpoint_services.service_type',
        'endpoint_services.approval_enabled',
        eb.fn.min('endpoints.ready_at').as('ready_at'),
        eb.fn.countAll<number | string>().as('n'),
      ])
      .groupBy([
        'endpoints.status',
        'endpoints.error_code',
        'endpoint_services.service_type',
        'endpoint_services.approval_enabled',
        due,
      ])
      .execute();
    return rows.map((r) => ({ ...r, n: Number(r.n) }));
  }
}
