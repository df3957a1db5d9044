import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { addOwnService, addProject } from './seed.ts';
import { PASSWORD, tokenFor, type World } from './world.ts';

/**
 * Small builders over the real API; each asserts its call succeeded. Those that take an `Api` work
 * with either client: a world (`inject`) or a spawned server's (`client` of server.ts, real HTTP).
 */

/** Whatever calls `/v1/{project_id}/...` as one caller. */
export interface Api {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  api(method: string, url: string, body?: unknown): Promise<{ status: number; body: any; raw: string }>;
}

export type Route = { type: string; destination: string; nexthop: string };

export async function createVpc(w: Api, cidr = '10.0.0.0/16', name = 'vpc') {
  const res = await w.api('POST', '/vpcs', { vpc: { name, cidr } });
  assert.equal(res.status, 200, res.raw);
  const tables = await w.api('GET', `/routetables?vpc_id=${res.body.vpc.id}`);
  const defaultTable = tables.body.routetables.find((t: { default: boolean }) => t.default);
  return { id: res.body.vpc.id as string, defaultTable: defaultTable.id as string };
}

export async function createTable(w: Api, vpcId: string, routes: Route[] = [], name = 'rt') {
  const res = await w.api('POST', '/routetables', { routetable: { vpc_id: vpcId, name, routes } });
  assert.equal(res.status, 200, res.raw);
  return res.body.routetable.id as string;
}

/** The default gateway service of the region (object storage). */
export async function gatewayService(w: Api) {
  const res = await w.api('GET', '/vpc-endpoint-services/public');
  assert.equal(res.status, 200, res.raw);
  const s = res.body.endpoint_services.find((x: { service_type: string }) => x.service_type === 'gateway');
  return s.id as string;
}

/**
 * The ids of configured gateway services (their names as configured, without the region), in the
 * order asked; each must be listed exactly once.
 */
export async function gatewayServiceIds(w: Api, names: readonly string[], region = 'cn-north-4') {
  const res = await w.api('GET', '/vpc-endpoint-services/public');
  assert.equal(res.status, 200, res.raw);
  const listed = res.body.endpoint_services as { id: string; service_name: string; service_type: string }[];
  return names.map((name) => {
    const found = listed.filter((s) => s.service_name === `${region}.${name}`);
    assert.equal(found.length, 1, `service ${name} listed ${found.length} times: ${res.raw}`);
    assert.equal(found[0]!.service_type, 'gateway', res.raw);
    return found[0]!.id;
  });
}

export async function createEndpoint(w: Api, serviceId: string, vpcId: string, routetables?: string[]) {
  const res = await w.api('POST', '/vpc-endpoints', {
    endpoint_service_id: serviceId,
    vpc_id: vpcId,
    ...(routetables ? { routetables } : {}),
  });
  assert.equal(res.status, 200, res.raw);
  return res.body.id as string;
}

export async function routesOf(w: Api, tableId: string) {
  const res = await w.api('GET', `/routetables/${tableId}`);
  assert.equal(res.status, 200, res.raw);
  return res.body.routetable.routes as Route[];
}

export async function rebind(w: World, endpointId: string, routetables: unknown) {
  return w.api('PUT', `/vpc-endpoints/${endpointId}/routetables`, { routetables });
}

/** The default gateway service of the region (config.ts default): object storage, on its documented range. */
export const OBS_SERVICE = { name: 'com.myhuaweicloud.v4.obsv2', cidrs: ['100.125.0.0/16'] };
/** The CIDR the default gateway service programs as `egw` routes. */
export const GW_CIDR = '100.125.0.0/16';
/** Two gateway services, so endpoints of different services can share a table and collide on CIDRs. */
export const TWO_GATEWAY_SERVICES = [
  OBS_SERVICE,
  { name: 'com.example.gw2', cidrs: ['100.126.0.0/16', '100.127.0.0/24'] },
];

/** An endpoint as GET shows it. */
export async function getEndpoint(w: World, ep: string, headers?: Record<string, string | undefined>) {
  const res = await w.api('GET', `/vpc-endpoints/${ep}`, undefined, headers);
  assert.equal(res.status, 200, res.raw);
  return res.body;
}

/** The `egw` routes of a table, with only the fields users see. */
export async function egwRoutes(w: Api, table: string): Promise<Route[]> {
  return (await routesOf(w, table))
    .filter((r) => r.type === 'egw')
    .map(({ type, destination, nexthop }) => ({ type, destination, nexthop }));
}

/** Adds user routes to a table through the API. */
export async function addRoutes(w: Api, table: string, add: Route[]) {
  const res = await w.api('PUT', `/routetables/${table}`, { routetable: { routes: { add } } });
  assert.equal(res.status, 200, res.raw);
  return res.body.routetable.routes as Route[];
}

/** Adds user routes (type ecs, /32 destinations in 172.16/12, outside 10.0.0.0/16) until the table holds `total`. */
export async function fillTable(w: Api, table: string, total: number) {
  const have = (await routesOf(w, table)).length;
  const add = Array.from({ length: total - have }, (_, i) => ({
    type: 'ecs',
    destination: `172.16.${Math.floor(i / 250)}.${(i % 250) + 1}/32`,
    nexthop: 'ecs-nexthop',
  }));
  assert.equal((await addRoutes(w, table, add)).length, total);
}

/** A route backend fault (the operator's faults API); returns its id. */
export async function addFault(w: World, operation: 'bind' | 'unbind', routetableId: string, times = 1) {
  const res = await w.call('POST', `/vpcep/v1/${w.projectId}/faults`, {
    fault: { operation, routetable_id: routetableId, times },
  });
  assert.equal(res.status, 201, res.raw);
  return res.body.fault.id as string;
}

/** The faults not yet used up. */
export async function listFaults(w: World) {
  const res = await w.call('GET', `/vpcep/v1/${w.projectId}/faults`);
  assert.equal(res.status, 200, res.raw);
  return res.body.faults as unknown[];
}

/** An interface endpoint service owned by the project (seeded: no API makes one), and an endpoint of it in `vpc`. */
export async function interfaceEndpoint(w: World, vpc: string) {
  const serviceId = await addOwnService(w.store, w.projectId, 'iface', {
    service_type: 'interface',
    server_type: 'VM',
    vpc_id: vpc,
    port_id: randomUUID(),
    cidrs: '[]',
  });
  const subnet = await w.api('POST', '/subnets', {
    subnet: { name: 'sn', cidr: '10.0.1.0/24', gateway_ip: '10.0.1.1', vpc_id: vpc },
  });
  assert.equal(subnet.status, 200, subnet.raw);
  const res = await w.api('POST', '/vpc-endpoints', {
    endpoint_service_id: serviceId,
    vpc_id: vpc,
    subnet_id: subnet.body.subnet.id,
  });
  assert.equal(res.status, 200, res.raw);
  assert.equal(res.body.service_type, 'interface');
  return res.body.id as string;
}

/** A second project in the admin's domain (seeded), and a token scoped to it; made once per world. */
const others = new WeakMap<World, Promise<{ id: string; token: string }>>();
export function otherProject(w: World) {
  let p = others.get(w);
  if (!p) {
    p = (async () => {
      const name = 'cn-south-1';
      const id = await addProject(w.store, 'vpcep', name);
      return { id, token: await tokenFor(w.app, 'admin', PASSWORD, name) };
    })();
    others.set(w, p);
  }
  return p;
}

/**
 * A VPC of its own in the other project: `call('GET', '/vpcs')` calls `/v1/{other project}/vpcs`
 * with the other project's token.
 */
export async function otherProjectVpc(w: World, name: string) {
  const other = await otherProject(w);
  const call = (method: string, url: string, body?: unknown) =>
    w.call(method, `/v1/${other.id}${url}`, body, { 'x-auth-token': other.token });
  const vpcRes = await call('POST', '/vpcs', { vpc: { name, cidr: '10.0.0.0/16' } });
  assert.equal(vpcRes.status, 200, vpcRes.raw);
  return { call, vpc: vpcRes.body.vpc.id as string };
}

/** A subnet of `vpcId` (default 10.0.1.0/24, gateway .1); its id. */
export async function createSubnet(w: Api, vpcId: string, cidr = '10.0.1.0/24', name = 'sn') {
  const gateway = cidr.replace(/\.0\/\d+$/, '.1');
  const res = await w.api('POST', '/subnets', { subnet: { name, cidr, gateway_ip: gateway, vpc_id: vpcId } });
  assert.equal(res.status, 200, res.raw);
  return res.body.subnet.id as string;
}

/** A port in a subnet (CreatePort), at `ip` or the next free address; the port as answered. */
export async function createPort(w: Api, subnetId: string, ip?: string) {
  const res = await w.api('POST', '/ports', {
    port: { network_id: subnetId, name: 'backend', ...(ip ? { fixed_ips: [{ ip_address: ip }] } : {}) },
  });
  assert.equal(res.status, 201, res.raw);
  return res.body.port as { id: string; fixed_ips: { ip_address: string }[] };
}

/** An interface endpoint service on `portId` (TCP 80 → 8080 unless told); the service as answered. */
export async function createService(
  w: Api,
  vpcId: string,
  portId: string,
  extra: Record<string, unknown> = {},
) {
  const res = await w.api('POST', '/vpc-endpoint-services', {
    vpc_id: vpcId,
    port_id: portId,
    server_type: 'VM',
    ports: [{ client_port: 80, server_port: 8080 }],
    ...extra,
  });
  assert.equal(res.status, 200, res.raw);
  return res.body as { id: string; service_name: string; [k: string]: unknown };
}

/**
 * In a world with a provisioning delay of `delayMs`: a service of the world's own, past its delay,
 * and an interface endpoint of it, still `creating`.
 */
export async function creatingInterfaceEndpoint(w: World, delayMs: number) {
  const vpc = (await createVpc(w)).id;
  const subnet = await createSubnet(w, vpc);
  const service = await createService(w, vpc, (await createPort(w, subnet)).id);
  w.clock.advance(delayMs);
  const res = await w.api('POST', '/vpc-endpoints', {
    endpoint_service_id: service.id,
    vpc_id: vpc,
    subnet_id: subnet,
  });
  assert.equal(res.status, 200, res.raw);
  return { service: service.id, endpoint: res.body.id as string };
}
