import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createPort, createService, createSubnet, createVpc } from '../helpers/fixtures.ts';
import { makeWorld, type Reply, type World } from '../helpers/world.ts';

/**
 * Address allocation racing on PostgreSQL (spec/interface-services.md, "Ports"): ports and interface
 * endpoints made at once in one subnet, through two replicas on one database, each get an address
 * of their own; once the subnet is full the rest are refused with their API's code, and nothing
 * fails with a 5xx. PostgreSQL only: on SQLite the whole database is the lock.
 */

const PG_URL = process.env.VPCEP_TEST_DATABASE_URL || undefined;

let one: World;
let two: World;

before(async () => {
  if (!PG_URL) return;
  one = await makeWorld();
  // A second replica: another app and pool on the same schema (same data dir, same bootstrap).
  two = await makeWorld({}, one.dir);
});
after(async () => {
  await two?.close();
  await one?.close();
});

test('ports and interface endpoints racing for the addresses of one subnet each get their own', async (t) => {
  if (!PG_URL) return t.skip('VPCEP_TEST_DATABASE_URL is not set');
  const vpc = (await createVpc(one)).id;
  const backend = await createSubnet(one, vpc, '10.0.1.0/24', 'backend');
  const service = await createService(one, vpc, (await createPort(one, backend)).id, {
    approval_enabled: false,
  });
  // A /27: 32 addresses, of which 27 can be handed out.
  const subnet = await createSubnet(one, vpc, '10.0.2.0/27', 'raced');
  const CAPACITY = 27;

  const calls: Promise<Reply>[] = [];
  for (let i = 0; i < 36; i++) {
    const w = i % 2 === 0 ? one : two;
    calls.push(
      i % 3 === 0
        ? w.api('POST', '/vpc-endpoints', { endpoint_service_id: service.id, vpc_id: vpc, subnet_id: subnet })
        : w.api('POST', '/ports', { port: { network_id: subnet } }),
    );
  }
  const answers = await Promise.all(calls);

  const made = answers.filter((r) => r.status === 200 || r.status === 201);
  const refused = answers.filter((r) => r.status >= 400);
  for (const r of refused) {
    assert.ok(r.status < 500, r.raw);
    assert.ok(['VPCEP.2003', 'EndPoint.2022'].includes(r.body.error.code), r.raw);
  }
  assert.equal(made.length, CAPACITY, `${made.length} made, ${refused.length} refused as full`);

  // Every address once: the ports' own, and the endpoints' as they show once accepted. The replicas'
  // clocks started apart: read once every endpoint made through either has settled.
  one.clock.advance(60_000);
  const ports = (await one.call('GET', `/v3/${one.projectId}/ports?virsubnet_id=${subnet}`)).body.ports as {
    private_ips: { ip_address: string }[];
  }[];
  const endpoints = (await one.api('GET', '/vpc-endpoints?limit=1000')).body.endpoints as {
    subnet_id?: string;
    ip?: string;
  }[];
  const addresses = [
    ...ports.map((p) => p.private_ips[0]!.ip_address),
    ...endpoints.filter((e) => e.subnet_id === subnet).map((e) => e.ip!),
  ];
  assert.equal(addresses.length, CAPACITY);
  assert.equal(new Set(addresses).size, CAPACITY, `an address given twice: ${addresses.sort().join(' ')}`);
  for (const a of addresses) assert.match(a, /^10\.0\.2\.([2-9]|1\d|2[0-8])$/);
});
