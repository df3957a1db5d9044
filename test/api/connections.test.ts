import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { expectEpError, ok } from '../helpers/expect.ts';
import { expectPublished } from '../helpers/published.ts';
import {
  createPort,
  createService,
  createSubnet,
  createVpc,
  creatingInterfaceEndpoint,
} from '../helpers/fixtures.ts';
import { createAccount, tenantWorld, type TenantAccount } from '../helpers/tenants.ts';
import { makeWorld, type World } from '../helpers/world.ts';

/**
 * Connections of an endpoint service (ListServiceConnections, AcceptOrRejectEndpoint,
 * UpdateEndpointConnectionsDesc): the provider and a consumer are two accounts
 * (spec/interface-services.md, "Connections").
 */

let w: World;
let pw: World;
let cw: World;
let consumer: TenantAccount;
let provVpc: string;
let provSubnet: string;
let consVpc: string;
let consSubnet: string;

before(async () => {
  w = await makeWorld();
  const prov = await createAccount(w, 'prov');
  consumer = await createAccount(w, 'cons');
  pw = tenantWorld(w, prov.projectId, () => prov.token);
  cw = tenantWorld(w, consumer.projectId, () => consumer.token);
  provVpc = (await createVpc(pw)).id;
  provSubnet = await createSubnet(pw, provVpc);
  consVpc = (await createVpc(cw, '10.0.0.0/16')).id;
  consSubnet = await createSubnet(cw, consVpc);
});
after(() => w.close());

const NO_SUCH = '00000000-0000-4000-8000-000000000000';
const EP_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/** A service of the provider's that the consumer may connect to. */
async function sharedService(extra: Record<string, unknown> = {}) {
  const s = await createService(pw, provVpc, (await createPort(pw, provSubnet)).id, extra);
  ok(
    await pw.api('POST', `/vpc-endpoint-services/${s.id}/permissions/action`, {
      action: 'add',
      permissions: [`iam:domain::${consumer.domainId}`],
    }),
  );
  return s;
}

async function consumerEndpoint(serviceId: string) {
  const res = ok(
    await cw.api('POST', '/vpc-endpoints', {
      endpoint_service_id: serviceId,
      vpc_id: consVpc,
      subnet_id: consSubnet,
    }),
  );
  return res.body as { id: string; marker_id: number; status: string };
}

const connections = (id: string, q = '') => pw.api('GET', `/vpc-endpoint-services/${id}/connections${q}`);
const decide = (id: string, action: string, endpoints: unknown) =>
  pw.api('POST', `/vpc-endpoint-services/${id}/connections/action`, { action, endpoints });
const statusOf = async (ep: string) => ok(await cw.api('GET', `/vpc-endpoints/${ep}`)).body.status;

describe('with approval', () => {
  test('pendingAcceptance until the provider receives it; then accepted; rejected on reject', async () => {
    const s = await sharedService();
    const ep = await consumerEndpoint(s.id);
    assert.equal(ep.status, 'creating');
    assert.equal(await statusOf(ep.id), 'pendingAcceptance');

    const listed = ok(await connections(s.id));
    expectPublished(listed, 'ListServiceConnections');
    const c = listed.body.connections[0];
    assert.match(c.created_at, EP_TIME);
    assert.deepEqual(listed.body, {
      connections: [
        {
          id: ep.id,
          marker_id: ep.marker_id,
          domain_id: consumer.domainId,
          status: 'pendingAcceptance',
          description: '',
          created_at: c.created_at,
          updated_at: c.updated_at,
        },
      ],
      total_count: 1,
    });
    // Nothing of the consumer's network reaches the provider.
    for (const id of [consVpc, consSubnet, consumer.projectId]) assert.ok(!listed.raw.includes(id));

    w.clock.advance(1_000);
    const accepted = ok(await decide(s.id, 'receive', [ep.id]));
    expectPublished(accepted, 'AcceptOrRejectEndpoint');
    assert.deepEqual(accepted.body, {
      connections: [{ ...c, status: 'accepted', updated_at: accepted.body.connections[0].updated_at }],
    });
    assert.notEqual(accepted.body.connections[0].updated_at, c.updated_at);
    assert.equal(await statusOf(ep.id), 'accepted');
    assert.deepEqual(
      ok(await decide(s.id, 'receive', [ep.id])).body,
      accepted.body,
      'receive again: no change',
    );

    expectPublished(await decide(s.id, 'reject', [ep.id]), 'AcceptOrRejectEndpoint');
    assert.equal(await statusOf(ep.id), 'rejected');
    ok(await decide(s.id, 'receive', [ep.id]));
    assert.equal(await statusOf(ep.id), 'accepted');
  });

  test('a change of approval leaves settled endpoints as they are', async () => {
    const s = await sharedService();
    const ep = await consumerEndpoint(s.id);
    assert.equal(await statusOf(ep.id), 'pendingAcceptance');
    ok(await pw.api('PUT', `/vpc-endpoint-services/${s.id}`, { approval_enabled: false }));
    assert.equal(await statusOf(ep.id), 'pendingAcceptance');
    const next = await consumerEndpoint(s.id);
    assert.equal(await statusOf(next.id), 'accepted');
  });
});

test('without approval, accepted at once', async () => {
  const s = await sharedService({ approval_enabled: false });
  const ep = await consumerEndpoint(s.id);
  assert.equal(await statusOf(ep.id), 'accepted');
  assert.equal(ok(await connections(s.id)).body.connections[0].status, 'accepted');
});

test('an endpoint still creating cannot be decided: 400 EndPoint.2019', async () => {
  const slow = await makeWorld({ provisioningDelayMs: 60_000 });
  try {
    const { service, endpoint } = await creatingInterfaceEndpoint(slow, 60_000);
    const res = await slow.api('POST', `/vpc-endpoint-services/${service}/connections/action`, {
      action: 'receive',
      endpoints: [endpoint],
    });
    expectEpError(res, 400, 'EndPoint.2019');
    assert.equal(
      ok(await slow.api('GET', `/vpc-endpoint-services/${service}/connections`)).body.connections[0].status,
      'creating',
    );
  } finally {
    await slow.close();
  }
});

describe('ListServiceConnections', () => {
  test('filters, sort and paging', async () => {
    const s = await sharedService();
    const eps = [];
    for (let i = 0; i < 3; i++) {
      eps.push(await consumerEndpoint(s.id));
      w.clock.advance(1_000);
    }
    const [a, b, c] = eps;
    ok(await decide(s.id, 'receive', [b!.id]));
    const ids = async (q: string) =>
      ok(await connections(s.id, q)).body.connections.map((x: { id: string }) => x.id);
    assert.deepEqual(await ids(''), [c!.id, b!.id, a!.id]);
    assert.deepEqual(await ids('?sort_dir=asc'), [a!.id, b!.id, c!.id]);
    assert.deepEqual(await ids('?sort_key=update_at&sort_dir=desc&limit=1'), [b!.id]);
    assert.deepEqual(await ids('?sort_dir=asc&limit=1&offset=1'), [b!.id]);
    assert.deepEqual(await ids('?status=pendingAcceptance&sort_dir=asc'), [a!.id, c!.id]);
    assert.deepEqual(await ids('?status=accepted'), [b!.id]);
    assert.deepEqual(await ids(`?id=${c!.id}`), [c!.id]);
    assert.deepEqual(await ids(`?marker_id=${a!.marker_id}`), [a!.id]);
    const page = ok(await connections(s.id, '?limit=1'));
    expectPublished(page, 'ListServiceConnections');
    assert.equal(page.body.total_count, 3);
    const refused: [string, string][] = [
      ['status=creating', 'EndPoint.0019'],
      ['marker_id=abc', 'EndPoint.0021'],
      ['limit=0', 'EndPoint.0006'],
      ['limit=1001', 'EndPoint.0006'],
      ['offset=-1', 'EndPoint.0010'],
      ['sort_key=id', 'EndPoint.0017'],
      ['sort_dir=up', 'EndPoint.0018'],
      [`id=${'i'.repeat(65)}`, 'EndPoint.0002'],
    ];
    for (const [q, code] of refused) expectEpError(await connections(s.id, `?${q}`), 400, code);
  });
});

describe('AcceptOrRejectEndpoint and UpdateEndpointConnectionsDesc', () => {
  test('each field rule broken → its status and code', async () => {
    const s = await sharedService();
    const other = await sharedService();
    const ep = await consumerEndpoint(s.id);
    const elsewhere = await consumerEndpoint(other.id);
    const url = `/vpc-endpoint-services/${s.id}/connections`;
    const cases: [string, string, string, unknown, string][] = [
      ['action: no body', 'POST', `${url}/action`, undefined, 'EndPoint.0011'],
      ['action: no action', 'POST', `${url}/action`, { endpoints: [ep.id] }, 'EndPoint.0002'],
      ['action: accept', 'POST', `${url}/action`, { action: 'accept', endpoints: [ep.id] }, 'EndPoint.0007'],
      ['action: no endpoints', 'POST', `${url}/action`, { action: 'receive' }, 'EndPoint.0002'],
      [
        'action: endpoints empty',
        'POST',
        `${url}/action`,
        { action: 'receive', endpoints: [] },
        'EndPoint.2031',
      ],
      [
        'action: two endpoints',
        'POST',
        `${url}/action`,
        { action: 'receive', endpoints: [ep.id, ep.id] },
        'EndPoint.2031',
      ],
      [
        'action: no such endpoint',
        'POST',
        `${url}/action`,
        { action: 'receive', endpoints: [NO_SUCH] },
        'EndPoint.2013',
      ],
      [
        "action: another service's endpoint",
        'POST',
        `${url}/action`,
        { action: 'reject', endpoints: [elsewhere.id] },
        'EndPoint.2013',
      ],
      ['desc: no body', 'PUT', `${url}/description`, undefined, 'EndPoint.0011'],
      ['desc: no connections', 'PUT', `${url}/description`, {}, 'EndPoint.0002'],
      ['desc: no id', 'PUT', `${url}/description`, { connections: [{ description: 'x' }] }, 'EndPoint.0002'],
      [
        'desc: description of 513',
        'PUT',
        `${url}/description`,
        { connections: [{ id: ep.id, description: 'd'.repeat(513) }] },
        'EndPoint.0002',
      ],
      [
        'desc: 101 connections',
        'PUT',
        `${url}/description`,
        { connections: Array(101).fill({ id: ep.id, description: '' }) },
        'EndPoint.0016',
      ],
      [
        "desc: another service's endpoint",
        'PUT',
        `${url}/description`,
        {
          connections: [
            { id: ep.id, description: 'a' },
            { id: elsewhere.id, description: 'b' },
          ],
        },
        'EndPoint.2013',
      ],
    ];
    for (const [why, method, at, body, code] of cases) {
      const res = await pw.api(method, at, body);
      assert.equal(res.body?.error?.code, code, `${why}: ${res.raw}`);
      expectEpError(res, 400, code);
    }
    assert.equal(await statusOf(ep.id), 'pendingAcceptance');
    assert.equal(ok(await connections(s.id)).body.connections[0].description, '');
  });

  test("the description is the provider's: the consumer's endpoint keeps its own", async () => {
    const s = await sharedService();
    const ep = await consumerEndpoint(s.id);
    const before = ok(await connections(s.id)).body.connections[0];
    const res = ok(
      await pw.api('PUT', `/vpc-endpoint-services/${s.id}/connections/description`, {
        connections: [{ id: ep.id, description: 'team shop, cons account' }],
      }),
    );
    expectPublished(res, 'UpdateEndpointConnectionsDesc');
    assert.deepEqual(res.body, { connections: [{ ...before, description: 'team shop, cons account' }] });
    assert.equal(ok(await connections(s.id)).body.connections[0].description, 'team shop, cons account');
    assert.equal(ok(await cw.api('GET', `/vpc-endpoints/${ep.id}`)).body.description, '');
  });

  test("the consumer cannot act as the provider: every connection call on the provider's service → 400 EndPoint.2003", async () => {
    const s = await sharedService();
    const ep = await consumerEndpoint(s.id);
    const url = `/vpc-endpoint-services/${s.id}/connections`;
    expectEpError(await cw.api('GET', url), 400, 'EndPoint.2003');
    expectEpError(
      await cw.api('POST', `${url}/action`, { action: 'receive', endpoints: [ep.id] }),
      400,
      'EndPoint.2003',
    );
    expectEpError(
      await cw.api('PUT', `${url}/description`, { connections: [{ id: ep.id, description: 'x' }] }),
      400,
      'EndPoint.2003',
    );
    assert.equal(await statusOf(ep.id), 'pendingAcceptance');
  });
});
