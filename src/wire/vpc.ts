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

export type RouteInput = Static<typeof RouteInput>;
