import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { unacceptableText } from '../../src/domain/text.ts';
import { MAX_JSON_DEPTH, parseJsonBody, unacceptableParameter } from '../../src/http/json-body.ts';

const nested = (depth: number, open = '[', close = ']') => `${open.repeat(depth)}${close.repeat(depth)}`;

describe('the text rule', () => {
  test('refuses NUL, the other C0 controls and DEL, and unpaired surrogates', () => {
    const refused: [string, string][] = [
      ['a\u0000b', 'a NUL character'],
      ['\u0000', 'a NUL character'],
      ['a\u0001', 'a control character'],
      ['\u001b[31m', 'a control character'],
      ['a\u007f', 'a control character'],
      ['\u000b', 'a control character'],
      ['\ud800', 'an unpaired surrogate'],
      ['x\udc00y', 'an unpaired surrogate'],
      ['\udc00\ud800', 'an unpaired surrogate'],
      ['a\ud83d', 'an unpaired surrogate'],
    ];
    for (const [text, why] of refused) assert.equal(unacceptableText(text), why, JSON.stringify(text));
  });

  test('accepts tab, line breaks, non-ASCII and paired surrogates', () => {
    for (const text of ['', 'plain', 'a\tb\r\nc', 'é中文', '😀', 'a😀b', '\u0080\u009f', '\ufffd']) {
      assert.equal(unacceptableText(text), undefined, JSON.stringify(text));
    }
  });
});

describe('parseJsonBody', () => {
  test(`nesting up to ${MAX_JSON_DEPTH} levels parses; one more is refused before parsing`, () => {
    assert.deepEqual(parseJsonBody(nested(MAX_JSON_DEPTH)).ok, true);
    let object: unknown = 1;
    for (let i = 0; i < MAX_JSON_DEPTH; i++) object = { a: object };
    assert.deepEqual(parseJsonBody(JSON.stringify(object)).ok, true);
    assert.deepEqual(parseJsonBody(JSON.stringify([object])).ok, false);
    for (const deep of [nested(MAX_JSON_DEPTH + 1), nested(4150), nested(100_000, '{"a":', '}')]) {
      const parsed = parseJsonBody(deep);
      assert.equal(parsed.ok, false);
      assert.match(!parsed.ok ? parsed.detail : '', /nests deeper than 32 levels/);
    }
  });

  test('brackets inside strings, escaped quotes included, do not count as nesting', () => {
    const text = JSON.stringify({ a: '['.repeat(1000), b: '\\"[[[[', c: '\\\\', d: ['{'.repeat(50)] });
    assert.deepEqual(parseJsonBody(text), { ok: true, value: JSON.parse(text) });
  });

  test('malformed JSON, and keys or strings the text rule refuses, name where', () => {
    const cases: [string, RegExp][] = [
      ['{"a":', /not valid JSON/],
      ['', /not valid JSON/],
      ['{"a":1}x', /not valid JSON/],
      ['{"user":{"name":"a\\u0000b"}}', /^user\.name holds a NUL character\.$/],
      ['{"list":["ok","\\u0007"]}', /^list\[1\] holds a control character\.$/],
      ['{"a":{"k\\u0000":1}}', /^A field name in a holds a NUL character\.$/],
      ['"\\ud800"', /^The body holds an unpaired surrogate\.$/],
      ['[{"a":"x"},{"b":"\\u001f"}]', /^\[1\]\.b holds a control character\.$/],
    ];
    for (const [text, detail] of cases) {
      const parsed = parseJsonBody(text);
      assert.equal(parsed.ok, false, text);
      assert.match(!parsed.ok ? parsed.detail : '', detail, text);
    }
  });

  test('duplicate keys: the last one wins, as JSON.parse has it', () => {
    assert.deepEqual(parseJsonBody('{"a":1,"a":2}'), { ok: true, value: { a: 2 } });
  });
});

test('unacceptableParameter: path values, query names and values, repeated query values', () => {
  assert.equal(unacceptableParameter({ id: 'x' }, { a: 'b', c: ['d', 'e'] }), undefined);
  assert.match(unacceptableParameter({ id: 'a\u0000' }, {}) ?? '', /path parameter holds a NUL/);
  assert.match(unacceptableParameter({}, { 'a\u0000': 'b' }) ?? '', /query parameter holds a NUL/);
  assert.match(unacceptableParameter({}, { a: ['ok', '\u0001'] }) ?? '', /query parameter holds a control/);
  assert.equal(unacceptableParameter(undefined, null), undefined);
});
