import { Type } from 'typebox';
import { ApiError } from '../../domain/errors.ts';
import { route, type RouteDef } from '../route.ts';
import { Id64 } from '../../wire/common.ts';

/**
 * Operations of the VPC Endpoint API reference (api-surface.md §3) that vpcep does not serve yet.
 * They answer 501 VPCEP.0501 after authentication, so a client learns "not implemented here" rather
 * than "no such API" (errors.md, row 501).
 */
const OPERATIONS: [RouteDef['method'], string, string][] = [
  ['GET', '/v1/:project_id/quotas', 'ListQuotaDetails'],
  ['POST', '/v1/:project_id/:resource_type/:resource_id/tags/action', 'BatchAddOrDeleteResourceTags'],
];

export function notImplementedRoutes() {
  return OPERATIONS.map(([method, url, operationId]) =>
    route({
      method,
      url,
      api: 'endpoint',
      operationId,
      auth: true,
      schema: { params: Type.Object({ project_id: Id64 }) },
      handler: async () => {
        throw new ApiError('VPCEP.0501', `${operationId} is not served by vpcep yet.`);
      },
    }),
  );
}
