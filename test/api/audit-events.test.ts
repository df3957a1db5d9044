import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { ROLE_TENANT_GUEST, ROLE_VPCEP_READONLY } from '../../src/domain/roles.ts';
import { callAs } from '../helpers/callers.ts';
import { expectError } from '../helpers/expect.ts';
import {
  addFault,
  createEndpoint,
  createTable,
  createVpc,
  gatewayService,
  rebind,
} from '../helpers/fixtures.ts';
import { createAccount, iam, tenantWorld, userWithRole, type TenantAccount } from '../helpers/tenants.ts';
import { makeWorld, type Reply, type World } from '../helpers/world.ts';

/**
 * The audit trail to read (issue 13, spec/audit.md): `GET /v1/{project_id}/audit-events`, newest
 * first, filtered and paged. That every state-changing route writes exactly one event is shown
 * route by route in authorization-matrix.test.ts.
 */

let w: World;
let a: TenantAccount;
let aw: World;
/** What the story below did, in order. */
const s = {} as {
  vpc: string;
  t1: string;
  t2: string;
  ep: string;
  readerId: string;
  guestToken: string;
  ak: { ak: string; sk: string };
  userPassword: string;
  started: string;
};

interface Event {
  id: string;
  time: string;
  request_id: string;
  operation: string;
  action: string;
  outcome: 'success' | 'failure';
  status: number;
  error_code?: string;
  caller: { user_id: string; user_name: string; access_key?: string };
  resource: { type: string; id: string };
  detail: Record<string, unknown>;
}

const events = async (query = '', token = a.token): Promise<Reply> =>
  callAs(w, { token }, { method: 'GET', url: `/v1/${a.projectId}/audit-events${query}` });

/** Every page of a query, following `next_marker`. */
async function allPages(query: string, limit: number): Promise<Event[]> {
  const out: Event[] = [];
  let marker: string | undefined;
  for (let i = 0; i < 1000; i++) {
    const sep = query === '' ? '?' : '&';
    const res = await events(`${query}${sep}limit=${limit}${marker ? `&marker=${marker}` : ''}`);
    assert.equal(res.status, 200, res.raw);
    out.push(...res.body.audit_events);
    assert.ok(res.body.audit_events.length <= limit);
    marker = res.body.page_info.next_marker;
    if (marker === undefined) return out;
  }
  throw new Error('paging never ended');
}

before(async () => {
  w = await makeWorld();
  a = await createAccount(w, 'auditco');
  aw = tenantWorld(w, a.projectId, () => a.token);
  s.started = w.clock.now().toISOString();
  s.vpc = (await createVpc(aw)).id;
  s.t1 = await createTable(aw, s.vpc, [], 'one');
  s.t2 = await createTable(aw, s.vpc, [], 'two');
  w.clock.advance(60_000);
  s.ep = await createEndpoint(aw, await gatewayService(aw), s.vpc, [s.t1]);
  w.clock.advance(60_000);
  const moved = await aw.api('PUT', `/vpc-endpoints/${s.ep}/routetables`, { routetables: [s.t2] });
  assert.equal(moved.status, 200, moved.raw);
  // Refused: an unknown endpoint, and a read-only user's write.
  expectError(await rebind(aw, randomUUID(), [s.t1]), 404, 'EndPoint.2006');
  const reader = await userWithRole(w, a, { name: 'reader', roleId: ROLE_VPCEP_READONLY });
  s.readerId = reader.userId;
  const denied = await callAs(
    w,
    { token: reader.token },
    {
      method: 'PUT',
      url: `/v1/${a.projectId}/vpc-endpoints/${s.ep}/routetables`,
      body: { routetables: [s.t1] },
    },
  );
  expectError(denied, 403, 'EndPoint.0004');
  s.guestToken = (await userWithRole(w, a, { name: 'guest', roleId: ROLE_TENANT_GUEST })).token;
  // A signed call, and IAM calls that carry secrets.
  s.ak = await iam(w, a.token).accessKey(a.adminId);
  s.userPassword = 'Secret-Pass-Of-Carol-9';
  await iam(w, a.token).user('carol', s.userPassword);
  w.clock.advance(60_000);
  const signed = await callAs(w, s.ak, {
    method: 'PUT',
    url: `/v1/${a.projectId}/vpc-endpoints/${s.ep}/routetables`,
    body: { routetables: [s.t1, s.t2] },
  });
  assert.equal(signed.status, 200, signed.raw);
});
after(() => w.close());

describe('reading the trail', () => {
  test('newest first; each event names its operation, caller, resource, outcome and status', async () => {
    const res = await events();
    assert.equal(res.status, 200, res.raw);
    const list: Event[] = res.body.audit_events;
    const ids = list.map((e) => Number(e.id));
    assert.deepEqual(
      ids,
      [...ids].sort((x, y) => y - x),
      'newest first',
    );
    const rebinds = list.filter((e) => e.operation === 'UpdateEndpointRoutetable');
    // Signed (both tables), the read-only refusal, the move to t2.
    assert.deepEqual(
      rebinds.map((e) => [e.outcome, e.status, e.error_code ?? null]),
      [
        ['success', 200, null],
        ['failure', 403, 'EndPoint.0004'],
        ['failure', 404, 'EndPoint.2006'],
        ['success', 200, null],
      ],
    );
    const [signed, refused, missing, moved] = rebinds as [Event, Event, Event, Event];
    assert.deepEqual(moved.resource, { type: 'vpc-endpoint', id: s.ep });
    assert.equal(moved.action, 'update-routetables');
    assert.deepEqual(moved.caller, { user_id: a.adminId, user_name: 'admin' });
    // The sets before and after, for a rebind.
    assert.deepEqual(moved.detail.before, [s.t1]);
    assert.deepEqual(moved.detail.after, [s.t2]);
    assert.deepEqual(signed.detail.before, [s.t2]);
    assert.deepEqual(signed.detail.after, [s.t1, s.t2].sort());
    assert.deepEqual(signed.caller, { user_id: a.adminId, user_name: 'admin', access_key: s.ak.ak });
    assert.equal(refused.caller.user_id, s.readerId);
    assert.deepEqual(refused.resource, { type: 'vpc-endpoint', id: s.ep });
    assert.deepEqual(refused.detail, {}, 'a failure records no request body');
    assert.equal(missing.resource.type, 'vpc-endpoint');
    assert.match(missing.request_id, /^[0-9a-f]{32}$/);
    const create = list.find((e) => e.operation === 'CreateEndpoint')!;
    assert.deepEqual([create.status, create.resource.id], [200, s.ep]);
    assert.ok(list.some((e) => e.operation === 'CreateVpc' && e.resource.id === s.vpc));
  });

  test('the request id of an answer finds its event', async () => {
    const res = await aw.api('PUT', `/vpc-endpoints/${s.ep}/routetables`, { routetables: [randomUUID()] });
    expectError(res, 400, 'EndPoint.1019');
    const id = String(res.headers['x-request-id']);
    const found = ((await events('?limit=5')).body.audit_events as Event[]).filter(
      (e) => e.request_id === id,
    );
    assert.deepEqual(
      found.map((e) => [e.operation, e.outcome, e.status, e.error_code]),
      [['UpdateEndpointRoutetable', 'failure', 400, 'EndPoint.1019']],
    );
  });

  test('a change rolled back leaves no success event, only the refusal', async () => {
    const table = await createTable(aw, s.vpc, [], 'rolled-back');
    const before: Event[] = (await events('?operation=CreateEndpoint')).body.audit_events;
    await addFault(aw, 'bind', table, 1);
    // The endpoint row and its success event are written, then the fault fails the bind: all undone.
    const refused = await aw.api('POST', '/vpc-endpoints', {
      endpoint_service_id: await gatewayService(aw),
      vpc_id: s.vpc,
      routetables: [table],
    });
    expectError(refused, 400, 'EndPoint.4028');
    const after: Event[] = (await events('?operation=CreateEndpoint')).body.audit_events;
    const added = after.filter((e) => !before.some((b) => b.id === e.id));
    assert.deepEqual(
      added.map((e) => [e.outcome, e.status, e.error_code, e.request_id]),
      [['failure', 400, 'EndPoint.4028', String(refused.headers['x-request-id'])]],
    );
  });

  test('no secret is ever stored: passwords, secret keys and security tokens', async () => {
    const temp = await iam(w, a.token).temporaryKey(900);
    const trail = await allPages('', 1000);
    const all = JSON.stringify(trail);
    for (const secret of [s.userPassword, s.ak.sk, temp.sk, temp.securityToken, a.token, a.adminPassword]) {
      assert.ok(!all.includes(secret), `a secret in the trail: ${secret.slice(0, 6)}…`);
    }
    // The calls that carried those secrets are in the trail all the same, without them.
    const made = (operation: string) =>
      trail.filter((e) => e.operation === operation && e.outcome === 'success');
    assert.deepEqual(
      made('KeystoneCreateUser').map((e) => e.detail.name),
      ['carol', 'guest', 'reader'],
    );
    assert.ok(made('CreatePermanentAccessKey').some((e) => e.resource.id === s.ak.ak));
    assert.ok(made('CreateTemporaryAccessKeyByToken').some((e) => e.resource.id === temp.ak));
  });
});

describe('filters and pages', () => {
  test('by resource, operation, caller, outcome', async () => {
    const byResource: Event[] = (await events(`?resource_id=${s.ep}`)).body.audit_events;
    assert.ok(byResource.length >= 4);
    assert.ok(byResource.every((e) => e.resource.id === s.ep));
    const byOp: Event[] = (await events('?operation=CreateRouteTable')).body.audit_events;
    assert.ok(byOp.every((e) => e.operation === 'CreateRouteTable'));
    for (const t of [s.t1, s.t2])
      assert.ok(
        byOp.some((e) => e.resource.id === t),
        t,
      );
    const failures: Event[] = (await events('?outcome=failure')).body.audit_events;
    assert.ok(failures.length >= 2 && failures.every((e) => e.outcome === 'failure' && e.status >= 400));
    for (const who of ['reader', s.readerId]) {
      const mine: Event[] = (await events(`?caller=${who}`)).body.audit_events;
      assert.ok(mine.length >= 1 && mine.every((e) => e.caller.user_id === s.readerId), who);
    }
    const signed: Event[] = (await events(`?caller=${s.ak.ak}`)).body.audit_events;
    assert.equal(signed.length, 1);
    assert.equal(signed[0]!.caller.access_key, s.ak.ak);
  });

  test('by time range, inclusive at both ends', async () => {
    const all = await allPages('', 1000);
    const create = all.find((e) => e.operation === 'CreateEndpoint')!;
    const within: Event[] = (await events(`?from=${create.time}&to=${create.time}`)).body.audit_events;
    assert.ok(within.length >= 1 && within.every((e) => e.time === create.time));
    const later: Event[] = (await events(`?from=${encodeURIComponent(create.time.replace('Z', '+00:00'))}`))
      .body.audit_events;
    assert.ok(later.every((e) => e.time >= create.time));
    assert.ok(!later.some((e) => e.operation === 'CreateVpc'));
    const earlier: Event[] = (await events(`?to=${s.started}`)).body.audit_events;
    assert.ok(earlier.every((e) => e.time <= s.started));
  });

  test('pages of any size cover the trail once, newest first', async () => {
    const whole = await allPages('', 1000);
    for (const size of [1, 3, 7]) {
      const paged = await allPages('', size);
      assert.deepEqual(
        paged.map((e) => e.id),
        whole.map((e) => e.id),
        `pages of ${size}`,
      );
    }
    const filtered = await allPages(`?resource_id=${s.ep}`, 2);
    assert.deepEqual(
      filtered.map((e) => e.id),
      whole.filter((e) => e.resource.id === s.ep).map((e) => e.id),
    );
  });

  test('bad queries answer 400 with their code', async () => {
    expectError(await events('?limit=0'), 400, 'EndPoint.0006');
    expectError(await events('?limit=1001'), 400, 'EndPoint.0006');
    expectError(await events('?from=yesterday'), 400, 'EndPoint.0002');
    expectError(await events('?from=2026-13-45T00:00:00Z'), 400, 'EndPoint.0002');
    expectError(await events('?outcome=maybe'), 400, 'EndPoint.0002');
    expectError(await events('?marker=abc'), 400, 'EndPoint.0002');
    expectError(await events('?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z'), 400, 'EndPoint.0002');
  });
});

describe('who reads it', () => {
  test('Tenant Guest reads the trail; VPCEP ReadOnly does not hold Cloud Trace’s action', async () => {
    assert.equal((await events('', s.guestToken)).status, 200);
    const reader = await userWithRole(w, a, { name: 'reader2', roleId: ROLE_VPCEP_READONLY });
    expectError(await events('', reader.token), 403, 'EndPoint.0004');
  });

  test('another account reads nothing of it; its own trail holds none of A’s events', async () => {
    const b = await createAccount(w, 'otherco');
    const cross = await callAs(
      w,
      { token: b.token },
      { method: 'GET', url: `/v1/${a.projectId}/audit-events` },
    );
    expectError(cross, 403, 'APIGW.0302');
    const own = await callAs(
      w,
      { token: b.token },
      { method: 'GET', url: `/v1/${b.projectId}/audit-events` },
    );
    assert.equal(own.status, 200, own.raw);
    assert.ok(!own.raw.includes(s.ep) && !own.raw.includes(a.adminId));
  });
});
