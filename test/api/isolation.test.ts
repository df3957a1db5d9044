import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import pino from 'pino';
import { allRoutes } from '../../src/app.ts';
import { randomIds } from '../../src/domain/ids.ts';
import { ROLE_VPCEP_READONLY } from '../../src/domain/roles.ts';
import type { RouteDef } from '../../src/http/route.ts';
import { Accounts } from '../../src/service/accounts.ts';
import { Identity } from '../../src/service/identity.ts';
import type { Database } from '../../src/store/schema.ts';
import { callAs, type Call, type Credential } from '../helpers/callers.ts';
import { ok, sorted } from '../helpers/expect.ts';
import { listFaults, rebind } from '../helpers/fixtures.ts';
import {
  createAccount,
  populate,
  send,
  tenantWorld,
  type Holdings,
  type TenantAccount,
} from '../helpers/tenants.ts';
import { makeWorld, type Reply, type World } from '../helpers/world.ts';

/**
 * Isolation by guessing (issue 10, "What the tests must show"). Accounts A and B each hold one of
 * everything. B's admin then names A's ids wherever a call takes an id (path parameters, query
 * filters, references in a body, credentials and token scopes) and each answer must be the
 * one a random id of the same kind gets, message included once the ids are blanked: a foreign id is
 * answered like one that does not exist. Afterwards every row of the store that was there is still
 * there, byte for byte; what B's calls added is B's own.
 */

let w: World;
let a: TenantAccount;
let b: TenantAccount;
let A: Holdings;
let B: Holdings;
let rowsBefore: Snapshot;
/** Not an id, but it names A's service as well as one: `<region>.own.<id>`. */
let ownServiceNameOfA: string;

before(async () => {
  w = await makeWorld();
  a = await createAccount(w, 'alpha');
  b = await createAccount(w, 'beta');
  A = await populate(w, a);
  B = await populate(w, b);
  const own = await w.store.read((r) => r.services.byId(A.ownService, w.clock.now()));
  ownServiceNameOfA = own!.service_name;
  rowsBefore = await snapshot();
});
after(() => w.close());

// ---- the store, read raw

/** Every table; `satisfies` makes a table added to the schema a compile error here until listed. */
const TABLES = Object.keys({
  domains: 1,
  projects: 1,
  users: 1,
  groups: 1,
  group_members: 1,
  group_grants: 1,
  operator_keys: 1,
  access_keys: 1,
  server_keys: 1,
  vpcs: 1,
  subnets: 1,
  routetables: 1,
  routes: 1,
  endpoint_services: 1,
  service_permissions: 1,
  ports: 1,
  ip_allocations: 1,
  endpoints: 1,
  endpoint_routetables: 1,
  faults: 1,
  audit_log: 1,
  console_sessions: 1,
  endpoint_counts: 1,
} satisfies Record<keyof Database, 1>) as (keyof Database)[];

type Snapshot = Record<string, string[]>;

/** Each table's rows as JSON text, sorted: the store's order is no part of the comparison. */
async function snapshot(): Promise<Snapshot> {
  const out: Snapshot = {};
  for (const table of TABLES) {
    const rows = await w.store.read((r) =>
      r.db
        .selectFrom(table as 'vpcs')
        .selectAll()
        .execute(),
    );
    out[table] = sorted(rows.map((row) => JSON.stringify(row)));
  }
  return out;
}

// ---- guesses

/** Puts an id of A where a request takes one; the other run of the probe puts a random one there. */
type Guess = (idOfA: string) => string;

/** A random id of the kind `id` is: the answer must not tell them apart. */
function randomLike(id: string): string {
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)) return randomUUID();
  if (/^[0-9a-f]{32}$/.test(id)) return randomBytes(16).toString('hex');
  if (/^[0-9A-F]{20}$/.test(id)) return randomBytes(10).toString('hex').toUpperCase();
  // A service name, `<region>.<name>.<id>`: another id.
  const name = /^([a-z0-9-]+\.[\w-]+\.)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.exec(
    id,
  );
  if (name) return `${name[1]}${randomUUID()}`;
  const token = /^([\w-]+)\.([\w-]+)$/.exec(id);
  if (token) {
    const part = (n: number) => randomBytes(n).toString('base64url').slice(0, n);
    return `${part(token[1]!.length)}.${part(token[2]!.length)}`;
  }
  throw new Error(`no kind of id like ${id}`);
}

interface Probe {
  name: string;
  call(id: Guess): Call;
  /** Who sends it: B's admin token unless told; null sends no credential. */
  cred?(id: Guess): Credential | null;
  /** The credential itself is what is guessed: the answer is a 401, whatever the id. */
  refused?: boolean;
  /** Blanks what differs between any two calls that make something (the new thing's id). */
  mask?(body: Record<string, unknown>): void;
}

/** Ids of A a path parameter may name, by parameter, each with a label. */
const idsOfAFor = (): Record<string, [string, string][]> => ({
  vpc_id: [['VPC', A.vpc]],
  subnet_id: [['subnet', A.subnet]],
  routetable_id: [
    ['custom table', A.table],
    ['default table', A.defaultTable],
  ],
  vpc_endpoint_id: [
    ['endpoint', A.endpoint],
    ['interface endpoint', A.interfaceEndpoint],
  ],
  fault_id: [['fault', A.fault]],
  vpc_endpoint_service_id: [['own service', A.ownService]],
  port_id: [['port', A.port]],
  permission_id: [['permission', A.permission]],
  resource_id: [['endpoint', A.endpoint]],
  user_id: [
    ['admin', a.adminId],
    ['user', A.user],
  ],
  group_id: [
    ['admin group', A.adminGroup],
    ['group', A.group],
  ],
  // On IAM routes: the project a grant is about.
  project_id: [
    ['region project', a.projectId],
    ['sub-project', A.subProject],
  ],
  access_key: [
    ["admin's key", a.ak],
    ["user's key", A.userKey],
  ],
  domain_id: [['domain', a.domainId]],
  // Not ids of an account: a kind of resource, and the system roles every account shares.
  resource_type: [],
  role_id: [],
});

/** B's own thing for each parameter a probe does not guess, so the call gets as far as the guess. */
const ownOfB = (): Record<string, string> => ({
  project_id: b.projectId,
  vpc_id: B.vpc,
  subnet_id: B.subnet,
  routetable_id: B.table,
  vpc_endpoint_id: B.endpoint,
  fault_id: B.fault,
  vpc_endpoint_service_id: B.ownService,
  port_id: B.port,
  permission_id: B.permission,
  resource_type: 'endpoint',
  resource_id: B.endpoint,
  user_id: B.user,
  group_id: B.group,
  role_id: ROLE_VPCEP_READONLY,
  access_key: B.userKey,
  domain_id: b.domainId,
});

/** A valid body of B's, for the routes that take one. */
const bodyOfB = (): Record<string, unknown> => ({
  'POST /v3/users/:user_id/password': {
    user: { original_password: 'Not-the-password-1', password: 'Another-pass-2' },
  },
  'PUT /v3.0/OS-CREDENTIAL/credentials/:access_key': { credential: { description: 'guessed' } },
  'POST /v1/:project_id/vpcs': { vpc: { name: 'guess', cidr: '10.0.0.0/16' } },
  'POST /v1/:project_id/subnets': {
    subnet: { name: 'guess', cidr: '10.0.2.0/24', gateway_ip: '10.0.2.1', vpc_id: B.vpc },
  },
  'POST /v1/:project_id/routetables': { routetable: { vpc_id: B.vpc, name: 'guess' } },
  'PUT /v1/:project_id/routetables/:routetable_id': { routetable: { description: 'guessed' } },
  'POST /v1/:project_id/routetables/:routetable_id/action': {
    routetable: { subnets: { associate: [B.subnet] } },
  },
  'POST /v1/:project_id/vpc-endpoints': { endpoint_service_id: B.gatewayService, vpc_id: B.vpc },
  'PUT /v1/:project_id/vpc-endpoints/:vpc_endpoint_id/routetables': {
    routetables: [B.defaultTable, B.table],
  },
  'POST /vpcep/v1/:project_id/faults': { fault: { operation: 'bind', routetable_id: B.table, times: 1 } },
  'POST /v1/:project_id/ports': { port: { network_id: B.subnet } },
  'POST /v1/:project_id/vpc-endpoint-services': {
    port_id: B.port,
    vpc_id: B.vpc,
    server_type: 'VM',
    ports: [{ client_port: 1, server_port: 1 }],
  },
  'PUT /v1/:project_id/vpc-endpoint-services/:vpc_endpoint_service_id': { description: 'guessed' },
  'PUT /v1/:project_id/vpc-endpoint-services/:vpc_endpoint_service_id/name': {
    endpoint_service_name: 'guessed',
  },
  'POST /v1/:project_id/vpc-endpoint-services/:vpc_endpoint_service_id/permissions/action': {
    action: 'remove',
    permissions: ['*'],
  },
  'POST /v1/:project_id/vpc-endpoint-services/:vpc_endpoint_service_id/permissions/batch-create': {
    permissions: [{ permission: '*', description: 'guessed' }],
  },
  'POST /v1/:project_id/vpc-endpoint-services/:vpc_endpoint_service_id/permissions/batch-delete': {
    permissions: [{ id: B.permission }],
  },
  'PUT /v1/:project_id/vpc-endpoint-services/:vpc_endpoint_service_id/permissions/:permission_id': {
    permission: { description: 'guessed' },
  },
  'POST /v1/:project_id/vpc-endpoint-services/:vpc_endpoint_service_id/connections/action': {
    action: 'receive',
    endpoints: [B.interfaceEndpoint],
  },
  'PUT /v1/:project_id/vpc-endpoint-services/:vpc_endpoint_service_id/connections/description': {
    connections: [{ id: B.interfaceEndpoint, description: 'guessed' }],
  },
  'PUT /v1/:project_id/vpc-endpoints/:vpc_endpoint_id': { whitelist: ['10.0.0.1'], enable_whitelist: true },
  'PUT /v1/:project_id/vpc-endpoints/:vpc_endpoint_id/policy': { policy_document: { Version: '5.0' } },
});

function servedRoutes(): RouteDef[] {
  const deps = {
    config: w.config,
    store: w.store,
    clock: w.clock,
    ids: randomIds,
    log: pino({ level: 'silent' }),
  };
  return allRoutes(deps, new Identity(deps), new Accounts(deps), () => false);
}

/**
 * From the route list: every path parameter of every route that takes a credential, with each id
 * of A it may name (the rest B's own); and every project route in A's project, by B's token and by
 * B's signature. A route with a parameter this file has no ids for fails here.
 */
function routeProbes(): Probe[] {
  const out: Probe[] = [];
  const guesses = idsOfAFor();
  const bodies = bodyOfB();
  for (const r of servedRoutes()) {
    if (r.auth === false) continue;
    const route = `${r.method} ${r.url}`;
    const params = [...r.url.matchAll(/:([a-z_]+)/g)].map((m) => m[1]!);
    const inProject = r.api !== 'iam' && params.includes('project_id');
    const body = r.method === 'POST' || r.method === 'PUT' ? (bodies[route] ?? {}) : undefined;
    const url = (values: Record<string, string>) =>
      r.url.replace(/:([a-z_]+)/g, (_m, p: string) => values[p] ?? ownOfB()[p]!);
    const refused = r.auth === 'operator';
    for (const param of params) {
      if (inProject && param === 'project_id') continue;
      const ids = guesses[param];
      assert.ok(ids, `${route}: no id of A to try as :${param}`);
      for (const [what, idOfA] of ids) {
        out.push({
          name: `${route}, :${param} = A's ${what}`,
          call: (id) => ({ method: r.method, url: url({ [param]: id(idOfA) }), body }),
          refused,
        });
      }
    }
    if (inProject) {
      const call = (id: Guess): Call => ({
        method: r.method,
        url: url({ project_id: id(a.projectId) }),
        body,
      });
      out.push({ name: `${route}, in A's project, B's token`, call });
      out.push({ name: `${route}, in A's project, B's AK/SK`, call, cred: () => ({ ak: b.ak, sk: b.sk }) });
    }
  }
  return out;
}

/**
 * Ids of A in query filters, in bodies, and in credentials. ListRouteTables' `marker` is left out:
 * it is a position in B's own list (ids after it), so its answer depends on how the guess sorts
 * against B's ids, for A's ids and random ones alike, and tells nothing of A.
 */
function referenceProbes(): Probe[] {
  const p = `/v1/${b.projectId}`;
  const get = (url: string): Call => ({ method: 'GET', url });
  const post = (url: string, body: unknown): Call => ({ method: 'POST', url, body });
  const put = (url: string, body: unknown): Call => ({ method: 'PUT', url, body });
  const subnet = (vpcId: string) => ({
    subnet: { name: 'guess', cidr: '10.0.3.0/24', gateway_ip: '10.0.3.1', vpc_id: vpcId },
  });
  const tokenAuth = (token: string) => ({
    auth: { identity: { methods: ['token'], token: { id: token, duration_seconds: 900 } } },
  });
  return [
    // Query filters
    { name: 'ListSubnets ?vpc_id', call: (id) => get(`${p}/subnets?vpc_id=${id(A.vpc)}`) },
    { name: 'ListRouteTables ?vpc_id', call: (id) => get(`${p}/routetables?vpc_id=${id(A.vpc)}`) },
    { name: 'ListRouteTables ?id', call: (id) => get(`${p}/routetables?id=${id(A.table)}`) },
    { name: 'ListRouteTables ?subnet_id', call: (id) => get(`${p}/routetables?subnet_id=${id(A.subnet)}`) },
    { name: 'ListEndpoints ?vpc_id', call: (id) => get(`${p}/vpc-endpoints?vpc_id=${id(A.vpc)}`) },
    { name: 'ListEndpoints ?id', call: (id) => get(`${p}/vpc-endpoints?id=${id(A.endpoint)}`) },
    { name: 'ListPorts ?id', call: (id) => get(`/v3/${b.projectId}/ports?id=${id(A.port)}`) },
    { name: 'ListPorts ?vpc_id', call: (id) => get(`/v3/${b.projectId}/ports?vpc_id=${id(A.vpc)}`) },
    {
      name: 'ListPorts ?virsubnet_id',
      call: (id) => get(`/v3/${b.projectId}/ports?virsubnet_id=${id(A.subnet)}`),
    },
    {
      name: "ListEndpointService ?id (A's own service)",
      call: (id) => get(`${p}/vpc-endpoint-services?id=${id(A.ownService)}`),
    },
    {
      name: "ListEndpointService ?endpoint_service_name (A's own service)",
      call: (id) => get(`${p}/vpc-endpoint-services?endpoint_service_name=${id(ownServiceNameOfA)}`),
    },
    {
      name: "ListServicePublicDetails ?id (A's own service)",
      call: (id) => get(`${p}/vpc-endpoint-services/public?id=${id(A.ownService)}`),
    },
    {
      name: "ListServiceDescribeDetails ?id (A's own service)",
      call: (id) => get(`${p}/vpc-endpoint-services/describe?id=${id(A.ownService)}`),
    },
    {
      name: "ListServiceDescribeDetails ?endpoint_service_name (A's own service)",
      call: (id) => get(`${p}/vpc-endpoint-services/describe?endpoint_service_name=${id(ownServiceNameOfA)}`),
    },
    {
      name: "ListServicePublicDetails ?endpoint_service_name (A's own service)",
      call: (id) => get(`${p}/vpc-endpoint-services/public?endpoint_service_name=${id(ownServiceNameOfA)}`),
    },
    {
      name: "ListEndpoints ?endpoint_service_name (A's own service)",
      call: (id) => get(`${p}/vpc-endpoints?endpoint_service_name=${id(ownServiceNameOfA)}`),
    },
    { name: 'KeystoneListUsers ?domain_id', call: (id) => get(`/v3/users?domain_id=${id(a.domainId)}`) },
    {
      name: 'KeystoneListPermissions ?domain_id',
      call: (id) => get(`/v3/roles?domain_id=${id(a.domainId)}`),
    },
    { name: 'KeystoneListGroups ?domain_id', call: (id) => get(`/v3/groups?domain_id=${id(a.domainId)}`) },
    {
      name: 'KeystoneListProjects ?domain_id',
      call: (id) => get(`/v3/projects?domain_id=${id(a.domainId)}`),
    },
    {
      name: 'ListPermanentAccessKeys ?user_id',
      call: (id) => get(`/v3.0/OS-CREDENTIAL/credentials?user_id=${id(A.user)}`),
    },

    // References in bodies
    { name: 'CreateSubnet vpc_id', call: (id) => post(`${p}/subnets`, subnet(id(A.vpc))) },
    {
      name: 'CreateRouteTable vpc_id',
      call: (id) => post(`${p}/routetables`, { routetable: { vpc_id: id(A.vpc), name: 'guess' } }),
    },
    {
      name: 'AssociateRouteTable associate [subnet]',
      call: (id) =>
        post(`${p}/routetables/${B.table}/action`, {
          routetable: { subnets: { associate: [id(A.subnet)] } },
        }),
    },
    {
      name: 'AssociateRouteTable disassociate [subnet]',
      call: (id) =>
        post(`${p}/routetables/${B.table}/action`, {
          routetable: { subnets: { disassociate: [id(A.subnet)] } },
        }),
    },
    {
      name: 'CreatePort network_id',
      call: (id) => post(`${p}/ports`, { port: { network_id: id(A.subnet) } }),
    },
    {
      name: 'CreateEndpointService port_id',
      call: (id) =>
        post(`${p}/vpc-endpoint-services`, {
          port_id: id(A.port),
          vpc_id: B.vpc,
          server_type: 'VM',
          ports: [{ client_port: 1, server_port: 1 }],
        }),
    },
    {
      name: 'CreateEndpointService vpc_id',
      call: (id) =>
        post(`${p}/vpc-endpoint-services`, {
          port_id: B.port,
          vpc_id: id(A.vpc),
          server_type: 'VM',
          ports: [{ client_port: 1, server_port: 1 }],
        }),
    },
    {
      name: "AddOrRemoveServicePermissions remove [A's domain]",
      call: (id) =>
        post(`${p}/vpc-endpoint-services/${B.ownService}/permissions/action`, {
          action: 'remove',
          permissions: [`iam:domain::${id(a.domainId)}`],
        }),
    },
    {
      name: "BatchRemoveEndpointServicePermissions [A's permission]",
      call: (id) =>
        post(`${p}/vpc-endpoint-services/${B.ownService}/permissions/batch-delete`, {
          permissions: [{ id: id(A.permission) }],
        }),
    },
    {
      name: "ListServicePermissionsDetails ?permission (A's domain)",
      call: (id) =>
        get(`${p}/vpc-endpoint-services/${B.ownService}/permissions?permission=${id(a.domainId)}`),
    },
    {
      name: "AcceptOrRejectEndpoint endpoints [A's interface endpoint]",
      call: (id) =>
        post(`${p}/vpc-endpoint-services/${B.ownService}/connections/action`, {
          action: 'reject',
          endpoints: [id(A.interfaceEndpoint)],
        }),
    },
    {
      name: "UpdateEndpointConnectionsDesc [A's interface endpoint]",
      call: (id) =>
        put(`${p}/vpc-endpoint-services/${B.ownService}/connections/description`, {
          connections: [{ id: id(A.interfaceEndpoint), description: 'guessed' }],
        }),
    },
    {
      name: "ListServiceConnections ?id (A's interface endpoint)",
      call: (id) =>
        get(`${p}/vpc-endpoint-services/${B.ownService}/connections?id=${id(A.interfaceEndpoint)}`),
    },
    {
      name: 'UpdateEndpointService port_id',
      call: (id) => put(`${p}/vpc-endpoint-services/${B.ownService}`, { port_id: id(A.port) }),
    },
    {
      name: 'CreateEndpoint vpc_id',
      call: (id) => post(`${p}/vpc-endpoints`, { endpoint_service_id: B.gatewayService, vpc_id: id(A.vpc) }),
    },
    {
      name: "CreateEndpoint endpoint_service_id (A's own service)",
      call: (id) =>
        post(`${p}/vpc-endpoints`, {
          endpoint_service_id: id(A.ownService),
          vpc_id: B.vpc,
          subnet_id: B.subnet,
        }),
    },
    {
      name: 'CreateEndpoint subnet_id',
      call: (id) =>
        post(`${p}/vpc-endpoints`, {
          endpoint_service_id: B.ownService,
          vpc_id: B.vpc,
          subnet_id: id(A.subnet),
        }),
    },
    {
      name: 'CreateEndpoint routetables [custom table]',
      call: (id) =>
        post(`${p}/vpc-endpoints`, {
          endpoint_service_id: B.gatewayService,
          vpc_id: B.vpc,
          routetables: [id(A.table)],
        }),
    },
    {
      name: 'UpdateEndpointRoutetable routetables [custom table]',
      call: (id) => put(`${p}/vpc-endpoints/${B.endpoint}/routetables`, { routetables: [id(A.table)] }),
    },
    {
      name: "UpdateEndpointRoutetable routetables [B's default table, A's default table]",
      call: (id) =>
        put(`${p}/vpc-endpoints/${B.endpoint}/routetables`, {
          routetables: [B.defaultTable, id(A.defaultTable)],
        }),
    },
    {
      // Made, as for any id: a fault names a table by id and fires only in its own project.
      name: 'CreateFault routetable_id',
      call: (id) =>
        post(`/vpcep/v1/${b.projectId}/faults`, {
          fault: { operation: 'bind', routetable_id: id(A.table), times: 1 },
        }),
      mask: (body) => ((body.fault as { id: string }).id = '<new>'),
    },
    {
      name: 'KeystoneCreateUser domain_id',
      call: (id) => post('/v3/users', { user: { name: 'guess', domain_id: id(a.domainId) } }),
    },
    {
      name: 'KeystoneCreateGroup domain_id',
      call: (id) => post('/v3/groups', { group: { name: 'guess', domain_id: id(a.domainId) } }),
    },
    {
      name: 'KeystoneCreateProject parent_id',
      call: (id) =>
        post('/v3/projects', { project: { name: `${b.projectName}_guess`, parent_id: id(a.projectId) } }),
    },
    {
      name: 'KeystoneCreateProject domain_id',
      call: (id) =>
        post('/v3/projects', {
          project: { name: `${b.projectName}_guess`, parent_id: b.projectId, domain_id: id(a.domainId) },
        }),
    },
    {
      name: 'CreatePermanentAccessKey user_id',
      call: (id) => post('/v3.0/OS-CREDENTIAL/credentials', { credential: { user_id: id(A.user) } }),
    },

    // Tokens, scopes and keys
    {
      name: "KeystoneValidateToken X-Subject-Token (A's admin token)",
      call: (id) => ({ method: 'GET', url: '/v3/auth/tokens', headers: { 'x-subject-token': id(a.token) } }),
    },
    {
      name: "CreateTemporaryAccessKeyByToken token.id (A's admin token)",
      call: (id) => post('/v3.0/OS-CREDENTIAL/securitytokens', tokenAuth(id(a.token))),
      refused: true,
    },
    {
      name: "KeystoneCreateUserTokenByPassword, B's admin scoped to A's project id",
      call: (id) =>
        post('/v3/auth/tokens', {
          auth: {
            identity: {
              methods: ['password'],
              password: {
                user: { name: 'admin', password: b.adminPassword, domain: { name: b.domainName } },
              },
            },
            scope: { project: { id: id(a.projectId) } },
          },
        }),
      cred: () => null,
      refused: true,
    },
    {
      name: "B's signature with X-Project-Id of A's project",
      call: (id) => ({ method: 'GET', url: `${p}/vpcs`, headers: { 'X-Project-Id': id(a.projectId) } }),
      cred: () => ({ ak: b.ak, sk: b.sk }),
    },
    {
      name: "B's signature with X-Domain-Id of A's domain",
      call: (id) => ({ method: 'GET', url: '/v3/auth/projects', headers: { 'X-Domain-Id': id(a.domainId) } }),
      cred: () => ({ ak: b.ak, sk: b.sk }),
    },
    {
      name: "A's admin access key, signed with B's secret",
      call: () => get(`${p}/vpcs`),
      cred: (id) => ({ ak: id(a.ak), sk: b.sk }),
      refused: true,
    },
    {
      name: "A's user's access key, signed with B's secret",
      call: () => get('/v3/auth/projects'),
      cred: (id) => ({ ak: id(A.userKey), sk: b.sk }),
      refused: true,
    },
  ];
}

/** Everything of A's that B must never read unless it named it, the public gateway service aside. */
const secretsOfA = () => [
  a.domainId,
  a.projectId,
  a.adminId,
  a.ak,
  a.token,
  ownServiceNameOfA,
  ...Object.entries(A)
    .filter(([k]) => k !== 'gatewayService')
    .map(([, v]) => v),
];

async function answer(p: Probe, id: Guess): Promise<{ call: Call; res: Reply }> {
  const call = p.call(id);
  const cred = p.cred ? p.cred(id) : { token: b.token };
  const res =
    cred === null
      ? await send(w.app, call.method, call.url, call.headers, call.body)
      : await callAs(w, cred, call);
  return { call, res };
}

/** Status, content type and body, without the request id, with each guessed id blanked by its place. */
function blanked(res: Reply, guesses: [string, string][], side: 0 | 1, mask: Probe['mask']) {
  let text = res.raw;
  if (typeof res.body === 'object' && res.body !== null) {
    const body = structuredClone(res.body) as Record<string, unknown>;
    delete body.request_id;
    mask?.(body);
    text = JSON.stringify(body);
  }
  guesses.forEach((pair, i) => {
    text = text.replaceAll(pair[side], `<guess ${i}>`);
  });
  return { status: res.status, type: res.headers['content-type'], body: text };
}

test("B naming A's ids: every answer is the one a random id of the same kind gets", async (t) => {
  const probes = [...routeProbes(), ...referenceProbes()];
  assert.ok(probes.length > 100, `${probes.length} probes`);
  for (const p of probes) {
    await t.test(p.name, async () => {
      const guessed = new Map<string, string>();
      const ofA = await answer(p, (x) => {
        if (!guessed.has(x)) guessed.set(x, randomLike(x));
        return x;
      });
      const ofRandom = await answer(p, (x) => guessed.get(x)!);
      assert.ok(guessed.size > 0, 'the probe names no id of A');
      const pairs = [...guessed];
      assert.deepEqual(blanked(ofA.res, pairs, 0, p.mask), blanked(ofRandom.res, pairs, 1, p.mask));
      // B's credential holds: the answer comes from the lookup, not from the gateway's 401.
      if (!p.refused) assert.notEqual(ofA.res.status, 401, ofA.res.raw);
      const sent = JSON.stringify(ofA.call);
      for (const secret of secretsOfA()) {
        assert.ok(!ofA.res.raw.includes(secret) || sent.includes(secret), `A's ${secret} in: ${ofA.res.raw}`);
      }
    });
  }
});

test("A's rows are as they were, byte for byte; what B's calls added is B's", async () => {
  const now = await snapshot();
  for (const table of TABLES) {
    const added = [...now[table]!];
    for (const row of rowsBefore[table]!) {
      const at = added.indexOf(row);
      assert.ok(at >= 0, `${table}: a row changed or went: ${row}`);
      added.splice(at, 1);
    }
    for (const row of added) {
      const r = JSON.parse(row) as { project_id?: string };
      // B's faults naming A's table (and random ones), and their audit rows.
      assert.ok(['faults', 'audit_log'].includes(table), `${table}: a row added: ${row}`);
      assert.equal(r.project_id, b.projectId, `${table}: a row added outside B's project: ${row}`);
    }
  }
});

test("B's fault naming A's table never fires on A's calls", async () => {
  const bw = tenantWorld(w, b.projectId, () => b.token);
  const faults = (await listFaults(bw)) as { routetable_id: string }[];
  assert.ok(faults.some((f) => f.routetable_id === A.table));
  const aw = tenantWorld(w, a.projectId, () => a.token);
  ok(await rebind(aw, A.endpoint, [A.defaultTable]));
  const res = ok(await rebind(aw, A.endpoint, [A.defaultTable, A.table]));
  assert.deepEqual(res.body, { routetables: sorted([A.defaultTable, A.table]) });
});
