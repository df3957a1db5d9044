import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { ROLE_VPCEP_READONLY } from '../../src/domain/roles.ts';
import {
  addFault,
  createEndpoint,
  createPort,
  createService,
  createTable,
  createVpc,
  gatewayService,
} from './fixtures.ts';
import { parseJson } from './json.ts';
import { OPERATOR_KEY, type Reply, type World } from './world.ts';

/**
 * Accounts, users, groups and grants made the way a tenant makes them: the operator API, then the
 * IAM calls of the account's admin, all over the app's HTTP interface.
 */

export interface TenantAccount {
  domainId: string;
  domainName: string;
  projectId: string;
  projectName: string;
  adminId: string;
  adminPassword: string;
  ak: string;
  sk: string;
  /** A token of the admin, scoped to the account's region project. */
  token: string;
}

/** One JSON call through `inject`, with exactly the headers given. */
export async function send(
  app: FastifyInstance,
  method: string,
  url: string,
  headers: Record<string, string | undefined> = {},
  body?: unknown,
): Promise<Reply> {
  const h: Record<string, string> = { 'content-type': 'application/json' };
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) h[k] = v;
  const res = await app.inject({
    method: method as 'GET',
    url,
    headers: h,
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });
  return { status: res.statusCode, headers: res.headers, body: parseJson(res.body), raw: res.body };
}

export const operator = (key = OPERATOR_KEY) => ({ authorization: `Bearer ${key}` });

/** A password login; the token, or the failed answer. */
export async function login(
  app: FastifyInstance,
  o: { domain: string; user: string; password: string; project: string },
): Promise<string> {
  const res = await send(
    app,
    'POST',
    '/v3/auth/tokens',
    {},
    {
      auth: {
        identity: {
          methods: ['password'],
          password: { user: { name: o.user, password: o.password, domain: { name: o.domain } } },
        },
        scope: { project: { name: o.project } },
      },
    },
  );
  assert.equal(res.status, 201, res.raw);
  return String(res.headers['x-subject-token']);
}

/** An account made through the operator API, with its admin logged in. */
export async function createAccount(w: World, name: string): Promise<TenantAccount> {
  const res = await send(w.app, 'POST', '/vpcep/v1/accounts', operator(), { account: { name } });
  assert.equal(res.status, 201, res.raw);
  const a = res.body.account;
  const token = await login(w.app, {
    domain: name,
    user: 'admin',
    password: a.admin.password,
    project: a.project_name,
  });
  return {
    domainId: a.domain_id,
    domainName: name,
    projectId: a.project_id,
    projectName: a.project_name,
    adminId: a.admin.user_id,
    adminPassword: a.admin.password,
    ak: a.admin.access_key,
    sk: a.admin.secret_key,
    token,
  };
}

/** IAM calls of a token holder. */
export function iam(w: World, token: string) {
  const call = (method: string, url: string, body?: unknown) =>
    send(w.app, method, url, { 'x-auth-token': token }, body);
  const made = (res: Reply, status = 201) => {
    assert.equal(res.status, status, res.raw);
    return res;
  };
  return {
    call,
    async user(name: string, password: string): Promise<string> {
      return made(await call('POST', '/v3/users', { user: { name, password } })).body.user.id;
    },
    async group(name: string): Promise<string> {
      return made(await call('POST', '/v3/groups', { group: { name } })).body.group.id;
    },
    async addToGroup(groupId: string, userId: string) {
      made(await call('PUT', `/v3/groups/${groupId}/users/${userId}`), 204);
    },
    async grant(projectId: string, groupId: string, roleId: string) {
      made(await call('PUT', `/v3/projects/${projectId}/groups/${groupId}/roles/${roleId}`), 204);
    },
    async project(parentId: string, name: string): Promise<string> {
      return made(await call('POST', '/v3/projects', { project: { name, parent_id: parentId } })).body.project
        .id;
    },
    async accessKey(userId: string): Promise<{ ak: string; sk: string }> {
      const res = made(
        await call('POST', '/v3.0/OS-CREDENTIAL/credentials', { credential: { user_id: userId } }),
      );
      return { ak: res.body.credential.access, sk: res.body.credential.secret };
    },
    async temporaryKey(
      durationSeconds = 900,
    ): Promise<{ ak: string; sk: string; securityToken: string; expiresAt: string }> {
      const res = made(
        await call('POST', '/v3.0/OS-CREDENTIAL/securitytokens', {
          auth: { identity: { methods: ['token'], token: { duration_seconds: durationSeconds } } },
        }),
      );
      const c = res.body.credential;
      return { ak: c.access, sk: c.secret, securityToken: c.securitytoken, expiresAt: c.expires_at };
    },
  };
}

/**
 * A user of `account` in a group of its own that holds `roleId` on `projectId` (or no grant when
 * `roleId` is undefined), logged in to that project.
 */
export async function userWithRole(
  w: World,
  account: TenantAccount,
  o: { name: string; roleId: string | undefined; projectId?: string; projectName?: string },
) {
  const admin = iam(w, account.token);
  const password = `${o.name}-Pass-1`;
  const userId = await admin.user(o.name, password);
  if (o.roleId !== undefined) {
    const groupId = await admin.group(`${o.name}-group`);
    await admin.addToGroup(groupId, userId);
    await admin.grant(o.projectId ?? account.projectId, groupId, o.roleId);
  }
  const token = await login(w.app, {
    domain: account.domainName,
    user: o.name,
    password,
    project: o.projectName ?? account.projectName,
  });
  return { userId, password, token };
}

/**
 * `w` as one tenant sees it: `call` and `api` carry the token `token()` gives at each call (so a
 * test may swap it, after a password change say) and `api` prefixes the tenant's project. The
 * builders of fixtures.ts take it as they take the bootstrapped world.
 */
export function tenantWorld(w: World, projectId: string, token: () => string): World {
  const call: World['call'] = (method, url, body, headers = {}) =>
    send(w.app, method, url, { 'x-auth-token': token(), ...headers }, body);
  return {
    ...w,
    projectId,
    get token() {
      return token();
    },
    call,
    api: (method, url, body, headers) => call(method, `/v1/${projectId}${url}`, body, headers),
  };
}

/** What `populate` makes in an account: one of everything it can hold. */
export interface Holdings {
  vpc: string;
  defaultTable: string;
  /** A custom table of `vpc`, with one route of its own. */
  table: string;
  subnet: string;
  /** The region's gateway service (public: no account's). */
  gatewayService: string;
  /** A gateway endpoint in `vpc`, bound to `defaultTable` and `table`. */
  endpoint: string;
  fault: string;
  /** A port in `subnet`: the backend of `ownService`. */
  port: string;
  /** An interface service the account owns, on `port`. */
  ownService: string;
  /** An entry of `ownService`'s permissions, naming a domain nobody has. */
  permission: string;
  /** An interface endpoint of `ownService` in `subnet`, waiting for the account's approval. */
  interfaceEndpoint: string;
  subProject: string;
  /** The account's `admin` group. */
  adminGroup: string;
  /** A group holding read-only on `subProject`, with `user` in it. */
  group: string;
  user: string;
  userPassword: string;
  /** A permanent access key of `user`. */
  userKey: string;
}

/**
 * One of everything an account holds, made by its admin through the API: a VPC with a subnet and a
 * custom route table with a route, a gateway endpoint bound to both tables, a route fault, a port
 * and an interface endpoint service on it with one permission and an endpoint of its own, a sub-project, a user in a group granted a role on it,
 * the user's access key.
 */
export async function populate(w: World, account: TenantAccount): Promise<Holdings> {
  const tw = tenantWorld(w, account.projectId, () => account.token);
  const admin = iam(w, account.token);
  const vpc = await createVpc(tw);
  const table = await createTable(tw, vpc.id, [
    { type: 'ecs', destination: '172.16.0.0/24', nexthop: 'ecs-nexthop' },
  ]);
  const subnet = await tw.api('POST', '/subnets', {
    subnet: { name: 'sn', cidr: '10.0.1.0/24', gateway_ip: '10.0.1.1', vpc_id: vpc.id },
  });
  assert.equal(subnet.status, 200, subnet.raw);
  const gateway = await gatewayService(tw);
  const endpoint = await createEndpoint(tw, gateway, vpc.id, [vpc.defaultTable, table]);
  const fault = await addFault(tw, 'unbind', vpc.defaultTable);
  const port = await createPort(tw, subnet.body.subnet.id);
  const ownService = (await createService(tw, vpc.id, port.id, { service_name: 'own' })).id;
  const permissions = await tw.api('POST', `/vpc-endpoint-services/${ownService}/permissions/batch-create`, {
    permissions: [{ permission: `iam:domain::${randomBytes(16).toString('hex')}`, description: 'nobody' }],
  });
  assert.equal(permissions.status, 200, permissions.raw);
  const interfaceEndpoint = await tw.api('POST', '/vpc-endpoints', {
    endpoint_service_id: ownService,
    vpc_id: vpc.id,
    subnet_id: subnet.body.subnet.id,
  });
  assert.equal(interfaceEndpoint.status, 200, interfaceEndpoint.raw);
  const subProject = await admin.project(account.projectId, `${account.projectName}_team`);
  const groups = await admin.call('GET', '/v3/groups?name=admin');
  assert.equal(groups.status, 200, groups.raw);
  const group = await admin.group('team');
  const userPassword = 'Team-member-1';
  const user = await admin.user('member', userPassword);
  await admin.addToGroup(group, user);
  await admin.grant(subProject, group, ROLE_VPCEP_READONLY);
  const { ak: userKey } = await admin.accessKey(user);
  return {
    vpc: vpc.id,
    defaultTable: vpc.defaultTable,
    table,
    subnet: subnet.body.subnet.id,
    gatewayService: gateway,
    endpoint,
    fault,
    port: port.id,
    ownService,
    permission: permissions.body.permissions[0].id,
    interfaceEndpoint: interfaceEndpoint.body.id,
    subProject,
    adminGroup: groups.body.groups[0].id,
    group,
    user,
    userPassword,
    userKey,
  };
}
