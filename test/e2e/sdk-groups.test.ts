// The SDK's groups beyond route tables and gateway endpoints, over real HTTP against a listening
// server, all through the SDK: the two-account story of interface services (ports, services,
// permissions, connections, whitelists, policies, tags, quotas), the paging helpers, the typed
// errors, and the IAM calls of an account's admin.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { ROLE_VPCEP_READONLY } from '../../src/domain/roles.ts';
import { VpcepClient, type Credentials } from '../../src/sdk/client.ts';
import { VpcepAuthError, VpcepConflictError, VpcepError, VpcepNotFoundError } from '../../src/sdk/errors.ts';
import { OperatorClient } from '../../src/sdk/operator.ts';
import type { CreatedAccount } from '../../src/sdk/types.ts';
import { rejectsWith, sorted } from '../helpers/expect.ts';
import { makeWorld, OPERATOR_KEY, PROJECT_ID, tokenFor, type World } from '../helpers/world.ts';

const AK = 'E2EGROUPSAK000000000';
const SK = 'e2egroupssk0000000000000000000000000000a';

let w: World;
let url: string;
/** The bootstrapped account's admin: the provider. */
let provider: VpcepClient;
/** A second account, made through the operator API: the consumer. */
let account: CreatedAccount['account'];
let consumer: VpcepClient;
/** The requests the consumer's client sent, as `METHOD /path?query`. */
const consumerRequests: string[] = [];

before(async () => {
  w = await makeWorld({ adminAk: AK, adminSk: SK });
  await w.app.listen({ port: 0, host: '127.0.0.1' });
  url = `http://127.0.0.1:${(w.app.server.address() as AddressInfo).port}`;
  provider = clientOf(PROJECT_ID, { ak: AK, sk: SK });
  account = (
    await new OperatorClient({ endpoint: url, operatorKey: OPERATOR_KEY }).accounts.create('sdk-consumer')
  ).account;
  consumer = clientOf(
    account.project_id,
    { ak: account.admin.access_key, sk: account.admin.secret_key },
    async (input, init) => {
      const u = new URL(String(input));
      consumerRequests.push(`${init?.method ?? 'GET'} ${u.pathname}${u.search}`);
      return fetch(input, init);
    },
  );
});
after(() => w.close());

function clientOf(projectId: string, credentials: Credentials, fetchFn?: typeof fetch) {
  return new VpcepClient({
    endpoint: url,
    projectId,
    credentials,
    clock: w.clock,
    ...(fetchFn ? { fetch: fetchFn } : {}),
  });
}

const collect = async <T>(items: AsyncIterable<T>): Promise<T[]> => {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
};

describe('two accounts: an interface service, its permissions and connections', () => {
  test('from a port to an accepted, whitelisted, tagged endpoint, and back', async () => {
    // The provider's network, port and service (with approval).
    const { vpc } = await provider.vpcs.create({ vpc: { name: 'prov', cidr: '10.20.0.0/16' } });
    const { subnet } = await provider.subnets.create({
      subnet: { name: 'prov-sn', cidr: '10.20.1.0/24', gateway_ip: '10.20.1.1', vpc_id: vpc.id },
    });
    const { port } = await provider.ports.create({ port: { network_id: subnet.id, name: 'backend' } });
    assert.equal(port.fixed_ips[0]?.subnet_id, subnet.id);
    const listedPorts = await provider.ports.list({ id: [port.id] });
    assert.deepEqual(
      listedPorts.ports.map((p) => [p.id, p.vpc_id]),
      [[port.id, vpc.id]],
    );

    const service = await provider.services.create({
      port_id: port.id,
      vpc_id: vpc.id,
      server_type: 'VM',
      ports: [{ client_port: 80, server_port: 8080 }],
      approval_enabled: true,
      service_name: 'shop',
      tags: [{ key: 'team', value: 'a' }],
    });
    assert.match(service.service_name, /^cn-north-4\.shop\./);
    assert.equal(service.approval_enabled, true);
    assert.equal((await provider.services.get(service.id)).id, service.id);
    assert.equal(provider.endpointServices, provider.services, 'the old name is the same group');
    const own = await provider.services.list({ endpoint_service_name: 'shop' });
    assert.deepEqual(
      own.endpoint_services.map((s) => s.id),
      [service.id],
    );
    const updated = await provider.services.update(service.id, { description: 'the shop' });
    assert.equal(updated.description, 'the shop');
    const renamed = await provider.services.rename(service.id, { endpoint_service_name: 'store' });
    assert.match(renamed.endpoint_service_name, /^cn-north-4\.store\./);

    // A port a service points at cannot go: a VpcepConflictError.
    const inUse = await rejectsWith(provider.ports.delete(port.id), VpcepConflictError);
    assert.equal(inUse.status, 409);
    assert.equal(inUse.code, 'VPCEP.2002');

    // The consumer cannot see it until whitelisted (400, as for a service nobody has).
    const unseen = await rejectsWith(consumer.services.describe({ id: service.id }), VpcepError);
    assert.equal(unseen.status, 400);
    assert.equal(unseen.code, 'EndPoint.2003');
    assert.ok(!(unseen instanceof VpcepNotFoundError), 'a 400 is not a VpcepNotFoundError');

    // Permissions: one by action, two by batch; paged; described; one removed by batch.
    const entry = `iam:domain::${account.domain_id}`;
    const others = ['a'.repeat(32), 'b'.repeat(32)].map((d) => `iam:domain::${d}`);
    const added = await provider.permissions.addOrRemove(service.id, { action: 'add', permissions: [entry] });
    assert.deepEqual(added, { permissions: [entry], permission_type: 'domainId' });
    const batch = await provider.permissions.batchAdd(service.id, {
      permissions: others.map((permission) => ({ permission, description: 'partner' })),
    });
    assert.deepEqual(sorted(batch.permissions.map((p) => p.permission)), others);
    const all = await collect(provider.permissions.listAll(service.id, { limit: 1 }));
    assert.deepEqual(sorted(all.map((p) => p.permission)), sorted([entry, ...others]));
    const first = batch.permissions[0]!;
    const described = await provider.permissions.updateDescription(service.id, first.id, {
      permission: { description: 'renamed partner' },
    });
    assert.equal(described.permissions[0]?.description, 'renamed partner');
    await provider.permissions.batchRemove(service.id, {
      permissions: batch.permissions.map((p) => ({ id: p.id })),
    });
    const left = await provider.permissions.list(service.id);
    assert.equal(left.total_count, 1);
    assert.equal(left.permissions[0]?.permission, entry);

    // The consumer sees it now and makes two endpoints of it.
    assert.equal((await consumer.services.describe({ id: service.id })).id, service.id);
    const { vpc: cvpc } = await consumer.vpcs.create({ vpc: { name: 'cons', cidr: '10.30.0.0/16' } });
    const { subnet: csub } = await consumer.subnets.create({
      subnet: { name: 'cons-sn', cidr: '10.30.1.0/24', gateway_ip: '10.30.1.1', vpc_id: cvpc.id },
    });
    const wanted = { endpoint_service_id: service.id, vpc_id: cvpc.id, subnet_id: csub.id };
    const ep = await consumer.endpoints.create(wanted);
    const ep2 = await consumer.endpoints.create({ ...wanted, description: 'second' });
    assert.equal((await consumer.endpoints.get(ep.id)).status, 'pendingAcceptance');

    // The provider's connections: paged, accepted, rejected, described.
    const connections = await collect(provider.connections.listAll(service.id, { limit: 1 }));
    assert.deepEqual(sorted(connections.map((c) => c.id)), sorted([ep.id, ep2.id]));
    assert.ok(
      connections.every((c) => c.domain_id === account.domain_id && c.status === 'pendingAcceptance'),
    );
    const accepted = await provider.connections.acceptOrReject(service.id, {
      action: 'receive',
      endpoints: [ep.id],
    });
    assert.equal(accepted.connections[0]?.status, 'accepted');
    await provider.connections.acceptOrReject(service.id, { action: 'reject', endpoints: [ep2.id] });
    const noted = await provider.connections.updateDescriptions(service.id, {
      connections: [{ id: ep.id, description: 'approved by ops' }],
    });
    assert.equal(noted.connections[0]?.description, 'approved by ops');
    const byStatus = await provider.connections.list(service.id, { status: 'rejected' });
    assert.deepEqual(
      byStatus.connections.map((c) => c.id),
      [ep2.id],
    );

    const seen = await consumer.endpoints.get(ep.id);
    assert.equal(seen.status, 'accepted');
    assert.match(seen.ip ?? '', /^10\.30\.1\.\d+$/);
    assert.equal((await consumer.endpoints.get(ep2.id)).status, 'rejected');

    // Whitelist and policy of the interface endpoint.
    const white = await consumer.endpoints.updateWhitelist(ep.id, {
      whitelist: ['192.168.0.0/24'],
      enable_whitelist: true,
    });
    assert.deepEqual([white.whitelist, white.enable_whitelist], [['192.168.0.0/24'], true]);
    const document = {
      Version: '5.0',
      Statement: [{ Effect: 'Allow', Action: ['*'], Resource: ['*'] }],
    };
    const withPolicy = await consumer.endpoints.updatePolicy(ep.id, { policy_document: document });
    assert.deepEqual(withPolicy.policy_document, document);
    const without = await consumer.endpoints.deletePolicy(ep.id);
    assert.equal(without.policy_document, undefined);

    // Tags: set on the endpoint, seen in the project's keys, found by filter, page by page.
    await consumer.tags.addOrRemove('endpoint', ep.id, {
      action: 'create',
      tags: [{ key: 'env', value: 'prod' }],
    });
    await consumer.tags.addOrRemove('endpoint', ep2.id, {
      action: 'create',
      tags: [{ key: 'env', value: 'test' }],
    });
    assert.deepEqual((await consumer.tags.listProjectTags('endpoint')).tags, [
      { key: 'env', values: ['prod', 'test'] },
    ]);
    const found = await consumer.tags.listInstances('endpoint', {
      action: 'filter',
      tags: [{ key: 'env', values: ['prod'] }],
    });
    assert.deepEqual(
      found.resources?.map((r) => r.resource_id),
      [ep.id],
    );
    const tagged = await collect(
      consumer.tags.listAllInstances('endpoint', { limit: '1', tags: [{ key: 'env', values: [] }] }),
    );
    assert.deepEqual(sorted(tagged.map((r) => r.resource_id)), sorted([ep.id, ep2.id]));
    await consumer.tags.addOrRemove('endpoint', ep2.id, { action: 'delete', tags: [{ key: 'env' }] });
    const counted = await consumer.tags.listInstances('endpoint', {
      action: 'count',
      tags: [{ key: 'env', values: [] }],
    });
    assert.equal(counted.total_count, 1);

    // Quotas count both endpoints.
    const quotas = await consumer.quotas.list({ type: 'endpoint' });
    assert.equal(quotas.quotas.resources[0]?.type, 'endpoint');
    assert.equal(quotas.quotas.resources[0]?.used, 2);

    // listAll pages: limit 1 over two endpoints is two requests, then it stops.
    consumerRequests.length = 0;
    const everyEndpoint = await collect(consumer.endpoints.listAll({ vpc_id: cvpc.id, limit: 1 }));
    assert.deepEqual(sorted(everyEndpoint.map((e) => e.id)), sorted([ep.id, ep2.id]));
    assert.deepEqual(
      consumerRequests.map((r) => r.replace(/^GET \/v1\/[0-9a-f]+\/vpc-endpoints\?/, '')),
      [`vpc_id=${cvpc.id}&limit=1&offset=0`, `vpc_id=${cvpc.id}&limit=1&offset=1`],
    );

    // Deletion of a service is refused while endpoints of it exist.
    const refused = await rejectsWith(provider.services.delete(service.id), VpcepError);
    assert.deepEqual([refused.status, refused.code], [400, 'EndPoint.3006']);
    await consumer.endpoints.delete(ep.id);
    await consumer.endpoints.delete(ep2.id);
    assert.equal(await provider.services.delete(service.id), undefined);
    const gone = await rejectsWith(provider.services.get(service.id), VpcepError);
    assert.equal(gone.code, 'EndPoint.2003');
    await provider.ports.delete(port.id);
    assert.deepEqual((await provider.ports.list({ id: [port.id] })).ports, []);

    // The service's audit trail, newest first: listAll pages on the markers to the same events.
    const trail = await provider.audit.list({ resource_id: service.id });
    assert.equal(trail.audit_events[0]?.operation, 'DeleteEndpointService');
    assert.ok(trail.audit_events.some((e) => e.operation === 'CreateEndpointService'));
    const paged = await collect(provider.audit.listAll({ resource_id: service.id, limit: 2 }));
    assert.deepEqual(
      paged.map((e) => e.id),
      trail.audit_events.map((e) => e.id),
    );
  });

  test('public services and route tables page through everything the single calls list', async () => {
    const publicOnes = await provider.services.listPublic();
    const everyPublic = await collect(provider.services.listAllPublic({ limit: 1 }));
    assert.ok(publicOnes.total_count >= 1);
    assert.deepEqual(
      everyPublic.map((s) => s.id),
      publicOnes.endpoint_services.map((s) => s.id),
    );

    const { vpc } = await provider.vpcs.create({ vpc: { name: 'paged', cidr: '10.40.0.0/16' } });
    for (const name of ['rt-1', 'rt-2'])
      await provider.routetables.create({ routetable: { vpc_id: vpc.id, name } });
    const listed = await provider.routetables.list({ vpc_id: vpc.id });
    assert.equal(listed.routetables.length, 3);
    const paged = await collect(provider.routetables.listAll({ vpc_id: vpc.id, limit: 2 }));
    assert.deepEqual(
      paged.map((t) => t.id),
      listed.routetables.map((t) => t.id),
    );
    // Breaking out of the loop asks for no more pages.
    let seen = 0;
    for await (const table of provider.routetables.listAll({ vpc_id: vpc.id, limit: 1 })) {
      assert.ok(table.id);
      if (++seen === 1) break;
    }
    assert.equal(seen, 1);
  });
});

describe('typed errors', () => {
  test('404 is a VpcepNotFoundError, 401 and 403 a VpcepAuthError, all of them VpcepErrors', async () => {
    const missing = await rejectsWith(
      provider.endpoints.get('4189d3c2-8882-4871-a3c2-d380272eed83'),
      VpcepNotFoundError,
    );
    assert.ok(missing instanceof VpcepError);
    assert.deepEqual(
      [missing.status, missing.code, missing.name],
      [404, 'EndPoint.2006', 'VpcepNotFoundError'],
    );
    assert.match(missing.requestId, /^[0-9a-f]{32}$/);

    const wrong = await rejectsWith(
      clientOf(PROJECT_ID, { ak: AK, sk: 'x'.repeat(40) }).vpcs.list(),
      VpcepAuthError,
    );
    assert.deepEqual([wrong.status, wrong.code], [401, 'APIGW.0301']);
  });
});

describe("IAM calls of an account's admin", () => {
  test('users, groups, role grants, projects, temporary keys and token validation', async () => {
    const admin = consumer;
    const { user } = await admin.users.create({ user: { name: 'reader', password: 'Reader-Pass-1' } });
    assert.equal((await admin.users.get(user.id)).user.name, 'reader');
    assert.deepEqual(
      (await admin.users.list({ name: 'reader' })).users.map((u) => u.id),
      [user.id],
    );

    const { group } = await admin.groups.create({ group: { name: 'readers' } });
    assert.ok((await admin.groups.list({ name: 'readers' })).groups.some((g) => g.id === group.id));
    await admin.groups.addUser(group.id, user.id);
    assert.deepEqual(
      (await admin.groups.listUsers(group.id)).users.map((u) => u.id),
      [user.id],
    );

    const roles = (await admin.roles.list()).roles;
    const readOnly = roles.find((r) => r.id === ROLE_VPCEP_READONLY);
    assert.ok(readOnly);
    const everyRole = await collect(admin.roles.listAll({ per_page: 2 }));
    assert.deepEqual(
      everyRole.map((r) => r.id),
      roles.map((r) => r.id),
    );
    await admin.groups.grantRole(account.project_id, group.id, readOnly.id);
    assert.deepEqual(
      (await admin.groups.listRoles(account.project_id, group.id)).roles.map((r) => r.id),
      [readOnly.id],
    );

    // The reader reads, is refused a write (403: a VpcepAuthError), and changes its password.
    const reader = clientOf(account.project_id, {
      user: 'reader',
      password: 'Reader-Pass-1',
      domain: account.domain_name,
    });
    assert.ok(Array.isArray((await reader.endpoints.list()).endpoints));
    const denied = await rejectsWith(reader.vpcs.create({ vpc: { name: 'no' } }), VpcepAuthError);
    assert.equal(denied.status, 403);
    await reader.users.changePassword(user.id, {
      user: { original_password: 'Reader-Pass-1', password: 'Reader-Pass-2' },
    });
    const renewed = clientOf(account.project_id, {
      user: 'reader',
      password: 'Reader-Pass-2',
      domain: account.domain_name,
    });
    assert.equal((await renewed.iam.login()).token.user.id, user.id);

    await admin.groups.revokeRole(account.project_id, group.id, readOnly.id);
    assert.deepEqual((await admin.groups.listRoles(account.project_id, group.id)).roles, []);
    await admin.groups.removeUser(group.id, user.id);
    assert.deepEqual((await admin.groups.listUsers(group.id)).users, []);
    await admin.groups.delete(group.id);
    await admin.users.delete(user.id);
    await rejectsWith(admin.users.get(user.id), VpcepNotFoundError);

    const { project } = await admin.projects.create({
      project: { name: `${account.project_name}_sub`, parent_id: account.project_id },
    });
    assert.equal((await admin.projects.get(project.id)).project.name, `${account.project_name}_sub`);
    assert.ok((await admin.projects.list()).projects.some((p) => p.id === project.id));

    // A temporary key signs calls with its security token.
    const { credential } = await admin.accessKeys.createTemporary();
    const temporary = clientOf(account.project_id, {
      ak: credential.access,
      sk: credential.secret,
      securityToken: credential.securitytoken,
    });
    assert.ok(Array.isArray((await temporary.vpcs.list()).vpcs));
    const noToken = clientOf(account.project_id, { ak: credential.access, sk: credential.secret });
    await rejectsWith(noToken.vpcs.list(), VpcepAuthError);

    // The bootstrapped admin validates a token of its own.
    const token = await tokenFor(w.app);
    const validated = await provider.iam.validateToken(token);
    assert.equal(validated.token.user.name, 'admin');
    assert.equal(validated.token.project.id, PROJECT_ID);

    assert.equal((await provider.version('v1')).version.id, 'v1');
  });
});
