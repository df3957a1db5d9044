import type { Command } from 'commander';
import type { AuditEvent, Fault, ListAuditEventsQuery } from '../sdk/types.ts';
import { clientCommand } from './command.ts';
import { CliError } from './context.ts';

/** `vpcep audit|faults ...`: the audit trail and the fault injection of route programming. */
export function registerOperationCommands(program: Command): void {
  const audit = program.command('audit').description('the audit trail of changes');
  clientCommand(
    audit,
    'list',
    'list audit events, newest last, with filters',
    'vpcep audit list --resource-id <endpoint-id> --outcome failure --limit 20',
    (c) =>
      c
        .option('--resource-id <id>', 'events of this resource')
        .option('--operation <name>', 'events of this operation, e.g. CreateEndpoint')
        .option('--caller <who>', 'a user name, user id or access key')
        .option('--outcome <outcome>', 'success or failure')
        .option('--from <time>', 'events at or after this time (ISO 8601)')
        .option('--to <time>', 'events before this time (ISO 8601)')
        .option('--limit <n>', 'at most this many events (default: all)'),
    async (ctx, o) => {
      let limit: number | undefined;
      if (o.limit !== undefined) {
        if (!/^\d{1,7}$/.test(o.limit as string) || Number(o.limit) < 1)
          throw new CliError(`--limit must be a positive whole number, got "${String(o.limit)}"`);
        limit = Number(o.limit);
      }
      const query = Object.fromEntries(
        Object.entries({
          resource_id: o.resourceId,
          operation: o.operation,
          caller: o.caller,
          outcome: o.outcome,
          from: o.from,
          to: o.to,
        }).filter(([, v]) => v !== undefined),
      ) as ListAuditEventsQuery;
      const events: AuditEvent[] = [];
      for await (const e of ctx.client.audit.listAll(
        limit !== undefined ? { ...query, limit: Math.min(limit, 1000) } : query,
      )) {
        events.push(e);
        if (limit !== undefined && events.length >= limit) break;
      }
      const res = { audit_events: events };
      ctx.out.result(res, () =>
        ctx.out.table(
          ['TIME', 'OPERATION', 'OUTCOME', 'CALLER', 'RESOURCE', 'REQUEST'],
          events.map((e) => [
            e.time,
            e.operation,
            e.outcome === 'failure' ? `failure ${e.error_code ?? e.status}` : 'success',
            e.caller.user_name,
            `${e.resource.type} ${e.resource.id}`,
            e.request_id,
          ]),
          'no audit events',
        ),
      );
    },
  );

  const faults = program
    .command('faults')
    .description('injected failures of route-table programming (for tests)');
  const rows = (f: Fault[]) =>
    f.map((x) => [
      x.id,
      x.operation,
      x.routetable_id ?? x.endpoint_service_id ?? '*',
      x.remaining === null ? 'until deleted' : String(x.remaining),
    ]);
  const HEAD = ['ID', 'OPERATION', 'TARGET', 'REMAINING'];
  clientCommand(
    faults,
    'list',
    'list the injected faults',
    'vpcep faults list',
    (c) => c,
    async (ctx) => {
      const res = await ctx.client.faults.list();
      ctx.out.result(res, () => ctx.out.table(HEAD, rows(res.faults), 'no faults'));
    },
  );
  clientCommand<[string, string | undefined]>(
    faults,
    'add <operation> [target]',
    'make the next binds or unbinds of a route table (target: its id, or *) fail, or the next ' +
      'create-endpoint (target: a service id, default *) or create-service end failed',
    'vpcep faults add bind <rtb-id> --times 1\n  vpcep faults add create-endpoint <service-id>',
    (c) => c.option('--times <n>', 'fail this many times (default: until deleted)'),
    async (ctx, o, operation, target) => {
      const table = operation === 'bind' || operation === 'unbind';
      if (!table && operation !== 'create-endpoint' && operation !== 'create-service')
        throw new CliError(
          `the operation must be bind, unbind, create-endpoint or create-service, got "${operation}"`,
        );
      if (table && target === undefined) throw new CliError(`${operation} needs a route table id (or *)`);
      if (operation === 'create-service' && target !== undefined)
        throw new CliError('create-service takes no target');
      if (o.times !== undefined && !/^\d{1,7}$/.test(o.times as string))
        throw new CliError(`--times must be a whole number, got "${String(o.times)}"`);
      const res = await ctx.client.faults.add({
        fault: {
          operation,
          ...(target === undefined
            ? {}
            : table
              ? { routetable_id: target }
              : { endpoint_service_id: target }),
          ...(o.times !== undefined ? { times: Number(o.times) } : {}),
        },
      });
      ctx.out.result(res, () => ctx.out.table(HEAD, rows([res.fault]), ''));
    },
  );
  clientCommand<[string]>(
    faults,
    'delete <id>',
    'delete an injected fault',
    'vpcep faults delete <fault-id>',
    (c) => c,
    async (ctx, _o, id) => {
      await ctx.client.faults.remove(id);
      ctx.out.done(`fault ${id} deleted`);
    },
  );
}
