import type { EndpointServices } from '../../service/endpoint-services.ts';
import { route } from '../route.ts';
import {
  DescribedEndpointService,
  DescribeServiceQuery,
  ListPublicServicesQuery,
  ProjectParams,
  PublicEndpointServiceList,
} from '../../wire/vpcep.ts';

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
        querystring: ListPublicServicesQuery,
        response: { 200: PublicEndpointServiceList },
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
        querystring: DescribeServiceQuery,
        response: { 200: DescribedEndpointService },
      },
      handler: ({ caller, query }) => services.describe(caller, query),
    }),
  ];
}
