import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createEndpoint, createTable, createVpc, gatewayService, routesOf } from '../helpers/fixtures.ts';
import { makeWorld, type World } from '../helpers/world.ts';
import { expectVpcError } from '../helpers/expect.ts';

let w: World;
before(async () => {
  w = await makeWorld();
});
after(() => w.close());

/** VPC objects carry times without a zone (api-surface.md). */
const VPC_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/;

type Route = { type: string; destination: string; nexthop: string; description?: string };

async function createSubnet(vpcId: string, cidr: string, gateway: string, name = 'sn') {
  const res = await w.api('POST', '/subnets', { subnet: { name, cidr, gateway_ip: gateway, vpc_id: vpcId } });
  assert.equal(res.status, 200, res.raw);
  return res.body.subnet.id as string;
}

async function listTables(query = '') {
  const res = await w.api('GET', `/routetables${query}`);
  assert.equal(res.status, 200, res.raw);
  return res.body.routetables as {
    id: string;
    default: boolean;
    vpc_id: string;
    subnets: { id: string }[];
  }[];
}

async function updateRoutes(tableId: string, routes: Record<string, unknown>) {
  return w.api('PUT', `/routetables/${tableId}`, { routetable: { routes } });
}

async function action(tableId: string, subnets: { associate?: string[]; disassociate?: string[] }) {
  return w.api('POST', `/routetables/${tableId}/action`, { routetable: { subnets } });
}

const userRoutes = (rs: Route[]) => rs.filter((r) => r.type !== 'local' && r.type !== 'egw');

describe('VPCs', () => {
  test('create answers the VPC and makes its default route table with a local route', async () => {
    const res = await w.api('POST', '/vpcs', {
      vpc: { name: 'vpc-a', cidr: '10.1.0.0/16', description: 'd' },
    });
    assert.equal(res.status, 200, res.raw);
    const vpc = res.body.vpc;
    assert.match(vpc.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(vpc.name, 'vpc-a');
    assert.equal(vpc.cidr, '10.1.0.0/16');
    assert.equal(vpc.status, 'OK');
    assert.equal(vpc.description, 'd');
    assert.deepEqual(vpc.routes, []);
    assert.match(vpc.created_at, VPC_TIME);
    assert.match(vpc.updated_at, VPC_TIME);

    const tables = await listTables(`?vpc_id=${vpc.id}`);
    assert.equal(tables.length, 1);
    assert.equal(tables[0]!.default, true);
    assert.equal(tables[0]!.vpc_id, vpc.id);
    const routes = await routesOf(w, tables[0]!.id);
    assert.deepEqual(
      routes.map((r) => [r.type, r.destination]),
      [['local', '10.1.0.0/16']],
    );
  });

  const badCidrs = [
    ['not a CIDR', 'banana'],
    ['host bits set', '10.0.0.1/16'],
    ['prefix over 32', '10.0.0.0/33'],
    ['public range', '8.8.0.0/16'],
    ['too small', '10.0.0.0/29'],
    ['octet over 255', '10.0.256.0/24'],
  ];
  for (const [why, cidr] of badCidrs) {
    test(`create with a bad cidr (${why}) → 400 VPC.0101, nothing created`, async () => {
      const before = (await w.api('GET', '/vpcs')).body.vpcs.length;
      const res = await w.api('POST', '/vpcs', { vpc: { name: 'bad', cidr } });
      expectVpcError(res, 400, 'VPC.0101');
      assert.ok(res.body.message.includes(cidr!), res.body.message);
      assert.equal((await w.api('GET', '/vpcs')).body.vpcs.length, before);
    });
  }

  test('create with a wrongly typed field → 400 VPC.0101 (no coercion)', async () => {
    expectVpcError(await w.api('POST', '/vpcs', { vpc: { name: 'x', cidr: 10 } }), 400, 'VPC.0101');
    expectVpcError(await w.api('POST', '/vpcs', { vpc: 'x' }), 400, 'VPC.0101');
  });

  test('list and show', async () => {
    const a = await createVpc(w, '10.2.0.0/16', 'list-a');
    const b = await createVpc(w, '172.16.0.0/16', 'list-b');
    const list = await w.api('GET', '/vpcs');
    assert.equal(list.status, 200, list.raw);
    const ids = list.body.vpcs.map((v: { id: string }) => v.id);
    assert.ok(ids.includes(a.id) && ids.includes(b.id));
    const show = await w.api('GET', `/vpcs/${b.id}`);
    assert.equal(show.status, 200, show.raw);
    assert.equal(show.body.vpc.id, b.id);
    assert.equal(show.body.vpc.cidr, '172.16.0.0/16');
    assert.equal(show.body.vpc.name, 'list-b');
    expectVpcError(await w.api('GET', '/vpcs/00000000-0000-4000-8000-000000000000'), 404, 'VPC.0103');
  });

  test('delete is refused while subnets, endpoints or custom route tables remain; then allowed; 404 after', async () => {
    const vpc = await createVpc(w, '10.3.0.0/16', 'del');
    const subnet = await createSubnet(vpc.id, '10.3.1.0/24', '10.3.1.1');
    const table = await createTable(w, vpc.id);
    const ep = await createEndpoint(w, await gatewayService(w), vpc.id);

    const refused = await w.api('DELETE', `/vpcs/${vpc.id}`);
    expectVpcError(refused, 409, 'VPC.0104');
    for (const blocker of [subnet, table, ep]) assert.ok(refused.body.message.includes(blocker), refused.raw);

    // Remove the blockers one at a time: each remaining one still blocks.
    const removals: [string, string][] = [
      [`/vpc-endpoints/${ep}`, ep],
      [`/vpcs/${vpc.id}/subnets/${subnet}`, subnet],
      [`/routetables/${table}`, table],
    ];
    for (const [i, [url, id]] of removals.entries()) {
      const del = await w.api('DELETE', url);
      assert.equal(del.status, 204, del.raw);
      const again = await w.api('DELETE', `/vpcs/${vpc.id}`);
      if (i < removals.length - 1) {
        expectVpcError(again, 409, 'VPC.0104');
        assert.ok(!again.body.message.includes(id), again.raw);
      } else {
        assert.equal(again.status, 204, again.raw);
        assert.equal(again.raw, '');
      }
    }
    expectVpcError(await w.api('GET', `/vpcs/${vpc.id}`), 404, 'VPC.0103');
    expectVpcError(await w.api('DELETE', `/vpcs/${vpc.id}`), 404, 'VPC.0103');
    // Its default route table went with it.
    expectVpcError(await w.api('GET', `/routetables/${vpc.defaultTable}`), 404, 'VPC.2808');
    assert.deepEqual(await listTables(`?vpc_id=${vpc.id}`), []);
  });
});

describe('subnets', () => {
  let vpcId: string;
  before(async () => {
    vpcId = (await createVpc(w, '10.10.0.0/16', 'subnets')).id;
  });

  test('create, list, show, delete', async () => {
    const res = await w.api('POST', '/subnets', {
      subnet: { name: 'sn-1', cidr: '10.10.1.0/24', gateway_ip: '10.10.1.1', vpc_id: vpcId },
    });
    assert.equal(res.status, 200, res.raw);
    const s = res.body.subnet;
    assert.equal(s.name, 'sn-1');
    assert.equal(s.cidr, '10.10.1.0/24');
    assert.equal(s.gateway_ip, '10.10.1.1');
    assert.equal(s.vpc_id, vpcId);
    assert.match(s.created_at, VPC_TIME);
    assert.match(s.updated_at, VPC_TIME);

    const other = await createSubnet(vpcId, '10.10.2.0/24', '10.10.2.1', 'sn-2');
    const list = await w.api('GET', `/subnets?vpc_id=${vpcId}`);
    assert.equal(list.status, 200, list.raw);
    assert.deepEqual(list.body.subnets.map((x: { id: string }) => x.id).sort(), [s.id, other].sort());

    const show = await w.api('GET', `/subnets/${s.id}`);
    assert.equal(show.status, 200, show.raw);
    assert.equal(show.body.subnet.id, s.id);
    assert.equal(show.body.subnet.cidr, '10.10.1.0/24');

    // Deleting through another VPC's path does not find it.
    const elsewhere = await createVpc(w, '10.11.0.0/16', 'elsewhere');
    expectVpcError(await w.api('DELETE', `/vpcs/${elsewhere.id}/subnets/${s.id}`), 404, 'VPC.0201');

    for (const id of [s.id, other]) {
      const del = await w.api('DELETE', `/vpcs/${vpcId}/subnets/${id}`);
      assert.equal(del.status, 204, del.raw);
      assert.equal(del.raw, '');
    }
    expectVpcError(await w.api('GET', `/subnets/${s.id}`), 404, 'VPC.0201');
    expectVpcError(await w.api('DELETE', `/vpcs/${vpcId}/subnets/${s.id}`), 404, 'VPC.0201');
    assert.deepEqual((await w.api('GET', `/subnets?vpc_id=${vpcId}`)).body.subnets, []);
  });

  test('the rules: inside the VPC CIDR, no overlap, gateway a host inside the subnet', async () => {
    const first = await createSubnet(vpcId, '10.10.64.0/20', '10.10.64.1');
    const cases: [string, { cidr: string; gateway_ip: string; vpc_id?: string }, number, string][] = [
      ['outside the VPC', { cidr: '10.20.0.0/24', gateway_ip: '10.20.0.1' }, 400, 'VPC.0202'],
      ['larger than the VPC', { cidr: '10.0.0.0/8', gateway_ip: '10.10.0.1' }, 400, 'VPC.0202'],
      ['same as another', { cidr: '10.10.64.0/20', gateway_ip: '10.10.64.1' }, 400, 'VPC.0202'],
      ['inside another', { cidr: '10.10.65.0/24', gateway_ip: '10.10.65.1' }, 400, 'VPC.0202'],
      ['around another', { cidr: '10.10.0.0/17', gateway_ip: '10.10.0.1' }, 400, 'VPC.0202'],
      ['gateway outside', { cidr: '10.10.100.0/24', gateway_ip: '10.10.101.1' }, 400, 'VPC.0101'],
      ['gateway the network address', { cidr: '10.10.100.0/24', gateway_ip: '10.10.100.0' }, 400, 'VPC.0101'],
      ['gateway not an IP', { cidr: '10.10.100.0/24', gateway_ip: 'gw' }, 400, 'VPC.0101'],
      ['cidr not a CIDR', { cidr: '10.10.100.0', gateway_ip: '10.10.100.1' }, 400, 'VPC.0101'],
      [
        'unknown VPC',
        { cidr: '10.10.100.0/24', gateway_ip: '10.10.100.1', vpc_id: '00000000-0000-4000-8000-000000000000' },
        404,
        'VPC.0103',
      ],
    ];
    for (const [why, input, status, code] of cases) {
      const res = await w.api('POST', '/subnets', { subnet: { name: 'x', vpc_id: vpcId, ...input } });
      assert.equal(res.status, status, `${why}: ${res.raw}`);
      expectVpcError(res, status, code);
    }
    const list = await w.api('GET', `/subnets?vpc_id=${vpcId}`);
    assert.deepEqual(
      list.body.subnets.map((x: { id: string }) => x.id),
      [first],
    );
    // Adjacent, non-overlapping: fine.
    await createSubnet(vpcId, '10.10.80.0/20', '10.10.80.1');
  });
});

describe('route tables', () => {
  let vpc: { id: string; defaultTable: string };
  before(async () => {
    vpc = await createVpc(w, '192.168.0.0/16', 'rt');
  });

  test('list: filters vpc_id, subnet_id, id, limit, marker; items carry no routes', async () => {
    const own = await createVpc(w, '10.30.0.0/16', 'rt-list');
    const custom = await createTable(w, own.id, [], 'custom');
    const associated = await createSubnet(own.id, '10.30.1.0/24', '10.30.1.1');
    const unassociated = await createSubnet(own.id, '10.30.2.0/24', '10.30.2.1');
    assert.equal((await action(custom, { associate: [associated] })).status, 200);

    const all = await listTables();
    for (const t of all) {
      assert.equal('routes' in t, false, JSON.stringify(t));
      assert.deepEqual(Object.keys(t).sort(), [
        'created_at',
        'default',
        'description',
        'id',
        'name',
        'subnets',
        'tenant_id',
        'updated_at',
        'vpc_id',
      ]);
      assert.equal((t as unknown as { tenant_id: string }).tenant_id, w.projectId);
      assert.match((t as unknown as { created_at: string }).created_at, VPC_TIME);
    }
    assert.ok(all.some((t) => t.vpc_id === vpc.id));

    const byVpc = await listTables(`?vpc_id=${own.id}`);
    assert.deepEqual(byVpc.map((t) => t.id).sort(), [own.defaultTable, custom].sort());
    assert.ok(byVpc.every((t) => t.vpc_id === own.id));
    const byId = (id: string) => byVpc.find((t) => t.id === id)!;
    assert.deepEqual(byId(custom).subnets, [{ id: associated }]);
    assert.deepEqual(byId(own.defaultTable).subnets, [{ id: unassociated }]);
    assert.equal(byId(own.defaultTable).default, true);
    assert.equal(byId(custom).default, false);

    assert.deepEqual(
      (await listTables(`?subnet_id=${associated}`)).map((t) => t.id),
      [custom],
    );
    assert.deepEqual(
      (await listTables(`?subnet_id=${unassociated}`)).map((t) => t.id),
      [own.defaultTable],
    );
    assert.deepEqual(
      (await listTables(`?id=${custom}`)).map((t) => t.id),
      [custom],
    );
    assert.deepEqual(await listTables(`?id=00000000-0000-4000-8000-000000000000`), []);

    // limit and marker page through the list in a stable order.
    const ids = all.map((t) => t.id);
    assert.ok(ids.length >= 3);
    const first = await listTables('?limit=2');
    assert.deepEqual(
      first.map((t) => t.id),
      ids.slice(0, 2),
    );
    const next = await listTables(`?limit=2&marker=${first[1]!.id}`);
    assert.deepEqual(
      next.map((t) => t.id),
      ids.slice(2, 4),
    );
    const rest = await listTables(`?marker=${ids[0]}`);
    assert.deepEqual(
      rest.map((t) => t.id),
      ids.slice(1),
    );
  });

  test('list with a bad limit → 400 VPC.0101', async () => {
    for (const limit of ['abc', '-1', '2001', '1.5']) {
      expectVpcError(await w.api('GET', `/routetables?limit=${limit}`), 400, 'VPC.0101');
    }
  });

  test('show carries the routes', async () => {
    const table = await createTable(w, vpc.id, [{ type: 'ecs', destination: '0.0.0.0/0', nexthop: 'i-1' }]);
    const res = await w.api('GET', `/routetables/${table}`);
    assert.equal(res.status, 200, res.raw);
    const t = res.body.routetable;
    assert.equal(t.id, table);
    assert.equal(t.vpc_id, vpc.id);
    assert.equal(t.default, false);
    assert.deepEqual(t.subnets, []);
    assert.match(t.created_at, VPC_TIME);
    assert.match(t.updated_at, VPC_TIME);
    assert.deepEqual(t.routes, [{ type: 'ecs', destination: '0.0.0.0/0', nexthop: 'i-1', description: '' }]);
    expectVpcError(await w.api('GET', '/routetables/00000000-0000-4000-8000-000000000000'), 404, 'VPC.2808');
  });

  test('create: at most 5 routes', async () => {
    const routes = (n: number) =>
      Array.from({ length: n }, (_, i) => ({
        type: 'ecs',
        destination: `172.20.${i}.0/24`,
        nexthop: `i-${i}`,
      }));
    const five = await w.api('POST', '/routetables', {
      routetable: { vpc_id: vpc.id, name: 'five', description: 'five routes', routes: routes(5) },
    });
    assert.equal(five.status, 200, five.raw);
    assert.equal(five.body.routetable.name, 'five');
    assert.equal(five.body.routetable.description, 'five routes');
    assert.equal(five.body.routetable.default, false);
    assert.equal(five.body.routetable.routes.length, 5);

    const before = (await listTables(`?vpc_id=${vpc.id}`)).length;
    const six = await w.api('POST', '/routetables', { routetable: { vpc_id: vpc.id, routes: routes(6) } });
    expectVpcError(six, 400, 'VPC.0101');
    assert.equal((await listTables(`?vpc_id=${vpc.id}`)).length, before);

    const unknownVpc = await w.api('POST', '/routetables', {
      routetable: { vpc_id: '00000000-0000-4000-8000-000000000000' },
    });
    expectVpcError(unknownVpc, 404, 'VPC.0103');
  });

  test('create: routes follow the same rules as an update, and a refused create makes nothing', async () => {
    const before = (await listTables(`?vpc_id=${vpc.id}`)).length;
    const cases: [string, Route[], string][] = [
      [
        'duplicate destinations',
        [
          { type: 'ecs', destination: '172.21.0.0/24', nexthop: 'a' },
          { type: 'ecs', destination: '172.21.0.0/24', nexthop: 'b' },
        ],
        'VPC.2809',
      ],
      ['inside the VPC', [{ type: 'ecs', destination: '192.168.5.0/24', nexthop: 'a' }], 'VPC.2809'],
      ['a local route', [{ type: 'local', destination: '172.21.0.0/24', nexthop: 'a' }], 'VPC.2801'],
      ['an egw route', [{ type: 'egw', destination: '172.21.0.0/24', nexthop: 'a' }], 'VPC.2801'],
      ['not a CIDR', [{ type: 'ecs', destination: '172.21.0.0', nexthop: 'a' }], 'VPC.2801'],
    ];
    for (const [why, routes, code] of cases) {
      const res = await w.api('POST', '/routetables', { routetable: { vpc_id: vpc.id, routes } });
      assert.equal(res.status, 400, `${why}: ${res.raw}`);
      expectVpcError(res, 400, code);
    }
    assert.equal((await listTables(`?vpc_id=${vpc.id}`)).length, before);
    const unknownType = await w.api('POST', '/routetables', {
      routetable: {
        vpc_id: vpc.id,
        routes: [{ type: 'gateway', destination: '172.21.0.0/24', nexthop: 'a' }],
      },
    });
    expectVpcError(unknownType, 400, 'VPC.0101');
  });

  test('a route naming another table lands in this one only (fields beyond the route are ignored)', async () => {
    const mine = await createTable(w, vpc.id);
    const theirs = await createTable(w, vpc.id);
    const before = await routesOf(w, theirs);
    for (const [body, verb] of [
      [{ routetable: { vpc_id: vpc.id, routes: [] } }, 'create'],
      [{}, 'update'],
    ] as const) {
      const route = {
        type: 'ecs',
        destination: `172.23.${verb === 'create' ? 1 : 2}.0/24`,
        nexthop: 'i-x',
        routetable_id: theirs,
        endpoint_id: 'ep-forged',
      };
      const res =
        verb === 'create'
          ? await w.api('POST', '/routetables', { routetable: { ...body.routetable, routes: [route] } })
          : await w.api('PUT', `/routetables/${mine}`, { routetable: { routes: { add: [route] } } });
      assert.equal(res.status, 200, res.raw);
      const target = verb === 'create' ? res.body.routetable.id : mine;
      assert.ok(
        (await routesOf(w, target)).some((r) => r.destination === route.destination && r.type === 'ecs'),
      );
    }
    assert.deepEqual(await routesOf(w, theirs), before, 'the other table is untouched');
    // A forged endpoint_id would make the route look like an endpoint's: deleting it must still work.
    const del = await w.api('PUT', `/routetables/${mine}`, {
      routetable: { routes: { del: [{ destination: '172.23.2.0/24' }] } },
    });
    assert.equal(del.status, 200, del.raw);
  });

  test('update: add, mod, del, name and description', async () => {
    const table = await createTable(w, vpc.id, [
      { type: 'ecs', destination: '172.22.0.0/24', nexthop: 'i-a' },
    ]);
    const res = await w.api('PUT', `/routetables/${table}`, {
      routetable: {
        name: 'renamed',
        description: 'new',
        routes: {
          add: [{ type: 'nat', destination: '172.22.1.0/24', nexthop: 'nat-1', description: 'to nat' }],
          mod: [{ type: 'vip', destination: '172.22.0.0/24', nexthop: 'vip-1' }],
        },
      },
    });
    assert.equal(res.status, 200, res.raw);
    assert.equal(res.body.routetable.name, 'renamed');
    assert.equal(res.body.routetable.description, 'new');
    assert.deepEqual(res.body.routetable.routes, [
      { type: 'vip', destination: '172.22.0.0/24', nexthop: 'vip-1', description: '' },
      { type: 'nat', destination: '172.22.1.0/24', nexthop: 'nat-1', description: 'to nat' },
    ]);
    assert.deepEqual(await routesOf(w, table), res.body.routetable.routes);

    const del = await updateRoutes(table, { del: [{ destination: '172.22.0.0/24' }] });
    assert.equal(del.status, 200, del.raw);
    assert.deepEqual(
      (await routesOf(w, table)).map((r) => r.destination),
      ['172.22.1.0/24'],
    );

    expectVpcError(await updateRoutes(table, { del: [{ destination: '172.22.9.0/24' }] }), 400, 'VPC.2801');
    expectVpcError(
      await updateRoutes(table, { mod: [{ type: 'ecs', destination: '172.22.9.0/24', nexthop: 'x' }] }),
      400,
      'VPC.2801',
    );
    expectVpcError(
      await w.api('PUT', '/routetables/00000000-0000-4000-8000-000000000000', { routetable: { name: 'x' } }),
      404,
      'VPC.2808',
    );
  });

  test('update: destinations are unique, outside the VPC CIDR, and a refused change changes nothing', async () => {
    const table = await createTable(w, vpc.id, [
      { type: 'ecs', destination: '172.23.0.0/24', nexthop: 'i-a' },
    ]);
    const before = await routesOf(w, table);
    const ok = { type: 'ecs', destination: '172.23.5.0/24', nexthop: 'i-b' };
    const cases: [string, Record<string, unknown>, string][] = [
      [
        'existing destination',
        { add: [ok, { type: 'ecs', destination: '172.23.0.0/24', nexthop: 'x' }] },
        'VPC.2809',
      ],
      [
        'twice in one call',
        {
          add: [
            { type: 'ecs', destination: '172.23.6.0/24', nexthop: 'x' },
            { type: 'nat', destination: '172.23.6.0/24', nexthop: 'y' },
          ],
        },
        'VPC.2809',
      ],
      [
        'the VPC CIDR itself',
        { add: [ok, { type: 'ecs', destination: '192.168.0.0/16', nexthop: 'x' }] },
        'VPC.2809',
      ],
      [
        'inside the VPC CIDR',
        { add: [ok, { type: 'ecs', destination: '192.168.3.0/24', nexthop: 'x' }] },
        'VPC.2809',
      ],
      [
        'a host of the VPC',
        { add: [ok, { type: 'ecs', destination: '192.168.3.7/32', nexthop: 'x' }] },
        'VPC.2809',
      ],
      [
        'mod into the VPC',
        { add: [ok], mod: [{ type: 'ecs', destination: '192.168.3.0/24', nexthop: 'x' }] },
        'VPC.2809',
      ],
      ['not a CIDR', { add: [ok, { type: 'ecs', destination: '300.1.0.0/16', nexthop: 'x' }] }, 'VPC.2801'],
    ];
    for (const [why, routes, code] of cases) {
      const res = await updateRoutes(table, routes);
      assert.equal(res.status, 400, `${why}: ${res.raw}`);
      expectVpcError(res, 400, code);
      assert.deepEqual(await routesOf(w, table), before, why);
    }
  });

  test('update: at most 200 routes per table → VPC.2803 on the 201st', async () => {
    const table = await createTable(w, vpc.id);
    const route = (i: number) => ({ type: 'ecs', destination: `172.24.${i}.0/24`, nexthop: `i-${i}` });
    const fill = await updateRoutes(table, { add: Array.from({ length: 200 }, (_, i) => route(i)) });
    assert.equal(fill.status, 200, fill.raw);
    assert.equal((await routesOf(w, table)).length, 200);

    const extra = await updateRoutes(table, { add: [route(200)] });
    expectVpcError(extra, 400, 'VPC.2803');
    assert.equal((await routesOf(w, table)).length, 200);

    // A swap (del one, add one) stays at 200 and is fine.
    const swap = await updateRoutes(table, { add: [route(200)], del: [{ destination: '172.24.0.0/24' }] });
    assert.equal(swap.status, 200, swap.raw);
    assert.equal((await routesOf(w, table)).length, 200);

    // The default table counts its local route: 199 user routes fill it.
    const other = await createVpc(w, '10.40.0.0/16', 'full-default');
    const full = await updateRoutes(other.defaultTable, {
      add: Array.from({ length: 199 }, (_, i) => route(i)),
    });
    assert.equal(full.status, 200, full.raw);
    expectVpcError(await updateRoutes(other.defaultTable, { add: [route(250)] }), 400, 'VPC.2803');
    assert.equal((await routesOf(w, other.defaultTable)).length, 200);

    // 201 in one create-then-update call is refused as a whole.
    const fresh = await createTable(w, vpc.id);
    const tooMany = await updateRoutes(fresh, { add: Array.from({ length: 201 }, (_, i) => route(i)) });
    expectVpcError(tooMany, 400, 'VPC.2803');
    assert.deepEqual(await routesOf(w, fresh), []);
  });

  test('update: local and egw routes are refused with a 400 naming the route', async () => {
    const own = await createVpc(w, '10.50.0.0/16', 'system-routes');
    const table = await createTable(w, own.id);
    await createEndpoint(w, await gatewayService(w), own.id, [table, own.defaultTable]);
    const egw = (await routesOf(w, table)).find((r) => r.type === 'egw');
    assert.ok(egw, 'the endpoint programmed an egw route');
    const egwDest = egw.destination;
    const cases: [string, string, Record<string, unknown>, string][] = [
      [
        'add a local route',
        table,
        { add: [{ type: 'local', destination: '172.25.0.0/16', nexthop: 'x' }] },
        '172.25.0.0/16',
      ],
      [
        'add an egw route',
        table,
        { add: [{ type: 'egw', destination: '172.26.0.0/16', nexthop: 'x' }] },
        '172.26.0.0/16',
      ],
      [
        'add over the egw route',
        table,
        { add: [{ type: 'ecs', destination: egwDest, nexthop: 'x' }] },
        egwDest,
      ],
      ['mod the egw route', table, { mod: [{ type: 'ecs', destination: egwDest, nexthop: 'x' }] }, egwDest],
      [
        'mod into an egw route',
        table,
        { mod: [{ type: 'egw', destination: egwDest, nexthop: 'x' }] },
        egwDest,
      ],
      ['del the egw route', table, { del: [{ destination: egwDest }] }, egwDest],
      ['del the local route', own.defaultTable, { del: [{ destination: '10.50.0.0/16' }] }, '10.50.0.0/16'],
      [
        'mod the local route',
        own.defaultTable,
        { mod: [{ type: 'ecs', destination: '10.50.0.0/16', nexthop: 'x' }] },
        '10.50.0.0/16',
      ],
      ['del the default egw route', own.defaultTable, { del: [{ destination: egwDest }] }, egwDest],
    ];
    for (const [why, tableId, routes, named] of cases) {
      const before = await routesOf(w, tableId);
      const res = await updateRoutes(tableId, routes);
      assert.equal(res.status, 400, `${why}: ${res.raw}`);
      assert.ok(String(res.body.code).startsWith('VPC.'), `${why}: ${res.raw}`);
      assert.ok(res.body.message.includes(named), `${why}: ${res.body.message}`);
      assert.deepEqual(await routesOf(w, tableId), before, why);
    }
    expectVpcError(
      await updateRoutes(table, { add: [{ type: 'egw', destination: '172.26.0.0/16', nexthop: 'x' }] }),
      400,
      'VPC.2801',
    );
    expectVpcError(await updateRoutes(table, { del: [{ destination: egwDest }] }), 400, 'VPC.2801');
  });

  test('delete: not the default table, not with subnets, not while an endpoint is bound; then 204 and 404', async () => {
    const own = await createVpc(w, '10.60.0.0/16', 'rt-delete');
    const table = await createTable(w, own.id);
    const subnet = await createSubnet(own.id, '10.60.1.0/24', '10.60.1.1');

    expectVpcError(await w.api('DELETE', `/routetables/${own.defaultTable}`), 400, 'VPC.2802');

    assert.equal((await action(table, { associate: [subnet] })).status, 200);
    const withSubnet = await w.api('DELETE', `/routetables/${table}`);
    expectVpcError(withSubnet, 400, 'VPC.2802');
    assert.ok(withSubnet.body.message.includes(subnet), withSubnet.raw);
    assert.equal((await action(table, { disassociate: [subnet] })).status, 200);

    const ep = await createEndpoint(w, await gatewayService(w), own.id, [table]);
    const withEndpoint = await w.api('DELETE', `/routetables/${table}`);
    expectVpcError(withEndpoint, 400, 'VPC.2802');
    assert.ok(withEndpoint.body.message.includes(ep), withEndpoint.raw);
    assert.equal((await routesOf(w, table)).filter((r) => r.type === 'egw').length, 1);

    assert.equal((await w.api('DELETE', `/vpc-endpoints/${ep}`)).status, 204);
    const del = await w.api('DELETE', `/routetables/${table}`);
    assert.equal(del.status, 204, del.raw);
    assert.equal(del.raw, '');
    expectVpcError(await w.api('GET', `/routetables/${table}`), 404, 'VPC.2808');
    expectVpcError(await w.api('DELETE', `/routetables/${table}`), 404, 'VPC.2808');
    assert.deepEqual(
      (await listTables(`?vpc_id=${own.id}`)).map((t) => t.id),
      [own.defaultTable],
    );
  });

  test('associate and disassociate subnets', async () => {
    const own = await createVpc(w, '10.70.0.0/16', 'assoc');
    const a = await createTable(w, own.id, [], 'a');
    const b = await createTable(w, own.id, [], 'b');
    const s1 = await createSubnet(own.id, '10.70.1.0/24', '10.70.1.1');
    const s2 = await createSubnet(own.id, '10.70.2.0/24', '10.70.2.1');
    const subnetsOf = async () =>
      Object.fromEntries(
        (await listTables(`?vpc_id=${own.id}`)).map((t) => [t.id, t.subnets.map((s) => s.id).sort()]),
      );
    assert.deepEqual(await subnetsOf(), { [own.defaultTable]: [s1, s2].sort(), [a]: [], [b]: [] });

    const res = await action(a, { associate: [s1, s2] });
    assert.equal(res.status, 200, res.raw);
    assert.equal(res.body.routetable.id, a);
    assert.deepEqual(res.body.routetable.subnets.map((s: { id: string }) => s.id).sort(), [s1, s2].sort());
    assert.ok(Array.isArray(res.body.routetable.routes));
    assert.deepEqual(await subnetsOf(), { [own.defaultTable]: [], [a]: [s1, s2].sort(), [b]: [] });

    // Associating with another table moves the subnet.
    assert.equal((await action(b, { associate: [s2] })).status, 200);
    assert.deepEqual(await subnetsOf(), { [own.defaultTable]: [], [a]: [s1], [b]: [s2] });

    // Disassociating returns it to the default table.
    assert.equal((await action(a, { disassociate: [s1] })).status, 200);
    assert.deepEqual(await subnetsOf(), { [own.defaultTable]: [s1], [a]: [], [b]: [s2] });

    // Associating with the default table also moves it back.
    assert.equal((await action(own.defaultTable, { associate: [s2] })).status, 200);
    assert.deepEqual(await subnetsOf(), { [own.defaultTable]: [s1, s2].sort(), [a]: [], [b]: [] });

    // Refusals change nothing.
    const foreignVpc = await createVpc(w, '10.71.0.0/16', 'assoc-foreign');
    const foreign = await createSubnet(foreignVpc.id, '10.71.1.0/24', '10.71.1.1');
    expectVpcError(await action(a, { associate: [foreign] }), 404, 'VPC.0201');
    expectVpcError(await action(a, { disassociate: [s1] }), 404, 'VPC.0201');
    expectVpcError(await action(own.defaultTable, { disassociate: [s1] }), 400, 'VPC.2802');
    expectVpcError(
      await action('00000000-0000-4000-8000-000000000000', { associate: [s1] }),
      404,
      'VPC.2808',
    );
    assert.deepEqual(await subnetsOf(), { [own.defaultTable]: [s1, s2].sort(), [a]: [], [b]: [] });
  });

  test('user routes survive alongside egw routes and list only what the user added', async () => {
    const own = await createVpc(w, '10.80.0.0/16', 'mixed');
    const table = await createTable(w, own.id, [
      { type: 'peering', destination: '172.27.0.0/16', nexthop: 'p-1' },
    ]);
    await createEndpoint(w, await gatewayService(w), own.id, [table]);
    const add = await updateRoutes(table, {
      add: [{ type: 'vpn', destination: '172.28.0.0/16', nexthop: 'v-1' }],
    });
    assert.equal(add.status, 200, add.raw);
    const routes = await routesOf(w, table);
    assert.deepEqual(
      userRoutes(routes).map((r) => r.destination),
      ['172.27.0.0/16', '172.28.0.0/16'],
    );
    assert.equal(routes.filter((r) => r.type === 'egw').length, 1);
  });
});
