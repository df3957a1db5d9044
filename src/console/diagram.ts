import { html, type Html } from '../http/html.ts';

/**
 * A gateway endpoint in its VPC, drawn on the server as SVG (spec/console.md, "The central action"):
 * the endpoint on top, the VPC's route tables below it (those it is bound to joined to it by a solid
 * line, the others dashed), and at the bottom the subnets, each joined to the table it uses. Every
 * name is text of the `html` template, so escaped like any other.
 */

export interface DiagramInput {
  vpc: { name: string; cidr: string };
  endpoint: { id: string; service: string };
  tables: { id: string; name: string; bound: boolean; isDefault: boolean }[];
  subnets: { id: string; name: string; cidr: string; tableId: string | undefined }[];
}

const COL = 180;
const BOX_W = 160;
const BOX_H = 46;
const Y_ENDPOINT = 52;
const Y_TABLES = 160;
const Y_SUBNETS = 270;
const HEIGHT = 350;

/** At most `n` characters, with an ellipsis when cut: boxes have a fixed width. */
const clip = (s: string, n = 22) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** The x of the centre of column `i` of a row of `count`, the row centred in `width`. */
const centre = (i: number, count: number, width: number) => width / 2 + (i - (count - 1) / 2) * COL;

/** What the picture shows, in words: its description for screen readers. */
function summary(d: DiagramInput): string {
  const bound = d.tables.filter((t) => t.bound).map((t) => t.name || t.id);
  const subnets = d.subnets.map((s) => {
    const t = d.tables.find((x) => x.id === s.tableId);
    return `Subnet ${s.name} uses ${t ? t.name || t.id : 'no listed table'}.`;
  });
  return [
    `Endpoint ${d.endpoint.id} of ${d.endpoint.service} in VPC ${d.vpc.name} (${d.vpc.cidr})`,
    `is bound to ${bound.length === 0 ? 'no route table' : bound.join(', ')}.`,
    ...subnets,
  ].join(' ');
}

export function endpointDiagram(d: DiagramInput): Html {
  const width = Math.max(d.tables.length, d.subnets.length, 2) * COL + 40;
  const tableX = new Map(d.tables.map((t, i) => [t.id, centre(i, d.tables.length, width)]));
  const epX = width / 2;
  const links = d.tables.map((t) => {
    const x = tableX.get(t.id)!;
    return t.bound
      ? html`<line x1="${epX}" y1="${Y_ENDPOINT + BOX_H}" x2="${x}" y2="${Y_TABLES}" stroke="#0a4fb8" stroke-width="2.5"/>`
      : html`<line x1="${epX}" y1="${Y_ENDPOINT + BOX_H}" x2="${x}" y2="${Y_TABLES}" stroke="#8a939c" stroke-width="1" stroke-dasharray="4 4"/>`;
  });
  const uses = d.subnets.map((s, i) => {
    const x = tableX.get(s.tableId ?? '');
    if (x === undefined) return '';
    return html`<line x1="${centre(i, d.subnets.length, width)}" y1="${Y_SUBNETS}" x2="${x}" y2="${Y_TABLES + BOX_H}" stroke="#6b7480" stroke-width="1.25"/>`;
  });
  const tables = d.tables.map((t) => {
    const x = tableX.get(t.id)!;
    const frame = t.bound
      ? html`<rect x="${x - BOX_W / 2}" y="${Y_TABLES}" width="${BOX_W}" height="${BOX_H}" rx="6" fill="#ffffff" stroke="#0a4fb8" stroke-width="2"/>`
      : html`<rect x="${x - BOX_W / 2}" y="${Y_TABLES}" width="${BOX_W}" height="${BOX_H}" rx="6" fill="#f0f2f4" stroke="#8a939c" stroke-dasharray="4 4"/>`;
    return html`${frame}
<text x="${x}" y="${Y_TABLES + 19}" text-anchor="middle">${clip(t.name || t.id)}</text>
<text class="small" x="${x}" y="${Y_TABLES + 36}" text-anchor="middle">${t.bound ? 'bound' : 'not bound'}${t.isDefault ? ' · default' : ''}</text>`;
  });
  const subnets = d.subnets.map((s, i) => {
    const x = centre(i, d.subnets.length, width);
    return html`<rect x="${x - BOX_W / 2}" y="${Y_SUBNETS}" width="${BOX_W}" height="${BOX_H}" rx="6" fill="#ffffff" stroke="#6b7480"/>
<text x="${x}" y="${Y_SUBNETS + 19}" text-anchor="middle">Subnet ${clip(s.name, 15)}</text>
<text class="small" x="${x}" y="${Y_SUBNETS + 36}" text-anchor="middle">${s.cidr}</text>`;
  });
  return html`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${HEIGHT}" role="img" aria-labelledby="diagram-title diagram-desc">
<title id="diagram-title">Diagram of the endpoint in VPC ${d.vpc.name}</title>
<desc id="diagram-desc">${summary(d)}</desc>
<rect x="8" y="8" width="${width - 16}" height="${HEIGHT - 16}" rx="10" fill="#f7f9fb" stroke="#6b7480" stroke-width="1.5"/>
<text x="20" y="30">VPC ${clip(d.vpc.name, 40)} · ${d.vpc.cidr}</text>
${links}
${uses}
<rect x="${epX - 110}" y="${Y_ENDPOINT}" width="220" height="${BOX_H}" rx="6" fill="#e5eefc" stroke="#0a4fb8" stroke-width="2"/>
<text x="${epX}" y="${Y_ENDPOINT + 19}" text-anchor="middle">Endpoint ${clip(d.endpoint.id, 14)}</text>
<text class="small" x="${epX}" y="${Y_ENDPOINT + 36}" text-anchor="middle">${clip(d.endpoint.service, 32)}</text>
${tables}
${subnets}
</svg>`;
}
