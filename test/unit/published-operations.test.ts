import assert from 'node:assert/strict';
import { test } from 'node:test';
import Fastify from 'fastify';
import { installErrorHandler } from '../../src/http/error-handler.ts';
import { registerRoutes } from '../../src/http/routing.ts';
import { installSchemaCompilers } from '../../src/http/schema-compilers.ts';
import { route, type RouteDef } from '../../src/http/route.ts';
import {
  isNotImplemented,
  notImplementedRoutes,
  routeUrl,
  unservedOperations,
} from '../../src/http/routes/not-implemented.ts';
import { VPCEP_OPERATIONS } from '../../src/wire/vpcep-operations.ts';
import { PUBLISHED } from '../helpers/published.ts';
import { appRoutes } from '../helpers/routes.ts';

/** The one list of the published operations, and how the routes answer for each (spec/operations.md). */

const shape = (method: string, url: string) => `${method} ${url.replace(/:[a-z_]+/g, ':')}`;

test('the list of operations is the published one: every name, method and path', () => {
  const published = Object.values(PUBLISHED).map((op) => `${op.operation} ${op.method} ${op.path}`);
  const listed = VPCEP_OPERATIONS.map((op) => `${op.operationId} ${op.method} ${op.path}`);
  assert.deepEqual([...listed].sort(), [...published].sort());
});

test('every published operation has exactly one route, which bears its name: its own, or the 501', () => {
  const routes = appRoutes();
  for (const op of VPCEP_OPERATIONS) {
    const on = routes.filter((r) => shape(r.method, r.url) === shape(op.method, routeUrl(op.path)));
    assert.equal(on.length, 1, `${op.operationId}: ${on.length} routes`);
    assert.equal(on[0]!.operationId, op.operationId, `${on[0]!.method} ${on[0]!.url}`);
  }
  // And a route bearing a published name is on that operation's path.
  for (const r of routes) {
    const op = VPCEP_OPERATIONS.find((o) => o.operationId === r.operationId);
    if (op) assert.equal(shape(r.method, r.url), shape(op.method, routeUrl(op.path)), r.operationId);
  }
});

const served = (method: RouteDef['method'], url: string, operationId = 'Served') =>
  route({ method, url, api: 'endpoint', operationId, auth: true, schema: {}, handler: async () => ({}) });

test('a route serving an operation takes its place, whatever it names its parameters', () => {
  const all = unservedOperations([]).map((op) => op.operationId);
  assert.equal(all.length, VPCEP_OPERATIONS.length);
  const rest = unservedOperations([
    served('GET', '/v1/:p/vpc-endpoint-services/:id/connections'),
    served('PUT', '/v1/:project_id/vpc-endpoints/:vpc_endpoint_id'),
    // Another method of a published path serves nothing.
    served('PATCH' as 'PUT', '/v1/:project_id/quotas'),
  ]).map((op) => op.operationId);
  assert.deepEqual(
    all.filter((id) => !rest.includes(id)),
    ['ListServiceConnections', 'UpdateEndpointWhite'],
  );
  assert.deepEqual(
    notImplementedRoutes([served('GET', '/v1/:x/quotas')]).map((r) => r.operationId),
    all.filter((id) => id !== 'ListQuotaDetails'),
  );
});

test('a served route beside the 501 of another method on its path: both register, 405 once', async () => {
  const servedRoutes = [served('GET', '/v1/:p/vpc-endpoint-services/:service_id', 'ListServiceDetails')];
  const app = Fastify();
  installSchemaCompilers(app);
  installErrorHandler(app);
  registerRoutes(app, [...servedRoutes, ...notImplementedRoutes(servedRoutes)]);
  await app.ready();
  const res = await app.inject({ method: 'PATCH', url: '/v1/p/vpc-endpoint-services/s' });
  assert.equal(res.statusCode, 405);
  assert.equal(res.headers.allow, 'DELETE, GET, HEAD, PUT');
  await app.close();
});

test('the 501 routes check every path parameter as published', () => {
  for (const r of appRoutes().filter(isNotImplemented)) {
    const op = PUBLISHED[r.operationId]!;
    const params = r.schema.params as { properties: Record<string, Record<string, unknown>> };
    for (const p of op.parameters.filter((x) => x.in === 'path')) {
      const rule = params.properties[p.name];
      assert.ok(rule, `${r.operationId}: no rule for ${p.name}`);
      for (const k of ['minLength', 'maxLength', 'enum'] as const) {
        assert.deepEqual(rule[k], p[k], `${r.operationId} ${p.name} ${k}`);
      }
    }
  }
});
