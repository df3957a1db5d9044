/**
 * Every operation of the published VPC Endpoint API (`spec/published/vpcep.json`): its name, method
 * and path as published. It is the one list of the API's surface: the routes vpcep serves are
 * matched against it, and every operation no route serves answers 501 (http/routes/not-implemented.ts).
 * test/unit/published-operations.test.ts holds it to the published file.
 */

export interface PublishedOperation {
  operationId: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** As published: `{name}` for a path parameter. */
  path: string;
}

export const VPCEP_OPERATIONS: readonly PublishedOperation[] = [
  {
    operationId: 'AcceptOrRejectEndpoint',
    method: 'POST',
    path: '/v1/{project_id}/vpc-endpoint-services/{vpc_endpoint_service_id}/connections/action',
  },
  {
    operationId: 'AddEndpointServiceServerResource',
    method: 'POST',
    path: '/v2/{project_id}/vpc-endpoint-services/{vpc_endpoint_service_id}/add-server-resources',
  },
  {
    operationId: 'AddOrRemoveServicePermissions',
    method: 'POST',
    path: '/v1/{project_id}/vpc-endpoint-services/{vpc_endpoint_service_id}/permissions/action',
  },
  {
    operationId: 'BatchAddEndpointServicePermissions',
    method: 'POST',
    path: '/v1/{project_id}/vpc-endpoint-services/{vpc_endpoint_service_id}/permissions/batch-create',
  },
  {
    operationId: 'BatchAddOrRemoveResourceInstance',
    method: 'POST',
    path: '/v1/{project_id}/{resource_type}/{resource_id}/tags/action',
  },
  {
    operationId: 'BatchRemoveEndpointServicePermissions',
    method: 'POST',
    path: '/v1/{project_id}/vpc-endpoint-services/{vpc_endpoint_service_id}/permissions/batch-delete',
  },
  { operationId: 'CreateEndpoint', method: 'POST', path: '/v1/{project_id}/vpc-endpoints' },
  { operationId: 'CreateEndpointService', method: 'POST', path: '/v1/{project_id}/vpc-endpoint-services' },
  {
    operationId: 'DeleteEndpoint',
    method: 'DELETE',
    path: '/v1/{project_id}/vpc-endpoints/{vpc_endpoint_id}',
  },
  {
    operationId: 'DeleteEndpointPolicy',
    method: 'DELETE',
    path: '/v1/{project_id}/vpc-endpoints/{vpc_endpoint_id}/policy',
  },
  {
    operationId: 'DeleteEndpointService',
    method: 'DELETE',
    path: '/v1/{project_id}/vpc-endpoint-services/{vpc_endpoint_service_id}',
  },
  {
    operationId: 'ListEndpointInfoDetails',
    method: 'GET',
    path: '/v1/{project_id}/vpc-endpoints/{vpc_endpoint_id}',
  },
  { operationId: 'ListEndpointService', method: 'GET', path: '/v1/{project_id}/vpc-endpoint-services' },
  { operationId: 'ListEndpoints', method: 'GET', path: '/v1/{project_id}/vpc-endpoints' },
  {
    operationId: 'ListQueryProjectResourceTags',
    method: 'GET',
    path: '/v1/{project_id}/{resource_type}/tags',
  },
  { operationId: 'ListQuotaDetails', method: 'GET', path: '/v1/{project_id}/quotas' },
  {
    operationId: 'ListResourceInstances',
    method: 'POST',
    path: '/v1/{project_id}/{resource_type}/resource_instances/action',
  },
  {
    operationId: 'ListServiceConnections',
    method: 'GET',
    path: '/v1/{project_id}/vpc-endpoint-services/{vpc_endpoint_service_id}/connections',
  },
  {
    operationId: 'ListServiceDescribeDetails',
    method: 'GET',
    path: '/v1/{project_id}/vpc-endpoint-services/describe',
  },
  {
    operationId: 'ListServiceDetails',
    method: 'GET',
    path: '/v1/{project_id}/vpc-endpoint-services/{vpc_endpoint_service_id}',
  },
  {
    operationId: 'ListServicePermissionsDetails',
    method: 'GET',
    path: '/v1/{project_id}/vpc-endpoint-services/{vpc_endpoint_service_id}/permissions',
  },
  {
    operationId: 'ListServicePublicDetails',
    method: 'GET',
    path: '/v1/{project_id}/vpc-endpoint-services/public',
  },
  { operationId: 'ListSpecifiedVersionDetails', method: 'GET', path: '/{version}' },
  { operationId: 'ListVersionDetails', method: 'GET', path: '/' },
  {
    operationId: 'UpdateEndpointConnectionsDesc',
    method: 'PUT',
    path: '/v1/{project_id}/vpc-endpoint-services/{vpc_endpoint_service_id}/connections/description',
  },
  {
    operationId: 'UpdateEndpointPolicy',
    method: 'PUT',
    path: '/v1/{project_id}/vpc-endpoints/{vpc_endpoint_id}/policy',
  },
  {
    operationId: 'UpdateEndpointRoutetable',
    method: 'PUT',
    path: '/v1/{project_id}/vpc-endpoints/{vpc_endpoint_id}/routetables',
  },
  {
    operationId: 'UpdateEndpointService',
    method: 'PUT',
    path: '/v1/{project_id}/vpc-endpoint-services/{vpc_endpoint_service_id}',
  },
  {
    operationId: 'UpdateEndpointServiceName',
    method: 'PUT',
    path: '/v1/{project_id}/vpc-endpoint-services/{vpc_endpoint_service_id}/name',
  },
  {
    operationId: 'UpdateEndpointServicePermissionDesc',
    method: 'PUT',
    path: '/v1/{project_id}/vpc-endpoint-services/{vpc_endpoint_service_id}/permissions/{permission_id}',
  },
  {
    operationId: 'UpdateEndpointWhite',
    method: 'PUT',
    path: '/v1/{project_id}/vpc-endpoints/{vpc_endpoint_id}',
  },
  {
    operationId: 'UpgradeEndpoint',
    method: 'POST',
    path: '/v2/{project_id}/vpc-endpoints/{vpc_endpoint_id}/upgrade',
  },
  {
    operationId: 'UpgradeEndpointService',
    method: 'POST',
    path: '/v2/{project_id}/vpc-endpoint-services/{vpc_endpoint_service_id}/upgrade',
  },
];
