import { seg } from '../api.ts';
import { html } from '../../http/html.ts';
import { facts, id, link, status, table } from '../layout.ts';
import { view, type Outcome, type PageCtx, type PageDef } from '../page.ts';
import type { Endpoint, Routetable, RoutetableSummary, Subnet, Vpc } from '../wire.ts';

/** VPCs with their subnets and route tables, and a route table with all its routes (spec/console.md). */

/** Route types the system owns (spec/routetables.md): no user adds, changes or deletes them. */
const SYSTEM_ROUTES = new Set(['local', 'egw']);

/** The table each subnet uses: the one that lists it, else its VPC's default table. */
export function tableOfSubnets(
  tables: RoutetableSummary[],
  subnets: Subnet[],
): Map<string, RoutetableSummary> {
  const out = new Map<string, RoutetableSummary>();
  for (const t of tables) for (const s of t.subnets) out.set(s.id, t);
  for (const s of subnets) {
    const fallback = tables.find((t) => t.vpc_id === s.vpc_id && t.default);
    if (!out.has(s.id) && fallback) out.set(s.id, fallback);
  }
  return out;
}

export const tableLink = (t: { id: string; name: string }) =>
  html`<a href="${link('routetables', t.id)}">${t.name || t.id}</a>`;

const none = html`<span class="muted">none</span>`;

async function vpcList(ctx: PageCtx): Promise<Outcome> {
  const [{ vpcs }, { subnets }, { routetables }] = await Promise.all([
    ctx.api.project<{ vpcs: Vpc[] }>('GET', '/vpcs'),
    ctx.api.project<{ subnets: Subnet[] }>('GET', '/subnets'),
    ctx.api.project<{ routetables: RoutetableSummary[] }>('GET', '/routetables'),
  ]);
  const body = html`<h1>VPCs</h1>
${table({
  caption: `${vpcs.length} VPC${vpcs.length === 1 ? '' : 's'} of project ${ctx.caller.project_name}`,
  head: ['Name', 'CIDR', 'Subnets', 'Route tables', 'ID'],
  rows: vpcs.map((v) => [
    html`<a href="${link('vpcs', v.id)}">${v.name || v.id}</a>`,
    v.cidr,
    subnets.filter((s) => s.vpc_id === v.id).length,
    routetables.filter((t) => t.vpc_id === v.id).length,
    id(v.id),
  ]),
  empty: 'This project has no VPCs yet.',
})}`;
  return view(ctx, 'VPCs', 'vpcs', body);
}

async function vpcPage(ctx: PageCtx): Promise<Outcome> {
  const vpcId = ctx.params.vpc_id!;
  const { vpc } = await ctx.api.project<{ vpc: Vpc }>('GET', `/vpcs/${seg(vpcId)}`);
  const [{ subnets }, { routetables }, endpoints] = await Promise.all([
    ctx.api.project<{ subnets: Subnet[] }>('GET', '/subnets', undefined, { vpc_id: vpcId }),
    ctx.api.project<{ routetables: RoutetableSummary[] }>('GET', '/routetables', undefined, {
      vpc_id: vpcId,
    }),
    ctx.api.all<Endpoint>('/vpc-endpoints', 'endpoints', { vpc_id: vpcId }),
  ]);
  const tableOf = tableOfSubnets(routetables, subnets);
  const name = vpc.name || vpc.id;
  const body = html`<h1>VPC ${name}</h1>
${facts([
  ['ID', id(vpc.id)],
  ['CIDR', vpc.cidr],
  ['Description', vpc.description || none],
  ['Created', vpc.created_at],
])}
<h2>Subnets</h2>
${table({
  caption: `Subnets of ${name}`,
  head: ['Name', 'CIDR', 'Gateway', 'Route table', 'ID'],
  rows: subnets.map((s) => {
    const t = tableOf.get(s.id);
    return [s.name, s.cidr, s.gateway_ip, t ? tableLink(t) : '', id(s.id)];
  }),
  empty: 'This VPC has no subnets.',
})}
<h2>Route tables</h2>
${table({
  caption: `Route tables of ${name}`,
  head: ['Name', 'Default', 'Subnets using it', 'ID'],
  rows: routetables.map((t) => [
    tableLink(t),
    t.default ? 'yes' : 'no',
    subnets.filter((s) => tableOf.get(s.id)?.id === t.id).length,
    id(t.id),
  ]),
  empty: 'This VPC has no route tables.',
})}
<h2>Endpoints in this VPC</h2>
${table({
  caption: `VPC endpoints in ${name}`,
  head: ['Endpoint', 'Service', 'Type', 'Status'],
  rows: endpoints.map((e) => [
    html`<a href="${link('endpoints', e.id)}">${e.id}</a>`,
    e.endpoint_service_name,
    e.service_type,
    status(e.status),
  ]),
  empty: 'No endpoints in this VPC.',
})}`;
  return view(ctx, `VPC ${name}`, 'vpcs', body);
}

async function routetablePage(ctx: PageCtx): Promise<Outcome> {
  const { routetable: t } = await ctx.api.project<{ routetable: Routetable }>(
    'GET',
    `/routetables/${seg(ctx.params.routetable_id!)}`,
  );
  const name = t.name || t.id;
  const body = html`<h1>Route table ${name}</h1>
${facts([
  ['ID', id(t.id)],
  ['VPC', html`<a href="${link('vpcs', t.vpc_id)}">${t.vpc_id}</a>`],
  ['Default table', t.default ? 'yes' : 'no'],
  ['Subnets', t.subnets.length === 0 ? none : t.subnets.map((s, i) => html`${i > 0 ? ', ' : ''}${id(s.id)}`)],
  ['Description', t.description || none],
])}
<h2>Routes</h2>
<p class="hint"><span class="system">System routes</span> (<code>local</code>, and <code>egw</code> for gateway endpoints) are made and removed by the platform; each <code>egw</code> route links to the endpoint it belongs to.</p>
${table({
  caption: `${t.routes.length} route${t.routes.length === 1 ? '' : 's'} of ${name}`,
  head: ['Destination', 'Type', 'Next hop', 'Kind', 'Description'],
  rows: t.routes.map((r) => [
    html`<code>${r.destination}</code>`,
    r.type,
    r.type === 'egw'
      ? html`<a href="${link('endpoints', r.nexthop)}">Endpoint ${id(r.nexthop)}</a>`
      : id(r.nexthop),
    SYSTEM_ROUTES.has(r.type) ? html`<span class="tag system">System route</span>` : 'User route',
    r.description,
  ]),
  empty: 'This table has no routes.',
})}`;
  return view(ctx, `Route table ${name}`, 'vpcs', body);
}

export function vpcPages(): PageDef[] {
  return [
    { method: 'GET', url: '/vpcs', handler: vpcList },
    { method: 'GET', url: '/vpcs/:vpc_id', handler: vpcPage },
    { method: 'GET', url: '/routetables/:routetable_id', handler: routetablePage },
  ];
}
