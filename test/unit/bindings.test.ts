import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  dedupe,
  MAX_ROUTES_PER_TABLE,
  planRebind,
  type RebindInput,
  type TableFacts,
} from '../../src/domain/bindings.ts';

const CIDRS = ['100.125.0.0/16'];

function facts(id: string, over: Partial<TableFacts> = {}): TableFacts {
  return { id, routeCount: 1, foreignDestinations: new Set(), takenBy: undefined, ...over };
}

function plan(
  current: string[],
  desired: string[],
  tables: TableFacts[] = [],
  over: Partial<RebindInput> = {},
) {
  const all = new Map(desired.filter((d) => !current.includes(d)).map((id) => [id, facts(id)]));
  for (const t of tables) all.set(t.id, t);
  return planRebind({
    current,
    desired,
    tables: all,
    serviceCidrs: CIDRS,
    bindRefused: () => false,
    unbindRefused: () => false,
    ...over,
  });
}

const codes = (fs: { error: { code: string } }[]) => fs.map((f) => f.error.code);

test('the diff binds what is new and unbinds what is gone; final is sorted', () => {
  const p = plan(['b', 'c'], ['d', 'c', 'a']);
  assert.deepEqual(p.bind, ['d', 'a']);
  assert.deepEqual(p.unbind, ['b']);
  assert.deepEqual(p.final, ['a', 'c', 'd']);
  assert.deepEqual([p.bindFailed, p.unbindFailed], [[], []]);
});

test('the same set changes nothing', () => {
  const p = plan(['a', 'b'], ['b', 'a']);
  assert.deepEqual([p.bind, p.unbind, p.final], [[], [], ['a', 'b']]);
});

test('each failure row of routetables.md, in its order', () => {
  const p = plan(
    ['keep'],
    ['keep', 'taken', 'full', 'clash', 'both', 'refused', 'ok'],
    [
      facts('taken', { takenBy: 'ep-2' }),
      facts('full', { routeCount: MAX_ROUTES_PER_TABLE }),
      facts('clash', { foreignDestinations: new Set(CIDRS) }),
      // taken and full at once: the first row of the table wins
      facts('both', { takenBy: 'ep-3', routeCount: MAX_ROUTES_PER_TABLE }),
    ],
    { bindRefused: (id) => id === 'refused' },
  );
  assert.deepEqual(
    p.bindFailed.map((f) => [f.id, f.error.code]),
    [
      ['taken', 'EndPoint.2039'],
      ['full', 'Endpoint.1018'],
      ['clash', 'EndPoint.4028'],
      ['both', 'EndPoint.2039'],
      ['refused', 'EndPoint.4028'],
    ],
  );
  assert.deepEqual(p.bind, ['ok']);
  assert.deepEqual(p.final, ['keep', 'ok']);
  assert.match(
    p.bindFailed[0]!.error.line,
    /^EndPoint\.2039: The route table is being used by another VPC endpoint\./,
  );
});

test('a table one route short of the limit still takes a one-CIDR service', () => {
  const p = plan([], ['t'], [facts('t', { routeCount: MAX_ROUTES_PER_TABLE - 1 })]);
  assert.deepEqual(p.bind, ['t']);
});

test('an unbind the backend refuses stays bound, reported as EndPoint.4029', () => {
  const p = plan(['a', 'b'], ['c'], [], { unbindRefused: (id) => id === 'a' });
  assert.deepEqual(codes(p.unbindFailed), ['EndPoint.4029']);
  assert.deepEqual(p.unbind, ['b']);
  assert.deepEqual(p.final, ['a', 'c']);
});

test('when every bind fails, the tables asked to go stay bound with EndPoint.2040', () => {
  const p = plan(['a', 'b'], ['x'], [facts('x', { takenBy: 'ep-9' })]);
  assert.deepEqual(codes(p.bindFailed), ['EndPoint.2039']);
  assert.deepEqual(
    p.unbindFailed.map((f) => [f.id, f.error.code]),
    [
      ['a', 'EndPoint.2040'],
      ['b', 'EndPoint.2040'],
    ],
  );
  assert.deepEqual(p.unbind, []);
  assert.deepEqual(p.final, ['a', 'b']);
});

test('one bind succeeding is enough to let the old tables go', () => {
  const p = plan(['a'], ['x', 'y'], [facts('x', { takenBy: 'ep-9' })]);
  assert.deepEqual(p.unbind, ['a']);
  assert.deepEqual(p.final, ['y']);
});

test('dedupe keeps the first occurrence', () => {
  assert.deepEqual(dedupe(['b', 'a', 'b', 'c', 'a']), ['b', 'a', 'c']);
});
