import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { expectEpError, expectGatewayError } from '../helpers/expect.ts';
import { PUBLISHED } from '../helpers/published.ts';
import { notServedRoutes } from '../helpers/routes.ts';
import { makeWorld, type World } from '../helpers/world.ts';

/**
 * The published operations vpcep does not serve (spec/operations.md): each answers one 501
 * VPCEP.0501, after authentication, authorization and its path parameters' published rules, and
 * never 404 APIGW.0101. The list is what the app registers as 501, so an operation that gets a
 * route of its own leaves this file by itself.
 */

let w: World;
before(async () => {
  w = await makeWorld();
});
after(() => w.close());

const NO_SUCH = '00000000-0000-4000-8000-000000000000';

/** A value each path parameter accepts. */
const VALID: Record<string, string> = {
  vpc_endpoint_id: NO_SUCH,
  vpc_endpoint_service_id: NO_SUCH,
  resource_type: 'endpoint',
  resource_id: NO_SUCH,
  permission_id: NO_SUCH,
};

const urlOf = (pattern: string, values: Record<string, string>) =>
  pattern.replace(/:([a-z_]+)/g, (_m, name: string) => {
    const v = name === 'project_id' ? w.projectId : (values[name] ?? VALID[name]);
    assert.ok(v, `no value for :${name}`);
    return v;
  });

const ANONYMOUS = { 'x-auth-token': undefined };

describe('published operations not served', () => {
  const routes = notServedRoutes();
  test('there are some, and the v2 upgrades are among them', () => {
    const names = routes.map((r) => r.operationId);
    for (const op of ['UpgradeEndpoint', 'UpgradeEndpointService', 'AddEndpointServiceServerResource']) {
      assert.ok(names.includes(op), op);
    }
  });

  for (const r of routes) {
    const body = r.method === 'POST' || r.method === 'PUT' ? {} : undefined;
    test(`${r.operationId} is not served: 501 VPCEP.0501 after authentication and path validation`, async () => {
      const url = urlOf(r.url, {});
      expectGatewayError(await w.call(r.method, url, body, ANONYMOUS), 401, 'APIGW.0301');
      const res = await w.call(r.method, url, body);
      expectEpError(res, 501, 'VPCEP.0501');
      assert.equal(res.body.error.message, `Not implemented. ${r.operationId} is not served by vpcep yet.`);

      // Each path parameter breaking its published rule, with a credential and without one.
      for (const p of PUBLISHED[r.operationId]!.parameters.filter((x) => x.in === 'path')) {
        if (p.name === 'project_id') continue;
        const bad = p.enum ? 'no_such_type' : 'a'.repeat(p.maxLength! + 1);
        const badUrl = urlOf(r.url, { [p.name]: bad });
        expectGatewayError(await w.call(r.method, badUrl, body, ANONYMOUS), 401, 'APIGW.0301');
        expectEpError(await w.call(r.method, badUrl, body), 400, p.enum ? 'EndPoint.3070' : 'EndPoint.0002');
      }

      // Its path is known: another method is 405, not an unknown API.
      const other = await w.call('PATCH', url, undefined, ANONYMOUS);
      expectEpError(other, 405, 'VPCEP.0405');
      assert.ok(String(other.headers.allow).includes(r.method), String(other.headers.allow));
    });
  }
});
