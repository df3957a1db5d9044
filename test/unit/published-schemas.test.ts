import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expectPublished, PUBLISHED, publishedProblems } from '../helpers/published.ts';

/** The check of answers against the published schemas (helpers/published.ts) catches what it must. */

const VERSION = {
  id: 'v1',
  version: '1',
  min_version: '',
  status: 'CURRENT',
  updated: '2018-09-30T00:00:00Z',
  links: [{ href: 'http://localhost/v1', type: 'application/json', rel: 'self' }],
};

const ENDPOINT = {
  id: '4189d3c2-8882-4871-a3c2-d380272eed83',
  service_type: 'gateway',
  status: 'accepted',
  active_status: ['active'],
  endpoint_service_id: 'b0e22f6f-26f4-461c-b140-d873464d4fa0',
  endpoint_service_name: 'cn-north-4.com.myhuaweicloud.v4.obsv2',
  marker_id: 302035929,
  vpc_id: '84758cf5-9c62-43ae-a778-3dbd8370c0a4',
  routetables: ['705290f3-0d00-41f2-aedc-71f09844e879'],
  tags: [{ key: 'k', value: 'v' }],
  policy_statement: [{ Effect: 'Allow', Action: ['obs:*'], Resource: ['*'] }],
  created_at: '2022-04-14T09:35:47Z',
  updated_at: '2022-04-14T09:35:47Z',
};

test('a conforming answer has no problems', () => {
  assert.deepEqual(publishedProblems('ListSpecifiedVersionDetails', 200, { version: VERSION }), []);
  assert.deepEqual(publishedProblems('ListEndpointInfoDetails', 200, ENDPOINT), []);
  assert.deepEqual(publishedProblems('DeleteEndpoint', 204, undefined), []);
});

test('a missing required field is caught, at any depth', () => {
  assert.deepEqual(publishedProblems('ListSpecifiedVersionDetails', 200, { versions: [VERSION] }), [
    "(body) must have required property 'version'",
    '(body) must NOT have additional properties: versions',
  ]);
  const { Effect: _effect, ...noEffect } = ENDPOINT.policy_statement[0]!;
  assert.deepEqual(
    publishedProblems('ListEndpointInfoDetails', 200, { ...ENDPOINT, policy_statement: [noEffect] }),
    ["/policy_statement/0 must have required property 'Effect'"],
  );
});

test('a wrong type is caught: of a field, of an item, of an object the schema leaves untyped', () => {
  const cases: [string, unknown, string][] = [
    ['marker_id', '302035929', '/marker_id must be integer'],
    ['active_status', 'active', '/active_status must be array'],
    ['routetables', [1], '/routetables/0 must be string'],
    // TagList says no `type`: it is an object all the same.
    ['tags', ['k=v'], '/tags/0 must be object'],
    ['enable_dns', 'true', '/enable_dns must be boolean'],
  ];
  for (const [field, value, problem] of cases) {
    assert.deepEqual(
      publishedProblems('ListEndpointInfoDetails', 200, { ...ENDPOINT, [field]: value }),
      [problem],
      field,
    );
  }
  assert.deepEqual(publishedProblems('ListSpecifiedVersionDetails', 200, { version: 'v1' }), [
    '/version must be object',
  ]);
});

test('a field the schema does not list (a misspelt one) is caught', () => {
  const { routetables, ...rest } = ENDPOINT;
  assert.deepEqual(publishedProblems('ListEndpointInfoDetails', 200, { ...rest, routetable: routetables }), [
    '(body) must NOT have additional properties: routetable',
  ]);
});

test('formats are checked: date-time, ipv6', () => {
  for (const [field, value] of [
    ['created_at', '2022-04-14 09:35:47'],
    ['updated_at', '2022-13-14T09:35:47Z'],
    ['ipv6_address', '10.0.0.1'],
  ]) {
    assert.deepEqual(
      publishedProblems('ListEndpointInfoDetails', 200, { ...ENDPOINT, [field!]: value }),
      [`/${field} must match format "${field === 'ipv6_address' ? 'ipv6' : 'date-time'}"`],
      field,
    );
  }
});

test('expectPublished: a published status only, JSON, and no body where none is published', () => {
  const reply = (status: number, raw: string) => ({
    status,
    headers: { 'content-type': 'application/json;charset=UTF-8' },
    raw,
  });
  expectPublished(reply(200, JSON.stringify({ version: VERSION })), 'ListSpecifiedVersionDetails');
  expectPublished(reply(204, ''), 'DeleteEndpoint');
  assert.throws(() =>
    expectPublished(reply(201, JSON.stringify({ version: VERSION })), 'ListSpecifiedVersionDetails'),
  );
  assert.throws(() => expectPublished(reply(204, '{}'), 'DeleteEndpoint'));
  assert.throws(() => expectPublished(reply(200, '{"version":{"id":5}}'), 'ListSpecifiedVersionDetails'));
  assert.throws(() => expectPublished(reply(200, '{}'), 'NoSuchOperation'));
});

test('the published file holds the 33 operations, each with a success status', () => {
  assert.equal(Object.keys(PUBLISHED).length, 33);
  for (const op of Object.values(PUBLISHED)) {
    assert.ok(
      Object.keys(op.responses).some((s) => Number(s) >= 200 && Number(s) < 300),
      op.operation,
    );
  }
});
