import { Type, type Static } from 'typebox';
import { errorCode, Id64, ProjectParams } from './common.ts';

/** The audit trail on the wire (spec/audit.md): `GET /v1/{project_id}/audit-events`. */

export { ProjectParams };

/** RFC 3339, as `toISOString` writes it and as people type it: a date, a time, a zone. */
const Time = Type.String({
  pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?(Z|[+-]\\d{2}:\\d{2})$',
});

export const AuditEventsQuery = Type.Object({
  resource_id: Type.Optional(Id64),
  operation: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  /** A user name, a user id or an access key. */
  caller: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
  outcome: Type.Optional(Type.Enum(['success', 'failure'])),
  from: Type.Optional(Time),
  to: Type.Optional(Time),
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100, ...errorCode('EndPoint.0006') }),
  /** The `id` of the last event of the previous page. */
  marker: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,17}$' })),
});
export type AuditEventsQuery = Static<typeof AuditEventsQuery>;

export const AuditEvent = Type.Object({
  /** Increasing with commit order; the marker of the next page. */
  id: Type.String(),
  time: Type.String(),
  request_id: Type.String(),
  /** The published operation, e.g. `UpdateEndpointRoutetable`. */
  operation: Type.String(),
  /** What the change did to its resource (`create`, `update-routetables`, …); `failed` on a failure. */
  action: Type.String(),
  outcome: Type.Enum(['success', 'failure']),
  status: Type.Integer(),
  error_code: Type.Optional(Type.String()),
  caller: Type.Object({
    user_id: Type.String(),
    user_name: Type.String(),
    access_key: Type.Optional(Type.String()),
  }),
  resource: Type.Object({ type: Type.String(), id: Type.String() }),
  detail: Type.Object({}, { additionalProperties: true }),
});
export type AuditEvent = Static<typeof AuditEvent>;

export const AuditEventList = Type.Object({
  audit_events: Type.Array(AuditEvent),
  page_info: Type.Object({
    current_count: Type.Integer(),
    /** Present when more events may follow: pass it as `marker`. */
    next_marker: Type.Optional(Type.String()),
  }),
});
