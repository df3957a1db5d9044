import type { Faults } from '../../service/faults.ts';
import { route } from '../route.ts';
import { AddFaultBody, FaultAnswer, FaultList, FaultParams, ProjectParams } from '../../wire/faults.ts';

/** vpcep's own fault-injection API, outside Huawei's paths so no client mistakes it for one. */
export function faultRoutes(faults: Faults) {
  return [
    route({
      method: 'GET',
      url: '/vpcep/v1/:project_id/faults',
      api: 'admin',
      operationId: 'ListFaults',
      auth: true,
      schema: { params: ProjectParams, response: { 200: FaultList } },
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
        body: AddFaultBody,
        response: { 201: FaultAnswer },
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
      schema: { params: FaultParams },
      handler: ({ caller, params }) => faults.remove(caller, params.fault_id),
    }),
  ];
}
