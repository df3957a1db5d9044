import type { Tags } from '../../service/tags.ts';
import { route } from '../route.ts';
import {
  ProjectTags,
  ResourceInstances,
  ResourceInstancesBody,
  ResourceParams,
  ResourceTypeParams,
  TagActionBody,
} from '../../wire/vpcep.ts';

/** Tags of endpoints and endpoint services (spec/interface-services.md, "Tags"). */
export function tagRoutes(tags: Tags) {
  return [
    route({
      method: 'POST',
      url: '/v1/:project_id/:resource_type/:resource_id/tags/action',
      api: 'endpoint',
      operationId: 'BatchAddOrRemoveResourceInstance',
      auth: true,
      status: 204,
      schema: { params: ResourceParams, body: TagActionBody },
      handler: ({ caller, params, body }) =>
        tags.change(caller, params.resource_type, params.resource_id, body.action, body.tags),
    }),
    route({
      method: 'GET',
      url: '/v1/:project_id/:resource_type/tags',
      api: 'endpoint',
      operationId: 'ListQueryProjectResourceTags',
      auth: true,
      schema: { params: ResourceTypeParams, response: { 200: ProjectTags } },
      handler: ({ caller, params }) => tags.projectTags(caller, params.resource_type),
    }),
    route({
      method: 'POST',
      url: '/v1/:project_id/:resource_type/resource_instances/action',
      // A read, though a POST: the published action, so that a read-only role may call it.
      action: 'vpcep:resourceInstances:list',
      api: 'endpoint',
      operationId: 'ListResourceInstances',
      auth: true,
      schema: {
        params: ResourceTypeParams,
        body: ResourceInstancesBody,
        response: { 200: ResourceInstances },
      },
      handler: ({ caller, params, body }) => tags.instances(caller, params.resource_type, body),
    }),
  ];
}
