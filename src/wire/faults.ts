import { Type } from 'typebox';
import { Id64, ProjectParams } from './common.ts';

/** vpcep's own fault injection (README, "Fault injection"): requests and answers on the wire. */

export { ProjectParams };

export const FaultParams = Type.Object({ project_id: Id64, fault_id: Id64 });

export const AddFaultBody = Type.Object({
  fault: Type.Object({
    operation: Type.Enum(['bind', 'unbind']),
    routetable_id: Id64,
    times: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
  }),
});

export const Fault = Type.Object({
  id: Type.String(),
  operation: Type.Enum(['bind', 'unbind']),
  routetable_id: Type.String(),
  /** Firings left; null: until deleted. */
  remaining: Type.Union([Type.Integer(), Type.Null()]),
  created_at: Type.String(),
});

export const FaultAnswer = Type.Object({ fault: Fault });
export const FaultList = Type.Object({ faults: Type.Array(Fault) });
