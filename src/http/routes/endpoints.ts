import type { Endpoints } from '../../service/endpoints.ts';
import { route } from '../route.ts';
import {
  CreateEndpointBody,
  Endpoint,
  EndpointList,
  EndpointParams,
  ListEndpointsQuery,
  ProjectParams,
  RoutetableInfoResp,
  UpdatePolicyBody,
  UpdateRoutetablesBody,
  UpdateWhitelistBody,
} from '../../wire/vpcep.ts';

export function endpointRoutes(endpoints: Endpoints) {
  return [
    route({
      method: 'POST',
      url: '/v1/:project_id/vpc-endpoints',
      api: 'endpoint',
      operationId: 'CreateEndpoint',
      auth: true,
      schema: {
        params: ProjectParams,
        body: CreateEndpointBody,
        response: { 200: Endpoint },
      },
      handler: ({ caller, body }) => endpoints.create(caller, body),
    }),
    route({
      method: 'GET',
      url: '/v1/:project_id/vpc-endpoints',
      api: 'endpoint',
      operationId: 'ListEndpoints',
      auth: true,
      schema: {
        params: ProjectParams,
        querystring: ListEndpointsQuery,
        response: { 200: EndpointList },
      },
      keptItems: 'endpoints',
      handler: ({ caller, query }) =>
        endpoints.list(caller, {
          ...query,
          sort_key: query.sort_key === 'update_at' ? 'updated_at' : 'created_at',
        }),
    }),
    route({
      method: 'GET',
      url: '/v1/:project_id/vpc-endpoints/:vpc_endpoint_id',
      api: 'endpoint',
      operationId: 'ListEndpointInfoDetails',
      auth: true,
      schema: { params: EndpointParams, response: { 200: Endpoint } },
      handler: ({ caller, params }) => endpoints.get(caller, params.vpc_endpoint_id),
    }),
    route({
      method: 'DELETE',
      url: '/v1/:project_id/vpc-endpoints/:vpc_endpoint_id',
      api: 'endpoint',
      operationId: 'DeleteEndpoint',
      auth: true,
      status: 204,
      schema: { params: EndpointParams },
      handler: ({ caller, params }) => endpoints.delete(caller, params.vpc_endpoint_id),
    }),
    route({
      method: 'PUT',
      url: '/v1/:project_id/vpc-endpoints/:vpc_endpoint_id/routetables',
      // reference.md §5.1: the published action of UpdateEndpointRoutetable.
      action: 'vpcep:endpoints:updateRouteTables',
      api: 'endpoint',
      operationId: 'UpdateEndpointRoutetable',
      auth: true,
      schema: {
        params: EndpointParams,
        body: UpdateRoutetablesBody,
        response: { 200: RoutetableInfoResp },
      },
      handler: ({ caller, params, body }) =>
        endpoints.updateRoutetables(caller, params.vpc_endpoint_id, body.routetables),
    }),
    route({
      method: 'PUT',
      url: '/v1/:project_id/vpc-endpoints/:vpc_endpoint_id',
      api: 'endpoint',
      operationId: 'UpdateEndpointWhite',
      auth: true,
      schema: { params: EndpointParams, body: UpdateWhitelistBody, response: { 200: Endpoint } },
      handler: ({ caller, params, body }) => endpoints.updateWhitelist(caller, params.vpc_endpoint_id, body),
    }),
    route({
      method: 'PUT',
      url: '/v1/:project_id/vpc-endpoints/:vpc_endpoint_id/policy',
      api: 'endpoint',
      operationId: 'UpdateEndpointPolicy',
      auth: true,
      schema: { params: EndpointParams, body: UpdatePolicyBody, response: { 200: Endpoint } },
      handler: ({ caller, params, body }) => endpoints.updatePolicy(caller, params.vpc_endpoint_id, body),
    }),
    route({
      method: 'DELETE',
      url: '/v1/:project_id/vpc-endpoints/:vpc_endpoint_id/policy',
      api: 'endpoint',
      operationId: 'DeleteEndpointPolicy',
      auth: true,
      schema: { params: EndpointParams, response: { 200: Endpoint } },
      handler: ({ caller, params }) => endpoints.deletePolicy(caller, params.vpc_endpoint_id),
    }),
  ];
}
