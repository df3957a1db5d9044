import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { expectEpError, ok } from '../helpers/expect.ts';
import {
  createPort,
  createService,
  createSubnet,
  createVpc,
  gatewayService,
  otherProject,
} from '../helpers/fixtures.ts';
import { expectPublished } from '../helpers/published.ts';
import { createAccount, operator, send, tenantWorld, type TenantAccount } from '../helpers/tenants.ts';
import { makeWorld, type Reply, type World } from '../helpers/world.ts';

/**
 * Quotas (spec/quotas.md): ListQuotaDetails, the quota refusing creates past it (Endpoint.1018),
 * and an account's own quotas through the operator API.
 */

const quotasOf = (res: Reply) =>
  Object.fromEntries(
    (res.body.quotas.resources as { type: string; used: number; quota: number }[]).map((q) => [
      q.type,
      { used: q.used, quota: q.quota },
    ]),
  );

let vpcSeq = 0;
/** A gateway endpoint in a VPC of its own; the raw answer. */
async function gatewayEndpoint(w: World, serviceId: string): Promise<Reply> {
  const vpc = (await createVpc(w, '10.0.0.0/16', `q-vpc-${++vpcSeq}`)).id;
  return w.api('POST', '/vpc-endpoints', { endpoint_service_id: serviceId, vpc_id: vpc });
}

describe('ListQuotaDetails', () => {
  let w: World;
  before(async () => {
    w = await makeWorld();
  });
  after(() => w.close());

  test('200: both types with the published defaults, used counting the project’s own', async () => {
    const empty = ok(await w.api('GET', '/quotas'));
    expectPublished(empty, 'ListQuotaDetails');
    assert.deepEqual(empty.body, {
      quotas: {
        resources: [
          { type: 'endpoint', used: 0, quota: 150 },
          { type: 'endpoint_service', used: 0, quota: 100 },
        ],
      },
    });

    const gw = await gatewayService(w);
    ok(await gatewayEndpoint(w, gw));
    const vpc = (await createVpc(w, '10.0.0.0/16', 'svc-vpc')).id;
    const subnet = await createSubnet(w, vpc);
    await createService(w, vpc, (await createPort(w, subnet)).id);
    const res = ok(await w.api('GET', '/quotas'));
    expectPublished(res, 'ListQuotaDetails');
    assert.deepEqual(quotasOf(res), {
      endpoint: { used: 1, quota: 150 },
      endpoint_service: { used: 1, quota: 100 },
    });
  });

  test('type=endpoint and type=endpoint_service: that one only', async () => {
    for (const type of ['endpoint', 'endpoint_service']) {
      const res = ok(await w.api('GET', `/quotas?type=${type}`));
      expectPublished(res, 'ListQuotaDetails');
      assert.deepEqual(
        res.body.quotas.resources.map((q: { type: string }) => q.type),
        [type],
      );
    }
  });

  test('a type not published → 400 EndPoint.0002', async () => {
    for (const q of ['type=vpc', 'type=', 'type=ENDPOINT', 'type=endpoint&type=endpoint_service']) {
      expectEpError(await w.api('GET', `/quotas?${q}`), 400, 'EndPoint.0002');
    }
  });

  test('another project of the account counts its own resources only', async () => {
    const other = await otherProject(w);
    const res = ok(await w.call('GET', `/v1/${other.id}/quotas`, undefined, { 'x-auth-token': other.token }));
    expectPublished(res, 'ListQuotaDetails');
    assert.deepEqual(quotasOf(res), {
      endpoint: { used: 0, quota: 150 },
      endpoint_service: { used: 0, quota: 100 },
    });
  });
});

describe('enforcement', () => {
  let w: World;
  let gw: string;
  before(async () => {
    w = await makeWorld({ quotaEndpoints: 2, quotaEndpointServices: 1 });
    gw = await gatewayService(w);
  });
  after(() => w.close());

  test('CreateEndpoint past the quota → 400 Endpoint.1018; a deletion frees a slot', async () => {
    const first = ok(await gatewayEndpoint(w, gw)).body.id as string;
    ok(await gatewayEndpoint(w, gw));
    expectEpError(await gatewayEndpoint(w, gw), 400, 'Endpoint.1018');
    assert.deepEqual(quotasOf(ok(await w.api('GET', '/quotas'))).endpoint, { used: 2, quota: 2 });
    ok(await w.api('DELETE', `/vpc-endpoints/${first}`), 204);
    ok(await gatewayEndpoint(w, gw));
    expectEpError(await gatewayEndpoint(w, gw), 400, 'Endpoint.1018');
    // Nothing of the refused creates stayed.
    assert.equal(ok(await w.api('GET', '/vpc-endpoints')).body.total_count, 2);
  });

  test('CreateEndpointService past the quota → 400 Endpoint.1018; a deletion frees a slot', async () => {
    const vpc = (await createVpc(w, '10.0.0.0/16', 'svc')).id;
    const subnet = await createSubnet(w, vpc);
    const port = (await createPort(w, subnet)).id;
    const made = await createService(w, vpc, port);
    const body = {
      vpc_id: vpc,
      port_id: port,
      server_type: 'VM',
      ports: [{ client_port: 81, server_port: 8081 }],
    };
    expectEpError(await w.api('POST', '/vpc-endpoint-services', body), 400, 'Endpoint.1018');
    assert.deepEqual(quotasOf(ok(await w.api('GET', '/quotas'))).endpoint_service, { used: 1, quota: 1 });
    ok(await w.api('DELETE', `/vpc-endpoint-services/${made.id}`), 204);
    ok(await w.api('POST', '/vpc-endpoint-services', body));
  });

  test('the quota is per project: another project of the account has slots of its own', async () => {
    const other = await otherProject(w);
    const call = (method: string, url: string, b?: unknown) =>
      w.call(method, `/v1/${other.id}${url}`, b, { 'x-auth-token': other.token });
    const vpc = ok(await call('POST', '/vpcs', { vpc: { name: 'o', cidr: '10.0.0.0/16' } })).body.vpc.id;
    ok(await call('POST', '/vpc-endpoints', { endpoint_service_id: gw, vpc_id: vpc }));
    assert.deepEqual(quotasOf(ok(await call('GET', '/quotas'))).endpoint, { used: 1, quota: 2 });
  });
});

describe('an account’s own quotas (operator API)', () => {
  let w: World;
  let b: TenantAccount;
  let bw: World;
  let ownDomain: string;
  before(async () => {
    w = await makeWorld();
    ownDomain = (await w.call('GET', '/v3/auth/domains')).body.domains[0].id;
    b = await createAccount(w, 'quota-b');
    bw = tenantWorld(w, b.projectId, () => b.token);
  });
  after(() => w.close());

  const put = (domainId: string, body: unknown, headers: Record<string, string> = operator()) =>
    send(w.app, 'PUT', `/vpcep/v1/accounts/${domainId}/quotas`, headers, body);

  test('CreateAccount and ListAccounts show the quotas, the defaults until set', async () => {
    const made = await send(w.app, 'POST', '/vpcep/v1/accounts', operator(), {
      account: { name: 'quota-c' },
    });
    assert.equal(made.status, 201, made.raw);
    assert.deepEqual(made.body.account.quotas, { endpoint: 150, endpoint_service: 100 });
    const list = await send(w.app, 'GET', '/vpcep/v1/accounts', operator());
    assert.equal(list.status, 200, list.raw);
    const c = list.body.accounts.find((a: { domain_name: string }) => a.domain_name === 'quota-c');
    assert.deepEqual(c.quotas, { endpoint: 150, endpoint_service: 100 });
  });

  test('200 with the quotas; they apply to the account’s projects, and only to them', async () => {
    const res = await put(b.domainId, { quotas: { endpoint: 1, endpoint_service: 0 } });
    assert.equal(res.status, 200, res.raw);
    assert.deepEqual(res.body, { quotas: { endpoint: 1, endpoint_service: 0 } });

    assert.deepEqual(quotasOf(ok(await bw.api('GET', '/quotas'))), {
      endpoint: { used: 0, quota: 1 },
      endpoint_service: { used: 0, quota: 0 },
    });
    // The other account keeps the defaults.
    assert.deepEqual(quotasOf(ok(await w.api('GET', '/quotas'))), {
      endpoint: { used: 0, quota: 150 },
      endpoint_service: { used: 0, quota: 100 },
    });
    const list = await send(w.app, 'GET', '/vpcep/v1/accounts', operator());
    const listed = list.body.accounts.find((a: { domain_id: string }) => a.domain_id === b.domainId);
    assert.deepEqual(listed.quotas, { endpoint: 1, endpoint_service: 0 });

    const gw = await gatewayService(bw);
    ok(await gatewayEndpoint(bw, gw));
    expectEpError(await gatewayEndpoint(bw, gw), 400, 'Endpoint.1018');
    const vpc = (await createVpc(bw, '10.0.0.0/16', 'b-svc')).id;
    const subnet = await createSubnet(bw, vpc);
    const port = (await createPort(bw, subnet)).id;
    expectEpError(
      await bw.api('POST', '/vpc-endpoint-services', {
        vpc_id: vpc,
        port_id: port,
        server_type: 'VM',
        ports: [{ client_port: 80, server_port: 8080 }],
      }),
      400,
      'Endpoint.1018',
    );
    // A's creates are not held to B's quota.
    ok(await gatewayEndpoint(w, await gatewayService(w)));
    ok(await gatewayEndpoint(w, await gatewayService(w)));
  });

  test('a field left out keeps its value; null goes back to the configured default', async () => {
    assert.deepEqual((await put(ownDomain, { quotas: { endpoint: 7, endpoint_service: 8 } })).body, {
      quotas: { endpoint: 7, endpoint_service: 8 },
    });
    assert.deepEqual((await put(ownDomain, { quotas: { endpoint_service: 9 } })).body, {
      quotas: { endpoint: 7, endpoint_service: 9 },
    });
    assert.deepEqual((await put(ownDomain, { quotas: { endpoint: null } })).body, {
      quotas: { endpoint: 150, endpoint_service: 9 },
    });
    const res = ok(await w.api('GET', '/quotas?type=endpoint_service'));
    assert.equal(res.body.quotas.resources[0].quota, 9);
    await put(ownDomain, { quotas: { endpoint_service: null } });
  });

  test('a bad body → 400 EndPoint.0002, nothing changed', async () => {
    const bad: unknown[] = [
      {},
      { quotas: {} },
      { quotas: { endpoint: -1 } },
      { quotas: { endpoint: 1.5 } },
      { quotas: { endpoint: '3' } },
      { quotas: { endpoint_service: 1_000_001 } },
      { quotas: [] },
      { quotas: { endpoint: true } },
    ];
    for (const body of bad) {
      const res = await put(b.domainId, body);
      expectEpError(res, 400, 'EndPoint.0002');
    }
    assert.deepEqual(quotasOf(ok(await bw.api('GET', '/quotas'))).endpoint?.quota, 1);
  });

  test('without the operator key → 401 VPCEP.0401; a tenant token is no key', async () => {
    const callers: Record<string, string>[] = [
      {},
      operator('wrong-key-0123456789'),
      { 'x-auth-token': w.token },
    ];
    for (const headers of callers) {
      expectEpError(await put(b.domainId, { quotas: { endpoint: 5 } }, headers), 401, 'VPCEP.0401');
    }
    assert.deepEqual(quotasOf(ok(await bw.api('GET', '/quotas'))).endpoint?.quota, 1);
  });

  test('an unknown account → 404 VPCEP.0404', async () => {
    expectEpError(await put('0'.repeat(32), { quotas: { endpoint: 5 } }), 404, 'VPCEP.0404');
  });
});
