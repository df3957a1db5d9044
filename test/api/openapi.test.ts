// The OpenAPI document (GET /openapi.json) and its page (GET /docs), issue 13 item 1: the document
// against the routes the server registers, against an OpenAPI 3.1 validator and JSON Schema
// 2020-12, against what `npm run openapi` writes; the page against the document.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { FastifyInstance } from 'fastify';
import {
  WIRE_MODULES,
  type Method,
  type OpenApiDocument,
  type Operation,
  type Schema,
} from '../../src/http/openapi/document.ts';
import { expectEpError } from '../helpers/expect.ts';
import { appRoutes, notServedRoutes } from '../helpers/routes.ts';
import { useScratch } from '../helpers/scratch.ts';
import { REPO_ROOT } from '../helpers/server.ts';
import { makeWorld, replyOf, type World } from '../helpers/world.ts';

const scratch = useScratch('vpcep-openapi-');
let w: World;
let doc: OpenApiDocument;

before(async () => {
  w = await makeWorld();
  const res = await w.app.inject({ method: 'GET', url: '/openapi.json' });
  assert.equal(res.statusCode, 200, res.body);
  doc = JSON.parse(res.body) as OpenApiDocument;
});
after(() => w.close());

const METHODS: Method[] = ['get', 'put', 'post', 'delete'];
/** A path with its parameters unnamed: `/v1/{project_id}/vpcs` and `/v1/:p/vpcs` are one. */
const shape = (p: string) => p.replace(/\{\w+\}|:\w+/g, '{}');

function operations(d: OpenApiDocument): { key: string; path: string; op: Operation }[] {
  return Object.entries(d.paths).flatMap(([p, item]) =>
    METHODS.filter((m) => item[m]).map((m) => ({
      key: `${m.toUpperCase()} ${shape(p)}`,
      path: p,
      op: item[m]!,
    })),
  );
}

/** Every path the router holds with the methods registered on it, from Fastify's own tree. */
function routerPaths(app: FastifyInstance): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^((?:[│ ] {3})*)[└├]── (.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    const full = (depth > 0 ? stack[depth - 1]! : '') + m[2]!;
    stack.length = depth;
    stack.push(full);
    if (m[3]) out.set(full, m[3].split(', '));
  }
  return out;
}

test('the document has exactly the operations the server registers, each under its route name', async () => {
  // What the router holds: every method of every path, less the 405 each path answers for the
  // methods it has no operation for (http/routing.ts), and HEAD, which every GET answers.
  const registered = new Set<string>();
  const paths = routerPaths(w.app);
  assert.ok(paths.size > 40, `${paths.size} paths read from the router`);
  for (const [p, methods] of paths) {
    for (const method of methods.filter((m) => m !== 'HEAD')) {
      const res = replyOf(await w.app.inject({ method: method as 'GET', url: p.replace(/:\w+/g, 'x') }));
      if (res.status === 405 && res.body?.error?.code === 'VPCEP.0405') continue;
      registered.add(`${method} ${shape(p)}`);
    }
  }
  const documented = operations(doc).map((o) => o.key);
  assert.equal(new Set(documented).size, documented.length, 'an operation twice in the document');
  assert.deepEqual([...registered].sort(), [...documented].sort());

  // Each under the name, the security and the success status its route declares.
  const ops = new Map(operations(doc).map((o) => [o.key, o.op]));
  const routes = appRoutes();
  assert.equal(routes.length, documented.length);
  for (const r of routes) {
    const op = ops.get(`${r.method} ${shape(r.url)}`)!;
    assert.equal(op.operationId, r.operationId, `${r.method} ${r.url}`);
    const schemes = op.security.flatMap((s) => Object.keys(s)).sort();
    const expected = r.auth === true ? ['aksk', 'token'] : r.auth === 'operator' ? ['operator'] : [];
    assert.deepEqual(schemes, expected, r.operationId);
    assert.equal(op['x-vpcep-api'], r.api, r.operationId);
    assert.equal(op.tags.length, 1, r.operationId);
    assert.ok(
      doc.tags.some((t) => t.name === op.tags[0]),
      `${r.operationId}: tag ${op.tags[0]} not declared`,
    );
  }
});

test('published operations not served are documented as such: 501 VPCEP.0501, no success', () => {
  const notServed = notServedRoutes().map((r) => r.operationId);
  assert.ok(notServed.length > 0, 'no route answers 501 today: nothing to check');
  const byId = new Map(operations(doc).map((o) => [o.op.operationId, o.op]));
  for (const r of appRoutes()) {
    const op = byId.get(r.operationId)!;
    const served = !notServed.includes(r.operationId);
    assert.equal(op['x-vpcep-served'], served, r.operationId);
    const statuses = Object.keys(op.responses);
    if (served) {
      assert.ok(statuses.includes(String(r.status ?? 200)), `${r.operationId}: ${statuses.join(' ')}`);
    } else {
      assert.ok(!statuses.some((s) => s.startsWith('2')), `${r.operationId}: ${statuses.join(' ')}`);
      assert.deepEqual((op.responses['501'] as { 'x-error-codes': string[] })['x-error-codes'], [
        'VPCEP.0501',
      ]);
    }
  }
});

test('the error answers: each API in its envelopes, the codes its schemas name, its security', () => {
  const byId = new Map(operations(doc).map((o) => [o.op.operationId, o.op]));
  const codes = (id: string, status: string) =>
    (byId.get(id)!.responses[status] as { 'x-error-codes'?: string[] } | undefined)?.['x-error-codes'];
  // ListEndpoints' query names its fields' codes (wire/common.ts, wire/vpcep.ts).
  assert.deepEqual(codes('ListEndpoints', '400')?.sort(), [
    'EndPoint.0002',
    'EndPoint.0006',
    'EndPoint.0010',
    'EndPoint.0017',
    'EndPoint.0018',
  ]);
  assert.deepEqual(codes('UpdateEndpointRoutetable', '400'), ['EndPoint.0002', 'EndPoint.0011']);
  assert.deepEqual(codes('UpdateEndpointRoutetable', '403'), ['APIGW.0302', 'EndPoint.0004']);
  assert.deepEqual(codes('CreateVpc', '400'), ['VPC.0101', 'VPC.0102']);
  assert.deepEqual(codes('CreateVpc', '403'), ['APIGW.0302', 'VPCEP.0403']);
  assert.deepEqual(codes('ListAccounts', '401'), ['VPCEP.0401']);
  assert.equal(codes('Healthz', '401'), undefined);
  const envelope = (id: string) =>
    (byId.get(id)!.responses['4XX'] as { $ref: string }).$ref.split('/').at(-1)!;
  const union = (id: string) =>
    (doc.components.schemas[`${envelope(id).replace(/4XX$/, '')}`]!.anyOf as { $ref: string }[])
      .map((r) => r.$ref.split('/').at(-1))
      .sort();
  assert.deepEqual(union('UpdateEndpointRoutetable'), ['EndpointError', 'GatewayError']);
  assert.deepEqual(union('CreateVpc'), ['EndpointError', 'GatewayError', 'VpcError']);
  assert.deepEqual(union('KeystoneCreateUserTokenByPassword'), [
    'EndpointError',
    'GatewayError',
    'KeystoneError',
  ]);
  // Path and query limits are the schemas': a VPC endpoint id is 1 to 64 characters.
  const param = byId.get('ListEndpointInfoDetails')!.parameters!.find((p) => p.name === 'vpc_endpoint_id')!;
  assert.deepEqual(param.schema, { type: 'string', minLength: 1, maxLength: 64 });
  const limit = byId.get('ListEndpoints')!.parameters!.find((p) => p.name === 'limit')!;
  assert.equal(limit.required, false, 'a parameter with a default is filled in, not required');
  assert.equal(limit.schema.maximum, 1000);
});

test('the document is valid OpenAPI 3.1 (@seriousme/openapi-schema-validator)', async () => {
  const validator = new Validator();
  const result = await validator.validate(
    structuredClone(doc) as unknown as Parameters<Validator['validate']>[0],
  );
  assert.equal(result.valid, true, JSON.stringify(result.errors, null, 1));
  assert.equal(validator.version, '3.1');
  // It can fail: the same document with one operation broken is refused.
  const broken = structuredClone(doc) as unknown as { paths: Record<string, Record<string, unknown>> };
  broken.paths['/healthz']!.get = { responses: 'none' };
  assert.equal((await new Validator().validate(broken as never)).valid, false);
});

test('every schema in the document is valid JSON Schema 2020-12, the dialect of OpenAPI 3.1', () => {
  const ajv = new Ajv2020({ strict: false });
  const schemas: [string, Schema][] = Object.entries(doc.components.schemas);
  for (const { path: p, op } of operations(doc)) {
    for (const param of op.parameters ?? []) schemas.push([`${op.operationId} ${param.name}`, param.schema]);
    for (const [type, media] of Object.entries(op.requestBody?.content ?? {})) {
      schemas.push([`${op.operationId} body ${type}`, media.schema]);
    }
    for (const [status, r] of Object.entries(op.responses)) {
      for (const media of Object.values(('content' in r && r.content) || {})) {
        schemas.push([`${op.operationId} ${p} ${status}`, media.schema]);
      }
    }
  }
  assert.ok(schemas.length > 300, `${schemas.length} schemas`);
  for (const [where, schema] of schemas) {
    assert.equal(ajv.validateSchema(schema), true, `${where}: ${ajv.errorsText()}`);
  }
  // Refs point at components that exist.
  const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/(\w+)\/([\w.-]+)"/g)];
  assert.ok(refs.length > 100);
  for (const [, kind, name] of refs) {
    const group = doc.components[kind as keyof OpenApiDocument['components']] as Record<string, unknown>;
    assert.ok(group?.[name!], `#/components/${kind}/${name} does not exist`);
  }
});

test('the schemas every wire module exports by name are components under that name', () => {
  // A module left out of the list would have its schemas written out inline wherever used.
  const files = fs.readdirSync(path.join(REPO_ROOT, 'src', 'wire')).filter((f) => f.endsWith('.ts'));
  assert.deepEqual(Object.keys(WIRE_MODULES).sort(), files.map((f) => f.replace(/\.ts$/, '')).sort());
  for (const name of [
    'Endpoint',
    'RoutetableInfoResp',
    'UpdateRoutetablesBody',
    'TokenRequest',
    'AuditEventList',
  ]) {
    assert.ok(doc.components.schemas[name], `${name} is not a component`);
  }
  const central = doc.paths['/v1/{project_id}/vpc-endpoints/{vpc_endpoint_id}/routetables']!.put!;
  assert.deepEqual(central.requestBody!.content['application/json']!.schema, {
    $ref: '#/components/schemas/UpdateRoutetablesBody',
  });
});

test('npm run openapi writes the document the server serves', () => {
  const file = path.join(scratch.dir(), 'openapi.json');
  const run = spawnSync('npm', ['run', '--silent', 'openapi', '--', file], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  assert.equal(run.status, 0, run.stderr);
  assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), doc);
});

test('/openapi.json needs no credential, and is JSON', async () => {
  const res = await w.app.inject({
    method: 'GET',
    url: '/openapi.json',
    headers: { accept: 'application/json' },
  });
  assert.equal(res.statusCode, 200);
  assert.match(String(res.headers['content-type']), /^application\/json/);
  assert.equal(JSON.parse(res.body).openapi, '3.1.0');
  expectEpError(replyOf(await w.app.inject({ method: 'POST', url: '/openapi.json' })), 405, 'VPCEP.0405');
});

test('/docs: an HTML page that names every operation and path, loads nothing, and runs no script', async () => {
  const res = await w.app.inject({ method: 'GET', url: '/docs', headers: { accept: 'text/html' } });
  assert.equal(res.statusCode, 200, res.body);
  assert.equal(res.headers['content-type'], 'text/html; charset=utf-8');
  assert.match(String(res.headers['content-security-policy']), /default-src 'none'/);
  const page = res.body;
  assert.match(page, /^<!doctype html>/);
  for (const { path: p, op } of operations(doc)) {
    assert.ok(page.includes(`id="op-${op.operationId}"`), `${op.operationId} has no section`);
    assert.ok(page.includes(`<code>${p}</code>`), `${p} is not on the page`);
  }
  for (const name of Object.keys(doc.components.schemas)) {
    assert.ok(page.includes(`id="schema-${name}"`), `schema ${name} is not on the page`);
  }
  assert.doesNotMatch(page, /<script|<link|<img|<iframe|@import|url\(/i);
  assert.doesNotMatch(page, /(src|href)="(https?:)?\/\//i, 'nothing from another host');
  // Asked for JSON only, it says it answers HTML.
  const json = replyOf(
    await w.app.inject({ method: 'GET', url: '/docs', headers: { accept: 'application/json' } }),
  );
  expectEpError(json, 406, 'VPCEP.0406');
});
