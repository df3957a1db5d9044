import type { Logger } from 'pino';
import type { Config } from '../config.ts';
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
    detail: JSON.stringify(detail),
  });
}
