import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { statusAt } from '../../src/domain/endpoint-status.ts';
import type { Row } from '../../src/store/queries.ts';
import { ok } from '../helpers/expect.ts';
import { createPort, createService, createSubnet, createVpc } from '../helpers/fixtures.ts';
import { planOf, sorting, statementsDuring } from '../helpers/plans.ts';
import { makeWorld, type World } from '../helpers/world.ts';

/**
 * ListServiceConnections filters, orders and pages in the store (issue 12: it read every endpoint
 * of the service, built each one's view and sorted them, ~30 ms a call at 5,000 connections). Its
 * answers must be what the whole service's endpoints, read straight from the store and taken
 * through the domain's own statusAt, give for every filter, order and page: endpoints still
 * creating, settled by time alone, failed, accepted, rejected, being deleted and gone, with
 * creation times shared by several (ties broken by id), of a service with approval and of one
 * without.
 */

const DELAY = 10_000;
let w: World;
/** Two services, with approval and without, each with endpoints in every state. */
const services: { id: string; approval: boolean }[] = [];

before(async () => {
  w = await makeWorld({ provisioningDelayMs: DELAY, deletionDelayMs: DELAY });
  const vpc = (await createVpc(w)).id;
  const subnet = await createSubnet(w, vpc);
  for (const [i, approval] of [true, false].entries()) {
    const port = (await createPort(w, subnet)).id;
    const ports = [{ client_port: 80 + i, server_port: 8080 + i }];
    services.push({
      id: (await createService(w, vpc, port, { approval_enabled: approval, ports })).id,
      approval,
    });
  }
  w.clock.advance(DELAY); // a service is available once its own provisioning ends
  const made: string[][] = services.map(() => []);
  /** An endpoint of each service; `fails`: its provisioning fails (a fault of the operator's). */
  const create = async (step: number, fails = false) => {
    for (const [i, s] of services.entries()) {
      if (fails) {
        const fault = { operation: 'create-endpoint', times: 1 };
        ok(await w.call('POST', `/vpcep/v1/${w.projectId}/faults`, { fault }), 201);
      }
      const body = { endpoint_service_id: s.id, vpc_id: vpc, subnet_id: subnet };
      made[i]!.push(ok(await w.api('POST', '/vpc-endpoints', body)).body.id);
    }
    // Every third endpoint is made at the same time as the next one.
    if (made[0]!.length % 3 !== 1) w.clock.advance(step);
  };
  const decide = async (action: string, n: number) => {
    for (const [i, s] of services.entries()) {
      const body = { action, endpoints: [made[i]![n]!] };
      ok(await w.api('POST', `/vpc-endpoint-services/${s.id}/connections/action`, body));
    }
  };
  const remove = async (n: number) => {
    for (const m of made) ok(await w.api('DELETE', `/vpc-endpoints/${m[n]!}`), 204);
  };
  // Eight settle (one of them failed), then are received, rejected, or deleted (gone once the rest
  // have been made).
  for (let i = 0; i < 8; i++) await create(1_500, i === 7);
  w.clock.advance(DELAY);
  for (const n of [0, 3, 4]) await decide('receive', n);
  for (const n of [1, 6]) await decide('reject', n);
  await remove(5);
  // Eight more over 12.5 s: the first of them settle, the last are still being created.
  for (let i = 0; i < 8; i++) await create(2_500);
  await remove(2);
  w.clock.advance(500);
});
after(() => w.close());

/** A service's endpoints as the provider lists them, worked out from the store's rows: id and status. */
async function expected(
  service: { id: string; approval: boolean },
  q: { status?: string; sort_key: 'created_at' | 'updated_at'; sort_dir: 'asc' | 'desc' },
): Promise<{ id: string; status: string }[]> {
  const now = w.clock.now();
  const rows = (await w.store.read((r) =>
    r.db.selectFrom('endpoints').selectAll().where('endpoint_service_id', '=', service.id).execute(),
  )) as Row<'endpoints'>[];
  const dir = q.sort_dir === 'asc' ? 1 : -1;
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return rows
    .filter((e) => !(e.status === 'deleting' && e.ready_at <= now.toISOString()))
    .map((e) => ({ e, status: statusAt(e, service.approval, now) as string }))
    .filter(({ status }) => q.status === undefined || status === q.status)
    .sort((a, b) => dir * (cmp(a.e[q.sort_key], b.e[q.sort_key]) || cmp(a.e.id, b.e.id)))
    .map(({ e, status }) => ({ id: e.id, status }));
}

const list = async (service: { id: string }, query: string) =>
  ok(await w.api('GET', `/vpc-endpoint-services/${service.id}/connections?${query}`)).body as {
    connections: { id: string; status: string; marker_id: number }[];
    total_count: number;
  };

test('the endpoints are in every state the test means them to be', async () => {
  for (const service of services) {
    const all = await expected(service, { sort_key: 'created_at', sort_dir: 'asc' });
    const states = new Set(all.map((c) => c.status));
    const settled = service.approval ? 'pendingAcceptance' : 'accepted';
    for (const s of ['creating', settled, 'accepted', 'rejected', 'failed', 'deleting']) {
      assert.ok(states.has(s), `no endpoint ${s}: ${JSON.stringify(all)}`);
    }
    assert.equal(all.length, 15, 'one of the 16 is gone');
  }
});

for (const sortKey of ['create_at', 'update_at'] as const) {
  for (const sortDir of ['asc', 'desc'] as const) {
    test(`sort_key=${sortKey}&sort_dir=${sortDir}: every filter and page is the whole's`, async () => {
      const key = sortKey === 'update_at' ? 'updated_at' : 'created_at';
      for (const service of services) {
        for (const status of [undefined, 'pendingAcceptance', 'accepted', 'rejected', 'failed']) {
          const whole = await expected(service, {
            sort_key: key,
            sort_dir: sortDir,
            ...(status ? { status } : {}),
          });
          for (const offset of [0, 4, 8, 12, 16]) {
            const q = `sort_key=${sortKey}&sort_dir=${sortDir}&limit=4&offset=${offset}${status ? `&status=${status}` : ''}`;
            const page = await list(service, q);
            assert.equal(page.total_count, whole.length, q);
            assert.deepEqual(
              page.connections.map((c) => ({ id: c.id, status: c.status })),
              whole.slice(offset, offset + 4),
              q,
            );
          }
        }
      }
    });
  }
}

test('by id and by marker: that one endpoint, or none', async () => {
  const service = services[0]!;
  const all = (await list(service, 'limit=100')).connections;
  const one = all[3]!;
  const ids = async (q: string) => (await list(service, q)).connections.map((c) => c.id);
  assert.deepEqual(await ids(`id=${one.id}`), [one.id]);
  assert.deepEqual(await ids(`marker_id=${one.marker_id}`), [one.id]);
  assert.deepEqual(await ids(`marker_id=${one.marker_id}&status=failed`), [], 'both filters hold');
  // Another service's endpoint is none of this one's.
  const theirs = (await list(services[1]!, 'limit=1')).connections[0]!;
  assert.deepEqual(await ids(`id=${theirs.id}`), []);
  // Past a 32-bit integer: no endpoint's marker, and no error of the store's.
  assert.deepEqual(await list(service, 'marker_id=9999999999'), { connections: [], total_count: 0 });
  assert.deepEqual(await list(service, 'id=no-such-endpoint'), { connections: [], total_count: 0 });
});

test('a page by creation time is read from an index, nothing sorted', async () => {
  for (const dir of ['asc', 'desc']) {
    const statements = await statementsDuring(w, /order by "endpoints"\./, () =>
      list(services[0]!, `limit=4&sort_key=create_at&sort_dir=${dir}`),
    );
    assert.equal(statements.length, 1, 'one page statement');
    const plan = await planOf(w, statements[0]!);
    assert.deepEqual(sorting(plan), [], `the plan sorts:\n${plan.join('\n')}`);
    assert.ok(
      plan.some((line) => line.includes('endpoints_service_created')),
      plan.join('\n'),
    );
  }
});
