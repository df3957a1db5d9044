import {
  dedupe,
  egwRoutes,
  planRebind,
  type RebindPlan,
  type TableFacts,
  type TableFailure,
} from '../domain/bindings.ts';
import { assertRoutetablesChangeable, statusAt } from '../domain/endpoint-status.ts';
import { ApiError } from '../domain/errors.ts';
import { endpointTime } from '../domain/ids.ts';
import { FailAfterCommit, type Tx } from '../store/store.ts';
import type { Row } from '../store/queries.ts';
import type { EndpointListQuery } from '../store/endpoints.ts';
import { audit, type Caller, type Deps } from './context.ts';
import { RouteFaults } from './faults.ts';

export interface EndpointCreate {
  endpoint_service_id: string;
  vpc_id: string;
  subnet_id?: string;
  routetables?: string[];
  description?: string;
  tags?: { key: string; value?: string }[];
  policy_statement?: unknown[];
  enable_dns?: boolean;
  whitelist?: string[];
  enable_whitelist?: boolean;
  port_ip?: string;
}

/** The response of UpdateEndpointRoutetable (routetables.md, "Wire"). */
export interface TableFailureView {
  id: string;
  error_message: string;
}

export interface RebindResult {
  routetables: string[];
  error?: [{ bind_failed: TableFailureView[]; unbind_failed: TableFailureView[] }];
}

/** `"<code>: <message>"`, at most 1024 characters (routetables.md decision). */
const failureView = (f: TableFailure): TableFailureView => ({ id: f.id, error_message: f.error.line });

type EndpointRow = Row<'endpoints'>;
type ServiceRow = Row<'endpoint_services'>;

/** The endpoint's status at `now`: a provisioning endpoint settles once its time has come. */
const statusOf = (e: EndpointRow, service: ServiceRow, now: Date) =>
  statusAt({ status: e.status, ready_at: e.ready_at, approval: service.approval_enabled === 1 }, now);

/** The endpoint object of api-surface.md §3, as it stands at `now`. */
export function endpointView(e: EndpointRow, service: ServiceRow, routetables: string[], now: Date) {
  const status = statusOf(e, service, now);
  const settledAt = status !== e.status && e.ready_at > e.updated_at ? e.ready_at : e.updated_at;
  const gateway = service.service_type === 'gateway';
  return {
    id: e.id,
    service_type: service.service_type,
    status,
    active_status: ['active'],
    enable_status: 'enable',
    specification_name: 'default',
    endpoint_service_id: e.endpoint_service_id,
    endpoint_service_name: service.service_name,
    marker_id: e.marker_id,
    vpc_id: e.vpc_id,
    ...(gateway ? {} : { subnet_id: e.subnet_id, ...(status === 'accepted' ? { ip: e.ip } : {}) }),
    enable_dns: e.enable_dns === 1,
    routetables: gateway ? routetables : [],
    whitelist: JSON.parse(e.whitelist) as string[],
    enable_whitelist: e.enable_whitelist === 1,
    description: e.description,
    policy_statement: JSON.parse(e.policy_statement) as unknown[],
    project_id: e.project_id,
    tags: JSON.parse(e.tags) as unknown[],
    created_at: endpointTime(new Date(e.created_at)),
    updated_at: endpointTime(new Date(settledAt)),
  };
}

const cidrsOf = (s: ServiceRow) => JSON.parse(s.cidrs) as string[];

/** Endpoints: create, list, show, delete, and UpdateEndpointRoutetable (routetables.md). */
export class Endpoints {
  constructor(
    private readonly deps: Deps,
    private readonly faults: RouteFaults,
  ) {}

  async create(caller: Caller, input: EndpointCreate) {
    const { ids, clock, config } = this.deps;
    const now = clock.now();
    return this.deps.store.tx(async (r) => {
      const service = await r.services.byId(input.endpoint_service_id);
      if (!service || (service.owner_project_id !== null && service.owner_project_id !== caller.project_id)) {
        throw new ApiError('EndPoint.2003');
      }
      if (service.status !== 'available') throw new ApiError('EndPoint.2004');
      const vpc = await r.network.vpc(caller.project_id, input.vpc_id);
      if (!vpc) throw new ApiError('EndPoint.2001');
      const gateway = service.service_type === 'gateway';
      let subnetId = '';
      if (!gateway) {
        const subnet = input.subnet_id
          ? await r.network.subnet(caller.project_id, input.subnet_id)
          : undefined;
        if (!subnet || subnet.vpc_id !== vpc.id) throw new ApiError('EndPoint.0023');
        subnetId = subnet.id;
      } else if (input.routetables === undefined) {
        const table = await r.network.defaultRoutetable(vpc.id);
        if (!table) throw new ApiError('EndPoint.1019', 'The VPC has no default route table.');
        input = { ...input, routetables: [table.id] };
      }
      const iso = now.toISOString();
      const row: EndpointRow = {
        id: ids.uuid(),
        project_id: caller.project_id,
        endpoint_service_id: service.id,
        vpc_id: vpc.id,
        subnet_id: subnetId,
        status: 'creating',
        ready_at: new Date(now.getTime() + config.provisioningDelayMs).toISOString(),
        marker_id: ids.int(100_000_000, 2 ** 31 - 1),
        description: input.description ?? '',
        ip: '',
        enable_dns: input.enable_dns ? 1 : 0,
        whitelist: JSON.stringify(input.whitelist ?? []),
        enable_whitelist: input.enable_whitelist ? 1 : 0,
        policy_statement: JSON.stringify(input.policy_statement ?? []),
        tags: JSON.stringify(input.tags ?? []),
        created_at: iso,
        updated_at: iso,
      };
      let bound: string[] = [];
      let plan: RebindPlan | undefined;
      if (gateway) {
        plan = await this.#plan(r, caller, row, service, [], dedupe(input.routetables ?? []));
        const first = plan.bindFailed[0];
        // A new endpoint takes all its tables or none: the create call has no per-table report.
        // Nothing is written, but the transaction commits so that faults that fired stay used up.
        if (first) throw new FailAfterCommit(first.error);
        bound = plan.final;
      }
      await r.endpoints.insert(row);
      if (plan) await this.#apply(r, row.id, service, plan);
      await audit(r, this.deps, caller, 'create', 'vpc-endpoint', row.id, {
        endpoint_service_id: service.id,
        routetables: bound,
      });
      return { ...endpointView(row, service, bound, now), status: 'creating' as const };
    });
  }

  async get(caller: Caller, id: string) {
    return this.deps.store.read(async (r) => {
      const e = await r.endpoints.byId(caller.project_id, id);
      if (!e) throw new ApiError('EndPoint.2006');
      const service = await r.services.byId(e.endpoint_service_id);
      if (!service) throw new Error(`endpoint ${id} has no service`);
      return endpointView(e, service, await r.endpoints.boundTables(id), this.deps.clock.now());
    });
  }

  async list(caller: Caller, q: Omit<EndpointListQuery, 'project_id'>) {
    return this.deps.store.read(async (r) => {
      const { rows, total } = await r.endpoints.list({ ...q, project_id: caller.project_id });
      const bound = await r.endpoints.boundTablesOf(rows.map((e) => e.id));
      const services = new Map<string, ServiceRow>();
      for (const id of new Set(rows.map((e) => e.endpoint_service_id))) {
        const s = await r.services.byId(id);
        if (s) services.set(id, s);
      }
      const now = this.deps.clock.now();
      return {
        endpoints: rows.map((e) =>
          endpointView(e, services.get(e.endpoint_service_id)!, bound.get(e.id) ?? [], now),
        ),
        total_count: total,
      };
    });
  }

  /** 204; the endpoint's `egw` routes leave every bound table in the same transaction. */
  async delete(caller: Caller, id: string) {
    await this.deps.store.tx(async (r) => {
      const e = await r.endpoints.byId(caller.project_id, id, { forUpdate: true });
      if (!e) throw new ApiError('EndPoint.2006');
      const tables = await r.endpoints.boundTables(id);
      await r.network.lockRoutetables(tables);
      await r.network.deleteEndpointRoutes(id);
      await r.endpoints.delete(id);
      await audit(r, this.deps, caller, 'delete', 'vpc-endpoint', id, { routetables: tables });
    });
  }

  /** UpdateEndpointRoutetable: checks 5 to 8 of routetables.md, then the change, in one transaction. */
  async updateRoutetables(caller: Caller, id: string, requested: string[]): Promise<RebindResult> {
    const desired = dedupe(requested);
    return this.deps.store.tx(async (r) => {
      const e = await r.endpoints.byId(caller.project_id, id, { forUpdate: true });
      if (!e) throw new ApiError('EndPoint.2006');
      const service = await r.services.byId(e.endpoint_service_id);
      if (!service) throw new Error(`endpoint ${id} has no service`);
      const now = this.deps.clock.now();
      const status = statusOf(e, service, now);
      assertRoutetablesChangeable(status, service.service_type);

      const current = await r.endpoints.boundTables(id);
      const plan = await this.#plan(r, caller, e, service, current, desired);
      await this.#apply(r, e.id, service, plan);
      const changed = plan.bind.length + plan.unbind.length > 0;
      if (changed) {
        await r.endpoints.update(id, { status, updated_at: now.toISOString() });
      }
      const failed = plan.bindFailed.length + plan.unbindFailed.length > 0;
      const failures = {
        bind_failed: plan.bindFailed.map(failureView),
        unbind_failed: plan.unbindFailed.map(failureView),
      };
      if (changed || failed) {
        await audit(r, this.deps, caller, 'update-routetables', 'vpc-endpoint', id, {
          requested: desired,
          bound: plan.bind,
          unbound: plan.unbind,
          ...failures,
        });
      }
      const result: RebindResult = { routetables: plan.final };
      if (failed) result.error = [failures];
      return result;
    });
  }

  /**
   * Check 8 (every ID a table of the endpoint's VPC), then the binding diff with its per-table
   * outcomes. Writes nothing but the use of the faults that fired.
   */
  async #plan(
    r: Tx,
    caller: Caller,
    e: Pick<EndpointRow, 'id' | 'vpc_id'>,
    service: ServiceRow,
    current: string[],
    desired: string[],
  ) {
    const tables = await r.network.routetablesByIds(caller.project_id, desired);
    const inVpc = new Set(tables.filter((t) => t.vpc_id === e.vpc_id).map((t) => t.id));
    const invalid = desired.filter((id) => !inVpc.has(id));
    if (invalid.length > 0) {
      throw new ApiError('EndPoint.1019', `Not a route table of the endpoint's VPC: ${invalid.join(', ')}.`);
    }
    const currentSet = new Set(current);
    const toBind = desired.filter((id) => !currentSet.has(id));
    // Every table this call may change, bound or unbound, in one sorted lock: a binder of a table
    // must never read it halfway through another endpoint's unbind (its routes gone but not yet its
    // binding row, or the reverse), which read committed would otherwise allow.
    const desiredSet = new Set(desired);
    await r.network.lockRoutetables([...toBind, ...current.filter((id) => !desiredSet.has(id))]);
    const [routes, bindings] = await Promise.all([
      r.network.routesOfTables(toBind),
      r.endpoints.bindingsOnTables(toBind),
    ]);
    const facts = new Map<string, TableFacts>(
      toBind.map((tid) => {
        const own = routes.filter((x) => x.routetable_id === tid);
        const taken = bindings.find(
          (b) => b.routetable_id === tid && b.endpoint_service_id === service.id && b.endpoint_id !== e.id,
        );
        return [
          tid,
          {
            id: tid,
            routeCount: own.length,
            foreignDestinations: new Set(own.filter((x) => x.endpoint_id !== e.id).map((x) => x.destination)),
            takenBy: taken?.endpoint_id,
          },
        ];
      }),
    );
    const faults = await this.faults.forCall(r, caller.project_id);
    const cidrs = cidrsOf(service);
    const plan = planRebind({
      current,
      desired,
      tables: facts,
      serviceCidrs: cidrs,
      bindRefused: (tid) => faults.take('bind', tid),
      unbindRefused: (tid) => faults.take('unbind', tid),
    });
    await faults.commit();
    return plan;
  }

  /** Routes and binding rows change together, inside the caller's transaction. */
  async #apply(r: Tx, endpointId: string, service: ServiceRow, plan: RebindPlan) {
    const cidrs = cidrsOf(service);
    await r.network.deleteEndpointRoutes(endpointId, plan.unbind);
    await r.endpoints.deleteBindings(endpointId, plan.unbind);
    await r.network.insertRoutes(
      plan.bind.flatMap((tid) =>
        egwRoutes(endpointId, cidrs).map((route) => ({
          ...route,
          routetable_id: tid,
          description: '',
          endpoint_id: endpointId,
        })),
      ),
    );
    await r.endpoints.insertBindings(
      plan.bind.map((tid) => ({
        endpoint_id: endpointId,
        routetable_id: tid,
        endpoint_service_id: service.id,
      })),
    );
  }
}
