import { html } from '../../http/html.ts';
import type { AuditEvent } from '../../wire/audit.ts';
import { BASE, id, link, options, table } from '../layout.ts';
import { view, type Outcome, type PageCtx, type PageDef } from '../page.ts';

/**
 * The audit trail (spec/audit.md): the project's events, newest first, as
 * `GET /v1/{project_id}/audit-events` answers the signed-in user, filtered and paged the same way.
 */

const PAGE = 50;
const FILTERS = ['resource_id', 'operation', 'caller', 'outcome'] as const;

/** Console pages of the resources an event may name. */
const PAGES: Record<string, string> = { 'vpc-endpoint': 'endpoints', routetable: 'routetables', vpc: 'vpcs' };

function resource(e: AuditEvent) {
  if (e.resource.id === '') return e.resource.type;
  const page = PAGES[e.resource.type];
  const name = html`${e.resource.type} ${id(e.resource.id)}`;
  return page && e.action !== 'delete' ? html`<a href="${link(page, e.resource.id)}">${name}</a>` : name;
}

async function auditList(ctx: PageCtx): Promise<Outcome> {
  const chosen: Record<string, string> = {};
  for (const k of FILTERS) if (ctx.query[k]) chosen[k] = ctx.query[k];
  const { audit_events: events, page_info } = await ctx.api.project<{
    audit_events: AuditEvent[];
    page_info: { next_marker?: string };
  }>('GET', '/audit-events', undefined, { ...chosen, limit: PAGE, marker: ctx.query.marker || undefined });
  const next =
    page_info.next_marker === undefined
      ? ''
      : html`<p><a href="${`${BASE}/audit?${new URLSearchParams({ ...chosen, marker: page_info.next_marker })}`}">Older events</a></p>`;
  const body = html`<h1>Audit trail</h1>
<p class="hint">Every call that changed something, or tried to, newest first. Reads are not recorded.</p>
<form class="filters" method="get" action="${link('audit')}" role="search" aria-label="Filter the audit trail">
<div><label for="a-resource">Resource ID</label><input id="a-resource" name="resource_id" value="${chosen.resource_id ?? ''}"></div>
<div><label for="a-operation">Operation</label><input id="a-operation" name="operation" value="${chosen.operation ?? ''}" placeholder="UpdateEndpointRoutetable"></div>
<div><label for="a-caller">Caller</label><input id="a-caller" name="caller" value="${chosen.caller ?? ''}" placeholder="user name, user ID or AK"></div>
<div><label for="a-outcome">Outcome</label>
<select id="a-outcome" name="outcome"><option value="">Any outcome</option>${options(
    [
      { value: 'success', label: 'success' },
      { value: 'failure', label: 'failure' },
    ],
    chosen.outcome,
  )}</select></div>
<div><button type="submit">Filter</button></div>
</form>
${table({
  caption: `${events.length} event${events.length === 1 ? '' : 's'}${ctx.query.marker ? ', older ones' : ''}`,
  head: ['Time', 'Operation', 'Outcome', 'Caller', 'Resource', 'Request'],
  rows: events.map((e) => [
    e.time,
    e.operation,
    e.outcome === 'success' ? `${e.status}` : html`<strong>${e.status} ${e.error_code ?? ''}</strong>`,
    e.caller.access_key ? html`${e.caller.user_name} (AK ${id(e.caller.access_key)})` : e.caller.user_name,
    resource(e),
    id(e.request_id),
  ]),
  empty: Object.keys(chosen).length > 0 ? 'No event matches the filter.' : 'No events yet.',
})}
${next}`;
  return view(ctx, 'Audit trail', 'audit', body);
}

export function auditPages(): PageDef[] {
  return [{ method: 'GET', url: '/audit', handler: auditList }];
}
