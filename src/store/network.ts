import { sql, type Expression, type SqlBool, type Updateable } from 'kysely';
import type { Database } from './schema.ts';
import { prepare, type Shaping } from './prepared.ts';
import { Queries, type LockOption, type NewRow } from './queries.ts';

/** TABLES_OF_REBIND's rows: the project's only, `bound` a boolean on both stores. */
const touchedOf = <T extends { project_id: string; bound: unknown }>(projectId: string, rows: T[]) =>
  rows
    .filter((t) => t.project_id === projectId)
    .map((t) => ({ ...(t as Omit<T, 'bound'>), bound: Boolean(t.bound) }));

// By id alone: with the project in the query, SQLite's planner would walk the project's every table
// (its index) rather than look each id up, not knowing how short the list is.
const ROUTETABLES_BY_IDS = prepare((s: Shaping, ids: readonly string[]) =>
  s.db.selectFrom('routetables').selectAll().where(s.inList('id', ids)),
);
/**
 * The tables a rebind touches: those it names and those the endpoint is bound to, each with
 * whether it is bound, in id order; on PostgreSQL only the project's, locked in that order (check 8
 * and the locks of routetables.md in one statement). Called with the endpoint locked, so that its
 * bindings, read here, cannot change before it commits.
 *
 * PostgreSQL: the bound tables as one array, read once (an init plan), so the tables are one index
 * lookup of a list and the plan is generic; a union of the two lists was re-planned at each call,
 * twice the statement's cost. SQLite: the union, each id looked up (by id alone, as
 * ROUTETABLES_BY_IDS; the project checked by the caller).
 */
const TABLES_OF_REBIND = prepare(
  (s: Shaping, projectId: string, endpointId: string, ids: readonly string[]) => {
    const bound = sql`select routetable_id from endpoint_routetables where endpoint_id = ${endpointId}`;
    const q = s.db.selectFrom('routetables').selectAll('routetables').orderBy('routetables.id');
    if (s.dialect === 'sqlite') {
      return q
        .select(sql<number>`routetables.id in (${bound})`.as('bound'))
        .where(sql<SqlBool>`routetables.id in (select value from json_each(${s.list(ids)}) union ${bound})`);
    }
    return q
      .select(sql<boolean>`routetables.id = any(array(${bound}))`.as('bound'))
      .where('routetables.project_id', '=', projectId)
      .where(sql<SqlBool>`routetables.id = any(${s.list(ids)}::text[] || array(${bound}))`)
      .forUpdate('routetables');
  },
);
/**
 * What a binder must know of tables: their routes, and the bindings of endpoints of one service
 * to them, in one statement (a route's row has a destination; a binding's has none). `tables`
 * says which tables by their id column, `service` which service.
 */
function occupancyQuery(
  s: Shaping,
  tables: (column: string) => Expression<SqlBool>,
  service: Expression<string>,
) {
  return s.db
    .selectFrom('routes')
    .select([
      'routetable_id',
      sql<string | null>`${sql.ref('destination')}`.as('destination'),
      'endpoint_id',
      sql<string | null>`cast(null as text)`.as('bound_endpoint_id'),
    ])
    .where(tables('routes.routetable_id'))
    .unionAll(
      s.db
        .selectFrom('endpoint_routetables')
        .select([
          'routetable_id',
          sql<string | null>`cast(null as text)`.as('destination'),
          sql<string | null>`cast(null as text)`.as('endpoint_id'),
          sql<string | null>`${sql.ref('endpoint_id')}`.as('bound_endpoint_id'),
        ])
        .where(tables('endpoint_routetables.routetable_id'))
        .where('endpoint_service_id', '=', service),
    );
}
const TABLE_OCCUPANCY = prepare((s: Shaping, tableIds: readonly string[], serviceId: string) =>
  occupancyQuery(s, (column) => s.inList(column, tableIds), sql<string>`${serviceId}`),
);
/**
 * TABLE_OCCUPANCY of a rebind's tables to bind, known without the caller's reading the endpoint
 * first, so that it can go with the reads before it (Tx.together): those of `tableIds` the
 * endpoint is not bound to, and the bindings of endpoints of its service.
 */
const OCCUPANCY_OF_REBIND = prepare((s: Shaping, endpointId: string, tableIds: readonly string[]) =>
  occupancyQuery(
    s,
    (column) =>
      sql<SqlBool>`${s.inList(column, tableIds)} and ${sql.ref(column)} not in (select routetable_id from endpoint_routetables where endpoint_id = ${endpointId})`,
    sql<string>`(select endpoint_service_id from endpoints where id = ${endpointId})`,
  ),
);
const LOCK_ROUTETABLES = prepare((s: Shaping, ids: readonly string[]) =>
  s.forUpdate(s.db.selectFrom('routetables').select('id').where(s.inList('id', ids)).orderBy('id')),
);
const INSERT_ROUTE = prepare(
  (
    { db },
    tableId: string,
    destination: string,
    type: string,
    nexthop: string,
    description: string,
    endpointId: string | null,
  ) =>
    db.insertInto('routes').values({
      routetable_id: tableId,
      destination,
      type: type as NewRow<'routes'>['type'],
      nexthop,
      description,
      endpoint_id: endpointId,
    }),
);
const DELETE_ENDPOINT_ROUTES_IN = prepare((s: Shaping, endpointId: string, tableIds: readonly string[]) =>
  s.db.deleteFrom('routes').where('endpoint_id', '=', endpointId).where(s.inList('routetable_id', tableIds)),
);

export interface RoutetableListQuery {
  project_id: string;
  id?: string;
  vpc_id?: string;
  subnet_id?: string;
  marker?: string;
  limit: number;
}

/** VPCs, subnets, route tables and their routes. */
export class NetworkQueries extends Queries {
  vpc(projectId: string, id: string, opts?: LockOption) {
    return this.locking(
      this.db.selectFrom('vpcs').selectAll().where('project_id', '=', projectId).where('id', '=', id),
      opts,
    ).executeTakeFirst();
  }
  vpcs(projectId: string) {
    return this.db
      .selectFrom('vpcs')
      .selectAll()
      .where('project_id', '=', projectId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
  }
  async insertVpc(row: NewRow<'vpcs'>) {
    await this.db.insertInto('vpcs').values(row).execute();
  }
  async deleteVpc(id: string) {
    await this.db.deleteFrom('vpcs').where('id', '=', id).execute();
  }
  /** The subnet; `forUpdate` makes the allocations of its addresses take turns. */
  subnet(projectId: string, id: string, opts?: LockOption) {
    return this.locking(
      this.db.selectFrom('subnets').selectAll().where('project_id', '=', projectId).where('id', '=', id),
      opts,
    ).executeTakeFirst();
  }
  subnets(projectId: string, vpcId?: string) {
    let q = this.db.selectFrom('subnets').selectAll().where('project_id', '=', projectId);
    if (vpcId !== undefined) q = q.where('vpc_id', '=', vpcId);
    return q.orderBy('created_at').orderBy('id').execute();
  }
  subnetsOfTables(tableIds: readonly string[]) {
    if (tableIds.length === 0) return Promise.resolve([]);
    return this.db
      .selectFrom('subnets')
      .select(['id', 'routetable_id'])
      .where('routetable_id', 'in', tableIds)
      .execute();
  }
  async insertSubnet(row: NewRow<'subnets'>) {
    await this.db.insertInto('subnets').values(row).execute();
  }
  async updateSubnet(id: string, patch: Updateable<Database['subnets']>) {
    await this.db.updateTable('subnets').set(patch).where('id', '=', id).execute();
  }
  async deleteSubnet(id: string) {
    await this.db.deleteFrom('subnets').where('id', '=', id).execute();
  }

  /** The table; `forUpdate` makes its route edits and endpoint bindings take turns. */
  routetable(projectId: string, id: string, opts?: LockOption) {
    return this.locking(
      this.db.selectFrom('routetables').selectAll().where('project_id', '=', projectId).where('id', '=', id),
      opts,
    ).executeTakeFirst();
  }
  /** The project's tables of `ids`. */
  async routetablesByIds(projectId: string, ids: readonly string[]) {
    if (ids.length === 0) return [];
    return (await this.all(ROUTETABLES_BY_IDS, ids)).filter((t) => t.project_id === projectId);
  }
  /**
   * The project's tables a rebind of `endpointId` to `ids` touches, named or bound, each with
   * whether it is bound, in id order; locked on PostgreSQL (TABLES_OF_REBIND).
   */
  async tablesOfRebind(projectId: string, endpointId: string, ids: readonly string[]) {
    return touchedOf(projectId, await this.all(TABLES_OF_REBIND, projectId, endpointId, ids));
  }
  /** tablesOfRebind, to read with others (Tx.together). */
  tablesOfRebindRead(projectId: string, endpointId: string, ids: readonly string[]) {
    return this.reading(TABLES_OF_REBIND, [projectId, endpointId, ids], (rows) => touchedOf(projectId, rows));
  }
  /**
   * What a rebind of `endpointId` to `ids` must know of the tables it binds (occupancy): those of
   * `ids` the endpoint is not bound to, its service's bindings; to read with others (Tx.together).
   */
  occupancyOfRebindRead(endpointId: string, ids: readonly string[]) {
    return this.reading(OCCUPANCY_OF_REBIND, [endpointId, ids], (rows) => rows);
  }
  /** Makes binders of one table take turns across processes (PostgreSQL); ids in a fixed order. */
  async lockRoutetables(ids: readonly string[]) {
    if (ids.length === 0 || !this.engine.rowLocks) return;
    await this.all(LOCK_ROUTETABLES, ids);
  }
  defaultRoutetable(vpcId: string) {
    return this.db
      .selectFrom('routetables')
      .selectAll()
      .where('vpc_id', '=', vpcId)
      .where('is_default', '=', 1)
      .executeTakeFirst();
  }
  routetablesOfVpc(vpcId: string) {
    return this.db.selectFrom('routetables').selectAll().where('vpc_id', '=', vpcId).execute();
  }
  async routetables(q: RoutetableListQuery) {
    let query = this.db.selectFrom('routetables').selectAll().where('project_id', '=', q.project_id);
    if (q.id !== undefined) query = query.where('id', '=', q.id);
    if (q.vpc_id !== undefined) query = query.where('vpc_id', '=', q.vpc_id);
    if (q.subnet_id !== undefined) {
      const subnet = await this.db
        .selectFrom('subnets')
        .select(['vpc_id', 'routetable_id'])
        .where('id', '=', q.subnet_id)
        .where('project_id', '=', q.project_id)
        .executeTakeFirst();
      if (!subnet) return [];
      query = subnet.routetable_id
        ? query.where('id', '=', subnet.routetable_id)
        : query.where('vpc_id', '=', subnet.vpc_id).where('is_default', '=', 1);
    }
    if (q.marker !== undefined) query = query.where('id', '>', q.marker);
    return query.orderBy('id').limit(q.limit).execute();
  }
  async insertRoutetable(row: NewRow<'routetables'>) {
    await this.db.insertInto('routetables').values(row).execute();
  }
  async updateRoutetable(id: string, patch: Updateable<Database['routetables']>) {
    await this.db.updateTable('routetables').set(patch).where('id', '=', id).execute();
  }
  async deleteRoutetable(id: string) {
    await this.db.deleteFrom('routes').where('routetable_id', '=', id).execute();
    await this.db.deleteFrom('routetables').where('id', '=', id).execute();
  }
  routes(tableId: string) {
    return this.db
      .selectFrom('routes')
      .selectAll()
      .where('routetable_id', '=', tableId)
      .orderBy('destination')
      .execute();
  }
  /**
   * The routes of these tables (rows with a `destination`) and the bindings of endpoints of
   * `serviceId` to them (rows with a `bound_endpoint_id`), in one statement.
   */
  occupancy(tableIds: readonly string[], serviceId: string) {
    if (tableIds.length === 0) return Promise.resolve([]);
    return this.all(TABLE_OCCUPANCY, tableIds, serviceId);
  }
  async insertRoutes(rows: NewRow<'routes'>[]) {
    for (const r of rows) {
      await this.run(
        INSERT_ROUTE,
        r.routetable_id,
        r.destination,
        r.type,
        r.nexthop,
        r.description ?? '',
        r.endpoint_id ?? null,
      );
    }
  }
  async updateRoute(tableId: string, destination: string, patch: Updateable<Database['routes']>) {
    await this.db
      .updateTable('routes')
      .set(patch)
      .where('routetable_id', '=', tableId)
      .where('destination', '=', destination)
      .execute();
  }
  async deleteRoutes(tableId: string, destinations: readonly string[]) {
    if (destinations.length === 0) return;
    await this.db
      .deleteFrom('routes')
      .where('routetable_id', '=', tableId)
      .where('destination', 'in', destinations)
      .execute();
  }
  async deleteEndpointRoutes(endpointId: string, tableIds?: readonly string[]) {
    if (tableIds === undefined) {
      await this.db.deleteFrom('routes').where('endpoint_id', '=', endpointId).execute();
    } else if (tableIds.length > 0) {
      await this.run(DELETE_ENDPOINT_ROUTES_IN, endpointId, tableIds);
    }
  }

  /** The port; `forUpdate` makes a delete and the services that name it take turns. */
  port(projectId: string, id: string, opts?: LockOption) {
    return this.locking(
      this.db.selectFrom('ports').selectAll().where('project_id', '=', projectId).where('id', '=', id),
      opts,
    ).executeTakeFirst();
  }
  ports(projectId: string) {
    return this.db
      .selectFrom('ports')
      .selectAll()
      .where('project_id', '=', projectId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
  }
  async insertPort(row: NewRow<'ports'>) {
    await this.db.insertInto('ports').values(row).execute();
  }
  async deletePort(id: string) {
    await this.db.deleteFrom('ports').where('id', '=', id).execute();
  }

  /** The addresses in use in a subnet, by ports and interface endpoints alike. */
  async addressesInUse(subnetId: string): Promise<Set<string>> {
    const rows = await this.db
      .selectFrom('ip_allocations')
      .select('ip_address')
      .where('subnet_id', '=', subnetId)
      .execute();
    return new Set(rows.map((r) => r.ip_address));
  }
  async insertAllocation(row: NewRow<'ip_allocations'>) {
    await this.db.insertInto('ip_allocations').values(row).execute();
  }
  /** Frees every address `ownerId` (a port or an endpoint) holds. */
  async releaseAddresses(ownerId: string) {
    await this.db.deleteFrom('ip_allocations').where('owner_id', '=', ownerId).execute();
  }
}
