// Requests and answers over real HTTP held to the OpenAPI document the server serves (issue 13):
// the central call, endpoint CRUD, the user's endpoint service CRUD, IAM tokens, the operator API
// and a 501, each in success and in error. Every call goes through `call`, which checks the request
// against the document before sending it and the answer after (test/helpers/openapi.ts).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import type { OpenApiDocument } from '../../src/http/openapi/document.ts';
import { passwordLogin } from '../helpers/auth.ts';
import { expectEpError, expectGatewayError, expectKeystoneError, expectVpcError } from '../helpers/expect.ts';
import {
  createPort,
  createService,
  createSubnet,
  createTable,
  createVpc,
  gatewayService,
  type Api,
} from '../helpers/fixtures.ts';
import { OpenApiContract } from '../helpers/openapi.ts';
import { makeWorld, OPERATOR_KEY, PASSWORD, PROJECT_ID, type Reply, type World } from '../helpers/world.ts';

let w: World;
let url: string;
let contract: OpenApiContract;

before(async () => {
  w = await makeWorld();
  await w.app.listen({ port: 0, host: '127.0.0.1' });
  url = `http://127.0.0.1:${(w.app.server.address() as AddressInfo).port}`;
  const res = await fetch(`${url}/openapi.json`);
  assert.equal(res.status, 200);
  contract = new OpenApiContract((await res.json()) as OpenApiDocument);
});
after(() => w.close());

/** The statuses each operation answered in this file, to show what the calls covered. */
const seen = new Map<string, Set<number>>();

interface CallOptions {
  body?: unknown;
  /** Extra request headers. */
  headers?: Record<string, string>;
  /** The token to send; null: none (the world's admin's unless told). */
  token?: string | null;
  /** The request is meant to break the document (a call made to be refused). */
  invalid?: true;
}

/**
 * One call over HTTP: its request must be valid by the document (or, with `invalid`, must not be),
 * and its answer must be one the document describes for that operation.
 */
async function call(method: string, path: string, opts: CallOptions = {}): Promise<Reply> {
  const text = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  const problems = contract.requestProblems(method, path, text);
  if (opts.invalid) assert.notDeepEqual(problems, [], `${method} ${path}: meant to break the document`);
  else assert.deepEqual(problems, [], `${method} ${path}: the request breaks the document`);

  const headers: Record<string, string> = { 'content-type': 'application/json', ...opts.headers };
  const token = opts.token === undefined ? w.token : opts.token;
  if (token !== null) headers['x-auth-token'] = token;
  const res = await fetch(`${url}${path}`, {
    method,
    headers,
    ...(text === undefined ? {} : { body: text }),
    signal: AbortSignal.timeout(15_000),
  });
  const raw = await res.text();
  const answer = { status: res.status, contentType: res.headers.get('content-type'), raw };
  assert.deepEqual(contract.responseProblems(method, path, answer), [], `${method} ${path} → ${res.status}`);

  const { operationId } = contract.find(method, path).operation;
  if (!seen.has(operationId)) seen.set(operationId, new Set());
  seen.get(operationId)!.add(res.status);
  const isJson = /json/.test(answer.contentType ?? '');
  return {
    status: res.status,
    headers: Object.fromEntries(res.headers),
    body: raw !== '' && isJson ? JSON.parse(raw) : undefined,
    raw,
  };
}

const P = `/v1/${PROJECT_ID}`;
/** The fixtures' client, through `call`: what they do is checked too. */
const api: Api = { api: (method, path, body) => call(method, `${P}${path}`, { body }) };

test('IAM tokens: a password login, its validation, and their refusals', async () => {
  const login = await call('POST', '/v3/auth/tokens', {
    body: passwordLogin({ password: PASSWORD }),
    token: null,
  });
  assert.equal(login.status, 201, login.raw);
  const token = login.headers['x-subject-token'] as string;
  assert.ok(token);

  const wrong = await call('POST', '/v3/auth/tokens', {
    body: passwordLogin({ password: 'not-the-password' }),
    token: null,
  });
  expectKeystoneError(wrong, 401, 'Unauthorized');
  const noScope = await call('POST', '/v3/auth/tokens', {
    body: { auth: { identity: { methods: ['password'] } } },
    token: null,
    invalid: true,
  });
  expectKeystoneError(noScope, 400, 'Bad Request');
  expectKeystoneError(
    await call('POST', '/v3/auth/tokens', { token: null, invalid: true }),
    400,
    'Bad Request',
  );

  const validated = await call('GET', '/v3/auth/tokens', { token, headers: { 'x-subject-token': token } });
  assert.equal(validated.status, 200, validated.raw);
  assert.equal(validated.body.token.project.id, PROJECT_ID);
  expectGatewayError(
    await call('GET', '/v3/auth/tokens', { token: null, headers: { 'x-subject-token': token } }),
    401,
    'APIGW.0301',
  );
});

test('endpoints: create, list, show, UpdateEndpointRoutetable, delete, and their refusals', async () => {
  const vpc = (await createVpc(api)).id;
  const [rtA, rtB] = [await createTable(api, vpc, [], 'rt-a'), await createTable(api, vpc, [], 'rt-b')];
  const service = await gatewayService(api);

  const created = await call('POST', `${P}/vpc-endpoints`, {
    body: { endpoint_service_id: service, vpc_id: vpc, routetables: [rtA] },
  });
  assert.equal(created.status, 200, created.raw);
  const ep = created.body.id as string;
  expectEpError(
    await call('POST', `${P}/vpc-endpoints`, { body: { endpoint_service_id: service }, invalid: true }),
    400,
    'EndPoint.0002',
  );
  expectEpError(
    await call('POST', `${P}/vpc-endpoints`, { body: { endpoint_service_id: randomUUID(), vpc_id: vpc } }),
    400,
    'EndPoint.2012',
  );

  const list = await call('GET', `${P}/vpc-endpoints?limit=5&sort_dir=asc`);
  assert.equal(list.status, 200, list.raw);
  assert.ok(list.body.endpoints.some((e: { id: string }) => e.id === ep));
  expectEpError(await call('GET', `${P}/vpc-endpoints?limit=0`, { invalid: true }), 400, 'EndPoint.0006');
  expectEpError(
    await call('GET', `${P}/vpc-endpoints?sort_key=name`, { invalid: true }),
    400,
    'EndPoint.0017',
  );

  assert.equal((await call('GET', `${P}/vpc-endpoints/${ep}`)).body.routetables[0], rtA);
  expectEpError(await call('GET', `${P}/vpc-endpoints/${randomUUID()}`), 404, 'EndPoint.2006');

  // The central call: a move, a per-table failure in `error`, and each way the whole call fails.
  const moved = await call('PUT', `${P}/vpc-endpoints/${ep}/routetables`, { body: { routetables: [rtB] } });
  assert.deepEqual(moved.body, { routetables: [rtB] });
  const fault = await call('POST', `/vpcep/v1/${PROJECT_ID}/faults`, {
    body: { fault: { operation: 'bind', routetable_id: rtA, times: 1 } },
  });
  assert.equal(fault.status, 201, fault.raw);
  const partial = await call('PUT', `${P}/vpc-endpoints/${ep}/routetables`, {
    body: { routetables: [rtA, rtB] },
  });
  assert.equal(partial.status, 200, partial.raw);
  assert.deepEqual(partial.body.routetables, [rtB]);
  assert.equal(partial.body.error[0].bind_failed[0].id, rtA);
  const table = `${P}/vpc-endpoints/${ep}/routetables`;
  expectEpError(await call('PUT', table, { body: { routetables: [] }, invalid: true }), 400, 'EndPoint.0002');
  expectEpError(await call('PUT', table, { invalid: true }), 400, 'EndPoint.0011');
  expectEpError(await call('PUT', table, { body: { routetables: [randomUUID()] } }), 400, 'EndPoint.1019');
  expectEpError(
    await call('PUT', `${P}/vpc-endpoints/${randomUUID()}/routetables`, { body: { routetables: [rtA] } }),
    404,
    'EndPoint.2006',
  );
  expectGatewayError(
    await call('PUT', table, { body: { routetables: [rtA] }, token: null }),
    401,
    'APIGW.0301',
  );
  expectGatewayError(
    await call('PUT', `/v1/${'f'.repeat(32)}/vpc-endpoints/${ep}/routetables`, {
      body: { routetables: [rtA] },
    }),
    403,
    'APIGW.0302',
  );

  assert.equal((await call('DELETE', `${P}/vpc-endpoints/${ep}`)).status, 204);
  expectEpError(await call('DELETE', `${P}/vpc-endpoints/${ep}`), 404, 'EndPoint.2006');
  // The route tables of the VPC API answer in its own envelope.
  expectVpcError(await call('GET', `${P}/routetables/${randomUUID()}`), 404, 'VPC.2808');
});

test("the user's endpoint services: create, list, show, update, delete, and their refusals", async () => {
  const vpc = (await createVpc(api, '10.1.0.0/16', 'svc-vpc')).id;
  const port = await createPort(api, await createSubnet(api, vpc, '10.1.1.0/24'));
  const service = await createService(api, vpc, port.id, { description: 'first' });
  const path = `${P}/vpc-endpoint-services/${service.id}`;

  const list = await call('GET', `${P}/vpc-endpoint-services?limit=10`);
  assert.ok(
    list.body.endpoint_services.some((s: { id: string }) => s.id === service.id),
    list.raw,
  );
  assert.equal((await call('GET', path)).body.id, service.id);
  const updated = await call('PUT', path, { body: { description: 'second', approval_enabled: false } });
  assert.equal(updated.body.description, 'second', updated.raw);

  const badPort = {
    vpc_id: vpc,
    port_id: port.id,
    server_type: 'VM',
    ports: [{ client_port: 0, server_port: 8080 }],
  };
  expectEpError(
    await call('POST', `${P}/vpc-endpoint-services`, { body: badPort, invalid: true }),
    400,
    'EndPoint.3043',
  );
  expectEpError(
    await call('PUT', path, { body: { approval_enabled: 'yes' }, invalid: true }),
    400,
    'EndPoint.0002',
  );
  expectEpError(
    await call('GET', `${P}/vpc-endpoint-services?limit=1001`, { invalid: true }),
    400,
    'EndPoint.0006',
  );

  assert.equal((await call('DELETE', path)).status, 204);
  const gone = await call('GET', path);
  assert.ok(gone.status >= 400, gone.raw);
  expectEpError(await call('DELETE', `${P}/vpc-endpoint-services/${randomUUID()}`), 400, 'EndPoint.2003');
});

test('the operator API, a published operation not served, and the public routes', async () => {
  const bearer = { authorization: `Bearer ${OPERATOR_KEY}` };
  const accounts = await call('GET', '/vpcep/v1/accounts', { token: null, headers: bearer });
  assert.equal(accounts.status, 200, accounts.raw);
  expectEpError(await call('GET', '/vpcep/v1/accounts', { token: null }), 401, 'VPCEP.0401');

  expectEpError(
    await call('POST', `/v2/${PROJECT_ID}/vpc-endpoints/${randomUUID()}/upgrade`),
    501,
    'VPCEP.0501',
  );

  for (const path of ['/', '/v1', '/healthz', '/readyz', '/openapi.json', '/docs']) {
    assert.equal((await call('GET', path, { token: null })).status, 200, path);
  }
  expectEpError(await call('GET', '/v9', { token: null }), 404, 'EndPoint.0005');
});

test('the calls above cover each required operation in success and in error', () => {
  const required = [
    'UpdateEndpointRoutetable',
    'CreateEndpoint',
    'ListEndpoints',
    'ListEndpointInfoDetails',
    'DeleteEndpoint',
    'CreateEndpointService',
    'ListEndpointService',
    'ListServiceDetails',
    'UpdateEndpointService',
    'DeleteEndpointService',
    'KeystoneCreateUserTokenByPassword',
    'KeystoneValidateToken',
  ];
  for (const operationId of required) {
    const statuses = [...(seen.get(operationId) ?? [])];
    assert.ok(
      statuses.some((s) => s < 300),
      `${operationId}: no success checked (${statuses.join(', ')})`,
    );
    assert.ok(
      statuses.some((s) => s >= 400),
      `${operationId}: no error checked (${statuses.join(', ')})`,
    );
  }
});
