import { Type, type Static } from 'typebox';
import { Id64, ProjectParams } from './common.ts';

/** The VPC API that route tables need (api-surface.md §2): requests and answers on the wire. */

/** Route types of the VPC API; `local` and `egw` are system routes no user may touch. */
export const ROUTE_TYPES = [
  'ecs',
  'eni',
  'vip',
  'nat',
  'peering',
  'vpn',
  'dc',
  'cc',
  'egw',
  'er',
  'subeni',
  'local',
] as const;
export type RouteType = (typeof ROUTE_TYPES)[number];

const Name = Type.String({ maxLength: 64, pattern: '^[-_.0-9A-Za-z\\u4e00-\\u9fa5]*$' });
const Description = Type.String({ maxLength: 255, pattern: '^[^<>]*$' });

/** Bounds the work one update may ask for; past the table's quota the answer is VPC.2803 anyway. */
const MAX_ROUTE_CHANGES = 1000;

export const RouteInput = Type.Object({
  type: Type.Enum(ROUTE_TYPES),
  destination: Type.String({ minLength: 1, maxLength: 64 }),
  nexthop: Type.String({ minLength: 1, maxLength: 64 }),
  description: Type.Optional(Description),
});

export const VpcParams = Type.Object({ project_id: Id64, vpc_id: Id64 });
export const SubnetParams = Type.Object({ project_id: Id64, subnet_id: Id64 });
export const VpcSubnetParams = Type.Object({ project_id: Id64, vpc_id: Id64, subnet_id: Id64 });
export const TableParams = Type.Object({ project_id: Id64, routetable_id: Id64 });
export { ProjectParams };

export const CreateVpcBody = Type.Object({
  vpc: Type.Object({
    name: Type.Optional(Name),
    cidr: Type.Optional(Type.String({ maxLength: 64 })),
    description: Type.Optional(Description),
  }),
});

export const Vpc = Type.Object({
  id: Type.String(),
  name: Type.String(),
  cidr: Type.String(),
  status: Type.String(),
  description: Type.String(),
  routes: Type.Array(Type.Unknown()),
  enterprise_project_id: Type.String(),
  tenant_id: Type.String(),
  created_at: Type.String(),
  updated_at: Type.String(),
});

export const CreateSubnetBody = Type.Object({
  subnet: Type.Object({
    name: Type.String({ minLength: 1, maxLength: 64 }),
    cidr: Type.String({ minLength: 1, maxLength: 64 }),
    gateway_ip: Type.String({ minLength: 1, maxLength: 64 }),
    vpc_id: Id64,
    description: Type.Optional(Description),
  }),
});

export const ListSubnetsQuery = Type.Object({ vpc_id: Type.Optional(Id64) });

export const Subnet = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Type.String(),
  cidr: Type.String(),
  gateway_ip: Type.String(),
  vpc_id: Type.String(),
  status: Type.String(),
  dhcp_enable: Type.Boolean(),
  primary_dns: Type.String(),
  secondary_dns: Type.String(),
  neutron_network_id: Type.String(),
  neutron_subnet_id: Type.String(),
  tenant_id: Type.String(),
  created_at: Type.String(),
  updated_at: Type.String(),
});

export const Route = Type.Object({
  type: Type.String(),
  destination: Type.String(),
  nexthop: Type.String(),
  description: Type.String(),
});

const routetableFields = {
  id: Type.String(),
  name: Type.String(),
  default: Type.Boolean(),
  subnets: Type.Array(Type.Object({ id: Type.String() })),
  tenant_id: Type.String(),
  vpc_id: Type.String(),
  description: Type.String(),
  created_at: Type.String(),
  updated_at: Type.String(),
};

/** A route table as lists show it. */
export const RoutetableSummary = Type.Object(routetableFields);

/** A route table as show, create, update and associate answer it: with its routes. */
export const Routetable = Type.Object({ ...routetableFields, routes: Type.Array(Route) });

export const ListRoutetablesQuery = Type.Object({
  limit: Type.Integer({ minimum: 0, maximum: 2000, default: 2000 }),
  marker: Type.Optional(Id64),
  id: Type.Optional(Id64),
  vpc_id: Type.Optional(Id64),
  subnet_id: Type.Optional(Id64),
});

export const CreateRoutetableBody = Type.Object({
  routetable: Type.Object({
    vpc_id: Id64,
    name: Type.Optional(Name),
    description: Type.Optional(Description),
    routes: Type.Optional(Type.Array(RouteInput, { maxItems: 5 })),
  }),
});

export const UpdateRoutetableBody = Type.Object({
  routetable: Type.Object({
    name: Type.Optional(Name),
    description: Type.Optional(Description),
    routes: Type.Optional(
      Type.Object({
        add: Type.Optional(Type.Array(RouteInput, { maxItems: MAX_ROUTE_CHANGES })),
        mod: Type.Optional(Type.Array(RouteInput, { maxItems: MAX_ROUTE_CHANGES })),
        del: Type.Optional(
          Type.Array(Type.Object({ destination: Type.String({ minLength: 1, maxLength: 64 }) }), {
            maxItems: MAX_ROUTE_CHANGES,
          }),
        ),
      }),
    ),
  }),
});

export const AssociateRoutetableBody = Type.Object({
  routetable: Type.Object({
    subnets: Type.Object({
      associate: Type.Optional(Type.Array(Id64, { maxItems: MAX_ROUTE_CHANGES })),
      disassociate: Type.Optional(Type.Array(Id64, { maxItems: MAX_ROUTE_CHANGES })),
    }),
  }),
});

export const VpcAnswer = Type.Object({ vpc: Vpc });
export const VpcList = Type.Object({ vpcs: Type.Array(Vpc) });
export const SubnetAnswer = Type.Object({ subnet: Subnet });
export const SubnetList = Type.Object({ subnets: Type.Array(Subnet) });
export const RoutetableAnswer = Type.Object({ routetable: Routetable });
export const RoutetableList = Type.Object({ routetables: Type.Array(RoutetableSummary) });

/** Ports (CreatePort, ListPorts, DeletePort of vpc.json): the backends of interface services. */
export const PortParams = Type.Object({ project_id: Id64, port_id: Id64 });

/** The device owners a user may give a port (vpc.json's Port.device_owner, and none). */
export const DEVICE_OWNERS = [
  '',
  'network:dhcp',
  'neutron:VIP_PORT',
  'network:router_interface_distributed',
  'network:router_centralized_snat',
] as const;

export const CreatePortBody = Type.Object({
  port: Type.Object({
    network_id: Id64,
    name: Type.Optional(Type.String({ maxLength: 255 })),
    fixed_ips: Type.Optional(
      Type.Array(
        Type.Object({
          ip_address: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
          subnet_id: Type.Optional(Id64),
        }),
        { maxItems: 1 },
      ),
    ),
    device_owner: Type.Optional(Type.Enum(DEVICE_OWNERS)),
    // "Only true is supported" (the published CreatePortOption).
    admin_state_up: Type.Optional(Type.Literal(true)),
    security_groups: Type.Optional(Type.Array(Id64, { maxItems: 10 })),
  }),
});

const Empty = Type.Object({});
const FixedIp = Type.Object({ ip_address: Type.String(), subnet_id: Type.String() });

/** A port as CreatePort answers it (vpc.json, /v1 Port). */
export const Port = Type.Object({
  id: Type.String(),
  name: Type.String(),
  network_id: Type.String(),
  admin_state_up: Type.Boolean(),
  mac_address: Type.String(),
  fixed_ips: Type.Array(FixedIp),
  device_id: Type.String(),
  device_owner: Type.String(),
  tenant_id: Type.String(),
  status: Type.String(),
  security_groups: Type.Array(Type.String()),
  allowed_address_pairs: Type.Array(Type.Unknown()),
  extra_dhcp_opts: Type.Array(Type.Unknown()),
  'binding:vnic_type': Type.String(),
  'binding:profile': Empty,
  'binding:vif_details': Empty,
  dns_assignment: Type.Array(Type.Unknown()),
  dns_name: Type.String(),
  enable_efi: Type.Boolean(),
  instance_id: Type.String(),
  instance_type: Type.String(),
  ipv6_bandwidth_id: Type.String(),
  port_security_enabled: Type.Boolean(),
  zone_id: Type.String(),
});
export const PortAnswer = Type.Object({ port: Port });

/** ListPorts' filters: each may be given once or repeated (`?id=a&id=b`). */
const OneOrMany = Type.Optional(
  Type.Union([
    Type.String({ maxLength: 255 }),
    Type.Array(Type.String({ maxLength: 255 }), { maxItems: 100 }),
  ]),
);
export const ListPortsQuery = Type.Object({
  id: OneOrMany,
  name: OneOrMany,
  vpc_id: OneOrMany,
  virsubnet_id: OneOrMany,
  device_owner: OneOrMany,
  private_ips: OneOrMany,
  status: Type.Optional(Type.String({ maxLength: 16 })),
  admin_state_up: Type.Optional(Type.Boolean()),
});

/** A port as ListPorts (/v3) shows it. */
export const PortDetail = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Type.String(),
  admin_state_up: Type.Boolean(),
  mac_address: Type.String(),
  private_ips: Type.Array(Type.Object({ ip_address: Type.String(), subnet_cidr_id: Type.String() })),
  virsubnet_id: Type.String(),
  vpc_id: Type.String(),
  project_id: Type.String(),
  tenant_id: Type.String(),
  vpc_tenant_id: Type.String(),
  device_id: Type.String(),
  device_owner: Type.String(),
  status: Type.String(),
  security_groups: Type.Array(Type.String()),
  allowed_address_pairs: Type.Array(Type.Unknown()),
  extra_dhcp_opts: Type.Array(Type.Unknown()),
  tags: Type.Array(Type.Unknown()),
  'binding:host_id': Type.String(),
  'binding:migration_info': Empty,
  'binding:profile': Empty,
  'binding:vif_details': Empty,
  'binding:vif_type': Type.String(),
  'binding:vnic_type': Type.String(),
  ecs_flavor: Type.String(),
  enable_efi: Type.Boolean(),
  instance_id: Type.String(),
  instance_type: Type.String(),
  instance_info: Empty,
  port_security_enabled: Type.Boolean(),
  position_type: Type.String(),
  scope: Type.String(),
  vtep_ip: Type.String(),
  zone_id: Type.String(),
  created_at: Type.String(),
  updated_at: Type.String(),
});
export const PortList = Type.Object({
  ports: Type.Array(PortDetail),
  page_info: Type.Object({ current_count: Type.Integer(), previous_marker: Type.String() }),
  request_id: Type.String(),
});

export type RouteInput = Static<typeof RouteInput>;
