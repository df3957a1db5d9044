import type { Command } from 'commander';
import { withExample } from './command.ts';
import type { AccessKey } from '../sdk/types.ts';
import { clientAction, withClientOptions, type Context } from './context.ts';

function keyRow(k: AccessKey): string[] {
  return [k.access, k.status, k.create_time, k.description];
}

/** Disabling or deleting the key the CLI signs with locks the CLI out of AK/SK; say how to get back in. */
function warnIfOwnKey(ctx: Context, access: string, what: string): void {
  if (ctx.accessKey !== access) return;
  ctx.out.warn(
    `note: ${access} is the key in ${ctx.credentialsPath}; ${what}, so use --auth password for the next commands`,
  );
}

/** `vpcep iam ak ...`: permanent access keys of the user in the credentials file. */
export function registerIamCommands(program: Command): void {
  const iam = program.command('iam').description('identity: access keys');
  const ak = iam
    .command('ak')
    .description('permanent access keys (AK/SK) of the user in the credentials file');

  withExample(
    withClientOptions(
      ak
        .command('create')
        .description('create an access key; prints the AK and the SK, which is never shown again')
        .option('--description <text>', 'what the key is for'),
    ),
    'vpcep iam ak create --description ci',
  ).action(
    clientAction(async (ctx, opts) => {
      const userId = await ctx.client.iam.currentUserId();
      const description = opts.description as string | undefined;
      const res = await ctx.client.accessKeys.create({
        credential: { user_id: userId, ...(description !== undefined ? { description } : {}) },
      });
      ctx.out.result(res, () =>
        ctx.out.fields([
          ['access key', res.credential.access],
          ['secret key', res.credential.secret],
          ['user', res.credential.user_id],
          ['created', res.credential.create_time],
        ]),
      );
      ctx.out.warn(
        'warning: the secret key is shown only this once and cannot be retrieved again; store it now.',
      );
    }),
  );

  withExample(
    withClientOptions(ak.command('list').description('list access keys (never their secret keys)')),
    'vpcep iam ak list',
  ).action(
    clientAction(async (ctx) => {
      const res = await ctx.client.accessKeys.list();
      ctx.out.result(res, () =>
        ctx.out.table(
          ['ACCESS KEY', 'STATUS', 'CREATED', 'DESCRIPTION'],
          res.credentials.map(keyRow),
          'no access keys',
        ),
      );
    }),
  );

  const setStatus = (name: string, status: 'active' | 'inactive', summary: string) =>
    withExample(
      withClientOptions(ak.command(`${name} <AK>`).description(summary)),
      `vpcep iam ak ${name} <AK>`,
    ).action(
      clientAction<[string]>(async (ctx, _opts, access) => {
        const res = await ctx.client.accessKeys.update(access, { credential: { status } });
        ctx.out.result(res, () =>
          ctx.out.line(`access key ${res.credential.access} is ${res.credential.status}`),
        );
        if (status === 'inactive') warnIfOwnKey(ctx, access, 'requests signed with it now fail');
      }),
    );
  setStatus('disable', 'inactive', 'disable an access key: requests signed with it fail until enabled');
  setStatus('enable', 'active', 'enable a disabled access key');

  withExample(
    withClientOptions(ak.command('delete <AK>').description('delete an access key for good')),
    'vpcep iam ak delete <AK>',
  ).action(
    clientAction<[string]>(async (ctx, _opts, access) => {
      await ctx.client.accessKeys.delete(access);
      // The API answers 204 without a body: with --output json|yaml there is nothing to print.
      ctx.out.done(`access key ${access} deleted`);
      warnIfOwnKey(ctx, access, 'it no longer exists');
    }),
  );
}
