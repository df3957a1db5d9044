import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createEndpoint, createTable, createVpc, gatewayService } from '../helpers/fixtures.ts';
import { storeDigest } from '../helpers/digest.ts';
import { auditLog } from '../helpers/audit.ts';
import { passwordLogin } from '../helpers/auth.ts';
import { sign } from '../helpers/sign.ts';
import { makeWorld, type Reply, type World } from '../helpers/world.ts';
import { parseJson } from '../helpers/json.ts';
import { auditDetail, MAX_AUDIT_DETAIL } from '../../src/service/context.ts';

/**
 * Hostile input (issue 8): whatever a client sends, the answer is a 4xx in the API's envelope, the
 * same on SQLite and PostgreSQL, and nothing reaches the store that the store could not hold.
 */

const AK = 'HOSTILEAK00000000000';
const SK = 'hostile-input-secret-key-000000000000000';

let w: World;
let P: string;
let vpc: { id: string; defaultTable: string };
let table: string;
let endpoint: string;

before(async () => {
  w = await makeWorld({ adminAk: AK, adminSk: SK });
  P = w.projectId;
  vpc = await createVpc(w);
  table = await createTable(w, vpc.id);
  endpoint = await createEndpoint(w, await gatewayService(w), vpc.id, [table]);
});
after(() => w.close());

type Api = 'iam' | 'vpc' | 'endpoint';

/** 400 with the generic "bad parameter" code of the route's API, in that API's envelope. */
function assertBadRequest(res: Reply, api: Api, why: string) {
  assert.equal(res.status, 400, `${why}: ${res.raw}`);
  assert.match(String(res.headers['x-request-id']), /^[0-9a-f]{32}$/, why);
  if (api === 'iam') {
    assert.deepEqual(Object.keys(res.body.error).sort(), ['code', 'message', 'title'], why);
    assert.equal(res.body.error.code, 400, why);
  } else {
    const code = api === 'vpc' ? 'VPC.0101' : 'EndPoint.0002';
    assert.equal(res.body.error.code, code, `${why}: ${res.raw}`);
  }
}

const login = (user: string, password = 'x', domain = 'vpcep') => passwordLogin({ user, password, domain });

/** Every route with a JSON body, with a body builder that puts `s` in one of its string fields. */
const jsonRoutes = (): [Api, string, string, (s: string) => unknown][] => [
  ['iam', 'POST', '/v3/auth/tokens', (s) => login(s)],
  ['iam', 'POST', '/v3/auth/tokens', (s) => login('admin', s)],
  ['iam', 'POST', '/v3/auth/tokens', (s) => login('admin', 'x', s)],
  ['iam', 'POST', '/v3.0/OS-CREDENTIAL/credentials', (s) => ({ credential: { user_id: s } })],
  ['iam', 'PUT', `/v3.0/OS-CREDENTIAL/credentials/${AK}`, (s) => ({ credential: { description: s } })],
  ['vpc', 'POST', `/v1/${P}/vpcs`, (s) => ({ vpc: { name: 'n', description: s } })],
  [
    'vpc',
    'POST',
    `/v1/${P}/subnets`,
    (s) => ({
      subnet: { name: s, cidr: '10.0.9.0/24', gateway_ip: '10.0.9.1', vpc_id: vpc.id },
    }),
  ],
  ['vpc', 'POST', `/v1/${P}/routetables`, (s) => ({ routetable: { vpc_id: vpc.id, description: s } })],
  ['vpc', 'PUT', `/v1/${P}/routetables/${table}`, (s) => ({ routetable: { description: s } })],
  [
    'vpc',
    'PUT',
    `/v1/${P}/routetables/${table}`,
    (s) => ({
      routetable: { routes: { add: [{ type: 'ecs', destination: '8.8.8.0/24', nexthop: s }] } },
    }),
  ],
  [
    'vpc',
    'POST',
    `/v1/${P}/routetables/${table}/action`,
    (s) => ({
      routetable: { subnets: { associate: [s] } },
    }),
  ],
  [
    'endpoint',
    'POST',
    `/v1/${P}/vpc-endpoints`,
    (s) => ({
      endpoint_service_id: 'x',
      vpc_id: vpc.id,
      description: s,
    }),
  ],
  [
    'endpoint',
    'POST',
    `/v1/${P}/vpc-endpoints`,
    (s) => ({
      endpoint_service_id: 'x',
      vpc_id: vpc.id,
      tags: [{ key: 'k', value: s }],
    }),
  ],
  ['endpoint', 'PUT', `/v1/${P}/vpc-endpoints/${endpoint}/routetables`, (s) => ({ routetables: [s] })],
  ['endpoint', 'POST', `/vpcep/v1/${P}/faults`, (s) => ({ fault: { operation: 'bind', routetable_id: s } })],
];

const BAD_TEXT: [string, string][] = [
  ['NUL', 'a\u0000b'],
  ['a lone NUL', '\u0000'],
  ['ESC', '\u001b[2J'],
  ['a vertical tab', 'a\u000bb'],
  ['DEL', 'a\u007f'],
  ['an unpaired high surrogate', 'a\ud800'],
  ['an unpaired low surrogate', '\udc00b'],
];

describe('text the stores cannot hold alike is refused with 400 before it reaches them', () => {
  test('the login reproducer: user name "a\\u0000b" → 400 IAM.0400 on either store (was 500 on PostgreSQL)', async () => {
    const res = await w.call('POST', '/v3/auth/tokens', login('a\u0000b'), { 'x-auth-token': undefined });
    assertBadRequest(res, 'iam', 'NUL in the user name');
    assert.match(res.body.error.message, /auth\.identity\.password\.user\.name holds a NUL character/);
  });

  test('NUL, control characters and unpaired surrogates in any string of any JSON body', async () => {
    const before = await storeDigest(w.store);
    for (const [api, method, url, body] of jsonRoutes()) {
      for (const [what, text] of BAD_TEXT) {
        const res = await w.call(method, url, body(text));
        assertBadRequest(res, api, `${what} in ${method} ${url}`);
      }
    }
    assert.equal(await storeDigest(w.store), before, 'nothing was stored');
  });

  test('the same in a field name, known or not', async () => {
    for (const [api, method, url, body] of jsonRoutes()) {
      const text = JSON.stringify(body('ok')).replace(/^\{/, '{"x\\u0000y":1,');
      assertBadRequest(await w.call(method, url, text), api, `NUL key in ${method} ${url}`);
    }
  });

  test('%00 and control characters in the path or the query → 400 on every API, before authentication', async () => {
    const cases: [Api, string][] = [
      ['vpc', `/v1/${P}/vpcs/a%00b`],
      ['vpc', `/v1/${P}/routetables/%00`],
      ['vpc', `/v1/${P}/routetables?vpc_id=a%00`],
      ['vpc', `/v1/${P}/subnets?vpc_id=%1b`],
      ['vpc', `/v1/a%00b/vpcs`],
      ['endpoint', `/v1/${P}/vpc-endpoints/%00`],
      ['endpoint', `/v1/${P}/vpc-endpoints?vpc_id=%00`],
      ['endpoint', `/v1/${P}/vpc-endpoints?x%00=1`],
      ['endpoint', `/v1/${P}/vpc-endpoint-services/public?endpoint_service_name=%7F`],
      ['iam', `/v3.0/OS-CREDENTIAL/credentials/%00`],
      ['iam', `/v3/projects?name=a%00`],
    ];
    for (const [api, url] of cases) {
      for (const headers of [{}, { 'x-auth-token': undefined }]) {
        assertBadRequest(await w.call('GET', url, undefined, headers), api, url);
      }
    }
  });

  test('header values that reach the store: a NUL in the AK or in X-Project-Id → 401 / 403, never 500', async () => {
    const url = `/v1/${P}/routetables`;
    const s = sign({ ak: AK, sk: SK, method: 'GET', url, host: 'vpcep.test', date: w.clock.now() });
    const send = async (headers: Record<string, string>) => {
      const res = await w.app.inject({ method: 'GET', url, headers });
      return { status: res.statusCode, body: parseJson(res.body) as { error_code?: string } };
    };
    assert.equal((await send(s.headers)).status, 200, 'control: the signed request is accepted');
    const badAk = await send({
      ...s.headers,
      Authorization: s.headers.Authorization!.replace(AK, 'A\u0000K'),
    });
    assert.equal(badAk.status, 401);
    assert.equal(badAk.body.error_code, 'APIGW.0301');
    const badProject = await send({ ...s.headers, 'X-Project-Id': 'p\u0000' });
    // X-Project-Id is not signed here, so the signature holds and the project decides: 403.
    assert.equal(badProject.status, 403);
    assert.equal(badProject.body.error_code, 'APIGW.0302');
  });
});

describe('deep nesting is bounded where JSON is parsed', () => {
  // Written as text: the test's own JSON.stringify would overflow the stack on it first.
  const DEEP = `${'{"a":'.repeat(4150)}"x"${'}'.repeat(4150)}`;
  test('~4,150 levels under fault, routetable, routetable.subnets or policy_statement → 400, nothing stored', async () => {
    const junk = 'DEEP';
    const before = await storeDigest(w.store);
    const cases: [Api, string, string, unknown][] = [
      [
        'endpoint',
        'POST',
        `/vpcep/v1/${P}/faults`,
        { fault: { operation: 'bind', routetable_id: '*', junk } },
      ],
      ['vpc', 'PUT', `/v1/${P}/routetables/${table}`, { routetable: { name: 'n', junk } }],
      [
        'vpc',
        'POST',
        `/v1/${P}/routetables/${table}/action`,
        { routetable: { subnets: { associate: [], junk } } },
      ],
      [
        'endpoint',
        'POST',
        `/v1/${P}/vpc-endpoints`,
        {
          endpoint_service_id: 'x',
          vpc_id: vpc.id,
          policy_statement: [{ Effect: 'Allow', Action: ['*'], Resource: ['*'], Condition: junk }],
        },
      ],
      ['iam', 'POST', '/v3/auth/tokens', { ...login('admin'), junk }],
    ];
    for (const [api, method, url, body] of cases) {
      const res = await w.call(method, url, JSON.stringify(body).replace('"DEEP"', DEEP));
      assertBadRequest(res, api, `${method} ${url}`);
      assert.match(res.raw, /nests deeper than 32 levels/, res.raw);
    }
    assert.equal(await storeDigest(w.store), before, 'nothing was stored');
  });
});

/** The audit rows of this world, oldest first. */
const auditRows = () => auditLog(w.store, P);

describe('unknown fields are dropped before anything is stored', () => {
  test('route-table updates with a 900 KB junk field: answered 200, the audit rows stay small', async () => {
    const t = await createTable(w, vpc.id);
    const junk = 'j'.repeat(900 * 1024);
    const before = await auditRows();
    for (let i = 0; i < 20; i++) {
      const res = await w.api('PUT', `/routetables/${t}`, { routetable: { name: `n${i}`, junk } });
      assert.equal(res.status, 200, res.raw.slice(0, 200));
      assert.equal('junk' in res.body.routetable, false);
    }
    const added = (await auditRows()).slice(before.length);
    assert.equal(added.length, 20);
    for (const row of added) {
      assert.deepEqual(JSON.parse(row.detail), { name: row.detail.match(/n\d+/)![0] });
    }
    const bytes = added.reduce((n, row) => n + JSON.stringify(row).length, 0);
    assert.ok(bytes < 20 * 1024, `20 audit rows hold ${bytes} bytes`);
  });

  test('extra fields in faults, tags, policy statements and subnet changes never reach a row', async () => {
    const fault = await w.call('POST', `/vpcep/v1/${P}/faults`, {
      fault: { operation: 'unbind', routetable_id: 'none', times: 1, extra: { a: 1 } },
      extra: 2,
    });
    assert.equal(fault.status, 201, fault.raw);
    const faultRow = (await auditRows()).at(-1);
    assert.deepEqual(JSON.parse(faultRow!.detail), {
      operation: 'unbind',
      routetable_id: 'none',
      remaining: 1,
    });
    assert.equal((await w.call('DELETE', `/vpcep/v1/${P}/faults/${fault.body.fault.id}`)).status, 204);

    const other = await createVpc(w, '10.9.0.0/16');
    const created = await w.api('POST', '/vpc-endpoints', {
      endpoint_service_id: await gatewayService(w),
      vpc_id: other.id,
      tags: [{ key: 'k', value: 'v', extra: 'x' }],
      policy_statement: [
        {
          Effect: 'Allow',
          Action: ['obs:object:GetObject'],
          Resource: ['obs:*:*:object:bucket/*'],
          Condition: { StringEquals: { 'obs:prefix': ['a', 'b'] } },
          Extra: { deep: [1, 2, 3] },
        },
      ],
      ip_version: 'ipv4',
    });
    assert.equal(created.status, 200, created.raw);
    const stored = await w.store.read((r) => r.endpoints.byId(P, created.body.id, w.clock.now()));
    assert.deepEqual(JSON.parse(stored!.tags), [{ key: 'k', value: 'v' }]);
    assert.deepEqual(JSON.parse(stored!.policy_statement), [
      {
        Effect: 'Allow',
        Action: ['obs:object:GetObject'],
        Resource: ['obs:*:*:object:bucket/*'],
        Condition: { StringEquals: { 'obs:prefix': ['a', 'b'] } },
      },
    ]);
    assert.equal(JSON.stringify(stored).includes('ip_version'), false);
  });

  test('a policy statement that breaks the published shape → 400 EndPoint.0002', async () => {
    const base = { endpoint_service_id: 'x', vpc_id: vpc.id };
    for (const policy_statement of [
      [{}],
      [{ Effect: 'Maybe', Action: [], Resource: [] }],
      [{ Effect: 'Allow', Action: 'x', Resource: [] }],
      [{ Effect: 'Allow', Action: [], Resource: [], Condition: { op: { key: { deeper: 1 } } } }],
      Array(11).fill({ Effect: 'Allow', Action: [], Resource: [] }),
    ]) {
      const res = await w.api('POST', '/vpc-endpoints', { ...base, policy_statement });
      assertBadRequest(res, 'endpoint', JSON.stringify(policy_statement).slice(0, 80));
    }
  });
});

describe('audit rows are bounded', () => {
  test('an update naming 150 routes records a note past the cap, not the whole list', async () => {
    const t = await createTable(w, vpc.id);
    const add = Array.from({ length: 150 }, (_, i) => ({
      type: 'ecs',
      destination: `172.16.${i}.0/24`,
      nexthop: `${'n'.repeat(60)}${String(i).padStart(4, '0')}`,
    }));
    const res = await w.api('PUT', `/routetables/${t}`, { routetable: { routes: { add } } });
    assert.equal(res.status, 200, res.raw.slice(0, 300));
    const row = (await auditRows()).at(-1);
    assert.equal(row!.resource_id, t);
    assert.ok(row!.detail.length <= MAX_AUDIT_DETAIL, `${row!.detail.length} characters`);
    assert.deepEqual(JSON.parse(row!.detail), {
      truncated: true,
      length: JSON.parse(row!.detail).length,
      fields: ['routes'],
    });
  });

  test('auditDetail keeps what fits as it is', () => {
    assert.equal(auditDetail({ a: 1 }), '{"a":1}');
    const big = { list: 'x'.repeat(MAX_AUDIT_DETAIL) };
    assert.deepEqual(JSON.parse(auditDetail(big)), {
      truncated: true,
      length: JSON.stringify(big).length,
      fields: ['list'],
    });
  });
});
