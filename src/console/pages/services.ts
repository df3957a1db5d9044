import { ApiFailure, seg } from '../api.ts';
import { html, type Html } from '../../http/html.ts';
import { csrfField, facts, failure, id, link, notice, status, table } from '../layout.ts';
import { view, type Outcome, type PageCtx, type PageDef } from '../page.ts';
import type { Connection, OwnService, Permission, PublicService } from '../wire.ts';

/**
 * Endpoint services (spec/console.md): the public ones every account may use, and a provider's own
 * with their connections, which it accepts or rejects, and their permissions.
 */

/** ListServicePermissionsDetails takes at most 500 a page. */
const PERMISSION_PAGE = 500;

async function serviceList(ctx: PageCtx): Promise<Outcome> {
  const [publicOnes, own] = await Promise.all([
    ctx.api.all<PublicService>('/vpc-endpoint-services/public', 'endpoint_services'),
    ctx.can('ListEndpointService')
      ? ctx.api.all<OwnService>('/vpc-endpoint-services', 'endpoint_services')
      : Promise.resolve(undefined),
  ]);
  const canCreate = ctx.can('CreateEndpoint');
  const create = (s: PublicService) =>
    html`<a href="${`${link('endpoints', 'new')}?service=${encodeURIComponent(s.id)}`}">Create an endpoint<span class="skip"> of ${s.service_name}</span></a>`;
  const body = html`<h1>Endpoint services</h1>
<h2>Public services</h2>
${table({
  caption: 'Services every account may make endpoints of',
  head: ['Name', 'Type', 'Owner', 'ID', ...(canCreate ? ['Action'] : [])],
  rows: publicOnes.map((s) => [
    s.service_name,
    s.service_type,
    s.owner,
    id(s.id),
    ...(canCreate ? [create(s)] : []),
  ]),
  empty: 'There are no public services.',
})}
<h2>Your services</h2>
${
  own === undefined
    ? html`<p class="muted">Your role does not let you list this project's services.</p>`
    : table({
        caption: "This project's own services",
        head: ['Name', 'Type', 'Status', 'Connections', 'ID'],
        rows: own.map((s) => [
          html`<a href="${link('services', s.id)}">${s.service_name}</a>`,
          s.service_type,
          status(s.status),
          s.connection_count,
          id(s.id),
        ]),
        empty: 'This project offers no services of its own.',
      })
}`;
  return view(ctx, 'Endpoint services', 'services', body);
}

/** A provider's service: its facts, connections (with accept and reject) and permissions. */
async function servicePage(
  ctx: PageCtx,
  extra: { done?: Html; refused?: ApiFailure } = {},
): Promise<Outcome> {
  const serviceId = ctx.params.service_id!;
  const s = await ctx.api.project<OwnService>('GET', `/vpc-endpoint-services/${seg(serviceId)}`);
  const [connections, permissions] = await Promise.all([
    ctx.api.all<Connection>(`/vpc-endpoint-services/${seg(serviceId)}/connections`, 'connections'),
    ctx.api.all<Permission>(
      `/vpc-endpoint-services/${seg(serviceId)}/permissions`,
      'permissions',
      {},
      PERMISSION_PAGE,
    ),
  ]);
  const canDecide = ctx.can('AcceptOrRejectEndpoint');
  const decide = (c: Connection) =>
    c.status !== 'pendingAcceptance'
      ? ''
      : html`<form class="inline" method="post" action="${link('services', s.id, 'connections')}">${csrfField(ctx.viewer.csrf)}<input type="hidden" name="endpoint" value="${c.id}">
<button type="submit" name="action" value="receive">Accept<span class="skip"> endpoint ${c.id}</span></button>
<button class="secondary" type="submit" name="action" value="reject">Reject<span class="skip"> endpoint ${c.id}</span></button></form>`;
  const body = html`<h1>Service ${s.service_name}</h1>
${extra.done}
${extra.refused ? failure(extra.refused.code, extra.refused.message) : ''}
${facts([
  ['Status', status(s.status)],
  ['Type', s.service_type],
  ['Backend', `${s.server_type}, port ${s.port_id}`],
  ['Ports', s.ports.map((p) => `${p.protocol} ${p.client_port} → ${p.server_port}`).join(', ')],
  ['Approval', s.approval_enabled ? 'required: new endpoints wait for you' : 'not required'],
  ['VPC', html`<a href="${link('vpcs', s.vpc_id)}">${s.vpc_id}</a>`],
  ['Description', s.description || html`<span class="muted">none</span>`],
  ['ID', id(s.id)],
])}
<h2>Connections</h2>
${table({
  caption: 'Endpoints connected to the service',
  head: [
    'Endpoint',
    'Marker ID',
    'Consumer account',
    'Status',
    'Description',
    'Created',
    ...(canDecide ? ['Decision'] : []),
  ],
  rows: connections.map((c) => [
    id(c.id),
    c.marker_id,
    id(c.domain_id),
    status(c.status),
    c.description,
    c.created_at,
    ...(canDecide ? [decide(c)] : []),
  ]),
  empty: 'No endpoint is connected to this service.',
})}
<h2>Permissions</h2>
${table({
  caption: 'Who may see the service and make endpoints of it',
  head: ['Permission', 'Type', 'Description', 'Added'],
  rows: permissions.map((p) => [
    html`<code>${p.permission}</code>`,
    p.permission_type,
    p.description,
    p.created_at,
  ]),
  empty: 'Only this account may use the service.',
})}`;
  return view(ctx, `Service ${s.service_name}`, 'services', body, extra.refused?.status ?? 200);
}

async function decideConnection(ctx: PageCtx): Promise<Outcome> {
  const serviceId = ctx.params.service_id!;
  const endpoint = ctx.form.get('endpoint') ?? '';
  try {
    const answer = await ctx.api.project<{ connections: Connection[] }>(
      'POST',
      `/vpc-endpoint-services/${seg(serviceId)}/connections/action`,
      { action: ctx.form.get('action') ?? '', endpoints: [endpoint] },
    );
    const now = answer.connections.find((c) => c.id === endpoint)?.status ?? 'unchanged';
    return servicePage(ctx, {
      done: notice('ok', html`<p>Endpoint ${id(endpoint)} is now ${status(now)}.</p>`),
    });
  } catch (e) {
    // A refusal of the decision is shown on the service's page; a service the user cannot see is
    // the error page's.
    if (e instanceof ApiFailure && e.status !== 401 && e.status !== 404)
      return servicePage(ctx, { refused: e });
    throw e;
  }
}

export function servicePages(): PageDef[] {
  return [
    { method: 'GET', url: '/services', handler: serviceList },
    { method: 'GET', url: '/services/:service_id', handler: (ctx) => servicePage(ctx) },
    { method: 'POST', url: '/services/:service_id/connections', handler: decideConnection },
  ];
}
