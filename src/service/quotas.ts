import { ApiError } from '../domain/errors.ts';
import type { Tx } from '../store/store.ts';
import type { Caller, Deps } from './context.ts';

/** The resources with a quota, as ListQuotaDetails names them (spec/quotas.md). */
export const QUOTA_TYPES = ['endpoint', 'endpoint_service'] as const;
export type QuotaType = (typeof QUOTA_TYPES)[number];

const NOUN = { endpoint: 'VPC endpoints', endpoint_service: 'VPC endpoint services' } as const;

/** What an account's stored quotas come to: its own values, else the server-wide defaults. */
export function effectiveQuotas(
  deps: Pick<Deps, 'config'>,
  own: { quota_endpoints: number | null; quota_endpoint_services: number | null } | undefined,
): Record<QuotaType, number> {
  return {
    endpoint: own?.quota_endpoints ?? deps.config.quotaEndpoints,
    endpoint_service: own?.quota_endpoint_services ?? deps.config.quotaEndpointServices,
  };
}

async function quotaOf(r: Tx, deps: Deps, caller: Caller, type: QuotaType): Promise<number> {
  const domain = await r.identity.domainById(caller.domain_id);
  return effectiveQuotas(deps, domain)[type];
}

/** What the project holds of `type` at `now`: whatever the status, until gone (spec/quotas.md). */
function usedOf(r: Tx, projectId: string, type: QuotaType, now: Date): Promise<number> {
  return type === 'endpoint'
    ? r.endpoints.countOfProject(projectId, now)
    : r.services.countOwnedBy(projectId, now);
}

/**
 * Refuses with 400 Endpoint.1018 a create that would take the project past its quota of `type`.
 * Called first in the create's transaction: the project's row stays locked until it commits, so
 * creates of one project count one after another and two cannot both take the last slot.
 */
export async function assertQuota(r: Tx, deps: Deps, caller: Caller, type: QuotaType): Promise<void> {
  await r.identity.lockProject(caller.project_id);
  const quota = await quotaOf(r, deps, caller, type);
  const used = await usedOf(r, caller.project_id, type, deps.clock.now());
  if (used >= quota) {
    throw new ApiError('Endpoint.1018', `The project has ${used} of its ${quota} ${NOUN[type]}.`);
  }
}

/** ListQuotaDetails: the caller's project, per resource type. */
export class Quotas {
  constructor(private readonly deps: Deps) {}

  async list(caller: Caller, type?: QuotaType) {
    const types = type === undefined ? QUOTA_TYPES : [type];
    const now = this.deps.clock.now();
    return this.deps.store.read(async (r) => {
      const domain = await r.identity.domainById(caller.domain_id);
      const quotas = effectiveQuotas(this.deps, domain);
      const resources = [];
      for (const t of types) {
        resources.push({ type: t, used: await usedOf(r, caller.project_id, t, now), quota: quotas[t] });
      }
      return { quotas: { resources } };
    });
  }
}
