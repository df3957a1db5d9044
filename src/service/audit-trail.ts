import { ApiError } from '../domain/errors.ts';
import type { Row } from '../store/queries.ts';
import type { AuditEvent, AuditEventsQuery } from '../wire/audit.ts';
import { recordEvent, type Caller, type Deps } from './context.ts';

/** What the HTTP layer knows of a call that failed: its answer and what it was about. */
export interface Failure {
  status: number;
  code: string;
  resource: { type: string; id: string };
}

function eventView(row: Row<'audit_log'>): AuditEvent {
  const failed = row.outcome === 'failure';
  return {
    id: String(row.seq),
    time: row.at,
    request_id: row.request_id,
    operation: row.operation,
    action: row.action,
    outcome: row.outcome,
    status: row.status,
    ...(failed ? { error_code: row.error_code } : {}),
    caller: {
      user_id: row.user_id,
      user_name: row.actor,
      ...(row.access_key !== '' ? { access_key: row.access_key } : {}),
    },
    resource: { type: row.resource_type, id: row.resource_id },
    detail: JSON.parse(row.detail) as Record<string, unknown>,
  };
}

/** An RFC 3339 time as the store keeps times (UTC, `toISOString`); a time that is no date is refused. */
function storedTime(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new ApiError('EndPoint.0002', `${name} is not a valid time.`);
  return new Date(ms).toISOString();
}

/**
 * The audit trail to read (spec/audit.md): every state-changing call of a project, newest first.
 * Successes are written by the services inside their change's transaction (context.ts `audit`);
 * failures here, after the answer is known, since a failed call changed nothing.
 */
export class AuditTrail {
  constructor(private readonly deps: Deps) {}

  async list(caller: Caller, q: AuditEventsQuery) {
    const from = storedTime('from', q.from);
    const to = storedTime('to', q.to);
    if (from !== undefined && to !== undefined && from > to) {
      throw new ApiError('EndPoint.0002', 'from is later than to.');
    }
    // One more than asked tells whether a next page exists.
    const rows = await this.deps.store.read((r) =>
      r.audit.list(caller.project_id, q.limit + 1, {
        resource_id: q.resource_id,
        operation: q.operation,
        caller: q.caller,
        outcome: q.outcome,
        from,
        to,
        before: q.marker === undefined ? undefined : Number(q.marker),
      }),
    );
    const page = rows.slice(0, q.limit).map(eventView);
    const more = rows.length > q.limit;
    return {
      audit_events: page,
      page_info: { current_count: page.length, ...(more ? { next_marker: page.at(-1)!.id } : {}) },
    };
  }

  /** One event for a call the API refused; its own transaction, as nothing else was written. */
  async recordFailure(caller: Caller, f: Failure): Promise<void> {
    const { status, code, resource } = f;
    await this.deps.store.tx((r) =>
      recordEvent(r, this.deps, caller, {
        action: 'failed',
        resource_type: resource.type,
        resource_id: resource.id,
        failure: { status, code },
      }),
    );
  }
}
