import { ApiFailure, seg } from '../api.ts';
import { endpointDiagram } from '../diagram.ts';
import { html, type Html } from '../../http/html.ts';
import { csrfField, facts, failure, id, link, status, table, TRANSITIONAL } from '../layout.ts';
import { view, type Outcome, type PageCtx, type PageDef } from '../page.ts';
import type { Endpoint, RoutetableChange, RoutetableSummary, Subnet, Vpc } from '../wire.ts';
import { tableLink, tableOfSubnets } from './vpcs.ts';

/**
 * An endpoint's page (spec/console.md): its facts, its status (live while it is in transition),
 * and for a gateway endpoint the central action — the VPC's route tables as a checklist, saved as
 * UpdateEndpointRoutetable, with what happened to each table — and the diagram.
 */

export const getEndpoint = (ctx: PageCtx, endpointId: string) =>
  ctx.api.project<Endpoint>('GET', `/vpc-endpoints/${seg(endpointId)}`);

const none = html`<span class="muted">none</span>`;

/** One route table's part in a change: what happened to it, and the API's code and message if it failed. */
export interface TableOutcome {
  id: string;
  outcome: 'bound' | 'unbound' | 'stays bound' | 'bind failed' | 'unbind failed';
  code?: string;
  message?: string;
}

/** `EndPoint.2039: The route table is ...` → its code and its message. */
function splitFailure(errorMessage: string): { code: string; message: string } {
  const m = /^([A-Za-z]+\.\d+): ([\s\S]*)$/.exec(errorMessage);
  return m ? { code: m[1]!, message: m[2]! } : { code: '', message: errorMessage };
}

/**
 * Per table, what UpdateEndpointRoutetable did, from the tables bound before, those asked for,
 * and its answer: the set bound after, and the per-table failures (README, "UpdateEndpointRoutetable:
 * what to expect").
 */
export function tableOutcomes(before: string[], desired: string[], answer: RoutetableChange): TableOutcome[] {
  const failed = answer.error?.[0];
  const bindFailed = new Map((failed?.bind_failed ?? []).map((f) => [f.id, f.error_message]));
  const unbindFailed = new Map((failed?.unbind_failed ?? []).map((f) => [f.id, f.error_message]));
  return [...new Set([...before, ...desired])].map((t): TableOutcome => {
    const was = before.includes(t);
    const wanted = desired.includes(t);
    const bound = answer.routetables.includes(t);
    if (wanted && was) return { id: t, outcome: 'stays bound' };
    if (wanted) {
      const why = bindFailed.get(t);
      if (why !== undefined) return { id: t, outcome: 'bind failed', ...splitFailure(why) };
      return { id: t, outcome: bound ? 'bound' : 'bind failed' };
    }
    const why = unbindFailed.get(t);
    if (why !== undefined) return { id: t, outcome: 'unbind failed', ...splitFailure(why) };
    return { id: t, outcome: bound ? 'unbind failed' : 'unbound' };
  });
}

function outcomePanel(outcomes: TableOutcome[], names: Map<string, string>): Html {
  const failures = outcomes.filter((o) => o.outcome.endsWith('failed')).length;
  const title =
    failures > 0 ? `Saved, but ${failures} route table${failures === 1 ? '' : 's'} failed` : 'Saved';
  return html`<section class="notice${failures > 0 ? ' error' : ''}" role="${failures > 0 ? 'alert' : 'status'}" aria-labelledby="result-title">
<h3 id="result-title">${title}</h3>
${table({
  caption: 'What happened to each route table',
  head: ['Route table', 'Outcome', 'Code', 'Message'],
  rows: outcomes.map((o) => [
    tableLink({ id: o.id, name: names.get(o.id) ?? o.id }),
    html`<span class="${o.outcome.endsWith('failed') ? 'outcome-failed' : 'outcome-bound'}">${o.outcome}</span>`,
    o.code ? html`<code>${o.code}</code>` : '',
    o.message ?? '',
  ]),
  empty: 'Nothing changed.',
})}
</section>`;
}

/** The status, polled by assets.ts's script while it is one a thing passes through. */
function statusLine(e: Endpoint): Html {
  if (!TRANSITIONAL.has(e.status))
    return html`<p>Status: <span id="endpoint-status">${status(e.status)}</span></p>`;
  const gone = `${link('endpoints')}?deleted=${encodeURIComponent(e.id)}`;
  return html`<p>Status: <span id="endpoint-status" aria-live="polite" data-poll="${link('endpoints', e.id, 'status')}" data-status="${e.status}" data-gone="${gone}">${status(e.status)}</span>
<span class="muted">(this page follows it; or <a href="${link('endpoints', e.id)}">reload</a>)</span></p>`;
}

/** The endpoint's page; after a save, with what happened (`result`) or why the call was refused. */
async function endpointPage(
  ctx: PageCtx,
  extra: { result?: Html; refused?: ApiFailure } = {},
): Promise<Outcome> {
  const e = await getEndpoint(ctx, ctx.params.endpoint_id!);
  const gateway = e.service_type === 'gateway';
  const [vpc, tables, subnets] = await Promise.all([
    ctx.api.project<{ vpc: Vpc }>('GET', `/vpcs/${seg(e.vpc_id)}`).then((r) => r.vpc),
    gateway
      ? ctx.api
          .project<{ routetables: RoutetableSummary[] }>('GET', '/routetables', undefined, {
            vpc_id: e.vpc_id,
          })
          .then((r) => r.routetables)
      : [],
    gateway
      ? ctx.api
          .project<{ subnets: Subnet[] }>('GET', '/subnets', undefined, { vpc_id: e.vpc_id })
          .then((r) => r.subnets)
      : [],
  ]);
  const interfaceFacts: [string, Html | string][] = gateway
    ? []
    : [
        ['Subnet', e.subnet_id ? id(e.subnet_id) : none],
        ['IP address', e.ip ?? html`<span class="muted">once accepted</span>`],
        ['DNS names', (e.dns_names ?? []).join(', ') || none],
      ];
  const body = html`<h1>Endpoint ${e.id}</h1>
${statusLine(e)}
${extra.refused ? failure(extra.refused.code, extra.refused.message) : ''}
${facts([
  ['Service', e.endpoint_service_name],
  ['Service type', e.service_type],
  ['VPC', html`<a href="${link('vpcs', e.vpc_id)}">${vpc.name || vpc.id}</a> (${vpc.cidr})`],
  ...interfaceFacts,
  ['Marker ID', e.marker_id],
  ['Description', e.description || none],
  ['Created', e.created_at],
  ['Updated', e.updated_at],
  ['ID', id(e.id)],
])}
${gateway ? routetableSection(ctx, e, { vpc, tables, subnets, result: extra.result }) : ''}
${
  ctx.can('DeleteEndpoint') && e.status !== 'deleting'
    ? html`<h2>Delete</h2>
<p><a href="${link('endpoints', e.id, 'delete')}">Delete this endpoint…</a></p>`
    : ''
}`;
  return view(ctx, `Endpoint ${e.id}`, 'endpoints', body, extra.refused?.status ?? 200);
}

function routetableSection(
  ctx: PageCtx,
  e: Endpoint,
  o: { vpc: Vpc; tables: RoutetableSummary[]; subnets: Subnet[]; result?: Html },
): Html {
  const bound = new Set(e.routetables);
  const tableOf = tableOfSubnets(o.tables, o.subnets);
  // The default table first, then by name; each subnet under its table, so no line crosses another.
  const tables = [...o.tables].sort(
    (x, y) => Number(y.default) - Number(x.default) || x.name.localeCompare(y.name),
  );
  const column = new Map(tables.map((t, i) => [t.id, i]));
  const subnets = [...o.subnets].sort(
    (x, y) =>
      (column.get(tableOf.get(x.id)?.id ?? '') ?? -1) - (column.get(tableOf.get(y.id)?.id ?? '') ?? -1),
  );
  const usedBy = (t: RoutetableSummary) =>
    subnets.filter((s) => tableOf.get(s.id)?.id === t.id).map((s) => s.name);
  const describe = (t: RoutetableSummary) => {
    const used = usedBy(t);
    return `${t.default ? 'default table; ' : ''}${used.length === 0 ? 'no subnet uses it' : `used by ${used.join(', ')}`}`;
  };
  const mayChange = ctx.can('UpdateEndpointRoutetable');
  const item = (t: RoutetableSummary) => {
    const box = `rt-${t.id}`;
    return html`<div class="check"><input type="checkbox" id="${box}" name="routetable" value="${t.id}"${bound.has(t.id) ? html` checked` : ''} aria-describedby="${`${box}-hint`}">
<div><label for="${box}">${t.name || t.id}</label>
<span class="hint" id="${`${box}-hint`}">${describe(t)} · <a href="${link('routetables', t.id)}">routes of ${t.name || t.id}</a></span></div></div>
`;
  };
  const checklist = html`<form method="post" action="${link('endpoints', e.id, 'routetables')}">
${csrfField(ctx.viewer.csrf)}
<fieldset><legend>Route tables of VPC ${o.vpc.name || o.vpc.id} bound to this endpoint</legend>
${tables.map(item)}</fieldset>
<div class="actions"><button type="submit">Save route tables</button></div>
</form>`;
  const readOnly = html`<p class="muted">${
    mayChange
      ? `Route tables change only while the endpoint is accepted; it is ${e.status}.`
      : 'Your role lets you see the route tables, not change them.'
  }</p>
${table({
  caption: 'Route tables bound to this endpoint',
  head: ['Route table', 'Subnets using it'],
  rows: tables.filter((t) => bound.has(t.id)).map((t) => [tableLink(t), usedBy(t).join(', ')]),
  empty: 'No route table is bound.',
})}`;
  const diagram = endpointDiagram({
    vpc: { name: o.vpc.name || o.vpc.id, cidr: o.vpc.cidr },
    endpoint: { id: e.id, service: e.endpoint_service_name },
    tables: tables.map((t) => ({ id: t.id, name: t.name, bound: bound.has(t.id), isDefault: t.default })),
    subnets: subnets.map((s) => ({ id: s.id, name: s.name, cidr: s.cidr, tableId: tableOf.get(s.id)?.id })),
  });
  return html`<h2>Route tables</h2>
${o.result}
${mayChange && e.status === 'accepted' ? checklist : readOnly}
<h2 id="diagram-heading">Diagram</h2>
<figure class="diagram" aria-labelledby="diagram-heading">${diagram}</figure>`;
}

/** The central action: the checklist saved as UpdateEndpointRoutetable, and what it did per table. */
async function saveRoutetables(ctx: PageCtx): Promise<Outcome> {
  const endpointId = ctx.params.endpoint_id!;
  const before = (await getEndpoint(ctx, endpointId)).routetables;
  const desired = ctx.form.getAll('routetable');
  let answer: RoutetableChange;
  try {
    answer = await ctx.api.project<RoutetableChange>('PUT', `/vpc-endpoints/${seg(endpointId)}/routetables`, {
      routetables: desired,
    });
  } catch (e) {
    // Refused whole (a table of another VPC, a role without the right): said on the endpoint's page.
    if (e instanceof ApiFailure && e.status !== 401 && e.status !== 404)
      return endpointPage(ctx, { refused: e });
    throw e;
  }
  const { vpc_id } = await getEndpoint(ctx, endpointId);
  const { routetables } = await ctx.api.project<{ routetables: RoutetableSummary[] }>(
    'GET',
    '/routetables',
    undefined,
    { vpc_id },
  );
  const names = new Map(routetables.map((t) => [t.id, t.name || t.id]));
  return endpointPage(ctx, { result: outcomePanel(tableOutcomes(before, desired, answer), names) });
}

/** The status alone, for the page's script: `gone` once the endpoint no longer exists. */
async function endpointStatus(ctx: PageCtx): Promise<Outcome> {
  try {
    return { json: { status: (await getEndpoint(ctx, ctx.params.endpoint_id!)).status } };
  } catch (e) {
    if (e instanceof ApiFailure && e.status === 404) return { json: { status: 'gone' } };
    throw e;
  }
}

export function endpointPageDefs(): PageDef[] {
  return [
    { method: 'GET', url: '/endpoints/:endpoint_id', handler: (ctx) => endpointPage(ctx) },
    { method: 'GET', url: '/endpoints/:endpoint_id/status', json: true, handler: endpointStatus },
    { method: 'POST', url: '/endpoints/:endpoint_id/routetables', handler: saveRoutetables },
  ];
}
