import { ApiError } from '../domain/errors.ts';
import type { Tx } from '../store/store.ts';
import type { Row } from '../store/queries.ts';
import { audit, type Caller, type Deps } from './context.ts';

export type FaultOperation = 'bind' | 'unbind';

export interface FaultInput {
  operation: FaultOperation;
  /** A route table id, or `*` for every table. */
  routetable_id: string;
  /** How many times the fault fires before it is used up; absent: until deleted. */
  times?: number;
}

export function faultView(f: Row<'faults'>) {
  return {
    id: f.id,
    operation: f.operation,
    routetable_id: f.routetable_id,
    remaining: f.remaining,
    created_at: f.created_at,
  };
}

/**
 * Faults of the route backend, injected on purpose (design.md: "can be told to fail on purpose").
 * They live in the store, so every replica sees them, and a fault that fires is used up in the
 * same transaction as the call it failed.
 */
export class RouteFaults {
  constructor(private readonly deps: Deps) {}

  async list(caller: Caller) {
    return (await this.deps.store.read((r) => r.faults.list(caller.project_id))).map(faultView);
  }

  async add(caller: Caller, input: FaultInput) {
    const row: Row<'faults'> = {
      id: this.deps.ids.uuid(),
      project_id: caller.project_id,
      operation: input.operation,
      routetable_id: input.routetable_id,
      remaining: input.times ?? null,
      created_at: this.deps.clock.now().toISOString(),
    };
    await this.deps.store.tx(async (r) => {
      await r.faults.insert(row);
      await audit(r, this.deps, caller, 'create', 'fault', row.id, {
        operation: row.operation,
        routetable_id: row.routetable_id,
        remaining: row.remaining,
      });
    });
    return faultView(row);
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
      take(operation: FaultOperation, tableId: string): boolean {
        const f = rows.find(
          (x) =>
            x.operation === operation &&
            (x.routetable_id === '*' || x.routetable_id === tableId) &&
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
}
