import { html, type Html, type Value } from '../http/html.ts';

/** The page shell and the pieces every page uses (spec/console.md, "Pages"). */

export const BASE = '/console';

/** A console URL from path segments, each encoded: `link('endpoints', id)` → `/console/endpoints/<id>`. */
export const link = (...segments: string[]) => `${BASE}/${segments.map(encodeURIComponent).join('/')}`;

export interface Viewer {
  user: string;
  domain: string;
  project: string;
  csrf: string;
}

export type Section = 'endpoints' | 'services' | 'vpcs' | 'audit' | 'sign-in' | 'none';

const NAV: [Section, string, string][] = [
  ['endpoints', 'Endpoints', link('endpoints')],
  ['services', 'Endpoint services', link('services')],
  ['vpcs', 'VPCs', link('vpcs')],
  ['audit', 'Audit trail', link('audit')],
];

export function layout(o: { title: string; section: Section; viewer?: Viewer; body: Html }): Html {
  const v = o.viewer;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${o.title} · vpcep console</title>
<link rel="stylesheet" href="${BASE}/assets/console.css">
<script src="${BASE}/assets/console.js" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
<p class="brand"><a href="${BASE}/">vpcep console</a></p>
${
  v
    ? html`<nav aria-label="Main"><ul>${NAV.map(
        ([section, label, href]) =>
          html`<li><a href="${href}"${section === o.section ? html` aria-current="page"` : ''}>${label}</a></li>`,
      )}</ul></nav>
<div class="who"><span>${v.user} @ ${v.domain} (${v.project})</span>
<form class="inline" method="post" action="${BASE}/sign-out">${csrfField(v.csrf)}<button class="secondary" type="submit">Sign out</button></form></div>`
    : ''
}
</header>
<main id="main" tabindex="-1">
${o.body}
</main>
</body>
</html>
`;
}

export const csrfField = (csrf: string) => html`<input type="hidden" name="_csrf" value="${csrf}">`;

const STATUS_CLASS: Record<string, string> = {
  accepted: 'status-ok',
  available: 'status-ok',
  creating: 'status-busy',
  pendingAcceptance: 'status-busy',
  deleting: 'status-busy',
  failed: 'status-bad',
  rejected: 'status-bad',
};

/** Statuses a thing passes through on its own; a page showing one polls for the next. */
export const TRANSITIONAL = new Set(['creating', 'pendingAcceptance', 'deleting']);

export const status = (s: string) =>
  html`<span class="status ${STATUS_CLASS[s] ?? 'status-other'}">${s}</span>`;

export const notice = (kind: 'ok' | 'error', body: Html | string) =>
  html`<div class="notice${kind === 'error' ? ' error' : ''}" role="${kind === 'error' ? 'alert' : 'status'}">${body}</div>`;

/** A refusal of the API, its code and message shown as they came. */
export const failure = (code: string, message: string) =>
  notice('error', html`<p><strong>${code}</strong>: ${message}</p>`);

/** A table inside a scrolling frame; on narrow screens each row is a stack of labelled cells. */
export function table(o: { caption: string; head: string[]; rows: Value[][]; empty: string }): Html {
  if (o.rows.length === 0) return html`<p class="muted">${o.empty}</p>`;
  // The frame scrolls on a narrow screen: focusable and named, so a keyboard can scroll it too.
  return html`<div class="table-wrap" role="region" aria-label="${o.caption}" tabindex="0"><table class="stack"><caption>${o.caption}</caption>
<thead><tr>${o.head.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead>
<tbody>
${o.rows.map(
  (cells) => html`<tr>${cells.map((c, i) => html`<td data-label="${o.head[i] ?? ''}">${c}</td>`)}</tr>
`,
)}</tbody></table></div>`;
}

export const facts = (pairs: [string, Value][]) =>
  html`<dl class="facts">
${pairs.map(
  ([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>
`,
)}</dl>`;

export const id = (value: string) => html`<code class="id">${value}</code>`;

/** The options of a select, the chosen one marked. */
export const options = (list: { value: string; label: string }[], selected: string | undefined) =>
  list.map(
    (o) => html`<option value="${o.value}"${o.value === selected ? html` selected` : ''}>${o.label}</option>`,
  );
