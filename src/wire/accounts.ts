import { Type } from 'typebox';

/** The operator's API (README, "Accounts, users and roles"): vpcep's own, outside Huawei's paths. */

export const CreateAccountBody = Type.Object({
  account: Type.Object({
    name: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z][A-Za-z0-9_-]*$' }),
  }),
});

export const CreatedAccount = Type.Object({
  account: Type.Object({
    domain_id: Type.String(),
    domain_name: Type.String(),
    project_id: Type.String(),
    project_name: Type.String(),
    admin: Type.Object({
      user_id: Type.String(),
      name: Type.String(),
      password: Type.String(),
      access_key: Type.String(),
      secret_key: Type.String(),
    }),
  }),
});

export const AccountList = Type.Object({
  accounts: Type.Array(
    Type.Object({
      domain_id: Type.String(),
      domain_name: Type.String(),
      created_at: Type.String(),
      projects: Type.Array(Type.Object({ id: Type.String(), name: Type.String() })),
    }),
  ),
});

export const AccountParams = Type.Object({ domain_id: Type.String({ minLength: 1, maxLength: 64 }) });
