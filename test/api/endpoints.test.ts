import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  addFault,
  createEndpoint,
  createTable,
  createVpc,
  gatewayService,
  gatewayServiceIds,
  listFaults,
  rebind,
  routesOf,
} from '../helpers/fixtures.ts';
import { makeWorld, type World } from '../helpers/world.ts';
import { expectEpError } from '../helpers/expect.ts';
import { expectPublished } from '../helpers/published.ts';

const OBS = 'com.myhuaweicloud.v4.obsv2';
const OBS_CIDRS = ['100.125.0.0/16'];
const DNS = 'com.example.dns_1';
const DNS_CIDRS = ['100.64.10.0/24', '100.64.11.0/24'];
/** Two gateway services, so name filters and per-service rules have something to tell apart. */
const GATEWAY_SERVICES = [
  { name: OBS, cidrs: OBS_CIDRS },
  { name: DNS, cidrs: DNS_CIDRS },
];

let w: World;
before(async () => {
  w = await makeWorld({ gatewayServices: GATEWAY_SERVICES });
});
after(() => w.close());

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const EP_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const NO_SUCH = '00000000-0000-4000-8000-000000000000';

/** Endpoint time to epoch ms, to compare with the manual clock. */
const at = (s: string) => Date.parse(s);
/** The manual clock at whole seconds, as endpoint times carry it. */
const nowSeconds = () => Math.floor(w.clock.now().getTime() / 1000) * 1000;

const egwOf = async (tableId: string) =>
  (await routesOf(w, tableId)).filter((r) => r.type === 'egw').map((r) => [r.destination, r.nexthop]);

async function listEndpoints(query: string) {
  const res = await w.api('GET', `/vpc-endpoints${query}`);
  expectPublished(res, 'ListEndpoints');
  return res.body as { endpoints: { id: string; [k: string]: unknown }[]; total_count: number };
}

describe('gateway endpoint services', () => {
  test('GET /vpc-endpoint-services/public lists the configured gateway services', async () => {
    const res = await w.api('GET', '/vpc-endpoint-services/public');
    expectPublished(res, 'ListServicePublicDetails');
    assert.equal(res.body.total_count, 2);
    const names = res.body.endpoint_services.map((s: { service_name: string }) => s.service_name).sort();
    assert.deepEqual(names, [`cn-north-4.${DNS}`, `cn-north-4.${OBS}`]);
    for (const s of res.body.endpoint_services) {
      assert.deepEqual(Object.keys(s).sort(), [
        'created_at',
        'enable_policy',
        'id',
        'is_charge',
        'owner',
        'service_name',
        'service_type',
      ]);
      assert.match(s.id, UUID);
      assert.equal(typeof s.owner, 'string');
      assert.equal(s.service_type, 'gateway');
      assert.match(s.created_at, EP_TIME);
      assert.equal(typeof s.is_charge, 'boolean');
      assert.equal(typeof s.enable_policy, 'boolean');
    }
  });

  test('the default configuration offers the region object-storage service', async () => {
    const plain = await makeWorld();
    try {
      const res = await plain.api('GET', '/vpc-endpoint-services/public');
      assert.equal(res.status, 200, res.raw);
      assert.equal(res.body.total_count, 1);
      assert.equal(res.body.endpoint_services[0].service_name, 'cn-north-4.com.myhuaweicloud.v4.obsv2');
      assert.equal(res.body.endpoint_services[0].service_type, 'gateway');
    } finally {
      await plain.close();
    }
  });

  test('public list: name filter, limit and offset', async () => {
    const byName = await w.api('GET', '/vpc-endpoint-services/public?endpoint_service_name=obsv2');
    expectPublished(byName, 'ListServicePublicDetails');
    assert.deepEqual(
      byName.body.endpoint_services.map((s: { service_name: string }) => s.service_name),
      [`cn-north-4.${OBS}`],
    );
    assert.equal(byName.body.total_count, 1);
    const page = await w.api('GET', '/vpc-endpoint-services/public?limit=1&offset=1');
    assert.equal(page.body.endpoint_services.length, 1);
    assert.equal(page.body.total_count, 2);
    expectEpError(await w.api('GET', '/vpc-endpoint-services/public?limit=0'), 400, 'EndPoint.0006');
    expectEpError(await w.api('GET', '/vpc-endpoint-services/public?offset=-1'), 400, 'EndPoint.0010');
  });

  test('describe by name and by id; unknown → 400 EndPoint.2003', async () => {
    const [id] = await gatewayServiceIds(w, [OBS]);
    const byName = await w.api(
      'GET',
      `/vpc-endpoint-services/describe?endpoint_service_name=cn-north-4.${OBS}`,
    );
    expectPublished(byName, 'ListServiceDescribeDetails');
    // The published summary's fields, and no others.
    assert.deepEqual(Object.keys(byName.body).sort(), [
      'created_at',
      'enable_policy',
      'id',
      'is_charge',
      'service_name',
      'service_type',
    ]);
    assert.equal(byName.body.id, id);
    assert.equal(byName.body.service_name, `cn-north-4.${OBS}`);
    assert.equal(byName.body.service_type, 'gateway');
    assert.match(byName.body.created_at, EP_TIME);
    const byId = await w.api('GET', `/vpc-endpoint-services/describe?id=${id}`);
    expectPublished(byId, 'ListServiceDescribeDetails');
    assert.deepEqual(byId.body, byName.body);

    const unknown = [
      `endpoint_service_name=cn-north-4.com.example.nothing`,
      // Describe matches the exact name, not a fragment.
      `endpoint_service_name=obsv2`,
      `id=${NO_SUCH}`,
    ];
    for (const q of unknown) {
      expectEpError(await w.api('GET', `/vpc-endpoint-services/describe?${q}`), 400, 'EndPoint.2003');
    }
    expectEpError(await w.api('GET', '/vpc-endpoint-services/describe'), 400, 'EndPoint.0002');
  });
});

describe('endpoint create', () => {
  let obs: string;
  let dns: string;
  before(async () => {
    [obs, dns] = (await gatewayServiceIds(w, [OBS, DNS])) as [string, string];
  });

  test('answers 200 `creating` with the whole endpoint object; GET then shows `accepted`', async () => {
    const vpc = await createVpc(w, '10.1.0.0/16');
    const res = await w.api('POST', '/vpc-endpoints', {
      endpoint_service_id: obs,
      vpc_id: vpc.id,
      description: 'my endpoint',
      tags: [{ key: 'k', value: 'v' }],
    });
    expectPublished(res, 'CreateEndpoint');
    const e = res.body;
    assert.equal(e.status, 'creating');

    // Every field of api-surface.md §3 for a gateway endpoint, with its type.
    const expected: Record<string, string> = {
      id: 'string',
      service_type: 'string',
      status: 'string',
      active_status: 'array',
      enable_status: 'string',
      specification_name: 'string',
      endpoint_service_id: 'string',
      endpoint_service_name: 'string',
      marker_id: 'integer',
      vpc_id: 'string',
      enable_dns: 'boolean',
      routetables: 'array',
      whitelist: 'array',
      enable_whitelist: 'boolean',
      description: 'string',
      policy_statement: 'array',
      project_id: 'string',
      tags: 'array',
      created_at: 'string',
      updated_at: 'string',
    };
    const typeOf = (v: unknown) =>
      Array.isArray(v) ? 'array' : Number.isInteger(v) ? 'integer' : v === null ? 'null' : typeof v;
    for (const [field, type] of Object.entries(expected)) {
      assert.equal(typeOf(e[field]), type, `${field}: ${JSON.stringify(e[field])}`);
    }
    // Interface-only fields and `error` (failed only) are absent.
    for (const field of ['subnet_id', 'ip', 'dns_names', 'error']) assert.equal(field in e, false, field);

    assert.match(e.id, UUID);
    assert.equal(e.service_type, 'gateway');
    assert.deepEqual(e.active_status, ['active']);
    assert.equal(e.enable_status, 'enable');
    assert.equal(e.specification_name, 'default');
    assert.equal(e.endpoint_service_id, obs);
    assert.equal(e.endpoint_service_name, `cn-north-4.${OBS}`);
    assert.ok(e.marker_id > 0);
    assert.equal(e.vpc_id, vpc.id);
    assert.equal(e.enable_dns, false);
    assert.deepEqual(e.routetables, [vpc.defaultTable]);
    assert.deepEqual(e.whitelist, []);
    assert.equal(e.enable_whitelist, false);
    assert.equal(e.description, 'my endpoint');
    assert.deepEqual(e.policy_statement, []);
    assert.equal(e.project_id, w.projectId);
    assert.deepEqual(e.tags, [{ key: 'k', value: 'v' }]);
    assert.match(e.created_at, EP_TIME);
    assert.match(e.updated_at, EP_TIME);
    assert.equal(at(e.created_at), nowSeconds());

    const got = await w.api('GET', `/vpc-endpoints/${e.id}`);
    expectPublished(got, 'ListEndpointInfoDetails');
    assert.equal(got.body.status, 'accepted');
    assert.deepEqual({ ...got.body, status: 'creating' }, e);
  });

  test('a policy statement comes back as sent, in create, show and list answers as published', async () => {
    const vpc = await createVpc(w, '10.9.0.0/16');
    const policy_statement = [
      { Effect: 'Allow', Action: ['obs:object:GetObject'], Resource: ['obs:*:*:object:bucket/*'] },
      {
        Effect: 'Deny',
        Action: ['obs:*'],
        Resource: ['*'],
        Condition: { StringEquals: { 'obs:prefix': ['private/'] } },
        Sid: 'no-private',
      },
    ];
    const res = await w.api('POST', '/vpc-endpoints', {
      endpoint_service_id: obs,
      vpc_id: vpc.id,
      policy_statement,
    });
    expectPublished(res, 'CreateEndpoint');
    assert.deepEqual(res.body.policy_statement, policy_statement);
    const got = await w.api('GET', `/vpc-endpoints/${res.body.id}`);
    expectPublished(got, 'ListEndpointInfoDetails');
    assert.deepEqual(got.body.policy_statement, policy_statement);
    const listed = await listEndpoints(`?id=${res.body.id}`);
    assert.deepEqual(listed.endpoints[0]!.policy_statement, policy_statement);
  });

  test('routetables omitted → the VPC default table is bound with the service egw routes', async () => {
    const vpc = await createVpc(w, '10.2.0.0/16');
    const ep = await createEndpoint(w, dns, vpc.id);
    assert.deepEqual(
      (await egwOf(vpc.defaultTable)).sort(),
      DNS_CIDRS.map((c) => [c, ep]),
    );
    assert.deepEqual((await w.api('GET', `/vpc-endpoints/${ep}`)).body.routetables, [vpc.defaultTable]);
  });

  test('explicit routetables (with duplicates) are bound once each', async () => {
    const vpc = await createVpc(w, '10.3.0.0/16');
    const a = await createTable(w, vpc.id);
    const b = await createTable(w, vpc.id);
    const res = await w.api('POST', '/vpc-endpoints', {
      endpoint_service_id: obs,
      vpc_id: vpc.id,
      routetables: [b, a, b, a],
    });
    assert.equal(res.status, 200, res.raw);
    const ep = res.body.id;
    assert.deepEqual(res.body.routetables, [a, b].sort());
    assert.deepEqual((await w.api('GET', `/vpc-endpoints/${ep}`)).body.routetables, [a, b].sort());
    for (const t of [a, b]) assert.deepEqual(await egwOf(t), [[OBS_CIDRS[0], ep]]);
    // The default table was not asked for and is untouched.
    assert.deepEqual(await egwOf(vpc.defaultTable), []);
  });

  test('refusals: bad VPC, unknown service, foreign or unknown table; nothing is created', async () => {
    const vpc = await createVpc(w, '10.4.0.0/16');
    const other = await createVpc(w, '10.5.0.0/16');
    const cases: [string, Record<string, unknown>, number, string][] = [
      ['unknown VPC', { endpoint_service_id: obs, vpc_id: NO_SUCH }, 400, 'EndPoint.2001'],
      ['unknown service', { endpoint_service_id: NO_SUCH, vpc_id: vpc.id }, 400, 'EndPoint.2012'],
      [
        'table of another VPC',
        { endpoint_service_id: obs, vpc_id: vpc.id, routetables: [other.defaultTable] },
        400,
        'EndPoint.1019',
      ],
      [
        'unknown table',
        { endpoint_service_id: obs, vpc_id: vpc.id, routetables: [NO_SUCH] },
        400,
        'EndPoint.1019',
      ],
      ['no routetables', { endpoint_service_id: obs, vpc_id: vpc.id, routetables: [] }, 400, 'EndPoint.0002'],
      [
        'eleven routetables',
        { endpoint_service_id: obs, vpc_id: vpc.id, routetables: Array(11).fill(vpc.defaultTable) },
        400,
        'EndPoint.0002',
      ],
      ['missing vpc_id', { endpoint_service_id: obs }, 400, 'EndPoint.0002'],
      ['missing service', { vpc_id: vpc.id }, 400, 'EndPoint.0002'],
      [
        'description with <',
        { endpoint_service_id: obs, vpc_id: vpc.id, description: '<b>' },
        400,
        'EndPoint.0002',
      ],
    ];
    const before = (await listEndpoints('?limit=1000')).total_count;
    for (const [why, body, status, code] of cases) {
      const res = await w.api('POST', '/vpc-endpoints', body);
      assert.equal(res.status, status, `${why}: ${res.raw}`);
      expectEpError(res, status, code);
    }
    assert.equal((await listEndpoints('?limit=1000')).total_count, before);
    assert.deepEqual(await egwOf(vpc.defaultTable), []);
    assert.deepEqual(await egwOf(other.defaultTable), []);
  });

  test('wrong types in the body → 400 EndPoint.0002, never coerced', async () => {
    const vpc = await createVpc(w, '10.6.0.0/16');
    const base = { endpoint_service_id: obs, vpc_id: vpc.id };
    const cases: [string, Record<string, unknown>][] = [
      ['enable_dns as a string', { enable_dns: 'true' }],
      ['enable_dns as a number', { enable_dns: 1 }],
      ['routetables as a string', { routetables: 'x' }],
      ['routetables holding a number', { routetables: [1] }],
      ['vpc_id as a number', { vpc_id: 12 }],
      ['endpoint_service_id as an object', { endpoint_service_id: { id: obs } }],
      ['enable_whitelist as a string', { enable_whitelist: 'false' }],
      ['tags as an object', { tags: { key: 'k' } }],
      ['description as a number', { description: 5 }],
    ];
    const before = (await listEndpoints('?limit=1000')).total_count;
    for (const [why, patch] of cases) {
      const res = await w.api('POST', '/vpc-endpoints', { ...base, ...patch });
      assert.equal(res.status, 400, `${why}: ${res.raw}`);
      const code = res.body.error.code;
      // The field's own code where the API gives one (vpc_id: EndPoint.0020), else the generic one.
      assert.ok(code === 'EndPoint.0002' || (why.startsWith('vpc_id') && code === 'EndPoint.0020'), res.raw);
      expectEpError(res, 400, code);
    }
    assert.equal((await listEndpoints('?limit=1000')).total_count, before);
    assert.deepEqual(await egwOf(vpc.defaultTable), []);
  });

  test('a whitelist that fails its schema → 400 EndPoint.2044 in the service envelope (was a bare 500)', async () => {
    const before = (await listEndpoints('?limit=1000')).total_count;
    for (const whitelist of [0, 'x', null, {}, [1], ['x'.repeat(65)], Array(1001).fill('1.1.1.1')]) {
      const res = await w.api('POST', '/vpc-endpoints', { endpoint_service_id: 'x', vpc_id: 'y', whitelist });
      expectEpError(res, 400, 'EndPoint.2044');
      assert.match(res.body.error.message, /^Invalid whitelist\. whitelist/, res.raw);
    }
    assert.equal((await listEndpoints('?limit=1000')).total_count, before);
  });

  test('a table already used by another endpoint of the same service → 400 EndPoint.2039, nothing created', async () => {
    const vpc = await createVpc(w, '10.7.0.0/16');
    const free = await createTable(w, vpc.id);
    const first = await createEndpoint(w, obs, vpc.id);
    const before = (await listEndpoints('?limit=1000')).total_count;

    const res = await w.api('POST', '/vpc-endpoints', {
      endpoint_service_id: obs,
      vpc_id: vpc.id,
      routetables: [free, vpc.defaultTable],
    });
    expectEpError(res, 400, 'EndPoint.2039');
    assert.equal((await listEndpoints('?limit=1000')).total_count, before);
    assert.deepEqual(await egwOf(free), []);
    assert.deepEqual(await egwOf(vpc.defaultTable), [[OBS_CIDRS[0], first]]);

    // Omitting routetables means the default table, which is taken the same way.
    expectEpError(
      await w.api('POST', '/vpc-endpoints', { endpoint_service_id: obs, vpc_id: vpc.id }),
      400,
      'EndPoint.2039',
    );

    // An endpoint of another service may share the table.
    const other = await createEndpoint(w, dns, vpc.id);
    assert.deepEqual(
      (await egwOf(vpc.defaultTable)).sort(),
      [[OBS_CIDRS[0], first], ...DNS_CIDRS.map((c) => [c, other])].sort(),
    );
  });

  test('provisioning delay: `creating` until it passes, then `accepted` with updated_at the ready time', async () => {
    const slow = await makeWorld({ provisioningDelayMs: 60_000 });
    try {
      const vpc = await createVpc(slow, '10.8.0.0/16');
      const svc = await gatewayService(slow);
      const res = await slow.api('POST', '/vpc-endpoints', { endpoint_service_id: svc, vpc_id: vpc.id });
      assert.equal(res.status, 200, res.raw);
      assert.equal(res.body.status, 'creating');
      const created = slow.clock.now().getTime();
      const show = () => slow.api('GET', `/vpc-endpoints/${res.body.id}`);

      const early = await show();
      assert.equal(early.body.status, 'creating');
      assert.equal(at(early.body.updated_at), Math.floor(created / 1000) * 1000);
      // A creating endpoint's route tables cannot change yet.
      expectEpError(await rebind(slow, res.body.id, [vpc.defaultTable]), 400, 'EndPoint.2019');

      slow.clock.advance(59_000);
      assert.equal((await show()).body.status, 'creating');
      const listed = await slow.api('GET', '/vpc-endpoints');
      assert.equal(listed.body.endpoints[0].status, 'creating');

      slow.clock.advance(1_000);
      const ready = await show();
      assert.equal(ready.body.status, 'accepted');
      assert.equal(at(ready.body.updated_at), Math.floor((created + 60_000) / 1000) * 1000);
      assert.equal(at(ready.body.created_at), Math.floor(created / 1000) * 1000);
      const listedReady = await slow.api('GET', '/vpc-endpoints');
      assert.equal(listedReady.body.endpoints[0].status, 'accepted');
      assert.equal(listedReady.body.endpoints[0].updated_at, ready.body.updated_at);

      // Much later, updated_at stays the ready time.
      slow.clock.advance(3_600_000);
      assert.equal((await show()).body.updated_at, ready.body.updated_at);
    } finally {
      await slow.close();
    }
  });
});

describe('endpoint list', () => {
  let vpcA: string;
  let vpcB: string;
  /** In creation order: [obs on A, dns on A, obs on B, dns on B]; one second apart. */
  let eps: string[];
  let l: World;
  before(async () => {
    l = await makeWorld({ gatewayServices: GATEWAY_SERVICES });
    const a = await createVpc(l, '10.1.0.0/16', 'a');
    const b = await createVpc(l, '10.2.0.0/16', 'b');
    vpcA = a.id;
    vpcB = b.id;
    const [obs, dns] = await gatewayServiceIds(l, [OBS, DNS]);
    eps = [];
    for (const [svc, vpc] of [
      [obs!, vpcA],
      [dns!, vpcA],
      [obs!, vpcB],
      [dns!, vpcB],
    ] as const) {
      l.clock.advance(1_000);
      eps.push(await createEndpoint(l, svc, vpc));
    }
  });
  after(() => l.close());

  const list = async (query: string) => {
    const res = await l.api('GET', `/vpc-endpoints${query}`);
    assert.equal(res.status, 200, res.raw);
    return {
      ids: res.body.endpoints.map((e: { id: string }) => e.id) as string[],
      total: res.body.total_count,
    };
  };

  test('default: newest first, total_count', async () => {
    const res = await l.api('GET', '/vpc-endpoints');
    assert.deepEqual(Object.keys(res.body).sort(), ['endpoints', 'total_count']);
    assert.deepEqual(await list(''), { ids: [...eps].reverse(), total: 4 });
    for (const e of res.body.endpoints) {
      assert.equal(e.status, 'accepted');
      assert.equal(e.service_type, 'gateway');
      assert.equal(e.routetables.length, 1);
    }
  });

  test('filters: vpc_id, id, endpoint_service_name (substring)', async () => {
    const cases: [string, string[]][] = [
      [`?vpc_id=${vpcA}`, [eps[1]!, eps[0]!]],
      [`?vpc_id=${vpcB}`, [eps[3]!, eps[2]!]],
      [`?vpc_id=${NO_SUCH}`, []],
      [`?id=${eps[2]}`, [eps[2]!]],
      [`?id=${NO_SUCH}`, []],
      ['?endpoint_service_name=obsv2', [eps[2]!, eps[0]!]],
      ['?endpoint_service_name=example.dns', [eps[3]!, eps[1]!]],
      ['?endpoint_service_name=cn-north-4.com', [...eps].reverse()],
      ['?endpoint_service_name=nothing', []],
      // LIKE wildcards are literal characters here.
      ['?endpoint_service_name=%25', []],
      ['?endpoint_service_name=example_dns', []],
      ['?endpoint_service_name=dns_1', [eps[3]!, eps[1]!]],
      ['?endpoint_service_name=_', [eps[3]!, eps[1]!]],
      [`?endpoint_service_name=dns&vpc_id=${vpcB}`, [eps[3]!]],
      [`?vpc_id=${vpcA}&id=${eps[3]}`, []],
    ];
    for (const [query, ids] of cases) {
      assert.deepEqual(await list(query), { ids, total: ids.length }, query);
    }
  });

  test('limit and offset page through; total_count counts every match', async () => {
    const all = [...eps].reverse();
    const cases: [string, string[]][] = [
      ['?limit=1', all.slice(0, 1)],
      ['?limit=2&offset=1', all.slice(1, 3)],
      ['?limit=2&offset=3', all.slice(3)],
      ['?offset=4', []],
      ['?offset=100', []],
      ['?limit=1000', all],
    ];
    for (const [query, ids] of cases) assert.deepEqual(await list(query), { ids, total: 4 }, query);
    assert.deepEqual(await list(`?vpc_id=${vpcA}&limit=1&offset=1`), { ids: [eps[0]], total: 2 });
  });

  test('sort_key create_at|update_at and sort_dir asc|desc', async () => {
    // Rebinding the oldest endpoint later makes it the most recently updated.
    l.clock.advance(5_000);
    const table = await createTable(l, vpcA);
    const res = await rebind(l, eps[0]!, [table]);
    assert.equal(res.status, 200, res.raw);
    const updated = (await l.api('GET', `/vpc-endpoints/${eps[0]}`)).body;
    assert.ok(at(updated.updated_at) > at(updated.created_at));

    const byCreate = [...eps];
    const byUpdate = [eps[1]!, eps[2]!, eps[3]!, eps[0]!];
    const cases: [string, string[]][] = [
      ['?sort_key=create_at&sort_dir=asc', byCreate],
      ['?sort_key=create_at&sort_dir=desc', [...byCreate].reverse()],
      ['?sort_key=create_at', [...byCreate].reverse()],
      ['?sort_dir=asc', byCreate],
      ['?sort_key=update_at&sort_dir=asc', byUpdate],
      ['?sort_key=update_at&sort_dir=desc', [...byUpdate].reverse()],
      ['?sort_key=update_at', [...byUpdate].reverse()],
    ];
    for (const [query, ids] of cases) assert.deepEqual(await list(query), { ids, total: 4 }, query);
  });

  test('bad query values → the API codes', async () => {
    const cases: [string, string][] = [
      ['limit=0', 'EndPoint.0006'],
      ['limit=1001', 'EndPoint.0006'],
      ['limit=abc', 'EndPoint.0006'],
      ['limit=1.5', 'EndPoint.0006'],
      ['limit=', 'EndPoint.0006'],
      ['offset=-1', 'EndPoint.0010'],
      ['offset=abc', 'EndPoint.0010'],
      ['sort_key=created_at', 'EndPoint.0017'],
      ['sort_key=name', 'EndPoint.0017'],
      ['sort_dir=up', 'EndPoint.0018'],
      ['sort_dir=DESC', 'EndPoint.0018'],
      ['endpoint_service_name=', 'EndPoint.0002'],
      [`endpoint_service_name=${'x'.repeat(129)}`, 'EndPoint.0002'],
    ];
    for (const [query, code] of cases) {
      const res = await l.api('GET', `/vpc-endpoints?${query}`);
      assert.equal(res.status, 400, `${query}: ${res.raw}`);
      assert.equal(res.body.error.code, code, `${query}: ${res.raw}`);
      expectEpError(res, 400, code);
    }
  });

  test('each listed endpoint is the object GET answers, its bound tables sorted', async () => {
    const tables = [await createTable(l, vpcB), await createTable(l, vpcB), await createTable(l, vpcB)];
    const res = await rebind(l, eps[2]!, tables);
    assert.equal(res.status, 200, res.raw);
    const listed = (await l.api('GET', '/vpc-endpoints')).body.endpoints as {
      id: string;
      routetables: string[];
    }[];
    assert.equal(listed.length, 4);
    for (const e of listed) assert.deepEqual(e, (await l.api('GET', `/vpc-endpoints/${e.id}`)).body, e.id);
    assert.deepEqual(listed.find((e) => e.id === eps[2])!.routetables, [...tables].sort());
  });
});

describe('endpoint delete', () => {
  test('204 with an empty body; egw routes leave every bound table; then 404 EndPoint.2006', async () => {
    const [obs, dns] = (await gatewayServiceIds(w, [OBS, DNS])) as [string, string];
    const vpc = await createVpc(w, '10.20.0.0/16');
    const a = await createTable(w, vpc.id, [{ type: 'ecs', destination: '172.16.0.0/16', nexthop: 'i-1' }]);
    const b = await createTable(w, vpc.id);
    const ep = await createEndpoint(w, dns, vpc.id, [a, b, vpc.defaultTable]);
    const neighbour = await createEndpoint(w, obs, vpc.id, [a]);
    for (const t of [a, b, vpc.defaultTable]) {
      assert.deepEqual(
        (await egwOf(t)).filter(([, hop]) => hop === ep),
        DNS_CIDRS.map((c) => [c, ep]),
      );
    }

    const res = await w.api('DELETE', `/vpc-endpoints/${ep}`);
    expectPublished(res, 'DeleteEndpoint');
    assert.equal(res.headers['content-type'], undefined);

    assert.deepEqual(await egwOf(a), [[OBS_CIDRS[0], neighbour]]);
    assert.deepEqual(await egwOf(b), []);
    assert.deepEqual(await egwOf(vpc.defaultTable), []);
    assert.deepEqual(
      (await routesOf(w, a)).filter((r) => r.type === 'ecs').map((r) => r.destination),
      ['172.16.0.0/16'],
    );
    expectEpError(await w.api('GET', `/vpc-endpoints/${ep}`), 404, 'EndPoint.2006');
    assert.deepEqual((await listEndpoints(`?id=${ep}`)).endpoints, []);
    expectEpError(await w.api('DELETE', `/vpc-endpoints/${ep}`), 404, 'EndPoint.2006');

    // The freed tables can be taken by a new endpoint of the same service.
    const again = await createEndpoint(w, dns, vpc.id, [b]);
    assert.deepEqual(
      await egwOf(b),
      DNS_CIDRS.map((c) => [c, again]),
    );
  });

  test('delete or show of an unknown endpoint → 404 EndPoint.2006', async () => {
    expectEpError(await w.api('DELETE', `/vpc-endpoints/${NO_SUCH}`), 404, 'EndPoint.2006');
    expectEpError(await w.api('GET', `/vpc-endpoints/${NO_SUCH}`), 404, 'EndPoint.2006');
  });
});

test('a create that a route-backend fault refuses fails whole, and the fault stays used up', async () => {
  const vpc = await createVpc(w, '10.77.0.0/16', 'create-fault');
  const svc = await gatewayService(w);
  const table = await createTable(w, vpc.id);
  const before = await w.api('GET', '/vpc-endpoints?limit=1000');
  await addFault(w, 'bind', '*', 1);
  const refused = await w.api('POST', '/vpc-endpoints', {
    endpoint_service_id: svc,
    vpc_id: vpc.id,
    routetables: [table],
  });
  expectEpError(refused, 400, 'EndPoint.4028');
  assert.deepEqual(await listFaults(w), [], 'the fault that fired is used up: its change committed');
  const after = await w.api('GET', '/vpc-endpoints?limit=1000');
  assert.equal(after.body.total_count, before.body.total_count, 'no endpoint was created');
  assert.deepEqual(
    (await routesOf(w, table)).filter((r: { type: string }) => r.type === 'egw'),
    [],
    'no route was programmed',
  );
  // The fault is gone: the same create now succeeds.
  assert.ok(await createEndpoint(w, svc, vpc.id, [table]));
});
