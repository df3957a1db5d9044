import type { Accounts } from '../../service/accounts.ts';
import {
  AccountList,
  AccountParams,
  AccountQuotasReply,
  CreateAccountBody,
  CreatedAccount,
  UpdateQuotasBody,
} from '../../wire/accounts.ts';
import { route } from '../route.ts';

/**
 * The operator's API: accounts, as sign-up makes them in the cloud. Its routes take the operator
 * key and no tenant credential (`auth: 'operator'`, service/accounts.ts).
 */
export function accountRoutes(accounts: Accounts) {
  return [
    route({
      method: 'POST',
      url: '/vpcep/v1/accounts',
      api: 'admin',
      operationId: 'CreateAccount',
      auth: 'operator',
      status: 201,
      schema: { body: CreateAccountBody, response: { 201: CreatedAccount } },
      handler: async ({ body }) => ({ account: await accounts.create(body.account.name) }),
    }),
    route({
      method: 'GET',
      url: '/vpcep/v1/accounts',
      api: 'admin',
      operationId: 'ListAccounts',
      auth: 'operator',
      schema: { response: { 200: AccountList } },
      handler: async () => ({ accounts: await accounts.list() }),
    }),
    route({
      method: 'DELETE',
      url: '/vpcep/v1/accounts/:domain_id',
      api: 'admin',
      operationId: 'DeleteAccount',
      auth: 'operator',
      status: 204,
      schema: { params: AccountParams },
      handler: ({ params }) => accounts.delete(params.domain_id),
    }),
    route({
      method: 'PUT',
      url: '/vpcep/v1/accounts/:domain_id/quotas',
      api: 'admin',
      operationId: 'UpdateAccountQuotas',
      auth: 'operator',
      schema: { params: AccountParams, body: UpdateQuotasBody, response: { 200: AccountQuotasReply } },
      handler: async ({ params, body }) => ({
        quotas: await accounts.setQuotas(params.domain_id, body.quotas),
      }),
    }),
  ];
}
