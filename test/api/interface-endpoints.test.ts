import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { expectEpError, ok } from '../helpers/expect.ts';
import { expectPublished } from '../helpers/published.ts';
import {
  createPort,
  createService,
  createSubnet,
  createVpc,
  creatingInterfaceEndpoint,
  gatewayService,
  rebind,
} from '../helpers/fixtures.ts';
import { createAccount, tenantWorld, type TenantAccount } from '../helpers/tenants.ts';
import { makeWorld, type World } from '../helpers/world.ts';

/**
 * Interface endpoints, the consumer's side (CreateEndpoint of an interface service,
 * UpdateEndpointWhite, UpdateEndpointPolicy, DeleteEndpointPolicy; spec/interface-services.md,
 * "Interface endpoints"). The provider and the consumer are two accounts.
 */

let w: World;
let pw: World;
let cw: World;
let provider: TenantAccount;
let consumer: TenantAccount;
let provVpc: string;
let provSubnet: string;
let consVpc: string;
let consSubnet: string;
/** A service without approval and one with, both open to the consumer. */
let open: { id: string; service_name: string; port_id: string };
let guarded: { id: string; service_name: string };

before(async () => {
  w = await makeWorld();
  provider = await createAccount(w, 'prov');
  consumer = await createAccount(w, 'cons');
  pw = tenantWorld(w, provider.projectId, () => provider.token);
  cw = tenantWorld(w, consumer.projectId, () => consumer.token);
  provVpc = (await createVpc(pw)).id;
  provSubnet = await createSubnet(pw, provVpc);
  consVpc = (await createVpc(cw)).id;
  consSubnet = await createSubnet(cw, consVpc);
  const share = async (extra: Record<string, unknown>) => {
    const s = await createService(pw, provVpc, (await createPort(pw, provSubnet)).id, extra);
    ok(
      await pw.api('POST', `/vpc-endpoint-services/${s.id}/permissions/action`, {
        action: 'add',
        permissions: [`iam:domain::${consumer.domainId}`],
      }),
    );
    return s as typeof open;
  };
  open = await share({ approval_enabled: false, service_name: 'open' });
  guarded = await share({ service_name: 'guarded' });
});
after(() => w.close());

const NO_SUCH = '00000000-0000-4000-8000-000000000000';
const POLICY = {
  Version: '5.0',
  Statement: [{ Effect: 'Allow', Action: ['*'], Resource: ['*'], Principal: '*' }],
};

async function endpointOf(serviceId: string, extra: Record<string, unknown> = {}, subnet = consSubnet) {
  return ok(
    await cw.api('POST', '/vpc-endpoints', {
      endpoint_service_id: serviceId,
      vpc_id: consVpc,
      subnet_id: subnet,
      ...extra,
    }),
  ).body;
}
const show = async (id: string) => ok(await cw.api('GET', `/vpc-endpoints/${id}`)).body;

describe('CreateEndpoint of an interface service', () => {
  test('an address of the subnet, the DNS name, the whitelist and the policy document, as published', async () => {
    const created = ok(
      await cw.api('POST', '/vpc-endpoints', {
        endpoint_service_id: open.id,
        vpc_id: consVpc,
        subnet_id: consSubnet,
        enable_dns: true,
        whitelist: ['10.0.0.0/24', '192.168.1.1', '10.0.0.0/24'],
        enable_whitelist: true,
        policy_document: POLICY,
        description: 'to the shop',
      }),
    );
    expectPublished(created, 'CreateEndpoint');
    const made = created.body;
    assert.equal(made.status, 'creating');
    assert.equal(made.ip, undefined, 'no address shown before it is accepted');
    const shown = ok(await cw.api('GET', `/vpc-endpoints/${made.id}`));
    expectPublished(shown, 'ListEndpointInfoDetails');
    expectPublished(ok(await cw.api('GET', `/vpc-endpoints?id=${made.id}`)), 'ListEndpoints');
    const e = shown.body;
    assert.deepEqual(e, {
      id: made.id,
      service_type: 'interface',
      status: 'accepted',
      active_status: ['active'],
      enable_status: 'enable',
      specification_name: 'default',
      endpoint_service_id: open.id,
      endpoint_service_name: open.service_name,
      marker_id: made.marker_id,
      vpc_id: consVpc,
      subnet_id: consSubnet,
      ip: e.ip,
      enable_dns: true,
      dns_names: [`${made.id}.vpcep.cn-north-4.myhuaweicloud.com`],
      routetables: [],
      whitelist: ['10.0.0.0/24', '192.168.1.1'],
      enable_whitelist: true,
      description: 'to the shop',
      policy_statement: [],
      policy_document: POLICY,
      project_id: consumer.projectId,
      tags: [],
      created_at: made.created_at,
      updated_at: e.updated_at,
    });
    assert.match(e.ip, /^10\.0\.1\.\d+$/);
    // Nothing of the provider's network or account reaches the consumer.
    const raw = JSON.stringify(e);
    for (const id of [provVpc, provSubnet, open.port_id, provider.projectId, provider.domainId]) {
      assert.ok(!raw.includes(id), `${id} in ${raw}`);
    }
    const describedRes = ok(await cw.api('GET', `/vpc-endpoint-services/describe?id=${open.id}`));
    expectPublished(describedRes, 'ListServiceDescribeDetails');
    const described = describedRes.raw;
    for (const id of [provVpc, open.port_id, provider.projectId]) assert.ok(!described.includes(id));
  });

  test('the requested port_ip, refused when held, outside the subnet or not IPv4; freed by the delete', async () => {
    const subnet = await createSubnet(cw, consVpc, '10.0.5.0/24', 'fixed');
    const first = await endpointOf(open.id, { port_ip: '10.0.5.77' }, subnet);
    assert.equal((await show(first.id)).ip, '10.0.5.77');
    const port = await createPort(cw, subnet);
    const cases: [string, string, string][] = [
      ['held by an endpoint', '10.0.5.77', 'EndPoint.2042'],
      ['held by a port', port.fixed_ips[0]!.ip_address, 'EndPoint.2042'],
      ['outside the subnet', '10.0.6.5', 'EndPoint.2043'],
      ['the gateway', '10.0.5.1', 'EndPoint.2043'],
      ['broadcast', '10.0.5.255', 'EndPoint.2043'],
      ['not IPv4', '10.0.5', 'EndPoint.2041'],
      ['empty', '', 'EndPoint.2041'],
      ['over 128', '1'.repeat(129), 'EndPoint.2041'],
    ];
    for (const [why, ip, code] of cases) {
      const res = await cw.api('POST', '/vpc-endpoints', {
        endpoint_service_id: open.id,
        vpc_id: consVpc,
        subnet_id: subnet,
        port_ip: ip,
      });
      assert.equal(res.body?.error?.code, code, `${why}: ${res.raw}`);
      expectEpError(res, 400, code);
    }
    ok(await cw.api('DELETE', `/vpc-endpoints/${first.id}`), 204);
    const again = await createPort(cw, subnet, '10.0.5.77');
    assert.equal(again.fixed_ips[0]!.ip_address, '10.0.5.77');
  });

  test('a full subnet → 400 EndPoint.2022; subnet_id rules → 400 EndPoint.0023', async () => {
    const small = await createSubnet(cw, consVpc, '10.0.9.0/29', 'small');
    for (let i = 0; i < 3; i++) await endpointOf(open.id, {}, small);
    const full = await cw.api('POST', '/vpc-endpoints', {
      endpoint_service_id: open.id,
      vpc_id: consVpc,
      subnet_id: small,
    });
    expectEpError(full, 400, 'EndPoint.2022');
    const otherVpc = (await createVpc(cw, '10.1.0.0/16', 'other')).id;
    const foreignSubnet = await createSubnet(cw, otherVpc, '10.1.1.0/24');
    for (const subnet_id of [undefined, NO_SUCH, foreignSubnet, provSubnet]) {
      const res = await cw.api('POST', '/vpc-endpoints', {
        endpoint_service_id: open.id,
        vpc_id: consVpc,
        subnet_id,
      });
      expectEpError(res, 400, 'EndPoint.0023');
    }
  });

  test('the address shows once accepted; a rejected endpoint hides it', async () => {
    const made = await endpointOf(guarded.id);
    const pending = await show(made.id);
    assert.equal(pending.status, 'pendingAcceptance');
    assert.equal(pending.ip, undefined);
    const url = `/vpc-endpoint-services/${guarded.id}/connections/action`;
    ok(await pw.api('POST', url, { action: 'receive', endpoints: [made.id] }));
    assert.match((await show(made.id)).ip, /^10\.0\.1\.\d+$/);
    ok(await pw.api('POST', url, { action: 'reject', endpoints: [made.id] }));
    assert.equal((await show(made.id)).ip, undefined);
  });

  test('policies by kind: policy_statement on an interface endpoint, policy_document on a gateway one → 400 EndPoint.2048', async () => {
    const statement = [{ Effect: 'Allow', Action: ['*'], Resource: ['*'] }];
    const iface = await cw.api('POST', '/vpc-endpoints', {
      endpoint_service_id: open.id,
      vpc_id: consVpc,
      subnet_id: consSubnet,
      policy_statement: statement,
    });
    expectEpError(iface, 400, 'EndPoint.2048');
    const gw = await cw.api('POST', '/vpc-endpoints', {
      endpoint_service_id: await gatewayService(cw),
      vpc_id: consVpc,
      policy_document: POLICY,
    });
    expectEpError(gw, 400, 'EndPoint.2048');
    for (const [why, whitelist, code] of [
      ['not an address', ['x'], 'EndPoint.2044'],
      ['host bits set', ['10.0.0.1/24'], 'EndPoint.2044'],
      ['21 entries', Array.from({ length: 21 }, (_, i) => `10.0.0.${i}`), 'EndPoint.2045'],
    ] as const) {
      const res = await cw.api('POST', '/vpc-endpoints', {
        endpoint_service_id: open.id,
        vpc_id: consVpc,
        subnet_id: consSubnet,
        whitelist,
      });
      assert.equal(res.body?.error?.code, code, `${why}: ${res.raw}`);
    }
  });
});

describe('UpdateEndpointWhite', () => {
  test('200 with the endpoint; the list replaced, each entry once; enable_whitelist on its own', async () => {
    const made = await endpointOf(open.id);
    w.clock.advance(1_000);
    const res = ok(
      await cw.api('PUT', `/vpc-endpoints/${made.id}`, {
        whitelist: ['192.168.0.0/16', '10.1.2.3', '10.1.2.3'],
        enable_whitelist: true,
      }),
    );
    expectPublished(res, 'UpdateEndpointWhite');
    assert.deepEqual(res.body, await show(made.id));
    assert.deepEqual(res.body.whitelist, ['192.168.0.0/16', '10.1.2.3']);
    assert.equal(res.body.enable_whitelist, true);
    assert.notEqual(res.body.updated_at, res.body.created_at);
    const off = ok(await cw.api('PUT', `/vpc-endpoints/${made.id}`, { enable_whitelist: false })).body;
    assert.deepEqual([off.whitelist, off.enable_whitelist], [['192.168.0.0/16', '10.1.2.3'], false]);
    const cleared = ok(await cw.api('PUT', `/vpc-endpoints/${made.id}`, { whitelist: [] })).body;
    assert.deepEqual(cleared.whitelist, []);
  });

  test('each rule broken → its status and code', async () => {
    const made = await endpointOf(open.id);
    const gateway = ok(
      await cw.api('POST', '/vpc-endpoints', {
        endpoint_service_id: await gatewayService(cw),
        vpc_id: (await createVpc(cw, '10.2.0.0/16', 'gw')).id,
      }),
    ).body;
    const cases: [string, string, unknown, number, string][] = [
      ['no body', made.id, undefined, 400, 'EndPoint.0011'],
      ['an entry not an address', made.id, { whitelist: ['example.com'] }, 400, 'EndPoint.2044'],
      ['an entry of 33', made.id, { whitelist: ['1'.repeat(33)] }, 400, 'EndPoint.2044'],
      ['an entry not a string', made.id, { whitelist: [1] }, 400, 'EndPoint.2044'],
      ['not a list', made.id, { whitelist: '10.0.0.1' }, 400, 'EndPoint.2044'],
      ['a CIDR with host bits', made.id, { whitelist: ['10.0.0.1/8'] }, 400, 'EndPoint.2044'],
      [
        '21 entries',
        made.id,
        { whitelist: Array.from({ length: 21 }, (_, i) => `10.0.0.${i}`) },
        400,
        'EndPoint.2045',
      ],
      ['enable_whitelist "true"', made.id, { enable_whitelist: 'true' }, 400, 'EndPoint.0002'],
      ['a gateway endpoint', gateway.id, { whitelist: ['10.0.0.1'] }, 400, 'EndPoint.1004'],
      ['no such endpoint', NO_SUCH, { whitelist: [] }, 404, 'EndPoint.2006'],
    ];
    for (const [why, id, body, status, code] of cases) {
      const res = await cw.api('PUT', `/vpc-endpoints/${id}`, body);
      assert.equal(res.body?.error?.code, code, `${why}: ${res.raw}`);
      expectEpError(res, status, code);
    }
    assert.deepEqual((await show(made.id)).whitelist, []);
  });
});

describe('UpdateEndpointPolicy and DeleteEndpointPolicy', () => {
  test('an interface endpoint: policy_document set, answered, deleted', async () => {
    const made = await endpointOf(open.id);
    const set = ok(await cw.api('PUT', `/vpc-endpoints/${made.id}/policy`, { policy_document: POLICY }));
    expectPublished(set, 'UpdateEndpointPolicy');
    assert.deepEqual(set.body, await show(made.id));
    assert.deepEqual(set.body.policy_document, POLICY);
    const gone = ok(await cw.api('DELETE', `/vpc-endpoints/${made.id}/policy`));
    expectPublished(gone, 'DeleteEndpointPolicy');
    assert.deepEqual(gone.body, await show(made.id));
    assert.equal('policy_document' in gone.body, false);
  });

  test('a gateway endpoint: policy_statement set, answered, deleted', async () => {
    const ep = ok(
      await cw.api('POST', '/vpc-endpoints', {
        endpoint_service_id: await gatewayService(cw),
        vpc_id: (await createVpc(cw, '10.3.0.0/16', 'gw2')).id,
      }),
    ).body;
    const statement = [{ Effect: 'Allow', Action: ['obs:*:*'], Resource: ['obs:*:*:*:*/*'] }];
    const set = ok(await cw.api('PUT', `/vpc-endpoints/${ep.id}/policy`, { policy_statement: statement }));
    expectPublished(set, 'UpdateEndpointPolicy');
    assert.deepEqual(set.body.policy_statement, statement);
    assert.deepEqual(set.body, await show(ep.id));
    const gone = ok(await cw.api('DELETE', `/vpc-endpoints/${ep.id}/policy`));
    expectPublished(gone, 'DeleteEndpointPolicy');
    assert.deepEqual(gone.body.policy_statement, []);
    assert.equal('policy_document' in gone.body, false);
    const wrong = await cw.api('PUT', `/vpc-endpoints/${ep.id}/policy`, { policy_document: POLICY });
    expectEpError(wrong, 400, 'EndPoint.2048');
  });

  test('each rule broken → its status and code', async () => {
    const made = await endpointOf(open.id);
    const url = `/vpc-endpoints/${made.id}/policy`;
    const big = { Version: '5.0', Statement: [{ Sid: 'x'.repeat(20_480) }] };
    const cases: [string, string, unknown, number, string][] = [
      ['no body', url, undefined, 400, 'EndPoint.0011'],
      ['neither field', url, {}, 400, 'EndPoint.2048'],
      ['policy_statement on an interface endpoint', url, { policy_statement: [] }, 400, 'EndPoint.2048'],
      ['policy_document a list', url, { policy_document: [POLICY] }, 400, 'EndPoint.2048'],
      ['policy_document a string', url, { policy_document: 'allow' }, 400, 'EndPoint.2048'],
      ['policy_document over 20480', url, { policy_document: big }, 400, 'EndPoint.2048'],
      ['11 statements', url, { policy_statement: Array(11).fill(POLICY.Statement[0]) }, 400, 'EndPoint.2048'],
      [
        'no such endpoint',
        `/vpc-endpoints/${NO_SUCH}/policy`,
        { policy_document: POLICY },
        404,
        'EndPoint.2006',
      ],
    ];
    for (const [why, at, body, status, code] of cases) {
      const res = await cw.api('PUT', at, body);
      assert.equal(res.body?.error?.code, code, `${why}: ${res.raw}`);
      expectEpError(res, status, code);
    }
    expectEpError(await cw.api('DELETE', `/vpc-endpoints/${NO_SUCH}/policy`), 404, 'EndPoint.2006');
    assert.equal('policy_document' in (await show(made.id)), false);
  });
});

test('while creating: whitelist and policy → 400 EndPoint.2019', async () => {
  const slow = await makeWorld({ provisioningDelayMs: 60_000 });
  try {
    const { endpoint } = await creatingInterfaceEndpoint(slow, 60_000);
    const url = `/vpc-endpoints/${endpoint}`;
    expectEpError(await slow.api('PUT', url, { enable_whitelist: true }), 400, 'EndPoint.2019');
    expectEpError(await slow.api('PUT', `${url}/policy`, { policy_document: POLICY }), 400, 'EndPoint.2019');
    expectEpError(await slow.api('DELETE', `${url}/policy`), 400, 'EndPoint.2019');
  } finally {
    await slow.close();
  }
});

test('UpdateEndpointRoutetable on an interface endpoint → 400 EndPoint.1004 (routetables.md, step 7)', async () => {
  const made = await endpointOf(open.id);
  const table = ok(await cw.api('GET', `/routetables?vpc_id=${consVpc}`)).body.routetables[0].id;
  const res = await rebind(cw, made.id, [table]);
  expectEpError(res, 400, 'EndPoint.1004');
  assert.match(res.body.error.message, /gateway services/);
  const pending = await endpointOf(guarded.id);
  const refused = await rebind(cw, pending.id, [table]);
  expectEpError(refused, 400, 'EndPoint.1004');
  assert.match(refused.body.error.message, /pendingAcceptance/);
});
