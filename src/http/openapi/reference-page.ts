import { html, join, toText, type Html } from '../html.ts';
import type { Method, OpenApiDocument, Operation, Parameter, Response, Schema } from './document.ts';

/**
 * The API reference page (`GET /docs`): the OpenAPI document rendered as one static HTML page, by
 * this small renderer rather than a UI package: it loads nothing from elsewhere (no script, no
 * font, no CDN: the server may have no internet, and issue 14 forbids CDNs), and every text in it
 * is escaped (http/html.ts). Operations are grouped by tag; schemas a document names are rendered
 * once and linked.
 */

const METHODS: readonly Method[] = ['get', 'post', 'put', 'delete'];

/** Written without `&<>"'`, so escaping it as every text is escaped leaves it as it is. */
const STYLE = `
body{font:15px/1.5 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1d1d1f;display:flex}
nav{width:22rem;flex:none;height:100vh;overflow:auto;position:sticky;top:0;background:#f5f5f7;padding:1rem;box-sizing:border-box;font-size:13px}
nav ul{list-style:none;padding-left:0;margin:.2rem 0 .8rem}
nav li{white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
nav h2{font-size:13px;margin:.6rem 0 0;text-transform:uppercase;color:#555}
main{flex:1;min-width:0;padding:1rem 2rem 4rem;max-width:70rem}
a{color:#0b5cad;text-decoration:none}a:hover{text-decoration:underline}
code{font:13px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#f0f0f2;padding:0 .25em;border-radius:3px}
section.op{border-top:1px solid #ddd;padding:.6rem 0 1rem}
h1{margin:.2rem 0}h2.tag{margin-top:2.5rem;border-bottom:2px solid #1d1d1f}
h3{margin:.4rem 0;font-size:16px}
.m{display:inline-block;min-width:4.2em;text-align:center;border-radius:3px;color:#fff;font:bold 12px/1.8 ui-monospace,monospace;margin-right:.4em}
.get{background:#2f7d32}.post{background:#1565c0}.put{background:#b26a00}.delete{background:#c62828}
.badge{font-size:12px;background:#777;color:#fff;border-radius:3px;padding:0 .4em;margin-left:.5em}
.opid{color:#555;margin:0}
table{border-collapse:collapse;width:100%;margin:.3rem 0 .6rem;font-size:14px}
th,td{border:1px solid #ddd;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f5f5f7}
td p{margin:.2rem 0}
ul.fields{margin:.1rem 0;padding-left:1.2rem}
.req{color:#a00;font-size:12px}.opt{color:#777;font-size:12px}
.rule{color:#555}
`;

/** A description: paragraphs at blank lines, `backticks` as code; everything else is text. */
function prose(text: string | undefined): Html {
  if (!text) return html``;
  return html`${text
    .split(/\n{2,}/)
    .map(
      (paragraph) =>
        html`<p>
          ${paragraph.split('`').map((part, i) => (i % 2 === 1 ? html`<code>${part}</code>` : part))}
        </p>`,
    )}`;
}

const refName = (ref: string) => ref.split('/').at(-1)!;
const anchor = (kind: string, name: string) => `${kind}-${name.replace(/[^A-Za-z0-9_.-]/g, '_')}`;

/** The rules of a scalar or array: lengths, bounds, pattern, default, the error code it fails with. */
function rules(s: Schema): Html[] {
  const out: Html[] = [];
  const range = (min: unknown, max: unknown, unit: string) => {
    if (min === undefined && max === undefined) return;
    const text =
      min !== undefined && max !== undefined
        ? `${String(min)}–${String(max)}`
        : min !== undefined
          ? `≥ ${String(min)}`
          : `≤ ${String(max)}`;
    out.push(html`${text}${unit}`);
  };
  range(s.minLength, s.maxLength, ' characters');
  range(s.minimum, s.maximum, '');
  range(s.minItems, s.maxItems, ' items');
  if (s.pattern !== undefined) out.push(html`matching <code>${String(s.pattern)}</code>`);
  if (s.default !== undefined) out.push(html`default <code>${JSON.stringify(s.default)}</code>`);
  if (s['x-error-code'] !== undefined) out.push(html`else <code>${String(s['x-error-code'])}</code>`);
  return out;
}

/** One schema, in words, with an object's fields as a nested list. */
function schemaView(s: Schema | undefined): Html {
  if (s === undefined) return html``;
  if (typeof s.$ref === 'string') {
    const name = refName(s.$ref);
    return html`<a href="#${anchor('schema', name)}">${name}</a>`;
  }
  const ruleList = rules(s);
  const tail = ruleList.length > 0 ? html` <span class="rule">(${join(ruleList, ', ')})</span>` : html``;
  const described = typeof s.description === 'string' ? html` — ${s.description}` : html``;
  const alternatives = (s.anyOf ?? s.oneOf) as Schema[] | undefined;
  // An array's own rules before its items', which may be an object's list of fields.
  if (s.type === 'array') return html`array${tail} of ${schemaView(s.items as Schema)}${described}`;
  let head: Html;
  if (alternatives) head = join(alternatives.map(schemaView), ' | ');
  else if (Array.isArray(s.enum)) {
    head = html`one of
    ${join(
      s.enum.map((v) => html`<code>${JSON.stringify(v)}</code>`),
      ', ',
    )}`;
  } else if (s.const !== undefined) head = html`<code>${JSON.stringify(s.const)}</code>`;
  else if (s.type !== undefined) head = html`${Array.isArray(s.type) ? s.type.join(' | ') : String(s.type)}`;
  else head = html`any`;
  return html`${head}${tail}${described}${fields(s)}`;
}

/** An object's fields, required ones marked; maps and open objects said so. */
function fields(s: Schema): Html {
  const properties = (s.properties ?? {}) as Record<string, Schema>;
  const required = new Set((s.required as string[] | undefined) ?? []);
  const items = Object.entries(properties).map(
    ([name, p]) =>
      html`<li>
        <code>${name}</code>
        ${required.has(name) ? html`<span class="req">required</span>` : html`<span class="opt">optional</span>`}
        ${schemaView(p)}
      </li>`,
  );
  const patterns = (s.patternProperties ?? {}) as Record<string, Schema>;
  for (const p of Object.values(patterns)) items.push(html`<li>any key: ${schemaView(p)}</li>`);
  if (s.additionalProperties === true) items.push(html`<li><span class="opt">any further fields</span></li>`);
  return items.length > 0
    ? html`<ul class="fields">
        ${items}
      </ul>`
    : html``;
}

function parametersTable(parameters: Parameter[] | undefined): Html {
  if (!parameters || parameters.length === 0) return html``;
  return html`<h4>Parameters</h4>
    <table>
      <tr>
        <th>name</th>
        <th>in</th>
        <th></th>
        <th>schema</th>
      </tr>
      ${parameters.map(
        (p) =>
          html`<tr>
            <td><code>${p.name}</code></td>
            <td>${p.in}</td>
            <td>
              ${p.required ? html`<span class="req">required</span>` : html`<span class="opt">optional</span>`}
            </td>
            <td>${schemaView(p.schema)}${p.description ? html` — ${p.description}` : ''}</td>
          </tr>`,
      )}
    </table>`;
}

function responseBody(r: Response): Html {
  const content = Object.entries(r.content ?? {});
  if (content.length === 0) return html`none`;
  return html`${content.map(([type, media]) => html`<code>${type}</code>: ${schemaView(media.schema)}`)}`;
}

function responsesTable(op: Operation): Html {
  return html`<h4>Responses</h4>
    <table>
      <tr>
        <th>status</th>
        <th>meaning</th>
        <th>body</th>
      </tr>
      ${Object.entries(op.responses).map(([status, r]) =>
        '$ref' in r
          ? html`<tr>
              <td><code>${status}</code></td>
              <td colspan="2">
                <a href="#${anchor('response', refName(r.$ref))}">${refName(r.$ref)}</a>
              </td>
            </tr>`
          : html`<tr>
              <td><code>${status}</code></td>
              <td>${prose(r.description)}</td>
              <td>${responseBody(r)}</td>
            </tr>`,
      )}
    </table>`;
}

const SECURITY_WORDS: Record<string, string> = {
  token: 'a token (X-Auth-Token)',
  aksk: 'an AK/SK signature',
  operator: 'the operator key',
};

function operationView(path: string, method: Method, op: Operation): Html {
  const security = op.security.flatMap((s) => Object.keys(s)).map((k) => SECURITY_WORDS[k] ?? k);
  return html`<section class="op" id="${anchor('op', op.operationId)}">
    <h3><span class="m ${method}">${method.toUpperCase()}</span> <code>${path}</code></h3>
    <p class="opid">
      <code>${op.operationId}</code
      >${op['x-vpcep-served'] ? '' : html`<span class="badge">not served: 501</span>`}
    </p>
    <p>${op.summary}</p>
    ${prose(op.description)}
    <p>
      Authentication:
      ${security.length > 0 ? security.join(' or ') : 'none'}${
        op['x-vpcep-action'] ? html`; IAM action <code>${op['x-vpcep-action']}</code>` : ''
      }
    </p>
    ${parametersTable(op.parameters)}
    ${
      op.requestBody
        ? html`<h4>Request body</h4>
            ${Object.entries(op.requestBody.content).map(
              ([type, media]) => html`<p><code>${type}</code>: ${schemaView(media.schema)}</p>`,
            )}`
        : ''
    }
    ${responsesTable(op)}
  </section>`;
}

/** Every operation with its path and method, in the document's order. */
function operations(doc: OpenApiDocument): { path: string; method: Method; op: Operation }[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m] !== undefined).map((method) => ({ path, method, op: item[method]! })),
  );
}

/** The page of a document: a table of contents, then each tag's operations, then the schemas. */
export function referencePage(doc: OpenApiDocument): string {
  const all = operations(doc);
  const byTag = doc.tags.map((tag) => ({ tag, ops: all.filter((o) => o.op.tags.includes(tag.name)) }));
  const schemes = Object.entries(doc.components.securitySchemes);
  const schemas = Object.entries(doc.components.schemas);
  const page = html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${doc.info.title} ${doc.info.version} — API reference</title>
        <style>
          ${STYLE}
        </style>
      </head>
      <body>
        <nav>
          <strong>${doc.info.title} ${doc.info.version}</strong>
          <ul>
            <li><a href="#authentication">Authentication</a></li>
            <li><a href="#errors">Errors</a></li>
            <li><a href="#schemas">Schemas</a></li>
            <li><a href="openapi.json">openapi.json</a></li>
          </ul>
          ${byTag.map(
            ({ tag, ops }) =>
              html`<h2>${tag.name}</h2>
                <ul>
                  ${ops.map(
                    ({ method, op }) =>
                      html`<li>
                        <a href="#${anchor('op', op.operationId)}"
                          ><span class="m ${method}">${method.toUpperCase()}</span>${op.operationId}</a
                        >
                      </li>`,
                  )}
                </ul>`,
          )}
        </nav>
        <main>
          <h1>${doc.info.title} API reference</h1>
          <p>Version ${doc.info.version}, OpenAPI ${doc.openapi}: <a href="openapi.json">openapi.json</a></p>
          ${prose(doc.info.description)}
          <h2 class="tag" id="authentication">Authentication</h2>
          <table>
            <tr>
              <th>scheme</th>
              <th>how</th>
              <th></th>
            </tr>
            ${schemes.map(
              ([name, s]) =>
                html`<tr>
                  <td><code>${name}</code></td>
                  <td>
                    ${
                      s.type === 'apiKey'
                        ? html`header <code>${String(s.name)}</code>`
                        : html`<code>Authorization: Bearer</code>`
                    }
                  </td>
                  <td>${prose(s.description as string | undefined)}</td>
                </tr>`,
            )}
          </table>
          ${byTag.map(
            ({ tag, ops }) =>
              html`<h2 class="tag" id="${anchor('tag', tag.name)}">${tag.name}</h2>
                ${prose(tag.description)}
                ${ops.map(({ path, method, op }) => operationView(path, method, op))}`,
          )}
          <h2 class="tag" id="errors">Errors</h2>
          <p>The error answers every operation of an API may give beyond those it lists.</p>
          ${Object.entries(doc.components.responses).map(
            ([name, r]) =>
              html`<section class="op" id="${anchor('response', name)}">
                <h3>${name}</h3>
                ${prose(r.description)}
                <p>Body: ${responseBody(r)}</p>
              </section>`,
          )}
          <h2 class="tag" id="schemas">Schemas</h2>
          ${schemas.map(
            ([name, s]) =>
              html`<section class="op" id="${anchor('schema', name)}">
                <h3>${name}</h3>
                ${schemaView(s)}
              </section>`,
          )}
        </main>
      </body>
    </html>`;
  // The templates' indentation, which the browser would collapse anyway.
  return toText(page).replace(/\n\s+/g, '\n');
}
