import type { Command } from 'commander';
import { clientCommand, orDash } from './command.ts';
import type { Context } from './context.ts';

/** `vpcep vpcs|subnets|route-tables ...`: the VPC API the endpoints live in. */
export function registerNetworkCommands(program: Command): void {
  const vpcs = program.command('vpcs').description('VPCs');
  const vpcRow = (ctx: Context, v: { id: string; name: string; cidr: string; status: string }[]) =>
    ctx.out.table(
      ['ID', 'NAME', 'CIDR', 'STATUS'],
      v.map((x) => [x.id, orDash(x.name), x.cidr, x.status]),
      'no VPCs',
    );
  clientCommand(
    vpcs,
    'list',
    'list the VPCs of the project',
    'vpcep vpcs list',
    (c) => c,
    async (ctx) => {
      const res = await ctx.client.vpcs.list();
      ctx.out.result(res, () => vpcRow(ctx, res.vpcs));
    },
  );
  clientCommand<[string]>(
    vpcs,
    'show <id>',
    'show a VPC',
    'vpcep vpcs show <vpc-id>',
    (c) => c,
    async (ctx, _o, id) => {
      const res = await ctx.client.vpcs.get(id);
      ctx.out.result(res, () => vpcRow(ctx, [res.vpc]));
    },
  );
  clientCommand(
    vpcs,
    'create',
    'create a VPC (with its default route table)',
    'vpcep vpcs create --name prod --cidr 10.0.0.0/16',
    (c) =>
      c
        .option('--name <name>', 'its name')
        .option('--cidr <cidr>', 'its address range, e.g. 10.0.0.0/16')
        .option('--description <text>', 'what it is for'),
    async (ctx, o) => {
      const res = await ctx.client.vpcs.create({
        vpc: {
          ...(o.name !== undefined ? { name: o.name as string } : {}),
          ...(o.cidr !== undefined ? { cidr: o.cidr as string } : {}),
          ...(o.description !== undefined ? { description: o.description as string } : {}),
        },
      });
      ctx.out.result(res, () => vpcRow(ctx, [res.vpc]));
    },
  );
  clientCommand<[string]>(
    vpcs,
    'delete <id>',
    'delete a VPC',
    'vpcep vpcs delete <vpc-id>',
    (c) => c,
    async (ctx, _o, id) => {
      await ctx.client.vpcs.delete(id);
      ctx.out.done(`VPC ${id} deleted`);
    },
  );

  const subnets = program.command('subnets').description('subnets of the VPCs');
  const subnetRows = (
    ctx: Context,
    s: { id: string; name: string; cidr: string; gateway_ip: string; vpc_id: string; status: string }[],
  ) =>
    ctx.out.table(
      ['ID', 'NAME', 'CIDR', 'GATEWAY', 'VPC', 'STATUS'],
      s.map((x) => [x.id, orDash(x.name), x.cidr, x.gateway_ip, x.vpc_id, x.status]),
      'no subnets',
    );
  clientCommand(
    subnets,
    'list',
    'list subnets',
    'vpcep subnets list --vpc-id <vpc-id>',
    (c) => c.option('--vpc-id <id>', 'only the subnets of this VPC'),
    async (ctx, o) => {
      const res = await ctx.client.subnets.list(o.vpcId !== undefined ? { vpc_id: o.vpcId as string } : {});
      ctx.out.result(res, () => subnetRows(ctx, res.subnets));
    },
  );
  clientCommand<[string]>(
    subnets,
    'show <id>',
    'show a subnet',
    'vpcep subnets show <subnet-id>',
    (c) => c,
    async (ctx, _o, id) => {
      const res = await ctx.client.subnets.get(id);
      ctx.out.result(res, () => subnetRows(ctx, [res.subnet]));
    },
  );
  clientCommand(
    subnets,
    'create',
    'create a subnet in a VPC',
    'vpcep subnets create --vpc-id <vpc-id> --name web --cidr 10.0.1.0/24 --gateway-ip 10.0.1.1',
    (c) =>
      c
        .requiredOption('--vpc-id <id>', 'the VPC')
        .requiredOption('--name <name>', 'its name')
        .requiredOption('--cidr <cidr>', 'its range, inside the VPC')
        .requiredOption('--gateway-ip <ip>', 'its gateway, inside the range')
        .option('--description <text>', 'what it is for'),
    async (ctx, o) => {
      const res = await ctx.client.subnets.create({
        subnet: {
          vpc_id: o.vpcId as string,
          name: o.name as string,
          cidr: o.cidr as string,
          gateway_ip: o.gatewayIp as string,
          ...(o.description !== undefined ? { description: o.description as string } : {}),
        },
      });
      ctx.out.result(res, () => subnetRows(ctx, [res.subnet]));
    },
  );
  clientCommand<[string, string]>(
    subnets,
    'delete <vpc-id> <id>',
    'delete a subnet',
    'vpcep subnets delete <vpc-id> <subnet-id>',
    (c) => c,
    async (ctx, _o, vpcId, id) => {
      await ctx.client.subnets.delete(vpcId, id);
      ctx.out.done(`subnet ${id} deleted`);
    },
  );

  const tables = program.command('route-tables').alias('routetables').description('VPC route tables');
  clientCommand(
    tables,
    'list',
    'list route tables',
    'vpcep route-tables list --vpc-id <vpc-id>',
    (c) => c.option('--vpc-id <id>', 'only the tables of this VPC'),
    async (ctx, opts) => {
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
    },
  );
  const showTable = (
    ctx: Context,
    t: Awaited<ReturnType<Context['client']['routetables']['get']>>['routetable'],
  ) => {
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
  };
  clientCommand<[string]>(
    tables,
    'show <id>',
    'show a route table and its routes',
    'vpcep route-tables show <rtb-id>',
    (c) => c,
    async (ctx, _o, id) => {
      const res = await ctx.client.routetables.get(id);
      ctx.out.result(res, () => showTable(ctx, res.routetable));
    },
  );
  clientCommand(
    tables,
    'create',
    'create a route table in a VPC',
    'vpcep route-tables create --vpc-id <vpc-id> --name private',
    (c) =>
      c
        .requiredOption('--vpc-id <id>', 'the VPC')
        .requiredOption('--name <name>', 'its name')
        .option('--description <text>', 'what it is for'),
    async (ctx, o) => {
      const res = await ctx.client.routetables.create({
        routetable: {
          vpc_id: o.vpcId as string,
          name: o.name as string,
          ...(o.description !== undefined ? { description: o.description as string } : {}),
        },
      } as Parameters<Context['client']['routetables']['create']>[0]);
      ctx.out.result(res, () => showTable(ctx, res.routetable));
    },
  );
  clientCommand<[string]>(
    tables,
    'delete <id>',
    'delete a route table',
    'vpcep route-tables delete <rtb-id>',
    (c) => c,
    async (ctx, _o, id) => {
      await ctx.client.routetables.delete(id);
      ctx.out.done(`route table ${id} deleted`);
    },
  );
}
