import { present, presentAt } from './lifecycle.ts';
import { prepare, type Shaping } from './prepared.ts';
import { Queries, type LockOption, type NewRow } from './queries.ts';
import type { Updateable } from 'kysely';
import type { Database } from './schema.ts';

const byId = (lock: boolean) =>
  prepare((s: Shaping, id: string, at: string) => {
    const q = s.db
      .selectFrom('endpoint_services')
      .selectAll()
      .where('id', '=', id)
      .where(presentAt('endpoint_services', at));
    return lock ? s.forUpdate(q) : q;
  });
const BY_ID = byId(false);
const BY_ID_FOR_UPDATE = byId(true);

/**
 * Endpoint services and their permissions. Every read of services takes the time it reads at: a
 * service whose deletion has ended is gone (store/lifecycle.ts).
 */
export class ServiceQueries extends Queries {
  /** The service; `forUpdate` makes its changes, and endpoints made of it, take turns. */
  byId(id: string, now: Date, opts?: LockOption) {
    return this.first(opts?.forUpdate ? BY_ID_FOR_UPDATE : BY_ID, id, now.toISOString());
  }
  /** How many endpoint services the project owns. */
  async countOwnedBy(projectId: string, now: Date): Promise<number> {
    const row = await this.db
      .selectFrom('endpoint_services')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('owner_project_id', '=', projectId)
      .where(present('endpoint_services', now))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
  byName(name: string, now: Date) {
    return this.db
      .selectFrom('endpoint_services')
      .selectAll()
      .where('service_name', '=', name)
      .where(present('endpoint_services', now))
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
  ownedBy(projectId: string, now: Date) {
    return this.db
      .selectFrom('endpoint_services')
      .selectAll()
      .where('owner_project_id', '=', projectId)
      .where(present('endpoint_services', now))
      .orderBy('created_at')
      .orderBy('id')
      .execute();
  }
  /**
   * The services whose backend is this port: those that hold it. A service being deleted, or one
   * whose provisioning a fault failed, holds no backend (spec/operations.md, "Lifecycle").
   */
  ofPort(portId: string) {
    return this.db
      .selectFrom('endpoint_services')
      .selectAll()
      .where('port_id', '=', portId)
      .where('status', '!=', 'deleting')
      .where('error_code', '=', '')
      .execute();
  }
  async insert(row: NewRow<'endpoint_services'>) {
    await this.db.insertInto('endpoint_services').values(row).execute();
  }
  async update(id: string, patch: Updateable<Database['endpoint_services']>) {
    await this.db.updateTable('endpoint_services').set(patch).where('id', '=', id).execute();
  }
  /** Services leave the store, with their permissions. */
  async remove(ids: readonly string[]) {
    if (ids.length === 0) return;
    await this.db.deleteFrom('service_permissions').where('endpoint_service_id', 'in', ids).execute();
    await this.db.deleteFrom('endpoint_services').where('id', 'in', ids).execute();
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
