import { ApiError } from '../domain/errors.ts';
import { endpointTimeOf } from '../domain/ids.ts';
import { PERMISSION } from '../domain/service-access.ts';
import type { Row } from '../store/queries.ts';
import type { Tx } from '../store/store.ts';
import { audit, type Caller, type Deps } from './context.ts';
import { ownServiceOf } from './interface-services.ts';

type PermissionRow = Row<'service_permissions'>;

export interface PermissionListQuery {
  permission?: string;
  sort_key: 'created_at';
  sort_dir: 'asc' | 'desc';
  limit: number;
  offset: number;
}

/** vpcep knows accounts by domain id only (spec/interface-services.md, "Permissions"). */
const PERMISSION_TYPE = 'domainId';

export function permissionView(p: PermissionRow) {
  return {
    id: p.id,
    permission: p.permission,
    permission_type: PERMISSION_TYPE,
    description: p.description,
    created_at: endpointTimeOf(p.created_at),
  };
}

/** Each entry `iam:domain::<domain id>` or `*`, else 400 EndPoint.3002 naming it. */
function assertEntries(entries: readonly string[], type: string | undefined) {
  if (type !== undefined && type !== PERMISSION_TYPE) {
    throw new ApiError('EndPoint.3002', 'Only permissions of type domainId are supported.');
  }
  const bad = entries.find((e) => !PERMISSION.test(e));
  if (bad !== undefined) {
    throw new ApiError('EndPoint.3002', `"${bad}" is neither iam:domain::<domain id> nor *.`);
  }
}

/**
 * The whitelist of an endpoint service: which accounts may see it and connect to it. Only its
 * provider reads or changes it; the service row is locked, so changes of one list take turns.
 */
export class ServicePermissions {
  constructor(private readonly deps: Deps) {}

  async list(caller: Caller, serviceId: string, q: PermissionListQuery) {
    return this.deps.store.read(async (r) => {
      await ownServiceOf(r, caller, serviceId, this.deps.clock.now());
      const rows = (await r.services.permissions(serviceId)).filter(
        (p) => q.permission === undefined || p.permission.includes(q.permission),
      );
      if (q.sort_dir === 'desc') rows.reverse();
      return {
        permissions: rows.slice(q.offset, q.offset + q.limit).map(permissionView),
        total_count: rows.length,
      };
    });
  }

  /** AddOrRemoveServicePermissions: answers the service's whole list after the change. */
  async addOrRemove(
    caller: Caller,
    serviceId: string,
    body: { action: 'add' | 'remove'; permissions: string[]; permission_type?: string },
  ) {
    assertEntries(body.permissions, body.permission_type);
    return this.#change(caller, serviceId, body.action, async (r, current) => {
      if (body.action === 'add') await this.#add(r, serviceId, current, body.permissions, () => '');
      else {
        const drop = new Set(body.permissions);
        await r.services.deletePermissions(
          serviceId,
          current.filter((p) => drop.has(p.permission)).map((p) => p.id),
        );
      }
      const after = await r.services.permissions(serviceId);
      return { permissions: after.map((p) => p.permission), permission_type: PERMISSION_TYPE };
    });
  }

  /** BatchAddEndpointServicePermissions: answers the entries the call added. */
  async batchAdd(
    caller: Caller,
    serviceId: string,
    body: { permissions: { permission: string; description: string }[]; permission_type?: string },
  ) {
    assertEntries(
      body.permissions.map((p) => p.permission),
      body.permission_type,
    );
    const descriptions = new Map(body.permissions.map((p) => [p.permission, p.description]));
    return this.#change(caller, serviceId, 'batch-add', async (r, current) => {
      const added = await this.#add(
        r,
        serviceId,
        current,
        body.permissions.map((p) => p.permission),
        (e) => descriptions.get(e) ?? '',
      );
      return { permissions: added.map(permissionView) };
    });
  }

  /** BatchRemoveEndpointServicePermissions: ids that are no entry of the service are passed over. */
  async batchRemove(caller: Caller, serviceId: string, ids: string[]) {
    return this.#change(caller, serviceId, 'batch-remove', async (r) => {
      await r.services.deletePermissions(serviceId, ids);
      return { permissions: [] as ReturnType<typeof permissionView>[] };
    });
  }

  /** UpdateEndpointServicePermissionDesc: an id that is no entry of the service is 404 EndPoint.0005. */
  async setDescription(caller: Caller, serviceId: string, permissionId: string, description: string) {
    return this.#change(caller, serviceId, 'describe', async (r, current) => {
      const p = current.find((x) => x.id === permissionId);
      if (!p) throw new ApiError('EndPoint.0005', 'No such permission of the endpoint service.');
      await r.services.updatePermission(p.id, description);
      return { permissions: [permissionView({ ...p, description })] };
    });
  }

  /** One change of a service's list, in one transaction, the service locked, audited. */
  async #change<T>(
    caller: Caller,
    serviceId: string,
    action: string,
    apply: (r: Tx, current: PermissionRow[]) => Promise<T>,
  ): Promise<T> {
    return this.deps.store.tx(async (r) => {
      await ownServiceOf(r, caller, serviceId, this.deps.clock.now(), { forUpdate: true });
      const current = await r.services.permissions(serviceId);
      const out = await apply(r, current);
      await audit(r, this.deps, caller, `permissions-${action}`, 'vpc-endpoint-service', serviceId, out);
      return out;
    });
  }

  /** Adds the entries not there yet (each once); returns the rows added. */
  async #add(
    r: Tx,
    serviceId: string,
    current: PermissionRow[],
    entries: string[],
    description: (entry: string) => string,
  ): Promise<PermissionRow[]> {
    const have = new Set(current.map((p) => p.permission));
    const now = this.deps.clock.now().toISOString();
    const rows = [...new Set(entries)]
      .filter((e) => !have.has(e))
      .map((e) => ({
        id: this.deps.ids.uuid(),
        endpoint_service_id: serviceId,
        permission: e,
        description: description(e),
        created_at: now,
      }));
    await r.services.insertPermissions(rows);
    return rows;
  }
}
