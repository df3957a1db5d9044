import type { Command } from 'commander';
import type { VpcepClient } from '../sdk/client.ts';
import type { Endpoint, EndpointList } from '../sdk/types.ts';
import { clientAction, EXIT, withClientOptions } from './context.ts';

/** Every endpoint of the project, page by page. */
async function allEndpoints(client: VpcepClient): Promise<EndpointList> {
  const endpoints: Endpoint[] = [];
  for await (const ep of client.endpoints.listAll()) endpoints.push(ep);
  return { endpoints, total_count: endpoints.length };
}

const listOrDash = (items: string[]) => (items.length === 0 ? '-' : items.join(', '));

/** `vpcep endpoints ...`: VPC endpoints and UpdateEndpointRoutetable. */
export function registerEndpointCommands(program: Command): void {
  const endpoints = program.command('endpoints').description('VPC endpoints');

  withClientOptions(endpoints.command('list').description('list the VPC endpoints of the project')).action(
    clientAction(async (ctx) => {
      const res = await allEndpoints(ctx.client);
      ctx.out.result(res, () => {
        ctx.out.table(
          ['ID', 'TYPE', 'STATUS', 'SERVICE', 'VPC', 'ROUTE TABLES'],
          res.endpoints.map((e) => [
            e.id,
            e.service_type,
            e.status,
            e.endpoint_service_name,
            e.vpc_id,
            listOrDash(e.routetables),
          ]),
          'no VPC endpoints',
        );
      });
    }),
  );

  withClientOptions(endpoints.command('show <id>').description('show a VPC endpoint')).action(
    clientAction<[string]>(async (ctx, _opts, id) => {
      const e = await ctx.client.endpoints.get(id);
      ctx.out.result(e, () => {
        ctx.out.fields([
          ['id', e.id],
          ['type', e.service_type],
          ['status', e.status],
          ['service', `${e.endpoint_service_name} (${e.endpoint_service_id})`],
          ['vpc', e.vpc_id],
          ...(e.subnet_id !== undefined ? [['subnet', e.subnet_id] as [string, string]] : []),
          ...(e.ip !== undefined ? [['ip', e.ip] as [string, string]] : []),
          ['route tables', listOrDash(e.routetables)],
          ['description', e.description === '' ? '-' : e.description],
          ['created', e.created_at],
          ['updated', e.updated_at],
        ]);
      });
    }),
  );

  withClientOptions(
    endpoints
      .command('set-routetables <endpoint-id> <rtb-id...>')
      .description(
        'replace the route tables of a gateway endpoint with exactly these; ' +
          `exits ${EXIT.partial} when some table could not be bound or unbound`,
      ),
  ).action(
    clientAction<[string, string[]]>(async (ctx, _opts, endpointId, tableIds) => {
      const res = await ctx.client.endpoints.updateRoutetables(endpointId, { routetables: tableIds });
      const failures = (res.error ?? []).flatMap((e) => [
        ...e.bind_failed.map((f) => ({ op: 'bind', ...f })),
        ...e.unbind_failed.map((f) => ({ op: 'unbind', ...f })),
      ]);
      ctx.out.result(res, () => {
        ctx.out.line(`endpoint ${endpointId} is bound to ${res.routetables.length} route table(s):`);
        for (const id of res.routetables) ctx.out.line(`  ${id}`);
      });
      for (const f of failures) ctx.out.warn(`${f.op} failed for route table ${f.id}: ${f.error_message}`);
      return failures.length > 0 ? EXIT.partial : EXIT.ok;
    }),
  );
}
