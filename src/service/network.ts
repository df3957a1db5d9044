import { contains, containsIp, overlaps, parseCidr, parseIpv4 } from '../domain/cidr.ts';
import { ApiError } from '../domain/errors.ts';
import { vpcTime } from '../domain/ids.ts';
import type { Row } from '../store/queries.ts';
import { audit, type Caller, type Deps } from './context.ts';

export interface VpcInput {
  name?: string;
  cidr?: string;
  description?: string;
}

export interface SubnetInput {
  name: string;
  cidr: string;
  gateway_ip: string;
  vpc_id: string;
  description?: string;
}

/** The private ranges a VPC may use, as the VPC service allows them. */
const PRIVATE_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'].map((c) => parseCidr(c)!);

export function vpcView(v: Row<'vpcs'>) {
  return {
    id: v.id,
    name: v.name,
    cidr: v.cidr,
    status: 'OK',
    description: v.description,
    routes: [],
    enterprise_project_id: '0',
    tenant_id: v.project_id,
    created_at: vpcTime(new Date(v.created_at)),
    updated_at: vpcTime(new Date(v.updated_at)),
  };
}

export function subnetView(s: Row<'subnets'>) {
  return {
    id: s.id,
    name: s.name,
    description: '',
    cidr: s.cidr,
    gateway_ip: s.gateway_ip,
    vpc_id: s.vpc_id,
    status: 'ACTIVE',
    dhcp_enable: true,
    primary_dns: '',
    secondary_dns: '',
    neutron_network_id: s.id,
    neutron_subnet_id: s.id,
    tenant_id: s.project_id,
    created_at: vpcTime(new Date(s.created_at)),
    updated_at: vpcTime(new Date(s.updated_at)),
  };
}

/** VPCs and subnets (api-surface.md §2). Creating a VPC creates its default route table. */
export class Network {
  constructor(private readonly deps: Deps) {}

  async createVpc(caller: Caller, input: VpcInput) {
    const cidrText = input.cidr ?? '192.168.0.0/16';
    const cidr = parseCidr(cidrText);
    if (!cidr || cidr.prefix > 28 || !PRIVATE_RANGES.some((r) => contains(r, cidr))) {
      throw new ApiError(
        'VPC.0101',
        `cidr "${cidrText}" must be a private range (10/8, 172.16/12, 192.168/16), /8 to /28.`,
      );
    }
    const { ids, clock } = this.deps;
    const now = clock.now().toISOString();
    const vpc: Row<'vpcs'> = {
      id: ids.uuid(),
      project_id: caller.project_id,
      name: input.name ?? '',
      cidr: cidrText,
      description: input.description ?? '',
      created_at: now,
      updated_at: now,
    };
    const tableId = ids.uuid();
    await this.deps.store.tx(async (r) => {
      await r.network.insertVpc(vpc);
      await r.network.insertRoutetable({
        id: tableId,
        project_id: caller.project_id,
        vpc_id: vpc.id,
        name: `rtb-${vpc.name || vpc.id.slice(0, 8)}`,
        description: 'Default route table',
        is_default: 1,
        created_at: now,
        updated_at: now,
      });
      await r.network.insertRoutes([
        {
          routetable_id: tableId,
          destination: cidrText,
          type: 'local',
          nexthop: '-',
          description: '',
          endpoint_id: null,
        },
      ]);
      await audit(r, this.deps, caller, 'create', 'vpc', vpc.id, {
        cidr: cidrText,
        default_routetable: tableId,
      });
    });
    return vpcView(vpc);
  }

  async listVpcs(caller: Caller) {
    const rows = await this.deps.store.read((r) => r.network.vpcs(caller.project_id));
    return rows.map(vpcView);
  }

  async getVpc(caller: Caller, id: string) {
    const vpc = await this.deps.store.read((r) => r.network.vpc(caller.project_id, id));
    if (!vpc) throw new ApiError('VPC.0103');
    return vpcView(vpc);
  }

  /** Refused while subnets, endpoints or custom route tables remain (api-surface.md §2). */
  async deleteVpc(caller: Caller, id: string) {
    const now = this.deps.clock.now();
    await this.deps.store.tx(async (r) => {
      const vpc = await r.network.vpc(caller.project_id, id);
      if (!vpc) throw new ApiError('VPC.0103');
      const [subnets, endpoints, tables] = await Promise.all([
        r.network.subnets(caller.project_id, id),
        r.endpoints.ofVpc(id, now),
        r.network.routetablesOfVpc(id),
      ]);
      const blockers = [
        ...subnets.map((s) => `subnet ${s.id}`),
        ...endpoints.map((e) => `VPC endpoint ${e.id}`),
        ...tables.filter((t) => !t.is_default).map((t) => `route table ${t.id}`),
      ];
      if (blockers.length > 0) throw new ApiError('VPC.0104', `Still in use by ${blockers.join(', ')}.`);
      // Endpoints of it that are gone may not have been swept yet; their rows name it.
      await r.lifecycle.purge(now, { vpc_id: id });
      for (const t of tables) await r.network.deleteRoutetable(t.id);
      await r.network.deleteVpc(id);
      await audit(r, this.deps, caller, 'delete', 'vpc', id);
    });
  }

  async createSubnet(caller: Caller, input: SubnetInput) {
    const cidr = parseCidr(input.cidr);
    if (!cidr || cidr.prefix > 29)
      throw new ApiError('VPC.0101', `cidr "${input.cidr}" is not a valid CIDR of /29 or larger.`);
    const gw = parseIpv4(input.gateway_ip);
    if (gw === undefined || !containsIp(cidr, gw) || gw === cidr.base) {
      throw new ApiError(
        'VPC.0101',
        `gateway_ip "${input.gateway_ip}" must be a host address inside ${input.cidr}.`,
      );
    }
    const now = this.deps.clock.now().toISOString();
    const subnet: Row<'subnets'> = {
      id: this.deps.ids.uuid(),
      project_id: caller.project_id,
      vpc_id: input.vpc_id,
      name: input.name,
      cidr: input.cidr,
      gateway_ip: input.gateway_ip,
      routetable_id: null,
      created_at: now,
      updated_at: now,
    };
    await this.deps.store.tx(async (r) => {
      // Locked: two subnets created at once in one VPC must not both pass the overlap check.
      const vpc = await r.network.vpc(caller.project_id, input.vpc_id, { forUpdate: true });
      if (!vpc) throw new ApiError('VPC.0103');
      if (!contains(parseCidr(vpc.cidr)!, cidr)) {
        throw new ApiError('VPC.0202', `Subnet ${input.cidr} is not inside the VPC's ${vpc.cidr}.`);
      }
      const clash = (await r.network.subnets(caller.project_id, vpc.id)).find((s) =>
        overlaps(parseCidr(s.cidr)!, cidr),
      );
      if (clash)
        throw new ApiError('VPC.0202', `Subnet ${input.cidr} overlaps subnet ${clash.id} (${clash.cidr}).`);
      await r.network.insertSubnet(subnet);
      await audit(r, this.deps, caller, 'create', 'subnet', subnet.id, { vpc_id: vpc.id, cidr: input.cidr });
    });
    return subnetView(subnet);
  }

  async listSubnets(caller: Caller, vpcId?: string) {
    const rows = await this.deps.store.read((r) => r.network.subnets(caller.project_id, vpcId));
    return rows.map(subnetView);
  }

  async getSubnet(caller: Caller, id: string) {
    const s = await this.deps.store.read((r) => r.network.subnet(caller.project_id, id));
    if (!s) throw new ApiError('VPC.0201');
    return subnetView(s);
  }

  async deleteSubnet(caller: Caller, vpcId: string, id: string) {
    await this.deps.store.tx(async (r) => {
      // Locked, as an allocation locks it: no address is handed out of a subnet being deleted.
      const s = await r.network.subnet(caller.project_id, id, { forUpdate: true });
      if (!s || s.vpc_id !== vpcId) throw new ApiError('VPC.0201');
      const held = await r.network.addressesInUse(id);
      if (held.size > 0) {
        throw new ApiError('VPCEP.2004', `${held.size} address(es) held by ports or VPC endpoints.`);
      }
      await r.network.deleteSubnet(id);
      await audit(r, this.deps, caller, 'delete', 'subnet', id);
    });
  }
}
