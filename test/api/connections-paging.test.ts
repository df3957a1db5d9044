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
 * creating, settled (pendingAcceptance), accepted, rejected, being deleted and gone, with creation
 * times shared by several (ties broken by id).
 */

const DELAY = 10_000;
let w: World;
let service: string;
let approval: boolean;

before(async () => {
  w = await makeWorld({ provisioningDelayMs: DELAY, deletionDelayMs: DELAY });
  const vpc = (await createVpc(w)).id;
  const subnet = await createSubnet(w, vpc);
  service = (await createService(w, vpc, (await createPort(w, subnet)).id)).id;
  w.clock.advance(DELAY); // the service is available once its own provisioning ends
  approval = ok(await w.api('GET', `/vpc-endpoint-services/${service}`)).body.approval_enabled;
  const made: string[] = [];
  const create = async (step: number) => {
    const res = ok(
      await w.api('POST', '/vpc-endpoints', { endpoint_service_id: service, vpc_id: vpc, subnet_id: subnet }),
    );
    made.push(res.body.id);
    // Every third endpoint is made at the same time as the next one.
    if (made.length % 3 !== 1) w.clock.advance(step);
  };
  const decide = async (action: string, endpoint: string) =>
    ok(
      await w.api('POST', `/vpc-endpoint-services/${service}/connections/action`, {
        action,
        endpoints: [endpoint],
      }),
    );
  const remove = async (endpoint: string) => ok(await w.api('DELETE', `/vpc-endpoints/${endpoint}`), 204);
  // Eight settle, then are received, rejected, or deleted (gone once the rest have been made).
  for (let i = 0; i < 8; i++) await create(1_500);
  w.clock.advance(DELAY);
  for (const i of [0, 3, 4]) await decide('receive', made[i]!);
  for (const i of [1, 6]) await decide('reject', made[i]!);
  await remove(made[5]!);
  // Eight more over 12.5 s: the first of them settle, the last are still being created.
  for (let i = 0; i < 8; i++) await create(2_500);
  await remove(made[2]!);
  w.clock.advance(500);
});
after(() => w.close());

/** The service's endpoints as the provider lists them, worked out from the store's rows: id and status. */
async function expected(q: {
  status?: string;
  sort_key: 'created_at' | 'updated_at';
  sort_dir: 'asc' | 'desc';
}): Promise<{ id: string; status: string }[]> {
  const now = w.clock.now();
  const rows = (await w.store.read((r) =>
    r.db.selectFrom('endpoints').selectAll().where('endpoint_service_id', '=', service).execute(),
  )) as Row<'endpoints'>[];
  const dir = q.sort_dir === 'asc' ? 1 : -1;
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return rows
    .filter((e) => !(e.status === 'deleting' && e.ready_at <= now.toISOString()))
    .map((e) => ({ e, status: statusAt(e, approval, now) as string }))
    .filter(({ status }) => q.status === undefined || status === q.status)
    .sort((a, b) => dir * (cmp(a.e[q.sort_key], b.e[q.sort_key]) || cmp(a.e.id, b.e.id)))
    .map(({ e, status }) => ({ id: e.id, status }));
}

const list = async (query: string) =>
  ok(await w.api('GET', `/vpc-endpoint-services/${service}/connections?${query}`)).body as {
    connections: { id: string; status: string; marker_id: number }[];
    total_count: number;
  };

test('the endpoints are in every state the test means them to be', async () => {
  const all = await expected({ sort_key: 'created_at', sort_dir: 'asc' });
  const states = new Set(all.map((c) => c.status));
  for (const s of ['creating', 'pendingAcceptance', 'accepted', 'rejected', 'deleting']) {
    assert.ok(states.has(s), `no endpoint ${s}: ${JSON.stringify(all)}`);
  }
  assert.equal(all.length, 15, 'one of the 16 is gone');
});

for (const sortKey of ['create_at', 'update_at'] as const) {
  for (const sortDir of ['asc', 'desc'] as const) {
    test(`sort_key=${sortKey}&sort_dir=${sortDir}: every filter and page is the whole's`, async () => {
      const key = sortKey === 'update_at' ? 'updated_at' : 'created_at';
      for (const status of [undefined, 'pendingAcceptance', 'accepted', 'rejected', 'failed']) {
        const whole = await expected({ sort_key: key, sort_dir: sortDir, ...(status ? { status } : {}) });
        for (const offset of [0, 4, 8, 12, 16]) {
          const q = `sort_key=${sortKey}&sort_dir=${sortDir}&limit=4&offset=${offset}${status ? `&status=${status}` : ''}`;
          const page = await list(q);
          assert.equal(page.total_count, whole.length, q);
          assert.deepEqual(
            page.connections.map((c) => ({ id: c.id, status: c.status })),
            whole.slice(offset, offset + 4),
            q,
          );
        }
      }
    });
  }
}

test('by id and by marker: that one endpoint, or none', async () => {
  const all = (await list('limit=100')).connections;
  const one = all[3]!;
  assert.deepEqual(
    (await list(`id=${one.id}`)).connections.map((c) => c.id),
    [one.id],
  );
  assert.deepEqual(
    (await list(`marker_id=${one.marker_id}`)).connections.map((c) => c.id),
    [one.id],
  );
  assert.deepEqual(
    (await list(`marker_id=${one.marker_id}&status=failed`)).connections,
    [],
    'both filters hold',
  );
  // Past a 32-bit integer: no endpoint's marker, and no error of the store's.
  assert.deepEqual(await list('marker_id=9999999999'), { connections: [], total_count: 0 });
  assert.deepEqual(await list('id=no-such-endpoint'), { connections: [], total_count: 0 });
});

test('a page by creation time is read from an index, nothing sorted', async () => {
  for (const dir of ['asc', 'desc']) {
    const statements = await statementsDuring(w, /order by "endpoints"\./, () =>
      list(`limit=4&sort_key=create_at&sort_dir=${dir}`),
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
