import { ApiError, type ErrorCode } from './errors.ts';

/** The most routes one route table holds (api-surface.md §2). */
export const MAX_ROUTES_PER_TABLE = 200;

/** What the plan needs to know of one route table that may be bound. */
export interface TableFacts {
  id: string;
  /** All routes in the table now, system ones included. */
  routeCount: number;
  /** Destinations of routes in the table that this endpoint did not create. */
  foreignDestinations: ReadonlySet<string>;
  /** Another endpoint of the same gateway service bound to this table, if any. */
  takenBy: string | undefined;
}

export interface TableFailure {
  id: string;
  error: ApiError;
}

export interface RebindInput {
  current: readonly string[];
  desired: readonly string[];
  /** Facts of every table in `desired − current`. */
  tables: ReadonlyMap<string, TableFacts>;
  serviceCidrs: readonly string[];
  /** The route backend refuses to program (fault injection or a real backend error). */
  bindRefused: (tableId: string) => boolean;
  unbindRefused: (tableId: string) => boolean;
}

export interface RebindPlan {
  bind: string[];
  unbind: string[];
  bindFailed: TableFailure[];
  unbindFailed: TableFailure[];
  /** The set bound after the change, sorted. */
  final: string[];
}

const failure = (id: string, code: ErrorCode, detail?: string): TableFailure => ({
  id,
  error: new ApiError(code, detail),
});

/** Removes duplicates, keeping the first occurrence (routetables.md, step 4 decision). */
export function dedupe(ids: readonly string[]): string[] {
  return [...new Set(ids)];
}

/** Why one table cannot take the service's routes, in the order of routetables.md's failure table. */
function bindRefusal(facts: TableFacts, input: RebindInput): TableFailure | undefined {
  if (facts.takenBy !== undefined)
    return failure(facts.id, 'EndPoint.2039', `Bound to endpoint ${facts.takenBy}.`);
  if (facts.routeCount + input.serviceCidrs.length > MAX_ROUTES_PER_TABLE) {
    return failure(facts.id, 'Endpoint.1018', `A route table holds at most ${MAX_ROUTES_PER_TABLE} routes.`);
  }
  const clash = input.serviceCidrs.find((c) => facts.foreignDestinations.has(c));
  if (clash !== undefined) return failure(facts.id, 'EndPoint.4028', `A route to ${clash} already exists.`);
  if (input.bindRefused(facts.id))
    return failure(facts.id, 'EndPoint.4028', 'The route backend refused the change.');
  return undefined;
}

/**
 * The binding diff and per-table outcomes of UpdateEndpointRoutetable (routetables.md, "Meaning" and
 * the per-table failure table). Pure: the caller applies `bind` and `unbind`.
 */
export function planRebind(input: RebindInput): RebindPlan {
  const current = new Set(input.current);
  const desired = new Set(input.desired);
  const bind: string[] = [];
  const bindFailed: TableFailure[] = [];
  for (const id of desired) {
    if (current.has(id)) continue;
    const facts = input.tables.get(id);
    if (facts === undefined) throw new Error(`planRebind: no facts for table ${id}`);
    const refusal = bindRefusal(facts, input);
    if (refusal) bindFailed.push(refusal);
    else bind.push(id);
  }
  let unbind: string[] = [];
  const unbindFailed: TableFailure[] = [];
  for (const id of current) {
    if (desired.has(id)) continue;
    if (input.unbindRefused(id))
      unbindFailed.push(failure(id, 'EndPoint.4029', 'The route backend refused the change.'));
    else unbind.push(id);
  }
  const kept = [...current].filter((id) => desired.has(id) || !unbind.includes(id));
  if (kept.length + bind.length === 0) {
    // A gateway endpoint always keeps at least one route table (routetables.md decision).
    for (const id of unbind) {
      unbindFailed.push(failure(id, 'EndPoint.2040', 'A gateway endpoint keeps at least one route table.'));
    }
    unbind = [];
  }
  const unbound = new Set(unbind);
  const final = [...new Set([...input.current.filter((id) => !unbound.has(id)), ...bind])].sort();
  return { bind, unbind, bindFailed, unbindFailed, final };
}

/** The `egw` routes binding programs: one per service CIDR, next hop the endpoint. */
export function egwRoutes(endpointId: string, serviceCidrs: readonly string[]) {
  return serviceCidrs.map((destination) => ({ type: 'egw' as const, destination, nexthop: endpointId }));
}
