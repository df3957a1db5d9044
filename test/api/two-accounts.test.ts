import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { expectEpError, ok } from '../helpers/expect.ts';
import { expectPublished } from '../helpers/published.ts';
import { createPort, createSubnet, createVpc } from '../helpers/fixtures.ts';
import { createAccount, tenantWorld, type TenantAccount } from '../helpers/tenants.ts';
import { makeWorld, type World } from '../helpers/world.ts';

/**
 * The two-account story of issue 11, over the API: a provider publishes an interface service, a
 * consumer connects to it once permitted, the provider accepts one endpoint and rejects another,
 * the consumer edits its whitelist and policy, and the service goes once nothing is connected.
 */

let w: World;
let provider: TenantAccount;
let consumer: TenantAccount;
let pw: World;
let cw: World;

before(async () => {
  w = await makeWorld();
  provider = await createAccount(w, 'provider');
  consumer = await createAccount(w, 'consumer');
  pw = tenantWorld(w, provider.projectId, () => provider.token);
  cw = tenantWorld(w, consumer.projectId, () => consumer.token);
});
after(() => w.close());

test('provider and consumer, end to end', async () => {
  // 1. The provider: a port, an interface service with approval on it.
  const pVpc = (await createVpc(pw)).id;
  const port = await createPort(pw, await createSubnet(pw, pVpc));
  const service = ok(
    await pw.api('POST', '/vpc-endpoint-services', {
      port_id: port.id,
      vpc_id: pVpc,
      server_type: 'VM',
      service_name: 'orders',
      ports: [{ client_port: 443, server_port: 8443 }],
    }),
  ).body;
  assert.equal(service.approval_enabled, true);

  // 2. The consumer, not yet permitted, neither sees it nor connects; once permitted, it does.
  const cVpc = (await createVpc(cw)).id;
  const cSubnet = await createSubnet(cw, cVpc);
  const connect = () =>
    cw.api('POST', '/vpc-endpoints', {
      endpoint_service_id: service.id,
      vpc_id: cVpc,
      subnet_id: cSubnet,
      enable_dns: true,
    });
  expectEpError(
    await cw.api('GET', `/vpc-endpoint-services/describe?endpoint_service_name=${service.service_name}`),
    400,
    'EndPoint.2003',
  );
  expectEpError(await connect(), 400, 'EndPoint.2012');
  ok(
    await pw.api('POST', `/vpc-endpoint-services/${service.id}/permissions/action`, {
      action: 'add',
      permissions: [`iam:domain::${consumer.domainId}`],
    }),
  );
  const described = ok(
    await cw.api('GET', `/vpc-endpoint-services/describe?endpoint_service_name=${service.service_name}`),
  );
  expectPublished(described, 'ListServiceDescribeDetails');
  assert.equal(described.body.id, service.id);
  const first = ok(await connect()).body;
  const second = ok(await connect()).body;
  const status = async (id: string) => ok(await cw.api('GET', `/vpc-endpoints/${id}`)).body;
  assert.equal((await status(first.id)).status, 'pendingAcceptance');

  // 3. The provider sees both connections, accepts the first; the consumer sees it accepted, with
  //    its address and DNS name.
  const listedRes = ok(await pw.api('GET', `/vpc-endpoint-services/${service.id}/connections?sort_dir=asc`));
  expectPublished(listedRes, 'ListServiceConnections');
  const listed = listedRes.body;
  assert.equal(listed.total_count, 2);
  assert.ok(listed.connections.every((c: { domain_id: string }) => c.domain_id === consumer.domainId));
  const decide = (action: string, id: string) =>
    pw.api('POST', `/vpc-endpoint-services/${service.id}/connections/action`, { action, endpoints: [id] });
  expectPublished(await decide('receive', first.id), 'AcceptOrRejectEndpoint');
  const accepted = await status(first.id);
  assert.equal(accepted.status, 'accepted');
  assert.match(accepted.ip, /^10\.0\.1\.\d+$/);
  assert.deepEqual(accepted.dns_names, [`${first.id}.vpcep.cn-north-4.myhuaweicloud.com`]);

  // 4. The second is rejected; the first's whitelist and policy change.
  ok(await decide('reject', second.id));
  assert.equal((await status(second.id)).status, 'rejected');
  const whiteRes = await cw.api('PUT', `/vpc-endpoints/${first.id}`, {
    whitelist: ['10.0.0.0/16'],
    enable_whitelist: true,
  });
  expectPublished(whiteRes, 'UpdateEndpointWhite');
  const white = whiteRes.body;
  assert.deepEqual([white.whitelist, white.enable_whitelist], [['10.0.0.0/16'], true]);
  const policy = { Version: '5.0', Statement: [{ Effect: 'Allow', Action: ['*'], Resource: ['*'] }] };
  assert.deepEqual(
    ok(await cw.api('PUT', `/vpc-endpoints/${first.id}/policy`, { policy_document: policy })).body
      .policy_document,
    policy,
  );
  assert.equal(
    'policy_document' in ok(await cw.api('DELETE', `/vpc-endpoints/${first.id}/policy`)).body,
    false,
  );

  // 5. The service cannot go while endpoints are connected; once they are deleted, it goes, and
  //    then its port.
  expectEpError(await pw.api('DELETE', `/vpc-endpoint-services/${service.id}`), 400, 'EndPoint.3006');
  for (const id of [first.id, second.id]) ok(await cw.api('DELETE', `/vpc-endpoints/${id}`), 204);
  ok(await pw.api('DELETE', `/vpc-endpoint-services/${service.id}`), 204);
  ok(await pw.api('DELETE', `/ports/${port.id}`), 204);
  expectEpError(await connect(), 400, 'EndPoint.2012');
});
