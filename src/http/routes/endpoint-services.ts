import { Type } from 'typebox';
import type { EndpointServices } from '../../service/endpoint-services.ts';
import { route } from '../route.ts';
import { IdQuery, Limit, Offset, ProjectParams, ServiceNameQuery } from '../schemas.ts';

export function endpointServiceRoutes(services: EndpointServices) {
  return [
    route({
      method: 'GET',
      url: '/v1/:project_id/vpc-endpoint-services/public',
      api: 'endpoint',
      operationId: 'ListServicePublicDetails',
      auth: true,
      schema: {
        params: ProjectParams,
        querystring: Type.Object({
          endpoint_service_name: ServiceNameQuery,
          id: IdQuery,
          limit: Limit,
          offset: Offset,
          sort_key: Type.Optional(Type.String()),
          sort_dir: Type.Optional(Type.String()),
        }),
      },
      handler: ({ query }) => services.listPublic(query),
    }),
    route({
      method: 'GET',
      url: '/v1/:project_id/vpc-endpoint-services/describe',
      api: 'endpoint',
      operationId: 'ListServiceDescribeDetails',
      auth: true,
      schema: {
        params: ProjectParams,
        querystring: Type.Object({
          endpoint_service_name: ServiceNameQuery,
          id: IdQuery,
        }),
      },
      handler: ({ caller, query }) => services.describe(caller, query),
    }),
  ];
}
