import { Type } from 'typebox';
import { Id64, ProjectParams } from './common.ts';

/** vpcep's own fault injection (README, "Fault injection"): requests and answers on the wire. */

export { ProjectParams };

/**
 * What a fault makes fail: the route backend's `bind` or `unbind` of a table (a per-table failure
 * of the call), or the provisioning of an endpoint or a service (it ends `failed`).
 */
export const FAULT_OPERATIONS = ['bind', 'unbind', 'create-endpoint', 'create-service'] as const;
export type FaultOperation = (typeof FAULT_OPERATIONS)[number];

export const FaultParams = Type.Object({ project_id: Id64, fault_id: Id64 });

export const AddFaultBody = Type.Object({
  fault: Type.Object({
    operation: Type.Enum(FAULT_OPERATIONS),
    /** `bind` and `unbind`: a route table id or `*`. */
    routetable_id: Type.Optional(Id64),
    /** `create-endpoint`: the service whose new endpoints fail, or `*` (the default). */
    endpoint_service_id: Type.Optional(Id64),
    times: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
  }),
});

export const Fault = Type.Object({
  id: Type.String(),
  operation: Type.Enum(FAULT_OPERATIONS),
  routetable_id: Type.Optional(Type.String()),
  endpoint_service_id: Type.Optional(Type.String()),
  /** Firings left; null: until deleted. */
  remaining: Type.Union([Type.Integer(), Type.Null()]),
  created_at: Type.String(),
});

export const FaultAnswer = Type.Object({ fault: Fault });
export const FaultList = Type.Object({ faults: Type.Array(Fault) });
