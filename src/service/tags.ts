import { ApiError } from '../domain/errors.ts';
import {
  aggregate,
  applyTagAction,
  checkFilter,
  passes,
  storedTags,
  type InstanceFilter,
  type Keyed,
  type StoredTag,
  type Tag,
} from '../domain/tags.ts';
import type { Tx } from '../store/store.ts';
import { audit, type Caller, type Deps } from './context.ts';
import { ownServiceOf } from './interface-services.ts';

export type ResourceType = 'endpoint' | 'endpoint_service';

export interface InstancesQuery extends InstanceFilter {
  action: 'filter' | 'count';
  limit?: string;
  offset?: string;
}

interface Resource {
  resource_id: string;
  resource_name: string;
  tags: StoredTag[];
}

/** ListResourceInstances answers at most this many per call, and this many when `limit` is not given. */
const MAX_LIMIT = 1000;

/** The resources of a kind in the caller's project, oldest first. */
async function resourcesOf(r: Tx, caller: Caller, type: ResourceType, now: Date): Promise<Resource[]> {
  if (type === 'endpoint') {
    // An endpoint has no name of its own: it is known by the name of its service.
    const rows = await r.endpoints.ofProject(caller.project_id, now);
    return rows.map((e) => ({ resource_id: e.id, resource_name: e.service_name, tags: storedTags(e.tags) }));
  }
  const rows = await r.services.ownedBy(caller.project_id, now);
  return rows.map((s) => ({ resource_id: s.id, resource_name: s.service_name, tags: storedTags(s.tags) }));
}

/**
 * Tags of endpoints and endpoint services (spec/interface-services.md, "Tags"). A resource's tags
 * live in its row, as the endpoint and service objects show them; a project holds few enough
 * resources (their quotas) that the queries read them all and filter here.
 */
export class Tags {
  constructor(private readonly deps: Deps) {}

  /** BatchAddOrRemoveResourceInstance: the caller's resource, or one nobody has, answered alike. */
  async change(
    caller: Caller,
    type: ResourceType,
    id: string,
    action: 'create' | 'delete',
    tags: Keyed<Tag>[] | undefined,
  ): Promise<void> {
    const now = this.deps.clock.now();
    await this.deps.store.tx(async (r) => {
      if (type === 'endpoint') {
        const e = await r.endpoints.byId(caller.project_id, id, now, { forUpdate: true });
        if (!e) throw new ApiError('EndPoint.2006');
        const next = applyTagAction(storedTags(e.tags), action, tags);
        await r.endpoints.update(id, { tags: JSON.stringify(next) });
      } else {
        const s = await ownServiceOf(r, caller, id, now, { forUpdate: true });
        const next = applyTagAction(storedTags(s.tags), action, tags);
        await r.services.update(id, { tags: JSON.stringify(next) });
      }
      const kind = type === 'endpoint' ? 'vpc-endpoint' : 'vpc-endpoint-service';
      await audit(r, this.deps, caller, `tags.${action}`, kind, id, { tags });
    });
  }

  /** ListQueryProjectResourceTags: every key the project's resources of a kind hold, with its values. */
  async projectTags(caller: Caller, type: ResourceType) {
    const resources = await this.deps.store.read((r) => resourcesOf(r, caller, type, this.deps.clock.now()));
    return { tags: aggregate(resources.map((x) => x.tags)) };
  }

  /** ListResourceInstances: the resources passing the filter, a page of them, or their count. */
  async instances(caller: Caller, type: ResourceType, q: InstancesQuery) {
    checkFilter(q);
    const limit = q.limit === undefined ? MAX_LIMIT : Number(q.limit);
    if (limit < 1 || limit > MAX_LIMIT) throw new ApiError('EndPoint.0006', `limit is 1 to ${MAX_LIMIT}.`);
    const offset = q.offset === undefined ? 0 : Number(q.offset);
    if (offset > 2 ** 31 - 1) throw new ApiError('EndPoint.0010');
    const resources = await this.deps.store.read((r) => resourcesOf(r, caller, type, this.deps.clock.now()));
    const found = resources.filter((x) => passes(x.resource_name, x.tags, q));
    if (q.action === 'count') return { total_count: found.length };
    return { resources: found.slice(offset, offset + limit), total_count: found.length };
  }
}
