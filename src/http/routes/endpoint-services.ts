import { Type } from 'typebox';
import type { EndpointServices } from '../../service/endpoint-services.ts';
import { route } from '../route.ts';
import { ProjectParams } from '../schemas.ts';

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
          endpoint_service_name: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
          id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
          limit: Type.Integer({ minimum: 1, maximum: 1000, default: 10, 'x-error-code': 'EndPoint.0006' }),
          offset: Type.Integer({ minimum: 0, default: 0, 'x-error-code': 'EndPoint.0010' }),
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
          endpoint_service_name: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
          id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
        }),
      },
      handler: ({ caller, query }) => services.describe(caller, query),
    }),
  ];
}
