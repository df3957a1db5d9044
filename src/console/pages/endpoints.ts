import { ApiFailure, seg } from '../api.ts';
import { ENDPOINT_STATUSES } from '../../domain/endpoint-status.ts';
import { html, type Html } from '../../http/html.ts';
import { csrfField, facts, failure, id, link, notice, options, status, table } from '../layout.ts';
import { view, type Outcome, type PageCtx, type PageDef } from '../page.ts';
import type { Endpoint, OwnService, PublicService, RoutetableSummary, Subnet, Vpc } from '../wire.ts';
import { endpointPageDefs, getEndpoint } from './endpoint.ts';

/**
 * Endpoints (spec/console.md): the list with its filters, and the lifecycle — create (two steps:
 * service and VPC, then what that kind of endpoint takes) and delete. The endpoint's own page is
 * endpoint.ts.
 */

async function endpointList(ctx: PageCtx): Promise<Outcome> {
  const q = ctx.query;
  const [endpoints, { vpcs }] = await Promise.all([
    ctx.api.all<Endpoint>('/vpc-endpoints', 'endpoints'),
    ctx.api.project<{ vpcs: Vpc[] }>('GET', '/vpcs'),
  ]);
  const vpcName = new Map(vpcs.map((v) => [v.id, v.name || v.id]));
  const services = new Map(endpoints.map((e) => [e.endpoint_service_id, e.endpoint_service_name]));
  const shown = endpoints.filter(
    (e) =>
      (!q.vpc_id || e.vpc_id === q.vpc_id) &&
      (!q.service_id || e.endpoint_service_id === q.service_id) &&
      (!q.status || e.status === q.status),
  );
  const filters = [
    q.vpc_id && `VPC ${vpcName.get(q.vpc_id) ?? q.vpc_id}`,
    q.service_id && `service ${services.get(q.service_id) ?? q.service_id}`,
    q.status && `status ${q.status}`,
  ].filter(Boolean);
  const body = html`<h1>VPC endpoints</h1>
${q.deleted ? notice('ok', html`<p>Endpoint ${id(q.deleted)} was deleted.</p>`) : ''}
${ctx.can('CreateEndpoint') ? html`<p><a class="button" href="${link('endpoints', 'new')}">Create an endpoint</a></p>` : ''}
<form class="filters" method="get" action="${link('endpoints')}" role="search" aria-label="Filter the endpoints">
<div><label for="f-vpc">VPC</label>
<select id="f-vpc" name="vpc_id"><option value="">All VPCs</option>${options(
    vpcs.map((v) => ({ value: v.id, label: v.name || v.id })),
    q.vpc_id,
  )}</select></div>
<div><label for="f-service">Service</label>
<select id="f-service" name="service_id"><option value="">All services</option>${options(
    [...services].map(([value, label]) => ({ value, label })),
    q.service_id,
  )}</select></div>
<div><label for="f-status">Status</label>
<select id="f-status" name="status"><option value="">Any status</option>${options(
    ENDPOINT_STATUSES.map((s) => ({ value: s, label: s })),
    q.status,
  )}</select></div>
<div><button type="submit">Filter</button></div>
</form>
<p>${`Showing ${shown.length} of ${endpoints.length} endpoints`}${filters.length > 0 ? `, with ${filters.join(', ')}` : ''}.</p>
${table({
  caption: 'VPC endpoints',
  head: ['Endpoint', 'Service', 'Type', 'VPC', 'Status', 'Created'],
  rows: shown.map((e) => [
    html`<a href="${link('endpoints', e.id)}">${e.id}</a>`,
    e.endpoint_service_name,
    e.service_type,
    html`<a href="${link('vpcs', e.vpc_id)}">${vpcName.get(e.vpc_id) ?? e.vpc_id}</a>`,
    status(e.status),
    e.created_at,
  ]),
  empty:
    endpoints.length === 0 ? 'This project has no VPC endpoints yet.' : 'No endpoint matches the filter.',
})}`;
  return view(ctx, 'VPC endpoints', 'endpoints', body);
}

// ---- create

interface CreateValues {
  service: string;
  vpc: string;
  description: string;
}

/** The services a user can pick without knowing an id: the public ones and the project's own. */
async function pickableServices(ctx: PageCtx) {
  const [publicOnes, own] = await Promise.all([
    ctx.api.all<PublicService>('/vpc-endpoint-services/public', 'endpoint_services'),
    ctx.can('ListEndpointService')
      ? ctx.api.all<OwnService>('/vpc-endpoint-services', 'endpoint_services')
      : Promise.resolve([]),
  ]);
  return { publicOnes, own };
}

/** Both steps: the first always, the second once a service and a VPC are chosen. */
async function createForm(
  ctx: PageCtx,
  values: Partial<CreateValues>,
  refused?: ApiFailure,
): Promise<Outcome> {
  const service = values.service?.trim() ?? '';
  const vpcId = values.vpc ?? '';
  const [{ vpcs }, { publicOnes, own }] = await Promise.all([
    ctx.api.project<{ vpcs: Vpc[] }>('GET', '/vpcs'),
    pickableServices(ctx),
  ]);
  const label = (s: { service_name: string; service_type: string }) =>
    `${s.service_name} (${s.service_type})`;
  const listed = [...publicOnes, ...own].some((s) => s.id === service);
  const stepOne = html`<form class="stack" method="get" action="${link('endpoints', 'new')}">
<label for="service">Endpoint service</label>
<select id="service" name="service"><option value="">Choose a service</option>
<optgroup label="Public services">${options(
    publicOnes.map((s) => ({ value: s.id, label: label(s) })),
    service,
  )}</optgroup>
${
  own.length > 0
    ? html`<optgroup label="This project's services">${options(
        own.map((s) => ({ value: s.id, label: label(s) })),
        service,
      )}</optgroup>`
    : ''
}
</select>
<label for="service-id">Or the ID of a service another account shares with you</label>
<input type="text" id="service-id" name="service_id" autocapitalize="none" spellcheck="false" value="${listed ? '' : service}">
<label for="vpc">VPC</label>
<select id="vpc" name="vpc" required><option value="">Choose a VPC</option>${options(
    vpcs.map((v) => ({ value: v.id, label: `${v.name || v.id} (${v.cidr})` })),
    vpcId,
  )}</select>
<div class="actions"><button type="submit">Next</button></div>
</form>`;
  let stepTwo: Html | undefined;
  let problem = refused;
  if (service && vpcId) {
    try {
      stepTwo = await createDetails(ctx, service, vpcId, values.description ?? '');
    } catch (e) {
      if (!(e instanceof ApiFailure) || e.status === 401) throw e;
      problem ??= e;
    }
  }
  const body = html`<h1>Create an endpoint</h1>
${problem ? failure(problem.code, problem.message) : ''}
<h2>1. Service and VPC</h2>
${stepOne}
${
  stepTwo
    ? html`<h2>2. Details</h2>
${stepTwo}`
    : ''
}`;
  return view(ctx, 'Create an endpoint', 'endpoints', body, refused?.status ?? 200);
}

/** The second step: a gateway endpoint takes route tables, an interface endpoint a subnet. */
async function createDetails(
  ctx: PageCtx,
  service: string,
  vpcId: string,
  description: string,
): Promise<Html> {
  const described = await ctx.api.project<{ id: string; service_name: string; service_type: string }>(
    'GET',
    '/vpc-endpoint-services/describe',
    undefined,
    { id: service },
  );
  const [{ vpc }, { routetables }, { subnets }] = await Promise.all([
    ctx.api.project<{ vpc: Vpc }>('GET', `/vpcs/${seg(vpcId)}`),
    ctx.api.project<{ routetables: RoutetableSummary[] }>('GET', '/routetables', undefined, {
      vpc_id: vpcId,
    }),
    ctx.api.project<{ subnets: Subnet[] }>('GET', '/subnets', undefined, { vpc_id: vpcId }),
  ]);
  const box = (t: RoutetableSummary) =>
    html`<div class="check"><input type="checkbox" id="${`new-rt-${t.id}`}" name="routetable" value="${t.id}"${t.default ? html` checked` : ''}>
<label for="${`new-rt-${t.id}`}">${t.name || t.id}${t.default ? ' (default)' : ''}</label></div>
`;
  const subnetOptions = subnets.map((s) => ({ value: s.id, label: `${s.name} (${s.cidr})` }));
  const where =
    described.service_type === 'gateway'
      ? html`<fieldset><legend>Route tables to bind</legend>
${routetables.map(box)}</fieldset>`
      : html`<label for="subnet">Subnet</label>
<select id="subnet" name="subnet" required>${options(subnetOptions, undefined)}</select>`;
  return html`<form class="stack" method="post" action="${link('endpoints')}">
${csrfField(ctx.viewer.csrf)}
<input type="hidden" name="service" value="${described.id}">
<input type="hidden" name="vpc" value="${vpc.id}">
${facts([
  ['Service', `${described.service_name} (${described.service_type})`],
  ['VPC', `${vpc.name || vpc.id} (${vpc.cidr})`],
])}
${where}
<label for="description">Description <span class="muted">(optional)</span></label>
<input type="text" id="description" name="description" maxlength="512" value="${description}">
<div class="actions"><button type="submit">Create the endpoint</button></div>
</form>`;
}

async function createEndpoint(ctx: PageCtx): Promise<Outcome> {
  const f = ctx.form;
  const values: CreateValues = {
    service: f.get('service') ?? '',
    vpc: f.get('vpc') ?? '',
    description: f.get('description') ?? '',
  };
  const routetables = f.getAll('routetable');
  const subnet = f.get('subnet');
  try {
    const made = await ctx.api.project<Endpoint>('POST', '/vpc-endpoints', {
      endpoint_service_id: values.service,
      vpc_id: values.vpc,
      ...(routetables.length > 0 ? { routetables } : {}),
      ...(subnet ? { subnet_id: subnet } : {}),
      ...(values.description ? { description: values.description } : {}),
    });
    return { redirect: link('endpoints', made.id) };
  } catch (e) {
    if (e instanceof ApiFailure && e.status !== 401) return createForm(ctx, values, e);
    throw e;
  }
}

// ---- delete

async function deleteConfirm(ctx: PageCtx): Promise<Outcome> {
  const e = await getEndpoint(ctx, ctx.params.endpoint_id!);
  const routes =
    e.service_type === 'gateway' ? ', and with it its egw routes in the tables it is bound to' : '';
  const body = html`<h1>Delete endpoint ${e.id}?</h1>
<p>The endpoint of ${e.endpoint_service_name} in VPC ${id(e.vpc_id)} goes away${routes}.</p>
<form method="post" action="${link('endpoints', e.id, 'delete')}">
${csrfField(ctx.viewer.csrf)}
<div class="actions"><button class="danger" type="submit">Delete the endpoint</button> <a href="${link('endpoints', e.id)}">Cancel</a></div>
</form>`;
  return view(ctx, `Delete endpoint ${e.id}`, 'endpoints', body);
}

async function deleteEndpoint(ctx: PageCtx): Promise<Outcome> {
  const endpointId = ctx.params.endpoint_id!;
  await ctx.api.project('DELETE', `/vpc-endpoints/${seg(endpointId)}`);
  try {
    await getEndpoint(ctx, endpointId);
    // Still there, `deleting`: its page follows the status until it is gone.
    return { redirect: link('endpoints', endpointId) };
  } catch (e) {
    if (e instanceof ApiFailure && e.status === 404) {
      return { redirect: `${link('endpoints')}?deleted=${encodeURIComponent(endpointId)}` };
    }
    throw e;
  }
}

export function endpointPages(): PageDef[] {
  return [
    { method: 'GET', url: '/endpoints', handler: endpointList },
    {
      method: 'GET',
      url: '/endpoints/new',
      handler: (ctx) =>
        createForm(ctx, { service: ctx.query.service_id || ctx.query.service, vpc: ctx.query.vpc }),
    },
    { method: 'POST', url: '/endpoints', handler: createEndpoint },
    ...endpointPageDefs(),
    { method: 'GET', url: '/endpoints/:endpoint_id/delete', handler: deleteConfirm },
    { method: 'POST', url: '/endpoints/:endpoint_id/delete', handler: deleteEndpoint },
  ];
}
