import { ApiError } from '../../domain/errors.ts';
import type { AccessKeys } from '../../service/access-keys.ts';
import type { Identity } from '../../service/identity.ts';
import {
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

const links = (request: { protocol: string; host: string; url: string }) => ({
  self: `${request.protocol}://${request.host}${request.url}`,
  previous: null,
  next: null,
});

/** IAM-compatible identity calls (api-surface.md §1, signing.md "How the SDK finds the project"). */
export function iamRoutes(identity: Identity, accessKeys: AccessKeys) {
  return [
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
  ];
}
