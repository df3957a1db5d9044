import type { Quotas } from '../../service/quotas.ts';
import { ListQuotasQuery, ProjectParams, QuotaList } from '../../wire/vpcep.ts';
import { route } from '../route.ts';

/** ListQuotaDetails (spec/quotas.md). */
export function quotaRoutes(quotas: Quotas) {
  return [
    route({
      method: 'GET',
      url: '/v1/:project_id/quotas',
      api: 'endpoint',
      operationId: 'ListQuotaDetails',
      auth: true,
      schema: { params: ProjectParams, querystring: ListQuotasQuery, response: { 200: QuotaList } },
      handler: ({ caller, query }) => quotas.list(caller, query.type),
    }),
  ];
}
