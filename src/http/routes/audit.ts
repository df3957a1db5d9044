import type { AuditTrail } from '../../service/audit-trail.ts';
import { AuditEventList, AuditEventsQuery, ProjectParams } from '../../wire/audit.ts';
import { route } from '../route.ts';

/**
 * The audit trail of a project (spec/audit.md). It records every service's calls, IAM's and VPC's
 * included, as Huawei's Cloud Trace Service does, so reading it is that service's action.
 */
export function auditRoutes(trail: AuditTrail) {
  return [
    route({
      method: 'GET',
      url: '/v1/:project_id/audit-events',
      api: 'endpoint',
      operationId: 'ListAuditEvents',
      action: 'cts:traces:list',
      auth: true,
      schema: { params: ProjectParams, querystring: AuditEventsQuery, response: { 200: AuditEventList } },
      handler: ({ caller, query }) => trail.list(caller, query),
    }),
  ];
}
