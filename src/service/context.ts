import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { RebindPlan } from '../domain/bindings.ts';
import type { Clock, Ids } from '../domain/ids.ts';
import type { Store } from '../store/store.ts';
import type { Tx } from '../store/store.ts';
import type { EventRow } from '../store/audit.ts';

/** What every service is built from. */
export interface Deps {
  config: Readonly<Config>;
  store: Store;
  clock: Clock;
  ids: Ids;
  log: Logger;
  /** Where services report what metrics count (http/metrics.ts); absent while metrics are off. */
  metrics?: ServiceMetrics;
}

/** What services tell metrics. */
export interface ServiceMetrics {
  /** The per-table outcomes of an UpdateEndpointRoutetable that committed. */
  rebound(plan: RebindPlan): void;
}

/** Who is calling: one identity, however it was proven (token or AK/SK). */
export interface Caller {
  user_id: string;
  user_name: string;
  domain_id: string;
  domain_name: string;
  project_id: string;
  project_name: string;
  request_id: string;
  /** The system roles (domain/roles.ts) the user holds on the project, through its groups. */
  roles: readonly string[];
  /** Whether the user is in its account's `admin` group: only such users manage IAM. */
  account_admin: boolean;
  /** Set when the call was signed with a temporary access key (X-Security-Token). */
  temporary?: boolean;
  /** The AK a signed call was made with, for the audit trail; absent for a token. */
  access_key?: string;
  /** The call's route, for the audit trail: its published operation and its success status. */
  call?: { operation: string; status: number };
}

/**
 * The most an audit row's detail may hold, as JSON. Services record named fields only; this bounds
 * what those can add up to (a route-table update may name a thousand routes).
 */
export const MAX_AUDIT_DETAIL = 8192;

/** The detail as stored: its JSON, or past the cap a note of what was left out. */
export function auditDetail(detail: unknown): string {
  const json = JSON.stringify(detail);
  if (json.length <= MAX_AUDIT_DETAIL) return json;
  const fields = typeof detail === 'object' && detail !== null ? Object.keys(detail) : [];
  return JSON.stringify({ truncated: true, length: json.length, fields });
}

/** What an event says beyond who made the call: a success's change, or a failure's answer. */
export interface AuditEventFacts {
  action: string;
  resource_type: string;
  resource_id: string;
  detail?: unknown;
  failure?: { status: number; code: string };
}

/** The row of one audit event of the caller's call (spec/audit.md). */
export function auditRow(deps: Deps, caller: Caller, e: AuditEventFacts): EventRow {
  return {
    at: deps.clock.now().toISOString(),
    project_id: caller.project_id,
    actor: caller.user_name,
    user_id: caller.user_id,
    access_key: caller.access_key ?? '',
    operation: caller.call?.operation ?? e.action,
    outcome: e.failure ? 'failure' : 'success',
    status: e.failure?.status ?? caller.call?.status ?? 0,
    error_code: e.failure?.code ?? '',
    action: e.action,
    resource_type: e.resource_type,
    resource_id: e.resource_id,
    request_id: caller.request_id,
    detail: auditDetail(e.detail ?? {}),
  };
}

/**
 * Records a state change as a success of the caller's operation; called inside the change's own
 * transaction (routetables.md, "Atomicity"), so the event exists exactly when the change does.
 * Failures are recorded by the HTTP layer once the answer is known (http/audit.ts).
 */
export async function audit(
  r: Tx,
  deps: Deps,
  caller: Caller,
  action: string,
  resource_type: string,
  resource_id: string,
  detail: unknown = {},
): Promise<void> {
  await recordEvent(r, deps, caller, { action, resource_type, resource_id, detail });
}

/**
 * Writes one event of the caller's call. A call scoped to no project (IAM with a domain-scoped
 * credential) is recorded in the account's project of the region, as the real cloud keeps the
 * traces of its global services in the default region's (spec/audit.md).
 */
export async function recordEvent(r: Tx, deps: Deps, caller: Caller, e: AuditEventFacts): Promise<void> {
  const row = auditRow(deps, caller, e);
  if (row.project_id === '') {
    const projects = await r.identity.projectsOfDomain(caller.domain_id);
    row.project_id = projects.find((p) => p.name === deps.config.region)?.id ?? '';
  }
  await r.audit.insert(row);
}
