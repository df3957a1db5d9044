import { ApiError } from '../domain/errors.ts';
import { vpcTime } from '../domain/ids.ts';
import type { Row } from '../store/queries.ts';
import { allocateAddress, type AddressErrors } from './addresses.ts';
import { audit, type Caller, type Deps } from './context.ts';

export interface PortInput {
  network_id: string;
  name?: string;
  fixed_ips?: { ip_address?: string; subnet_id?: string }[];
  device_owner?: string;
  security_groups?: string[];
}

/** What ListPorts filters by; each list matches any of its values. */
export interface PortFilters {
  id?: string[];
  name?: string[];
  vpc_id?: string[];
  virsubnet_id?: string[];
  device_owner?: string[];
  private_ips?: string[];
  status?: string;
  admin_state_up?: boolean;
}

type PortRow = Row<'ports'>;

/** A port is DOWN: vpcep attaches no device to it (spec/interface-services.md). */
const STATUS = 'DOWN';

/** A port as CreatePort answers it (vpc.json, the /v1 Port). */
export function portView(p: PortRow) {
  return {
    id: p.id,
    name: p.name,
    network_id: p.subnet_id,
    admin_state_up: p.admin_state_up === 1,
    mac_address: p.mac_address,
    fixed_ips: [{ ip_address: p.ip_address, subnet_id: p.subnet_id }],
    device_id: '',
    device_owner: p.device_owner,
    tenant_id: p.project_id,
    status: STATUS,
    security_groups: JSON.parse(p.security_groups) as string[],
    allowed_address_pairs: [],
    extra_dhcp_opts: [],
    'binding:vnic_type': 'normal',
    'binding:profile': {},
    'binding:vif_details': {},
    dns_assignment: [],
    dns_name: '',
    enable_efi: false,
    instance_id: '',
    instance_type: '',
    ipv6_bandwidth_id: '',
    port_security_enabled: true,
    zone_id: '',
  };
}

/** A port as ListPorts answers it (vpc.json, the /v3 Port). */
export function portDetailView(p: PortRow) {
  return {
    id: p.id,
    name: p.name,
    description: '',
    admin_state_up: p.admin_state_up === 1,
    mac_address: p.mac_address,
    private_ips: [{ ip_address: p.ip_address, subnet_cidr_id: p.subnet_id }],
    virsubnet_id: p.subnet_id,
    vpc_id: p.vpc_id,
    project_id: p.project_id,
    tenant_id: p.project_id,
    vpc_tenant_id: p.project_id,
    device_id: '',
    device_owner: p.device_owner,
    status: STATUS,
    security_groups: JSON.parse(p.security_groups) as string[],
    allowed_address_pairs: [],
    extra_dhcp_opts: [],
    tags: [],
    'binding:host_id': '',
    'binding:migration_info': {},
    'binding:profile': {},
    'binding:vif_details': {},
    'binding:vif_type': 'unbound',
    'binding:vnic_type': 'normal',
    ecs_flavor: '',
    enable_efi: false,
    instance_id: '',
    instance_type: '',
    instance_info: {},
    port_security_enabled: true,
    position_type: 'center',
    scope: 'center',
    vtep_ip: '',
    zone_id: '',
    created_at: vpcTime(new Date(p.created_at)),
    updated_at: vpcTime(new Date(p.updated_at)),
  };
}

/** A port's address refusals, in the VPC API's codes. */
const PORT_ADDRESS_ERRORS: AddressErrors = {
  invalid: () => new ApiError('VPC.0101', 'fixed_ips[0].ip_address is not an IPv4 address.'),
  outside: () =>
    new ApiError('VPC.0101', "fixed_ips[0].ip_address is not a usable address of the port's subnet."),
  taken: () => new ApiError('VPC.0701'),
  full: () => new ApiError('VPCEP.2003'),
};

const matches = (values: string[] | undefined, v: string) => values === undefined || values.includes(v);

/** Ports of the VPC API: the backends interface endpoint services point at. */
export class Ports {
  constructor(private readonly deps: Deps) {}

  async create(caller: Caller, input: PortInput) {
    const { ids, clock } = this.deps;
    const now = clock.now().toISOString();
    const fixed = input.fixed_ips?.[0];
    if (fixed?.subnet_id !== undefined && fixed.subnet_id !== input.network_id) {
      throw new ApiError('VPC.0101', 'fixed_ips[0].subnet_id must be the subnet network_id names.');
    }
    return this.deps.store.tx(async (r) => {
      // Locked: two ports made at once in one subnet must not get the same address.
      const subnet = await r.network.subnet(caller.project_id, input.network_id, { forUpdate: true });
      if (!subnet) throw new ApiError('VPC.0201');
      const id = ids.uuid();
      const owner = { type: 'port' as const, id, project_id: caller.project_id };
      const ip = await allocateAddress(r, subnet, owner, fixed?.ip_address, PORT_ADDRESS_ERRORS);
      const row: PortRow = {
        id,
        project_id: caller.project_id,
        vpc_id: subnet.vpc_id,
        subnet_id: subnet.id,
        name: input.name ?? '',
        ip_address: ip,
        mac_address: `fa:16:3e:${ids.hex(3).replace(/(..)(?=.)/g, '$1:')}`,
        device_owner: input.device_owner ?? '',
        admin_state_up: 1,
        security_groups: JSON.stringify(input.security_groups ?? []),
        created_at: now,
        updated_at: now,
      };
      await r.network.insertPort(row);
      await audit(r, this.deps, caller, 'create', 'port', id, { subnet_id: subnet.id, ip_address: ip });
      return portView(row);
    });
  }

  async list(caller: Caller, f: PortFilters) {
    const rows = await this.deps.store.read((r) => r.network.ports(caller.project_id));
    const ports = rows.filter(
      (p) =>
        matches(f.id, p.id) &&
        matches(f.name, p.name) &&
        matches(f.vpc_id, p.vpc_id) &&
        matches(f.virsubnet_id, p.subnet_id) &&
        matches(f.device_owner, p.device_owner) &&
        matches(f.private_ips, p.ip_address) &&
        (f.status === undefined || f.status === STATUS) &&
        (f.admin_state_up === undefined || f.admin_state_up === (p.admin_state_up === 1)),
    );
    return {
      ports: ports.map(portDetailView),
      page_info: { current_count: ports.length, previous_marker: ports[0]?.id ?? '' },
      request_id: caller.request_id,
    };
  }

  /** 204; refused while an endpoint service names the port as its backend. */
  async delete(caller: Caller, id: string) {
    await this.deps.store.tx(async (r) => {
      const port = await r.network.port(caller.project_id, id, { forUpdate: true });
      if (!port) throw new ApiError('VPCEP.2001');
      const users = await r.services.ofPort(id);
      if (users.length > 0) {
        throw new ApiError('VPCEP.2002', `Used by ${users.map((s) => s.id).join(', ')}.`);
      }
      await r.network.releaseAddresses(id);
      await r.network.deletePort(id);
      await audit(r, this.deps, caller, 'delete', 'port', id);
    });
  }
}
