import fs from 'node:fs';
import type { Command } from 'commander';
import type { Endpoint, UpdateEndpointPolicyRequest } from '../sdk/types.ts';
import { clientCommand, collect, listOrDash, orDash } from './command.ts';
import { CliError, EXIT, type Context } from './context.ts';
import { checkWait, waitWhile, withWaitOptions } from './wait.ts';

function endpointRows(ctx: Context, endpoints: Endpoint[]): void {
  ctx.out.table(
    ['ID', 'TYPE', 'STATUS', 'SERVICE', 'VPC', 'ROUTE TABLES'],
    endpoints.map((e) => [
      e.id,
      e.service_type,
      e.status,
      e.endpoint_service_name,
      e.vpc_id,
      listOrDash(e.routetables),
    ]),
    'no VPC endpoints',
  );
}

function endpointFields(ctx: Context, e: Endpoint): void {
  ctx.out.fields([
    ['id', e.id],
    ['type', e.service_type],
    ['status', e.status],
    ['service', `${e.endpoint_service_name} (${e.endpoint_service_id})`],
    ['vpc', e.vpc_id],
    ...(e.subnet_id !== undefined ? [['subnet', e.subnet_id] as [string, string]] : []),
    ...(e.ip !== undefined ? [['ip', e.ip] as [string, string]] : []),
    ['route tables', listOrDash(e.routetables)],
    ['whitelist', e.enable_whitelist ? listOrDash(e.whitelist) : 'off'],
    ['tags', listOrDash((e.tags ?? []).map((t) => `${t.key}=${t.value ?? ''}`))],
    ['description', orDash(e.description)],
    ['created', e.created_at],
    ['updated', e.updated_at],
  ]);
}

/** `key=value` into a tag; a bare `key` has the value '' (or, `anyValue`, none: removal whatever its value). */
function tags(values: string[] | undefined, anyValue = false): { key: string; value?: string }[] {
  return (values ?? []).map((v) => {
    const i = v.indexOf('=');
    if (i >= 0) return { key: v.slice(0, i), value: v.slice(i + 1) };
    return anyValue ? { key: v } : { key: v, value: '' };
  });
}

/** A JSON value from `--file <path>` (`-` for stdin). */
function readJson(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (e) {
    throw new CliError(`cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new CliError(`${file} is not valid JSON`);
  }
}

async function followEndpoint(ctx: Context, id: string, transitional: string, opts: Record<string, unknown>) {
  const last = await waitWhile(ctx, `endpoint ${id}`, transitional, opts, () => ctx.client.endpoints.get(id));
  if (last?.status === 'failed') throw new CliError(`endpoint ${id} failed`);
  return last;
}

/** `vpcep endpoints ...`: VPC endpoints (the consumer side). */
export function registerEndpointCommands(program: Command): void {
  const endpoints = program.command('endpoints').description('VPC endpoints');

  clientCommand(
    endpoints,
    'list',
    'list the VPC endpoints of the project',
    ['vpcep endpoints list', "vpcep endpoints list --query 'endpoints[*].id'"],
    (c) => c.option('--vpc-id <id>', 'only the endpoints in this VPC'),
    async (ctx, o) => {
      const all: Endpoint[] = [];
      for await (const ep of ctx.client.endpoints.listAll(
        o.vpcId !== undefined ? { vpc_id: o.vpcId as string } : {},
      ))
        all.push(ep);
      const res = { endpoints: all, total_count: all.length };
      ctx.out.result(res, () => endpointRows(ctx, all));
    },
  );

  clientCommand<[string]>(
    endpoints,
    'show <id>',
    'show a VPC endpoint',
    'vpcep endpoints show <endpoint-id> -o yaml',
    (c) => c,
    async (ctx, _o, id) => {
      const e = await ctx.client.endpoints.get(id);
      ctx.out.result(e, () => endpointFields(ctx, e));
    },
  );

  clientCommand(
    endpoints,
    'create',
    'create a VPC endpoint to a service: gateway endpoints take route tables, interface ones a subnet',
    [
      'vpcep endpoints create --service-id <service-id> --vpc-id <vpc-id> --routetable <rtb-id> --wait',
      'vpcep endpoints create --service-id <service-id> --vpc-id <vpc-id> --subnet-id <subnet-id> --tag env=prod',
    ],
    (c) =>
      withWaitOptions(
        c
          .requiredOption('--service-id <id>', 'the endpoint service')
          .requiredOption('--vpc-id <id>', 'the VPC it is created in')
          .option('--subnet-id <id>', 'its subnet (interface endpoints)')
          .option('--routetable <id>', 'a route table to program (gateway endpoints), repeatable', collect)
          .option('--port-ip <ip>', 'its address in the subnet (interface endpoints)')
          .option('--enable-dns', 'create a private DNS name (interface endpoints)')
          .option(
            '--whitelist <cidr>',
            'an address allowed to use it, repeatable; enables the whitelist',
            collect,
          )
          .option('--tag <key=value>', 'a tag, repeatable', collect)
          .option('--description <text>', 'what it is for'),
        'endpoint',
      ),
    async (ctx, o) => {
      checkWait(o);
      const e = await ctx.client.endpoints.create({
        endpoint_service_id: o.serviceId as string,
        vpc_id: o.vpcId as string,
        ...(o.subnetId !== undefined ? { subnet_id: o.subnetId as string } : {}),
        ...(o.routetable !== undefined ? { routetables: o.routetable as string[] } : {}),
        ...(o.portIp !== undefined ? { port_ip: o.portIp as string } : {}),
        ...(o.enableDns ? { enable_dns: true } : {}),
        ...(o.whitelist !== undefined ? { whitelist: o.whitelist as string[], enable_whitelist: true } : {}),
        ...(o.tag !== undefined ? { tags: tags(o.tag as string[]) } : {}),
        ...(o.description !== undefined ? { description: o.description as string } : {}),
      });
      const final = o.wait ? ((await followEndpoint(ctx, e.id, 'creating', o)) ?? e) : e;
      ctx.out.result(final, () => endpointFields(ctx, final));
    },
  );

  clientCommand<[string]>(
    endpoints,
    'delete <id>',
    'delete a VPC endpoint (its routes and address go with it)',
    'vpcep endpoints delete <endpoint-id> --wait',
    (c) => withWaitOptions(c, 'endpoint'),
    async (ctx, o, id) => {
      checkWait(o);
      await ctx.client.endpoints.delete(id);
      if (o.wait) await followEndpoint(ctx, id, 'deleting', o);
      ctx.out.done(`endpoint ${id} deleted`);
    },
  );

  clientCommand<[string, string[]]>(
    endpoints,
    'set-routetables <endpoint-id> <rtb-id...>',
    'replace the route tables of a gateway endpoint with exactly these; ' +
      `exits ${EXIT.partial} when some table could not be bound or unbound`,
    'vpcep endpoints set-routetables <endpoint-id> <rtb-id> <rtb-id>',
    (c) => c,
    async (ctx, _opts, endpointId, tableIds) => {
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
    },
  );

  clientCommand<[string, string[]]>(
    endpoints,
    'whitelist <endpoint-id> [cidr...]',
    "set an interface endpoint's whitelist to exactly these addresses (none: empty); --disable turns it off",
    [
      'vpcep endpoints whitelist <endpoint-id> 10.0.0.0/24 192.168.1.7',
      'vpcep endpoints whitelist <endpoint-id> --disable',
    ],
    (c) => c.option('--disable', 'turn the whitelist off (the list is kept)'),
    async (ctx, o, id, cidrs) => {
      const e = await ctx.client.endpoints.updateWhitelist(
        id,
        o.disable ? { enable_whitelist: false } : { whitelist: cidrs, enable_whitelist: true },
      );
      ctx.out.result(e, () => endpointFields(ctx, e));
    },
  );

  const policy = endpoints.command('policy').description("an endpoint's access policy");
  clientCommand<[string]>(
    policy,
    'set <endpoint-id>',
    'set the policy from a JSON file: {"policy_statement": [...]} (gateway) or {"policy_document": {...}} (interface)',
    'vpcep endpoints policy set <endpoint-id> --file policy.json',
    (c) => c.requiredOption('--file <path>', 'the JSON body (- for standard input)'),
    async (ctx, o, id) => {
      const e = await ctx.client.endpoints.updatePolicy(
        id,
        readJson(o.file as string) as UpdateEndpointPolicyRequest,
      );
      ctx.out.result(e, () => endpointFields(ctx, e));
    },
  );
  clientCommand<[string]>(
    policy,
    'delete <endpoint-id>',
    'remove the policy (everything is allowed again)',
    'vpcep endpoints policy delete <endpoint-id>',
    (c) => c,
    async (ctx, _o, id) => {
      const e = await ctx.client.endpoints.deletePolicy(id);
      ctx.out.result(e, () => endpointFields(ctx, e));
    },
  );

  const tagCmd = endpoints.command('tags').description("an endpoint's tags");
  for (const [name, action] of [
    ['add', 'create'],
    ['remove', 'delete'],
  ] as const) {
    clientCommand<[string, string[]]>(
      tagCmd,
      `${name} <endpoint-id> <key=value...>`,
      `${name} tags (remove: a bare key removes it whatever its value)`,
      `vpcep endpoints tags ${name} <endpoint-id> env=prod`,
      (c) => c,
      async (ctx, _o, id, pairs) => {
        const list = tags(pairs, action === 'delete');
        await ctx.client.tags.addOrRemove('endpoint', id, { action, tags: list });
        ctx.out.done(`tags ${name === 'add' ? 'added to' : 'removed from'} endpoint ${id}`);
      },
    );
  }
  clientCommand(
    tagCmd,
    'list',
    'every tag key of the project’s endpoints, with its values',
    'vpcep endpoints tags list',
    (c) => c,
    async (ctx) => {
      const res = await ctx.client.tags.listProjectTags('endpoint');
      ctx.out.result(res, () =>
        ctx.out.table(
          ['KEY', 'VALUES'],
          res.tags.map((t) => [t.key, listOrDash(t.values)]),
          'no tags',
        ),
      );
    },
  );
}
