import { ApiError } from '../../domain/errors.ts';
import type { AccessKeys } from '../../service/access-keys.ts';
import type { Directory, SelfLink } from '../../service/directory.ts';
import type { Identity } from '../../service/identity.ts';
import {
  CreateGroupBody,
  CreateProjectBody,
  CreateUserBody,
  GrantParams,
  GroupAnswer,
  GroupList,
  GroupParams,
  GroupProjectParams,
  GroupUserParams,
  ListGroupsQuery,
  ListRolesQuery,
  ListUsersQuery,
  ProjectAnswer,
  ProjectIdParams,
  RoleList,
  SecurityTokenAnswer,
  SecurityTokenBody,
  UpdatePasswordBody,
  UserAnswer,
  UserList,
  UserParams,
  AccessKeyAnswer,
  AccessKeyList,
  AccessParams,
  CreateAccessKeyBody,
  CreatedAccessKeyAnswer,
  DomainList,
  ListAccessKeysQuery,
  ListProjectsQuery,
  ProjectList,
  TokenBody,
  TokenQuery,
  TokenRequest,
  UpdateAccessKeyBody,
} from '../../wire/iam.ts';
import { route } from '../route.ts';

type Req = { protocol: string; host: string; url: string };

const links = (request: Req) => ({
  self: `${request.protocol}://${request.host}${request.url}`,
  previous: null,
  next: null,
});

/** `links.self` of an item: the server's address and the item's path. */
const selfLink =
  (request: Req): SelfLink =>
  (path) => ({ self: `${request.protocol}://${request.host}${path}` });

/** IAM-compatible identity calls (api-surface.md §1, signing.md "How the SDK finds the project"). */
export function iamRoutes(identity: Identity, accessKeys: AccessKeys, directory: Directory) {
  return [
    ...directoryRoutes(directory),
    route({
      method: 'GET',
      url: '/v3/projects',
      api: 'iam',
      operationId: 'KeystoneListProjects',
      auth: true,
      schema: { querystring: ListProjectsQuery, response: { 200: ProjectList } },
      handler: async ({ caller, query, request }) => ({
        projects: (await identity.projects(caller, query.name)).filter(
          (p) => query.domain_id === undefined || p.domain_id === query.domain_id,
        ),
        links: links(request),
      }),
    }),
    route({
      method: 'GET',
      url: '/v3/auth/projects',
      api: 'iam',
      operationId: 'KeystoneListAuthProjects',
      auth: true,
      schema: { response: { 200: ProjectList } },
      handler: async ({ caller, request }) => ({
        projects: await identity.projects(caller),
        links: links(request),
      }),
    }),
    route({
      method: 'GET',
      url: '/v3/auth/domains',
      api: 'iam',
      operationId: 'KeystoneListAuthDomains',
      auth: true,
      schema: { response: { 200: DomainList } },
      handler: async ({ caller, request }) => ({ domains: identity.domains(caller), links: links(request) }),
    }),
    route({
      method: 'POST',
      url: '/v3.0/OS-CREDENTIAL/credentials',
      api: 'iam',
      operationId: 'CreatePermanentAccessKey',
      auth: true,
      status: 201,
      schema: { body: CreateAccessKeyBody, response: { 201: CreatedAccessKeyAnswer } },
      handler: async ({ caller, body }) => ({ credential: await accessKeys.create(caller, body.credential) }),
    }),
    route({
      method: 'GET',
      url: '/v3.0/OS-CREDENTIAL/credentials',
      api: 'iam',
      operationId: 'ListPermanentAccessKeys',
      auth: true,
      schema: { querystring: ListAccessKeysQuery, response: { 200: AccessKeyList } },
      handler: async ({ caller, query }) => ({ credentials: await accessKeys.list(caller, query.user_id) }),
    }),
    route({
      method: 'GET',
      url: '/v3.0/OS-CREDENTIAL/credentials/:access_key',
      api: 'iam',
      operationId: 'ShowPermanentAccessKey',
      auth: true,
      schema: { params: AccessParams, response: { 200: AccessKeyAnswer } },
      handler: async ({ caller, params }) => ({
        credential: await accessKeys.get(caller, params.access_key),
      }),
    }),
    route({
      method: 'PUT',
      url: '/v3.0/OS-CREDENTIAL/credentials/:access_key',
      api: 'iam',
      operationId: 'UpdatePermanentAccessKey',
      auth: true,
      schema: { params: AccessParams, body: UpdateAccessKeyBody, response: { 200: AccessKeyAnswer } },
      handler: async ({ caller, params, body }) => ({
        credential: await accessKeys.update(caller, params.access_key, body.credential),
      }),
    }),
    route({
      method: 'DELETE',
      url: '/v3.0/OS-CREDENTIAL/credentials/:access_key',
      api: 'iam',
      operationId: 'DeletePermanentAccessKey',
      auth: true,
      status: 204,
      schema: { params: AccessParams },
      handler: ({ caller, params }) => accessKeys.delete(caller, params.access_key),
    }),
    route({
      method: 'POST',
      url: '/v3/auth/tokens',
      api: 'iam',
      operationId: 'KeystoneCreateUserTokenByPassword',
      auth: false,
      status: 201,
      schema: { body: TokenRequest, querystring: TokenQuery, response: { 201: TokenBody } },
      handler: async ({ body, reply, request }) => {
        const { identity: id, scope } = body.auth;
        if (!id.methods.includes('password'))
          throw new ApiError('IAM.0400', 'Only the password method is supported.');
        if (scope.project.id === undefined && scope.project.name === undefined) {
          throw new ApiError('IAM.0400', 'scope.project needs an id or a name.');
        }
        const issued = await identity.login({
          user: id.password.user.name,
          password: id.password.user.password,
          domain: id.password.user.domain.name,
          project: scope.project,
          address: request.ip,
        });
        reply.header('X-Subject-Token', issued.token);
        return issued.body;
      },
    }),
    route({
      method: 'GET',
      url: '/v3/auth/tokens',
      api: 'iam',
      operationId: 'KeystoneValidateToken',
      auth: true,
      schema: { querystring: TokenQuery, response: { 200: TokenBody } },
      handler: async ({ caller, request, reply }) => {
        const subject = request.headers['x-subject-token'];
        const checked = await identity.validate(caller, typeof subject === 'string' ? subject : undefined);
        reply.header('X-Subject-Token', checked.token);
        return checked.body;
      },
    }),
    route({
      method: 'POST',
      url: '/v3.0/OS-CREDENTIAL/securitytokens',
      api: 'iam',
      operationId: 'CreateTemporaryAccessKeyByToken',
      auth: true,
      status: 201,
      schema: { body: SecurityTokenBody, response: { 201: SecurityTokenAnswer } },
      handler: async ({ caller, body, request }) => {
        const token = body.auth.identity.token;
        const header = request.headers['x-auth-token'];
        return {
          credential: await identity.temporaryKey(caller, {
            // The token in the body, or else the one the call came with, or else the caller itself.
            token: token?.id ?? (typeof header === 'string' && header !== '' ? header : undefined),
            duration_seconds: token?.duration_seconds,
          }),
        };
      },
    }),
  ];
}

/** An account admin's calls: users, projects, groups and their grants (issue 10). */
function directoryRoutes(directory: Directory) {
  return [
    route({
      method: 'POST',
      url: '/v3/users',
      api: 'iam',
      operationId: 'KeystoneCreateUser',
      auth: true,
      status: 201,
      schema: { body: CreateUserBody, response: { 201: UserAnswer } },
      handler: async ({ caller, body, request }) => ({
        user: await directory.createUser(caller, body.user, selfLink(request)),
      }),
    }),
    route({
      method: 'GET',
      url: '/v3/users',
      api: 'iam',
      operationId: 'KeystoneListUsers',
      auth: true,
      schema: { querystring: ListUsersQuery, response: { 200: UserList } },
      handler: async ({ caller, query, request }) => ({
        users: await directory.listUsers(caller, query, selfLink(request)),
        links: links(request),
      }),
    }),
    route({
      method: 'GET',
      url: '/v3/users/:user_id',
      api: 'iam',
      operationId: 'KeystoneShowUser',
      auth: true,
      schema: { params: UserParams, response: { 200: UserAnswer } },
      handler: async ({ caller, params, request }) => ({
        user: await directory.showUser(caller, params.user_id, selfLink(request)),
      }),
    }),
    route({
      method: 'DELETE',
      url: '/v3/users/:user_id',
      api: 'iam',
      operationId: 'KeystoneDeleteUser',
      auth: true,
      status: 204,
      schema: { params: UserParams },
      handler: ({ caller, params }) => directory.deleteUser(caller, params.user_id),
    }),
    route({
      method: 'POST',
      url: '/v3/users/:user_id/password',
      api: 'iam',
      operationId: 'KeystoneUpdateUserPassword',
      auth: true,
      status: 204,
      schema: { params: UserParams, body: UpdatePasswordBody },
      handler: ({ caller, params, body }) => directory.changePassword(caller, params.user_id, body.user),
    }),
    route({
      method: 'POST',
      url: '/v3/projects',
      api: 'iam',
      operationId: 'KeystoneCreateProject',
      auth: true,
      status: 201,
      schema: { body: CreateProjectBody, response: { 201: ProjectAnswer } },
      handler: async ({ caller, body, request }) => ({
        project: await directory.createProject(caller, body.project, selfLink(request)),
      }),
    }),
    route({
      method: 'GET',
      url: '/v3/projects/:project_id',
      api: 'iam',
      operationId: 'KeystoneShowProject',
      auth: true,
      schema: { params: ProjectIdParams, response: { 200: ProjectAnswer } },
      handler: async ({ caller, params, request }) => ({
        project: await directory.showProject(caller, params.project_id, selfLink(request)),
      }),
    }),
    route({
      method: 'POST',
      url: '/v3/groups',
      api: 'iam',
      operationId: 'KeystoneCreateGroup',
      auth: true,
      status: 201,
      schema: { body: CreateGroupBody, response: { 201: GroupAnswer } },
      handler: async ({ caller, body, request }) => ({
        group: await directory.createGroup(caller, body.group, selfLink(request)),
      }),
    }),
    route({
      method: 'GET',
      url: '/v3/groups',
      api: 'iam',
      operationId: 'KeystoneListGroups',
      auth: true,
      schema: { querystring: ListGroupsQuery, response: { 200: GroupList } },
      handler: async ({ caller, query, request }) => ({
        groups: await directory.listGroups(caller, query, selfLink(request)),
        links: links(request),
      }),
    }),
    route({
      method: 'DELETE',
      url: '/v3/groups/:group_id',
      api: 'iam',
      operationId: 'KeystoneDeleteGroup',
      auth: true,
      status: 204,
      schema: { params: GroupParams },
      handler: ({ caller, params }) => directory.deleteGroup(caller, params.group_id),
    }),
    route({
      method: 'GET',
      url: '/v3/groups/:group_id/users',
      api: 'iam',
      operationId: 'KeystoneListUsersForGroupByAdmin',
      auth: true,
      schema: { params: GroupParams, response: { 200: UserList } },
      handler: async ({ caller, params, request }) => ({
        users: await directory.usersOfGroup(caller, params.group_id, selfLink(request)),
        links: links(request),
      }),
    }),
    route({
      method: 'PUT',
      url: '/v3/groups/:group_id/users/:user_id',
      api: 'iam',
      operationId: 'KeystoneAddUserToGroup',
      auth: true,
      status: 204,
      schema: { params: GroupUserParams },
      handler: ({ caller, params }) => directory.addUserToGroup(caller, params.group_id, params.user_id),
    }),
    route({
      method: 'DELETE',
      url: '/v3/groups/:group_id/users/:user_id',
      api: 'iam',
      operationId: 'KeystoneRemoveUserFromGroup',
      auth: true,
      status: 204,
      schema: { params: GroupUserParams },
      handler: ({ caller, params }) => directory.removeUserFromGroup(caller, params.group_id, params.user_id),
    }),
    route({
      method: 'GET',
      url: '/v3/roles',
      api: 'iam',
      operationId: 'KeystoneListPermissions',
      auth: true,
      schema: { querystring: ListRolesQuery, response: { 200: RoleList } },
      handler: async ({ caller, query, request }) => ({
        roles: directory.listRoles(caller, query, selfLink(request)),
        links: links(request),
      }),
    }),
    route({
      method: 'GET',
      url: '/v3/projects/:project_id/groups/:group_id/roles',
      api: 'iam',
      operationId: 'KeystoneListProjectPermissionsForGroup',
      auth: true,
      schema: { params: GroupProjectParams, response: { 200: RoleList } },
      handler: async ({ caller, params, request }) => ({
        roles: await directory.grantsOf(caller, params.project_id, params.group_id, selfLink(request)),
        links: links(request),
      }),
    }),
    route({
      method: 'PUT',
      url: '/v3/projects/:project_id/groups/:group_id/roles/:role_id',
      api: 'iam',
      operationId: 'KeystoneAssociateGroupWithProjectPermission',
      auth: true,
      status: 204,
      schema: { params: GrantParams },
      handler: ({ caller, params }) =>
        directory.grant(caller, params.project_id, params.group_id, params.role_id),
    }),
    route({
      method: 'DELETE',
      url: '/v3/projects/:project_id/groups/:group_id/roles/:role_id',
      api: 'iam',
      operationId: 'KeystoneRemoveProjectPermissionFromGroup',
      auth: true,
      status: 204,
      schema: { params: GrantParams },
      handler: ({ caller, params }) =>
        directory.revoke(caller, params.project_id, params.group_id, params.role_id),
    }),
  ];
}
