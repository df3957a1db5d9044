import assert from 'node:assert/strict';
import { test } from 'node:test';
import { endpointTime, endpointTimeOf, randomIds } from '../../src/domain/ids.ts';

test('hex ids: the length asked for, lower-case hex, never repeated across pool refills', () => {
  const seen = new Set<string>();
  // 16 bytes each: 2,000 of them draw the 4 KiB pool about eight times over.
  for (let i = 0; i < 2000; i++) {
    const id = randomIds.hex(16);
    assert.match(id, /^[0-9a-f]{32}$/);
    assert.ok(!seen.has(id), `repeated ${id}`);
    seen.add(id);
  }
  assert.match(randomIds.hex(5000), /^[0-9a-f]{10000}$/, 'more than the pool holds');
});

test('int stays in [min, max)', () => {
  for (let i = 0; i < 1000; i++) {
    const n = randomIds.int(10, 20);
    assert.ok(Number.isInteger(n) && n >= 10 && n < 20, String(n));
  }
});

test('endpointTimeOf: a stored ISO time cut from its text, any other form through a Date, both as endpointTime', () => {
  assert.equal(endpointTimeOf('2026-11-30T01:02:03.456Z'), '2026-11-30T01:02:03Z');
  // Not the form toISOString writes: no milliseconds, an offset, an expanded year.
  for (const text of [
    '2026-11-30T01:02:03Z',
    '2026-11-30T03:02:03.456+02:00',
    '+010000-01-01T00:00:00.000Z',
  ]) {
    assert.equal(endpointTimeOf(text), endpointTime(new Date(text)), text);
  }
  assert.equal(endpointTimeOf('2026-11-30T03:02:03.456+02:00'), '2026-11-30T01:02:03Z');
});
