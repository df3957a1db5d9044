import { Type } from 'typebox';
import { ApiError } from '../../domain/errors.ts';
import type { Identity } from '../../service/identity.ts';
import { route } from '../route.ts';

const Named = Type.Object({ name: Type.String({ minLength: 1, maxLength: 64 }) });

const TokenRequest = Type.Object({
  auth: Type.Object({
    identity: Type.Object({
      methods: Type.Array(Type.String(), { minItems: 1 }),
      password: Type.Object({
        user: Type.Object({
          name: Type.String({ minLength: 1, maxLength: 64 }),
          password: Type.String({ minLength: 1, maxLength: 128 }),
          domain: Named,
        }),
      }),
    }),
    scope: Type.Object({
      project: Type.Object({
        id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
        name: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
      }),
    }),
  }),
});

/** IAM-compatible password login (api-surface.md §1). */
export function iamRoutes(identity: Identity) {
  return [
    route({
      method: 'POST',
      url: '/v3/auth/tokens',
      api: 'iam',
      operationId: 'KeystoneCreateUserTokenByPassword',
      auth: false,
      status: 201,
      schema: { body: TokenRequest, querystring: Type.Object({ nocatalog: Type.Optional(Type.String()) }) },
      handler: async ({ body, reply }) => {
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
        });
        reply.header('X-Subject-Token', issued.token);
        return issued.body;
      },
    }),
  ];
}
