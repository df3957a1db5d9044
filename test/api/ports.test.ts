import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { expectVpcError, ok, sorted } from '../helpers/expect.ts';
import { createPort, createService, createSubnet, createVpc } from '../helpers/fixtures.ts';
import { makeWorld, PROJECT_ID, type World } from '../helpers/world.ts';

/** Ports of the VPC API (vpc.json: CreatePort, ListPorts, DeletePort; spec/interface-services.md). */

let w: World;
let vpc: string;
let subnet: string;
before(async () => {
  w = await makeWorld();
  vpc = (await createVpc(w)).id;
  subnet = await createSubnet(w, vpc);
});
after(() => w.close());

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const NO_SUCH = '00000000-0000-4000-8000-000000000000';
const portBody = (port: Record<string, unknown>) => ({ port: { network_id: subnet, ...port } });

describe('CreatePort', () => {
  test('201 with the published /v1 port: the lowest free address of the subnet, DOWN', async () => {
    const res = ok(await w.api('POST', '/ports', portBody({ name: 'web', security_groups: [NO_SUCH] })), 201);
    const p = res.body.port;
    assert.match(p.id, UUID);
    assert.match(p.mac_address, /^fa:16:3e(:[0-9a-f]{2}){3}$/);
    assert.deepEqual(res.body, {
      port: {
        id: p.id,
        name: 'web',
        network_id: subnet,
        admin_state_up: true,
        mac_address: p.mac_address,
        fixed_ips: [{ ip_address: '10.0.1.2', subnet_id: subnet }],
        device_id: '',
        device_owner: '',
        tenant_id: PROJECT_ID,
        status: 'DOWN',
        security_groups: [NO_SUCH],
        allowed_address_pairs: [],
        extra_dhcp_opts: [],
        'binding:vnic_type': 'normal',
        'binding:profile': {},
        'binding:vif_details': {},
        dns_assignment: [],
        dns_name: '',
        enable_efi: false,
        instance_id: '',
        instance_type: '',
        ipv6_bandwidth_id: '',
        port_security_enabled: true,
        zone_id: '',
      },
    });
    const next = await createPort(w, subnet);
    assert.equal(next.fixed_ips[0]!.ip_address, '10.0.1.3');
  });

  test('a fixed IP from fixed_ips; the same address again → 409 VPC.0701', async () => {
    const p = await createPort(w, subnet, '10.0.1.100');
    assert.equal(p.fixed_ips[0]!.ip_address, '10.0.1.100');
    const again = portBody({ fixed_ips: [{ ip_address: '10.0.1.100', subnet_id: subnet }] });
    expectVpcError(await w.api('POST', '/ports', again), 409, 'VPC.0701');
  });

  test('each field rule broken → its status and code', async () => {
    const cases: [string, unknown, number, string][] = [
      ['no port', {}, 400, 'VPC.0101'],
      ['no network_id', { port: { name: 'x' } }, 400, 'VPC.0101'],
      ['network_id of no subnet', { port: { network_id: NO_SUCH } }, 404, 'VPC.0201'],
      ['network_id over 64', { port: { network_id: 'x'.repeat(65) } }, 400, 'VPC.0101'],
      ['name over 255', portBody({ name: 'x'.repeat(256) }), 400, 'VPC.0101'],
      ['admin_state_up false', portBody({ admin_state_up: false }), 400, 'VPC.0101'],
      ['device_owner unknown', portBody({ device_owner: 'compute:nova' }), 400, 'VPC.0101'],
      ['two fixed_ips', portBody({ fixed_ips: [{}, {}] }), 400, 'VPC.0101'],
      ['ip_address not IPv4', portBody({ fixed_ips: [{ ip_address: '10.0.1' }] }), 400, 'VPC.0101'],
      ['ip_address outside', portBody({ fixed_ips: [{ ip_address: '10.0.2.5' }] }), 400, 'VPC.0101'],
      ['ip_address the gateway', portBody({ fixed_ips: [{ ip_address: '10.0.1.1' }] }), 400, 'VPC.0101'],
      ['ip_address broadcast', portBody({ fixed_ips: [{ ip_address: '10.0.1.255' }] }), 400, 'VPC.0101'],
      ['subnet_id of another subnet', portBody({ fixed_ips: [{ subnet_id: NO_SUCH }] }), 400, 'VPC.0101'],
      ['security_groups not ids', portBody({ security_groups: [1] }), 400, 'VPC.0101'],
    ];
    for (const [why, body, status, code] of cases) {
      const res = await w.api('POST', '/ports', body);
      assert.equal(res.status, status, `${why}: ${res.raw}`);
      expectVpcError(res, status, code);
    }
  });

  test('a full subnet → 409 VPCEP.2003; a deleted port frees its address', async () => {
    // A /29 has 8 addresses: network, gateway and the last three are kept, so three are free.
    const small = await createSubnet(w, vpc, '10.0.9.0/29', 'small');
    const made = [await createPort(w, small), await createPort(w, small), await createPort(w, small)];
    assert.deepEqual(
      made.map((p) => p.fixed_ips[0]!.ip_address),
      ['10.0.9.2', '10.0.9.3', '10.0.9.4'],
    );
    expectVpcError(await w.api('POST', '/ports', { port: { network_id: small } }), 409, 'VPCEP.2003');
    ok(await w.api('DELETE', `/ports/${made[1]!.id}`), 204);
    assert.equal((await createPort(w, small)).fixed_ips[0]!.ip_address, '10.0.9.3');
  });
});

describe('ListPorts', () => {
  test('the /v3 port shape, page_info and the request id', async () => {
    const own = await createSubnet(w, vpc, '10.0.20.0/24', 'listed');
    const p = await createPort(w, own);
    const res = ok(await w.call('GET', `/v3/${PROJECT_ID}/ports?virsubnet_id=${own}`));
    const listed = res.body.ports[0];
    assert.match(listed.created_at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
    assert.deepEqual(res.body, {
      ports: [
        {
          id: p.id,
          name: 'backend',
          description: '',
          admin_state_up: true,
          mac_address: listed.mac_address,
          private_ips: [{ ip_address: '10.0.20.2', subnet_cidr_id: own }],
          virsubnet_id: own,
          vpc_id: vpc,
          project_id: PROJECT_ID,
          tenant_id: PROJECT_ID,
          vpc_tenant_id: PROJECT_ID,
          device_id: '',
          device_owner: '',
          status: 'DOWN',
          security_groups: [],
          allowed_address_pairs: [],
          extra_dhcp_opts: [],
          tags: [],
          'binding:host_id': '',
          'binding:migration_info': {},
          'binding:profile': {},
          'binding:vif_details': {},
          'binding:vif_type': 'unbound',
          'binding:vnic_type': 'normal',
          ecs_flavor: '',
          enable_efi: false,
          instance_id: '',
          instance_type: '',
          instance_info: {},
          port_security_enabled: true,
          position_type: 'center',
          scope: 'center',
          vtep_ip: '',
          zone_id: '',
          created_at: listed.created_at,
          updated_at: listed.updated_at,
        },
      ],
      page_info: { current_count: 1, previous_marker: p.id },
      request_id: res.headers['x-request-id'],
    });
  });

  test('filters: one value or many, each list matching any of its values', async () => {
    const own = await createSubnet(w, vpc, '10.0.21.0/24', 'filtered');
    const [a, b] = [await createPort(w, own), await createPort(w, own)];
    const ids = async (query: string) =>
      ok(await w.call('GET', `/v3/${PROJECT_ID}/ports?${query}`)).body.ports.map((p: { id: string }) => p.id);
    // Ordered by creation time, then id: two made in one second come in id order.
    assert.deepEqual(await ids(`virsubnet_id=${own}`), sorted([a.id, b.id]));
    assert.deepEqual(await ids(`id=${a.id}&id=${b.id}&virsubnet_id=${own}`), sorted([a.id, b.id]));
    assert.deepEqual(await ids(`id=${b.id}`), [b.id]);
    assert.deepEqual(await ids(`private_ips=10.0.21.3&vpc_id=${vpc}`), [b.id]);
    assert.deepEqual(await ids(`id=${a.id}&status=ACTIVE`), []);
    assert.deepEqual(await ids(`vpc_id=${NO_SUCH}`), []);
  });
});

describe('DeletePort', () => {
  test('204; unknown → 404 VPCEP.2001; in use by a service → 409 VPCEP.2002 until the service goes', async () => {
    const p = await createPort(w, subnet);
    const service = await createService(w, vpc, p.id);
    expectVpcError(await w.api('DELETE', `/ports/${p.id}`), 409, 'VPCEP.2002');
    ok(await w.api('DELETE', `/vpc-endpoint-services/${service.id}`), 204);
    ok(await w.api('DELETE', `/ports/${p.id}`), 204);
    expectVpcError(await w.api('DELETE', `/ports/${p.id}`), 404, 'VPCEP.2001');
  });

  test('a subnet holding a port cannot be deleted: 409 VPCEP.2004, then 204 once the port is gone', async () => {
    const own = await createSubnet(w, vpc, '10.0.30.0/24', 'held');
    const p = await createPort(w, own);
    expectVpcError(await w.api('DELETE', `/vpcs/${vpc}/subnets/${own}`), 409, 'VPCEP.2004');
    ok(await w.api('DELETE', `/ports/${p.id}`), 204);
    ok(await w.api('DELETE', `/vpcs/${vpc}/subnets/${own}`), 204);
  });
});
