import { ApiError } from '../domain/errors.ts';
import type { Tx } from '../store/store.ts';
import type { Row } from '../store/queries.ts';
import type { FaultOperation } from '../wire/faults.ts';
import { audit, type Caller, type Deps } from './context.ts';

export type { FaultOperation };

export interface FaultInput {
  operation: FaultOperation;
  /** `bind`, `unbind`: a route table id, or `*` for every table. */
  routetable_id?: string;
  /** `create-endpoint`: the service whose endpoints fail, or `*` (the default) for every one. */
  endpoint_service_id?: string;
  /** How many times the fault fires before it is used up; absent: until deleted. */
  times?: number;
}

/** What a fault of each operation fires on: the column naming it, or none (every create). */
const TARGET = {
  bind: 'routetable_id',
  unbind: 'routetable_id',
  'create-endpoint': 'endpoint_service_id',
  'create-service': undefined,
} as const satisfies Record<FaultOperation, 'routetable_id' | 'endpoint_service_id' | undefined>;

type FaultRow = Row<'faults'>;

/** A fault as stored: its target in the column its operation names ('' in the other). */
function rowOf(input: FaultInput): Pick<FaultRow, 'routetable_id' | 'endpoint_service_id'> {
  const column = TARGET[input.operation];
  for (const other of ['routetable_id', 'endpoint_service_id'] as const) {
    if (other !== column && input[other] !== undefined) {
      throw new ApiError('EndPoint.0002', `A ${input.operation} fault takes no ${other}.`);
    }
  }
  const target = column === undefined ? '' : input[column];
  if (column === 'routetable_id' && target === undefined) {
    throw new ApiError('EndPoint.0002', `A ${input.operation} fault needs routetable_id (an id or "*").`);
  }
  return {
    routetable_id: column === 'routetable_id' ? target! : '',
    endpoint_service_id: column === 'endpoint_service_id' ? (target ?? '*') : '',
  };
}

export function faultView(f: FaultRow) {
  return {
    id: f.id,
    operation: f.operation,
    ...(f.routetable_id === '' ? {} : { routetable_id: f.routetable_id }),
    ...(f.endpoint_service_id === '' ? {} : { endpoint_service_id: f.endpoint_service_id }),
    remaining: f.remaining,
    created_at: f.created_at,
  };
}

/**
 * Faults injected on purpose (design.md: "can be told to fail on purpose"): the route backend's
 * binds and unbinds, and the provisioning of endpoints and services. They live in the store, so
 * every replica sees them, and a fault that fires is used up in the same transaction as the call
 * it failed.
 */
export class Faults {
  constructor(private readonly deps: Deps) {}

  async list(caller: Caller) {
    return (await this.deps.store.read((r) => r.faults.list(caller.project_id))).map(faultView);
  }

  async add(caller: Caller, input: FaultInput) {
    const row: FaultRow = {
      id: this.deps.ids.uuid(),
      project_id: caller.project_id,
      operation: input.operation,
      ...rowOf(input),
      remaining: input.times ?? null,
      created_at: this.deps.clock.now().toISOString(),
    };
    const view = faultView(row);
    await this.deps.store.tx(async (r) => {
      await r.faults.insert(row);
      const { id: _id, created_at: _at, ...detail } = view;
      await audit(r, this.deps, caller, 'create', 'fault', row.id, detail);
    });
    return view;
  }

  async remove(caller: Caller, id: string) {
    await this.deps.store.tx(async (r) => {
      if (!(await r.faults.delete(caller.project_id, id))) throw new ApiError('EndPoint.0005');
      await audit(r, this.deps, caller, 'delete', 'fault', id);
    });
  }

  /** The faults in force for one call: `take` asks whether one fires, `commit` uses up what fired. */
  async forCall(r: Tx, projectId: string) {
    const rows = await r.faults.list(projectId, { forUpdate: true });
    const fired = new Map<string, number>();
    return {
      take(operation: FaultOperation, target: string): boolean {
        const column = TARGET[operation];
        const f = rows.find(
          (x) =>
            x.operation === operation &&
            (column === undefined || x[column] === '*' || x[column] === target) &&
            (x.remaining === null || x.remaining - (fired.get(x.id) ?? 0) > 0),
        );
        if (!f) return false;
        fired.set(f.id, (fired.get(f.id) ?? 0) + 1);
        return true;
      },
      async commit() {
        for (const f of rows) {
          const n = fired.get(f.id);
          if (n === undefined || f.remaining === null) continue;
          if (f.remaining - n <= 0) await r.faults.delete(projectId, f.id);
          else await r.faults.update(f.id, f.remaining - n);
        }
      },
    };
  }

  /** Whether a provisioning fault fires on this create (used up if it does), in its transaction. */
  async fires(
    r: Tx,
    projectId: string,
    operation: 'create-endpoint' | 'create-service',
    target = '',
  ): Promise<boolean> {
    const faults = await this.forCall(r, projectId);
    const fired = faults.take(operation, target);
    await faults.commit();
    return fired;
  }
}
