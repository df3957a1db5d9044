import { Type } from 'typebox';
import type { RouteFaults } from '../../service/faults.ts';
import { route } from '../route.ts';
import { Id64, ProjectParams } from '../schemas.ts';

/** vpcep's own fault-injection API, outside Huawei's paths so no client mistakes it for one. */
export function faultRoutes(faults: RouteFaults) {
  return [
    route({
      method: 'GET',
      url: '/vpcep/v1/:project_id/faults',
      api: 'admin',
      operationId: 'ListFaults',
      auth: true,
      schema: { params: ProjectParams },
      handler: async ({ caller }) => ({ faults: await faults.list(caller) }),
    }),
    route({
      method: 'POST',
      url: '/vpcep/v1/:project_id/faults',
      api: 'admin',
      operationId: 'CreateFault',
      auth: true,
      status: 201,
      schema: {
        params: ProjectParams,
        body: Type.Object({
          fault: Type.Object({
            operation: Type.Enum(['bind', 'unbind']),
            routetable_id: Id64,
            times: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
          }),
        }),
      },
      handler: async ({ caller, body }) => ({ fault: await faults.add(caller, body.fault) }),
    }),
    route({
      method: 'DELETE',
      url: '/vpcep/v1/:project_id/faults/:fault_id',
      api: 'admin',
      operationId: 'DeleteFault',
      auth: true,
      status: 204,
      schema: { params: Type.Object({ project_id: Id64, fault_id: Id64 }) },
      handler: ({ caller, params }) => faults.remove(caller, params.fault_id),
    }),
  ];
}
