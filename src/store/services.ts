import { Queries, type LockOption, type NewRow } from './queries.ts';
import type { Updateable } from 'kysely';
import type { Database } from './schema.ts';

/** Endpoint services and their permissions. */
export class ServiceQueries extends Queries {
  /** The service; `forUpdate` makes its changes, and endpoints made of it, take turns. */
  byId(id: string, opts?: LockOption) {
    return this.locking(
      this.db.selectFrom('endpoint_services').selectAll().where('id', '=', id),
      opts,
    ).executeTakeFirst();
  }
  /** How many endpoint services the project owns. */
  async countOwnedBy(projectId: string): Promise<number> {
    const row = await this.db
      .selectFrom('endpoint_services')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('owner_project_id', '=', projectId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
  byName(name: string) {
    return this.db
      .selectFrom('endpoint_services')
      .selectAll()
      .where('service_name', '=', name)
      .executeTakeFirst();
  }
  listPublic() {
    return this.db
      .selectFrom('endpoint_services')
      .selectAll()
      .where('owner_project_id', 'is', null)
      .orderBy('service_name')
      .execute();
  }
  /** The services a project owns, oldest first. */
  ownedBy(projectId: string) {
    return this.db
      .selectFrom('endpoint_services')
      .selectAll()
      .where('owner_project_id', '=', projectId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
  }
  /** The services whose backend is this port. */
  ofPort(portId: string) {
    return this.db.selectFrom('endpoint_services').selectAll().where('port_id', '=', portId).execute();
  }
  async insert(row: NewRow<'endpoint_services'>) {
    await this.db.insertInto('endpoint_services').values(row).execute();
  }
  async update(id: string, patch: Updateable<Database['endpoint_services']>) {
    await this.db.updateTable('endpoint_services').set(patch).where('id', '=', id).execute();
  }
  async delete(id: string) {
    await this.db.deleteFrom('service_permissions').where('endpoint_service_id', '=', id).execute();
    await this.db.deleteFrom('endpoint_services').where('id', '=', id).execute();
  }

  permissions(serviceId: string) {
    return this.db
      .selectFrom('service_permissions')
      .selectAll()
      .where('endpoint_service_id', '=', serviceId)
      .orderBy('created_at')
      .orderBy('permission')
      .execute();
  }
  async insertPermissions(rows: NewRow<'service_permissions'>[]) {
    if (rows.length > 0) await this.db.insertInto('service_permissions').values(rows).execute();
  }
  async deletePermissions(serviceId: string, ids: readonly string[]) {
    if (ids.length === 0) return;
    await this.db
      .deleteFrom('service_permissions')
      .where('endpoint_service_id', '=', serviceId)
      .where('id', 'in', ids)
      .execute();
  }
  async updatePermission(id: string, description: string) {
    await this.db.updateTable('service_permissions').set({ description }).where('id', '=', id).execute();
  }
}
