import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contains, overlaps, parseCidr, parseIpv4 } from '../../src/domain/cidr.ts';

test('parseCidr accepts networks and refuses everything else', () => {
  for (const ok of ['10.0.0.0/8', '0.0.0.0/0', '192.168.1.0/24', '100.125.0.0/16', '1.2.3.4/32']) {
    assert.ok(parseCidr(ok), ok);
  }
  for (const bad of [
    '10.0.0.1/8',
    '10.0.0.0',
    '10.0.0.0/33',
    '256.0.0.0/8',
    '10.0.0/8',
    '01.0.0.0/8',
    '10.0.0.0/08',
    'a.b.c.d/8',
    '',
  ]) {
    assert.equal(parseCidr(bad), undefined, bad);
  }
});

test('contains and overlaps', () => {
  const c = (s: string) => parseCidr(s)!;
  assert.ok(contains(c('10.0.0.0/16'), c('10.0.5.0/24')));
  assert.ok(!contains(c('10.0.5.0/24'), c('10.0.0.0/16')));
  assert.ok(!contains(c('10.0.0.0/16'), c('10.1.0.0/24')));
  assert.ok(contains(c('0.0.0.0/0'), c('255.255.255.255/32')));
  assert.ok(overlaps(c('10.0.5.0/24'), c('10.0.0.0/16')));
  assert.ok(!overlaps(c('10.0.0.0/24'), c('10.0.1.0/24')));
  assert.equal(parseIpv4('255.255.255.255'), 2 ** 32 - 1);
});
