import type { Connections as ServiceConnections } from '../../service/connections.ts';
import type { EndpointServices } from '../../service/endpoint-services.ts';
import type { InterfaceServices } from '../../service/interface-services.ts';
import type { ServicePermissions } from '../../service/service-permissions.ts';
import { route } from '../route.ts';
import {
  AcceptOrRejectBody,
  ConnectionList,
  Connections,
  ConnectionsDescriptionBody,
  ListConnectionsQuery,
  AddOrRemovePermissionsBody,
  BatchAddPermissionsBody,
  BatchRemovePermissionsBody,
  CreateServiceBody,
  ListPermissionsQuery,
  PermissionDescriptionBody,
  PermissionEntries,
  PermissionList,
  PermissionParams,
  Permissions,
  DescribedEndpointService,
  DescribeServiceQuery,
  EndpointService,
  EndpointServiceList,
  ListPublicServicesQuery,
  ListServicesQuery,
  ProjectParams,
  PublicEndpointServiceList,
  ServiceNameAnswer,
  ServiceParams,
  UpdateServiceBody,
  UpdateServiceNameBody,
} from '../../wire/vpcep.ts';

const SERVICE_URL = '/v1/:project_id/vpc-endpoint-services/:vpc_endpoint_service_id';

export function endpointServiceRoutes(
  services: EndpointServices,
  own: InterfaceServices,
  permissions: ServicePermissions,
  connections: ServiceConnections,
) {
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
    route({
      method: 'POST',
      url: '/v1/:project_id/vpc-endpoint-services',
      api: 'endpoint',
      operationId: 'CreateEndpointService',
      auth: true,
      schema: { params: ProjectParams, body: CreateServiceBody, response: { 200: EndpointService } },
      handler: ({ caller, body }) => own.create(caller, body),
    }),
    route({
      method: 'GET',
      url: '/v1/:project_id/vpc-endpoint-services',
      api: 'endpoint',
      operationId: 'ListEndpointService',
      auth: true,
      schema: {
        params: ProjectParams,
        querystring: ListServicesQuery,
        response: { 200: EndpointServiceList },
      },
      handler: ({ caller, query }) =>
        own.list(caller, {
          ...query,
          sort_key: query.sort_key === 'update_at' ? 'updated_at' : 'created_at',
        }),
    }),
    route({
      method: 'GET',
      url: SERVICE_URL,
      api: 'endpoint',
      operationId: 'ListServiceDetails',
      auth: true,
      schema: { params: ServiceParams, response: { 200: EndpointService } },
      handler: ({ caller, params }) => own.get(caller, params.vpc_endpoint_service_id),
    }),
    route({
      method: 'PUT',
      url: SERVICE_URL,
      api: 'endpoint',
      operationId: 'UpdateEndpointService',
      auth: true,
      schema: { params: ServiceParams, body: UpdateServiceBody, response: { 200: EndpointService } },
      handler: ({ caller, params, body }) => own.update(caller, params.vpc_endpoint_service_id, body),
    }),
    route({
      method: 'PUT',
      url: `${SERVICE_URL}/name`,
      api: 'endpoint',
      operationId: 'UpdateEndpointServiceName',
      auth: true,
      schema: { params: ServiceParams, body: UpdateServiceNameBody, response: { 200: ServiceNameAnswer } },
      handler: ({ caller, params, body }) =>
        own.rename(caller, params.vpc_endpoint_service_id, body.endpoint_service_name),
    }),
    route({
      method: 'DELETE',
      url: SERVICE_URL,
      api: 'endpoint',
      operationId: 'DeleteEndpointService',
      auth: true,
      status: 204,
      schema: { params: ServiceParams },
      handler: ({ caller, params }) => own.delete(caller, params.vpc_endpoint_service_id),
    }),
    route({
      method: 'GET',
      url: `${SERVICE_URL}/permissions`,
      api: 'endpoint',
      operationId: 'ListServicePermissionsDetails',
      auth: true,
      schema: { params: ServiceParams, querystring: ListPermissionsQuery, response: { 200: PermissionList } },
      // Entries carry a creation time only: both published sort keys sort by it.
      handler: ({ caller, params, query }) =>
        permissions.list(caller, params.vpc_endpoint_service_id, { ...query, sort_key: 'created_at' }),
    }),
    route({
      method: 'POST',
      url: `${SERVICE_URL}/permissions/action`,
      api: 'endpoint',
      operationId: 'AddOrRemoveServicePermissions',
      auth: true,
      schema: {
        params: ServiceParams,
        body: AddOrRemovePermissionsBody,
        response: { 200: PermissionEntries },
      },
      handler: ({ caller, params, body }) =>
        permissions.addOrRemove(caller, params.vpc_endpoint_service_id, body),
    }),
    route({
      method: 'POST',
      url: `${SERVICE_URL}/permissions/batch-create`,
      api: 'endpoint',
      operationId: 'BatchAddEndpointServicePermissions',
      auth: true,
      schema: { params: ServiceParams, body: BatchAddPermissionsBody, response: { 200: Permissions } },
      handler: ({ caller, params, body }) =>
        permissions.batchAdd(caller, params.vpc_endpoint_service_id, body),
    }),
    route({
      method: 'POST',
      url: `${SERVICE_URL}/permissions/batch-delete`,
      api: 'endpoint',
      operationId: 'BatchRemoveEndpointServicePermissions',
      auth: true,
      schema: { params: ServiceParams, body: BatchRemovePermissionsBody, response: { 200: Permissions } },
      handler: ({ caller, params, body }) =>
        permissions.batchRemove(
          caller,
          params.vpc_endpoint_service_id,
          body.permissions.map((p) => p.id),
        ),
    }),
    route({
      method: 'PUT',
      url: `${SERVICE_URL}/permissions/:permission_id`,
      api: 'endpoint',
      operationId: 'UpdateEndpointServicePermissionDesc',
      auth: true,
      schema: { params: PermissionParams, body: PermissionDescriptionBody, response: { 200: Permissions } },
      handler: ({ caller, params, body }) =>
        permissions.setDescription(
          caller,
          params.vpc_endpoint_service_id,
          params.permission_id,
          body.permission.description,
        ),
    }),
    route({
      method: 'GET',
      url: `${SERVICE_URL}/connections`,
      api: 'endpoint',
      operationId: 'ListServiceConnections',
      auth: true,
      schema: { params: ServiceParams, querystring: ListConnectionsQuery, response: { 200: ConnectionList } },
      handler: ({ caller, params, query }) =>
        connections.list(caller, params.vpc_endpoint_service_id, {
          ...query,
          sort_key: query.sort_key === 'update_at' ? 'updated_at' : 'created_at',
        }),
    }),
    route({
      method: 'POST',
      url: `${SERVICE_URL}/connections/action`,
      api: 'endpoint',
      operationId: 'AcceptOrRejectEndpoint',
      auth: true,
      schema: { params: ServiceParams, body: AcceptOrRejectBody, response: { 200: Connections } },
      handler: ({ caller, params, body }) =>
        connections.decide(caller, params.vpc_endpoint_service_id, body.action, body.endpoints),
    }),
    route({
      method: 'PUT',
      url: `${SERVICE_URL}/connections/description`,
      api: 'endpoint',
      operationId: 'UpdateEndpointConnectionsDesc',
      auth: true,
      schema: { params: ServiceParams, body: ConnectionsDescriptionBody, response: { 200: Connections } },
      handler: ({ caller, params, body }) =>
        connections.describe(caller, params.vpc_endpoint_service_id, body.connections),
    }),
  ];
}
