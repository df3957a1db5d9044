import { ApiError } from '../domain/errors.ts';
import { endpointTimeOf } from '../domain/ids.ts';
import { admits } from '../domain/service-access.ts';
import type { Row } from '../store/queries.ts';
import type { Tx } from '../store/store.ts';
import type { Caller, Deps } from './context.ts';

type ServiceRow = Row<'endpoint_services'>;

function publicView(s: ServiceRow) {
  return {
    id: s.id,
    owner: s.owner,
    service_name: s.service_name,
    service_type: s.service_type,
    created_at: endpointTimeOf(s.created_at),
    is_charge: s.is_charge === 1,
    enable_policy: s.enable_policy === 1,
  };
}

/** The published summary (QueryServiceDescribeResponseBody): the public view without its owner. */
function describeView(s: ServiceRow) {
  const { owner: _owner, ...summary } = publicView(s);
  return summary;
}

/** Whether the caller sees `s` and may connect to it: public, its own account's, or permitted. */
export async function admitted(r: Tx, s: ServiceRow, caller: Caller): Promise<boolean> {
  if (s.owner_project_id === null) return true;
  const entries = await r.services.permissions(s.id);
  return admits(
    s,
    caller,
    entries.map((p) => p.permission),
  );
}

/** Endpoint services as consumers see them (api-surface.md §3). */
export class EndpointServices {
  constructor(private readonly deps: Deps) {}

  async listPublic(q: { endpoint_service_name?: string; id?: string; limit: number; offset: number }) {
    const all = await this.deps.store.read((r) => r.services.listPublic());
    const matching = all.filter(
      (s) =>
        (q.id === undefined || s.id === q.id) &&
        (q.endpoint_service_name === undefined || s.service_name.includes(q.endpoint_service_name)),
    );
    return {
      endpoint_services: matching.slice(q.offset, q.offset + q.limit).map(publicView),
      total_count: matching.length,
    };
  }

  /**
   * One service by exact name or id, if the caller may see it (`admitted`); any other, or none,
   * answers 400 EndPoint.2003 alike.
   */
  async describe(caller: Caller, q: { endpoint_service_name?: string; id?: string }) {
    if (q.endpoint_service_name === undefined && q.id === undefined) {
      throw new ApiError('EndPoint.0002', 'Give endpoint_service_name or id.');
    }
    const now = this.deps.clock.now();
    const s = await this.deps.store.read(async (r) => {
      const found =
        q.id !== undefined
          ? await r.services.byId(q.id, now)
          : await r.services.byName(q.endpoint_service_name!, now);
      return found && (await admitted(r, found, caller)) ? found : undefined;
    });
    if (!s || (q.endpoint_service_name !== undefined && s.service_name !== q.endpoint_service_name)) {
      throw new ApiError('EndPoint.2003');
    }
    return describeView(s);
  }
}
