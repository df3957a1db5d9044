import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { sweep } from '../../src/service/lifecycle.ts';
import { expectEpError, expectError, expectVpcError, ok } from '../helpers/expect.ts';
import {
  createEndpoint,
  createPort,
  createService,
  createSubnet,
  createTable,
  createVpc,
  egwRoutes,
  gatewayService,
  GW_CIDR,
  listFaults,
} from '../helpers/fixtures.ts';
import { checkInvariants } from '../helpers/invariants.ts';
import { expectPublished } from '../helpers/published.ts';
import { dropTestSchema, makeWorld, type World } from '../helpers/world.ts';

/**
 * The lifecycle as the cloud shows it (spec/operations.md, "Lifecycle"): `deleting` until the
 * deletion delay has passed, then gone for every reader and swept from the store; `failed`, with
 * the published `error`, when a provisioning fault fires on a create. Time moves by the world's
 * clock only.
 */

const PROVISIONING = 60_000;
const DELETION = 30_000;

/** A world with both delays, and one with none. */
let slow: World;
let w: World;
before(async () => {
  slow = await makeWorld({ provisioningDelayMs: PROVISIONING, deletionDelayMs: DELETION });
  w = await makeWorld();
});
after(async () => {
  await slow.close();
  await w.close();
});

const show = (x: World, ep: string) => x.api('GET', `/vpc-endpoints/${ep}`);
const showService = (x: World, id: string) => x.api('GET', `/vpc-endpoint-services/${id}`);
const used = async (x: World, type: 'endpoint' | 'endpoint_service') =>
  ok(await x.api('GET', `/quotas?type=${type}`)).body.quotas.resources[0].used as number;
const listedIds = async (x: World, url: string, key: string) =>
  (ok(await x.api('GET', url)).body[key] as { id: string }[]).map((e) => e.id);

/** The rows of `table` with this id, read straight from the store (what no API shows: the sweep). */
async function rowsOf(
  x: World,
  table: 'endpoints' | 'endpoint_services' | 'service_permissions',
  id: string,
) {
  const column = table === 'service_permissions' ? 'endpoint_service_id' : 'id';
  return x.store.read(async (r) => {
    const res = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(table)}
      where ${sql.ref(column)} = ${id}`.execute(r.db);
    return Number(res.rows[0]!.n);
  });
}

/** A fault through vpcep's own API; the answer. */
async function addFault(x: World, fault: Record<string, unknown>) {
  return x.call('POST', `/vpcep/v1/${x.projectId}/faults`, { fault });
}

/** An interface service of the world's own project, available; with its VPC and subnet. */
async function ownInterfaceService(x: World, cidr: string) {
  const vpc = (await createVpc(x, cidr)).id;
  const subnet = await createSubnet(x, vpc, cidr.replace(/\.0\.0\/16$/, '.1.0/24'));
  const port = (await createPort(x, subnet)).id;
  const service = (await createService(x, vpc, port, { approval_enabled: false })).id;
  return { vpc, subnet, port, service };
}

/** An interface endpoint of `s` in its subnet, at `portIp` when given; its id. */
async function interfaceEndpointOf(
  x: World,
  s: { vpc: string; subnet: string; service: string },
  portIp?: string,
) {
  const res = await x.api('POST', '/vpc-endpoints', {
    endpoint_service_id: s.service,
    vpc_id: s.vpc,
    subnet_id: s.subnet,
    ...(portIp ? { port_ip: portIp } : {}),
  });
  return ok(res).body.id as string;
}

describe('deleting, with a deletion delay', () => {
  test('a gateway endpoint: deleting until its deadline, its routes gone at once, then gone for every reader', async () => {
    const vpc = await createVpc(slow, '10.1.0.0/16');
    const table = await createTable(slow, vpc.id);
    const gw = await gatewayService(slow);
    const ep = await createEndpoint(slow, gw, vpc.id, [table]);
    slow.clock.advance(PROVISIONING);
    assert.equal(ok(await show(slow, ep)).body.status, 'accepted');
    assert.deepEqual(await egwRoutes(slow, table), [{ type: 'egw', destination: GW_CIDR, nexthop: ep }]);
    const usedBefore = await used(slow, 'endpoint');

    const deleted = await slow.api('DELETE', `/vpc-endpoints/${ep}`);
    expectPublished(deleted, 'DeleteEndpoint');
    const deletedAt = slow.clock.now().getTime();

    // Deleting: shown and listed as such, holding no table, still counted.
    const shown = ok(await show(slow, ep));
    expectPublished(shown, 'ListEndpointInfoDetails');
    assert.equal(shown.body.status, 'deleting');
    assert.deepEqual(shown.body.routetables, []);
    assert.equal(shown.body.error, undefined);
    assert.equal(Date.parse(shown.body.updated_at), Math.floor(deletedAt / 1000) * 1000);
    const listed = ok(await slow.api('GET', `/vpc-endpoints?vpc_id=${vpc.id}`));
    expectPublished(listed, 'ListEndpoints');
    assert.deepEqual(
      listed.body.endpoints.map((e: { id: string; status: string }) => [e.id, e.status]),
      [[ep, 'deleting']],
    );
    assert.equal(listed.body.total_count, 1);
    assert.equal(await used(slow, 'endpoint'), usedBefore);
    // Its routes left the table with the delete call, so another endpoint of the service may bind it.
    assert.deepEqual(await egwRoutes(slow, table), []);
    await checkInvariants(slow.store, { vpcIds: [vpc.id] });

    // Every change answers the published "being deleted".
    expectError(
      await slow.api('PUT', `/vpc-endpoints/${ep}/routetables`, { routetables: [vpc.defaultTable] }),
      400,
      'EndPoint.2018',
    );
    expectError(
      await slow.api('PUT', `/vpc-endpoints/${ep}/policy`, { policy_statement: [] }),
      400,
      'EndPoint.2018',
    );
    expectError(await slow.api('DELETE', `/vpc-endpoints/${ep}/policy`), 400, 'EndPoint.2018');

    // A second delete is accepted and changes nothing: the first deadline stands.
    slow.clock.advance(DELETION / 2);
    expectPublished(await slow.api('DELETE', `/vpc-endpoints/${ep}`), 'DeleteEndpoint');
    // Each delete is an event of the trail, and both name the one deadline.
    const events = ok(await slow.api('GET', `/audit-events?resource_id=${ep}&operation=DeleteEndpoint`)).body
      .audit_events as { detail: { deleting_until: string } }[];
    assert.equal(events.length, 2);
    assert.deepEqual(
      events.map((e) => Date.parse(e.detail.deleting_until)),
      [deletedAt + DELETION, deletedAt + DELETION],
    );
    slow.clock.advance(DELETION / 2 - 1000);
    assert.equal(ok(await show(slow, ep)).body.status, 'deleting');
    assert.equal(ok(await show(slow, ep)).body.updated_at, shown.body.updated_at);

    // The deadline: gone for every reader, before any sweep.
    slow.clock.advance(1000);
    expectEpError(await show(slow, ep), 404, 'EndPoint.2006');
    assert.deepEqual(await listedIds(slow, `/vpc-endpoints?vpc_id=${vpc.id}`, 'endpoints'), []);
    assert.equal(ok(await slow.api('GET', `/vpc-endpoints?vpc_id=${vpc.id}`)).body.total_count, 0);
    assert.equal(await used(slow, 'endpoint'), usedBefore - 1);
    expectEpError(await slow.api('DELETE', `/vpc-endpoints/${ep}`), 404, 'EndPoint.2006');
    expectEpError(
      await slow.api('POST', `/endpoint/${ep}/tags/action`, {
        action: 'create',
        tags: [{ key: 'k', value: 'v' }],
      }),
      404,
      'EndPoint.2006',
    );

    // The row is still there until a sweep takes it.
    assert.equal(await rowsOf(slow, 'endpoints', ep), 1);
    const swept = await sweep(slow);
    assert.ok(swept.endpoints >= 1, JSON.stringify(swept));
    assert.equal(await rowsOf(slow, 'endpoints', ep), 0);
    assert.deepEqual(await sweep(slow), { endpoints: 0, services: 0 });
    await checkInvariants(slow.store, { vpcIds: [vpc.id] });
  });

  test('a deleting endpoint lets go of its table at once: another endpoint of the service binds it', async () => {
    const vpc = await createVpc(slow, '10.2.0.0/16');
    const gw = await gatewayService(slow);
    const first = await createEndpoint(slow, gw, vpc.id);
    slow.clock.advance(PROVISIONING);
    // While the first holds the default table, a second endpoint of the service cannot take it.
    expectEpError(
      await slow.api('POST', '/vpc-endpoints', { endpoint_service_id: gw, vpc_id: vpc.id }),
      400,
      'EndPoint.2039',
    );
    ok(await slow.api('DELETE', `/vpc-endpoints/${first}`), 204);
    const second = await createEndpoint(slow, gw, vpc.id);
    assert.deepEqual(await egwRoutes(slow, vpc.defaultTable), [
      { type: 'egw', destination: GW_CIDR, nexthop: second },
    ]);
    await checkInvariants(slow.store, { vpcIds: [vpc.id] });
    slow.clock.advance(DELETION);
  });

  test('a VPC cannot be deleted while its endpoint is deleting; once gone, it can (before any sweep)', async () => {
    const vpc = await createVpc(slow, '10.3.0.0/16');
    const ep = await createEndpoint(slow, await gatewayService(slow), vpc.id);
    ok(await slow.api('DELETE', `/vpc-endpoints/${ep}`), 204);
    const refused = await slow.api('DELETE', `/vpcs/${vpc.id}`);
    expectVpcError(refused, 409, 'VPC.0104');
    assert.match(refused.body.error.message, new RegExp(ep));
    slow.clock.advance(DELETION);
    assert.equal(await rowsOf(slow, 'endpoints', ep), 1);
    // The gone row still names the VPC: the VPC's deletion takes it first.
    ok(await slow.api('DELETE', `/vpcs/${vpc.id}`), 204);
    assert.equal(await rowsOf(slow, 'endpoints', ep), 0);
  });

  test('an interface endpoint and its service: address freed at once, 2018 meanwhile, the service deleting after it', async () => {
    const provider = await ownInterfaceService(slow, '10.4.0.0/16');
    const { vpc, subnet, port, service } = provider;
    slow.clock.advance(PROVISIONING);
    const ep = await interfaceEndpointOf(slow, provider, '10.4.1.50');
    slow.clock.advance(PROVISIONING);
    assert.equal(ok(await show(slow, ep)).body.ip, '10.4.1.50');
    const permission = ok(
      await slow.api('POST', `/vpc-endpoint-services/${service}/permissions/action`, {
        action: 'add',
        permissions: ['*'],
      }),
    );
    assert.equal(permission.body.permissions.length, 1);
    const servicesBefore = await used(slow, 'endpoint_service');

    ok(await slow.api('DELETE', `/vpc-endpoints/${ep}`), 204);
    const deleting = ok(await show(slow, ep)).body;
    assert.equal(deleting.status, 'deleting');
    assert.equal(deleting.ip, undefined);
    // Its address is free for a port at once.
    const taker = await createPort(slow, subnet, '10.4.1.50');
    expectError(
      await slow.api('PUT', `/vpc-endpoints/${ep}`, { whitelist: ['10.0.0.0/8'] }),
      400,
      'EndPoint.2018',
    );
    // The provider sees it deleting, matched by no status filter, and cannot decide on it.
    const connections = ok(await slow.api('GET', `/vpc-endpoint-services/${service}/connections`));
    expectPublished(connections, 'ListServiceConnections');
    assert.deepEqual(
      connections.body.connections.map((c: { id: string; status: string }) => [c.id, c.status]),
      [[ep, 'deleting']],
    );
    for (const status of ['accepted', 'pendingAcceptance', 'rejected', 'failed']) {
      const filtered = ok(
        await slow.api('GET', `/vpc-endpoint-services/${service}/connections?status=${status}`),
      );
      assert.equal(filtered.body.total_count, 0, status);
    }
    expectError(
      await slow.api('POST', `/vpc-endpoint-services/${service}/connections/action`, {
        action: 'reject',
        endpoints: [ep],
      }),
      400,
      'EndPoint.2018',
    );
    // The service counts it, and cannot be deleted until it is gone.
    assert.equal(ok(await showService(slow, service)).body.connection_count, 1);
    expectError(await slow.api('DELETE', `/vpc-endpoint-services/${service}`), 400, 'EndPoint.3006');

    slow.clock.advance(DELETION);
    assert.equal(ok(await showService(slow, service)).body.connection_count, 0);
    assert.deepEqual(
      await listedIds(slow, `/vpc-endpoint-services/${service}/connections`, 'connections'),
      [],
    );
    expectPublished(await slow.api('DELETE', `/vpc-endpoint-services/${service}`), 'DeleteEndpointService');
    const deletedAt = slow.clock.now().getTime();

    // The service is deleting: shown, listed and counted, refusing changes and endpoints.
    const shown = ok(await showService(slow, service));
    expectPublished(shown, 'ListServiceDetails');
    assert.equal(shown.body.status, 'deleting');
    assert.equal(Date.parse(shown.body.updated_at), Math.floor(deletedAt / 1000) * 1000);
    assert.deepEqual(await listedIds(slow, '/vpc-endpoint-services?status=deleting', 'endpoint_services'), [
      service,
    ]);
    assert.equal(await used(slow, 'endpoint_service'), servicesBefore);
    expectError(
      await slow.api('PUT', `/vpc-endpoint-services/${service}`, { description: 'x' }),
      400,
      'EndPoint.3045',
      /deleting/,
    );
    expectError(
      await slow.api('PUT', `/vpc-endpoint-services/${service}/name`, { endpoint_service_name: 'x' }),
      400,
      'EndPoint.3045',
    );
    expectError(
      await slow.api('POST', '/vpc-endpoints', {
        endpoint_service_id: service,
        vpc_id: vpc,
        subnet_id: subnet,
      }),
      400,
      'EndPoint.2004',
    );
    ok(await slow.api('DELETE', `/vpc-endpoint-services/${service}`), 204);
    // It holds no backend any more: its port can go.
    ok(await slow.api('DELETE', `/ports/${port}`), 204);

    slow.clock.advance(DELETION);
    expectError(await showService(slow, service), 400, 'EndPoint.2003');
    assert.deepEqual(await listedIds(slow, '/vpc-endpoint-services', 'endpoint_services'), []);
    assert.equal(await used(slow, 'endpoint_service'), servicesBefore - 1);
    expectError(await slow.api('DELETE', `/vpc-endpoint-services/${service}`), 400, 'EndPoint.2003');
    expectError(await slow.api('GET', `/vpc-endpoint-services/describe?id=${service}`), 400, 'EndPoint.2003');

    // The sweep takes the endpoint, then the service with its permissions.
    assert.equal(await rowsOf(slow, 'endpoint_services', service), 1);
    assert.equal(await rowsOf(slow, 'service_permissions', service), 1);
    await sweep(slow);
    for (const [table, id] of [
      ['endpoints', ep],
      ['endpoint_services', service],
      ['service_permissions', service],
    ] as const) {
      assert.equal(await rowsOf(slow, table, id), 0, table);
    }
    ok(await slow.api('DELETE', `/ports/${taker.id}`), 204);
  });
});

test('restarted without a deletion delay, a service whose endpoint is gone but not swept is deleted at once', async () => {
  const dir = fs.mkdtempSync(path.join(w.dir, 'restart-'));
  const first = await makeWorld({ deletionDelayMs: DELETION }, dir);
  const provider = await ownInterfaceService(first, '10.11.0.0/16');
  const { service } = provider;
  const ep = await interfaceEndpointOf(first, provider);
  ok(await first.api('DELETE', `/vpc-endpoints/${ep}`), 204);
  await first.close();
  const second = await makeWorld({}, dir);
  try {
    expectError(await second.api('DELETE', `/vpc-endpoint-services/${service}`), 400, 'EndPoint.3006');
    second.clock.advance(DELETION);
    assert.equal(await rowsOf(second, 'endpoints', ep), 1);
    // The gone row names the service: its deletion takes it first.
    ok(await second.api('DELETE', `/vpc-endpoint-services/${service}`), 204);
    assert.equal(await rowsOf(second, 'endpoints', ep), 0);
    assert.equal(await rowsOf(second, 'endpoint_services', service), 0);
  } finally {
    await second.close();
    await dropTestSchema(second.store);
  }
});

describe('failed, from a provisioning fault', () => {
  test('a fault on create-endpoint: the create answers creating, the endpoint ends failed with error, holding nothing', async () => {
    const vpc = await createVpc(w, '10.5.0.0/16');
    const table = await createTable(w, vpc.id);
    const gw = await gatewayService(w);
    const fault = await addFault(w, { operation: 'create-endpoint', endpoint_service_id: gw, times: 1 });
    assert.equal(fault.status, 201, fault.raw);
    assert.deepEqual(Object.keys(fault.body.fault).sort(), [
      'created_at',
      'endpoint_service_id',
      'id',
      'operation',
      'remaining',
    ]);
    assert.equal(fault.body.fault.endpoint_service_id, gw);

    const created = await w.api('POST', '/vpc-endpoints', {
      endpoint_service_id: gw,
      vpc_id: vpc.id,
      routetables: [table],
    });
    expectPublished(created, 'CreateEndpoint');
    assert.equal(created.body.status, 'creating');
    assert.deepEqual(created.body.routetables, []);
    const ep = created.body.id as string;
    assert.deepEqual(await listFaults(w), [], 'the fault is used up');

    const shown = ok(await show(w, ep));
    expectPublished(shown, 'ListEndpointInfoDetails');
    assert.equal(shown.body.status, 'failed');
    assert.deepEqual(shown.body.error, [
      { error_code: 'VPCEP.3001', error_message: 'Failed to create the VPC endpoint.' },
    ]);
    assert.deepEqual(shown.body.routetables, []);
    const listed = ok(await w.api('GET', `/vpc-endpoints?vpc_id=${vpc.id}`));
    expectPublished(listed, 'ListEndpoints');
    assert.deepEqual(listed.body.endpoints[0].error, shown.body.error);
    assert.deepEqual(await egwRoutes(w, table), []);
    await checkInvariants(w.store, { vpcIds: [vpc.id] });

    // Failed refuses every change; its table is free for the next endpoint of the service.
    expectError(
      await w.api('PUT', `/vpc-endpoints/${ep}/routetables`, { routetables: [table] }),
      400,
      'EndPoint.2047',
    );
    expectError(await w.api('DELETE', `/vpc-endpoints/${ep}/policy`), 400, 'EndPoint.2047');
    const next = await createEndpoint(w, gw, vpc.id, [table]);
    const nextShown = ok(await show(w, next)).body;
    assert.equal(nextShown.status, 'accepted');
    assert.equal(nextShown.error, undefined);
    assert.deepEqual(await egwRoutes(w, table), [{ type: 'egw', destination: GW_CIDR, nexthop: next }]);

    // A failed endpoint can be deleted.
    ok(await w.api('DELETE', `/vpc-endpoints/${ep}`), 204);
    expectEpError(await show(w, ep), 404, 'EndPoint.2006');
    await checkInvariants(w.store, { vpcIds: [vpc.id] });
  });

  test('a create-endpoint fault fires on its service only; "*" or no service fires on any', async () => {
    const provider = await ownInterfaceService(w, '10.6.0.0/16');
    const { subnet, service } = provider;
    const gwVpc = await createVpc(w, '10.7.0.0/16');
    const gw = await gatewayService(w);
    ok(await addFault(w, { operation: 'create-endpoint', endpoint_service_id: service }), 201);
    // Another service's endpoint is not touched by it.
    const other = await createEndpoint(w, gw, gwVpc.id);
    assert.equal(ok(await show(w, other)).body.status, 'accepted');
    // Its own: failed, without taking the address asked for.
    const ep = await interfaceEndpointOf(w, provider, '10.6.1.60');
    assert.equal(ok(await show(w, ep)).body.status, 'failed');
    const port = await createPort(w, subnet, '10.6.1.60');
    // The provider sees the failed connection with its error, and cannot decide on it.
    const connections = ok(await w.api('GET', `/vpc-endpoint-services/${service}/connections?status=failed`));
    expectPublished(connections, 'ListServiceConnections');
    assert.deepEqual(
      connections.body.connections.map((c: { id: string; error: unknown }) => [c.id, c.error]),
      [[ep, [{ error_code: 'VPCEP.3001', error_message: 'Failed to create the VPC endpoint.' }]]],
    );
    expectError(
      await w.api('POST', `/vpc-endpoint-services/${service}/connections/action`, {
        action: 'receive',
        endpoints: [ep],
      }),
      400,
      'EndPoint.2047',
    );
    // It counts for the service until deleted.
    expectError(await w.api('DELETE', `/vpc-endpoint-services/${service}`), 400, 'EndPoint.3006');
    // The fault stays (no `times`) until deleted; `*` fires on every service.
    const [kept] = (await listFaults(w)) as { id: string }[];
    ok(await w.call('DELETE', `/vpcep/v1/${w.projectId}/faults/${kept!.id}`), 204);
    ok(await addFault(w, { operation: 'create-endpoint', times: 1 }), 201);
    assert.equal(((await listFaults(w)) as { endpoint_service_id: string }[])[0]!.endpoint_service_id, '*');
    const anyVpc = await createVpc(w, '10.8.0.0/16');
    const wildcard = await createEndpoint(w, gw, anyVpc.id);
    assert.equal(ok(await show(w, wildcard)).body.status, 'failed');
    for (const id of [ep, other, wildcard]) ok(await w.api('DELETE', `/vpc-endpoints/${id}`), 204);
    ok(await w.api('DELETE', `/ports/${port.id}`), 204);
    ok(await w.api('DELETE', `/vpc-endpoint-services/${service}`), 204);
  });

  test('a fault on create-service: the service ends failed with its error, refusing changes and endpoints', async () => {
    const vpc = (await createVpc(w, '10.9.0.0/16')).id;
    const subnet = await createSubnet(w, vpc, '10.9.1.0/24');
    const port = (await createPort(w, subnet)).id;
    const fault = await addFault(w, { operation: 'create-service', times: 1 });
    assert.equal(fault.status, 201, fault.raw);
    assert.deepEqual(Object.keys(fault.body.fault).sort(), ['created_at', 'id', 'operation', 'remaining']);
    const created = await w.api('POST', '/vpc-endpoint-services', {
      vpc_id: vpc,
      port_id: port,
      server_type: 'VM',
      ports: [{ client_port: 80, server_port: 8080 }],
    });
    expectPublished(created, 'CreateEndpointService');
    assert.equal(created.body.status, 'creating');
    assert.equal(created.body.error, undefined);
    const service = created.body.id as string;

    const shown = ok(await showService(w, service));
    expectPublished(shown, 'ListServiceDetails');
    assert.equal(shown.body.status, 'failed');
    assert.deepEqual(shown.body.error, [
      { code: 'VPCEP.3002', message: 'Failed to create the VPC endpoint service.' },
    ]);
    const listed = ok(await w.api('GET', '/vpc-endpoint-services?status=failed'));
    expectPublished(listed, 'ListEndpointService');
    assert.deepEqual(
      listed.body.endpoint_services.map((s: { id: string; error: unknown }) => [s.id, s.error]),
      [[service, shown.body.error]],
    );
    expectError(
      await w.api('PUT', `/vpc-endpoint-services/${service}`, { description: 'x' }),
      400,
      'EndPoint.3045',
      /failed/,
    );
    expectError(
      await w.api('POST', '/vpc-endpoints', { endpoint_service_id: service, vpc_id: vpc, subnet_id: subnet }),
      400,
      'EndPoint.2004',
    );
    // It holds no backend: another service maps the same server port, and the fault is used up.
    const second = await createService(w, vpc, port);
    assert.equal(ok(await showService(w, second.id)).body.status, 'available');
    ok(await w.api('DELETE', `/vpc-endpoint-services/${service}`), 204);
    expectError(await showService(w, service), 400, 'EndPoint.2003');
    ok(await w.api('DELETE', `/vpc-endpoint-services/${second.id}`), 204);
  });

  test('with a provisioning delay: creating, without error, until the delay passes; then failed', async () => {
    const vpc = await createVpc(slow, '10.10.0.0/16');
    ok(await addFault(slow, { operation: 'create-endpoint', times: 1 }), 201);
    const ep = await createEndpoint(slow, await gatewayService(slow), vpc.id);
    const createdAt = slow.clock.now().getTime();
    slow.clock.advance(PROVISIONING - 1000);
    const early = ok(await show(slow, ep)).body;
    assert.equal(early.status, 'creating');
    assert.equal(early.error, undefined);
    slow.clock.advance(1000);
    const failed = ok(await show(slow, ep)).body;
    assert.equal(failed.status, 'failed');
    assert.equal(failed.error[0].error_code, 'VPCEP.3001');
    assert.equal(Date.parse(failed.updated_at), Math.floor((createdAt + PROVISIONING) / 1000) * 1000);
  });

  test('a fault names the target its operation has, and no other', async () => {
    const cases: Record<string, unknown>[] = [
      { operation: 'bind' },
      { operation: 'unbind', endpoint_service_id: '*' },
      { operation: 'create-endpoint', routetable_id: '*' },
      { operation: 'create-service', routetable_id: '*' },
      { operation: 'create-service', endpoint_service_id: '*' },
      { operation: 'delete-endpoint', routetable_id: '*' },
    ];
    for (const fault of cases) {
      expectEpError(await addFault(w, fault), 400, 'EndPoint.0002');
    }
    assert.deepEqual(await listFaults(w), []);
  });
});
