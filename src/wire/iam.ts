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

/** The IAM calls an account's admin makes (issue 10): users, projects, groups, grants. */

const LinksSelf = Type.Object({ self: Type.String() });
const Name64 = Type.String({ minLength: 1, maxLength: 64 });
const Description = Type.String({ maxLength: 255 });
/** Huawei IAM: 6 to 32 characters, at least two kinds of letter, digit and other. */
export const Password = Type.String({ minLength: 6, maxLength: 32 });

export const UserParams = Type.Object({ user_id: Type.String({ minLength: 1, maxLength: 64 }) });
export const GroupParams = Type.Object({ group_id: Type.String({ minLength: 1, maxLength: 64 }) });
export const GroupUserParams = Type.Object({
  group_id: Type.String({ minLength: 1, maxLength: 64 }),
  user_id: Type.String({ minLength: 1, maxLength: 64 }),
});
export const ProjectIdParams = Type.Object({ project_id: Type.String({ minLength: 1, maxLength: 64 }) });
export const GroupProjectParams = Type.Object({
  project_id: Type.String({ minLength: 1, maxLength: 64 }),
  group_id: Type.String({ minLength: 1, maxLength: 64 }),
});
export const GrantParams = Type.Object({
  project_id: Type.String({ minLength: 1, maxLength: 64 }),
  group_id: Type.String({ minLength: 1, maxLength: 64 }),
  role_id: Type.String({ minLength: 1, maxLength: 64 }),
});

export const CreateUserBody = Type.Object({
  user: Type.Object({
    name: Name64,
    domain_id: Type.Optional(Type.String({ maxLength: 64 })),
    password: Type.Optional(Password),
    enabled: Type.Optional(Type.Boolean()),
    description: Type.Optional(Description),
  }),
});

export const User = Type.Object({
  id: Type.String(),
  name: Type.String(),
  domain_id: Type.String(),
  enabled: Type.Boolean(),
  description: Type.String(),
  password_expires_at: Type.Null(),
  pwd_status: Type.Boolean(),
  links: LinksSelf,
});
export const UserAnswer = Type.Object({ user: User });
export const UserList = Type.Object({ users: Type.Array(User), links: Links });
export const ListUsersQuery = Type.Object({
  domain_id: Type.Optional(Type.String({ maxLength: 64 })),
  name: Type.Optional(Type.String({ maxLength: 64 })),
  enabled: Type.Optional(Type.Boolean()),
  password_expires_at: Type.Optional(Type.String({ maxLength: 64 })),
});

export const UpdatePasswordBody = Type.Object({
  user: Type.Object({ original_password: Type.String({ minLength: 1, maxLength: 128 }), password: Password }),
});

export const CreateProjectBody = Type.Object({
  project: Type.Object({
    name: Type.String({ minLength: 1, maxLength: 64 }),
    parent_id: Type.String({ minLength: 1, maxLength: 64 }),
    domain_id: Type.Optional(Type.String({ maxLength: 64 })),
    description: Type.Optional(Description),
  }),
});
export const ProjectAnswer = Type.Object({
  project: Type.Object({ ...Project.properties, links: LinksSelf }),
});

export const CreateGroupBody = Type.Object({
  group: Type.Object({
    name: Name64,
    domain_id: Type.Optional(Type.String({ maxLength: 64 })),
    description: Type.Optional(Description),
  }),
});
export const Group = Type.Object({
  id: Type.String(),
  name: Type.String(),
  domain_id: Type.String(),
  description: Type.String(),
  create_time: Type.Integer(),
  links: LinksSelf,
});
export const GroupAnswer = Type.Object({ group: Group });
export const GroupList = Type.Object({ groups: Type.Array(Group), links: Links });
export const ListGroupsQuery = Type.Object({
  domain_id: Type.Optional(Type.String({ maxLength: 64 })),
  name: Type.Optional(Type.String({ maxLength: 64 })),
});

const Statement = Type.Object({ Effect: Type.Enum(['Allow', 'Deny']), Action: Type.Array(Type.String()) });
export const Role = Type.Object({
  id: Type.String(),
  name: Type.String(),
  display_name: Type.String(),
  description: Type.String(),
  catalog: Type.String(),
  type: Type.String(),
  flag: Type.Optional(Type.String()),
  domain_id: Type.Null(),
  policy: Type.Object({
    Version: Type.String(),
    Statement: Type.Array(Statement),
    Depends: Type.Optional(Type.Array(Type.Object({ catalog: Type.String(), display_name: Type.String() }))),
  }),
  links: LinksSelf,
});
export const RoleList = Type.Object({ roles: Type.Array(Role), links: Links });
export const ListRolesQuery = Type.Object({
  name: Type.Optional(Type.String({ maxLength: 64 })),
  display_name: Type.Optional(Type.String({ maxLength: 128 })),
  domain_id: Type.Optional(Type.String({ maxLength: 64 })),
  catalog: Type.Optional(Type.String({ maxLength: 64 })),
  type: Type.Optional(Type.String({ maxLength: 16 })),
  permission_type: Type.Optional(Type.String({ maxLength: 16 })),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
  per_page: Type.Optional(Type.Integer({ minimum: 1, maximum: 300 })),
});

export const SecurityTokenBody = Type.Object({
  auth: Type.Object({
    identity: Type.Object({
      methods: Type.Array(Type.Enum(['token']), { minItems: 1, maxItems: 1 }),
      token: Type.Optional(
        Type.Object({
          id: Type.Optional(Type.String({ minLength: 1, maxLength: 2048 })),
          duration_seconds: Type.Optional(Type.Integer({ minimum: 900, maximum: 86400 })),
        }),
      ),
      policy: Type.Optional(Type.Unknown()),
    }),
  }),
});
export const SecurityTokenAnswer = Type.Object({
  credential: Type.Object({
    access: Type.String(),
    secret: Type.String(),
    securitytoken: Type.String(),
    expires_at: Type.String(),
  }),
});
