import { Type } from 'typebox';
import { MAX_QUOTA } from '../config.ts';

/** The operator's API (README, "Accounts, users and roles"): vpcep's own, outside Huawei's paths. */

export const CreateAccountBody = Type.Object({
  account: Type.Object({
    name: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z][A-Za-z0-9_-]*$' }),
  }),
});

/** An account's quotas per project (spec/quotas.md): its own, else the server-wide defaults. */
export const AccountQuotas = Type.Object({ endpoint: Type.Integer(), endpoint_service: Type.Integer() });

/** A quota the operator sets; null restores the configured default. */
const QuotaValue = Type.Optional(Type.Union([Type.Integer({ minimum: 0, maximum: MAX_QUOTA }), Type.Null()]));

export const UpdateQuotasBody = Type.Object({
  quotas: Type.Object({ endpoint: QuotaValue, endpoint_service: QuotaValue }, { minProperties: 1 }),
});

export const AccountQuotasReply = Type.Object({ quotas: AccountQuotas });

export const CreatedAccount = Type.Object({
  account: Type.Object({
    domain_id: Type.String(),
    domain_name: Type.String(),
    project_id: Type.String(),
    project_name: Type.String(),
    quotas: AccountQuotas,
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
      quotas: AccountQuotas,
      projects: Type.Array(Type.Object({ id: Type.String(), name: Type.String() })),
    }),
  ),
});

export const AccountParams = Type.Object({ domain_id: Type.String({ minLength: 1, maxLength: 64 }) });
