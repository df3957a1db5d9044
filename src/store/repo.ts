import { sql, type Insertable, type Kysely, type Selectable, type Updateable } from 'kysely';
import type { Database } from './schema.ts';
import type { Dialect } from './store.ts';

export type Row<T extends keyof Database> = Selectable<Database[T]>;
export type NewRow<T extends keyof Database> = Insertable<Database[T]>;

export interface EndpointListQuery {
  project_id: string;
  id?: string;
  vpc_id?: string;
  /** Fuzzy: a substring of the service name. */
  endpoint_service_name?: string;
  limit: number;
  offset: number;
  sort_key: 'created_at' | 'updated_at';
  sort_dir: 'asc' | 'desc';
}

export interface RoutetableListQuery {
  project_id: string;
  id?: string;
  vpc_id?: string;
  subnet_id?: string;
  marker?: string;
  limit: number;
}

/** An arbitrary constant naming vpcep's set-up lock among the database's advisory locks. */
const SETUP_LOCK = 7_311_042_002;

/**
 * Typed reads and writes of the store, bound to one executor (a transaction or the database).
 * No rules live here: services decide, the repo only moves rows.
 */
export class Repo {
  constructor(
    readonly db: Kysely<Database>,
    readonly dialect: Dialect,
  ) {}

  /**
   * Makes one-time set-up (bootstrap, the first server key) take turns across replicas that start
   * together (PostgreSQL; a transaction-scoped advisory lock). On SQLite `begin immediate` already
   * serializes writers.
   */
  async lockSetup() {
    if (this.dialect !== 'postgres') return;
    await sql`select pg_advisory_xact_lock(${SETUP_LOCK})`.execute(this.db);
  }

  // Identity

  domainByName(name: string) {
    return this.db.selectFrom('domains').selectAll().where('name', '=', name).executeTakeFirst();
  }
  async insertDomain(row: NewRow<'domains'>) {
    await this.db.insertInto('domains').values(row).execute();
  }
  projectById(id: string) {
    return this.db.selectFrom('projects').selectAll().where('id', '=', id).executeTakeFirst();
  }
  projectsOfDomain(domainId: string) {
    return this.db
      .selectFrom('projects')
      .selectAll()
      .where('domain_id', '=', domainId)
      .orderBy('name')
      .execute();
  }
  async insertProject(row: NewRow<'projects'>) {
    await this.db.insertInto('projects').values(row).execute();
  }
  userByName(domainId: string, name: string) {
    return this.db
      .selectFrom('users')
      .selectAll()
      .where('domain_id', '=', domainId)
      .where('name', '=', name)
      .executeTakeFirst();
  }
  async insertUser(row: NewRow<'users'>) {
    await this.db.insertInto('users').values(row).execute();
  }
  async insertAccessKey(row: NewRow<'access_keys'>) {
    await this.db.insertInto('access_keys').values(row).execute();
  }
  accessKey(access: string) {
    return this.db.selectFrom('access_keys').selectAll().where('access', '=', access).executeTakeFirst();
  }
  /** An access key with its user and domain, for verifying a signature. */
  accessKeyOwner(access: string) {
    return this.db
      .selectFrom('access_keys')
      .innerJoin('users', 'users.id', 'access_keys.user_id')
      .innerJoin('domains', 'domains.id', 'users.domain_id')
      .select([
        'access_keys.access',
        'access_keys.secret',
        'access_keys.status',
        'users.id as user_id',
        'users.name as user_name',
        'domains.id as domain_id',
        'domains.name as domain_name',
      ])
      .where('access_keys.access', '=', access)
      .executeTakeFirst();
  }
  accessKeysOfUser(userId: string) {
    return this.db
      .selectFrom('access_keys')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('created_at')
      .execute();
  }
  async updateAccessKey(access: string, patch: { status?: string; description?: string }) {
    await this.db.updateTable('access_keys').set(patch).where('access', '=', access).execute();
  }
  async deleteAccessKey(access: string) {
    await this.db.deleteFrom('access_keys').where('access', '=', access).execute();
  }
  userById(id: string) {
    return this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  }
  serverKeys() {
    return this.db.selectFrom('server_keys').selectAll().orderBy('created_at').execute();
  }
  async insertServerKey(row: NewRow<'server_keys'>) {
    await this.db.insertInto('server_keys').values(row).execute();
  }

  // VPCs and subnets

  vpc(projectId: string, id: string) {
    return this.db
      .selectFrom('vpcs')
      .selectAll()
      .where('project_id', '=', projectId)
      .where('id', '=', id)
      .executeTakeFirst();
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
  subnet(projectId: string, id: string) {
    return this.db
      .selectFrom('subnets')
      .selectAll()
      .where('project_id', '=', projectId)
      .where('id', '=', id)
      .executeTakeFirst();
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

  // Route tables and routes

  routetable(projectId: string, id: string) {
    return this.db
      .selectFrom('routetables')
      .selectAll()
      .where('project_id', '=', projectId)
      .where('id', '=', id)
      .executeTakeFirst();
  }
  routetablesByIds(projectId: string, ids: readonly string[]) {
    if (ids.length === 0) return Promise.resolve([]);
    return this.db
      .selectFrom('routetables')
      .selectAll()
      .where('project_id', '=', projectId)
      .where('id', 'in', ids)
      .execute();
  }
  /** Makes binders of one table take turns across processes (PostgreSQL); ids in a fixed order. */
  async lockRoutetables(ids: readonly string[]) {
    if (this.dialect !== 'postgres' || ids.length === 0) return;
    await this.db
      .selectFrom('routetables')
      .select('id')
      .where('id', 'in', ids)
      .orderBy('id')
      .forUpdate()
      .execute();
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
  routesOfTables(tableIds: readonly string[]) {
    if (tableIds.length === 0) return Promise.resolve([]);
    return this.db.selectFrom('routes').selectAll().where('routetable_id', 'in', tableIds).execute();
  }
  async insertRoutes(rows: NewRow<'routes'>[]) {
    if (rows.length > 0) await this.db.insertInto('routes').values(rows).execute();
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
    let q = this.db.deleteFrom('routes').where('endpoint_id', '=', endpointId);
    if (tableIds !== undefined) {
      if (tableIds.length === 0) return;
      q = q.where('routetable_id', 'in', tableIds);
    }
    await q.execute();
  }

  // Endpoint services

  service(id: string) {
    return this.db.selectFrom('endpoint_services').selectAll().where('id', '=', id).executeTakeFirst();
  }
  serviceByName(name: string) {
    return this.db
      .selectFrom('endpoint_services')
      .selectAll()
      .where('service_name', '=', name)
      .executeTakeFirst();
  }
  publicServices() {
    return this.db
      .selectFrom('endpoint_services')
      .selectAll()
      .where('owner_project_id', 'is', null)
      .orderBy('service_name')
      .execute();
  }
  async insertService(row: NewRow<'endpoint_services'>) {
    await this.db.insertInto('endpoint_services').values(row).execute();
  }

  // Endpoints and their bindings

  endpoint(projectId: string, id: string) {
    return this.db
      .selectFrom('endpoints')
      .selectAll()
      .where('project_id', '=', projectId)
      .where('id', '=', id)
      .executeTakeFirst();
  }
  /**
   * Reads the endpoint and makes calls on it take turns: a row lock on PostgreSQL; on SQLite the
   * surrounding `begin immediate` transaction already holds the only write lock.
   */
  lockEndpoint(projectId: string, id: string) {
    let q = this.db
      .selectFrom('endpoints')
      .selectAll()
      .where('project_id', '=', projectId)
      .where('id', '=', id);
    if (this.dialect === 'postgres') q = q.forUpdate();
    return q.executeTakeFirst();
  }
  endpointsOfVpc(vpcId: string) {
    return this.db.selectFrom('endpoints').select(['id']).where('vpc_id', '=', vpcId).execute();
  }
  async endpoints(q: EndpointListQuery) {
    let query = this.db
      .selectFrom('endpoints')
      .innerJoin('endpoint_services', 'endpoint_services.id', 'endpoints.endpoint_service_id')
      .where('endpoints.project_id', '=', q.project_id);
    if (q.id !== undefined) query = query.where('endpoints.id', '=', q.id);
    if (q.vpc_id !== undefined) query = query.where('endpoints.vpc_id', '=', q.vpc_id);
    if (q.endpoint_service_name !== undefined) {
      const pattern = `%${q.endpoint_service_name.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      // An explicit escape character: SQLite has none by default, PostgreSQL's is the same backslash.
      query = query.where(
        sql<boolean>`${sql.ref('endpoint_services.service_name')} like ${pattern} escape '\\'`,
      );
    }
    const total = await query
      .select((eb) => eb.fn.countAll<string | number>().as('n'))
      .executeTakeFirstOrThrow();
    const rows = await query
      .selectAll('endpoints')
      .orderBy(`endpoints.${q.sort_key}`, q.sort_dir)
      .orderBy('endpoints.id', q.sort_dir)
      .limit(q.limit)
      .offset(q.offset)
      .execute();
    return { rows, total: Number(total.n) };
  }
  async insertEndpoint(row: NewRow<'endpoints'>) {
    await this.db.insertInto('endpoints').values(row).execute();
  }
  async updateEndpoint(id: string, patch: Updateable<Database['endpoints']>) {
    await this.db.updateTable('endpoints').set(patch).where('id', '=', id).execute();
  }
  async deleteEndpoint(id: string) {
    await this.db.deleteFrom('endpoint_routetables').where('endpoint_id', '=', id).execute();
    await this.db.deleteFrom('endpoints').where('id', '=', id).execute();
  }
  async boundTables(endpointId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('endpoint_routetables')
      .select('routetable_id')
      .where('endpoint_id', '=', endpointId)
      .orderBy('routetable_id')
      .execute();
    return rows.map((r) => r.routetable_id);
  }
  /** Bound tables of many endpoints at once, for lists. */
  async boundTablesOf(endpointIds: readonly string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>(endpointIds.map((id) => [id, []]));
    if (endpointIds.length === 0) return out;
    const rows = await this.db
      .selectFrom('endpoint_routetables')
      .select(['endpoint_id', 'routetable_id'])
      .where('endpoint_id', 'in', endpointIds)
      .orderBy('routetable_id')
      .execute();
    for (const r of rows) out.get(r.endpoint_id)?.push(r.routetable_id);
    return out;
  }
  /** Bindings on these tables, any endpoint. */
  bindingsOnTables(tableIds: readonly string[]) {
    if (tableIds.length === 0) return Promise.resolve([]);
    return this.db
      .selectFrom('endpoint_routetables')
      .selectAll()
      .where('routetable_id', 'in', tableIds)
      .execute();
  }
  async insertBindings(rows: NewRow<'endpoint_routetables'>[]) {
    if (rows.length > 0) await this.db.insertInto('endpoint_routetables').values(rows).execute();
  }
  async deleteBindings(endpointId: string, tableIds: readonly string[]) {
    if (tableIds.length === 0) return;
    await this.db
      .deleteFrom('endpoint_routetables')
      .where('endpoint_id', '=', endpointId)
      .where('routetable_id', 'in', tableIds)
      .execute();
  }

  // Faults

  faults(projectId: string) {
    return this.db
      .selectFrom('faults')
      .selectAll()
      .where('project_id', '=', projectId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
  }
  /** The project's faults, locked on PostgreSQL: a fault that fires is used up by one call only. */
  lockFaults(projectId: string) {
    let q = this.db
      .selectFrom('faults')
      .selectAll()
      .where('project_id', '=', projectId)
      .orderBy('created_at')
      .orderBy('id');
    if (this.dialect === 'postgres') q = q.forUpdate();
    return q.execute();
  }
  async insertFault(row: NewRow<'faults'>) {
    await this.db.insertInto('faults').values(row).execute();
  }
  async updateFault(id: string, remaining: number | null) {
    await this.db.updateTable('faults').set({ remaining }).where('id', '=', id).execute();
  }
  async deleteFault(projectId: string, id: string) {
    const r = await this.db
      .deleteFrom('faults')
      .where('project_id', '=', projectId)
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  // Audit

  async audit(row: NewRow<'audit_log'>) {
    await this.db.insertInto('audit_log').values(row).execute();
  }
  auditLog(projectId: string, limit: number) {
    return this.db
      .selectFrom('audit_log')
      .selectAll()
      .where('project_id', '=', projectId)
      .orderBy('seq', 'desc')
      .limit(limit)
      .execute();
  }
}
