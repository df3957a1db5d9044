// The API reference page escapes every text of the document it renders (src/http/html.ts,
// src/http/openapi/reference-page.ts): a document with markup in every place a text can hold
// renders as text, never as a tag or an attribute.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { escapeHtml, html, join, toText } from '../../src/http/html.ts';
import { openApiDocument, type OpenApiDocument } from '../../src/http/openapi/document.ts';
import { referencePage } from '../../src/http/openapi/reference-page.ts';
import { appRoutes } from '../helpers/routes.ts';

const HOSTILE = `<script>alert(1)</script>"'><img src=x onerror=alert(2)>&amp;`;

test('html escapes every value, joins arrays, and keeps only its own markup', () => {
  assert.equal(escapeHtml(`<a href="x">&'`), '&lt;a href=&quot;x&quot;&gt;&amp;&#39;');
  const inner = html`<b>${HOSTILE}</b>`;
  assert.equal(
    toText(html`<p title="${HOSTILE}">${inner}${[1, null, undefined, false, 'x']}</p>`),
    `<p title="${escapeHtml(HOSTILE)}"><b>${escapeHtml(HOSTILE)}</b>1x</p>`,
  );
  assert.equal(toText(join([html`<i>a</i>`, '<b>'], html`<b>,</b>`)), '<i>a</i><b>,</b>&lt;b&gt;');
  // An object that only looks like one made by `html` is text.
  assert.equal(toText(html`${{ text: '<b>' } as never}`), '[object Object]');
});

test('a document with markup in every text renders it as text', () => {
  const doc = openApiDocument(appRoutes()) as OpenApiDocument;
  doc.info.title = HOSTILE;
  doc.info.description = `${HOSTILE}\n\n\`${HOSTILE}\``;
  doc.tags[0]!.name = HOSTILE;
  doc.tags[0]!.description = HOSTILE;
  const first = Object.values(doc.paths)[0]!.get!;
  first.tags = [HOSTILE];
  first.summary = HOSTILE;
  first.description = HOSTILE;
  first.operationId = HOSTILE;
  doc.paths[`/${HOSTILE}/{id}`] = {
    get: {
      ...first,
      parameters: [
        {
          name: HOSTILE,
          in: 'path',
          required: true,
          schema: { type: 'string', pattern: HOSTILE, enum: [HOSTILE], default: HOSTILE },
        },
      ],
    },
  };
  doc.components.schemas[HOSTILE] = {
    type: 'object',
    description: HOSTILE,
    required: [HOSTILE],
    properties: { [HOSTILE]: { type: HOSTILE, const: HOSTILE, 'x-error-code': HOSTILE } },
  };
  doc.components.securitySchemes.token!.description = HOSTILE;

  const page = referencePage(doc);
  assert.ok(!page.includes('<script'), 'a script tag got through');
  assert.ok(!page.includes('<img'), 'an img tag got through');
  // Every place shows the text, escaped.
  const escaped = escapeHtml(HOSTILE);
  const count = page.split(escaped).length - 1;
  assert.ok(count >= 12, `the hostile text appears escaped ${count} times`);
  // Quoted attribute values stay closed: no attribute holds an unescaped quote from the data.
  for (const [, value] of page.matchAll(/="([^"]*)"/g)) assert.ok(!value!.includes('<'), value);
});
