import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { expectEpError, ok } from '../helpers/expect.ts';
import { expectPublished } from '../helpers/published.ts';
import { createPort, createService, createSubnet, createVpc } from '../helpers/fixtures.ts';
import { createAccount, tenantWorld } from '../helpers/tenants.ts';
import { makeWorld, PROJECT_ID, type World } from '../helpers/world.ts';

/**
 * Endpoint services of users, the provider's side (CreateEndpointService, ListEndpointService,
 * ListServiceDetails, UpdateEndpointService, UpdateEndpointServiceName, DeleteEndpointService;
 * spec/interface-services.md).
 */

let w: World;
let vpc: string;
let subnet: string;
let domainId: string;
before(async () => {
  w = await makeWorld();
  vpc = (await createVpc(w)).id;
  subnet = await createSubnet(w, vpc);
  domainId = (await w.call('GET', '/v3/auth/domains')).body.domains[0].id;
});
after(() => w.close());

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const EP_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const NO_SUCH = '00000000-0000-4000-8000-000000000000';

const newPort = async () => (await createPort(w, subnet)).id;

describe('CreateEndpointService', () => {
  test('200 with the service in creating; named <region>.<name>.<id>; available once provisioned', async () => {
    const port = await newPort();
    const res = ok(
      await w.api('POST', '/vpc-endpoint-services', {
        port_id: port,
        vpc_id: vpc,
        server_type: 'VM',
        service_name: 'my_svc-1',
        ports: [
          { client_port: 80, server_port: 8080, protocol: 'TCP' },
          { client_port: 443, server_port: 8443 },
        ],
        tcp_proxy: 'toa_open',
        description: 'shop backend',
        tags: [{ key: 'team', value: 'shop' }],
      }),
    );
    expectPublished(res, 'CreateEndpointService');
    const s = res.body;
    assert.match(s.id, UUID);
    assert.match(s.created_at, EP_TIME);
    const expected = {
      id: s.id,
      port_id: port,
      vpc_id: vpc,
      service_name: `cn-north-4.my_svc-1.${s.id}`,
      service_type: 'interface',
      server_type: 'VM',
      approval_enabled: true,
      status: 'creating',
      ports: [
        { client_port: 80, server_port: 8080, protocol: 'TCP' },
        { client_port: 443, server_port: 8443, protocol: 'TCP' },
      ],
      tcp_proxy: 'toa_open',
      tags: [{ key: 'team', value: 'shop' }],
      description: 'shop backend',
      enable_policy: false,
      cidr_type: 'internal',
      connection_count: 0,
      project_id: PROJECT_ID,
      domain_id: domainId,
      created_at: s.created_at,
      updated_at: s.created_at,
    };
    assert.deepEqual(s, expected);
    // The default delay is 0: the next read finds it available.
    const shown = ok(await w.api('GET', `/vpc-endpoint-services/${s.id}`));
    expectPublished(shown, 'ListServiceDetails');
    assert.deepEqual(shown.body, { ...expected, status: 'available' });
  });

  test('defaults: no name → <region>.<id>, approval on, tcp_proxy close, no tags, no description', async () => {
    const s = await createService(w, vpc, await newPort());
    assert.equal(s.service_name, `cn-north-4.${s.id}`);
    assert.equal(s.approval_enabled, true);
    assert.equal(s.tcp_proxy, 'close');
    assert.deepEqual(s.tags, []);
    assert.equal(s.description, '');
    assert.equal(
      (await createService(w, vpc, await newPort(), { service_name: '' })).service_name.split('.').length,
      2,
    );
  });

  test('each published field rule broken → its status and code', async () => {
    const port = await newPort();
    const other = await createVpc(w, '10.1.0.0/16', 'other');
    const otherPort = (await createPort(w, await createSubnet(w, other.id, '10.1.1.0/24'))).id;
    const base = {
      port_id: port,
      vpc_id: vpc,
      server_type: 'VM',
      ports: [{ client_port: 80, server_port: 80 }],
    };
    const mapping = (p: Record<string, unknown>) => ({ ...base, ports: [p] });
    const cases: [string, unknown, number, string][] = [
      ['no body', undefined, 400, 'EndPoint.0011'],
      ['no port_id', { ...base, port_id: undefined }, 400, 'EndPoint.0002'],
      ['port_id of no port', { ...base, port_id: NO_SUCH }, 400, 'EndPoint.3008'],
      ['port_id over 64', { ...base, port_id: 'p'.repeat(65) }, 400, 'EndPoint.0002'],
      ['port of another VPC', { ...base, port_id: otherPort }, 400, 'EndPoint.3042'],
      ['no vpc_id', { ...base, vpc_id: undefined }, 400, 'EndPoint.0002'],
      ['vpc_id of no VPC', { ...base, vpc_id: NO_SUCH }, 400, 'EndPoint.2001'],
      ['vpc_id over 64', { ...base, vpc_id: 'v'.repeat(65) }, 400, 'EndPoint.0020'],
      ['no server_type', { ...base, server_type: undefined }, 400, 'EndPoint.0002'],
      ['server_type ECS', { ...base, server_type: 'ECS' }, 400, 'EndPoint.3021'],
      ['no ports', { ...base, ports: undefined }, 400, 'EndPoint.0002'],
      ['ports empty', { ...base, ports: [] }, 400, 'EndPoint.2028'],
      [
        'ports: 201 mappings',
        { ...base, ports: Array.from({ length: 201 }, (_, i) => ({ client_port: i + 1, server_port: 80 })) },
        400,
        'EndPoint.3074',
      ],
      ['client_port 0', mapping({ client_port: 0, server_port: 80 }), 400, 'EndPoint.3043'],
      ['server_port 65536', mapping({ client_port: 80, server_port: 65536 }), 400, 'EndPoint.3043'],
      ['client_port "80"', mapping({ client_port: '80', server_port: 80 }), 400, 'EndPoint.3043'],
      ['no server_port', mapping({ client_port: 80 }), 400, 'EndPoint.3043'],
      ['protocol UDP', mapping({ client_port: 80, server_port: 80, protocol: 'UDP' }), 400, 'EndPoint.3075'],
      [
        'a client port mapped twice',
        {
          ...base,
          ports: [
            { client_port: 80, server_port: 80 },
            { client_port: 80, server_port: 81 },
          ],
        },
        400,
        'EndPoint.3043',
      ],
      ['service_name of 17', { ...base, service_name: 'a'.repeat(17) }, 400, 'EndPoint.3076'],
      ['service_name with a dot', { ...base, service_name: 'a.b' }, 400, 'EndPoint.3076'],
      ['approval_enabled "yes"', { ...base, approval_enabled: 'yes' }, 400, 'EndPoint.0002'],
      ['service_type gateway', { ...base, service_type: 'gateway' }, 400, 'EndPoint.1004'],
      ['service_type other', { ...base, service_type: 'other' }, 400, 'EndPoint.0002'],
      ['tcp_proxy on', { ...base, tcp_proxy: 'on' }, 400, 'EndPoint.0002'],
      ['description of 513', { ...base, description: 'd'.repeat(513) }, 400, 'EndPoint.0002'],
      ['description with <', { ...base, description: '<b>' }, 400, 'EndPoint.0002'],
      [
        '21 tags',
        { ...base, tags: Array.from({ length: 21 }, (_, i) => ({ key: `k${i}`, value: '' })) },
        400,
        'EndPoint.3069',
      ],
    ];
    for (const [why, body, status, code] of cases) {
      const res = await w.api('POST', '/vpc-endpoint-services', body);
      assert.equal(res.status, status, `${why}: ${res.raw}`);
      assert.equal(res.body.error.code, code, `${why}: ${res.raw}`);
      expectEpError(res, status, code);
    }
    const listed = ok(await w.api('GET', `/vpc-endpoint-services?limit=1000`)).body.endpoint_services;
    assert.ok(
      !listed.some((s: { port_id: string }) => s.port_id === port),
      'a refused create made a service',
    );
  });

  test('services sharing a port repeat no server port: 400 EndPoint.3044', async () => {
    const port = await newPort();
    await createService(w, vpc, port, { ports: [{ client_port: 80, server_port: 8080 }] });
    const clash = await w.api('POST', '/vpc-endpoint-services', {
      port_id: port,
      vpc_id: vpc,
      server_type: 'VM',
      ports: [{ client_port: 81, server_port: 8080 }],
    });
    expectEpError(clash, 400, 'EndPoint.3044');
    await createService(w, vpc, port, { ports: [{ client_port: 80, server_port: 8081 }] });
  });
});

describe('ListEndpointService and ListServiceDetails', () => {
  test('own services only; filters, sort, paging and their codes', async () => {
    const l = await makeWorld();
    try {
      const lv = (await createVpc(l)).id;
      const ls = await createSubnet(l, lv);
      const made = [];
      for (const name of ['alpha', 'beta', 'gamma']) {
        made.push(await createService(l, lv, (await createPort(l, ls)).id, { service_name: name }));
        l.clock.advance(1_000);
      }
      const ids = async (q: string) =>
        ok(await l.api('GET', `/vpc-endpoint-services${q}`)).body.endpoint_services.map(
          (s: { id: string }) => s.id,
        );
      const [a, b, c] = made.map((s) => s.id);
      assert.deepEqual(await ids(''), [c, b, a]);
      assert.deepEqual(await ids('?sort_dir=asc'), [a, b, c]);
      assert.deepEqual(await ids('?sort_key=update_at&sort_dir=asc&limit=2&offset=1'), [b, c]);
      assert.deepEqual(await ids('?endpoint_service_name=et'), [b]);
      assert.deepEqual(await ids(`?id=${a}`), [a]);
      assert.deepEqual(await ids('?status=available'), [c, b, a]);
      assert.deepEqual(await ids('?status=creating'), []);
      const res = ok(await l.api('GET', '/vpc-endpoint-services?limit=1'));
      expectPublished(res, 'ListEndpointService');
      assert.equal(res.body.total_count, 3);
      assert.deepEqual(res.body.endpoint_services[0], {
        ...ok(await l.api('GET', `/vpc-endpoint-services/${c}`)).body,
      });
      const refused: [string, string][] = [
        ['status=up', 'EndPoint.0019'],
        ['limit=0', 'EndPoint.0006'],
        ['limit=1001', 'EndPoint.0006'],
        ['offset=-1', 'EndPoint.0010'],
        ['sort_key=name', 'EndPoint.0017'],
        ['sort_dir=up', 'EndPoint.0018'],
        [`endpoint_service_name=${'n'.repeat(129)}`, 'EndPoint.0002'],
      ];
      for (const [q, code] of refused)
        expectEpError(await l.api('GET', `/vpc-endpoint-services?${q}`), 400, code);
    } finally {
      await l.close();
    }
  });

  test("another account's service, or none: 400 EndPoint.2003, on every call of the provider", async () => {
    const s = await createService(w, vpc, await newPort());
    const other = await createAccount(w, 'consumer-a');
    const ow = tenantWorld(w, other.projectId, () => other.token);
    for (const id of [s.id, NO_SUCH]) {
      expectEpError(await ow.api('GET', `/vpc-endpoint-services/${id}`), 400, 'EndPoint.2003');
      expectEpError(
        await ow.api('PUT', `/vpc-endpoint-services/${id}`, { description: 'x' }),
        400,
        'EndPoint.2003',
      );
      expectEpError(
        await ow.api('PUT', `/vpc-endpoint-services/${id}/name`, { endpoint_service_name: 'x' }),
        400,
        'EndPoint.2003',
      );
      expectEpError(await ow.api('DELETE', `/vpc-endpoint-services/${id}`), 400, 'EndPoint.2003');
    }
    assert.equal(ok(await ow.api('GET', '/vpc-endpoint-services')).body.total_count, 0);
    expectPublished(await w.api('GET', `/vpc-endpoint-services/${s.id}`), 'ListServiceDetails');
  });
});

describe('UpdateEndpointService and UpdateEndpointServiceName', () => {
  test('200 with the service changed; the name keeps <region>.<name>.<id>', async () => {
    const s = await createService(w, vpc, await newPort(), { service_name: 'before' });
    const port = await newPort();
    w.clock.advance(2_000);
    const res = ok(
      await w.api('PUT', `/vpc-endpoint-services/${s.id}`, {
        port_id: port,
        ports: [{ client_port: 22, server_port: 2222 }],
        service_name: 'after',
        approval_enabled: false,
        tcp_proxy: 'proxy_open',
        description: 'changed',
      }),
    );
    expectPublished(res, 'UpdateEndpointService');
    assert.deepEqual(res.body, {
      ...ok(await w.api('GET', `/vpc-endpoint-services/${s.id}`)).body,
    });
    assert.equal(res.body.port_id, port);
    assert.deepEqual(res.body.ports, [{ client_port: 22, server_port: 2222, protocol: 'TCP' }]);
    assert.equal(res.body.service_name, `cn-north-4.after.${s.id}`);
    assert.equal(res.body.approval_enabled, false);
    assert.equal(res.body.tcp_proxy, 'proxy_open');
    assert.equal(res.body.description, 'changed');
    assert.notEqual(res.body.updated_at, res.body.created_at);

    const renamed = ok(
      await w.api('PUT', `/vpc-endpoint-services/${s.id}/name`, { endpoint_service_name: 'new_1' }),
    );
    expectPublished(renamed, 'UpdateEndpointServiceName');
    assert.deepEqual(renamed.body, { endpoint_service_name: `cn-north-4.new_1.${s.id}` });
    assert.equal(
      ok(await w.api('GET', `/vpc-endpoint-services/${s.id}`)).body.service_name,
      `cn-north-4.new_1.${s.id}`,
    );
  });

  test('each field rule broken → its status and code', async () => {
    const port = await newPort();
    const s = await createService(w, vpc, port, { ports: [{ client_port: 80, server_port: 9000 }] });
    const neighbour = await createService(w, vpc, port, { ports: [{ client_port: 80, server_port: 9001 }] });
    const url = `/vpc-endpoint-services/${s.id}`;
    const cases: [string, string, unknown, string][] = [
      ['no body', url, undefined, 'EndPoint.0011'],
      ['service_name empty', url, { service_name: '' }, 'EndPoint.3076'],
      ['service_name of 17', url, { service_name: 'n'.repeat(17) }, 'EndPoint.3076'],
      ['port_id of no port', url, { port_id: NO_SUCH }, 'EndPoint.3008'],
      ['ports empty', url, { ports: [] }, 'EndPoint.2028'],
      [
        'ports clash with a neighbour',
        url,
        { ports: [{ client_port: 1, server_port: 9001 }] },
        'EndPoint.3044',
      ],
      [
        'protocol UDP',
        url,
        { ports: [{ client_port: 1, server_port: 1, protocol: 'UDP' }] },
        'EndPoint.3075',
      ],
      ['tcp_proxy on', url, { tcp_proxy: 'on' }, 'EndPoint.0002'],
      ['approval_enabled 1', url, { approval_enabled: 1 }, 'EndPoint.0002'],
      ['description with >', url, { description: 'a>b' }, 'EndPoint.0002'],
      ['name: no body', `${url}/name`, undefined, 'EndPoint.0011'],
      ['name: none', `${url}/name`, {}, 'EndPoint.0002'],
      ['name: empty', `${url}/name`, { endpoint_service_name: '' }, 'EndPoint.3076'],
      ['name: of 17', `${url}/name`, { endpoint_service_name: 'n'.repeat(17) }, 'EndPoint.3076'],
      ['name: a space', `${url}/name`, { endpoint_service_name: 'a b' }, 'EndPoint.3076'],
    ];
    for (const [why, at, body, code] of cases) {
      const res = await w.api('PUT', at, body);
      assert.equal(res.body?.error?.code, code, `${why}: ${res.raw}`);
      expectEpError(res, 400, code);
    }
    assert.ok(neighbour.id);
  });

  test('while creating, a service does not change: 400 EndPoint.3045; provisioned, it does', async () => {
    const slow = await makeWorld({ provisioningDelayMs: 60_000 });
    try {
      const sv = (await createVpc(slow)).id;
      const s = await createService(slow, sv, (await createPort(slow, await createSubnet(slow, sv))).id);
      assert.equal(ok(await slow.api('GET', `/vpc-endpoint-services/${s.id}`)).body.status, 'creating');
      const url = `/vpc-endpoint-services/${s.id}`;
      expectEpError(await slow.api('PUT', url, { description: 'x' }), 400, 'EndPoint.3045');
      expectEpError(
        await slow.api('PUT', `${url}/name`, { endpoint_service_name: 'x' }),
        400,
        'EndPoint.3045',
      );
      slow.clock.advance(60_000);
      assert.equal(ok(await slow.api('GET', url)).body.status, 'available');
      ok(await slow.api('PUT', url, { description: 'x' }));
    } finally {
      await slow.close();
    }
  });
});

describe('DeleteEndpointService', () => {
  test('204, then the service is gone: 400 EndPoint.2003', async () => {
    const s = await createService(w, vpc, await newPort());
    const res = ok(await w.api('DELETE', `/vpc-endpoint-services/${s.id}`), 204);
    expectPublished(res, 'DeleteEndpointService');
    expectEpError(await w.api('GET', `/vpc-endpoint-services/${s.id}`), 400, 'EndPoint.2003');
    expectEpError(await w.api('DELETE', `/vpc-endpoint-services/${s.id}`), 400, 'EndPoint.2003');
  });

  test('refused while an endpoint is connected: 400 EndPoint.3006; 204 once it is deleted', async () => {
    const s = await createService(w, vpc, await newPort(), { approval_enabled: false });
    const ep = ok(
      await w.api('POST', '/vpc-endpoints', { endpoint_service_id: s.id, vpc_id: vpc, subnet_id: subnet }),
    );
    assert.equal(ok(await w.api('GET', `/vpc-endpoint-services/${s.id}`)).body.connection_count, 1);
    expectEpError(await w.api('DELETE', `/vpc-endpoint-services/${s.id}`), 400, 'EndPoint.3006');
    ok(await w.api('DELETE', `/vpc-endpoints/${ep.body.id}`), 204);
    expectPublished(await w.api('DELETE', `/vpc-endpoint-services/${s.id}`), 'DeleteEndpointService');
  });
});
