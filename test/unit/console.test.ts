import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { endpointDiagram } from '../../src/console/diagram.ts';
import { html, toText } from '../../src/http/html.ts';
import { tableOutcomes } from '../../src/console/pages/endpoint.ts';

/** The console's pure parts: the escaping template, the per-table outcome of a rebind, the diagram. */

describe('html', () => {
  test('escapes every value, in text and in attributes', () => {
    const hostile = `<script>alert("x")</script> & 'y'`;
    assert.equal(
      toText(html`<p title="${hostile}">${hostile}</p>`),
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;">' +
        '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;</p>',
    );
  });

  test('nests its own markup unescaped, joins arrays, leaves out null, undefined and false, prints numbers', () => {
    const items = ['a<b', 'c'].map((x) => html`<li>${x}</li>`);
    assert.equal(toText(html`<ul>${items}</ul>`), '<ul><li>a&lt;b</li><li>c</li></ul>');
    assert.equal(toText(html`${null}${undefined}${false}${0}${true}`), '0true');
  });

  test('a string that looks like markup is still text: only html makes markup', () => {
    const fake = { toString: () => '<b>bold</b>' } as unknown as string;
    assert.equal(toText(html`${fake}`), '&lt;b&gt;bold&lt;/b&gt;');
  });
});

describe('tableOutcomes', () => {
  const fail = (id: string, code: string) => ({ id, error_message: `${code}: Why ${id} failed.` });

  test('bound, unbound, stays bound, and failures with their code and message', () => {
    const out = tableOutcomes(['a', 'b', 'c'], ['b', 'd', 'e'], {
      routetables: ['b', 'd', 'c'],
      error: [{ bind_failed: [fail('e', 'EndPoint.2039')], unbind_failed: [fail('c', 'EndPoint.4029')] }],
    });
    assert.deepEqual(out, [
      { id: 'a', outcome: 'unbound' },
      { id: 'b', outcome: 'stays bound' },
      { id: 'c', outcome: 'unbind failed', code: 'EndPoint.4029', message: 'Why c failed.' },
      { id: 'd', outcome: 'bound' },
      { id: 'e', outcome: 'bind failed', code: 'EndPoint.2039', message: 'Why e failed.' },
    ]);
  });

  test('a table the answer does not list as bound failed to bind even without an error entry', () => {
    assert.deepEqual(tableOutcomes([], ['x'], { routetables: [] }), [{ id: 'x', outcome: 'bind failed' }]);
    assert.deepEqual(tableOutcomes(['x'], [], { routetables: ['x'] }), [
      { id: 'x', outcome: 'unbind failed' },
    ]);
  });
});

describe('endpointDiagram', () => {
  test('draws every table and subnet, bound tables joined by solid lines, and escapes the names', () => {
    const svg = toText(
      endpointDiagram({
        vpc: { name: 'v<1>', cidr: '10.0.0.0/16' },
        endpoint: { id: 'ep-1', service: 'svc' },
        tables: [
          { id: 't1', name: 'rt-"one"', bound: true, isDefault: true },
          { id: 't2', name: 'rt-two', bound: false, isDefault: false },
        ],
        subnets: [{ id: 's1', name: 'web', cidr: '10.0.1.0/24', tableId: 't2' }],
      }),
    );
    assert.match(svg, /^<svg [^>]*role="img" aria-labelledby="diagram-title diagram-desc">/);
    assert.ok(svg.includes('VPC v&lt;1&gt; · 10.0.0.0/16'));
    assert.ok(svg.includes('rt-&quot;one&quot;'));
    assert.ok(!svg.includes('v<1>') && !svg.includes('"one"'));
    assert.equal((svg.match(/stroke="#0a4fb8" stroke-width="2.5"/g) ?? []).length, 1, 'one bound line');
    assert.equal(
      (svg.match(/stroke-dasharray="4 4"\/>/g) ?? []).length,
      2,
      'the unbound table, its line dashed',
    );
    assert.match(
      svg,
      /<desc id="diagram-desc">[^<]*is bound to rt-&quot;one&quot;\. Subnet web uses rt-two\./,
    );
  });
});
