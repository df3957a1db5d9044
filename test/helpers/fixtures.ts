import assert from 'node:assert/strict';
import type { World } from './world.ts';

/** Small builders over the real API; each asserts its call succeeded. */

export async function createVpc(w: World, cidr = '10.0.0.0/16', name = 'vpc') {
  const res = await w.api('POST', '/vpcs', { vpc: { name, cidr } });
  assert.equal(res.status, 200, res.raw);
  const tables = await w.api('GET', `/routetables?vpc_id=${res.body.vpc.id}`);
  const defaultTable = tables.body.routetables.find((t: { default: boolean }) => t.default);
  return { id: res.body.vpc.id as string, defaultTable: defaultTable.id as string };
}

export async function createTable(
  w: World,
  vpcId: string,
  routes: { type: string; destination: string; nexthop: string }[] = [],
  name = 'rt',
) {
  const res = await w.api('POST', '/routetables', { routetable: { vpc_id: vpcId, name, routes } });
  assert.equal(res.status, 200, res.raw);
  return res.body.routetable.id as string;
}

/** The default gateway service of the region (object storage). */
export async function gatewayService(w: World) {
  const res = await w.api('GET', '/vpc-endpoint-services/public');
  assert.equal(res.status, 200, res.raw);
  const s = res.body.endpoint_services.find((x: { service_type: string }) => x.service_type === 'gateway');
  return s.id as string;
}

export async function createEndpoint(w: World, serviceId: string, vpcId: string, routetables?: string[]) {
  const res = await w.api('POST', '/vpc-endpoints', {
    endpoint_service_id: serviceId,
    vpc_id: vpcId,
    ...(routetables ? { routetables } : {}),
  });
  assert.equal(res.status, 200, res.raw);
  return res.body.id as string;
}

export async function routesOf(w: World, tableId: string) {
  const res = await w.api('GET', `/routetables/${tableId}`);
  assert.equal(res.status, 200, res.raw);
  return res.body.routetable.routes as { type: string; destination: string; nexthop: string }[];
}

export async function rebind(w: World, endpointId: string, routetables: unknown) {
  return w.api('PUT', `/vpc-endpoints/${endpointId}/routetables`, { routetables });
}
