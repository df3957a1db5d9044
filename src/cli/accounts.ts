import type { Command } from 'commander';
import { withExample } from './command.ts';
import { VpcepError } from '../sdk/errors.ts';
import { CliError, operatorAction, withOperatorOptions, type OperatorContext } from './context.ts';

/**
 * The API's error, reworded where the operator can act on it: a refused key says which key it
 * was, a taken name says so. Code and request id stay, for the server's log.
 */
function explain(ctx: OperatorContext, e: unknown, name?: string): unknown {
  if (!(e instanceof VpcepError)) return e;
  const as = (message: string) => new VpcepError(e.status, e.code, message, e.requestId, e.body);
  if (e.status === 401) return as(`the operator key was refused; it came from ${ctx.keySource}`);
  if (e.code === 'VPCEP.1001' && name !== undefined) return as(`the account name "${name}" is taken`);
  return e;
}

/** `vpcep accounts ...`: the operator's API, on which accounts are made (README, "CLI"). */
export function registerAccountCommands(program: Command): void {
  const accounts = program
    .command('accounts')
    .description("accounts (the operator's API: needs the operator key, not a tenant credential)");

  withExample(
    withOperatorOptions(
      accounts
        .command('create <name>')
        .description(
          "create an account: its domain, its region project and its admin; prints the admin's " +
            'password and secret key, which are never shown again',
        ),
    ),
    'vpcep accounts create acme',
  ).action(
    operatorAction<[string]>(async (ctx, _opts, name) => {
      const res = await ctx.client.accounts.create(name).catch((e: unknown) => {
        throw explain(ctx, e, name);
      });
      ctx.out.result(res, () => {
        const a = res.account;
        ctx.out.line(`account ${a.domain_name} created`);
        ctx.out.line();
        ctx.out.fields([
          ['domain id', a.domain_id],
          ['domain', a.domain_name],
          ['project id', a.project_id],
          ['project', a.project_name],
          ['admin user id', a.admin.user_id],
          ['admin user', a.admin.name],
          ['password', a.admin.password],
          ['access key', a.admin.access_key],
          ['secret key', a.admin.secret_key],
        ]);
      });
      ctx.out.warn(
        "warning: the admin's password and secret key are shown only this once and cannot be " +
          'retrieved again; store them now.',
      );
    }),
  );

  withExample(
    withOperatorOptions(accounts.command('list').description('list the accounts (never a secret)')),
    'vpcep accounts list',
  ).action(
    operatorAction(async (ctx) => {
      const res = await ctx.client.accounts.list().catch((e: unknown) => {
        throw explain(ctx, e);
      });
      ctx.out.result(res, () => {
        ctx.out.table(
          ['DOMAIN ID', 'NAME', 'CREATED', 'PROJECTS'],
          res.accounts.map((a) => [
            a.domain_id,
            a.domain_name,
            a.created_at,
            a.projects.map((p) => `${p.name} (${p.id})`).join(', '),
          ]),
          'no accounts',
        );
      });
    }),
  );

  withExample(
    withOperatorOptions(
      accounts
        .command('delete <domain-id>')
        .description('delete an account and its users; refused while it still has resources'),
    ),
    'vpcep accounts delete <domain-id>',
  ).action(
    operatorAction<[string]>(async (ctx, _opts, domainId) => {
      await ctx.client.accounts.delete(domainId).catch((e: unknown) => {
        throw explain(ctx, e);
      });
      // The API answers 204 without a body: with --output json|yaml there is nothing to print.
      ctx.out.done(`account ${domainId} deleted`);
    }),
  );

  withExample(
    withOperatorOptions(
      accounts
        .command('quotas <domain-id>')
        .description("set an account's quotas, for each of its projects ('default' restores the server's)")
        .option('--endpoints <n>', 'VPC endpoints per project')
        .option('--endpoint-services <n>', 'VPC endpoint services per project'),
    ),
    'vpcep accounts quotas <domain-id> --endpoints 100 --endpoint-services default',
  ).action(
    operatorAction<[string]>(async (ctx, opts, domainId) => {
      const value = (flag: string, raw: unknown) => {
        if (raw === undefined) return undefined;
        if (raw === 'default') return null;
        if (typeof raw !== 'string' || !/^\d{1,7}$/.test(raw)) {
          throw new CliError(`${flag} must be a whole number or "default", got "${String(raw)}"`);
        }
        return Number(raw);
      };
      const o = opts as { endpoints?: unknown; endpointServices?: unknown };
      const quotas = {
        endpoint: value('--endpoints', o.endpoints),
        endpoint_service: value('--endpoint-services', o.endpointServices),
      };
      if (quotas.endpoint === undefined && quotas.endpoint_service === undefined) {
        throw new CliError('give --endpoints, --endpoint-services or both');
      }
      const res = await ctx.client.accounts.setQuotas(domainId, quotas).catch((e: unknown) => {
        throw explain(ctx, e);
      });
      ctx.out.result(res, () => {
        ctx.out.fields([
          ['endpoints', String(res.quotas.endpoint)],
          ['endpoint services', String(res.quotas.endpoint_service)],
        ]);
      });
    }),
  );
}
