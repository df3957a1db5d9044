import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { expectEpError, ok } from '../helpers/expect.ts';
import { expectPublished } from '../helpers/published.ts';
import { createPort, createService, createSubnet, createVpc } from '../helpers/fixtures.ts';
import { createAccount, tenantWorld, type TenantAccount } from '../helpers/tenants.ts';
import { makeWorld, type World } from '../helpers/world.ts';

/**
 * Permissions of an endpoint service (ListServicePermissionsDetails, AddOrRemoveServicePermissions,
 * BatchAddEndpointServicePermissions, BatchRemoveEndpointServicePermissions,
 * UpdateEndpointServicePermissionDesc), and what they decide: which accounts see the service and
 * may connect to it (spec/interface-services.md, "Permissions").
 */

let w: World;
/** The provider: account `prov`, as its admin. */
let pw: World;
let consumer: TenantAccount;
let stranger: TenantAccount;
/** The consumer and a third account, each as its admin, each with a VPC and a subnet. */
let cw: World;
let sw: World;
let provVpc: string;
let provSubnet: string;
const net: Record<string, { vpc: string; subnet: string }> = {};

before(async () => {
  w = await makeWorld();
  const prov = await createAccount(w, 'prov');
  consumer = await createAccount(w, 'cons');
  stranger = await createAccount(w, 'stranger');
  pw = tenantWorld(w, prov.projectId, () => prov.token);
  cw = tenantWorld(w, consumer.projectId, () => consumer.token);
  sw = tenantWorld(w, stranger.projectId, () => stranger.token);
  provVpc = (await createVpc(pw)).id;
  provSubnet = await createSubnet(pw, provVpc);
  for (const [name, tw] of [
    ['cons', cw],
    ['stranger', sw],
  ] as const) {
    const vpc = (await createVpc(tw)).id;
    net[name] = { vpc, subnet: await createSubnet(tw, vpc) };
  }
});
after(() => w.close());

const NO_SUCH = '00000000-0000-4000-8000-000000000000';
const EP_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

async function newService(extra: Record<string, unknown> = {}) {
  return createService(pw, provVpc, (await createPort(pw, provSubnet)).id, {
    service_name: 'shop',
    ...extra,
  });
}
const perms = (id: string) => `/vpc-endpoint-services/${id}/permissions`;
const domainOf = (a: TenantAccount) => `iam:domain::${a.domainId}`;

/** Whether `tw` (an account's admin, with its network `n`) sees the service and may connect to it. */
async function reach(tw: World, n: { vpc: string; subnet: string }, s: { id: string; service_name: string }) {
  const byId = await tw.api('GET', `/vpc-endpoint-services/describe?id=${s.id}`);
  const byName = await tw.api(
    'GET',
    `/vpc-endpoint-services/describe?endpoint_service_name=${s.service_name}`,
  );
  const made = await tw.api('POST', '/vpc-endpoints', {
    endpoint_service_id: s.id,
    vpc_id: n.vpc,
    subnet_id: n.subnet,
  });
  if (made.status === 200) ok(await tw.api('DELETE', `/vpc-endpoints/${made.body.id}`), 204);
  return { byId, byName, made };
}

async function assertRefused(
  tw: World,
  n: { vpc: string; subnet: string },
  s: { id: string; service_name: string },
) {
  const { byId, byName, made } = await reach(tw, n, s);
  expectEpError(byId, 400, 'EndPoint.2003');
  expectEpError(byName, 400, 'EndPoint.2003');
  expectEpError(made, 400, 'EndPoint.2012');
}

describe('who sees a service and may connect to it', () => {
  test('nobody but its own account until the provider adds them; `*` admits everyone', async () => {
    const s = await newService();
    await assertRefused(cw, net.cons!, s);
    await assertRefused(sw, net.stranger!, s);

    ok(await pw.api('POST', `${perms(s.id)}/action`, { action: 'add', permissions: [domainOf(consumer)] }));
    const { byId, byName, made } = await reach(cw, net.cons!, s);
    expectPublished(byId, 'ListServiceDescribeDetails');
    expectPublished(byName, 'ListServiceDescribeDetails');
    assert.deepEqual(ok(byId).body, {
      id: s.id,
      service_name: s.service_name,
      service_type: 'interface',
      created_at: s.created_at,
      is_charge: false,
      enable_policy: false,
    });
    assert.deepEqual(ok(byName).body, byId.body);
    assert.equal(ok(made).body.status, 'creating');
    await assertRefused(sw, net.stranger!, s);

    ok(await pw.api('POST', `${perms(s.id)}/action`, { action: 'add', permissions: ['*'] }));
    ok((await reach(sw, net.stranger!, s)).made);

    ok(
      await pw.api('POST', `${perms(s.id)}/action`, {
        action: 'remove',
        permissions: ['*', domainOf(consumer)],
      }),
    );
    await assertRefused(cw, net.cons!, s);
    await assertRefused(sw, net.stranger!, s);
  });

  test("the public list never shows a user's service, whoever may connect to it", async () => {
    const s = await newService();
    ok(await pw.api('POST', `${perms(s.id)}/action`, { action: 'add', permissions: ['*'] }));
    for (const tw of [pw, cw, sw]) {
      const listed = ok(await tw.api('GET', '/vpc-endpoint-services/public')).body.endpoint_services;
      assert.ok(listed.every((x: { service_type: string }) => x.service_type === 'gateway'));
      const named = ok(await tw.api('GET', `/vpc-endpoint-services/public?id=${s.id}`)).body;
      assert.deepEqual(named, { endpoint_services: [], total_count: 0 });
    }
  });

  test("an account's other projects see its services without an entry", async () => {
    const s = await newService();
    const provider = ok(await pw.call('GET', '/v3/auth/domains')).body.domains[0].id as string;
    assert.equal(s.domain_id, provider);
    ok(await pw.api('GET', `/vpc-endpoint-services/describe?id=${s.id}`));
  });
});

describe('AddOrRemoveServicePermissions and ListServicePermissionsDetails', () => {
  test('add and remove answer the whole list; each entry once; the list shows each entry', async () => {
    const s = await newService();
    const add = ok(
      await pw.api('POST', `${perms(s.id)}/action`, {
        action: 'add',
        permissions: [domainOf(consumer), domainOf(consumer), '*'],
      }),
    );
    expectPublished(add, 'AddOrRemoveServicePermissions');
    // Oldest first; entries added together in the order of their text.
    assert.deepEqual(add.body, { permissions: ['*', domainOf(consumer)], permission_type: 'domainId' });
    const again = ok(await pw.api('POST', `${perms(s.id)}/action`, { action: 'add', permissions: ['*'] }));
    assert.deepEqual(again.body.permissions, ['*', domainOf(consumer)]);

    const listedRes = ok(await pw.api('GET', `${perms(s.id)}?sort_dir=asc`));
    expectPublished(listedRes, 'ListServicePermissionsDetails');
    const listed = listedRes.body;
    assert.equal(listed.total_count, 2);
    const first = listed.permissions[1];
    assert.match(first.created_at, EP_TIME);
    assert.deepEqual(first, {
      id: first.id,
      permission: domainOf(consumer),
      permission_type: 'domainId',
      description: '',
      created_at: first.created_at,
    });
    const star = ok(await pw.api('GET', `${perms(s.id)}?permission=*`)).body;
    assert.deepEqual(
      star.permissions.map((p: { permission: string }) => p.permission),
      ['*'],
    );
    const paged = ok(await pw.api('GET', `${perms(s.id)}?sort_dir=asc&limit=1&offset=1`)).body;
    assert.deepEqual(paged, { permissions: [first], total_count: 2 });
    const newest = ok(await pw.api('GET', `${perms(s.id)}?limit=1`)).body;
    assert.deepEqual(newest, { permissions: [first], total_count: 2 });

    const removed = ok(
      await pw.api('POST', `${perms(s.id)}/action`, {
        action: 'remove',
        permissions: ['*', domainOf(stranger)],
      }),
    );
    expectPublished(removed, 'AddOrRemoveServicePermissions');
    assert.deepEqual(removed.body, { permissions: [domainOf(consumer)], permission_type: 'domainId' });
  });

  test('each field rule broken → its status and code', async () => {
    const s = await newService();
    const url = `${perms(s.id)}/action`;
    const cases: [string, unknown, string][] = [
      ['no body', undefined, 'EndPoint.0011'],
      ['no action', { permissions: ['*'] }, 'EndPoint.0002'],
      ['action grant', { action: 'grant', permissions: ['*'] }, 'EndPoint.3035'],
      ['no permissions', { action: 'add' }, 'EndPoint.0002'],
      ['permissions empty', { action: 'add', permissions: [] }, 'EndPoint.3036'],
      ['51 permissions', { action: 'add', permissions: Array(51).fill('*') }, 'EndPoint.3036'],
      ['an entry empty', { action: 'add', permissions: [''] }, 'EndPoint.3002'],
      ['an entry of 1025', { action: 'add', permissions: ['i'.repeat(1025)] }, 'EndPoint.3002'],
      ['an entry not a domain', { action: 'add', permissions: ['iam:domain::acme'] }, 'EndPoint.3002'],
      ['an entry of a user', { action: 'add', permissions: ['iam:user::0123'] }, 'EndPoint.3002'],
      [
        'permission_type orgPath',
        { action: 'add', permissions: ['*'], permission_type: 'orgPath' },
        'EndPoint.3002',
      ],
      ['permission_type other', { action: 'add', permissions: ['*'], permission_type: 'x' }, 'EndPoint.0002'],
    ];
    for (const [why, body, code] of cases) {
      const res = await pw.api('POST', url, body);
      assert.equal(res.body?.error?.code, code, `${why}: ${res.raw}`);
      expectEpError(res, 400, code);
    }
    const listCases: [string, string][] = [
      ['limit=0', 'EndPoint.0006'],
      ['limit=501', 'EndPoint.0006'],
      ['offset=-1', 'EndPoint.0010'],
      ['sort_key=name', 'EndPoint.0017'],
      ['sort_dir=up', 'EndPoint.0018'],
      [`permission=${'p'.repeat(1001)}`, 'EndPoint.0002'],
    ];
    for (const [q, code] of listCases) expectEpError(await pw.api('GET', `${perms(s.id)}?${q}`), 400, code);
    assert.equal(ok(await pw.api('GET', perms(s.id))).body.total_count, 0, 'nothing was added');
  });
});

describe('the batch calls and descriptions', () => {
  test('batch-create answers the entries it added, with their descriptions; batch-delete removes by id', async () => {
    const s = await newService();
    const res = ok(
      await pw.api('POST', `${perms(s.id)}/batch-create`, {
        permissions: [
          { permission: domainOf(consumer), description: 'the shop front' },
          { permission: '*', description: '' },
        ],
      }),
    );
    expectPublished(res, 'BatchAddEndpointServicePermissions');
    const [a, b] = res.body.permissions;
    assert.deepEqual(res.body, {
      permissions: [
        {
          id: a.id,
          permission: domainOf(consumer),
          permission_type: 'domainId',
          description: 'the shop front',
          created_at: a.created_at,
        },
        { id: b.id, permission: '*', permission_type: 'domainId', description: '', created_at: b.created_at },
      ],
    });
    const again = ok(
      await pw.api('POST', `${perms(s.id)}/batch-create`, {
        permissions: [{ permission: '*', description: 'x' }],
      }),
    );
    assert.deepEqual(again.body, { permissions: [] }, 'an entry there already is not added again');

    const described = ok(
      await pw.api('PUT', `${perms(s.id)}/${a.id}`, { permission: { description: 'renamed' } }),
    );
    expectPublished(described, 'UpdateEndpointServicePermissionDesc');
    assert.deepEqual(described.body, {
      permissions: [{ ...res.body.permissions[0], description: 'renamed' }],
    });

    const removed = ok(
      await pw.api('POST', `${perms(s.id)}/batch-delete`, { permissions: [{ id: b.id }, { id: NO_SUCH }] }),
    );
    expectPublished(removed, 'BatchRemoveEndpointServicePermissions');
    assert.deepEqual(removed.body, { permissions: [] });
    const left = ok(await pw.api('GET', perms(s.id))).body;
    assert.deepEqual(left.permissions, [described.body.permissions[0]]);
  });

  test('each field rule broken → its status and code', async () => {
    const s = await newService();
    const entry = ok(
      await pw.api('POST', `${perms(s.id)}/batch-create`, {
        permissions: [{ permission: '*', description: '' }],
      }),
    ).body.permissions[0];
    const cases: [string, string, string, unknown, number, string][] = [
      ['create: no body', 'POST', 'batch-create', undefined, 400, 'EndPoint.0011'],
      ['create: no permissions', 'POST', 'batch-create', {}, 400, 'EndPoint.0002'],
      [
        'create: no description',
        'POST',
        'batch-create',
        { permissions: [{ permission: '*' }] },
        400,
        'EndPoint.0002',
      ],
      [
        'create: description of 257',
        'POST',
        'batch-create',
        { permissions: [{ permission: '*', description: 'd'.repeat(257) }] },
        400,
        'EndPoint.0002',
      ],
      [
        'create: a bad entry',
        'POST',
        'batch-create',
        { permissions: [{ permission: 'everyone', description: '' }] },
        400,
        'EndPoint.3002',
      ],
      [
        'create: 51 entries',
        'POST',
        'batch-create',
        { permissions: Array(51).fill({ permission: '*', description: '' }) },
        400,
        'EndPoint.0016',
      ],
      ['delete: no permissions', 'POST', 'batch-delete', {}, 400, 'EndPoint.0002'],
      ['delete: an entry without id', 'POST', 'batch-delete', { permissions: [{}] }, 400, 'EndPoint.0002'],
      [
        'delete: 51 entries',
        'POST',
        'batch-delete',
        { permissions: Array(51).fill({ id: NO_SUCH }) },
        400,
        'EndPoint.0016',
      ],
      ['describe: no body', 'PUT', entry.id, undefined, 400, 'EndPoint.0011'],
      ['describe: no permission', 'PUT', entry.id, {}, 400, 'EndPoint.0002'],
      [
        'describe: description of 257',
        'PUT',
        entry.id,
        { permission: { description: 'd'.repeat(257) } },
        400,
        'EndPoint.0002',
      ],
      ['describe: no such entry', 'PUT', NO_SUCH, { permission: { description: '' } }, 404, 'EndPoint.0005'],
    ];
    for (const [why, method, tail, body, status, code] of cases) {
      const res = await pw.api(method, `${perms(s.id)}/${tail}`, body);
      assert.equal(res.body?.error?.code, code, `${why}: ${res.raw}`);
      expectEpError(res, status, code);
    }
  });

  test("another account's service, or none: 400 EndPoint.2003 on every permission call", async () => {
    const s = await newService();
    for (const id of [s.id, NO_SUCH]) {
      const calls: [string, string, unknown][] = [
        ['GET', perms(id), undefined],
        ['POST', `${perms(id)}/action`, { action: 'add', permissions: ['*'] }],
        ['POST', `${perms(id)}/batch-create`, { permissions: [{ permission: '*', description: '' }] }],
        ['POST', `${perms(id)}/batch-delete`, { permissions: [{ id: NO_SUCH }] }],
        ['PUT', `${perms(id)}/${NO_SUCH}`, { permission: { description: '' } }],
      ];
      for (const [method, url, body] of calls)
        expectEpError(await cw.api(method, url, body), 400, 'EndPoint.2003');
    }
    assert.equal(ok(await pw.api('GET', perms(s.id))).body.total_count, 0);
  });
});
