import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createVpc, gatewayService } from '../helpers/fixtures.ts';
import { makeWorld, type Reply, type World } from '../helpers/world.ts';

/**
 * Creates racing for the last slots of a quota on PostgreSQL (spec/quotas.md): through two
 * replicas on one database, exactly the quota's number succeed and every other is refused with
 * Endpoint.1018, nothing with a 5xx. PostgreSQL only: on SQLite the whole database is the lock.
 */

const PG_URL = process.env.VPCEP_TEST_DATABASE_URL || undefined;
const QUOTA = 3;

let one: World;
let two: World;

before(async () => {
  if (!PG_URL) return;
  one = await makeWorld({ quotaEndpoints: QUOTA });
  two = await makeWorld({ quotaEndpoints: QUOTA }, one.dir);
});
after(async () => {
  await two?.close();
  await one?.close();
});

test('endpoints racing for the last slots of the quota: exactly the quota are made', async (t) => {
  if (!PG_URL) return t.skip('VPCEP_TEST_DATABASE_URL is not set');
  const gw = await gatewayService(one);
  // One slot taken before the race: the racers compete for the last QUOTA - 1.
  const first = await createVpc(one, '10.0.0.0/16', 'first');
  const made0 = await one.api('POST', '/vpc-endpoints', { endpoint_service_id: gw, vpc_id: first.id });
  assert.equal(made0.status, 200, made0.raw);
  const vpcs: string[] = [];
  for (let i = 0; i < 12; i++) vpcs.push((await createVpc(one, '10.0.0.0/16', `race-${i}`)).id);

  const answers: Reply[] = await Promise.all(
    vpcs.map((vpc, i) =>
      (i % 2 === 0 ? one : two).api('POST', '/vpc-endpoints', { endpoint_service_id: gw, vpc_id: vpc }),
    ),
  );
  const made = answers.filter((r) => r.status === 200);
  const refused = answers.filter((r) => r.status !== 200);
  for (const r of refused) {
    assert.equal(r.status, 400, r.raw);
    assert.equal(r.body.error.code, 'Endpoint.1018', r.raw);
  }
  assert.equal(made.length, QUOTA - 1, `${made.length} made, ${refused.length} refused`);
  const listed = await one.api('GET', '/vpc-endpoints?limit=100');
  assert.equal(listed.body.total_count, QUOTA);
});

test('endpoint services racing for the last slot: exactly one is made', async (t) => {
  if (!PG_URL) return t.skip('VPCEP_TEST_DATABASE_URL is not set');
  // The quota of services set for the account, as the operator sets it.
  const domain = (await one.call('GET', '/v3/auth/domains')).body.domains[0].id;
  const set = await one.app.inject({
    method: 'PUT',
    url: `/vpcep/v1/accounts/${domain}/quotas`,
    headers: { authorization: `Bearer ${one.config.operatorKey}`, 'content-type': 'application/json' },
    payload: JSON.stringify({ quotas: { endpoint_service: 1 } }),
  });
  assert.equal(set.statusCode, 200, set.body);
  const vpc = (await createVpc(one, '10.1.0.0/16', 'svc')).id;
  const subnet = await one.api('POST', '/subnets', {
    subnet: { name: 'sn', cidr: '10.1.1.0/24', gateway_ip: '10.1.1.1', vpc_id: vpc },
  });
  const ports: string[] = [];
  for (let i = 0; i < 8; i++) {
    const p = await one.api('POST', '/ports', { port: { network_id: subnet.body.subnet.id } });
    assert.equal(p.status, 201, p.raw);
    ports.push(p.body.port.id);
  }
  const answers: Reply[] = await Promise.all(
    ports.map((port, i) =>
      (i % 2 === 0 ? one : two).api('POST', '/vpc-endpoint-services', {
        vpc_id: vpc,
        port_id: port,
        server_type: 'VM',
        ports: [{ client_port: 80, server_port: 8080 }],
      }),
    ),
  );
  const made = answers.filter((r) => r.status === 200);
  for (const r of answers.filter((x) => x.status !== 200)) {
    assert.equal(r.status, 400, r.raw);
    assert.equal(r.body.error.code, 'Endpoint.1018', r.raw);
  }
  assert.equal(made.length, 1);
});
