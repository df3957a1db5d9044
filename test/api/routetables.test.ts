// Contract tests of UpdateEndpointRoutetable, `PUT /v1/{project_id}/vpc-endpoints/{id}/routetables`
// (spec/routetables.md, spec/errors.md). Every failing call is also checked to have changed nothing:
// the endpoint as GET shows it, the routes of every table involved, and the audit log.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { EndpointStatus } from '../../src/domain/endpoint-status.ts';
import { after, before, test } from 'node:test';
import { endpointTime } from '../../src/domain/ids.ts';
import { expectError, sorted } from '../helpers/expect.ts';
import {
  addFault,
  addRoutes,
  createEndpoint,
  createTable,
  createVpc,
  egwRoutes,
  fillTable,
  gatewayService,
  getEndpoint,
  GW_CIDR,
  interfaceEndpoint,
  listFaults,
  otherProject,
  otherProjectVpc,
  rebind,
  routesOf,
} from '../helpers/fixtures.ts';
import { expectReport, failing, put, rtPath, scene, snapshot, type Scene } from '../helpers/rebind.ts';
import { addOwnService, setEndpointStatus } from '../helpers/seed.ts';
import { auditLog } from '../helpers/audit.ts';
import { makeWorld, tokenFor, type Reply, type World } from '../helpers/world.ts';
import { expectPublished } from '../helpers/published.ts';

const TOKEN_TTL_MS = 24 * 3600 * 1000;

type Headers = Record<string, string | undefined>;

let w: World;
before(async () => {
  w = await makeWorld();
});
after(() => w.close());

// ---------------------------------------------------------------------------------------------
// Step 1: routing

test('the default gateway service programs 100.125.0.0/16 (premise of the egw assertions)', () => {
  assert.deepEqual(
    w.config.gatewayServices.map((g) => g.cidrs),
    [[GW_CIDR]],
  );
});

test('step 1: an unknown path answers 404 APIGW.0101, with or without a token', async () => {
  const s = await scene(w);
  const urls = [
    `/vpc-endpoints/${s.ep}/routetable`,
    `/vpc-endpoints/${s.ep}/routetables/`,
    `/vpc-endpoints/${s.ep}/routetables/${s.b}`,
    `/vpc-endpoint/${s.ep}/routetables`,
  ];
  for (const url of urls) {
    for (const headers of [{}, { 'x-auth-token': undefined }]) {
      const res = await failing(w, s, () => w.api('PUT', url, { routetables: [s.b] }, headers));
      expectError(res, 404, 'APIGW.0101', undefined, url);
    }
  }
});

test('step 1: a wrong method answers 405 VPCEP.0405 with Allow: PUT, before authentication', async () => {
  const s = await scene(w);
  for (const method of ['PATCH', 'POST', 'GET', 'DELETE', 'OPTIONS']) {
    for (const headers of [{}, { 'x-auth-token': undefined }]) {
      const res = await failing(w, s, () => w.api(method, rtPath(s.ep), { routetables: [s.b] }, headers));
      expectError(res, 405, 'VPCEP.0405', undefined, method);
      assert.equal(res.headers['allow'], 'PUT', `${method}: Allow header`);
    }
  }
});

// ---------------------------------------------------------------------------------------------
// Step 2: authentication

test('step 2: no token answers 401 APIGW.0301 "x-auth-token not found"', async () => {
  const s = await scene(w);
  const res = await failing(w, s, () => put(w, s.ep, { routetables: [s.b] }, { 'x-auth-token': undefined }));
  expectError(res, 401, 'APIGW.0301', 'Incorrect IAM authentication information: x-auth-token not found');
});

test('step 2: an unreadable or forged token answers 401 APIGW.0301 "decrypt token fail"', async () => {
  const s = await scene(w);
  const [payload, mac] = w.token.split('.') as [string, string];
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  const forgedPayload = Buffer.from(JSON.stringify({ ...claims, exp: claims.exp + 1 })).toString('base64url');
  const tokens: Record<string, string> = {
    garbage: 'garbage',
    'two garbage parts': 'abc.def',
    'payload not JSON': `${Buffer.from('not json').toString('base64url')}.${mac}`,
    'MAC altered': `${payload}.${mac.slice(0, -2)}${mac.endsWith('AA') ? 'BB' : 'AA'}`,
    'payload altered, MAC kept': `${forgedPayload}.${mac}`,
    'over 2048 chars': 'x'.repeat(2049),
  };
  for (const [name, token] of Object.entries(tokens)) {
    const res = await failing(w, s, () => put(w, s.ep, { routetables: [s.b] }, { 'x-auth-token': token }));
    expectError(res, 401, 'APIGW.0301', 'Incorrect IAM authentication information: decrypt token fail', name);
  }
});

test('step 2: an expired token answers 401 APIGW.0301 "token expires, expires_at: <time>"', async () => {
  const world = await makeWorld();
  try {
    const s = await scene(world);
    const issuedAt = world.clock.now().getTime();
    const before = await snapshot(world, s.ep, s.tables);
    world.clock.advance(TOKEN_TTL_MS + 1000);
    const res = await put(world, s.ep, { routetables: [s.b] });
    const prefix = 'Incorrect IAM authentication information: token expires, expires_at: ';
    expectError(res, 401, 'APIGW.0301');
    assert.ok(res.body.error.message.startsWith(prefix), res.body.error.message);
    assert.equal(Date.parse(res.body.error.message.slice(prefix.length)), issuedAt + TOKEN_TTL_MS);
    const fresh = { 'x-auth-token': await tokenFor(world.app) };
    assert.deepEqual(await snapshot(world, s.ep, s.tables, fresh), before);
  } finally {
    await world.close();
  }
});

test('step 2: a token of another project answers 403 APIGW.0302', async () => {
  const s = await scene(w);
  const other = await otherProject(w);
  const res = await failing(w, s, () =>
    put(w, s.ep, { routetables: [s.b] }, { 'x-auth-token': other.token }),
  );
  expectError(res, 403, 'APIGW.0302');
});

test('step 2 comes before steps 3 and 4: unauthenticated bad requests get 401, not 400', async () => {
  const s = await scene(w);
  const noToken = { 'x-auth-token': undefined };
  const cases: { name: string; call: () => Promise<Reply> }[] = [
    { name: 'invalid body', call: () => put(w, s.ep, { routetables: 'nope' }, noToken) },
    { name: 'missing body', call: () => put(w, s.ep, undefined, noToken) },
    { name: 'not JSON', call: () => put(w, s.ep, '{"routetables": [', noToken) },
    { name: 'text/plain', call: () => put(w, s.ep, 'x', { ...noToken, 'content-type': 'text/plain' }) },
    { name: 'path param over 64', call: () => put(w, 'e'.repeat(65), { routetables: [s.b] }, noToken) },
    { name: 'garbage token, invalid body', call: () => put(w, s.ep, {}, { 'x-auth-token': 'garbage' }) },
  ];
  for (const c of cases) {
    const res = await failing(w, s, c.call);
    expectError(res, 401, 'APIGW.0301', undefined, c.name);
  }
});

// ---------------------------------------------------------------------------------------------
// Step 3: path parameters

test('step 3: a vpc_endpoint_id over 64 chars answers 400 EndPoint.0002 naming it, before the body', async () => {
  const s = await scene(w);
  for (const body of [{ routetables: [s.b] }, { routetables: 'not an array' }, undefined, '{not json']) {
    const res = await failing(w, s, () => put(w, 'e'.repeat(65), body));
    expectError(res, 400, 'EndPoint.0002', /vpc_endpoint_id/);
  }
  const wrongType = await failing(w, s, () =>
    put(w, 'e'.repeat(65), 'routetables=x', { 'content-type': 'text/plain' }),
  );
  expectError(wrongType, 400, 'EndPoint.0002', /vpc_endpoint_id/);
  // 64 chars passes the check and reaches the endpoint lookup.
  const res = await failing(w, s, () => put(w, 'e'.repeat(64), { routetables: [s.b] }));
  expectError(res, 404, 'EndPoint.2006');
});

// ---------------------------------------------------------------------------------------------
// Step 4: body

test('step 4: invalid bodies answer 400 with EndPoint.0011 or EndPoint.0002', async () => {
  const s = await scene(w);
  const cases: { name: string; body: unknown; headers?: Headers; code: string; names?: string }[] = [
    { name: 'missing body', body: undefined, code: 'EndPoint.0011' },
    { name: 'empty body', body: '', code: 'EndPoint.0011' },
    { name: 'whitespace body', body: '  \n ', code: 'EndPoint.0011' },
    {
      name: 'missing body, no Content-Type',
      body: undefined,
      headers: { 'content-type': undefined },
      code: 'EndPoint.0011',
    },
    { name: 'null body', body: 'null', code: 'EndPoint.0011' },
    { name: 'not JSON', body: '{"routetables": [', code: 'EndPoint.0002' },
    {
      name: 'wrong media type',
      body: { routetables: [s.b] },
      headers: { 'content-type': 'text/plain' },
      code: 'EndPoint.0002',
    },
    {
      name: 'form media type',
      body: 'routetables=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      code: 'EndPoint.0002',
    },
    { name: 'body is an array', body: [s.b], code: 'EndPoint.0002' },
    { name: 'body is a string', body: '"x"', code: 'EndPoint.0002' },
    { name: 'routetables missing', body: {}, code: 'EndPoint.0002', names: 'routetables' },
    {
      name: 'routetables misspelled',
      body: { routetable: [s.b] },
      code: 'EndPoint.0002',
      names: 'routetables',
    },
    { name: 'routetables null', body: { routetables: null }, code: 'EndPoint.0002', names: 'routetables' },
    { name: 'routetables a string', body: { routetables: s.b }, code: 'EndPoint.0002', names: 'routetables' },
    {
      name: 'routetables an object',
      body: { routetables: { id: s.b } },
      code: 'EndPoint.0002',
      names: 'routetables',
    },
    { name: 'items numbers', body: { routetables: [1, 2] }, code: 'EndPoint.0002', names: 'routetables' },
    { name: 'an item null', body: { routetables: [s.b, null] }, code: 'EndPoint.0002', names: 'routetables' },
    {
      name: 'an item an object',
      body: { routetables: [{ id: s.b }] },
      code: 'EndPoint.0002',
      names: 'routetables',
    },
    { name: '0 items', body: { routetables: [] }, code: 'EndPoint.0002', names: 'routetables' },
    {
      name: '11 items',
      body: { routetables: Array.from({ length: 11 }, () => randomUUID()) },
      code: 'EndPoint.0002',
      names: 'routetables',
    },
    { name: 'an empty item', body: { routetables: [s.b, ''] }, code: 'EndPoint.0002', names: 'routetables' },
    {
      name: 'a 65-char item',
      body: { routetables: ['r'.repeat(65)] },
      code: 'EndPoint.0002',
      names: 'routetables',
    },
  ];
  for (const c of cases) {
    const res = await failing(w, s, () => put(w, s.ep, c.body, c.headers));
    expectError(res, 400, c.code, undefined, c.name);
    if (c.names) assert.match(res.body.error.message, new RegExp(c.names), c.name);
    if (c.code === 'EndPoint.0002') assert.ok(res.body.error.message.startsWith('Parameter error.'), c.name);
    if (c.code === 'EndPoint.0011') assert.equal(res.body.error.message, 'The request body is null.', c.name);
  }
});

test('step 4: 10 items and 64-char items are within the limits (reach step 8, not 0002)', async () => {
  const s = await scene(w);
  const ten = [s.b, ...Array.from({ length: 9 }, (_, i) => `${'r'.repeat(63)}${i}`)];
  const res = await failing(w, s, () => put(w, s.ep, { routetables: ten }));
  expectError(res, 400, 'EndPoint.1019');
});

test('step 4: application/json with parameters, other casing, or no Content-Type is accepted', async () => {
  const s = await scene(w);
  const variants: Headers[] = [
    { 'content-type': 'application/json;charset=UTF-8' },
    { 'content-type': 'application/json; charset=utf-8' },
    { 'content-type': 'Application/JSON' },
    { 'content-type': undefined },
  ];
  let target = s.a;
  for (const headers of variants) {
    target = target === s.b ? s.c : s.b;
    const res = await put(w, s.ep, JSON.stringify({ routetables: [target] }), headers);
    await expectReport(w, s.ep, res, s.tables, { routetables: [target] });
  }
});

test('step 4: unknown extra top-level fields are ignored', async () => {
  const s = await scene(w);
  const res = await put(w, s.ep, { routetables: [s.b], future_field: { x: 1 }, another: 'y' });
  await expectReport(w, s.ep, res, s.tables, { routetables: [s.b] });
});

test('step 4: duplicate IDs are removed, keeping the first occurrence (one binding)', async () => {
  const s = await scene(w);
  const res = await put(w, s.ep, { routetables: [s.b, s.a, s.b, s.a, s.b] });
  await expectReport(w, s.ep, res, s.tables, { routetables: [s.a, s.b] });
  assert.equal((await egwRoutes(w, s.b)).length, 1);
  const again = await put(w, s.ep, { routetables: [s.c, s.c] });
  await expectReport(w, s.ep, again, s.tables, { routetables: [s.c] });
  assert.equal((await egwRoutes(w, s.c)).length, 1);
});

// ---------------------------------------------------------------------------------------------
// Step 5: the endpoint

test('step 5: an unknown endpoint answers 404 EndPoint.2006', async () => {
  const s = await scene(w);
  const res = await failing(w, s, () => put(w, randomUUID(), { routetables: [s.b] }));
  expectError(res, 404, 'EndPoint.2006', /^The requested endpoint does not exist\./);
});

test('step 5: an endpoint of another project answers 404 EndPoint.2006 and is left alone', async () => {
  const s = await scene(w);
  const other = await otherProjectVpc(w, 'o');
  const svc = await other.call('GET', '/vpc-endpoint-services/public');
  const gw = svc.body.endpoint_services.find((x: { service_type: string }) => x.service_type === 'gateway');
  const epRes = await other.call('POST', '/vpc-endpoints', { endpoint_service_id: gw.id, vpc_id: other.vpc });
  assert.equal(epRes.status, 200, epRes.raw);
  const theirs = await other.call('GET', `/vpc-endpoints/${epRes.body.id}`);
  const res = await failing(w, s, () => put(w, epRes.body.id, { routetables: [s.b] }));
  expectError(res, 404, 'EndPoint.2006');
  const after = await other.call('GET', `/vpc-endpoints/${epRes.body.id}`);
  assert.deepEqual(after.body, theirs.body);
});

test('step 4 comes before step 5: an unknown endpoint with a bad body answers 400', async () => {
  const s = await scene(w);
  const res = await failing(w, s, () => put(w, randomUUID(), { routetables: [] }));
  expectError(res, 400, 'EndPoint.0002');
});

// ---------------------------------------------------------------------------------------------
// Step 6: the endpoint's state

test('step 6: a creating endpoint answers 400 EndPoint.2019, and works once provisioned', async () => {
  const world = await makeWorld({ provisioningDelayMs: 60_000 });
  try {
    const s = await scene(world);
    assert.equal((await getEndpoint(world, s.ep)).status, 'creating');
    const res = await failing(world, s, () => put(world, s.ep, { routetables: [s.b] }));
    expectError(res, 400, 'EndPoint.2019', /^The endpoint is being created\./);
    const stored = () =>
      world.store.read((r) =>
        r.db.selectFrom('endpoints').select('status').where('id', '=', s.ep).executeTakeFirstOrThrow(),
      );
    world.clock.advance(60_000);
    // Shown as accepted, still stored as creating until a change writes the row.
    assert.equal((await stored()).status, 'creating');
    const ok = await put(world, s.ep, { routetables: [s.b] });
    await expectReport(world, s.ep, ok, s.tables, { routetables: [s.b] });
    assert.equal((await getEndpoint(world, s.ep)).status, 'accepted');
    // The rebind stores the status it found, as it writes the update time (a status written only when
    // it changes, issue 12).
    assert.equal((await stored()).status, 'accepted');
  } finally {
    await world.close();
  }
});

test('step 6: deleting, failed, pendingAcceptance and rejected endpoints refuse, before step 8', async () => {
  const cases: { status: EndpointStatus; code: string; message: RegExp }[] = [
    { status: 'deleting', code: 'EndPoint.2018', message: /^The endpoint is being deleted\./ },
    {
      status: 'failed',
      code: 'EndPoint.2047',
      message: /^The VPC endpoint in the Failed status cannot be modified\./,
    },
    { status: 'pendingAcceptance', code: 'EndPoint.1004', message: /^Invalid request\..*pendingAcceptance/ },
    { status: 'rejected', code: 'EndPoint.1004', message: /^Invalid request\..*rejected/ },
  ];
  for (const c of cases) {
    const s = await scene(w);
    await setEndpointStatus(w.store, s.ep, c.status);
    for (const routetables of [[s.b], [s.b, randomUUID()]]) {
      const res = await failing(w, s, () => put(w, s.ep, { routetables }));
      expectError(res, 400, c.code, c.message, c.status);
    }
  }
});

// ---------------------------------------------------------------------------------------------
// Step 7: the endpoint's type

test('step 7: an endpoint of an interface service answers 400 EndPoint.1004, after step 6, before step 8', async () => {
  const vpc = await createVpc(w);
  const table = await createTable(w, vpc.id);
  const ep = await interfaceEndpoint(w, vpc.id);
  const s = { ep, tables: [vpc.defaultTable, table] };
  assert.deepEqual((await getEndpoint(w, ep)).routetables, []);
  for (const routetables of [[table], [vpc.defaultTable], [randomUUID()]]) {
    const res = await failing(w, s, () => put(w, ep, { routetables }));
    expectError(
      res,
      400,
      'EndPoint.1004',
      /route tables can only be bound to endpoints of gateway services/i,
    );
  }
  assert.deepEqual(await egwRoutes(w, table), []);
  // Step 6 comes before step 7: the state of an interface endpoint is reported first.
  await setEndpointStatus(w.store, ep, 'deleting');
  const res = await failing(w, s, () => put(w, ep, { routetables: [table] }));
  expectError(res, 400, 'EndPoint.2018');
});

// ---------------------------------------------------------------------------------------------
// Step 8: the route table IDs

test('step 8: IDs that are not route tables of the endpoint VPC answer 400 EndPoint.1019 naming them', async () => {
  const s = await scene(w);
  const otherVpc = await createVpc(w, '10.0.0.0/16', 'other');
  const foreignTable = await createTable(w, otherVpc.id);
  const bogus = randomUUID();
  const tables = [...s.tables, otherVpc.defaultTable, foreignTable];
  const cases: { name: string; routetables: string[]; offending: string[] }[] = [
    { name: 'not a route table', routetables: [bogus], offending: [bogus] },
    { name: 'a VPC id', routetables: [s.vpc], offending: [s.vpc] },
    { name: 'the endpoint id', routetables: [s.ep], offending: [s.ep] },
    { name: 'a table of another VPC', routetables: [foreignTable], offending: [foreignTable] },
    {
      name: 'the default table of another VPC',
      routetables: [otherVpc.defaultTable],
      offending: [otherVpc.defaultTable],
    },
    {
      name: 'valid and invalid mixed',
      routetables: [s.b, bogus, s.a, foreignTable],
      offending: [bogus, foreignTable],
    },
  ];
  for (const c of cases) {
    const res = await failing(w, { ep: s.ep, tables }, () => put(w, s.ep, { routetables: c.routetables }));
    expectError(res, 400, 'EndPoint.1019', /^Invalid route table ID\./, c.name);
    for (const id of c.offending) assert.ok(res.body.error.message.includes(id), `${c.name}: names ${id}`);
    for (const id of c.routetables.filter((x) => !c.offending.includes(x))) {
      assert.ok(!res.body.error.message.includes(id), `${c.name}: does not name the valid ${id}`);
    }
  }
});

test('step 8: a route table of another project answers 400 EndPoint.1019', async () => {
  const s = await scene(w);
  const other = await otherProjectVpc(w, 'o2');
  const tables = await other.call('GET', `/routetables?vpc_id=${other.vpc}`);
  const theirs = tables.body.routetables[0].id as string;
  const res = await failing(w, s, () => put(w, s.ep, { routetables: [theirs] }));
  expectError(res, 400, 'EndPoint.1019');
  assert.ok(res.body.error.message.includes(theirs));
});

// ---------------------------------------------------------------------------------------------
// Per-table failures (200 with the error report)

test('bind_failed EndPoint.2039: the table is bound to another endpoint of the same service', async () => {
  const s = await scene(w);
  const rival = await createEndpoint(w, s.svc, s.vpc, [s.b]);
  const rivalBefore = await getEndpoint(w, rival);
  const res = await put(w, s.ep, { routetables: [s.a, s.b] });
  await expectReport(w, s.ep, res, [s.a, s.c], { routetables: [s.a], bind_failed: [[s.b, 'EndPoint.2039']] });
  assert.deepEqual(await egwRoutes(w, s.b), [{ type: 'egw', destination: GW_CIDR, nexthop: rival }]);
  assert.deepEqual(await getEndpoint(w, rival), rivalBefore);
});

test('an endpoint of another gateway service may share a table (2039 is per service)', async () => {
  const s = await scene(w);
  const svc2 = await addOwnService(w.store, w.projectId, 'gw2', {
    service_type: 'gateway',
    server_type: 'VIP',
    vpc_id: '',
    port_id: '',
    cidrs: JSON.stringify(['100.64.0.0/16']),
  });
  const ep2 = await createEndpoint(w, svc2, s.vpc, [s.b]);
  const res = await put(w, ep2, { routetables: [s.a] });
  assert.equal(res.status, 200, res.raw);
  assert.deepEqual(res.body, { routetables: [s.a] });
  const egw = await egwRoutes(w, s.a);
  assert.deepEqual(
    egw.sort((x, y) => x.destination.localeCompare(y.destination)),
    [
      { type: 'egw', destination: '100.125.0.0/16', nexthop: s.ep },
      { type: 'egw', destination: '100.64.0.0/16', nexthop: ep2 },
    ].sort((x, y) => x.destination.localeCompare(y.destination)),
  );
  assert.deepEqual(await egwRoutes(w, s.b), []);
});

test('bind_failed Endpoint.1018: the table would exceed 200 routes (199 still binds)', async () => {
  const s = await scene(w);
  await fillTable(w, s.b, 199);
  await fillTable(w, s.c, 200);
  const cBefore = await routesOf(w, s.c);
  const res = await put(w, s.ep, { routetables: [s.a, s.b, s.c] });
  await expectReport(w, s.ep, res, s.tables, {
    routetables: [s.a, s.b],
    bind_failed: [[s.c, 'Endpoint.1018']],
  });
  assert.equal((await routesOf(w, s.b)).length, 200);
  assert.deepEqual(await routesOf(w, s.c), cBefore);
});

test('bind_failed EndPoint.4028: a user route already has the service CIDR as destination', async () => {
  const s = await scene(w);
  const userRoute = { type: 'ecs', destination: GW_CIDR, nexthop: 'my-ecs' };
  await addRoutes(w, s.b, [userRoute]);
  const bBefore = await routesOf(w, s.b);
  const res = await put(w, s.ep, { routetables: [s.a, s.b] });
  await expectReport(w, s.ep, res, s.tables, { routetables: [s.a], bind_failed: [[s.b, 'EndPoint.4028']] });
  assert.deepEqual(await routesOf(w, s.b), bBefore);
});

test('bind_failed EndPoint.4028 from a route backend fault; the fault is used up', async () => {
  const s = await scene(w);
  await addFault(w, 'bind', s.b, 1);
  const first = await put(w, s.ep, { routetables: [s.a, s.b] });
  await expectReport(w, s.ep, first, s.tables, { routetables: [s.a], bind_failed: [[s.b, 'EndPoint.4028']] });
  assert.deepEqual(await listFaults(w), []);
  const second = await put(w, s.ep, { routetables: [s.a, s.b] });
  await expectReport(w, s.ep, second, s.tables, { routetables: [s.a, s.b] });
});

test('unbind_failed EndPoint.4029 from a route backend fault; the table stays bound; the fault is used up', async () => {
  const s = await scene(w);
  await addFault(w, 'unbind', '*', 1);
  const first = await put(w, s.ep, { routetables: [s.b] });
  await expectReport(w, s.ep, first, s.tables, {
    routetables: [s.a, s.b],
    unbind_failed: [[s.a, 'EndPoint.4029']],
  });
  const second = await put(w, s.ep, { routetables: [s.b] });
  await expectReport(w, s.ep, second, s.tables, { routetables: [s.b] });
});

test('unbind_failed EndPoint.2040: when every bind fails the current tables stay bound', async () => {
  const cases: { name: string; arrange: (s: Scene) => Promise<void>; bindCode: string }[] = [
    {
      name: 'bind fault',
      arrange: async () => {
        await addFault(w, 'bind', '*', 2);
      },
      bindCode: 'EndPoint.4028',
    },
    {
      name: 'tables taken',
      arrange: async (s) => {
        await createEndpoint(w, s.svc, s.vpc, [s.b, s.c]);
      },
      bindCode: 'EndPoint.2039',
    },
  ];
  for (const c of cases) {
    const s = await scene(w);
    const res0 = await put(w, s.ep, { routetables: [s.a, s.defaultTable] });
    await expectReport(w, s.ep, res0, s.tables, { routetables: [s.a, s.defaultTable] });
    await c.arrange(s);
    const before = await getEndpoint(w, s.ep);
    w.clock.advance(5_000);
    const res = await put(w, s.ep, { routetables: [s.b, s.c] });
    await expectReport(w, s.ep, res, s.tables, {
      routetables: [s.a, s.defaultTable],
      bind_failed: [
        [s.b, c.bindCode],
        [s.c, c.bindCode],
      ],
      unbind_failed: [
        [s.a, 'EndPoint.2040'],
        [s.defaultTable, 'EndPoint.2040'],
      ],
    });
    assert.equal((await getEndpoint(w, s.ep)).updated_at, before.updated_at, `${c.name}: updated_at`);
  }
});

test('mixed: one table binds, another fails, the rest are unaffected', async () => {
  const s = await scene(w);
  const d = await createTable(w, s.vpc);
  const e = await createTable(w, s.vpc);
  let res = await put(w, s.ep, { routetables: [s.a, d] });
  await expectReport(w, s.ep, res, [s.a, d], { routetables: [s.a, d] });
  const userRoute = { type: 'ecs', destination: '172.20.0.0/16', nexthop: 'ecs-1' };
  await addRoutes(w, e, [userRoute]);
  await addFault(w, 'bind', s.c, 1);
  const untouched = { default: await routesOf(w, s.defaultTable), e: await routesOf(w, e) };
  w.clock.advance(3_000);
  // Keep a, bind b (works) and c (fails), unbind d.
  res = await put(w, s.ep, { routetables: [s.a, s.b, s.c] });
  await expectReport(w, s.ep, res, [...s.tables, d, e], {
    routetables: [s.a, s.b],
    bind_failed: [[s.c, 'EndPoint.4028']],
  });
  assert.deepEqual({ default: await routesOf(w, s.defaultTable), e: await routesOf(w, e) }, untouched);
  assert.equal((await getEndpoint(w, s.ep)).updated_at, endpointTime(w.clock.now()));
});

// ---------------------------------------------------------------------------------------------
// Response shape and updated_at

test('no error key when nothing failed', async () => {
  const s = await scene(w);
  const res = await rebind(w, s.ep, [s.b, s.c]);
  expectPublished(res, 'UpdateEndpointRoutetable');
  assert.ok(!('error' in res.body), res.raw);
  assert.deepEqual(res.body, { routetables: sorted([s.b, s.c]) });
});

test('desired == current: 200, the same set, no error, nothing changed (updated_at untouched)', async () => {
  const s = await scene(w);
  const res0 = await put(w, s.ep, { routetables: [s.a, s.b] });
  await expectReport(w, s.ep, res0, s.tables, { routetables: [s.a, s.b] });
  w.clock.advance(7_000);
  const before = await snapshot(w, s.ep, s.tables);
  w.clock.advance(7_000);
  for (const routetables of [
    [s.b, s.a],
    [s.a, s.b, s.a],
  ]) {
    const res = await put(w, s.ep, { routetables });
    assert.equal(res.status, 200, res.raw);
    assert.deepEqual(res.body, { routetables: sorted([s.a, s.b]) });
    const { audit, ...after } = await snapshot(w, s.ep, s.tables);
    const { audit: auditBefore, ...unchanged } = before;
    assert.deepEqual(after, unchanged);
    // The call is in the audit trail all the same, saying it changed nothing.
    assert.equal(audit, auditBefore + 1);
    before.audit = audit;
    const last = (await auditLog(w.store, w.projectId)).at(-1)!;
    assert.deepEqual(JSON.parse(last.detail), {
      requested: routetables.filter((t, i) => routetables.indexOf(t) === i),
      before: sorted([s.a, s.b]),
      after: sorted([s.a, s.b]),
      bound: [],
      unbound: [],
      bind_failed: [],
      unbind_failed: [],
    });
  }
});

test('a change sets updated_at to the time of the call', async () => {
  const s = await scene(w);
  const created = (await getEndpoint(w, s.ep)).updated_at;
  w.clock.advance(11_000);
  const res = await put(w, s.ep, { routetables: [s.b] });
  assert.equal(res.status, 200, res.raw);
  const now = endpointTime(w.clock.now());
  const view = await getEndpoint(w, s.ep);
  assert.notEqual(now, created);
  assert.equal(view.updated_at, now);
  assert.equal(view.created_at, created);
  w.clock.advance(13_000);
  const res2 = await put(w, s.ep, { routetables: [s.b, s.c] });
  assert.equal(res2.status, 200, res2.raw);
  assert.equal((await getEndpoint(w, s.ep)).updated_at, endpointTime(w.clock.now()));
});

// ---------------------------------------------------------------------------------------------
// egw routes

test('binding programs exactly one egw route per table; unbinding removes it and nothing else', async () => {
  const s = await scene(w);
  const userRoute = { type: 'ecs', destination: '172.31.0.0/16', nexthop: 'ecs-9' };
  await addRoutes(w, s.b, [userRoute]);
  const res = await put(w, s.ep, { routetables: [s.a, s.b, s.defaultTable] });
  assert.equal(res.status, 200, res.raw);
  for (const t of [s.a, s.b, s.defaultTable]) {
    assert.deepEqual(await egwRoutes(w, t), [{ type: 'egw', destination: GW_CIDR, nexthop: s.ep }]);
  }
  const res2 = await put(w, s.ep, { routetables: [s.a] });
  assert.equal(res2.status, 200, res2.raw);
  assert.deepEqual(await egwRoutes(w, s.b), []);
  assert.deepEqual(await egwRoutes(w, s.defaultTable), []);
  assert.deepEqual(await egwRoutes(w, s.a), [{ type: 'egw', destination: GW_CIDR, nexthop: s.ep }]);
  const bRoutes = (await routesOf(w, s.b)).map(({ type, destination, nexthop }) => ({
    type,
    destination,
    nexthop,
  }));
  assert.deepEqual(bRoutes, [userRoute]);
  const dRoutes = await routesOf(w, s.defaultTable);
  assert.deepEqual(
    dRoutes.map((r) => r.type),
    ['local'],
  );
});

test('users cannot add, modify or delete egw or local routes through PUT /routetables/{id} (VPC.2801)', async () => {
  const s = await scene(w);
  const vpcCidr = '10.0.0.0/16';
  // [name, table, routes change, the destination the message must name]
  const cases: [string, string, unknown, string][] = [
    [
      'add egw',
      s.b,
      { add: [{ type: 'egw', destination: '100.64.0.0/16', nexthop: s.ep }] },
      '100.64.0.0/16',
    ],
    [
      'add local',
      s.b,
      { add: [{ type: 'local', destination: '172.17.0.0/16', nexthop: '-' }] },
      '172.17.0.0/16',
    ],
    ['add over the egw route', s.a, { add: [{ type: 'ecs', destination: GW_CIDR, nexthop: 'e' }] }, GW_CIDR],
    ['mod egw', s.a, { mod: [{ type: 'ecs', destination: GW_CIDR, nexthop: 'ecs-1' }] }, GW_CIDR],
    ['mod egw as egw', s.a, { mod: [{ type: 'egw', destination: GW_CIDR, nexthop: 'x' }] }, GW_CIDR],
    ['del egw', s.a, { del: [{ destination: GW_CIDR }] }, GW_CIDR],
    ['mod local', s.defaultTable, { mod: [{ type: 'ecs', destination: vpcCidr, nexthop: 'e' }] }, vpcCidr],
    ['del local', s.defaultTable, { del: [{ destination: vpcCidr }] }, vpcCidr],
  ];
  for (const [name, table, routes, named] of cases) {
    const res = await failing(w, s, () => w.api('PUT', `/routetables/${table}`, { routetable: { routes } }));
    assert.equal(res.status, 400, `${name}: ${res.raw}`);
    assert.equal(res.body.error.code, 'VPC.2801', `${name}: ${res.raw}`);
    assert.equal(res.body.code, 'VPC.2801', name);
    assert.ok(res.body.message.includes(named), `${name}: names ${named}: ${res.body.message}`);
  }
  assert.deepEqual(await egwRoutes(w, s.a), [{ type: 'egw', destination: GW_CIDR, nexthop: s.ep }]);
});

test('a fault with times: 1 fires for exactly one of many concurrent rebinds', async () => {
  const vpc = await createVpc(w, '10.9.0.0/16', 'fault-race');
  const svc = await gatewayService(w);
  const eps: string[] = [];
  const targets: string[] = [];
  for (let i = 0; i < 8; i++) {
    eps.push(await createEndpoint(w, svc, vpc.id, [await createTable(w, vpc.id)]));
    targets.push(await createTable(w, vpc.id));
  }
  await addFault(w, 'bind', '*', 1);
  const answers = await Promise.all(eps.map((ep, i) => rebind(w, ep, [targets[i]])));
  for (const a of answers) assert.equal(a.status, 200, a.raw);
  const failed = answers.filter((a) => a.body.error !== undefined);
  assert.equal(failed.length, 1, 'exactly one call met the fault');
  assert.match(failed[0]!.body.error[0].bind_failed[0].error_message, /^EndPoint\.4028: /);
  assert.deepEqual(await listFaults(w), [], 'the fault is used up');
});
