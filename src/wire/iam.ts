import { Type } from 'typebox';

/** The IAM calls the SDKs make (api-surface.md §1): requests and answers on the wire. */

const Named = Type.Object({ name: Type.String({ minLength: 1, maxLength: 64 }) });

export const TokenRequest = Type.Object({
  auth: Type.Object({
    identity: Type.Object({
      methods: Type.Array(Type.String({ maxLength: 64 }), { minItems: 1, maxItems: 10 }),
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

export const TokenQuery = Type.Object({ nocatalog: Type.Optional(Type.String()) });

const DomainRef = Type.Object({ id: Type.String(), name: Type.String() });

export const TokenBody = Type.Object({
  token: Type.Object({
    expires_at: Type.String(),
    issued_at: Type.String(),
    methods: Type.Array(Type.String()),
    project: Type.Object({ id: Type.String(), name: Type.String(), domain: DomainRef }),
    user: Type.Object({
      id: Type.String(),
      name: Type.String(),
      domain: DomainRef,
      password_expires_at: Type.String(),
    }),
    roles: Type.Array(Type.Object({ id: Type.String(), name: Type.String() })),
    catalog: Type.Array(Type.Unknown()),
  }),
});

const Links = Type.Object({
  self: Type.String(),
  previous: Type.Union([Type.String(), Type.Null()]),
  next: Type.Union([Type.String(), Type.Null()]),
});

export const Project = Type.Object({
  id: Type.String(),
  name: Type.String(),
  domain_id: Type.String(),
  enabled: Type.Boolean(),
  is_domain: Type.Boolean(),
  parent_id: Type.String(),
  description: Type.String(),
});

export const ListProjectsQuery = Type.Object({
  name: Type.Optional(Type.String({ maxLength: 64 })),
  domain_id: Type.Optional(Type.String({ maxLength: 64 })),
});

export const ProjectList = Type.Object({ projects: Type.Array(Project), links: Links });

export const Domain = Type.Object({
  id: Type.String(),
  name: Type.String(),
  enabled: Type.Boolean(),
  description: Type.String(),
});

export const DomainList = Type.Object({ domains: Type.Array(Domain), links: Links });

export const AccessParams = Type.Object({ access_key: Type.String({ minLength: 1, maxLength: 64 }) });

export const CreateAccessKeyBody = Type.Object({
  credential: Type.Object({
    user_id: Type.String({ minLength: 1, maxLength: 64 }),
    description: Type.Optional(Type.String({ maxLength: 255 })),
  }),
});

export const ListAccessKeysQuery = Type.Object({
  user_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
});

export const UpdateAccessKeyBody = Type.Object({
  credential: Type.Object({
    status: Type.Optional(Type.Enum(['active', 'inactive'])),
    description: Type.Optional(Type.String({ maxLength: 255 })),
  }),
});

const accessKeyFields = {
  user_id: Type.String(),
  access: Type.String(),
  status: Type.Enum(['active', 'inactive']),
  create_time: Type.String(),
  description: Type.String(),
};

export const AccessKey = Type.Object(accessKeyFields);

/** Only the create call returns the secret key, once. */
export const CreatedAccessKey = Type.Object({ ...accessKeyFields, secret: Type.String() });

export const AccessKeyAnswer = Type.Object({ credential: AccessKey });
export const CreatedAccessKeyAnswer = Type.Object({ credential: CreatedAccessKey });
export const AccessKeyList = Type.Object({ credentials: Type.Array(AccessKey) });
