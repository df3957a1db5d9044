import type { Command } from 'commander';
import { VpcepError } from '../sdk/errors.ts';
import type { Connection, CreateEndpointServiceRequest, EndpointService, Permission } from '../sdk/types.ts';
import { clientCommand, collect, listOrDash, orDash } from './command.ts';
import { CliError, type Context } from './context.ts';
import { checkWait, waitWhile, withWaitOptions } from './wait.ts';

/** `--port 8080:80` (client:server, TCP) into the API's port mapping. */
function ports(values: string[]): CreateEndpointServiceRequest['ports'] {
  return values.map((v) => {
    const m = /^(\d{1,5}):(\d{1,5})$/.exec(v);
    if (!m) throw new CliError(`--port must be <client-port>:<server-port>, got "${v}"`);
    return { client_port: Number(m[1]), server_port: Number(m[2]), protocol: 'TCP' as const };
  });
}

function bool(flag: string, raw: unknown): boolean | undefined {
  if (raw === undefined) return undefined;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw new CliError(`${flag} must be true or false, got "${String(raw)}"`);
}

function defined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function serviceRows(ctx: Context, s: EndpointService[]): void {
  ctx.out.table(
    ['ID', 'NAME', 'TYPE', 'STATUS', 'APPROVAL', 'VPC', 'PORTS'],
    s.map((x) => [
      x.id,
      x.service_name,
      x.service_type,
      x.status,
      x.approval_enabled ? 'yes' : 'no',
      x.vpc_id,
      listOrDash(x.ports.map((p) => `${p.client_port}:${p.server_port}`)),
    ]),
    'no VPC endpoint services',
  );
}

/** After a create or delete with --wait: the final state, and a failure when it failed. */
async function followService(ctx: Context, id: string, transitional: string, opts: Record<string, unknown>) {
  const last = await waitWhile(
    ctx,
    `endpoint service ${id}`,
    transitional,
    opts,
    () => ctx.client.services.get(id),
    // A service that does not exist (any more) answers 400 EndPoint.2003 (spec/interface-services.md).
    (e) => e instanceof VpcepError && e.code === 'EndPoint.2003',
  );
  if (last?.status === 'failed') throw new CliError(`endpoint service ${id} failed`);
  return last;
}

/** `vpcep services|connections|permissions ...`: the provider's side. */
export function registerServiceCommands(program: Command): void {
  const services = program.command('services').description('VPC endpoint services (the provider side)');

  clientCommand(
    services,
    'list',
    'list the endpoint services of the project',
    'vpcep services list --status available',
    (c) =>
      c
        .option('--name <name>', 'only services whose name contains this')
        .option('--status <status>', 'only services in this state'),
    async (ctx, o) => {
      const all: EndpointService[] = [];
      for await (const s of ctx.client.services.listAll(
        defined({ endpoint_service_name: o.name as string | undefined, status: o.status as never }),
      ))
        all.push(s);
      const res = { endpoint_services: all, total_count: all.length };
      ctx.out.result(res, () => serviceRows(ctx, all));
    },
  );
  clientCommand<[string]>(
    services,
    'show <id>',
    'show an endpoint service',
    'vpcep services show <service-id>',
    (c) => c,
    async (ctx, _o, id) => {
      const s = await ctx.client.services.get(id);
      ctx.out.result(s, () => serviceRows(ctx, [s]));
    },
  );
  clientCommand(
    services,
    'create',
    'create an endpoint service for a port (VM or VIP) or a load balancer',
    'vpcep services create --vpc-id <vpc-id> --port-id <port-id> --server-type VM --port 8080:80 --wait',
    (c) =>
      withWaitOptions(
        c
          .requiredOption('--vpc-id <id>', 'the VPC of the backend')
          .requiredOption('--port-id <id>', 'the backend port (or load balancer) id')
          .requiredOption('--server-type <type>', 'VM, VIP or LB')
          .requiredOption('--port <client:server>', 'a port mapping, repeatable', collect)
          .option('--name <name>', 'service name (letters, digits, _ and -)')
          .option('--service-type <type>', 'interface (default) or gateway')
          .option('--approval <bool>', 'connections need the provider to accept them: true or false')
          .option('--description <text>', 'what it is for'),
        'service',
      ),
    async (ctx, o) => {
      checkWait(o);
      const s = await ctx.client.services.create({
        vpc_id: o.vpcId as string,
        port_id: o.portId as string,
        server_type: o.serverType as CreateEndpointServiceRequest['server_type'],
        ports: ports(o.port as string[]),
        ...defined({
          service_name: o.name as string | undefined,
          service_type: o.serviceType as CreateEndpointServiceRequest['service_type'],
          approval_enabled: bool('--approval', o.approval),
          description: o.description as string | undefined,
        }),
      });
      const final = o.wait ? await followService(ctx, s.id, 'creating', o) : s;
      ctx.out.result(final ?? s, () => serviceRows(ctx, [final ?? s]));
    },
  );
  clientCommand<[string]>(
    services,
    'update <id>',
    "change a service's ports, approval, proxy or description",
    'vpcep services update <service-id> --approval false --description "payments API"',
    (c) =>
      c
        .option('--port <client:server>', 'a port mapping, repeatable: the complete new set', collect)
        .option('--port-id <id>', 'another backend port')
        .option('--approval <bool>', 'true or false')
        .option('--tcp-proxy <mode>', 'close, toa_open, proxy_open, open or proxy_vni')
        .option('--description <text>', 'what it is for'),
    async (ctx, o, id) => {
      const body = defined({
        ports: o.port !== undefined ? ports(o.port as string[]) : undefined,
        port_id: o.portId as string | undefined,
        approval_enabled: bool('--approval', o.approval),
        tcp_proxy: o.tcpProxy as never,
        description: o.description as string | undefined,
      });
      if (Object.keys(body).length === 0) throw new CliError('nothing to change: give at least one option');
      const s = await ctx.client.services.update(id, body);
      ctx.out.result(s, () => serviceRows(ctx, [s]));
    },
  );
  clientCommand<[string, string]>(
    services,
    'rename <id> <name>',
    'rename a service (its full name changes with it)',
    'vpcep services rename <service-id> payments',
    (c) => c,
    async (ctx, _o, id, name) => {
      const res = await ctx.client.services.rename(id, { endpoint_service_name: name });
      ctx.out.result(res, () => ctx.out.line(`endpoint service ${id} is now ${res.endpoint_service_name}`));
    },
  );
  clientCommand<[string]>(
    services,
    'delete <id>',
    'delete an endpoint service (refused while endpoints use it)',
    'vpcep services delete <service-id> --wait',
    (c) => withWaitOptions(c, 'service'),
    async (ctx, o, id) => {
      checkWait(o);
      await ctx.client.services.delete(id);
      if (o.wait) await followService(ctx, id, 'deleting', o);
      ctx.out.done(`endpoint service ${id} deleted`);
    },
  );

  const connections = program
    .command('connections')
    .description("the endpoints connected to a service (the provider's view)");
  clientCommand<[string]>(
    connections,
    'list <service-id>',
    'list the connections of an endpoint service',
    'vpcep connections list <service-id>',
    (c) => c,
    async (ctx, _o, serviceId) => {
      const all: Connection[] = [];
      for await (const x of ctx.client.connections.listAll(serviceId)) all.push(x);
      const res = { connections: all, total_count: all.length };
      ctx.out.result(res, () =>
        ctx.out.table(
          ['ENDPOINT', 'STATUS', 'DOMAIN', 'DESCRIPTION', 'CREATED'],
          all.map((x) => [x.id, x.status, x.domain_id, orDash(x.description), x.created_at]),
          'no connections',
        ),
      );
    },
  );
  for (const [name, action, summary] of [
    ['accept', 'receive', 'accept the connection of an endpoint to a service that needs approval'],
    ['reject', 'reject', 'reject (or cut) the connection of an endpoint'],
  ] as const) {
    clientCommand<[string, string]>(
      connections,
      `${name} <service-id> <endpoint-id>`,
      summary,
      `vpcep connections ${name} <service-id> <endpoint-id>`,
      (c) => c,
      async (ctx, _o, serviceId, endpointId) => {
        const res = await ctx.client.connections.acceptOrReject(serviceId, {
          action,
          endpoints: [endpointId],
        });
        ctx.out.result(res, () => {
          for (const x of res.connections) ctx.out.line(`endpoint ${x.id} is ${x.status}`);
        });
      },
    );
  }

  const permissions = program
    .command('permissions')
    .description('who may connect to a service (its whitelist of accounts)');
  clientCommand<[string]>(
    permissions,
    'list <service-id>',
    'list the permissions of an endpoint service',
    'vpcep permissions list <service-id>',
    (c) => c,
    async (ctx, _o, serviceId) => {
      const all: Permission[] = [];
      for await (const x of ctx.client.permissions.listAll(serviceId)) all.push(x);
      const res = { permissions: all, total_count: all.length };
      ctx.out.result(res, () =>
        ctx.out.table(
          ['ID', 'PERMISSION', 'TYPE', 'DESCRIPTION', 'CREATED'],
          all.map((x) => [x.id, x.permission, x.permission_type, orDash(x.description), x.created_at]),
          'no permissions',
        ),
      );
    },
  );
  for (const action of ['add', 'remove'] as const) {
    clientCommand<[string, string[]]>(
      permissions,
      `${action} <service-id> <permission...>`,
      `${action} permissions: iam:domain::<domain-id> (or * for everyone), or organization paths with --type orgPath`,
      `vpcep permissions ${action} <service-id> iam:domain::<domain-id>`,
      (c) => c.option('--type <type>', 'domainId (default) or orgPath'),
      async (ctx, o, serviceId, entries) => {
        const res = await ctx.client.permissions.addOrRemove(serviceId, {
          action,
          permissions: entries,
          ...(o.type !== undefined ? { permission_type: o.type as 'domainId' | 'orgPath' } : {}),
        });
        ctx.out.result(res, () => {
          ctx.out.line(
            `permissions ${action === 'add' ? 'added' : 'removed'}: ${listOrDash(res.permissions)}`,
          );
        });
      },
    );
  }
}
