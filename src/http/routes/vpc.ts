import { Type } from 'typebox';
import type { Network } from '../../service/network.ts';
import { ROUTE_TYPES, type RouteTables } from '../../service/route-tables.ts';
import { route } from '../route.ts';
import { Id64, ProjectParams } from '../schemas.ts';

const Name = Type.String({ maxLength: 64, pattern: '^[-_.0-9A-Za-z\\u4e00-\\u9fa5]*$' });
const Description = Type.String({ maxLength: 255, pattern: '^[^<>]*$' });

const Route = Type.Object({
  type: Type.Enum(ROUTE_TYPES),
  destination: Type.String({ minLength: 1, maxLength: 64 }),
  nexthop: Type.String({ minLength: 1, maxLength: 64 }),
  description: Type.Optional(Description),
});

/** Bounds the work one update may ask for; past the table's quota the answer is VPC.2803 anyway. */
const MAX_ROUTE_CHANGES = 1000;

const TableParams = Type.Object({ project_id: Id64, routetable_id: Id64 });

/** The VPC API that route tables need (api-surface.md §2). */
export function vpcRoutes(network: Network, tables: RouteTables) {
  return [
    route({
      method: 'POST',
      url: '/v1/:project_id/vpcs',
      api: 'vpc',
      operationId: 'CreateVpc',
      auth: true,
      schema: {
        params: ProjectParams,
        body: Type.Object({
          vpc: Type.Object({
            name: Type.Optional(Name),
            cidr: Type.Optional(Type.String({ maxLength: 64 })),
            description: Type.Optional(Description),
          }),
        }),
      },
      handler: async ({ caller, body }) => ({ vpc: await network.createVpc(caller, body.vpc) }),
    }),
    route({
      method: 'GET',
      url: '/v1/:project_id/vpcs',
      api: 'vpc',
      operationId: 'ListVpcs',
      auth: true,
      schema: { params: ProjectParams },
      handler: async ({ caller }) => ({ vpcs: await network.listVpcs(caller) }),
    }),
    route({
      method: 'GET',
      url: '/v1/:project_id/vpcs/:vpc_id',
      api: 'vpc',
      operationId: 'ShowVpc',
      auth: true,
      schema: { params: Type.Object({ project_id: Id64, vpc_id: Id64 }) },
      handler: async ({ caller, params }) => ({ vpc: await network.getVpc(caller, params.vpc_id) }),
    }),
    route({
      method: 'DELETE',
      url: '/v1/:project_id/vpcs/:vpc_id',
      api: 'vpc',
      operationId: 'DeleteVpc',
      auth: true,
      status: 204,
      schema: { params: Type.Object({ project_id: Id64, vpc_id: Id64 }) },
      handler: ({ caller, params }) => network.deleteVpc(caller, params.vpc_id),
    }),
    route({
      method: 'POST',
      url: '/v1/:project_id/subnets',
      api: 'vpc',
      operationId: 'CreateSubnet',
      auth: true,
      schema: {
        params: ProjectParams,
        body: Type.Object({
          subnet: Type.Object({
            name: Type.String({ minLength: 1, maxLength: 64 }),
            cidr: Type.String({ minLength: 1, maxLength: 64 }),
            gateway_ip: Type.String({ minLength: 1, maxLength: 64 }),
            vpc_id: Id64,
            description: Type.Optional(Description),
          }),
        }),
      },
      handler: async ({ caller, body }) => ({ subnet: await network.createSubnet(caller, body.subnet) }),
    }),
    route({
      method: 'GET',
      url: '/v1/:project_id/subnets',
      api: 'vpc',
      operationId: 'ListSubnets',
      auth: true,
      schema: { params: ProjectParams, querystring: Type.Object({ vpc_id: Type.Optional(Id64) }) },
      handler: async ({ caller, query }) => ({ subnets: await network.listSubnets(caller, query.vpc_id) }),
    }),
    route({
      method: 'GET',
      url: '/v1/:project_id/subnets/:subnet_id',
      api: 'vpc',
      operationId: 'ShowSubnet',
      auth: true,
      schema: { params: Type.Object({ project_id: Id64, subnet_id: Id64 }) },
      handler: async ({ caller, params }) => ({ subnet: await network.getSubnet(caller, params.subnet_id) }),
    }),
    route({
      method: 'DELETE',
      url: '/v1/:project_id/vpcs/:vpc_id/subnets/:subnet_id',
      api: 'vpc',
      operationId: 'DeleteSubnet',
      auth: true,
      status: 204,
      schema: { params: Type.Object({ project_id: Id64, vpc_id: Id64, subnet_id: Id64 }) },
      handler: ({ caller, params }) => network.deleteSubnet(caller, params.vpc_id, params.subnet_id),
    }),
    route({
      method: 'GET',
      url: '/v1/:project_id/routetables',
      api: 'vpc',
      operationId: 'ListRouteTables',
      auth: true,
      schema: {
        params: ProjectParams,
        querystring: Type.Object({
          limit: Type.Integer({ minimum: 0, maximum: 2000, default: 2000 }),
          marker: Type.Optional(Id64),
          id: Type.Optional(Id64),
          vpc_id: Type.Optional(Id64),
          subnet_id: Type.Optional(Id64),
        }),
      },
      handler: async ({ caller, query }) => ({ routetables: await tables.list(caller, query) }),
    }),
    route({
      method: 'POST',
      url: '/v1/:project_id/routetables',
      api: 'vpc',
      operationId: 'CreateRouteTable',
      auth: true,
      schema: {
        params: ProjectParams,
        body: Type.Object({
          routetable: Type.Object({
            vpc_id: Id64,
            name: Type.Optional(Name),
            description: Type.Optional(Description),
            routes: Type.Optional(Type.Array(Route, { maxItems: 5 })),
          }),
        }),
      },
      handler: async ({ caller, body }) => ({ routetable: await tables.create(caller, body.routetable) }),
    }),
    route({
      method: 'GET',
      url: '/v1/:project_id/routetables/:routetable_id',
      api: 'vpc',
      operationId: 'ShowRouteTable',
      auth: true,
      schema: { params: TableParams },
      handler: async ({ caller, params }) => ({ routetable: await tables.get(caller, params.routetable_id) }),
    }),
    route({
      method: 'PUT',
      url: '/v1/:project_id/routetables/:routetable_id',
      api: 'vpc',
      operationId: 'UpdateRouteTable',
      auth: true,
      schema: {
        params: TableParams,
        body: Type.Object({
          routetable: Type.Object({
            name: Type.Optional(Name),
            description: Type.Optional(Description),
            routes: Type.Optional(
              Type.Object({
                add: Type.Optional(Type.Array(Route, { maxItems: MAX_ROUTE_CHANGES })),
                mod: Type.Optional(Type.Array(Route, { maxItems: MAX_ROUTE_CHANGES })),
                del: Type.Optional(
                  Type.Array(Type.Object({ destination: Type.String({ minLength: 1, maxLength: 64 }) }), {
                    maxItems: MAX_ROUTE_CHANGES,
                  }),
                ),
              }),
            ),
          }),
        }),
      },
      handler: async ({ caller, params, body }) => ({
        routetable: await tables.update(caller, params.routetable_id, body.routetable),
      }),
    }),
    route({
      method: 'DELETE',
      url: '/v1/:project_id/routetables/:routetable_id',
      api: 'vpc',
      operationId: 'DeleteRouteTable',
      auth: true,
      status: 204,
      schema: { params: TableParams },
      handler: ({ caller, params }) => tables.delete(caller, params.routetable_id),
    }),
    route({
      method: 'POST',
      url: '/v1/:project_id/routetables/:routetable_id/action',
      api: 'vpc',
      operationId: 'AssociateRouteTable',
      auth: true,
      schema: {
        params: TableParams,
        body: Type.Object({
          routetable: Type.Object({
            subnets: Type.Object({
              associate: Type.Optional(Type.Array(Id64, { maxItems: MAX_ROUTE_CHANGES })),
              disassociate: Type.Optional(Type.Array(Id64, { maxItems: MAX_ROUTE_CHANGES })),
            }),
          }),
        }),
      },
      handler: async ({ caller, params, body }) => ({
        routetable: await tables.associate(caller, params.routetable_id, body.routetable.subnets),
      }),
    }),
  ];
}
