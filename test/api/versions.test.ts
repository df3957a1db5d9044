import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { expectEpError, expectJson } from '../helpers/expect.ts';
import { expectPublished } from '../helpers/published.ts';
import { makeWorld, type World } from '../helpers/world.ts';

/** The version calls (ListVersionDetails, ListSpecifiedVersionDetails): no credential needed. */

let w: World;
before(async () => {
  w = await makeWorld();
});
after(() => w.close());

/** No credential, a garbage one, a valid one: the version calls read none of them. */
const CREDENTIALS = [{ 'x-auth-token': undefined }, { 'x-auth-token': 'garbage' }, {}];

const V1 = {
  id: 'v1',
  version: '1',
  min_version: '',
  status: 'CURRENT',
  updated: '2018-09-30T00:00:00Z',
  links: [{ href: 'http://localhost:80/v1', type: 'application/json', rel: 'self' }],
};

test('ListVersionDetails: GET / lists v1, as published, whatever the credential', async () => {
  for (const headers of CREDENTIALS) {
    const res = await w.call('GET', '/', undefined, headers);
    expectPublished(res, 'ListVersionDetails');
    assert.deepEqual(res.body, { versions: [V1] });
  }
});

test("ListSpecifiedVersionDetails: GET /v1 is {version: …}, the list's own entry", async () => {
  for (const headers of CREDENTIALS) {
    const res = await w.call('GET', '/v1', undefined, headers);
    expectPublished(res, 'ListSpecifiedVersionDetails');
    assert.deepEqual(res.body, { version: V1 });
  }
});

test("a version's self link answers with that version", async () => {
  const list = await w.call('GET', '/');
  for (const v of list.body.versions) {
    const res = await w.call('GET', new URL(v.links[0].href).pathname);
    expectPublished(res, 'ListSpecifiedVersionDetails');
    assert.deepEqual(res.body.version, v);
  }
});

test('ListSpecifiedVersionDetails: a version this server does not have → 404 EndPoint.0005', async () => {
  for (const version of ['v2', 'V1', 'v1.0', 'v0', 'nothing', '%20']) {
    for (const headers of CREDENTIALS) {
      const res = await w.call('GET', `/${version}`, undefined, headers);
      expectEpError(res, 404, 'EndPoint.0005');
      assert.equal(
        res.body.error.message,
        'The requested resource is unavailable. No API version of that name; GET / lists them.',
      );
    }
  }
});

test('the version paths take GET (and HEAD) only: 405 with Allow, before authentication', async () => {
  for (const url of ['/', '/v1', '/v2']) {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      const res = await w.call(method, url, undefined, { 'x-auth-token': undefined });
      expectEpError(res, 405, 'VPCEP.0405');
      assert.equal(res.headers.allow, 'GET, HEAD', `${method} ${url}`);
    }
  }
  const head = await w.app.inject({ method: 'HEAD', url: '/v1' });
  assert.equal(head.statusCode, 200);
  assert.equal(head.body, '');
  expectJson(await w.call('GET', '/v1'));
});
