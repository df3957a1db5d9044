import {
  dedupe,
  egwRoutes,
  planRebind,
  type RebindPlan,
  type TableFacts,
  type TableFailure,
} from '../domain/bindings.ts';
import {
  assertNotInTransition,
  assertRoutetablesChangeable,
  endsAt,
  failureOf,
  serviceStatusAt,
  statusAt,
} from '../domain/endpoint-status.ts';
import { ApiError } from '../domain/errors.ts';
import { isWhitelistEntry } from '../domain/addresses.ts';
import { endpointTimeOf } from '../domain/ids.ts';
import { storedTags, validTags } from '../domain/tags.ts';
import { FailAfterCommit, type Tx } from '../store/store.ts';
import type { LockOption, Row } from '../store/queries.ts';
import type { EndpointListQuery, RebindWrites } from '../store/endpoints.ts';
import { allocateAddress, type AddressErrors } from './addresses.ts';
import { audit, type Caller, type Deps } from './context.ts';
import { admitted } from './endpoint-services.ts';
import type { Faults } from './faults.ts';
import { EndpointViews } from './endpoint-views.ts';
import { assertQuota } from './quotas.ts';

export interface EndpointCreate {
  endpoint_service_id: string;
  vpc_id: string;
  subnet_id?: string;
  routetables?: string[];
  description?: string;
  tags?: { key?: string; value?: string }[];
  policy_statement?: unknown[];
  policy_document?: object;
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
  statusAt(e, service.approval_enabled === 1, now);

/**
 * An interface endpoint's DNS name (spec/interface-services.md): its id under the service's region,
 * `<endpoint id>.vpcep.<region>.myhuaweicloud.com`.
 */
function dnsName(endpointId: string, serviceName: string): string {
  return `${endpointId}.vpcep.${serviceName.split('.')[0]}.myhuaweicloud.com`;
}

/** Published: at most 20 whitelist entries (the Terraform provider's documented limit). */
const MAX_WHITELIST = 20;
/** The most a policy document may hold, as JSON (vpcep.json's `maxItems: 20480` on the object). */
const MAX_POLICY_DOCUMENT = 20_480;

/** A whitelist as stored: each entry IPv4 or CIDR (EndPoint.2044), at most 20 (EndPoint.2045), each once. */
export function whitelistOf(entries: readonly string[]): string[] {
  const bad = entries.find((x) => !isWhitelistEntry(x));
  if (bad !== undefined)
    throw new ApiError('EndPoint.2044', `"${bad}" is neither an IPv4 address nor a CIDR.`);
  const unique = dedupe(entries);
  if (unique.length > MAX_WHITELIST) {
    throw new ApiError('EndPoint.2045', `At most ${MAX_WHITELIST} entries.`);
  }
  return unique;
}

/**
 * A policy for an endpoint of `serviceType`: `policy_statement` for a gateway endpoint,
 * `policy_document` for an interface one; the other, or a document over 20480 characters, is 400
 * EndPoint.2048. Returns the columns to store (undefined: not given).
 */
function policyOf(
  serviceType: string,
  input: { policy_statement?: unknown[]; policy_document?: object },
): { policy_statement?: string; policy_document?: string } {
  const gateway = serviceType === 'gateway';
  if (gateway && input.policy_document !== undefined) {
    throw new ApiError('EndPoint.2048', 'A gateway endpoint takes policy_statement, not policy_document.');
  }
  if (!gateway && input.policy_statement !== undefined) {
    throw new ApiError('EndPoint.2048', 'An interface endpoint takes policy_document, not policy_statement.');
  }
  const document = input.policy_document === undefined ? undefined : JSON.stringify(input.policy_document);
  if (document !== undefined && document.length > MAX_POLICY_DOCUMENT) {
    throw new ApiError('EndPoint.2048', `policy_document is over ${MAX_POLICY_DOCUMENT} characters.`);
  }
  return {
    ...(input.policy_statement === undefined
      ? {}
      : { policy_statement: JSON.stringify(input.policy_statement) }),
    ...(document === undefined ? {} : { policy_document: document }),
  };
}

/** An interface endpoint's address refusals, in the VPC Endpoint API's codes. */
const ENDPOINT_ADDRESS_ERRORS: AddressErrors = {
  invalid: () => new ApiError('EndPoint.2041'),
  outside: () => new ApiError('EndPoint.2043'),
  taken: () => new ApiError('EndPoint.2042'),
  full: () => new ApiError('EndPoint.2022', 'No free IP address is left in the subnet.'),
};

/**
 * The endpoint object of api-surface.md §3, as it stands at `now`; as the create call answers it
 * (`creating`, whatever the delay) when `justCreated`.
 */
export function endpointView(
  e: EndpointRow,
  service: ServiceRow,
  routetables: string[],
  now: Date,
  justCreated = false,
) {
  const status = justCreated ? 'creating' : statusOf(e, service, now);
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
    ...(!gateway && e.enable_dns === 1 ? { dns_names: [dnsName(e.id, service.service_name)] } : {}),
    routetables: gateway ? routetables : [],
    whitelist: JSON.parse(e.whitelist) as string[],
    enable_whitelist: e.enable_whitelist === 1,
    description: e.description,
    policy_statement: JSON.parse(e.policy_statement) as unknown[],
    ...(e.policy_document ? { policy_document: JSON.parse(e.policy_document) as unknown } : {}),
    project_id: e.project_id,
    tags: storedTags(e.tags),
    created_at: endpointTimeOf(e.created_at),
    updated_at: endpointTimeOf(settledAt),
    ...(status === 'failed' && e.error_code !== '' ? failureOf(e) : {}),
  };
}

export type EndpointView = ReturnType<typeof endpointView>;

const cidrsOf = (s: ServiceRow) => JSON.parse(s.cidrs) as string[];

/** The caller's endpoint at `now`, or 404 EndPoint.2006; `forUpdate` makes calls on it take turns. */
async function endpointOf(
  r: Tx,
  caller: Caller,
  id: string,
  now: Date,
  opts?: LockOption,
): Promise<EndpointRow> {
  const e = await r.endpoints.byId(caller.project_id, id, now, opts);
  if (!e) throw new ApiError('EndPoint.2006');
  return e;
}

/** The caller's endpoint at `now` with its service, bound tables and faults flag, or 404 EndPoint.2006. */
async function contextOf(r: Tx, caller: Caller, id: string, now: Date) {
  const context = await r.endpoints.withContext(caller.project_id, id, now);
  if (!context) throw new ApiError('EndPoint.2006');
  return context;
}

/** contextOf, the endpoint locked so that calls on it take turns, without its tables. */
async function lockedContextOf(r: Tx, caller: Caller, id: string, now: Date) {
  const context = await r.endpoints.lockedContext(caller.project_id, id, now);
  if (!context) throw new ApiError('EndPoint.2006');
  return context;
}

/** The services of `rows`, by id. */
async function servicesOf(
  r: Tx,
  rows: readonly { endpoint_service_id: string }[],
  now: Date,
): Promise<Map<string, ServiceRow>> {
  const services = new Map<string, ServiceRow>();
  for (const id of new Set(rows.map((e) => e.endpoint_service_id))) {
    const s = await r.services.byId(id, now);
    if (s) services.set(id, s);
  }
  return services;
}

/**
 * A service the caller may make an endpoint of: admitted (a public one, its own account's, or one
 * whose permissions name it) and available. Any other id, one of nobody's included, answers 400
 * EndPoint.2012 alike, so nobody learns that another account's service exists. A user's service is
 * locked, so that its deletion and endpoints made of it take turns.
 */
async function serviceForCreate(r: Tx, caller: Caller, serviceId: string, now: Date): Promise<ServiceRow> {
  const found = await r.services.byId(serviceId, now);
  const service = found?.owner_project_id
    ? await r.services.byId(serviceId, now, { forUpdate: true })
    : found;
  if (!service || !(await admitted(r, service, caller))) throw new ApiError('EndPoint.2012');
  if (serviceStatusAt(service, now) !== 'available') throw new ApiError('EndPoint.2004');
  return service;
}

/**
 * An interface endpoint's subnet: one of the caller's, in the endpoint's VPC; locked, as the
 * allocation of its address needs (addresses.ts).
 */
async function subnetForCreate(r: Tx, caller: Caller, vpcId: string, subnetId: string | undefined) {
  const subnet = subnetId
    ? await r.network.subnet(caller.project_id, subnetId, { forUpdate: true })
    : undefined;
  if (!subnet || subnet.vpc_id !== vpcId) throw new ApiError('EndPoint.0023');
  return subnet;
}

/** A gateway endpoint's tables when the create names none: the VPC's default table. */
async function defaultTableOf(r: Tx, vpcId: string): Promise<string> {
  const table = await r.network.defaultRoutetable(vpcId);
  if (!table) throw new ApiError('EndPoint.1019', 'The VPC has no default route table.');
  return table.id;
}

/** Check 8 of routetables.md: every ID a route table of the endpoint's VPC, or the whole call fails. */
function assertTablesOfVpc(
  tables: readonly Row<'routetables'>[],
  vpcId: string,
  ids: readonly string[],
): void {
  const inVpc = new Set(tables.filter((t) => t.vpc_id === vpcId).map((t) => t.id));
  const invalid = ids.filter((id) => !inVpc.has(id));
  if (invalid.length > 0) {
    throw new ApiError('EndPoint.1019', `Not a route table of the endpoint's VPC: ${invalid.join(', ')}.`);
  }
}

/** The tables a change from `current` to `desired` binds and unbinds, in the order asked. */
function changeOf(current: readonly string[], desired: readonly string[]) {
  const currentSet = new Set(current);
  const desiredSet = new Set(desired);
  return {
    toBind: desired.filter((id) => !currentSet.has(id)),
    toUnbind: current.filter((id) => !desiredSet.has(id)),
  };
}

/** What the planner needs to know of table `id` for the endpoint that would bind it. */
function tableFacts(
  id: string,
  endpoint: { id: string },
  occupancy: Awaited<ReturnType<Tx['network']['occupancy']>>,
): TableFacts {
  const own = occupancy.filter((x) => x.routetable_id === id && x.destination !== null);
  const taken = occupancy.find(
    (x) => x.routetable_id === id && x.bound_endpoint_id !== null && x.bound_endpoint_id !== endpoint.id,
  );
  return {
    id,
    routeCount: own.length,
    foreignDestinations: new Set(own.filter((x) => x.endpoint_id !== endpoint.id).map((x) => x.destination!)),
    takenBy: taken?.bound_endpoint_id ?? undefined,
  };
}

/**
 * The endpoint's bound tables, check 8, and the facts of the tables a change to `desired` would
 * bind. One statement reads the named and the bound tables and locks them all, bound, unbound or
 * kept, in id order: a binder of a table must never read it halfway through another endpoint's
 * unbind (its routes gone but not yet its binding row, or the reverse), which read committed would
 * otherwise allow.
 */
async function checkedTableFacts(
  r: Tx,
  caller: Caller,
  endpoint: { id: string; serviceId: string; vpcId: string },
  desired: string[],
  read?: TablesRead,
): Promise<{ current: string[]; tables: Map<string, TableFacts> }> {
  const touched = read?.touched ?? (await r.network.tablesOfRebind(caller.project_id, endpoint.id, desired));
  assertTablesOfVpc(touched, endpoint.vpcId, desired);
  const current = touched.filter((t) => t.bound).map((t) => t.id);
  const { toBind } = changeOf(current, desired);
  const occupancy = read?.occupancy ?? (await r.network.occupancy(toBind, endpoint.serviceId));
  return { current, tables: new Map(toBind.map((id) => [id, tableFacts(id, endpoint, occupancy)])) };
}

/**
 * What a rebind reads of its tables, read with the endpoint's locked context (Tx.together): the
 * tables named or bound, locked, and what it must know of those it binds.
 */
interface TablesRead {
  touched: Awaited<ReturnType<Tx['network']['tablesOfRebind']>>;
  occupancy: Awaited<ReturnType<Tx['network']['occupancy']>>;
}

/** A plan's per-table failures, as the wire and the audit record list them. */
function failureLists(plan: RebindPlan) {
  return {
    bind_failed: plan.bindFailed.map(failureView),
    unbind_failed: plan.unbindFailed.map(failureView),
  };
}

/** The faults of a call in a project that has none (the fault check of Faults.forCall, spared). */
const NO_FAULTS = { take: () => false, commit: async () => undefined };

/** Endpoints: create, list, show, delete, and UpdateEndpointRoutetable (routetables.md). */
export class Endpoints {
  /** The views lists have built, handed out again while they hold (issue 12). */
  readonly #views = new EndpointViews<EndpointView>();

  constructor(
    private readonly deps: Deps,
    private readonly faults: Faults,
  ) {}

  async create(caller: Caller, input: EndpointCreate) {
    const now = this.deps.clock.now();
    return this.deps.store.tx(async (r) => {
      await assertQuota(r, this.deps, caller, 'endpoint');
      const service = await serviceForCreate(r, caller, input.endpoint_service_id, now);
      const vpc = await r.network.vpc(caller.project_id, input.vpc_id);
      if (!vpc) throw new ApiError('EndPoint.2001');
      const gateway = service.service_type === 'gateway';
      const policy = policyOf(service.service_type, input);
      const whitelist = whitelistOf(input.whitelist ?? []);
      const subnet = gateway ? undefined : await subnetForCreate(r, caller, vpc.id, input.subnet_id);
      const routetables = gateway ? (input.routetables ?? [await defaultTableOf(r, vpc.id)]) : [];
      const row = this.#newRow(caller, input, now, {
        endpoint_service_id: service.id,
        vpc_id: vpc.id,
        subnet_id: subnet?.id ?? '',
      });
      row.whitelist = JSON.stringify(whitelist);
      Object.assign(row, policy);
      if (await this.faults.fires(r, caller.project_id, 'create-endpoint', service.id)) {
        // Its provisioning fails (spec/operations.md, "Lifecycle"): it takes no table and no
        // address, so only what the request names is checked, not what others hold.
        const named = dedupe(routetables);
        assertTablesOfVpc(await r.network.routetablesByIds(caller.project_id, named), vpc.id, named);
        const failure = new ApiError('VPCEP.3001');
        Object.assign(row, { error_code: failure.code, error_message: failure.message });
        await r.endpoints.insert(row);
        await audit(r, this.deps, caller, 'create', 'vpc-endpoint', row.id, {
          endpoint_service_id: service.id,
          error_code: row.error_code,
        });
        return endpointView(row, service, [], now, true);
      }
      if (subnet) {
        const owner = { type: 'endpoint' as const, id: row.id, project_id: caller.project_id };
        row.ip = await allocateAddress(r, subnet, owner, input.port_ip, ENDPOINT_ADDRESS_ERRORS);
      }
      const plan = gateway
        ? (await this.#plan(r, caller, row, service, dedupe(routetables))).plan
        : undefined;
      const refused = plan?.bindFailed[0];
      // A new endpoint takes all its tables or none: the create call has no per-table report.
      // Nothing is written, but the transaction commits so that faults that fired stay used up.
      if (refused) throw new FailAfterCommit(refused.error);
      await r.endpoints.insert(row);
      if (plan) await this.#apply(r, row.id, service, plan);
      const bound = plan?.final ?? [];
      await audit(r, this.deps, caller, 'create', 'vpc-endpoint', row.id, {
        endpoint_service_id: service.id,
        routetables: bound,
      });
      return endpointView(row, service, bound, now, true);
    });
  }

  async get(caller: Caller, id: string) {
    const now = this.deps.clock.now();
    return this.deps.store.read(async (r) => {
      const { endpoint, service, routetables } = await contextOf(r, caller, id, now);
      return endpointView(endpoint, service, routetables, now);
    });
  }

  /**
   * A page of the caller's endpoints and how many match. The page is read by key (id, version,
   * service) only; the rows of endpoints whose view is not kept (EndpointViews) are read by a
   * second statement of the same snapshot, and their views built and kept.
   */
  async list(caller: Caller, q: Omit<EndpointListQuery, 'project_id' | 'now'>) {
    const now = this.deps.clock.now();
    return this.deps.store.read(async (r) => {
      const { page, total } = await r.endpoints.list({ ...q, project_id: caller.project_id, now });
      const services = await servicesOf(r, page, now);
      const views: (EndpointView | undefined)[] = page.map((k) =>
        this.#views.get(k.id, k.version, services.get(k.endpoint_service_id)!, now),
      );
      const missing = page.filter((_, i) => views[i] === undefined).map((k) => k.id);
      if (missing.length > 0) {
        const rows = await r.endpoints.withTables(missing);
        page.forEach((k, i) => {
          const row = rows.get(k.id);
          if (views[i] !== undefined || !row) return;
          const service = services.get(k.endpoint_service_id)!;
          const view = endpointView(row.endpoint, service, row.routetables, now);
          this.#views.set(row.endpoint, service, now, view);
          views[i] = view;
        });
      }
      return { endpoints: views.filter((v) => v !== undefined), total_count: total };
    });
  }

  /**
   * 204. The endpoint's `egw` routes leave every bound table and its address is freed in the same
   * transaction; the endpoint itself is gone at once, or `deleting` until the deletion delay has
   * passed (spec/operations.md, "Lifecycle"). Deleting it again meanwhile changes nothing.
   */
  async delete(caller: Caller, id: string) {
    const now = this.deps.clock.now();
    const delay = this.deps.config.deletionDelayMs;
    await this.deps.store.tx(async (r) => {
      const e = await endpointOf(r, caller, id, now, { forUpdate: true });
      const tables = await r.endpoints.boundTables(id);
      let until = e.status === 'deleting' ? e.ready_at : undefined;
      if (until === undefined) {
        await r.network.lockRoutetables(tables);
        if (delay === 0) await r.endpoints.remove([id]);
        else {
          until = endsAt(now, delay);
          await r.endpoints.release([id]);
          await r.endpoints.update(id, {
            status: 'deleting',
            ready_at: until,
            updated_at: now.toISOString(),
          });
        }
      }
      await audit(r, this.deps, caller, 'delete', 'vpc-endpoint', id, {
        routetables: tables,
        ...(until === undefined ? {} : { deleting_until: until }),
      });
    });
  }

  /** UpdateEndpointRoutetable: checks 5 to 8 of routetables.md, then the change, in one transaction. */
  async updateRoutetables(caller: Caller, id: string, requested: string[]): Promise<RebindResult> {
    const desired = dedupe(requested);
    const now = this.deps.clock.now();
    let planned: RebindPlan | undefined;
    const result = await this.deps.store.tx(async (r) => {
      // One round trip on PostgreSQL: the endpoint locked, then its tables locked, then what it must
      // know of those it binds, each statement after the one before. The order of the locks and of
      // routetables.md's checks is kept, and what is read for a check that then fails is never used;
      // but the tables are locked before the endpoint's status is checked, so a call refused for its
      // status (check 6) may first wait for another rebind of the same tables to commit.
      const [context, touched, occupancy] = await r.together(
        r.endpoints.lockedContextRead(caller.project_id, id, now),
        r.network.tablesOfRebindRead(caller.project_id, id, desired),
        r.network.occupancyOfRebindRead(id, desired),
      );
      if (!context) throw new ApiError('EndPoint.2006');
      const { endpoint: e, service, hasFaults } = context;
      const status = statusOf(e, service, now);
      assertRoutetablesChangeable(status, service.service_type);

      const read = { touched, occupancy };
      const { plan, current } = await this.#plan(r, caller, e, service, desired, hasFaults, read);
      planned = plan;
      const changed = plan.bind.length + plan.unbind.length > 0;
      await this.#apply(
        r,
        e.id,
        service,
        plan,
        changed ? { updatedAt: now.toISOString(), ...(status !== e.status && { status }) } : undefined,
      );
      const failed = plan.bindFailed.length + plan.unbindFailed.length > 0;
      const failures = failureLists(plan);
      // Every call is an event, one that changed nothing too: the trail shows what was asked.
      await audit(r, this.deps, caller, 'update-routetables', 'vpc-endpoint', id, {
        requested: desired,
        before: [...current].sort(),
        after: plan.final,
        bound: plan.bind,
        unbound: plan.unbind,
        ...failures,
      });
      const result: RebindResult = { routetables: plan.final };
      if (failed) result.error = [failures];
      return result;
    });
    // Counted once committed: a call that rolled back bound and unbound nothing.
    if (planned) this.deps.metrics?.rebound(planned);
    return result;
  }

  /** UpdateEndpointWhite: an interface endpoint's whitelist and whether it applies. */
  async updateWhitelist(
    caller: Caller,
    id: string,
    input: { whitelist?: string[]; enable_whitelist?: boolean },
  ) {
    const whitelist = input.whitelist === undefined ? undefined : whitelistOf(input.whitelist);
    return this.#change(caller, id, 'update-whitelist', (_e, service) => {
      if (service.service_type === 'gateway') {
        throw new ApiError('EndPoint.1004', 'Whitelists are for endpoints of interface services.');
      }
      return {
        ...(whitelist === undefined ? {} : { whitelist: JSON.stringify(whitelist) }),
        ...(input.enable_whitelist === undefined ? {} : { enable_whitelist: input.enable_whitelist ? 1 : 0 }),
      };
    });
  }

  /** UpdateEndpointPolicy: `policy_statement` of a gateway endpoint, `policy_document` of an interface one. */
  async updatePolicy(
    caller: Caller,
    id: string,
    input: { policy_statement?: unknown[]; policy_document?: object },
  ) {
    return this.#change(caller, id, 'update-policy', (_e, service) => {
      const policy = policyOf(service.service_type, input);
      if (Object.keys(policy).length === 0) {
        const field = service.service_type === 'gateway' ? 'policy_statement' : 'policy_document';
        throw new ApiError('EndPoint.2048', `Give ${field}.`);
      }
      return policy;
    });
  }

  /** DeleteEndpointPolicy: the endpoint's policy is gone (a gateway endpoint's statement list empty). */
  async deletePolicy(caller: Caller, id: string) {
    return this.#change(caller, id, 'delete-policy', (_e, service) =>
      service.service_type === 'gateway' ? { policy_statement: '[]' } : { policy_document: '' },
    );
  }

  /**
   * One change of an endpoint's own fields, in one transaction with the endpoint locked: the state
   * codes first, then `patch` (which may refuse), `updated_at`, the audit record; answers the endpoint.
   */
  async #change(
    caller: Caller,
    id: string,
    action: string,
    patch: (e: EndpointRow, service: ServiceRow) => Partial<EndpointRow>,
  ) {
    const now = this.deps.clock.now();
    return this.deps.store.tx(async (r) => {
      const { endpoint: e, service } = await lockedContextOf(r, caller, id, now);
      const routetables = await r.endpoints.boundTables(id);
      const status = statusOf(e, service, now);
      assertNotInTransition(status);
      const changes = { ...patch(e, service), status, updated_at: now.toISOString() };
      await r.endpoints.update(id, changes);
      await audit(r, this.deps, caller, action, 'vpc-endpoint', id, changes);
      return endpointView({ ...e, ...changes }, service, routetables, now);
    });
  }

  /** The row of a new endpoint: `creating` until its provisioning delay has passed. */
  #newRow(
    caller: Caller,
    input: EndpointCreate,
    now: Date,
    where: Pick<EndpointRow, 'endpoint_service_id' | 'vpc_id' | 'subnet_id'>,
  ): EndpointRow {
    const { ids, config } = this.deps;
    const iso = now.toISOString();
    return {
      id: ids.uuid(),
      project_id: caller.project_id,
      ...where,
      status: 'creating',
      ready_at: endsAt(now, config.provisioningDelayMs),
      marker_id: ids.int(100_000_000, 2 ** 31 - 1),
      description: input.description ?? '',
      ip: '',
      enable_dns: input.enable_dns ? 1 : 0,
      whitelist: JSON.stringify(input.whitelist ?? []),
      enable_whitelist: input.enable_whitelist ? 1 : 0,
      policy_statement: JSON.stringify(input.policy_statement ?? []),
      tags: JSON.stringify(validTags(input.tags ?? [])),
      policy_document: '',
      connection_description: '',
      error_code: '',
      error_message: '',
      created_at: iso,
      updated_at: iso,
      // The database raises it from here (migration 009).
      version: 0,
    };
  }

  /**
   * The binding diff from the endpoint's bound tables (`current`) to `desired` with its per-table
   * outcomes, in three steps: the tables locked and read, check 8 and their facts, the pure planner,
   * the route backend's faults used. Writes nothing but the use of the faults that fired.
   */
  async #plan(
    r: Tx,
    caller: Caller,
    e: Pick<EndpointRow, 'id' | 'vpc_id'>,
    service: ServiceRow,
    desired: string[],
    hasFaults = true,
    read?: TablesRead,
  ): Promise<{ plan: RebindPlan; current: string[] }> {
    const endpoint = { id: e.id, serviceId: service.id, vpcId: e.vpc_id };
    const { current, tables } = await checkedTableFacts(r, caller, endpoint, desired, read);
    const faults = hasFaults ? await this.faults.forCall(r, caller.project_id) : NO_FAULTS;
    const plan = planRebind({
      current,
      desired,
      tables,
      serviceCidrs: cidrsOf(service),
      bindRefused: (id) => faults.take('bind', id),
      unbindRefused: (id) => faults.take('unbind', id),
    });
    await faults.commit();
    return { plan, current };
  }

  /**
   * Routes and binding rows change together, inside the caller's transaction, with the endpoint's
   * update time and status when `touched` (store/endpoints.ts rebindWrites: one statement on PostgreSQL).
   */
  async #apply(
    r: Tx,
    endpointId: string,
    service: ServiceRow,
    plan: RebindPlan,
    touched?: RebindWrites['touched'],
  ) {
    const cidrs = cidrsOf(service);
    await r.endpoints.rebindWrites({
      endpointId,
      serviceId: service.id,
      unbind: plan.unbind,
      bind: plan.bind,
      routes: plan.bind.flatMap((tid) =>
        egwRoutes(endpointId, cidrs).map((route) => ({
          ...route,
          routetable_id: tid,
          description: '',
          endpoint_id: endpointId,
        })),
      ),
      ...(touched && { touched }),
    });
  }
}
