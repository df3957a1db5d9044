import { contains, parseCidr } from '../domain/cidr.ts';
import { MAX_ROUTES_PER_TABLE } from '../domain/bindings.ts';
import { ApiError } from '../domain/errors.ts';
import { vpcTime } from '../domain/ids.ts';
import type { Tx } from '../store/store.ts';
import type { LockOption, Row } from '../store/queries.ts';
import type { RoutetableListQuery } from '../store/network.ts';
import { audit, type Caller, type Deps } from './context.ts';
import type { RouteType } from '../wire/vpc.ts';

/** `local` and `egw` are system routes no user may touch. */
const SYSTEM_TYPES = new Set<RouteType>(['local', 'egw']);

export interface RouteInput {
  type: RouteType;
  destination: string;
  nexthop: string;
  description?: string;
}

export interface RoutetableCreate {
  vpc_id: string;
  name?: string;
  description?: string;
  routes?: RouteInput[];
}

export interface RoutetableUpdate {
  name?: string;
  description?: string;
  routes?: { add?: RouteInput[]; mod?: RouteInput[]; del?: { destination: string }[] };
}

export function routeView(r: Row<'routes'>) {
  return { type: r.type, destination: r.destination, nexthop: r.nexthop, description: r.description };
}

function tableView(t: Row<'routetables'>, subnetIds: string[]) {
  return {
    id: t.id,
    name: t.name,
    default: t.is_default === 1,
    subnets: subnetIds.map((id) => ({ id })),
    tenant_id: t.project_id,
    vpc_id: t.vpc_id,
    description: t.description,
    created_at: vpcTime(new Date(t.created_at)),
    updated_at: vpcTime(new Date(t.updated_at)),
  };
}

/** The subnets that use each table: associated ones, and the unassociated ones for the default table. */
async function subnetsByTable(r: Tx, tables: Row<'routetables'>[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>(tables.map((t) => [t.id, []]));
  const defaults = tables.filter((t) => t.is_default === 1);
  const projectIds = [...new Set(tables.map((t) => t.project_id))];
  for (const projectId of projectIds) {
    const vpcIds = new Set(tables.filter((t) => t.project_id === projectId).map((t) => t.vpc_id));
    for (const vpcId of vpcIds) {
      for (const s of await r.network.subnets(projectId, vpcId)) {
        const target = s.routetable_id ?? defaults.find((d) => d.vpc_id === vpcId)?.id;
        if (target !== undefined) out.get(target)?.push(s.id);
      }
    }
  }
  return out;
}

/**
 * The caller's route table, or 404 VPC.2808. `forUpdate` for every change: route edits, subnet
 * associations and endpoint bindings of one table take turns.
 */
async function tableOf(r: Tx, caller: Caller, id: string, opts?: LockOption) {
  const t = await r.network.routetable(caller.project_id, id, opts);
  if (!t) throw new ApiError('VPC.2808');
  return t;
}

const routeDetail = (r: RouteInput) => ({ type: r.type, destination: r.destination, nexthop: r.nexthop });

/** What an update's audit row records: named fields only, never the request object itself. */
function updateDetail(input: RoutetableUpdate) {
  return {
    ...(input.name !== undefined ? { name: input.name } : {}),
    ...(input.description !== undefined ? { description: input.description } : {}),
    ...(input.routes
      ? {
          routes: {
            add: (input.routes.add ?? []).map(routeDetail),
            mod: (input.routes.mod ?? []).map(routeDetail),
            del: (input.routes.del ?? []).map((d) => d.destination),
          },
        }
      : {}),
  };
}

/** Route tables and their routes (api-surface.md §2). `egw` routes change only through endpoints. */
export class RouteTables {
  constructor(private readonly deps: Deps) {}

  async list(caller: Caller, q: Omit<RoutetableListQuery, 'project_id'>) {
    return this.deps.store.read(async (r) => {
      const rows = await r.network.routetables({ ...q, project_id: caller.project_id });
      const subnets = await subnetsByTable(r, rows);
      return rows.map((t) => tableView(t, subnets.get(t.id) ?? []));
    });
  }

  async get(caller: Caller, id: string) {
    return this.deps.store.read((r) => this.#show(r, caller, id));
  }

  async #show(r: Tx, caller: Caller, id: string) {
    const t = await tableOf(r, caller, id);
    const subnets = await subnetsByTable(r, [t]);
    const routes = await r.network.routes(id);
    return { ...tableView(t, subnets.get(id) ?? []), routes: routes.map(routeView) };
  }

  async create(caller: Caller, input: RoutetableCreate) {
    const routes = input.routes ?? [];
    const now = this.deps.clock.now().toISOString();
    const id = this.deps.ids.uuid();
    return this.deps.store.tx(async (r) => {
      const vpc = await r.network.vpc(caller.project_id, input.vpc_id);
      if (!vpc) throw new ApiError('VPC.0103');
      await r.network.insertRoutetable({
        id,
        project_id: caller.project_id,
        vpc_id: vpc.id,
        name: input.name ?? '',
        description: input.description ?? '',
        is_default: 0,
        created_at: now,
        updated_at: now,
      });
      await this.#applyRoutes(r, id, vpc.cidr, { add: routes });
      await audit(r, this.deps, caller, 'create', 'routetable', id, {
        vpc_id: vpc.id,
        routes: routes.length,
      });
      return this.#show(r, caller, id);
    });
  }

  async update(caller: Caller, id: string, input: RoutetableUpdate) {
    return this.deps.store.tx(async (r) => {
      const t = await tableOf(r, caller, id, { forUpdate: true });
      const vpc = await r.network.vpc(caller.project_id, t.vpc_id);
      if (!vpc) throw new ApiError('VPC.0103');
      if (input.routes) await this.#applyRoutes(r, id, vpc.cidr, input.routes);
      await r.network.updateRoutetable(id, {
        name: input.name ?? t.name,
        description: input.description ?? t.description,
        updated_at: this.deps.clock.now().toISOString(),
      });
      await audit(r, this.deps, caller, 'update', 'routetable', id, updateDetail(input));
      return this.#show(r, caller, id);
    });
  }

  /** Applies add/mod/del in that order, with the VPC service's route rules. */
  async #applyRoutes(
    r: Tx,
    tableId: string,
    vpcCidr: string,
    change: NonNullable<RoutetableUpdate['routes']>,
  ) {
    const existing = new Map((await r.network.routes(tableId)).map((x) => [x.destination, x]));
    const system = (dest: string) => {
      const route = existing.get(dest);
      if (route && SYSTEM_TYPES.has(route.type)) {
        throw new ApiError(
          'VPC.2801',
          `The ${route.type} route to ${dest} is a system route and cannot be changed.`,
        );
      }
      return route;
    };
    const local = [...existing.values()]
      .filter((x) => x.type === 'local')
      .map((x) => parseCidr(x.destination)!);
    local.push(parseCidr(vpcCidr)!);
    const checkRoute = (route: RouteInput) => {
      if (SYSTEM_TYPES.has(route.type)) {
        throw new ApiError(
          'VPC.2801',
          `Route type ${route.type} is reserved for system routes (destination ${route.destination}).`,
        );
      }
      const cidr = parseCidr(route.destination);
      if (!cidr) throw new ApiError('VPC.2801', `destination "${route.destination}" is not a valid CIDR.`);
      if (local.some((l) => contains(l, cidr))) {
        throw new ApiError('VPC.2809', `destination ${route.destination} lies inside the VPC's local route.`);
      }
    };
    for (const route of change.add ?? []) {
      checkRoute(route);
      if (system(route.destination) || existing.has(route.destination)) {
        throw new ApiError('VPC.2809', `A route to ${route.destination} already exists in the route table.`);
      }
      // Named fields only: a wire object is never spread into a row (it may name another table).
      const row = {
        routetable_id: tableId,
        destination: route.destination,
        type: route.type,
        nexthop: route.nexthop,
        description: route.description ?? '',
        endpoint_id: null,
      };
      existing.set(route.destination, row);
      await r.network.insertRoutes([row]);
    }
    for (const route of change.mod ?? []) {
      // A system route is refused as such before any rule on the new route (api-surface.md §2).
      const old = system(route.destination);
      checkRoute(route);
      if (!old) throw new ApiError('VPC.2801', `No route to ${route.destination} to modify.`);
      await r.network.updateRoute(tableId, route.destination, {
        type: route.type,
        nexthop: route.nexthop,
        description: route.description ?? old.description,
      });
    }
    for (const { destination } of change.del ?? []) {
      if (!system(destination)) throw new ApiError('VPC.2801', `No route to ${destination} to delete.`);
      existing.delete(destination);
    }
    await r.network.deleteRoutes(
      tableId,
      (change.del ?? []).map((d) => d.destination),
    );
    if (existing.size > MAX_ROUTES_PER_TABLE) {
      throw new ApiError('VPC.2803', `A route table holds at most ${MAX_ROUTES_PER_TABLE} routes.`);
    }
  }

  /** Not the default table, not with subnets, not while an endpoint is bound (api-surface.md §2). */
  async delete(caller: Caller, id: string) {
    await this.deps.store.tx(async (r) => {
      const t = await tableOf(r, caller, id, { forUpdate: true });
      if (t.is_default === 1) throw new ApiError('VPC.2802', 'The default route table cannot be deleted.');
      const subnets = await r.network.subnetsOfTables([id]);
      if (subnets.length > 0) {
        throw new ApiError('VPC.2802', `Subnets are associated: ${subnets.map((s) => s.id).join(', ')}.`);
      }
      const bindings = await r.endpoints.bindingsOnTables([id]);
      if (bindings.length > 0) {
        throw new ApiError(
          'VPC.2802',
          `VPC endpoints are bound: ${bindings.map((b) => b.endpoint_id).join(', ')}.`,
        );
      }
      await r.network.deleteRoutetable(id);
      await audit(r, this.deps, caller, 'delete', 'routetable', id);
    });
  }

  async associate(caller: Caller, id: string, change: { associate?: string[]; disassociate?: string[] }) {
    return this.deps.store.tx(async (r) => {
      const t = await tableOf(r, caller, id, { forUpdate: true });
      const now = this.deps.clock.now().toISOString();
      for (const subnetId of change.associate ?? []) {
        const s = await r.network.subnet(caller.project_id, subnetId);
        if (!s || s.vpc_id !== t.vpc_id) {
          throw new ApiError('VPC.0201', `Subnet ${subnetId} is not a subnet of the route table's VPC.`);
        }
        await r.network.updateSubnet(subnetId, {
          routetable_id: t.is_default === 1 ? null : id,
          updated_at: now,
        });
      }
      for (const subnetId of change.disassociate ?? []) {
        const s = await r.network.subnet(caller.project_id, subnetId);
        const current =
          s?.routetable_id ?? (s ? (await r.network.defaultRoutetable(s.vpc_id))?.id : undefined);
        if (!s || current !== id)
          throw new ApiError('VPC.0201', `Subnet ${subnetId} is not associated with this route table.`);
        if (t.is_default === 1)
          throw new ApiError('VPC.2802', 'A subnet cannot leave its VPC default route table this way.');
        await r.network.updateSubnet(subnetId, { routetable_id: null, updated_at: now });
      }
      await r.network.updateRoutetable(id, { updated_at: now });
      await audit(r, this.deps, caller, 'associate', 'routetable', id, {
        associate: change.associate ?? [],
        disassociate: change.disassociate ?? [],
      });
      return this.#show(r, caller, id);
    });
  }
}
