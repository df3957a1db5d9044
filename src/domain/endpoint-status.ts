import { ApiError } from './errors.ts';

export type EndpointStatus =
  'creating' | 'pendingAcceptance' | 'accepted' | 'rejected' | 'failed' | 'deleting';
export type ServiceType = 'gateway' | 'interface';

export interface StatusFacts {
  status: EndpointStatus;
  /** When a `creating` endpoint is provisioned (ISO time). */
  ready_at: string;
  /** Whether the service asks its owner to accept new endpoints. */
  approval: boolean;
}

/**
 * The status an endpoint has at `now`: a `creating` endpoint whose provisioning delay has passed is
 * `accepted`, or `pendingAcceptance` when its service requires approval (api-surface.md §3).
 */
export function statusAt(facts: StatusFacts, now: Date): EndpointStatus {
  if (facts.status === 'creating' && Date.parse(facts.ready_at) <= now.getTime()) {
    return facts.approval ? 'pendingAcceptance' : 'accepted';
  }
  return facts.status;
}

/**
 * The published state codes of any change to an endpoint: not while it is being created or deleted,
 * nor once it failed. Rebinds, whitelist and policy changes, and the provider's accept or reject
 * all begin here.
 */
export function assertNotInTransition(status: EndpointStatus): void {
  if (status === 'creating') throw new ApiError('EndPoint.2019');
  if (status === 'deleting') throw new ApiError('EndPoint.2018');
  if (status === 'failed') throw new ApiError('EndPoint.2047');
}

/** Steps 6 and 7 of routetables.md's order of checks. */
export function assertRoutetablesChangeable(status: EndpointStatus, serviceType: ServiceType): void {
  assertNotInTransition(status);
  switch (status) {
    case 'pendingAcceptance':
    case 'rejected':
      throw new ApiError(
        'EndPoint.1004',
        `The endpoint is ${status}; only accepted endpoints change route tables.`,
      );
    default:
      break;
  }
  if (serviceType !== 'gateway') {
    throw new ApiError('EndPoint.1004', 'Route tables can only be bound to endpoints of gateway services.');
  }
}

export type ServiceStatus = 'creating' | 'available' | 'failed' | 'deleting';

/** A service's status at `now`: a `creating` service whose provisioning delay has passed is `available`. */
export function serviceStatusAt(s: { status: string; ready_at: string }, now: Date): ServiceStatus {
  if (s.status === 'creating' && s.ready_at !== '' && Date.parse(s.ready_at) <= now.getTime()) {
    return 'available';
  }
  return s.status as ServiceStatus;
}
