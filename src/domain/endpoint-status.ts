import { ApiError } from './errors.ts';

export type EndpointStatus =
  'creating' | 'pendingAcceptance' | 'accepted' | 'rejected' | 'failed' | 'deleting';
export type ServiceType = 'gateway' | 'interface';

/** Every status an endpoint can have, in the order of its life. */
export const ENDPOINT_STATUSES: readonly EndpointStatus[] = [
  'creating',
  'pendingAcceptance',
  'accepted',
  'rejected',
  'failed',
  'deleting',
];
export const SERVICE_TYPES: readonly ServiceType[] = ['gateway', 'interface'];

/**
 * What the store holds of a resource's transition (spec/operations.md, "Lifecycle"): its status as
 * last written, when the transition it is in ends, and why it fails ('' when it does not).
 */
export interface Transition {
  status: string;
  ready_at: string;
  error_code: string;
}

/** The published `error` of a failed endpoint or connection: why its provisioning failed. */
export const failureOf = (e: { error_code: string; error_message: string }) => ({
  error: [{ error_code: e.error_code, error_message: e.error_message }],
});

/** Whether the transition `t` is in has ended at `now`. */
const ended = (t: Transition, now: Date) => t.ready_at !== '' && Date.parse(t.ready_at) <= now.getTime();

/**
 * The status an endpoint has at `now`: a `creating` endpoint whose provisioning delay has passed is
 * `failed` when a fault made its provisioning fail, else `accepted`, or `pendingAcceptance` when its
 * service requires approval (`approval`). Written again in SQL for the provider's list to filter on
 * (CONNECTIONS in store/endpoints.ts): change both, test/api/connections-paging.test.ts holds them
 * to the same answers.
 */
export function statusAt(e: Transition, approval: boolean, now: Date): EndpointStatus {
  if (e.status === 'creating' && ended(e, now)) {
    if (e.error_code !== '') return 'failed';
    return approval ? 'pendingAcceptance' : 'accepted';
  }
  return e.status as EndpointStatus;
}

/**
 * The stretch of time, in epoch milliseconds [from, until), around `now` in which statusAt answers
 * for `e` what it answers at `now`: only a `creating` endpoint's status changes with time alone,
 * once, when its transition ends.
 */
export function statusSpan(e: Transition, now: Date): { from: number; until: number } {
  if (e.status !== 'creating' || e.ready_at === '') return { from: -Infinity, until: Infinity };
  const end = Date.parse(e.ready_at);
  return ended(e, now) ? { from: end, until: Infinity } : { from: -Infinity, until: end };
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

/**
 * A service's status at `now`: a `creating` service whose provisioning delay has passed is `failed`
 * when a fault made its provisioning fail, else `available`.
 */
export function serviceStatusAt(s: Transition, now: Date): ServiceStatus {
  if (s.status === 'creating' && ended(s, now)) return s.error_code !== '' ? 'failed' : 'available';
  return s.status as ServiceStatus;
}

/**
 * When a transition begun at `now` ends, `delayMs` later (ISO time, as `ready_at` stores it). A
 * `deleting` resource past this time is gone for every reader (store/lifecycle.ts).
 */
export const endsAt = (now: Date, delayMs: number) => new Date(now.getTime() + delayMs).toISOString();
