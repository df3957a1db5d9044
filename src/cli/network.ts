import type { Command } from 'commander';
import { clientAction, withClientOptions } from './context.ts';

const orDash = (text: string) => (text === '' ? '-' : text);

/** `vpcep routetables ...`: the VPC route tables that gateway endpoints program. */
export function registerNetworkCommands(program: Command): void {
  const tables = program.command('routetables').description('VPC route tables');

  withClientOptions(
    tables
      .command('list')
      .description('list route tables')
      .option('--vpc-id <id>', 'only the tables of this VPC'),
  ).action(
    clientAction(async (ctx, opts) => {
      const vpcId = opts.vpcId as string | undefined;
      const res = await ctx.client.routetables.list(vpcId !== undefined ? { vpc_id: vpcId } : {});
      ctx.out.result(res, () => {
        ctx.out.table(
          ['ID', 'NAME', 'VPC', 'DEFAULT', 'SUBNETS'],
          res.routetables.map((t) => [
            t.id,
            orDash(t.name),
            t.vpc_id,
            t.default ? 'yes' : 'no',
            String(t.subnets.length),
          ]),
          'no route tables',
        );
      });
    }),
  );

  withClientOptions(tables.command('show <id>').description('show a route table and its routes')).action(
    clientAction<[string]>(async (ctx, _opts, id) => {
      const res = await ctx.client.routetables.get(id);
      ctx.out.result(res, () => {
        const t = res.routetable;
        ctx.out.fields([
          ['id', t.id],
          ['name', orDash(t.name)],
          ['vpc', t.vpc_id],
          ['default', t.default ? 'yes' : 'no'],
          ['description', orDash(t.description)],
          ['subnets', orDash(t.subnets.map((s) => s.id).join(', '))],
          ['updated', t.updated_at],
        ]);
        ctx.out.line();
        ctx.out.table(
          ['TYPE', 'DESTINATION', 'NEXTHOP', 'DESCRIPTION'],
          t.routes.map((r) => [r.type, r.destination, r.nexthop, r.description]),
          'no routes',
        );
      });
    }),
  );
}
