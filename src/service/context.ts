import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { RebindPlan } from '../domain/bindings.ts';
import type { Clock, Ids } from '../domain/ids.ts';
import type { Store } from '../store/store.ts';
import type { Tx } from '../store/store.ts';

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

/** Records a state change; called inside the change's own transaction (routetables.md, "Atomicity"). */
export async function audit(
  r: Tx,
  deps: Deps,
  caller: Caller,
  action: string,
  resource_type: string,
  resource_id: string,
  detail: unknown = {},
): Promise<void> {
  await r.audit.insert({
    at: deps.clock.now().toISOString(),
    project_id: caller.project_id,
    actor: caller.user_name,
    action,
    resource_type,
    resource_id,
    request_id: caller.request_id,
    detail: auditDetail(detail),
  });
}
