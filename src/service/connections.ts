import {
  assertNotInTransition,
  failureOf,
  statusAt,
  type EndpointStatus,
} from '../domain/endpoint-status.ts';
import { ApiError } from '../domain/errors.ts';
import { endpointTimeOf } from '../domain/ids.ts';
import type { Row } from '../store/queries.ts';
import { audit, type Caller, type Deps } from './context.ts';
import { ownServiceOf } from './interface-services.ts';

type EndpointRow = Row<'endpoints'>;
type ServiceRow = Row<'endpoint_services'>;

export interface ConnectionListQuery {
  id?: string;
  marker_id?: string;
  status?: string;
  sort_key: 'created_at' | 'updated_at';
  sort_dir: 'asc' | 'desc';
  limit: number;
  offset: number;
}

/** An endpoint as its service's provider sees it: no VPC, subnet or address of the consumer's. */
export function connectionView(e: EndpointRow & { domain_id: string }, service: ServiceRow, now: Date) {
  const status = statusAt(e, service.approval_enabled === 1, now);
  const settledAt = status !== e.status && e.ready_at > e.updated_at ? e.ready_at : e.updated_at;
  return {
    id: e.id,
    marker_id: e.marker_id,
    domain_id: e.domain_id,
    status,
    description: e.connection_description,
    created_at: endpointTimeOf(e.created_at),
    updated_at: endpointTimeOf(settledAt),
    ...(status === 'failed' && e.error_code !== '' ? failureOf(e) : {}),
  };
}

/** What AcceptOrRejectEndpoint moves an endpoint to, from each status (spec/interface-services.md). */
function decided(action: 'receive' | 'reject', status: EndpointStatus): EndpointStatus {
  assertNotInTransition(status);
  return action === 'receive' ? 'accepted' : 'rejected';
}

/** The largest marker id: `marker_id` is a 32-bit integer column (migration 001). */
const MAX_MARKER = 2 ** 31 - 1;

/** The connections of a service: the endpoints consumers made of it, as its provider manages them. */
export class Connections {
  constructor(private readonly deps: Deps) {}

  async list(caller: Caller, serviceId: string, q: ConnectionListQuery) {
    if (q.marker_id !== undefined && !/^[0-9]{1,10}$/.test(q.marker_id)) {
      throw new ApiError('EndPoint.0021', 'marker_id must be an integer.');
    }
    const now = this.deps.clock.now();
    return this.deps.store.read(async (r) => {
      const s = await ownServiceOf(r, caller, serviceId, now);
      // A marker is an integer column: one past its range is no endpoint's.
      const marker = q.marker_id === undefined ? undefined : Number(q.marker_id);
      if (marker !== undefined && marker > MAX_MARKER) return { connections: [], total_count: 0 };
      const { page, total } = await r.endpoints.connections({
        service_id: s.id,
        now,
        ...(q.id !== undefined ? { id: q.id } : {}),
        ...(marker !== undefined ? { marker_id: marker } : {}),
        ...(q.status !== undefined ? { status: q.status } : {}),
        settled: s.approval_enabled === 1 ? 'pendingAcceptance' : 'accepted',
        sort_key: q.sort_key,
        sort_dir: q.sort_dir,
        limit: q.limit,
        offset: q.offset,
      });
      return { connections: page.map((e) => connectionView(e, s, now)), total_count: total };
    });
  }

  /** AcceptOrRejectEndpoint: `receive` accepts, `reject` rejects, whichever the status was. */
  async decide(caller: Caller, serviceId: string, action: 'receive' | 'reject', endpointIds: string[]) {
    const now = this.deps.clock.now();
    return this.deps.store.tx(async (r) => {
      const s = await ownServiceOf(r, caller, serviceId, now);
      const domains = await r.endpoints.domainsOf(endpointIds);
      const out = [];
      for (const id of endpointIds) {
        const e = await r.endpoints.byIdOfAnyProject(id, now, { forUpdate: true });
        if (!e || e.endpoint_service_id !== s.id) throw new ApiError('EndPoint.2013');
        const current = statusAt(e, s.approval_enabled === 1, now);
        const next = decided(action, current);
        const updated = {
          ...e,
          status: next,
          updated_at: next === current ? e.updated_at : now.toISOString(),
        };
        if (next !== current) await r.endpoints.update(id, { status: next, updated_at: updated.updated_at });
        await audit(r, this.deps, caller, `connection-${action}`, 'vpc-endpoint', id, {
          from: current,
          to: next,
        });
        out.push(connectionView({ ...updated, domain_id: domains.get(id) ?? '' }, s, now));
      }
      return { connections: out };
    });
  }

  /** UpdateEndpointConnectionsDesc: the provider's own note on each connection. */
  async describe(caller: Caller, serviceId: string, items: { id: string; description: string }[]) {
    const now = this.deps.clock.now();
    return this.deps.store.tx(async (r) => {
      const s = await ownServiceOf(r, caller, serviceId, now, { forUpdate: true });
      const named = items.map((c) => c.id);
      const mine = new Map((await r.endpoints.ofService(s.id, now, named)).map((e) => [e.id, e]));
      const missing = items.find((c) => !mine.has(c.id));
      if (missing) throw new ApiError('EndPoint.2013', `${missing.id} is no connection of the service.`);
      for (const c of items) await r.endpoints.update(c.id, { connection_description: c.description });
      await audit(r, this.deps, caller, 'connection-describe', 'vpc-endpoint-service', s.id, {
        connections: items.map((c) => c.id),
      });
      return {
        connections: items.map((c) =>
          connectionView({ ...mine.get(c.id)!, connection_description: c.description }, s, now),
        ),
      };
    });
  }
}
