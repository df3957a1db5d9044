import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { expectEpError, ok } from '../helpers/expect.ts';
import { expectPublished } from '../helpers/published.ts';
import { createPort, createService, createSubnet, createVpc, gatewayService } from '../helpers/fixtures.ts';
import { createAccount, tenantWorld } from '../helpers/tenants.ts';
import { makeWorld, type World } from '../helpers/world.ts';

/**
 * Tags of endpoints and endpoint services (BatchAddOrRemoveResourceInstance,
 * ListQueryProjectResourceTags, ListResourceInstances; spec/interface-services.md, "Tags").
 */

let w: World;
let vpc: string;
let subnet: string;
let gateway: string;
before(async () => {
  w = await makeWorld();
  vpc = (await createVpc(w)).id;
  subnet = await createSubnet(w, vpc);
  gateway = await gatewayService(w);
});
after(() => w.close());

const NO_SUCH = '00000000-0000-4000-8000-000000000000';
type T = { key: string; value?: string };

const newService = async (tags?: T[]) =>
  (await createService(w, vpc, (await createPort(w, subnet)).id, tags ? { tags } : {})).id;
const newEndpoint = async (tags?: T[]) => {
  const res = await w.api('POST', '/vpc-endpoints', {
    endpoint_service_id: gateway,
    vpc_id: (await createVpc(w)).id,
    ...(tags ? { tags } : {}),
  });
  assert.equal(res.status, 200, res.raw);
  return res.body.id as string;
};
const tagAction = (type: string, id: string, body: unknown) =>
  w.api('POST', `/${type}/${id}/tags/action`, body);
const tagsOfEndpoint = async (id: string) => ok(await w.api('GET', `/vpc-endpoints/${id}`)).body.tags as T[];
const tagsOfService = async (id: string) =>
  ok(await w.api('GET', `/vpc-endpoint-services/${id}`)).body.tags as T[];
const sortTags = (tags: T[]) => [...tags].sort((a, b) => (a.key < b.key ? -1 : 1));

describe('BatchAddOrRemoveResourceInstance', () => {
  for (const [type, make, read] of [
    ['endpoint', newEndpoint, tagsOfEndpoint],
    ['endpoint_service', newService, tagsOfService],
  ] as const) {
    test(`${type}: create adds and overwrites, delete by key and by key+value; 204; the object shows them`, async () => {
      const id = await make([{ key: 'env', value: 'dev' }]);
      const res = await tagAction(type, id, {
        action: 'create',
        tags: [
          { key: 'env', value: 'prod' },
          { key: 'team', value: 'shop' },
          { key: 'owner', value: 'ann' },
          { key: 'bare' },
        ],
      });
      assert.equal(res.status, 204, res.raw);
      assert.equal(res.raw, '');
      expectPublished(res, 'BatchAddOrRemoveResourceInstance');
      assert.deepEqual(sortTags(await read(id)), [
        { key: 'bare', value: '' },
        { key: 'env', value: 'prod' },
        { key: 'owner', value: 'ann' },
        { key: 'team', value: 'shop' },
      ]);
      const del = await tagAction(type, id, {
        action: 'delete',
        // team by key; owner only if its value is bob (it is not); env with its own value; an absent key.
        tags: [
          { key: 'team' },
          { key: 'owner', value: 'bob' },
          { key: 'env', value: 'prod' },
          { key: 'nope' },
        ],
      });
      assert.equal(del.status, 204, del.raw);
      assert.deepEqual(sortTags(await read(id)), [
        { key: 'bare', value: '' },
        { key: 'owner', value: 'ann' },
      ]);
    });

    test(`${type}: another account's, or none: the same not-found answer`, async () => {
      const id = await make();
      const other = await createAccount(w, `tagger-${type.replace('_', '-')}`);
      const ow = tenantWorld(w, other.projectId, () => other.token);
      const [status, code] = type === 'endpoint' ? [404, 'EndPoint.2006'] : [400, 'EndPoint.2003'];
      for (const target of [id, NO_SUCH]) {
        const body = { action: 'create', tags: [{ key: 'k', value: 'v' }] };
        expectEpError(await ow.api('POST', `/${type}/${target}/tags/action`, body), status, code);
      }
      assert.deepEqual(await read(id), []);
      // Nor does the other account see it in its lists.
      assert.deepEqual(ok(await ow.api('GET', `/${type}/tags`)).body, { tags: [] });
      const listed = ok(await ow.api('POST', `/${type}/resource_instances/action`, { action: 'filter' }));
      assert.deepEqual(listed.body, { resources: [], total_count: 0 });
    });
  }

  const long = (n: number) => 'k'.repeat(n);
  const twenty = Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, value: 'v' }));
  const RULES: [string, unknown, number, string][] = [
    ['action not create/delete', { action: 'put', tags: [{ key: 'a', value: 'b' }] }, 400, 'EndPoint.0007'],
    ['tags not a list', { action: 'create', tags: { key: 'a' } }, 400, 'EndPoint.0002'],
    ['a key not a string', { action: 'create', tags: [{ key: 1, value: 'b' }] }, 400, 'EndPoint.0002'],
    ['no tags', { action: 'create' }, 400, 'EndPoint.3066'],
    ['empty tags', { action: 'create', tags: [] }, 400, 'EndPoint.3066'],
    ['a tag without key', { action: 'create', tags: [{ value: 'b' }] }, 400, 'EndPoint.3066'],
    ['an empty key', { action: 'create', tags: [{ key: '', value: 'b' }] }, 400, 'EndPoint.3066'],
    ['a key of 129', { action: 'create', tags: [{ key: long(129), value: 'b' }] }, 400, 'EndPoint.3072'],
    ['a value of 256', { action: 'create', tags: [{ key: 'a', value: long(256) }] }, 400, 'EndPoint.3073'],
    ['a key with <', { action: 'create', tags: [{ key: 'a<b', value: 'b' }] }, 400, 'EndPoint.3068'],
    [
      'a key with a space at an end',
      { action: 'create', tags: [{ key: 'a ', value: 'b' }] },
      400,
      'EndPoint.3068',
    ],
    [
      'a key of the system prefix',
      { action: 'create', tags: [{ key: '_sys_x', value: 'b' }] },
      400,
      'EndPoint.3068',
    ],
    ['a value with *', { action: 'create', tags: [{ key: 'a', value: 'b*' }] }, 400, 'EndPoint.3068'],
    [
      'a key twice',
      {
        action: 'create',
        tags: [
          { key: 'a', value: '1' },
          { key: 'a', value: '2' },
        ],
      },
      400,
      'EndPoint.3067',
    ],
    ['a key twice in delete', { action: 'delete', tags: [{ key: 'a' }, { key: 'a' }] }, 400, 'EndPoint.3067'],
    ['21 tags', { action: 'create', tags: [...twenty, { key: 'x', value: 'y' }] }, 400, 'EndPoint.3069'],
  ];
  test('each tag rule broken → its status and code', async () => {
    const id = await newEndpoint();
    for (const [name, body, status, code] of RULES) {
      await test(name, async () => expectEpError(await tagAction('endpoint', id, body), status, code));
    }
    assert.deepEqual(await tagsOfEndpoint(id), []);
    expectEpError(
      await tagAction('endpoints', id, { action: 'create', tags: [{ key: 'a' }] }),
      400,
      'EndPoint.3070',
    );
  });

  test('at most 20 tags per resource, counting those it holds; overwriting one adds none', async () => {
    const id = await newService(twenty.slice(0, 19));
    assert.equal(
      (
        await tagAction('endpoint_service', id, {
          action: 'create',
          tags: [
            { key: 'k0', value: 'w' },
            { key: 'n', value: '1' },
          ],
        })
      ).status,
      204,
    );
    assert.equal((await tagsOfService(id)).length, 20);
    expectEpError(
      await tagAction('endpoint_service', id, { action: 'create', tags: [{ key: 'm', value: '1' }] }),
      400,
      'EndPoint.3069',
    );
  });

  test('tags at create obey the same rules, with the same codes', async () => {
    for (const [name, body, status, code] of RULES.filter(([, b]) => {
      const x = b as { action: string; tags?: unknown[] };
      return x.action === 'create' && x.tags !== undefined && x.tags.length > 0;
    })) {
      const tags = (body as { tags: T[] }).tags;
      await test(`endpoint: ${name}`, async () => {
        const res = await w.api('POST', '/vpc-endpoints', {
          endpoint_service_id: gateway,
          vpc_id: vpc,
          tags,
        });
        expectEpError(res, status, code);
      });
      await test(`service: ${name}`, async () => {
        const res = await w.api('POST', '/vpc-endpoint-services', {
          vpc_id: vpc,
          port_id: (await createPort(w, subnet)).id,
          server_type: 'VM',
          ports: [{ client_port: 80, server_port: 8080 }],
          tags,
        });
        expectEpError(res, status, code);
      });
    }
  });
});

describe('ListQueryProjectResourceTags and ListResourceInstances', () => {
  let lw: World;
  let ids: Record<string, string>;
  before(async () => {
    // An account of its own, so that its list holds only these.
    const acc = await createAccount(w, 'tag-lister');
    lw = tenantWorld(w, acc.projectId, () => acc.token);
    const lvpc = (await createVpc(lw)).id;
    const lsubnet = await createSubnet(lw, lvpc);
    const svc = async (name: string, tags: T[]) =>
      (await createService(lw, lvpc, (await createPort(lw, lsubnet)).id, { service_name: name, tags })).id;
    ids = {
      a: await svc('alpha', [
        { key: 'env', value: 'prod' },
        { key: 'team', value: 'shop' },
      ]),
      b: await svc('beta', [
        { key: 'env', value: 'dev' },
        { key: 'team', value: 'shop' },
      ]),
      c: await svc('gamma', [{ key: 'env', value: 'production-eu' }]),
      d: await svc('delta', []),
    };
    // An endpoint in the same account, to show the two kinds apart.
    const ep = await lw.api('POST', '/vpc-endpoints', {
      endpoint_service_id: gateway,
      vpc_id: (await createVpc(lw, '10.1.0.0/16', 'ep')).id,
      tags: [{ key: 'kind', value: 'gw' }],
    });
    assert.equal(ep.status, 200, ep.raw);
    ids.ep = ep.body.id;
  });

  const find = (body: Record<string, unknown>, type = 'endpoint_service') =>
    lw.api('POST', `/${type}/resource_instances/action`, { action: 'filter', ...body });
  const found = (res: Awaited<ReturnType<typeof find>>) =>
    (ok(res).body.resources as { resource_id: string }[]).map(
      (r) => Object.entries(ids).find(([, v]) => v === r.resource_id)![0],
    );

  test('the project tags of a kind, by key with their values', async () => {
    const res = ok(await lw.api('GET', '/endpoint_service/tags'));
    expectPublished(res, 'ListQueryProjectResourceTags');
    assert.deepEqual(res.body, {
      tags: [
        { key: 'env', values: ['dev', 'prod', 'production-eu'] },
        { key: 'team', values: ['shop'] },
      ],
    });
    const eps = ok(await lw.api('GET', '/endpoint/tags'));
    expectPublished(eps, 'ListQueryProjectResourceTags');
    assert.deepEqual(eps.body, { tags: [{ key: 'kind', values: ['gw'] }] });
  });

  test('filter answers id, name and tags; count answers the total', async () => {
    const res = await find({ tags: [{ key: 'env', values: ['prod'] }] });
    expectPublished(res, 'ListResourceInstances');
    assert.equal(res.body.total_count, 1);
    assert.equal(res.body.resources.length, 1);
    const r = res.body.resources[0];
    assert.equal(r.resource_id, ids.a);
    assert.match(r.resource_name, /\.alpha\./);
    assert.deepEqual(r.tags, [
      { key: 'env', value: 'prod' },
      { key: 'team', value: 'shop' },
    ]);
    const count = ok(
      await lw.api('POST', '/endpoint_service/resource_instances/action', {
        action: 'count',
        tags: [{ key: 'team', values: [] }],
      }),
    );
    expectPublished(count, 'ListResourceInstances');
    assert.deepEqual(count.body, { total_count: 2 });
    const ep = await find({ tags: [{ key: 'kind', values: ['gw'] }] }, 'endpoint');
    expectPublished(ep, 'ListResourceInstances');
    assert.deepEqual(found(ep), ['ep']);
  });

  const FILTERS: [string, Record<string, unknown>, string[]][] = [
    ['no filter: all', {}, ['a', 'b', 'c', 'd']],
    [
      'tags: every key, any of its values',
      {
        tags: [
          { key: 'env', values: ['prod', 'dev'] },
          { key: 'team', values: ['shop'] },
        ],
      },
      ['a', 'b'],
    ],
    ['tags: no values → the key with any value', { tags: [{ key: 'env', values: [] }] }, ['a', 'b', 'c']],
    ['tags: *x → any value holding x', { tags: [{ key: 'env', values: ['*prod'] }] }, ['a', 'c']],
    [
      'tags_any: any key',
      {
        tags_any: [
          { key: 'env', values: ['dev'] },
          { key: 'env2', values: [] },
          { key: 'team', values: ['nope'] },
        ],
      },
      ['b'],
    ],
    [
      'not_tags: not all of them',
      {
        not_tags: [
          { key: 'env', values: ['prod'] },
          { key: 'team', values: ['shop'] },
        ],
      },
      ['b', 'c', 'd'],
    ],
    [
      'not_tags_any: none of them',
      {
        not_tags_any: [
          { key: 'env', values: ['prod'] },
          { key: 'team', values: [] },
        ],
      },
      ['c', 'd'],
    ],
    [
      'matches resource_name: a part of the name',
      { matches: [{ key: 'resource_name', value: 'lta' }] },
      ['d'],
    ],
    ['limit and offset', { limit: '2', offset: '1' }, []],
  ];
  for (const [name, body, want] of FILTERS) {
    test(`filter: ${name}`, async () => {
      const res = await find(body);
      if (name.startsWith('limit')) {
        // A page of the whole list, in its order (creation, then id: the test clock stands still).
        const all = found(await find({}));
        assert.deepEqual(found(res), all.slice(1, 3));
        assert.equal(res.body.total_count, 4);
        return;
      }
      assert.deepEqual(found(res).sort(), want);
      assert.equal(res.body.total_count, want.length);
    });
  }

  const BAD: [string, Record<string, unknown>, number, string][] = [
    ['action not filter/count', { action: 'list' }, 400, 'EndPoint.0007'],
    ['limit 0', { limit: '0' }, 400, 'EndPoint.0006'],
    ['limit 1001', { limit: '1001' }, 400, 'EndPoint.0006'],
    ['limit not digits', { limit: 'ten' }, 400, 'EndPoint.0006'],
    ['offset not digits', { offset: '-1' }, 400, 'EndPoint.0010'],
    [
      'a filter key twice',
      {
        tags: [
          { key: 'a', values: [] },
          { key: 'a', values: [] },
        ],
      },
      400,
      'EndPoint.3067',
    ],
    ['a value twice', { tags_any: [{ key: 'a', values: ['x', 'x'] }] }, 400, 'EndPoint.3071'],
    ['an empty filter key', { not_tags: [{ key: '', values: [] }] }, 400, 'EndPoint.3066'],
    ['a filter key of 129', { not_tags_any: [{ key: 'k'.repeat(129), values: [] }] }, 400, 'EndPoint.3072'],
    ['a filter value of 256', { tags: [{ key: 'a', values: ['v'.repeat(256)] }] }, 400, 'EndPoint.3073'],
    ['matches on another key', { matches: [{ key: 'id', value: 'x' }] }, 400, 'EndPoint.0002'],
  ];
  test('each filter rule broken → its status and code', async () => {
    for (const [name, body, status, code] of BAD) {
      await test(name, async () => expectEpError(await find(body), status, code));
    }
  });

  test('a resource type other than endpoint or endpoint_service: 400 EndPoint.3070', async () => {
    expectEpError(await lw.api('GET', '/vpc-endpoints/tags'), 404, 'EndPoint.2006');
    expectEpError(await lw.api('GET', '/endpoints/tags'), 400, 'EndPoint.3070');
    expectEpError(
      await lw.api('POST', '/endpoints/resource_instances/action', { action: 'count' }),
      400,
      'EndPoint.3070',
    );
  });
});
