import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { expectEpError } from '../helpers/expect.ts';
import { parseJson } from '../helpers/json.ts';
import { expectPublished } from '../helpers/published.ts';
import { spawnServer, stopAll, type ServerProcess } from '../helpers/server.ts';
import { sign } from '../helpers/sign.ts';
import { until } from '../helpers/wait.ts';
import type { Reply } from '../helpers/world.ts';
import { core, vpc, iam, removeSdkHome } from '../helpers/official-sdk.ts';

/**
 * Issue 11's two-account story against a compiled `vpcep serve` in a child process, as two tenants'
 * own code would drive it: the operator API makes the accounts; the official VPC SDK from npm makes
 * each account's network (VPC, subnet, and the provider's backend port); the official IAM SDK makes a
 * read-only user in the consumer's account. There is no official VPC Endpoint SDK on npm, so those
 * calls go over HTTP, signed with the account's AK/SK by the official signer as the SDKs sign.
 * test/api/two-accounts.test.ts tells the same story in process.
 */

const REGION = 'cn-north-4';

let server: ServerProcess;
let dataDir: string;
let operatorKey: string;

before(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vpcep-two-sdk-'));
  server = await spawnServer({ dataDir });
  operatorKey = JSON.parse(fs.readFileSync(path.join(dataDir, 'credentials.json'), 'utf8')).operator_key;
});

after(async () => {
  await stopAll();
  fs.rmSync(dataDir, { recursive: true, force: true });
  removeSdkHome();
});

/** A response model as it is at run time: the parsed JSON, snake_case names (official-sdk.test.ts). */
const wire = (model: object) => model as Record<string, unknown>;

interface Account {
  domain_id: string;
  domain_name: string;
  project_id: string;
  project_name: string;
  admin: { access_key: string; secret_key: string };
}

interface Key {
  ak: string;
  sk: string;
  projectId: string;
}

const keyOf = (a: Account): Key => ({
  ak: a.admin.access_key,
  sk: a.admin.secret_key,
  projectId: a.project_id,
});

/**
 * A VPC Endpoint call `/v1/{project}{p}`, signed with `key` by the official signer and carrying
 * `X-Project-Id`, as the SDKs' BasicCredentials send it.
 */
async function vpcep(key: Key, method: string, p: string, body?: unknown): Promise<Reply> {
  const url = `/v1/${key.projectId}${p}`;
  const s = sign({
    ak: key.ak,
    sk: key.sk,
    method,
    url,
    host: new URL(server.url).host,
    date: new Date(),
    headers: { 'X-Project-Id': key.projectId },
    body,
  });
  const res = await fetch(`${server.url}${url}`, {
    method,
    headers: s.headers,
    ...(s.payload === undefined ? {} : { body: s.payload }),
    signal: AbortSignal.timeout(15_000),
  });
  const raw = await res.text();
  return { status: res.status, headers: Object.fromEntries(res.headers), body: parseJson(raw), raw };
}

/** `res`, after asserting it is `operationId`'s published success (status and response schema). */
function published(res: Reply, operationId: string): Reply {
  expectPublished(res, operationId);
  return res;
}

const vpcClient = (key: Key) =>
  vpc.VpcClient.newBuilder()
    .withCredential(new core.BasicCredentials().withAk(key.ak).withSk(key.sk).withProjectId(key.projectId))
    .withEndpoint(server.url)
    .build();

/** A VPC and a subnet of it (10.0.1.0/24), made with the official VPC SDK. */
async function network(key: Key, name: string) {
  const madeVpc = await vpcClient(key).createVpc(
    new vpc.CreateVpcRequest().withBody(
      new vpc.CreateVpcRequestBody().withVpc(
        new vpc.CreateVpcOption().withName(name).withCidr('10.0.0.0/16'),
      ),
    ),
  );
  assert.equal(madeVpc.httpStatusCode, 200);
  const vpcId = madeVpc.vpc!.id!;
  assert.equal(madeVpc.vpc!.cidr, '10.0.0.0/16');
  const madeSubnet = await vpcClient(key).createSubnet(
    new vpc.CreateSubnetRequest().withBody(
      new vpc.CreateSubnetRequestBody().withSubnet(
        new vpc.CreateSubnetOption()
          .withName(`${name}-sn`)
          .withCidr('10.0.1.0/24')
          .withGatewayIp('10.0.1.1')
          .withVpcId(vpcId),
      ),
    ),
  );
  assert.equal(madeSubnet.httpStatusCode, 200);
  assert.equal(wire(madeSubnet.subnet!).vpc_id, vpcId);
  assert.equal(madeSubnet.subnet!.cidr, '10.0.1.0/24');
  return { vpcId, subnetId: madeSubnet.subnet!.id! };
}

async function createAccount(name: string): Promise<Account> {
  const res = await fetch(`${server.url}/vpcep/v1/accounts`, {
    method: 'POST',
    headers: { authorization: `Bearer ${operatorKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ account: { name } }),
  });
  const raw = await res.text();
  assert.equal(res.status, 201, raw);
  const account = JSON.parse(raw).account as Account;
  assert.equal(account.domain_name, name);
  assert.equal(account.project_name, REGION);
  return account;
}

describe('issue 11: a provider and a consumer, set up with the official SDKs', () => {
  let provider: Account;
  let consumer: Account;
  let p: Key;
  let c: Key;
  let reader: Key;
  let providerNet: { vpcId: string; subnetId: string };
  let consumerNet: { vpcId: string; subnetId: string };
  let portId: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let service: any;
  let first: string;
  let second: string;

  /** The consumer's endpoint once it has settled out of `creating`. */
  const settled = (id: string) =>
    until(`endpoint ${id} settled`, async () => {
      const res = published(await vpcep(c, 'GET', `/vpc-endpoints/${id}`), 'ListEndpointInfoDetails');
      return res.body.status !== 'creating' && res;
    });

  const connect = () =>
    vpcep(c, 'POST', '/vpc-endpoints', {
      endpoint_service_id: service.id,
      vpc_id: consumerNet.vpcId,
      subnet_id: consumerNet.subnetId,
      enable_dns: true,
    });

  const decide = (action: 'receive' | 'reject', id: string) =>
    vpcep(p, 'POST', `/vpc-endpoint-services/${service.id}/connections/action`, {
      action,
      endpoints: [id],
    });

  test('the operator API makes the two accounts', async () => {
    provider = await createAccount('provider');
    consumer = await createAccount('consumer');
    assert.notEqual(provider.domain_id, consumer.domain_id);
    p = keyOf(provider);
    c = keyOf(consumer);
  });

  test("the VPC SDK makes each account's network, and the provider's backend port", async () => {
    providerNet = await network(p, 'provider-net');
    consumerNet = await network(c, 'consumer-net');
    // The same addresses in both accounts: their networks are their own.
    const port = await vpcClient(p).createPort(
      new vpc.CreatePortRequest().withBody(
        new vpc.CreatePortRequestBody().withPort(
          new vpc.CreatePortOption()
            .withName('orders-backend')
            .withNetworkId(providerNet.subnetId)
            .withFixedIps([new vpc.FixedIp().withIpAddress('10.0.1.10')]),
        ),
      ),
    );
    assert.equal(port.httpStatusCode, 201, 'the published status of CreatePort');
    assert.equal(port.port!.name, 'orders-backend');
    assert.equal(wire(port.port!).network_id, providerNet.subnetId);
    assert.deepEqual(
      (wire(port.port!).fixed_ips as { ip_address: string }[]).map((f) => f.ip_address),
      ['10.0.1.10'],
    );
    portId = port.port!.id!;
  });

  test('the IAM SDK makes a read-only user in the consumer account, with an access key', async () => {
    const adminIam = iam.IamClient.newBuilder()
      .withCredential(new core.GlobalCredentials().withAk(c.ak).withSk(c.sk).withDomainId(consumer.domain_id))
      .withEndpoint(server.url)
      .build();
    const user = await adminIam.keystoneCreateUser(
      new iam.KeystoneCreateUserRequest().withBody(
        new iam.KeystoneCreateUserRequestBody().withUser(
          new iam.KeystoneCreateUserOption()
            .withName('auditor')
            .withPassword('Auditor-pass-1')
            .withDomainId(consumer.domain_id),
        ),
      ),
    );
    assert.equal(user.httpStatusCode, 201);
    const userId = user.user!.id!;
    const group = await adminIam.keystoneCreateGroup(
      new iam.KeystoneCreateGroupRequest().withBody(
        new iam.KeystoneCreateGroupRequestBody().withGroup(
          new iam.KeystoneCreateGroupOption().withName('auditors').withDomainId(consumer.domain_id),
        ),
      ),
    );
    assert.equal(group.httpStatusCode, 201);
    const groupId = group.group!.id!;
    const added = await adminIam.keystoneAddUserToGroup(
      new iam.KeystoneAddUserToGroupRequest().withGroupId(groupId).withUserId(userId),
    );
    assert.equal(added.httpStatusCode, 204);
    const roles = await adminIam.keystoneListPermissions(
      new iam.KeystoneListPermissionsRequest().withDisplayName('VPCEP ReadOnlyAccess'),
    );
    assert.equal(roles.roles?.length, 1, JSON.stringify(roles.roles));
    // Project-scoped IAM calls take the project id from BasicCredentials (README).
    const projectIam = iam.IamClient.newBuilder()
      .withCredential(new core.BasicCredentials().withAk(c.ak).withSk(c.sk).withProjectId(c.projectId))
      .withEndpoint(server.url)
      .build();
    const granted = await projectIam.keystoneAssociateGroupWithProjectPermission(
      new iam.KeystoneAssociateGroupWithProjectPermissionRequest()
        .withGroupId(groupId)
        .withRoleId(roles.roles![0]!.id!),
    );
    assert.equal(granted.httpStatusCode, 204);
    const key = await adminIam.createPermanentAccessKey(
      new iam.CreatePermanentAccessKeyRequest().withBody(
        new iam.CreatePermanentAccessKeyRequestBody().withCredential(
          new iam.CreateCredentialOption().withUserId(userId).withDescription('read-only'),
        ),
      ),
    );
    assert.equal(key.httpStatusCode, 201);
    reader = { ak: key.credential!.access!, sk: key.credential!.secret!, projectId: c.projectId };
  });

  test('1. the provider publishes an interface service with approval on its port', async () => {
    const res = published(
      await vpcep(p, 'POST', '/vpc-endpoint-services', {
        port_id: portId,
        vpc_id: providerNet.vpcId,
        server_type: 'VM',
        service_name: 'orders',
        approval_enabled: true,
        ports: [{ client_port: 443, server_port: 8443, protocol: 'TCP' }],
      }),
      'CreateEndpointService',
    );
    service = res.body;
    assert.equal(service.service_name, `${REGION}.orders.${service.id}`);
    assert.equal(service.service_type, 'interface');
    assert.equal(service.approval_enabled, true);
    assert.equal(service.port_id, portId);
    assert.equal(service.vpc_id, providerNet.vpcId);
    assert.equal(service.server_type, 'VM');
    assert.deepEqual(
      service.ports.map((x: { client_port: number; server_port: number; protocol: string }) => [
        x.client_port,
        x.server_port,
        x.protocol,
      ]),
      [[443, 8443, 'TCP']],
    );
    const shown = await until('the service available', async () => {
      const r = published(
        await vpcep(p, 'GET', `/vpc-endpoint-services/${service.id}`),
        'ListServiceDetails',
      );
      return r.body.status === 'available' && r;
    });
    assert.equal(shown.body.id, service.id);
  });

  test('2. the consumer, not yet whitelisted, neither sees the service nor connects to it', async () => {
    expectEpError(
      await vpcep(c, 'GET', `/vpc-endpoint-services/describe?endpoint_service_name=${service.service_name}`),
      400,
      'EndPoint.2003',
    );
    expectEpError(await connect(), 400, 'EndPoint.2012');
  });

  test("the provider whitelists the consumer's domain", async () => {
    const res = published(
      await vpcep(p, 'POST', `/vpc-endpoint-services/${service.id}/permissions/action`, {
        action: 'add',
        permissions: [`iam:domain::${consumer.domain_id}`],
      }),
      'AddOrRemoveServicePermissions',
    );
    assert.deepEqual(res.body.permissions, [`iam:domain::${consumer.domain_id}`]);
    const listed = published(
      await vpcep(p, 'GET', `/vpc-endpoint-services/${service.id}/permissions`),
      'ListServicePermissionsDetails',
    );
    assert.equal(listed.body.total_count, 1);
    assert.equal(listed.body.permissions[0].permission, `iam:domain::${consumer.domain_id}`);
  });

  test("the consumer's read-only user reads, and is refused the endpoint create (403 EndPoint.0004)", async () => {
    published(await vpcep(reader, 'GET', '/vpc-endpoints'), 'ListEndpoints');
    expectEpError(
      await vpcep(reader, 'POST', '/vpc-endpoints', {
        endpoint_service_id: service.id,
        vpc_id: consumerNet.vpcId,
        subnet_id: consumerNet.subnetId,
      }),
      403,
      'EndPoint.0004',
    );
    const none = published(await vpcep(c, 'GET', '/vpc-endpoints'), 'ListEndpoints');
    assert.equal(none.body.total_count, 0);
  });

  test('2. once whitelisted, the consumer sees the service and connects: pendingAcceptance', async () => {
    const described = published(
      await vpcep(c, 'GET', `/vpc-endpoint-services/describe?endpoint_service_name=${service.service_name}`),
      'ListServiceDescribeDetails',
    );
    assert.equal(described.body.id, service.id);
    const made = published(await connect(), 'CreateEndpoint');
    assert.equal(made.body.endpoint_service_id, service.id);
    assert.equal(made.body.service_type, 'interface');
    assert.equal(made.body.subnet_id, consumerNet.subnetId);
    first = made.body.id;
    const shown = await settled(first);
    assert.equal(shown.body.status, 'pendingAcceptance');
    assert.equal('ip' in shown.body, false, 'no address shown before acceptance');
    second = published(await connect(), 'CreateEndpoint').body.id;
    assert.equal((await settled(second)).body.status, 'pendingAcceptance');
  });

  test('3. the provider lists the connections and accepts the first', async () => {
    const listed = published(
      await vpcep(p, 'GET', `/vpc-endpoint-services/${service.id}/connections?status=pendingAcceptance`),
      'ListServiceConnections',
    );
    assert.equal(listed.body.total_count, 2);
    assert.deepEqual(listed.body.connections.map((x: { id: string }) => x.id).sort(), [first, second].sort());
    for (const x of listed.body.connections) {
      assert.equal(x.domain_id, consumer.domain_id);
      assert.equal(x.status, 'pendingAcceptance');
    }
    const accepted = published(await decide('receive', first), 'AcceptOrRejectEndpoint');
    assert.deepEqual(
      accepted.body.connections.map((x: { id: string; status: string }) => [x.id, x.status]),
      [[first, 'accepted']],
    );
  });

  test('3. the consumer sees it accepted, with its address and DNS name', async () => {
    const shown = await settled(first);
    assert.equal(shown.body.status, 'accepted');
    assert.match(shown.body.ip, /^10\.0\.1\.\d+$/);
    assert.deepEqual(shown.body.dns_names, [`${first}.vpcep.${REGION}.myhuaweicloud.com`]);
  });

  test('4. the provider rejects the second endpoint', async () => {
    const rejected = published(await decide('reject', second), 'AcceptOrRejectEndpoint');
    assert.deepEqual(
      rejected.body.connections.map((x: { id: string; status: string }) => [x.id, x.status]),
      [[second, 'rejected']],
    );
    assert.equal((await settled(second)).body.status, 'rejected');
    const listed = published(
      await vpcep(p, 'GET', `/vpc-endpoint-services/${service.id}/connections?status=accepted`),
      'ListServiceConnections',
    );
    assert.deepEqual(
      listed.body.connections.map((x: { id: string }) => x.id),
      [first],
    );
  });

  test('4. the whitelist is edited', async () => {
    const white = published(
      await vpcep(c, 'PUT', `/vpc-endpoints/${first}`, {
        whitelist: ['10.0.0.0/16', '192.168.1.7'],
        enable_whitelist: true,
      }),
      'UpdateEndpointWhite',
    );
    assert.deepEqual(white.body.whitelist, ['10.0.0.0/16', '192.168.1.7']);
    assert.equal(white.body.enable_whitelist, true);
    const shown = await settled(first);
    assert.deepEqual(shown.body.whitelist, ['10.0.0.0/16', '192.168.1.7']);
  });

  test('4. a policy is set, then deleted', async () => {
    const policy = {
      Version: '5.0',
      Statement: [{ Effect: 'Allow', Action: ['*'], Resource: ['*'] }],
    };
    const set = published(
      await vpcep(c, 'PUT', `/vpc-endpoints/${first}/policy`, { policy_document: policy }),
      'UpdateEndpointPolicy',
    );
    assert.deepEqual(set.body.policy_document, policy);
    assert.deepEqual((await settled(first)).body.policy_document, policy);
    const deleted = published(
      await vpcep(c, 'DELETE', `/vpc-endpoints/${first}/policy`),
      'DeleteEndpointPolicy',
    );
    assert.equal('policy_document' in deleted.body, false, deleted.raw);
    assert.equal('policy_document' in (await settled(first)).body, false);
  });

  test('4. tags are added, and the endpoint is found by tag', async () => {
    const tagged = await vpcep(c, 'POST', `/endpoint/${first}/tags/action`, {
      action: 'create',
      tags: [
        { key: 'team', value: 'orders' },
        { key: 'env', value: 'prod' },
      ],
    });
    assert.equal(tagged.status, 204, tagged.raw);
    assert.deepEqual(
      [...(await settled(first)).body.tags].sort((x: { key: string }, y: { key: string }) =>
        x.key.localeCompare(y.key),
      ),
      [
        { key: 'env', value: 'prod' },
        { key: 'team', value: 'orders' },
      ],
    );
    const found = published(
      await vpcep(c, 'POST', '/endpoint/resource_instances/action', {
        action: 'filter',
        tags: [{ key: 'team', values: ['orders'] }],
      }),
      'ListResourceInstances',
    );
    assert.deepEqual(
      found.body.resources.map((r: { resource_id: string }) => r.resource_id),
      [first],
    );
    assert.equal(found.body.total_count, 1);
    const none = await vpcep(c, 'POST', '/endpoint/resource_instances/action', {
      action: 'count',
      tags: [{ key: 'team', values: ['billing'] }],
    });
    assert.equal(none.status, 200, none.raw);
    assert.equal(none.body.total_count, 0);
  });

  test('5. the service cannot be deleted while endpoints are connected', async () => {
    expectEpError(await vpcep(p, 'DELETE', `/vpc-endpoint-services/${service.id}`), 400, 'EndPoint.3006');
    published(await vpcep(p, 'GET', `/vpc-endpoint-services/${service.id}`), 'ListServiceDetails');
  });

  test('5. once the endpoints are deleted, the service goes, then its port (VPC SDK)', async () => {
    for (const id of [first, second]) {
      published(await vpcep(c, 'DELETE', `/vpc-endpoints/${id}`), 'DeleteEndpoint');
    }
    await until('the endpoints gone', async () => {
      const res = published(await vpcep(c, 'GET', '/vpc-endpoints'), 'ListEndpoints');
      return res.body.total_count === 0;
    });
    published(await vpcep(p, 'DELETE', `/vpc-endpoint-services/${service.id}`), 'DeleteEndpointService');
    const gone = await until('the service gone', async () => {
      const res = await vpcep(p, 'GET', `/vpc-endpoint-services/${service.id}`);
      return res.status !== 200 && res;
    });
    expectEpError(gone, 400, 'EndPoint.2003');
    const port = await vpcClient(p).deletePort(new vpc.DeletePortRequest().withPortId(portId));
    assert.equal(port.httpStatusCode, 204);
    // With the service gone, the consumer's create is refused as for any unknown service.
    expectEpError(await connect(), 400, 'EndPoint.2012');
  });
});
