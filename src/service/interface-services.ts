import { endsAt, serviceStatusAt, statusAt } from '../domain/endpoint-status.ts';
import { ApiError } from '../domain/errors.ts';
import { endpointTimeOf } from '../domain/ids.ts';
import { storedTags, validTags } from '../domain/tags.ts';
import type { LockOption, Row } from '../store/queries.ts';
import type { Tx } from '../store/store.ts';
import { audit, type Caller, type Deps } from './context.ts';
import type { Faults } from './faults.ts';
import { assertQuota } from './quotas.ts';

type ServiceRow = Row<'endpoint_services'>;

export interface ServicePort {
  client_port: number;
  server_port: number;
  protocol?: string;
}

export interface ServiceCreate {
  port_id: string;
  vpc_id: string;
  server_type: string;
  ports: ServicePort[];
  service_name?: string;
  approval_enabled?: boolean;
  service_type?: string;
  tcp_proxy?: string;
  description?: string;
  tags?: { key?: string; value?: string }[];
}

export interface ServiceUpdate {
  port_id?: string;
  ports?: ServicePort[];
  service_name?: string;
  approval_enabled?: boolean;
  tcp_proxy?: string;
  description?: string;
}

export interface ServiceListQuery {
  endpoint_service_name?: string;
  id?: string;
  status?: string;
  sort_key: 'created_at' | 'updated_at';
  sort_dir: 'asc' | 'desc';
  limit: number;
  offset: number;
}

/** Published: at most 200 mappings per service (CreateEndpointService). */
const MAX_PORTS = 200;

/** `<region>.<name>.<id>`, or `<region>.<id>` without a name (reference.md §3). */
export const fullServiceName = (region: string, name: string | undefined, id: string) =>
  name ? `${region}.${name}.${id}` : `${region}.${id}`;

type Mapping = { client_port: number; server_port: number; protocol: string };
const portsOf = (s: ServiceRow) => JSON.parse(s.ports) as Mapping[];

/**
 * The service object of the provider's calls (spec/interface-services.md, "The service object"), as
 * it stands at `now`; as the create call answers it (`creating`, whatever the delay) when `justCreated`.
 */
export function serviceView(s: ServiceRow, now: Date, connections: number, justCreated = false) {
  const status = justCreated ? 'creating' : serviceStatusAt(s, now);
  return {
    id: s.id,
    port_id: s.port_id,
    vpc_id: s.vpc_id,
    service_name: s.service_name,
    service_type: s.service_type,
    server_type: s.server_type,
    approval_enabled: s.approval_enabled === 1,
    status,
    ports: portsOf(s),
    tcp_proxy: s.tcp_proxy,
    tags: storedTags(s.tags),
    description: s.description,
    enable_policy: s.enable_policy === 1,
    cidr_type: 'internal',
    connection_count: connections,
    project_id: s.owner_project_id ?? '',
    domain_id: s.owner_domain_id,
    created_at: endpointTimeOf(s.created_at),
    updated_at: endpointTimeOf(s.updated_at),
    // The published `error[]` of a service is `{code, message}`.
    ...(status === 'failed' && s.error_code !== ''
      ? { error: [{ code: s.error_code, message: s.error_message }] }
      : {}),
  };
}

/** The caller's own service at `now`, or 400 EndPoint.2003 (another's answers as one nobody has). */
export async function ownServiceOf(
  r: Tx,
  caller: Caller,
  id: string,
  now: Date,
  opts?: LockOption,
): Promise<ServiceRow> {
  const s = await r.services.byId(id, now, opts);
  if (!s || s.owner_project_id !== caller.project_id) throw new ApiError('EndPoint.2003');
  return s;
}

/**
 * The mappings as stored: protocol TCP when not given, 1 to 200 of them, and each client port
 * mapped once (a client port leads to one backend port).
 */
function mappingsOf(ports: ServicePort[]): Mapping[] {
  if (ports.length === 0) throw new ApiError('EndPoint.2028', 'ports needs at least one mapping.');
  if (ports.length > MAX_PORTS) throw new ApiError('EndPoint.3074', `At most ${MAX_PORTS} ports.`);
  const out = ports.map((p) => ({
    client_port: p.client_port,
    server_port: p.server_port,
    protocol: p.protocol ?? 'TCP',
  }));
  const seen = new Set<string>();
  for (const p of out) {
    const key = `${p.protocol}/${p.client_port}`;
    if (seen.has(key)) throw new ApiError('EndPoint.3043', `client_port ${p.client_port} is mapped twice.`);
    seen.add(key);
  }
  return out;
}

/**
 * The backend port a service points at: a port of the caller's in the service's VPC, locked so
 * that its services' mappings are checked and written by one call at a time.
 */
async function backendOf(r: Tx, caller: Caller, portId: string, vpcId: string) {
  const port = await r.network.port(caller.project_id, portId, { forUpdate: true });
  if (!port) throw new ApiError('EndPoint.3008');
  if (port.vpc_id !== vpcId) throw new ApiError('EndPoint.3042');
  return port;
}

/** Services sharing a backend port may not repeat a server port and protocol (reference.md §3). */
async function assertNoClash(r: Tx, portId: string, mappings: Mapping[], self: string | undefined) {
  const others = (await r.services.ofPort(portId)).filter((s) => s.id !== self);
  const taken = new Map<string, string>();
  for (const s of others) for (const p of portsOf(s)) taken.set(`${p.protocol}/${p.server_port}`, s.id);
  for (const p of mappings) {
    const by = taken.get(`${p.protocol}/${p.server_port}`);
    if (by) throw new ApiError('EndPoint.3044', `server_port ${p.server_port} is used by service ${by}.`);
  }
}

/**
 * Endpoints of `s` whose provisioning time has passed keep the status they settled in, written
 * down, before a change of the service's approval setting could change how they would settle.
 */
export async function settleEndpoints(r: Tx, s: ServiceRow, now: Date): Promise<void> {
  const approval = s.approval_enabled === 1;
  for (const e of await r.endpoints.ofService(s.id, now)) {
    const status = statusAt(e, approval, now);
    if (status !== e.status) await r.endpoints.update(e.id, { status, updated_at: e.ready_at });
  }
}

/** A service can change only while available (EndPoint.3045). */
function assertChangeable(s: ServiceRow, now: Date) {
  const status = serviceStatusAt(s, now);
  if (status !== 'available') throw new ApiError('EndPoint.3045', `The service is ${status}.`);
}

/** Endpoint services of users: the provider's side (spec/interface-services.md). */
export class InterfaceServices {
  constructor(
    private readonly deps: Deps,
    private readonly faults: Faults,
  ) {}

  async create(caller: Caller, input: ServiceCreate) {
    if (input.service_type === 'gateway') {
      throw new ApiError('EndPoint.1004', 'Users create interface services only.');
    }
    const mappings = mappingsOf(input.ports);
    const tags = validTags(input.tags ?? []);
    const { ids, clock, config } = this.deps;
    const now = clock.now();
    return this.deps.store.tx(async (r) => {
      await assertQuota(r, this.deps, caller, 'endpoint_service');
      const vpc = await r.network.vpc(caller.project_id, input.vpc_id);
      if (!vpc) throw new ApiError('EndPoint.2001');
      const port = await backendOf(r, caller, input.port_id, vpc.id);
      // A service whose provisioning fails holds no backend (spec/operations.md, "Lifecycle"), so
      // what other services hold of the port is not checked.
      const failure = (await this.faults.fires(r, caller.project_id, 'create-service'))
        ? new ApiError('VPCEP.3002')
        : undefined;
      if (!failure) await assertNoClash(r, port.id, mappings, undefined);
      const id = ids.uuid();
      const iso = now.toISOString();
      const row: ServiceRow = {
        id,
        owner_project_id: caller.project_id,
        owner_domain_id: caller.domain_id,
        owner: caller.domain_name,
        service_name: fullServiceName(config.region, input.service_name, id),
        service_type: 'interface',
        server_type: input.server_type,
        vpc_id: vpc.id,
        port_id: port.id,
        approval_enabled: input.approval_enabled === false ? 0 : 1,
        status: 'creating',
        ready_at: endsAt(now, config.provisioningDelayMs),
        error_code: failure?.code ?? '',
        error_message: failure?.message ?? '',
        cidrs: '[]',
        is_charge: 0,
        enable_policy: 0,
        ports: JSON.stringify(mappings),
        tcp_proxy: input.tcp_proxy ?? 'close',
        tags: JSON.stringify(tags),
        description: input.description ?? '',
        created_at: iso,
        updated_at: iso,
      };
      await r.services.insert(row);
      await audit(r, this.deps, caller, 'create', 'vpc-endpoint-service', id, {
        port_id: port.id,
        ports: mappings,
        ...(failure ? { error_code: failure.code } : {}),
      });
      return serviceView(row, now, 0, true);
    });
  }

  async get(caller: Caller, id: string) {
    const now = this.deps.clock.now();
    return this.deps.store.read(async (r) => {
      const s = await ownServiceOf(r, caller, id, now);
      const counts = await r.endpoints.countsOfServices([id], now);
      return serviceView(s, now, counts.get(id) ?? 0);
    });
  }

  async list(caller: Caller, q: ServiceListQuery) {
    const now = this.deps.clock.now();
    return this.deps.store.read(async (r) => {
      const rows = (await r.services.ownedBy(caller.project_id, now)).filter(
        (s) =>
          (q.id === undefined || s.id === q.id) &&
          (q.endpoint_service_name === undefined || s.service_name.includes(q.endpoint_service_name)) &&
          (q.status === undefined || serviceStatusAt(s, now) === q.status),
      );
      const dir = q.sort_dir === 'asc' ? 1 : -1;
      rows.sort((a, b) => dir * (a[q.sort_key].localeCompare(b[q.sort_key]) || a.id.localeCompare(b.id)));
      const page = rows.slice(q.offset, q.offset + q.limit);
      const counts = await r.endpoints.countsOfServices(
        page.map((s) => s.id),
        now,
      );
      return {
        endpoint_services: page.map((s) => serviceView(s, now, counts.get(s.id) ?? 0)),
        total_count: rows.length,
      };
    });
  }

  async update(caller: Caller, id: string, input: ServiceUpdate) {
    const now = this.deps.clock.now();
    return this.deps.store.tx(async (r) => {
      const s = await ownServiceOf(r, caller, id, now, { forUpdate: true });
      assertChangeable(s, now);
      const portId = input.port_id ?? s.port_id;
      const mappings = input.ports ? mappingsOf(input.ports) : portsOf(s);
      if (input.port_id !== undefined || input.ports !== undefined) {
        await backendOf(r, caller, portId, s.vpc_id);
        await assertNoClash(r, portId, mappings, s.id);
      }
      const approval =
        input.approval_enabled === undefined ? s.approval_enabled : input.approval_enabled ? 1 : 0;
      if (approval !== s.approval_enabled) await settleEndpoints(r, s, now);
      const updated: ServiceRow = {
        ...s,
        status: serviceStatusAt(s, now),
        port_id: portId,
        ports: JSON.stringify(mappings),
        approval_enabled: approval,
        tcp_proxy: input.tcp_proxy ?? s.tcp_proxy,
        description: input.description ?? s.description,
        service_name:
          input.service_name === undefined
            ? s.service_name
            : fullServiceName(this.deps.config.region, input.service_name, s.id),
        updated_at: now.toISOString(),
      };
      const { id: _id, ...patch } = updated;
      await r.services.update(id, patch);
      await audit(r, this.deps, caller, 'update', 'vpc-endpoint-service', id, input);
      const counts = await r.endpoints.countsOfServices([id], now);
      return serviceView(updated, now, counts.get(id) ?? 0);
    });
  }

  /** UpdateEndpointServiceName: the answer is the full name, `<region>.<name>.<id>`. */
  async rename(caller: Caller, id: string, name: string) {
    const now = this.deps.clock.now();
    return this.deps.store.tx(async (r) => {
      const s = await ownServiceOf(r, caller, id, now, { forUpdate: true });
      assertChangeable(s, now);
      const service_name = fullServiceName(this.deps.config.region, name, s.id);
      await r.services.update(id, { service_name, updated_at: now.toISOString() });
      await audit(r, this.deps, caller, 'rename', 'vpc-endpoint-service', id, { service_name });
      return { endpoint_service_name: service_name };
    });
  }

  /**
   * 204; refused with EndPoint.3006 while any endpoint of the service exists, `deleting` ones
   * included. The service is gone at once, or `deleting` until the deletion delay has passed
   * (spec/operations.md, "Lifecycle"); deleting it again meanwhile changes nothing.
   */
  async delete(caller: Caller, id: string) {
    const now = this.deps.clock.now();
    const delay = this.deps.config.deletionDelayMs;
    await this.deps.store.tx(async (r) => {
      const s = await ownServiceOf(r, caller, id, now, { forUpdate: true });
      let until = s.status === 'deleting' ? s.ready_at : undefined;
      if (until === undefined) {
        const n = (await r.endpoints.countsOfServices([id], now)).get(id) ?? 0;
        if (n > 0) throw new ApiError('EndPoint.3006', `${n} VPC endpoint(s) are connected to it.`);
        if (delay === 0) {
          // Endpoints of it that are gone may not have been swept yet; their rows name it.
          await r.lifecycle.purge(now, { endpoint_service_id: id });
          await r.services.remove([id]);
        } else {
          until = endsAt(now, delay);
          await r.services.update(id, { status: 'deleting', ready_at: until, updated_at: now.toISOString() });
        }
      }
      await audit(
        r,
        this.deps,
        caller,
        'delete',
        'vpc-endpoint-service',
        id,
        until === undefined ? {} : { deleting_until: until },
      );
    });
  }
}
