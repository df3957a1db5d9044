// Every operation the server serves has an SDK method (issue 13, "SDK as a package"): the table
// below names one call per operation, a route without an entry fails the first test, and each call,
// sent over real HTTP to a listening server, must reach the operation it stands for (the server's
// own routing says which one it reached).
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { isNotImplemented } from '../../src/http/routes/not-implemented.ts';
import { VpcepClient } from '../../src/sdk/client.ts';
import { VpcepError } from '../../src/sdk/errors.ts';
import { OperatorClient } from '../../src/sdk/operator.ts';
import { appRoutes } from '../helpers/routes.ts';
import { makeWorld, OPERATOR_KEY, PASSWORD, PROJECT_ID, type World } from '../helpers/world.ts';

const AK = 'E2ECOVERAGEAK0000000';
const SK = 'e2ecoveragesk000000000000000000000000000';
/** An id that names nothing: the calls that take one reach their operation and answer an error. */
const NONE = '0123456789abcdef0123456789abcdef';

/**
 * The published version calls are the API's; the other `meta` routes (health and readiness probes,
 * and whatever else serves orchestrators or browsers rather than API clients) are not SDK calls.
 */
const VERSION_CALLS = new Set(['ListVersionDetails', 'ListSpecifiedVersionDetails']);
const isSdkOperation = (r: { api: string; operationId: string }) =>
  r.api !== 'meta' || VERSION_CALLS.has(r.operationId);

interface Clients {
  c: VpcepClient;
  /** The same account with a password: its first call logs in. */
  password: VpcepClient;
  op: OperatorClient;
}

/** One SDK call per served operation. */
const CALLS: Record<string, (s: Clients) => Promise<unknown>> = {
  ListVersionDetails: ({ c }) => c.versions(),
  ListSpecifiedVersionDetails: ({ c }) => c.version('v1'),

  KeystoneCreateUserTokenByPassword: ({ password }) => password.iam.login(),
  KeystoneValidateToken: ({ c }) => c.iam.validateToken('not-a-token'),
  KeystoneListProjects: ({ c }) => c.iam.listProjects({ name: 'cn-north-4' }),
  KeystoneListAuthProjects: ({ c }) => c.iam.listAuthProjects(),
  KeystoneListAuthDomains: ({ c }) => c.iam.listAuthDomains(),
  KeystoneCreateProject: ({ c }) =>
    c.projects.create({ project: { name: 'cn-north-4_cov', parent_id: PROJECT_ID } }),
  KeystoneShowProject: ({ c }) => c.projects.get(PROJECT_ID),
  KeystoneCreateUser: ({ c }) => c.users.create({ user: { name: 'coverage', password: 'Coverage-Pass-1' } }),
  KeystoneListUsers: ({ c }) => c.users.list(),
  KeystoneShowUser: ({ c }) => c.users.get(NONE),
  KeystoneDeleteUser: ({ c }) => c.users.delete(NONE),
  KeystoneUpdateUserPassword: ({ c }) =>
    c.users.changePassword(NONE, { user: { original_password: 'Old-Pass-1', password: 'New-Pass-1' } }),
  KeystoneCreateGroup: ({ c }) => c.groups.create({ group: { name: 'coverage' } }),
  KeystoneListGroups: ({ c }) => c.groups.list(),
  KeystoneDeleteGroup: ({ c }) => c.groups.delete(NONE),
  KeystoneListUsersForGroupByAdmin: ({ c }) => c.groups.listUsers(NONE),
  KeystoneAddUserToGroup: ({ c }) => c.groups.addUser(NONE, NONE),
  KeystoneRemoveUserFromGroup: ({ c }) => c.groups.removeUser(NONE, NONE),
  KeystoneListPermissions: ({ c }) => c.roles.list(),
  KeystoneListProjectPermissionsForGroup: ({ c }) => c.groups.listRoles(PROJECT_ID, NONE),
  KeystoneAssociateGroupWithProjectPermission: ({ c }) => c.groups.grantRole(PROJECT_ID, NONE, NONE),
  KeystoneRemoveProjectPermissionFromGroup: ({ c }) => c.groups.revokeRole(PROJECT_ID, NONE, NONE),
  CreatePermanentAccessKey: ({ c }) => c.accessKeys.create({ credential: { user_id: NONE } }),
  ListPermanentAccessKeys: ({ c }) => c.accessKeys.list(),
  ShowPermanentAccessKey: ({ c }) => c.accessKeys.get(AK),
  UpdatePermanentAccessKey: ({ c }) => c.accessKeys.update('NOSUCHKEY00000000000', { credential: {} }),
  DeletePermanentAccessKey: ({ c }) => c.accessKeys.delete('NOSUCHKEY00000000000'),
  CreateTemporaryAccessKeyByToken: ({ password }) => password.accessKeys.createTemporary(),

  CreateAccount: ({ op }) => op.accounts.create('coverage'),
  ListAccounts: ({ op }) => op.accounts.list(),
  DeleteAccount: ({ op }) => op.accounts.delete(NONE),
  UpdateAccountQuotas: ({ op }) => op.accounts.setQuotas(NONE, { endpoint: 5 }),

  CreateVpc: ({ c }) => c.vpcs.create({ vpc: { name: 'coverage', cidr: '10.9.0.0/16' } }),
  ListVpcs: ({ c }) => c.vpcs.list(),
  ShowVpc: ({ c }) => c.vpcs.get(NONE),
  DeleteVpc: ({ c }) => c.vpcs.delete(NONE),
  CreateSubnet: ({ c }) =>
    c.subnets.create({ subnet: { name: 'sn', cidr: '10.9.1.0/24', gateway_ip: '10.9.1.1', vpc_id: NONE } }),
  ListSubnets: ({ c }) => c.subnets.list(),
  ShowSubnet: ({ c }) => c.subnets.get(NONE),
  DeleteSubnet: ({ c }) => c.subnets.delete(NONE, NONE),
  ListRouteTables: ({ c }) => c.routetables.list(),
  CreateRouteTable: ({ c }) => c.routetables.create({ routetable: { vpc_id: NONE } }),
  ShowRouteTable: ({ c }) => c.routetables.get(NONE),
  UpdateRouteTable: ({ c }) => c.routetables.update(NONE, { routetable: { description: 'x' } }),
  DeleteRouteTable: ({ c }) => c.routetables.delete(NONE),
  AssociateRouteTable: ({ c }) =>
    c.routetables.associate(NONE, { routetable: { subnets: { associate: [NONE] } } }),
  CreatePort: ({ c }) => c.ports.create({ port: { network_id: NONE } }),
  ListPorts: ({ c }) => c.ports.list(),
  DeletePort: ({ c }) => c.ports.delete(NONE),

  ListServicePublicDetails: ({ c }) => c.services.listPublic(),
  ListServiceDescribeDetails: ({ c }) => c.services.describe({ id: NONE }),
  CreateEndpointService: ({ c }) =>
    c.services.create({
      port_id: NONE,
      vpc_id: NONE,
      server_type: 'VM',
      ports: [{ client_port: 80, server_port: 80 }],
    }),
  ListEndpointService: ({ c }) => c.services.list(),
  ListServiceDetails: ({ c }) => c.services.get(NONE),
  UpdateEndpointService: ({ c }) => c.services.update(NONE, { description: 'x' }),
  UpdateEndpointServiceName: ({ c }) => c.services.rename(NONE, { endpoint_service_name: 'x' }),
  DeleteEndpointService: ({ c }) => c.services.delete(NONE),
  ListServicePermissionsDetails: ({ c }) => c.permissions.list(NONE),
  AddOrRemoveServicePermissions: ({ c }) =>
    c.permissions.addOrRemove(NONE, { action: 'add', permissions: ['*'] }),
  BatchAddEndpointServicePermissions: ({ c }) =>
    c.permissions.batchAdd(NONE, { permissions: [{ permission: '*', description: '' }] }),
  BatchRemoveEndpointServicePermissions: ({ c }) =>
    c.permissions.batchRemove(NONE, { permissions: [{ id: NONE }] }),
  UpdateEndpointServicePermissionDesc: ({ c }) =>
    c.permissions.updateDescription(NONE, NONE, { permission: { description: 'x' } }),
  ListServiceConnections: ({ c }) => c.connections.list(NONE),
  AcceptOrRejectEndpoint: ({ c }) =>
    c.connections.acceptOrReject(NONE, { action: 'receive', endpoints: [NONE] }),
  UpdateEndpointConnectionsDesc: ({ c }) =>
    c.connections.updateDescriptions(NONE, { connections: [{ id: NONE, description: 'x' }] }),
  CreateEndpoint: ({ c }) => c.endpoints.create({ endpoint_service_id: NONE, vpc_id: NONE }),
  ListEndpoints: ({ c }) => c.endpoints.list(),
  ListEndpointInfoDetails: ({ c }) => c.endpoints.get(NONE),
  DeleteEndpoint: ({ c }) => c.endpoints.delete(NONE),
  UpdateEndpointRoutetable: ({ c }) => c.endpoints.updateRoutetables(NONE, { routetables: [NONE] }),
  UpdateEndpointWhite: ({ c }) => c.endpoints.updateWhitelist(NONE, { whitelist: [] }),
  UpdateEndpointPolicy: ({ c }) => c.endpoints.updatePolicy(NONE, { policy_statement: [] }),
  DeleteEndpointPolicy: ({ c }) => c.endpoints.deletePolicy(NONE),
  BatchAddOrRemoveResourceInstance: ({ c }) =>
    c.tags.addOrRemove('endpoint', NONE, { action: 'create', tags: [{ key: 'k', value: 'v' }] }),
  ListQueryProjectResourceTags: ({ c }) => c.tags.listProjectTags('endpoint_service'),
  ListResourceInstances: ({ c }) => c.tags.listInstances('endpoint', { action: 'count' }),
  ListQuotaDetails: ({ c }) => c.quotas.list(),

  ListAuditEvents: ({ c }) => c.audit.list({ limit: 1 }),

  ListFaults: ({ c }) => c.faults.list(),
  CreateFault: ({ c }) => c.faults.add({ fault: { operation: 'bind', routetable_id: '*', times: 1 } }),
  DeleteFault: ({ c }) => c.faults.remove(NONE),
};

let w: World;
let clients: Clients;
/** The operation each request reached, in order (undefined: no route; the 405 of a known path). */
const reached: (string | undefined)[] = [];

before(async () => {
  w = await makeWorld({ adminAk: AK, adminSk: SK }, undefined, (app) =>
    app.addHook('onResponse', async (request) => {
      reached.push((request.routeOptions.config as { operationId?: string }).operationId);
    }),
  );
  await w.app.listen({ port: 0, host: '127.0.0.1' });
  const endpoint = `http://127.0.0.1:${(w.app.server.address() as AddressInfo).port}`;
  const client = (credentials: ConstructorParameters<typeof VpcepClient>[0]['credentials']) =>
    new VpcepClient({ endpoint, projectId: PROJECT_ID, credentials, clock: w.clock, retry: false });
  clients = {
    c: client({ ak: AK, sk: SK }),
    password: client({ user: 'admin', password: PASSWORD, domain: 'vpcep' }),
    op: new OperatorClient({ endpoint, operatorKey: OPERATOR_KEY, retry: false }),
  };
});
after(() => w.close());

test('every operation the server serves has an SDK call, and the table names no other', () => {
  const served = appRoutes()
    .filter((r) => !isNotImplemented(r) && isSdkOperation(r))
    .map((r) => r.operationId);
  const missing = served.filter((id) => !(id in CALLS));
  assert.deepEqual(missing, [], 'served operations without an SDK method');
  const unknown = Object.keys(CALLS).filter((id) => !served.includes(id));
  assert.deepEqual(unknown, [], 'SDK calls of operations the server does not serve');
});

test('each SDK call reaches the operation it stands for', async () => {
  const wrong: string[] = [];
  for (const [operationId, call] of Object.entries(CALLS)) {
    const mark = reached.length;
    try {
      await call(clients);
    } catch (e) {
      // An answer other than 2xx still says which operation answered; only a VpcepError is expected.
      if (!(e instanceof VpcepError)) throw e;
    }
    const last = reached.slice(mark).at(-1);
    if (last !== operationId) wrong.push(`${operationId}: reached ${last ?? 'no operation'}`);
  }
  assert.deepEqual(wrong, []);
});
