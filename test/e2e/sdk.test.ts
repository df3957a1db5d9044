// VpcepClient (src/sdk) over real HTTP against a listening server: AK/SK signing, password login
// with a cached token, token credentials, and VpcepError read from every error envelope.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { VpcepClient, type Credentials } from '../../src/sdk/client.ts';
import { VpcepError, VpcepNetworkError, VpcepNotFoundError } from '../../src/sdk/errors.ts';
import { OperatorClient } from '../../src/sdk/operator.ts';
import type * as T from '../../src/sdk/types.ts';
import type { AccessKeys } from '../../src/service/access-keys.ts';
import type { Accounts } from '../../src/service/accounts.ts';
import type { EndpointServices } from '../../src/service/endpoint-services.ts';
import type { RouteFaults } from '../../src/service/faults.ts';
import type { Identity } from '../../src/service/identity.ts';
import type { Connections as ServiceConnections } from '../../src/service/connections.ts';
import type { Endpoints } from '../../src/service/endpoints.ts';
import type { InterfaceServices } from '../../src/service/interface-services.ts';
import type { Network } from '../../src/service/network.ts';
import type { Ports } from '../../src/service/ports.ts';
import type { Quotas } from '../../src/service/quotas.ts';
import type { ServicePermissions } from '../../src/service/service-permissions.ts';
import type { Tags } from '../../src/service/tags.ts';
import type { RouteTables } from '../../src/service/route-tables.ts';
import { rejectsWith } from '../helpers/expect.ts';
import { freePort } from '../helpers/server.ts';
import { makeWorld, OPERATOR_KEY, PASSWORD, PROJECT_ID, tokenFor, type World } from '../helpers/world.ts';
import { GW_CIDR } from '../helpers/fixtures.ts';

// Compile-time: the wire types of src/sdk/types.ts (the Static<> of src/wire's schemas) have exactly
// the fields the services answer with, and every answer fits the type (`npm run typecheck` fails on
// drift).
type Out<F> = F extends (...args: never[]) => Promise<infer R> ? R : never;
type Same<A, B> = [keyof A] extends [keyof B]
  ? [keyof B] extends [keyof A]
    ? A extends B
      ? true
      : false
    : false
  : false;
type AllTrue<T extends boolean[]> = T[number] extends true ? true : false;
const typesMatchServices: AllTrue<
  [
    Same<Out<Network['createVpc']>, T.Vpc>,
    Same<Out<Network['createSubnet']>, T.Subnet>,
    Same<Out<RouteTables['get']>, T.Routetable>,
    Same<Out<RouteTables['list']>[number], T.RoutetableSummary>,
    Same<Out<EndpointServices['listPublic']>, T.PublicEndpointServiceList>,
    Same<Out<EndpointServices['listPublic']>['endpoint_services'][number], T.PublicEndpointService>,
    Same<Out<EndpointServices['describe']>, T.DescribedEndpointService>,
    Same<Out<AccessKeys['get']>, T.AccessKey>,
    Same<Out<AccessKeys['create']>, T.CreatedAccessKey>,
    Same<Out<RouteFaults['add']>, T.Fault>,
    Same<Out<Identity['projects']>[number], T.Project>,
    Same<Out<Accounts['create']>, T.CreatedAccount['account']>,
    Same<Out<Accounts['list']>[number], T.AccountList['accounts'][number]>,
    Same<Out<InterfaceServices['create']>, T.EndpointService>,
    Same<Out<InterfaceServices['list']>, T.EndpointServiceList>,
    Same<Out<ServicePermissions['list']>, T.PermissionList>,
    Same<Out<ServiceConnections['list']>, T.ConnectionList>,
    Same<Out<Endpoints['get']>, T.Endpoint>,
    Same<Out<Ports['create']>, T.Port>,
    Same<Out<Quotas['list']>, T.QuotaList>,
    Same<Out<Tags['instances']>, T.ResourceInstances>,
  ]
> = true;
void typesMatchServices;

const AK = 'E2EADMINAK0000000000';
const SK = 'e2eadminsk00000000000000000000000000000a';

let w: World;
let url: string;

before(async () => {
  w = await makeWorld({ adminAk: AK, adminSk: SK });
  await w.app.listen({ port: 0, host: '127.0.0.1' });
  url = `http://127.0.0.1:${(w.app.server.address() as AddressInfo).port}`;
});
after(() => w.close());

/** A client of the world's server on its clock (signatures and token expiry are checked against it). */
function clientWith(credentials: Credentials, extra: { fetch?: typeof fetch; endpoint?: string } = {}) {
  return new VpcepClient({
    endpoint: extra.endpoint ?? url,
    projectId: PROJECT_ID,
    credentials,
    clock: w.clock,
    ...(extra.fetch ? { fetch: extra.fetch } : {}),
  });
}

const rejects = (p: Promise<unknown>) => rejectsWith(p, VpcepError);

describe('with AK/SK', () => {
  test('the trailing slash of the endpoint is stripped', async () => {
    const c = clientWith({ ak: AK, sk: SK }, { endpoint: `${url}//` });
    assert.equal(c.endpoint, url);
    const v = await c.versions();
    assert.equal(v.versions[0]?.id, 'v1');
  });

  test('project discovery finds the project of the region', async () => {
    const c = clientWith({ ak: AK, sk: SK });
    const found = await c.iam.listProjects({ name: 'cn-north-4' });
    assert.deepEqual(
      found.projects.map((p) => p.id),
      [PROJECT_ID],
    );
    assert.equal((await c.iam.listAuthProjects()).projects[0]?.id, PROJECT_ID);
    assert.equal((await c.iam.listAuthDomains()).domains[0]?.name, 'vpcep');
  });

  test('VPC, subnet, route tables, endpoint, rebind, faults, and teardown', async () => {
    const c = clientWith({ ak: AK, sk: SK });
    const { vpc } = await c.vpcs.create({ vpc: { name: 'sdk', cidr: '10.8.0.0/16' } });
    assert.equal(vpc.cidr, '10.8.0.0/16');
    assert.equal((await c.vpcs.get(vpc.id)).vpc.name, 'sdk');
    assert.ok((await c.vpcs.list()).vpcs.some((v) => v.id === vpc.id));

    const { subnet } = await c.subnets.create({
      subnet: { name: 'sn', cidr: '10.8.1.0/24', gateway_ip: '10.8.1.1', vpc_id: vpc.id },
    });
    assert.equal((await c.subnets.get(subnet.id)).subnet.vpc_id, vpc.id);
    assert.deepEqual(
      (await c.subnets.list({ vpc_id: vpc.id })).subnets.map((s) => s.id),
      [subnet.id],
    );

    const rtA = (await c.routetables.create({ routetable: { vpc_id: vpc.id, name: 'rt-a' } })).routetable;
    const rtB = (await c.routetables.create({ routetable: { vpc_id: vpc.id, name: 'rt-b' } })).routetable;
    const tables = (await c.routetables.list({ vpc_id: vpc.id })).routetables;
    assert.equal(tables.length, 3);
    assert.equal(tables.filter((t) => t.default).length, 1);

    const updated = await c.routetables.update(rtA.id, {
      routetable: {
        description: 'via sdk',
        routes: { add: [{ type: 'peering', destination: '172.16.0.0/16', nexthop: 'peer-1' }] },
      },
    });
    assert.equal(updated.routetable.description, 'via sdk');
    assert.ok(updated.routetable.routes.some((r) => r.destination === '172.16.0.0/16'));
    const associated = await c.routetables.associate(rtB.id, {
      routetable: { subnets: { associate: [subnet.id] } },
    });
    assert.deepEqual(associated.routetable.subnets, [{ id: subnet.id }]);

    const services = await c.endpointServices.listPublic();
    const gateway = services.endpoint_services.find((s) => s.service_type === 'gateway');
    assert.ok(gateway);
    const described = await c.endpointServices.describe({ endpoint_service_name: gateway.service_name });
    assert.equal(described.id, gateway.id);

    const ep = await c.endpoints.create({
      endpoint_service_id: gateway.id,
      vpc_id: vpc.id,
      routetables: [rtA.id],
    });
    assert.deepEqual(ep.routetables, [rtA.id]);
    assert.equal((await c.endpoints.get(ep.id)).status, 'accepted');
    const listed = await c.endpoints.list({ vpc_id: vpc.id });
    assert.equal(listed.total_count, 1);
    assert.equal(listed.endpoints[0]?.id, ep.id);

    const moved = await c.endpoints.updateRoutetables(ep.id, { routetables: [rtB.id] });
    assert.deepEqual(moved, { routetables: [rtB.id] });
    const egw = (await c.routetables.get(rtB.id)).routetable.routes.filter((r) => r.type === 'egw');
    assert.deepEqual(
      egw.map((r) => [r.destination, r.nexthop]),
      [[GW_CIDR, ep.id]],
    );

    const { fault } = await c.faults.add({ fault: { operation: 'bind', routetable_id: rtA.id, times: 1 } });
    assert.deepEqual(
      (await c.faults.list()).faults.map((f) => f.id),
      [fault.id],
    );
    const partial = await c.endpoints.updateRoutetables(ep.id, { routetables: [rtA.id, rtB.id] });
    assert.deepEqual(partial.routetables, [rtB.id]);
    assert.equal(partial.error?.[0]?.bind_failed[0]?.id, rtA.id);
    assert.match(partial.error?.[0]?.bind_failed[0]?.error_message ?? '', /^EndPoint\.4028: /);
    assert.deepEqual((await c.faults.list()).faults, [], 'a fault with times: 1 is used up');
    const lasting = (await c.faults.add({ fault: { operation: 'unbind', routetable_id: '*' } })).fault;
    assert.equal(lasting.remaining, null);
    await c.faults.remove(lasting.id);
    assert.deepEqual((await c.faults.list()).faults, []);

    assert.equal(await c.endpoints.delete(ep.id), undefined);
    await c.routetables.associate(rtB.id, { routetable: { subnets: { disassociate: [subnet.id] } } });
    await c.subnets.delete(vpc.id, subnet.id);
    await c.routetables.delete(rtA.id);
    await c.routetables.delete(rtB.id);
    await c.vpcs.delete(vpc.id);
    assert.equal((await rejects(c.vpcs.get(vpc.id))).code, 'VPC.0103');
  });

  test('access keys: create returns the SK once; a disabled key fails; a deleted key is gone', async () => {
    const admin = clientWith({ ak: AK, sk: SK });
    const userId = await admin.iam.currentUserId();
    const { credential } = await admin.accessKeys.create({
      credential: { user_id: userId, description: 'sdk test' },
    });
    assert.match(credential.access, /^[0-9A-Z]{20}$/);
    assert.equal(credential.secret.length, 40);
    assert.equal(credential.status, 'active');

    const listed = await admin.accessKeys.list();
    assert.ok(listed.credentials.some((k) => k.access === credential.access));
    assert.ok(!JSON.stringify(listed).includes(credential.secret), 'list never shows an SK');
    assert.equal((await admin.accessKeys.get(credential.access)).credential.description, 'sdk test');

    const second = clientWith({ ak: credential.access, sk: credential.secret });
    assert.equal(await second.iam.currentUserId(), userId);
    await second.vpcs.list();

    const off = await admin.accessKeys.update(credential.access, { credential: { status: 'inactive' } });
    assert.equal(off.credential.status, 'inactive');
    const refused = await rejects(second.vpcs.list());
    assert.equal(refused.status, 401);
    assert.equal(refused.code, 'APIGW.0301');

    await admin.accessKeys.update(credential.access, { credential: { status: 'active' } });
    await second.vpcs.list();

    await admin.accessKeys.delete(credential.access);
    const gone = await rejects(admin.accessKeys.get(credential.access));
    assert.equal(gone.status, 404);
    assert.equal(gone.code, '404', "IAM's Keystone envelope has a numeric code");
    assert.equal((await rejects(second.vpcs.list())).code, 'APIGW.0301');
  });

  test('a wrong SK fails with APIGW.0301, and the SK appears nowhere in the error', async () => {
    const wrongSk = 'wrong-secret-key-that-must-not-leak-000000';
    const err = await rejects(clientWith({ ak: AK, sk: wrongSk }).vpcs.list());
    assert.equal(err.status, 401);
    assert.equal(err.code, 'APIGW.0301');
    assert.match(err.requestId, /\S/);
    for (const text of [err.message, String(err.stack), JSON.stringify(err), JSON.stringify(err.body)]) {
      assert.ok(!text.includes(wrongSk) && !text.includes(SK), text);
    }
  });

  test('the signing clock matters: 16 minutes off is refused', async () => {
    const skewed = new VpcepClient({
      endpoint: url,
      projectId: PROJECT_ID,
      credentials: { ak: AK, sk: SK },
      clock: { now: () => new Date(w.clock.now().getTime() + 16 * 60_000) },
    });
    assert.equal((await rejects(skewed.vpcs.list())).code, 'APIGW.0301');
  });
});

describe('VpcepError', () => {
  test('a 404 of the endpoint API carries status, code, message and the X-Request-Id', async () => {
    let requestId = '';
    const c = clientWith(
      { ak: AK, sk: SK },
      {
        fetch: async (input, init) => {
          const res = await fetch(input, init);
          requestId = res.headers.get('x-request-id') ?? '';
          return res;
        },
      },
    );
    const err = await rejects(c.endpoints.get('4189d3c2-8882-4871-a3c2-d380272eed83'));
    assert.equal(err.status, 404);
    assert.equal(err.code, 'EndPoint.2006');
    assert.equal(err.message, 'The requested endpoint does not exist.');
    assert.ok(requestId !== '');
    assert.equal(err.requestId, requestId);
    assert.ok(err instanceof VpcepNotFoundError, 'a 404 is of the not-found subclass');
    assert.equal(err.name, 'VpcepNotFoundError');
  });

  test('the VPC envelope and the gateway envelope give their codes too', async () => {
    const c = clientWith({ ak: AK, sk: SK });
    const table = await rejects(c.routetables.get('4189d3c2-8882-4871-a3c2-d380272eed83'));
    assert.equal(table.status, 404);
    assert.equal(table.code, 'VPC.2808');
    const bad = await rejects(c.endpoints.updateRoutetables('x', { routetables: [] }));
    assert.equal(bad.status, 400);
    assert.match(bad.code, /^EndPoint\./);
  });

  test('an unreachable server is a VpcepNetworkError naming the endpoint', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const c = clientWith({ ak: AK, sk: SK }, { endpoint: closed });
    await assert.rejects(c.vpcs.list(), (e: unknown) => {
      assert.ok(e instanceof VpcepNetworkError);
      assert.match(e.message, new RegExp(`^cannot reach ${closed}: connection refused`));
      return true;
    });
  });
});

describe('with a password', () => {
  test('logs in once, reuses the token, and logs in again when it is about to expire', async () => {
    const logins: string[] = [];
    const c = clientWith(
      { user: 'admin', password: PASSWORD, domain: 'vpcep' },
      {
        fetch: (input, init) => {
          const u = new URL(String(input));
          if (u.pathname === '/v3/auth/tokens') logins.push(init?.method ?? 'GET');
          return fetch(input, init);
        },
      },
    );
    const token = await c.iam.login();
    assert.equal(token.token.project.id, PROJECT_ID);
    await c.vpcs.list();
    const { routetables } = await c.routetables.list();
    assert.ok(Array.isArray(routetables));
    assert.equal(logins.length, 1, 'one login for three calls');
    assert.equal(await c.iam.currentUserId(), token.token.user.id);

    w.clock.advance(24 * 3600 * 1000 - 60_000);
    await c.vpcs.list();
    assert.equal(logins.length, 2, 'a token within 5 minutes of expiry is renewed first');
  });

  test('a wrong password is a 401 from IAM', async () => {
    const c = clientWith({ user: 'admin', password: 'not-the-password', domain: 'vpcep' });
    const err = await rejects(c.vpcs.list());
    assert.equal(err.status, 401);
    assert.equal(err.code, '401');
    assert.ok(!err.message.includes('not-the-password'));
  });

  test('token credentials are sent as X-Auth-Token', async () => {
    const c = clientWith({ token: await tokenFor(w.app) });
    assert.equal((await c.iam.listAuthProjects()).projects[0]?.id, PROJECT_ID);
    assert.ok(Array.isArray((await c.endpoints.list()).endpoints));
    const refused = await rejects(clientWith({ token: 'nope' }).vpcs.list());
    assert.equal(refused.code, 'APIGW.0301');
  });
});

describe('OperatorClient (the operator API)', () => {
  test('creates, lists and deletes an account with the operator key', async () => {
    const op = new OperatorClient({ endpoint: `${url}/`, operatorKey: OPERATOR_KEY });
    const { account } = await op.accounts.create('sdk-made');
    assert.equal(account.domain_name, 'sdk-made');
    // The admin it made signs calls in its project.
    const tenant = new VpcepClient({
      endpoint: url,
      projectId: account.project_id,
      credentials: { ak: account.admin.access_key, sk: account.admin.secret_key },
      clock: w.clock,
    });
    assert.deepEqual((await tenant.routetables.list()).routetables, []);
    const listed = (await op.accounts.list()).accounts.find((a) => a.domain_id === account.domain_id);
    assert.deepEqual(listed?.projects, [{ id: account.project_id, name: account.project_name }]);
    assert.equal(await op.accounts.delete(account.domain_id), undefined);
    assert.ok(!(await op.accounts.list()).accounts.some((a) => a.domain_id === account.domain_id));
  });

  test('a wrong key is a VpcepError 401 that does not carry the key', async () => {
    const wrong = 'a-wrong-operator-key-0000';
    const e = await new OperatorClient({ endpoint: url, operatorKey: wrong }).accounts.list().then(
      () => assert.fail('listed with a wrong key'),
      (err: unknown) => err,
    );
    assert.ok(e instanceof VpcepError);
    assert.equal(e.status, 401);
    assert.equal(e.code, 'VPCEP.0401');
    assert.match(e.requestId, /^[0-9a-f]{32}$/);
    assert.ok(!JSON.stringify({ ...e, message: e.message }).includes(wrong));
  });
});
