import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { ROLE_TENANT_GUEST, ROLE_VPCEP_READONLY } from '../../src/domain/roles.ts';
import { changesState } from '../../src/http/audit.ts';
import { actionOf } from '../../src/http/authorize.ts';
import { callAs, type Call, type Credential } from '../helpers/callers.ts';
import { expectEpError, expectGatewayError, expectKeystoneError, expectVpcError } from '../helpers/expect.ts';
import {
  addFault,
  createEndpoint,
  createPort,
  createService,
  createTable,
  createVpc,
} from '../helpers/fixtures.ts';
import {
  createAccount,
  iam,
  login,
  populate,
  tenantWorld,
  userWithRole,
  type Holdings,
  type TenantAccount,
} from '../helpers/tenants.ts';
import { notServedRoutes, appRoutes } from '../helpers/routes.ts';
import { makeWorld, OPERATOR_KEY, type Reply, type World } from '../helpers/world.ts';

/**
 * Who may call what (issue 10, "What the tests must show"): every route the app serves, called by
 * each of seven callers, each answer with its exact status and code. Account A owns everything the
 * rows name; B is the other account. The table below is one spec per route; each spec gives the
 * answer of every caller, and each (route, caller) pair runs as a test of its own. A route of
 * `allRoutes` without a spec, or a spec of no route, fails the first test.
 */

const CALLERS = ['admin', 'readonly', 'norole', 'otherAdmin', 'temporary', 'expired', 'operatorKey'] as const;
type CallerName = (typeof CALLERS)[number];

/**
 * Routes without a caller to check, each with the reason. Everything else takes a credential, and
 * is in the table.
 */
const PUBLIC: Record<string, string> = {
  'GET /': 'API versions: published as open to anyone',
  'GET /:version': 'API versions: published as open to anyone',
  'GET /healthz': "liveness, for load balancers; tells nothing of anyone's data",
  'GET /readyz': "readiness, for load balancers; tells nothing of anyone's data",
  'GET /openapi.json': "the API's OpenAPI document: the same for everyone, tells nothing of anyone's data",
  'GET /docs': "the API reference page, rendered from the OpenAPI document; tells nothing of anyone's data",
  'POST /v3/auth/tokens': 'password login: the credential is the body itself (identity.test.ts)',
};

// ---- expected answers

interface Expected {
  status: number;
  /** Absent for an answer that is no error. */
  envelope?: 'gateway' | 'vpc' | 'endpoint' | 'keystone';
  /** The error's code; for Keystone's envelope, its title. */
  code?: string;
}

const ok = (status = 200): Expected => ({ status });
const gatewayError = (status: number, code: string): Expected => ({ status, envelope: 'gateway', code });
const vpcError = (status: number, code: string): Expected => ({ status, envelope: 'vpc', code });
const epError = (status: number, code: string): Expected => ({ status, envelope: 'endpoint', code });
const keystoneError = (status: number, title: string): Expected => ({
  status,
  envelope: 'keystone',
  code: title,
});

/** No credential this server accepts: expired, altered, or not a tenant's at all. */
const UNAUTHENTICATED = gatewayError(401, 'APIGW.0301');
/** A valid caller without a role on the path's project (or scoped to another project). */
const NO_ROLE = gatewayError(403, 'APIGW.0302');
/** A role on the project that does not allow the action, each API in its own envelope. */
const VPC_DENIED = vpcError(403, 'VPCEP.0403');
const VPCEP_DENIED = epError(403, 'EndPoint.0004');
/** IAM calls only an account admin (or the thing's own user) may make. */
const IAM_FORBIDDEN = keystoneError(403, 'Forbidden');
/** Another account's id in an IAM call: answered as one that does not exist. */
const IAM_NOT_FOUND = keystoneError(404, 'Not Found');
/** The operator API takes the operator key as `Authorization: Bearer` and nothing else. */
const NOT_OPERATOR = epError(401, 'VPCEP.0401');
/** Operations of the published API that vpcep does not serve yet, after authorization. */
const NOT_SERVED = epError(501, 'VPCEP.0501');

const label = (e: Expected) => (e.code === undefined ? String(e.status) : `${e.status} ${e.code}`);

function check(res: Reply, e: Expected) {
  switch (e.envelope) {
    case undefined:
      assert.equal(res.status, e.status, res.raw);
      if (e.status === 204) assert.equal(res.raw, '');
      else assert.equal(typeof res.body, 'object', res.raw);
      return;
    case 'gateway':
      return expectGatewayError(res, e.status, e.code!);
    case 'vpc':
      return expectVpcError(res, e.status, e.code!);
    case 'endpoint':
      return expectEpError(res, e.status, e.code!);
    case 'keystone':
      return expectKeystoneError(res, e.status, e.code!);
  }
}

// ---- the world the rows run in

interface Ctx {
  w: World;
  a: TenantAccount;
  b: TenantAccount;
  /** Each caller's credential; the admin's two are renewed when a row changes its password. */
  creds: Record<CallerName, Credential>;
  /** A as its admin sees it (fixtures.ts builders take it). */
  aw: World;
  adminPassword: string;
  readerId: string;
  nobodyId: string;
  readerToken: string;
  /** One of everything in A (tenants.ts): rows read these; rows that delete make their own. */
  A: Holdings;
}

let ctx: Ctx;
let seq = 0;
const next = () => ++seq;
let subnetSeq = 10;

const tokenOf = (cred: Credential) => {
  assert.ok('token' in cred);
  return cred.token;
};

/** Things A's admin makes for one row, asserting each call worked. */
const fresh = {
  admin: () => iam(ctx.w, tokenOf(ctx.creds.admin)),
  vpc: async () => (await createVpc(ctx.aw, '10.0.0.0/16', `fresh-${next()}`)).id,
  async subnet() {
    const n = subnetSeq++;
    const res = await ctx.aw.api('POST', '/subnets', {
      subnet: { name: `sn-${n}`, cidr: `10.0.${n}.0/24`, gateway_ip: `10.0.${n}.1`, vpc_id: ctx.A.vpc },
    });
    assert.equal(res.status, 200, res.raw);
    return res.body.subnet.id as string;
  },
  table: () => createTable(ctx.aw, ctx.A.vpc, [], `fresh-${next()}`),
  async endpoint() {
    return createEndpoint(ctx.aw, ctx.A.gatewayService, await fresh.vpc());
  },
  fault: () => addFault(ctx.aw, 'unbind', randomUUID()),
  port: async () => (await createPort(ctx.aw, ctx.A.subnet)).id,
  service: async () => (await createService(ctx.aw, ctx.A.vpc, await fresh.port())).id,
  async user() {
    const res = await fresh.admin().call('POST', '/v3/users', { user: { name: `fresh-${next()}` } });
    assert.equal(res.status, 201, res.raw);
    return res.body.user.id as string;
  },
  group: () => fresh.admin().group(`fresh-${next()}`),
  async member() {
    const user = await fresh.user();
    await fresh.admin().addToGroup(ctx.A.group, user);
    return user;
  },
  async grantedGroup() {
    const group = await fresh.group();
    await fresh.admin().grant(ctx.A.subProject, group, ROLE_TENANT_GUEST);
    return group;
  },
  async key() {
    return (await fresh.admin().accessKey(await fresh.user())).ak;
  },
};

/** Ids of A that another account must never read in an answer, unless its request named them. */
const idsOfA = (c: Ctx) => [
  c.a.domainId,
  c.a.projectId,
  c.a.adminId,
  c.a.ak,
  c.readerId,
  c.nobodyId,
  ...Object.entries(c.A)
    .filter(([k]) => k !== 'gatewayService')
    .map(([, v]) => v),
];

// ---- the table

type Request = Omit<Call, 'method'>;

interface RouteSpec {
  /** `METHOD url`, as allRoutes declares the route. */
  route: string;
  expect: Record<CallerName, Expected>;
  /** One row's request, made just before it is sent: a delete gets a fresh resource per row. */
  request(c: Ctx): Request | Promise<Request>;
  after?(c: Ctx, req: Request, res: Reply): Promise<void>;
}

/**
 * A route in a project (A's, in the path). Reads and writes differ for the read-only user only;
 * `denied` is how its API refuses a role without the action.
 */
const inProject =
  (denied: Expected) =>
  (route: string, success: Expected, request: RouteSpec['request']): RouteSpec => ({
    route,
    request,
    expect: {
      admin: success,
      readonly: route.startsWith('GET ') ? success : denied,
      norole: NO_ROLE,
      // B's admin is scoped to B's project, not to the path's.
      otherAdmin: NO_ROLE,
      temporary: success,
      expired: UNAUTHENTICATED,
      operatorKey: UNAUTHENTICATED,
    },
  });
const vpcApi = inProject(VPC_DENIED);
const vpcepApi = inProject(VPCEP_DENIED);

/**
 * An IAM route: project roles play no part, so both users of A without admin rights (`user`)
 * answer alike, unless the request names the read-only user's own thing (`readonly`); B's admin
 * names A's things, and finds none.
 */
const iamApi = (
  route: string,
  e: { admin: Expected; user: Expected; other: Expected; readonly?: Expected },
  request: RouteSpec['request'],
): RouteSpec => ({
  route,
  request,
  expect: {
    admin: e.admin,
    readonly: e.readonly ?? e.user,
    norole: e.user,
    otherAdmin: e.other,
    temporary: e.admin,
    expired: UNAUTHENTICATED,
    operatorKey: UNAUTHENTICATED,
  },
});

/** An operator route: no tenant credential opens it, the admin's included. */
const operatorApi = (route: string, request: RouteSpec['request']): RouteSpec => ({
  route,
  request,
  expect: Object.fromEntries(CALLERS.map((caller) => [caller, NOT_OPERATOR])) as Record<CallerName, Expected>,
});

const P = (c: Ctx) => `/v1/${c.a.projectId}`;

/** After a password change of A's admin: the new password, and credentials issued after it. */
async function passwordChanged(c: Ctx, req: Request, res: Reply) {
  if (res.status !== 204) return;
  c.adminPassword = (req.body as { user: { password: string } }).user.password;
  const token = await login(c.w.app, {
    domain: c.a.domainName,
    user: 'admin',
    password: c.adminPassword,
    project: c.a.projectName,
  });
  c.creds.admin = { token };
  c.creds.temporary = await iam(c.w, token).temporaryKey(3600);
}

/** An operation vpcep answers 501 (routes/not-implemented.ts), with a request of its shape. */
function notServed(route: string): RouteSpec {
  const [method, url] = route.split(' ') as [string, string];
  return vpcepApi(route, NOT_SERVED, (c) => {
    const path = url
      .replace(':project_id', c.a.projectId)
      .replace(':vpc_endpoint_service_id', c.A.ownService)
      .replace(':vpc_endpoint_id', c.A.endpoint)
      .replace(':resource_type', 'endpoint')
      .replace(':resource_id', c.A.endpoint)
      // No permission exists yet: any id reaches the 501.
      .replace(':permission_id', randomUUID());
    assert.ok(!path.includes(':'), `${route}: a parameter without a value`);
    return { url: path, ...(method === 'POST' || method === 'PUT' ? { body: {} } : {}) };
  });
}

const SPECS: RouteSpec[] = [
  // ---- IAM: users
  iamApi('POST /v3/users', { admin: ok(201), user: IAM_FORBIDDEN, other: ok(201) }, () => ({
    url: '/v3/users',
    body: { user: { name: `user-${next()}`, password: 'Matrix-pass-1' } },
  })),
  iamApi('GET /v3/users', { admin: ok(), user: IAM_FORBIDDEN, other: ok() }, () => ({ url: '/v3/users' })),
  iamApi('GET /v3/users/:user_id', { admin: ok(), user: IAM_FORBIDDEN, other: IAM_NOT_FOUND }, (c) => ({
    url: `/v3/users/${c.A.user}`,
  })),
  iamApi(
    'DELETE /v3/users/:user_id',
    { admin: ok(204), user: IAM_FORBIDDEN, other: IAM_NOT_FOUND },
    async () => ({
      url: `/v3/users/${await fresh.user()}`,
    }),
  ),
  {
    // Only a user changes its own password: the admin its own here, which ends its earlier
    // credentials (`after` logs in again).
    ...iamApi(
      'POST /v3/users/:user_id/password',
      { admin: ok(204), user: IAM_FORBIDDEN, other: IAM_NOT_FOUND },
      (c) => ({
        url: `/v3/users/${c.a.adminId}/password`,
        body: { user: { original_password: c.adminPassword, password: `Matrix-pass-${next()}` } },
      }),
    ),
    after: passwordChanged,
  },

  // ---- IAM: projects
  iamApi('POST /v3/projects', { admin: ok(201), user: IAM_FORBIDDEN, other: IAM_NOT_FOUND }, (c) => ({
    url: '/v3/projects',
    body: { project: { name: `${c.a.projectName}_m${next()}`, parent_id: c.a.projectId } },
  })),
  iamApi('GET /v3/projects/:project_id', { admin: ok(), user: ok(), other: IAM_NOT_FOUND }, (c) => ({
    url: `/v3/projects/${c.A.subProject}`,
  })),
  iamApi('GET /v3/projects', { admin: ok(), user: ok(), other: ok() }, () => ({ url: '/v3/projects' })),
  iamApi('GET /v3/auth/projects', { admin: ok(), user: ok(), other: ok() }, () => ({
    url: '/v3/auth/projects',
  })),
  iamApi('GET /v3/auth/domains', { admin: ok(), user: ok(), other: ok() }, () => ({
    url: '/v3/auth/domains',
  })),

  // ---- IAM: groups and grants
  iamApi('POST /v3/groups', { admin: ok(201), user: IAM_FORBIDDEN, other: ok(201) }, () => ({
    url: '/v3/groups',
    body: { group: { name: `group-${next()}` } },
  })),
  iamApi('GET /v3/groups', { admin: ok(), user: IAM_FORBIDDEN, other: ok() }, () => ({ url: '/v3/groups' })),
  iamApi(
    'DELETE /v3/groups/:group_id',
    { admin: ok(204), user: IAM_FORBIDDEN, other: IAM_NOT_FOUND },
    async () => ({
      url: `/v3/groups/${await fresh.group()}`,
    }),
  ),
  iamApi(
    'GET /v3/groups/:group_id/users',
    { admin: ok(), user: IAM_FORBIDDEN, other: IAM_NOT_FOUND },
    (c) => ({ url: `/v3/groups/${c.A.group}/users` }),
  ),
  iamApi(
    'PUT /v3/groups/:group_id/users/:user_id',
    { admin: ok(204), user: IAM_FORBIDDEN, other: IAM_NOT_FOUND },
    async (c) => ({ url: `/v3/groups/${c.A.group}/users/${await fresh.user()}` }),
  ),
  iamApi(
    'DELETE /v3/groups/:group_id/users/:user_id',
    { admin: ok(204), user: IAM_FORBIDDEN, other: IAM_NOT_FOUND },
    async (c) => ({ url: `/v3/groups/${c.A.group}/users/${await fresh.member()}` }),
  ),
  iamApi('GET /v3/roles', { admin: ok(), user: IAM_FORBIDDEN, other: ok() }, () => ({ url: '/v3/roles' })),
  iamApi(
    'GET /v3/projects/:project_id/groups/:group_id/roles',
    { admin: ok(), user: IAM_FORBIDDEN, other: IAM_NOT_FOUND },
    (c) => ({ url: `/v3/projects/${c.A.subProject}/groups/${c.A.group}/roles` }),
  ),
  iamApi(
    'PUT /v3/projects/:project_id/groups/:group_id/roles/:role_id',
    { admin: ok(204), user: IAM_FORBIDDEN, other: IAM_NOT_FOUND },
    async (c) => ({
      url: `/v3/projects/${c.A.subProject}/groups/${await fresh.group()}/roles/${ROLE_VPCEP_READONLY}`,
    }),
  ),
  iamApi(
    'DELETE /v3/projects/:project_id/groups/:group_id/roles/:role_id',
    { admin: ok(204), user: IAM_FORBIDDEN, other: IAM_NOT_FOUND },
    async (c) => ({
      url: `/v3/projects/${c.A.subProject}/groups/${await fresh.grantedGroup()}/roles/${ROLE_TENANT_GUEST}`,
    }),
  ),

  // ---- IAM: access keys, tokens, temporary credentials
  iamApi(
    'POST /v3.0/OS-CREDENTIAL/credentials',
    { admin: ok(201), user: IAM_FORBIDDEN, other: IAM_NOT_FOUND },
    async () => ({
      url: '/v3.0/OS-CREDENTIAL/credentials',
      body: { credential: { user_id: await fresh.user(), description: 'matrix' } },
    }),
  ),
  iamApi(
    'GET /v3.0/OS-CREDENTIAL/credentials',
    { admin: ok(), user: IAM_FORBIDDEN, other: IAM_NOT_FOUND },
    (c) => ({ url: `/v3.0/OS-CREDENTIAL/credentials?user_id=${c.A.user}` }),
  ),
  iamApi(
    'GET /v3.0/OS-CREDENTIAL/credentials/:access_key',
    { admin: ok(), user: IAM_FORBIDDEN, other: IAM_NOT_FOUND },
    (c) => ({ url: `/v3.0/OS-CREDENTIAL/credentials/${c.A.userKey}` }),
  ),
  iamApi(
    'PUT /v3.0/OS-CREDENTIAL/credentials/:access_key',
    { admin: ok(), user: IAM_FORBIDDEN, other: IAM_NOT_FOUND },
    (c) => ({
      url: `/v3.0/OS-CREDENTIAL/credentials/${c.A.userKey}`,
      body: { credential: { description: `matrix-${next()}` } },
    }),
  ),
  iamApi(
    'DELETE /v3.0/OS-CREDENTIAL/credentials/:access_key',
    { admin: ok(204), user: IAM_FORBIDDEN, other: IAM_NOT_FOUND },
    async () => ({ url: `/v3.0/OS-CREDENTIAL/credentials/${await fresh.key()}` }),
  ),
  // The subject is the read-only user's own token: it may validate it, the user without a role not.
  iamApi(
    'GET /v3/auth/tokens',
    { admin: ok(), user: IAM_FORBIDDEN, readonly: ok(), other: IAM_NOT_FOUND },
    (c) => ({
      url: '/v3/auth/tokens',
      headers: { 'x-subject-token': c.readerToken },
    }),
  ),
  iamApi(
    'POST /v3.0/OS-CREDENTIAL/securitytokens',
    { admin: ok(201), user: ok(201), other: ok(201) },
    () => ({
      url: '/v3.0/OS-CREDENTIAL/securitytokens',
      body: { auth: { identity: { methods: ['token'], token: { duration_seconds: 900 } } } },
    }),
  ),

  // ---- the operator's API
  operatorApi('POST /vpcep/v1/accounts', () => ({
    url: '/vpcep/v1/accounts',
    body: { account: { name: 'never-made' } },
  })),
  operatorApi('GET /vpcep/v1/accounts', () => ({ url: '/vpcep/v1/accounts' })),
  operatorApi('DELETE /vpcep/v1/accounts/:domain_id', (c) => ({ url: `/vpcep/v1/accounts/${c.a.domainId}` })),
  operatorApi('PUT /vpcep/v1/accounts/:domain_id/quotas', (c) => ({
    url: `/vpcep/v1/accounts/${c.a.domainId}/quotas`,
    body: { quotas: { endpoint: 0 } },
  })),

  // ---- VPC API
  vpcApi('POST /v1/:project_id/vpcs', ok(), (c) => ({
    url: `${P(c)}/vpcs`,
    body: { vpc: { name: `vpc-${next()}`, cidr: '10.0.0.0/16' } },
  })),
  vpcApi('GET /v1/:project_id/vpcs', ok(), (c) => ({ url: `${P(c)}/vpcs` })),
  vpcApi('GET /v1/:project_id/vpcs/:vpc_id', ok(), (c) => ({ url: `${P(c)}/vpcs/${c.A.vpc}` })),
  vpcApi('DELETE /v1/:project_id/vpcs/:vpc_id', ok(204), async (c) => ({
    url: `${P(c)}/vpcs/${await fresh.vpc()}`,
  })),
  vpcApi('POST /v1/:project_id/subnets', ok(), (c) => {
    const n = subnetSeq++;
    return {
      url: `${P(c)}/subnets`,
      body: {
        subnet: { name: `sn-${n}`, cidr: `10.0.${n}.0/24`, gateway_ip: `10.0.${n}.1`, vpc_id: c.A.vpc },
      },
    };
  }),
  vpcApi('GET /v1/:project_id/subnets', ok(), (c) => ({ url: `${P(c)}/subnets?vpc_id=${c.A.vpc}` })),
  vpcApi('GET /v1/:project_id/subnets/:subnet_id', ok(), (c) => ({ url: `${P(c)}/subnets/${c.A.subnet}` })),
  vpcApi('DELETE /v1/:project_id/vpcs/:vpc_id/subnets/:subnet_id', ok(204), async (c) => ({
    url: `${P(c)}/vpcs/${c.A.vpc}/subnets/${await fresh.subnet()}`,
  })),
  vpcApi('GET /v1/:project_id/routetables', ok(), (c) => ({ url: `${P(c)}/routetables?vpc_id=${c.A.vpc}` })),
  vpcApi('POST /v1/:project_id/routetables', ok(), (c) => ({
    url: `${P(c)}/routetables`,
    body: {
      routetable: {
        vpc_id: c.A.vpc,
        name: `rt-${next()}`,
        routes: [{ type: 'ecs', destination: '172.16.9.0/24', nexthop: 'ecs-nexthop' }],
      },
    },
  })),
  vpcApi('GET /v1/:project_id/routetables/:routetable_id', ok(), (c) => ({
    url: `${P(c)}/routetables/${c.A.table}`,
  })),
  vpcApi('PUT /v1/:project_id/routetables/:routetable_id', ok(), (c) => ({
    url: `${P(c)}/routetables/${c.A.table}`,
    body: { routetable: { description: `matrix-${next()}` } },
  })),
  vpcApi('DELETE /v1/:project_id/routetables/:routetable_id', ok(204), async (c) => ({
    url: `${P(c)}/routetables/${await fresh.table()}`,
  })),
  vpcApi('POST /v1/:project_id/routetables/:routetable_id/action', ok(), (c) => ({
    url: `${P(c)}/routetables/${c.A.table}/action`,
    body: { routetable: { subnets: { associate: [c.A.subnet] } } },
  })),

  // ---- VPC Endpoint API
  vpcepApi('GET /v1/:project_id/vpc-endpoint-services/public', ok(), (c) => ({
    url: `${P(c)}/vpc-endpoint-services/public`,
  })),
  vpcepApi('GET /v1/:project_id/vpc-endpoint-services/describe', ok(), (c) => ({
    url: `${P(c)}/vpc-endpoint-services/describe?id=${c.A.gatewayService}`,
  })),
  vpcepApi('POST /v1/:project_id/vpc-endpoints', ok(), async (c) => ({
    url: `${P(c)}/vpc-endpoints`,
    body: { endpoint_service_id: c.A.gatewayService, vpc_id: await fresh.vpc() },
  })),
  vpcepApi('GET /v1/:project_id/vpc-endpoints', ok(), (c) => ({ url: `${P(c)}/vpc-endpoints` })),
  vpcepApi('GET /v1/:project_id/quotas', ok(), (c) => ({ url: `${P(c)}/quotas` })),
  vpcepApi('GET /v1/:project_id/vpc-endpoints/:vpc_endpoint_id', ok(), (c) => ({
    url: `${P(c)}/vpc-endpoints/${c.A.endpoint}`,
  })),
  vpcepApi('DELETE /v1/:project_id/vpc-endpoints/:vpc_endpoint_id', ok(204), async (c) => ({
    url: `${P(c)}/vpc-endpoints/${await fresh.endpoint()}`,
  })),
  vpcepApi('PUT /v1/:project_id/vpc-endpoints/:vpc_endpoint_id/routetables', ok(), (c) => ({
    url: `${P(c)}/vpc-endpoints/${c.A.endpoint}/routetables`,
    body: { routetables: [c.A.defaultTable, c.A.table] },
  })),

  // ---- ports (VPC API) and endpoint services of users
  vpcApi('POST /v1/:project_id/ports', ok(201), (c) => ({
    url: `${P(c)}/ports`,
    body: { port: { network_id: c.A.subnet } },
  })),
  vpcApi('GET /v3/:project_id/ports', ok(), (c) => ({ url: `/v3/${c.a.projectId}/ports` })),
  vpcApi('DELETE /v1/:project_id/ports/:port_id', ok(204), async (c) => ({
    url: `${P(c)}/ports/${await fresh.port()}`,
  })),
  vpcepApi('POST /v1/:project_id/vpc-endpoint-services', ok(), async (c) => ({
    url: `${P(c)}/vpc-endpoint-services`,
    body: {
      port_id: await fresh.port(),
      vpc_id: c.A.vpc,
      server_type: 'VM',
      ports: [{ client_port: 80, server_port: 8080 }],
    },
  })),
  vpcepApi('GET /v1/:project_id/vpc-endpoint-services', ok(), (c) => ({
    url: `${P(c)}/vpc-endpoint-services`,
  })),
  vpcepApi('GET /v1/:project_id/vpc-endpoint-services/:vpc_endpoint_service_id', ok(), (c) => ({
    url: `${P(c)}/vpc-endpoint-services/${c.A.ownService}`,
  })),
  vpcepApi('PUT /v1/:project_id/vpc-endpoint-services/:vpc_endpoint_service_id', ok(), (c) => ({
    url: `${P(c)}/vpc-endpoint-services/${c.A.ownService}`,
    body: { description: `matrix-${next()}` },
  })),
  vpcepApi('PUT /v1/:project_id/vpc-endpoint-services/:vpc_endpoint_service_id/name', ok(), (c) => ({
    url: `${P(c)}/vpc-endpoint-services/${c.A.ownService}/name`,
    body: { endpoint_service_name: `own_${next()}` },
  })),
  vpcepApi('GET /v1/:project_id/vpc-endpoint-services/:vpc_endpoint_service_id/permissions', ok(), (c) => ({
    url: `${P(c)}/vpc-endpoint-services/${c.A.ownService}/permissions`,
  })),
  vpcepApi(
    'POST /v1/:project_id/vpc-endpoint-services/:vpc_endpoint_service_id/permissions/action',
    ok(),
    (c) => ({
      url: `${P(c)}/vpc-endpoint-services/${c.A.ownService}/permissions/action`,
      body: { action: 'add', permissions: [`iam:domain::${randomBytes(16).toString('hex')}`] },
    }),
  ),
  vpcepApi(
    'POST /v1/:project_id/vpc-endpoint-services/:vpc_endpoint_service_id/permissions/batch-create',
    ok(),
    (c) => ({
      url: `${P(c)}/vpc-endpoint-services/${c.A.ownService}/permissions/batch-create`,
      body: {
        permissions: [{ permission: `iam:domain::${randomBytes(16).toString('hex')}`, description: '' }],
      },
    }),
  ),
  vpcepApi(
    'POST /v1/:project_id/vpc-endpoint-services/:vpc_endpoint_service_id/permissions/batch-delete',
    ok(),
    (c) => ({
      url: `${P(c)}/vpc-endpoint-services/${c.A.ownService}/permissions/batch-delete`,
      body: { permissions: [{ id: randomUUID() }] },
    }),
  ),
  vpcepApi(
    'PUT /v1/:project_id/vpc-endpoint-services/:vpc_endpoint_service_id/permissions/:permission_id',
    ok(),
    (c) => ({
      url: `${P(c)}/vpc-endpoint-services/${c.A.ownService}/permissions/${c.A.permission}`,
      body: { permission: { description: `matrix-${next()}` } },
    }),
  ),
  vpcepApi('GET /v1/:project_id/vpc-endpoint-services/:vpc_endpoint_service_id/connections', ok(), (c) => ({
    url: `${P(c)}/vpc-endpoint-services/${c.A.ownService}/connections`,
  })),
  vpcepApi(
    'POST /v1/:project_id/vpc-endpoint-services/:vpc_endpoint_service_id/connections/action',
    ok(),
    (c) => ({
      url: `${P(c)}/vpc-endpoint-services/${c.A.ownService}/connections/action`,
      body: { action: 'receive', endpoints: [c.A.interfaceEndpoint] },
    }),
  ),
  vpcepApi(
    'PUT /v1/:project_id/vpc-endpoint-services/:vpc_endpoint_service_id/connections/description',
    ok(),
    (c) => ({
      url: `${P(c)}/vpc-endpoint-services/${c.A.ownService}/connections/description`,
      body: { connections: [{ id: c.A.interfaceEndpoint, description: `matrix-${next()}` }] },
    }),
  ),
  vpcepApi('DELETE /v1/:project_id/vpc-endpoint-services/:vpc_endpoint_service_id', ok(204), async (c) => ({
    url: `${P(c)}/vpc-endpoint-services/${await fresh.service()}`,
  })),

  vpcepApi('PUT /v1/:project_id/vpc-endpoints/:vpc_endpoint_id', ok(), (c) => ({
    url: `${P(c)}/vpc-endpoints/${c.A.interfaceEndpoint}`,
    body: { whitelist: [`10.9.${next() % 250}.0/24`], enable_whitelist: true },
  })),
  vpcepApi('PUT /v1/:project_id/vpc-endpoints/:vpc_endpoint_id/policy', ok(), (c) => ({
    url: `${P(c)}/vpc-endpoints/${c.A.interfaceEndpoint}/policy`,
    body: {
      policy_document: { Version: '5.0', Statement: [{ Effect: 'Allow', Action: ['*'], Resource: ['*'] }] },
    },
  })),
  vpcepApi('DELETE /v1/:project_id/vpc-endpoints/:vpc_endpoint_id/policy', ok(), (c) => ({
    url: `${P(c)}/vpc-endpoints/${c.A.endpoint}/policy`,
  })),

  // ---- tags
  vpcepApi('POST /v1/:project_id/:resource_type/:resource_id/tags/action', ok(204), (c) => ({
    url: `${P(c)}/endpoint/${c.A.endpoint}/tags/action`,
    body: { action: 'create', tags: [{ key: 'matrix', value: `v${next()}` }] },
  })),
  vpcepApi('GET /v1/:project_id/:resource_type/tags', ok(), (c) => ({
    url: `${P(c)}/endpoint_service/tags`,
  })),
  // A read, though a POST (its action is vpcep:resourceInstances:list): the read-only role may call it.
  (() => {
    const spec = vpcepApi('POST /v1/:project_id/:resource_type/resource_instances/action', ok(), (c) => ({
      url: `${P(c)}/endpoint/resource_instances/action`,
      body: { action: 'filter' },
    }));
    return { ...spec, expect: { ...spec.expect, readonly: ok() } };
  })(),

  // ---- vpcep's fault API (its refusals are the VPC Endpoint API's)
  vpcepApi('GET /vpcep/v1/:project_id/faults', ok(), (c) => ({ url: `/vpcep/v1/${c.a.projectId}/faults` })),
  // On a table no row binds, so the fault never fires.
  vpcepApi('POST /vpcep/v1/:project_id/faults', ok(201), (c) => ({
    url: `/vpcep/v1/${c.a.projectId}/faults`,
    body: { fault: { operation: 'bind', routetable_id: randomUUID(), times: 1 } },
  })),
  vpcepApi('DELETE /vpcep/v1/:project_id/faults/:fault_id', ok(204), async (c) => ({
    url: `/vpcep/v1/${c.a.projectId}/faults/${await fresh.fault()}`,
  })),

  // ---- the audit trail: Cloud Trace's action, which the VPCEP roles do not hold
  (() => {
    const spec = vpcepApi('GET /v1/:project_id/audit-events', ok(), (c) => ({
      url: `${P(c)}/audit-events?limit=5`,
    }));
    return { ...spec, expect: { ...spec.expect, readonly: VPCEP_DENIED } };
  })(),

  // ---- published, not served: authorized like the rest, then 501 (whichever they are today)
  ...notServedRoutes().map((r) => notServed(`${r.method} ${r.url}`)),
];

/** Whether a request's path is one the route's pattern matches. */
const onRoute = (pattern: string, url: string) =>
  new RegExp(`^${pattern.replace(/:[a-z_]+/g, '[^/?]+')}$`).test(url.split('?')[0]!);

// ---- the audit trail of each row

/** Callers whose identity holds in A's project: what they are refused is in A's audit trail. */
const PROVEN_IN_A: readonly CallerName[] = ['admin', 'readonly', 'norole', 'temporary'];

/**
 * Every state-changing call writes one audit event (issue 13, spec/audit.md): a success, with its
 * operation and status, in the change's transaction; a 4xx of a proven caller, with its code. Reads,
 * calls of no proven caller (401), of a caller scoped elsewhere (403 APIGW.0302 on another
 * project's path) and 5xx answers write none.
 */
async function expectAudited(route: string, caller: CallerName, res: Reply) {
  const def = appRoutes().find((r) => `${r.method} ${r.url}` === route)!;
  const requestId = String(res.headers['x-request-id']);
  const events = (
    await Promise.all(
      [ctx.a.projectId, ctx.b.projectId].map((p) => ctx.w.store.read((r) => r.audit.list(p, 1_000_000))),
    )
  )
    .flat()
    .filter((e) => e.request_id === requestId);
  const proven =
    def.auth === true && (PROVEN_IN_A.includes(caller) || (caller === 'otherAdmin' && def.api === 'iam'));
  const want = !changesState(def.method, actionOf(def))
    ? undefined
    : res.status < 400
      ? 'success'
      : res.status < 500 && proven
        ? 'failure'
        : undefined;
  if (want === undefined) {
    assert.deepEqual(events, [], `${route} · ${caller}: no audit event expected`);
    return;
  }
  assert.equal(events.length, 1, `${route} · ${caller}: one audit event, found ${JSON.stringify(events)}`);
  const [e] = events;
  assert.equal(e!.outcome, want);
  assert.equal(e!.operation, def.operationId);
  assert.equal(e!.status, res.status);
  if (want === 'success') assert.equal(e!.error_code, '');
  // Keystone's envelope carries the status where the code would be; the event keeps the code.
  else if (typeof res.body.error?.code === 'string') assert.equal(e!.error_code, res.body.error.code);
  else assert.match(e!.error_code, /^[A-Za-z]+\.\d+$/);
}

// ---- the rows

let w: World;

before(async () => {
  w = await makeWorld();
  const a = await createAccount(w, 'alpha');
  const b = await createAccount(w, 'beta');
  // Issued now for 15 minutes, used once the clock has passed them.
  const expired = await iam(w, a.token).temporaryKey(900);
  w.clock.advance(901_000);
  const reader = await userWithRole(w, a, { name: 'reader', roleId: ROLE_VPCEP_READONLY });
  const nobody = await userWithRole(w, a, { name: 'nobody', roleId: undefined });
  const temporary = await iam(w, a.token).temporaryKey(3600);
  const creds: Record<CallerName, Credential> = {
    admin: { token: a.token },
    readonly: { token: reader.token },
    norole: { token: nobody.token },
    otherAdmin: { token: b.token },
    temporary,
    expired,
    operatorKey: { token: OPERATOR_KEY },
  };
  ctx = {
    w,
    a,
    b,
    creds,
    aw: tenantWorld(w, a.projectId, () => tokenOf(creds.admin)),
    adminPassword: a.adminPassword,
    readerId: reader.userId,
    nobodyId: nobody.userId,
    readerToken: reader.token,
    A: await populate(w, a),
  };
});
after(() => w.close());

test('the table has one spec per route, for every route but the public ones', () => {
  const routes = appRoutes();
  const served = routes.map((r) => `${r.method} ${r.url}`);
  for (const [route, reason] of Object.entries(PUBLIC)) {
    const def = routes.find((r) => `${r.method} ${r.url}` === route);
    assert.ok(def, `${route} is listed as public (${reason}) but not served`);
    assert.equal(def.auth, false, `${route} is listed as public but takes a credential`);
  }
  const specified = SPECS.map((s) => s.route);
  assert.equal(new Set(specified).size, specified.length, 'a route with two specs');
  assert.deepEqual(
    served.filter((r) => !(r in PUBLIC)).sort(),
    [...specified].sort(),
    'every route that takes a credential has a spec, and every spec a route',
  );
});

describe('authorization matrix', () => {
  for (const spec of SPECS) {
    const [method, pattern] = spec.route.split(' ') as [string, string];
    for (const caller of CALLERS) {
      const e = spec.expect[caller];
      test(`${spec.route} · ${caller} → ${label(e)}`, async () => {
        const req = await spec.request(ctx);
        assert.ok(onRoute(pattern, req.url), `${req.url} is not on ${spec.route}`);
        const res = await callAs(ctx.w, ctx.creds[caller], { method, ...req });
        check(res, e);
        if (caller === 'otherAdmin') {
          const sent = JSON.stringify(req);
          for (const id of idsOfA(ctx)) {
            assert.ok(!res.raw.includes(id) || sent.includes(id), `A's ${id} in B's answer: ${res.raw}`);
          }
        }
        await expectAudited(spec.route, caller, res);
        await spec.after?.(ctx, req, res);
      });
    }
  }
});
