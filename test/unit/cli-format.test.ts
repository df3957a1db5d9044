// The CLI's --query subset and its YAML emitter (src/cli/format.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyQuery, parseQuery, QueryError, toYaml } from '../../src/cli/format.ts';

const answer = {
  endpoints: [
    { id: 'a', tags: [{ key: 'env', value: 'prod' }] },
    { id: 'b', tags: [] },
  ],
  total_count: 2,
};

test('--query: keys, indexes, [*], a leading $, a missing key', () => {
  assert.equal(applyQuery(answer, 'endpoints[0].id'), 'a');
  assert.equal(applyQuery(answer, '$.endpoints[-1].id'), 'b');
  assert.deepEqual(applyQuery(answer, 'endpoints[*].id'), ['a', 'b']);
  assert.deepEqual(applyQuery(answer, 'endpoints[*].tags[*].key'), [['env'], []]);
  assert.equal(applyQuery(answer, 'total_count'), 2);
  assert.equal(applyQuery(answer, 'endpoints[5].id'), undefined);
  assert.equal(applyQuery(answer, 'nope.deeper'), undefined);
  for (const bad of ['endpoints[x]', 'endpoints..id', 'endpoints[0', '[?(@.id)]']) {
    assert.throws(() => parseQuery(bad), QueryError, bad);
  }
});

test('YAML: block style, nested lists, strings that would read as something else are quoted', () => {
  assert.equal(
    toYaml({ a: 1, b: 'x', c: [], d: {}, e: [[1, 2], { k: 'v', l: ['m'] }], f: null, g: true }),
    'a: 1\nb: x\nc: []\nd: {}\ne:\n- - 1\n  - 2\n- k: v\n  l:\n  - m\nf: null\ng: true\n',
  );
  assert.equal(
    toYaml({ s: ['true', '123', '', 'a: b', '0abc', 'yes', '#x', 'plain/path-1.2'] }),
    's:\n- "true"\n- "123"\n- ""\n- "a: b"\n- "0abc"\n- "yes"\n- "#x"\n- plain/path-1.2\n',
  );
  assert.equal(toYaml('x'), 'x\n');
  assert.equal(toYaml([]), '[]\n');
});
