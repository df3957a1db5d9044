import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileSerializer, keptItemsSerializer, ownBytes } from '../../src/http/schema-compilers.ts';
import { EndpointViews } from '../../src/service/endpoint-views.ts';
import type { Row } from '../../src/store/queries.ts';
import { EndpointList } from '../../src/wire/vpcep.ts';

/** A value of every property the item schema has, by its type; awkward text where text goes. */
function sample(schema: Record<string, unknown>): unknown {
  switch (schema.type) {
    case 'string':
      return 'quote " backslash \\ newline \n ü €';
    case 'integer':
    case 'number':
      return 7;
    case 'boolean':
      return true;
    case 'array':
      return [sample(schema.items as Record<string, unknown>)];
    case 'object':
      return Object.fromEntries(
        Object.entries((schema.properties ?? {}) as Record<string, Record<string, unknown>>).map(([k, v]) => [
          k,
          sample(v),
        ]),
      );
    default:
      return {};
  }
}
const item = (id: string, extra: Record<string, unknown> = {}) => ({
  ...(sample(EndpointList.properties.endpoints.items as unknown as Record<string, unknown>) as object),
  id,
  status: 'accepted',
  ...extra,
});

test("a list's answer with kept items is, byte for byte, what the whole schema's serializer makes", () => {
  const kept = keptItemsSerializer(EndpointList, 'endpoints');
  const whole = compileSerializer(EndpointList);
  for (const list of [
    { endpoints: [], total_count: 0 },
    { endpoints: [item('1')], total_count: 1 },
    { endpoints: [item('1'), item('2', { status: 'creating' }), item('3')], total_count: 40 },
  ]) {
    assert.equal(kept(list).toString('utf8'), whole(list));
  }
});

test("an item's JSON is kept with its object: the same object answers the same bytes, a new one its own", () => {
  const kept = keptItemsSerializer(EndpointList, 'endpoints');
  const one = item('1');
  assert.match(kept({ endpoints: [one], total_count: 1 }).toString(), /"status":"accepted"/);
  // Kept: the object is never changed by its owner; were it, the kept bytes would still answer.
  one.status = 'changed';
  assert.match(kept({ endpoints: [one], total_count: 1 }).toString(), /"status":"accepted"/);
  assert.match(kept({ endpoints: [{ ...one }], total_count: 1 }).toString(), /"status":"changed"/);
});

test("a kept item's bytes are memory of their own, not a slice of a shared pool they would hold whole", () => {
  const text = '{"id":"ü"}';
  const bytes = ownBytes(text);
  assert.equal(bytes.toString('utf8'), text);
  assert.equal(bytes.buffer.byteLength, Buffer.byteLength(text));
});

test('keptItems names an array the answer has', () => {
  assert.throws(() => keptItemsSerializer(EndpointList, 'total_count'), /no array/);
});

const endpointRow = (id: string, version: number, status = 'accepted', ready_at = '') =>
  ({ id, version, status, ready_at, error_code: '' }) as unknown as Row<'endpoints'>;
const service = (name = 'svc', approval = 0) =>
  ({ service_type: 'gateway', service_name: name, approval_enabled: approval }) as Row<'endpoint_services'>;

test('a view is handed out for its version, service and time only', () => {
  const views = new EndpointViews<object>();
  const now = new Date(Date.UTC(2030, 0, 1));
  const view = {};
  views.set(endpointRow('e', 3), service(), now, view);
  assert.equal(views.get('e', 3, service(), now), view);
  assert.equal(views.get('e', 4, service(), now), undefined, 'another version');
  assert.equal(views.get('e', 3, service('renamed'), now), undefined, 'the service renamed');
  assert.equal(views.get('e', 3, service('svc', 1), now), undefined, "the service's approval changed");
  assert.equal(views.get('f', 3, service(), now), undefined, 'another endpoint');

  // A creating endpoint's view holds until its transition ends, and one built after only from then on.
  const end = new Date(now.getTime() + 60_000);
  const creating = {};
  views.set(endpointRow('c', 1, 'creating', end.toISOString()), service(), now, creating);
  assert.equal(views.get('c', 1, service(), new Date(end.getTime() - 1)), creating);
  assert.equal(views.get('c', 1, service(), end), undefined);
  const settled = {};
  views.set(endpointRow('c', 1, 'creating', end.toISOString()), service(), end, settled);
  assert.equal(views.get('c', 1, service(), new Date(end.getTime() + 1)), settled);
  assert.equal(views.get('c', 1, service(), new Date(end.getTime() - 1)), undefined, 'a clock set back');
});

test('at most `capacity` views are kept, the oldest kept going first', () => {
  const views = new EndpointViews<object>(3);
  const now = new Date(Date.UTC(2030, 0, 1));
  for (const id of ['a', 'b', 'c', 'd']) views.set(endpointRow(id, 1), service(), now, { id });
  assert.equal(views.size, 3);
  assert.equal(views.get('a', 1, service(), now), undefined);
  assert.deepEqual(views.get('d', 1, service(), now), { id: 'd' });
  // Kept again: the newest, so b goes next.
  views.set(endpointRow('b', 2), service(), now, { id: 'b2' });
  views.set(endpointRow('e', 1), service(), now, { id: 'e' });
  assert.equal(views.get('c', 1, service(), now), undefined);
  assert.deepEqual(views.get('b', 2, service(), now), { id: 'b2' });
});
