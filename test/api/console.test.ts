import { randomUUID } from 'node:crypto';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { buildApp } from '../../src/app.ts';
import { ROLE_VPCEP_READONLY } from '../../src/domain/roles.ts';
import { ConsoleJar, csrfOf, injectTransport, mainOf } from '../helpers/console.ts';
import { expectEpError, expectGatewayError, ok } from '../helpers/expect.ts';
import {
  createEndpoint,
  createSubnet,
  createTable,
  createVpc,
  egwRoutes,
  gatewayService,
  GW_CIDR,
} from '../helpers/fixtures.ts';
import {
  createAccount,
  populate,
  tenantWorld,
  userWithRole,
  type Holdings,
  type TenantAccount,
} from '../helpers/tenants.ts';
import { dropTestSchema, makeWorld, PASSWORD, type World } from '../helpers/world.ts';

/**
 * The web console over `inject` (spec/console.md): sessions, CSRF, isolation between accounts,
 * read-only users, the route-table checklist, the lifecycle, escaping, and that the API's own
 * routing is untouched. test/console/ drives the same pages in Chromium.
 */

let w: World;
let a: TenantAccount;
let b: TenantAccount;
let A: Holdings;
let B: Holdings;
let aw: World;
let reader: { password: string };

const jarOf = (app = w.app) => new ConsoleJar(injectTransport(app));
const signedIn = async (account: TenantAccount, user = 'admin', password = account.adminPassword) => {
  const jar = jarOf();
  await jar.signIn({ account: account.domainName, user, password });
  return jar;
};

/** A page that must answer 200 with HTML. */
async function page(jar: ConsoleJar, p: string) {
  const res = await jar.get(p);
  assert.equal(res.status, 200, `${p}: ${res.status} ${res.location} ${res.body.slice(0, 500)}`);
  assert.match(String(res.headers['content-type']), /^text\/html/);
  return res.body;
}

before(async () => {
  w = await makeWorld();
  a = await createAccount(w, 'alpha');
  b = await createAccount(w, 'beta');
  A = await populate(w, a);
  B = await populate(w, b);
  aw = tenantWorld(w, a.projectId, () => a.token);
  reader = await userWithRole(w, a, { name: 'reader', roleId: ROLE_VPCEP_READONLY });
});
after(() => w.close());

describe('sign-in and sessions', () => {
  test('signing in sets a signed, HttpOnly, SameSite=Strict, expiring cookie; the store keeps only a hash of it', async () => {
    const jar = jarOf();
    const res = await jar.signIn({ account: 'alpha', user: 'admin', password: a.adminPassword });
    assert.equal(res.location, '/console/endpoints');
    const set = [res.headers['set-cookie'] ?? []].flat().find((c) => c.startsWith('vpcep_console='))!;
    assert.match(set, /; Path=\/console; Max-Age=28800; HttpOnly; SameSite=Strict$/);
    const [secret, kid, mac] = jar.cookies.get('vpcep_console')!.split('.');
    assert.match(secret!, /^[0-9a-f]{64}$/);
    assert.ok(kid && mac, 'the cookie carries a MAC');
    const rows = await w.store.read((r) => r.db.selectFrom('console_sessions').selectAll().execute());
    const row = rows.find((x) => x.id_hash === createHash('sha256').update(secret!).digest('hex'));
    assert.ok(row, 'the session is in the store under the hash of its id');
    assert.equal(row.user_id, a.adminId);
    assert.equal(row.project_id, a.projectId);
    for (const value of Object.values(row))
      assert.ok(!String(value).includes(secret!), 'the id itself is stored');
    const main = mainOf(await page(jar, '/console/endpoints'));
    assert.ok(main.includes(A.endpoint), 'the signed-in admin sees its endpoint');
  });

  test('a wrong password answers the form again, 401, with no session', async () => {
    const jar = jarOf();
    const form = await jar.get('/console/sign-in');
    const res = await jar.post(
      '/console/sign-in',
      { account: 'alpha', user: 'admin', password: 'not-the-password' },
      { csrf: csrfOf(form.body) },
    );
    assert.equal(res.status, 401);
    assert.match(res.body, /user name, password or project is not right/);
    assert.ok(!jar.cookies.has('vpcep_console'));
    assert.equal(
      (await jar.get('/console/endpoints')).location,
      '/console/sign-in?next=%2Fconsole%2Fendpoints',
    );
  });

  test('a cookie whose MAC or id was altered opens no session', async () => {
    const jar = await signedIn(a);
    const [secret, kid, mac] = jar.cookies.get('vpcep_console')!.split('.');
    const flip = (s: string) => (s[0] === 'a' ? 'b' : 'a') + s.slice(1);
    for (const forged of [`${flip(secret!)}.${kid}.${mac}`, `${secret}.${kid}.${flip(mac!)}`, secret!]) {
      const res = await jarOf().get('/console/endpoints', { cookie: `vpcep_console=${forged}` });
      assert.equal(res.status, 303, forged);
      assert.match(res.location, /^\/console\/sign-in/);
    }
  });

  test('signing out ends the session: the old cookie opens nothing afterwards', async () => {
    const jar = await signedIn(a);
    const cookie = jar.cookieHeader();
    const out = await jar.post('/console/sign-out', {});
    assert.equal(out.status, 303);
    assert.equal(out.location, '/console/sign-in?signed_out=1');
    assert.ok(!jar.cookies.has('vpcep_console'), 'the cookie is cleared');
    const again = await jarOf().get('/console/endpoints', { cookie });
    assert.equal(again.status, 303);
    assert.match(again.location, /^\/console\/sign-in/);
  });

  test('a changed password ends the session', async () => {
    const member = await userWithRole(w, a, { name: 'mover', roleId: ROLE_VPCEP_READONLY });
    const jar = await signedIn(a, 'mover', member.password);
    await page(jar, '/console/vpcs');
    // A token issued in the same second as the change would still be good (identity.ts).
    w.clock.advance(1000);
    const changed = await w.call(
      'POST',
      `/v3/users/${member.userId}/password`,
      { user: { original_password: member.password, password: 'Another-pass-2' } },
      { 'x-auth-token': member.token },
    );
    assert.equal(changed.status, 204, changed.raw);
    const res = await jar.get('/console/vpcs');
    assert.equal(res.status, 303);
    assert.match(res.location, /^\/console\/sign-in/);
  });
});

describe('sessions across replicas, restarts and time', () => {
  let dir: string;
  let w1: World;
  let account: TenantAccount;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vpcep-console-'));
    w1 = await makeWorld({}, dir);
  });
  after(async () => {
    await w1.close();
    await dropTestSchema(w1.store);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a session made on one replica works on another of the same store, and signing out there ends it', async () => {
    account = await createAccount(w1, 'gamma');
    const replica = await buildApp({
      config: w1.config,
      store: w1.store,
      clock: w1.clock,
      logger: pino({ level: 'silent' }),
    });
    try {
      const jar = new ConsoleJar(injectTransport(w1.app));
      await jar.signIn({ account: 'gamma', user: 'admin', password: account.adminPassword });
      const there = new ConsoleJar(injectTransport(replica));
      for (const [k, v] of jar.cookies) there.cookies.set(k, v);
      assert.match(await page(there, '/console/vpcs'), /admin @ gamma/);
      assert.equal((await there.post('/console/sign-out', {}, { from: '/console/vpcs' })).status, 303);
      const back = await jar.get('/console/vpcs');
      assert.equal(back.status, 303, 'signed out on the replica, the session is gone here too');
    } finally {
      await replica.close();
    }
  });

  test('a session outlives a restart of the server', async () => {
    const jar = new ConsoleJar(injectTransport(w1.app));
    await jar.signIn({ account: 'gamma', user: 'admin', password: account.adminPassword });
    await w1.close();
    w1 = await makeWorld({}, dir);
    const again = new ConsoleJar(injectTransport(w1.app));
    for (const [k, v] of jar.cookies) again.cookies.set(k, v);
    assert.match(await page(again, '/console/vpcs'), /admin @ gamma/);
  });

  test('a session ends after eight hours, and its row goes', async () => {
    const jar = new ConsoleJar(injectTransport(w1.app));
    await jar.signIn({ account: 'gamma', user: 'admin', password: account.adminPassword });
    const secret = jar.cookies.get('vpcep_console')!.split('.')[0]!;
    const hash = createHash('sha256').update(secret).digest('hex');
    const row = () => w1.store.read((r) => r.consoleSessions.byHash(hash));
    w1.clock.advance(8 * 3600 * 1000 - 1000);
    await page(jar, '/console/vpcs');
    w1.clock.advance(1000);
    const res = await jar.get('/console/vpcs');
    assert.equal(res.status, 303);
    assert.match(res.location, /^\/console\/sign-in/);
    assert.equal(await row(), undefined);
  });
});

describe('forms: CSRF and origin', () => {
  const rebindForm = () => ({ routetable: [A.table] });
  const tablesOfA = async () =>
    ok(await aw.api('GET', `/vpc-endpoints/${A.endpoint}`)).body.routetables.sort();

  test('a form post without the CSRF token is refused, and changes nothing', async () => {
    const jar = await signedIn(a);
    const before = await tablesOfA();
    const res = await jar.post(`/console/endpoints/${A.endpoint}/routetables`, rebindForm(), { csrf: null });
    assert.equal(res.status, 403);
    assert.match(mainOf(res.body), /Form refused/);
    assert.deepEqual(await tablesOfA(), before);
  });

  test("another session's token, or a post from another origin, is refused too", async () => {
    const jar = await signedIn(a);
    const other = await signedIn(a);
    const before = await tablesOfA();
    const theirs = csrfOf((await other.get('/console/endpoints')).body);
    const mine = csrfOf((await jar.get('/console/endpoints')).body);
    assert.notEqual(theirs, mine);
    const url = `/console/endpoints/${A.endpoint}/routetables`;
    assert.equal((await jar.post(url, rebindForm(), { csrf: theirs })).status, 403);
    assert.equal(
      (await jar.post(url, rebindForm(), { csrf: mine, headers: { origin: 'http://evil.example' } })).status,
      403,
    );
    assert.equal(
      (await jar.post(url, rebindForm(), { csrf: mine, headers: { 'sec-fetch-site': 'cross-site' } })).status,
      403,
    );
    assert.equal((await jar.post('/console/sign-out', {}, { csrf: theirs })).status, 403);
    assert.deepEqual(await tablesOfA(), before);
    await page(jar, '/console/vpcs');
    // The page's own host over https (a TLS proxy in front of this plain-HTTP server) is the same origin.
    const same = await jar.post(
      url,
      { routetable: before },
      { csrf: mine, headers: { origin: 'https://localhost:80', 'sec-fetch-site': 'same-origin' } },
    );
    assert.equal(same.status, 200, same.body);
    assert.match(mainOf(same.body), /stays bound/);
  });

  test('the sign-in form takes only its own token with its own cookie', async () => {
    const form = await jarOf().get('/console/sign-in');
    const stranger = jarOf();
    const res = await stranger.post(
      '/console/sign-in',
      { account: 'alpha', user: 'admin', password: a.adminPassword },
      { csrf: csrfOf(form.body) },
    );
    assert.equal(res.status, 403);
    assert.ok(!stranger.cookies.has('vpcep_console'));
  });
});

describe('what each user sees', () => {
  const idsOfA = () => [
    A.vpc,
    A.table,
    A.defaultTable,
    A.subnet,
    A.endpoint,
    A.ownService,
    A.interfaceEndpoint,
  ];

  test("a cookie of another account gets nothing of A's", async () => {
    const jar = await signedIn(b);
    const asB = tenantWorld(w, b.projectId, () => b.token);
    for (const [p, api] of [
      [`/console/endpoints/${A.endpoint}`, `/vpc-endpoints/${A.endpoint}`],
      [`/console/routetables/${A.table}`, `/routetables/${A.table}`],
      [`/console/vpcs/${A.vpc}`, `/vpcs/${A.vpc}`],
      [`/console/services/${A.ownService}`, `/vpc-endpoint-services/${A.ownService}`],
    ] as const) {
      const res = await jar.get(p);
      const answer = await asB.api('GET', api);
      assert.ok(answer.status >= 400, answer.raw);
      assert.equal(res.status, answer.status, `${p} answers as the API answers B`);
      assert.ok(mainOf(res.body).includes(answer.body.error.code), `${p} shows the API's code`);
      for (const x of idsOfA().filter((x) => !p.endsWith(x)))
        assert.ok(!res.body.includes(x), `${p} shows ${x}`);
    }
    for (const p of ['/console/endpoints', '/console/vpcs', '/console/services', `/console/vpcs/${B.vpc}`]) {
      const body = await page(jar, p);
      for (const x of idsOfA()) assert.ok(!body.includes(x), `${p} shows ${x} of A`);
    }
    const forged = await jar.post(`/console/endpoints/${A.endpoint}/routetables`, { routetable: [A.table] });
    assert.equal(forged.status, 404);
    assert.deepEqual(
      ok(await aw.api('GET', `/vpc-endpoints/${A.endpoint}`)).body.routetables.sort(),
      [A.defaultTable, A.table].sort(),
    );
  });

  test('a read-only user sees no write controls', async () => {
    const jar = await signedIn(a, 'reader', reader.password);
    const list = mainOf(await page(jar, '/console/endpoints'));
    assert.ok(list.includes(A.endpoint));
    assert.ok(!list.includes('Create an endpoint'));
    const ep = mainOf(await page(jar, `/console/endpoints/${A.endpoint}`));
    assert.ok(!/<form/.test(ep), 'no form on the endpoint page');
    assert.ok(!ep.includes('Delete this endpoint'));
    assert.match(ep, /Your role lets you see the route tables, not change them/);
    const service = mainOf(await page(jar, `/console/services/${A.ownService}`));
    assert.ok(service.includes(A.interfaceEndpoint), 'the pending connection is listed');
    assert.ok(!/<form|>Accept</.test(service), 'no accept or reject');
    assert.ok(!mainOf(await page(jar, '/console/services')).includes('Create an endpoint'));
  });

  test("a read-only user's forged writes are refused by the API's own check", async () => {
    const jar = await signedIn(a, 'reader', reader.password);
    const before = ok(await aw.api('GET', `/vpc-endpoints/${A.endpoint}`)).body.routetables.sort();
    const posts: [string, Record<string, string | string[]>][] = [
      [`/console/endpoints/${A.endpoint}/routetables`, { routetable: [A.table] }],
      [`/console/endpoints/${A.endpoint}/delete`, {}],
      [`/console/services/${A.ownService}/connections`, { endpoint: A.interfaceEndpoint, action: 'receive' }],
      ['/console/endpoints', { service: A.gatewayService, vpc: A.vpc }],
    ];
    for (const [p, form] of posts) {
      const res = await jar.post(p, form);
      assert.equal(res.status, 403, `${p}: ${res.status}`);
      assert.match(mainOf(res.body), /EndPoint\.0004/, p);
    }
    assert.deepEqual(ok(await aw.api('GET', `/vpc-endpoints/${A.endpoint}`)).body.routetables.sort(), before);
    assert.equal(
      ok(await aw.api('GET', `/vpc-endpoints/${A.interfaceEndpoint}`)).body.status,
      'pendingAcceptance',
    );
  });
});

describe('pages', () => {
  test('a route table lists every route; local and egw are system routes, each egw route links to its endpoint', async () => {
    const jar = await signedIn(a);
    const main = mainOf(await page(jar, `/console/routetables/${A.defaultTable}`));
    const rows = main.split('<tr>').slice(2);
    const egw = rows.filter((r) => r.includes('>egw<'));
    const local = rows.filter((r) => r.includes('>local<'));
    assert.equal(egw.length, 1, main);
    assert.equal(local.length, 1, main);
    assert.ok(egw[0]!.includes(`href="/console/endpoints/${A.endpoint}"`), egw[0]);
    assert.ok(egw[0]!.includes(GW_CIDR));
    for (const r of [...egw, ...local]) assert.match(r, /System route/);
    const custom = mainOf(await page(jar, `/console/routetables/${A.table}`));
    const user = custom.split('<tr>').find((r) => r.includes('172.16.0.0/24'))!;
    assert.match(user, /User route/);
  });

  test('VPCs with their subnets and route tables, and the services with connections and permissions', async () => {
    const jar = await signedIn(a);
    const vpcs = mainOf(await page(jar, '/console/vpcs'));
    assert.ok(vpcs.includes(`href="/console/vpcs/${A.vpc}"`));
    const vpc = mainOf(await page(jar, `/console/vpcs/${A.vpc}`));
    for (const x of [A.subnet, A.table, A.defaultTable, A.endpoint]) assert.ok(vpc.includes(x), x);
    const services = mainOf(await page(jar, '/console/services'));
    assert.ok(services.includes(A.gatewayService), 'the public gateway service');
    assert.ok(services.includes(`href="/console/services/${A.ownService}"`), 'its own service');
    const own = mainOf(await page(jar, `/console/services/${A.ownService}`));
    assert.ok(own.includes(A.interfaceEndpoint), 'the connection');
    assert.match(own, /pendingAcceptance/);
    assert.match(own, /iam:domain::[0-9a-f]{32}/, 'the permission');
  });

  test("the audit trail lists the project's events, filters them, and escapes what it echoes", async () => {
    const jar = await signedIn(a);
    const refused = await aw.api('PUT', `/vpc-endpoints/${A.endpoint}/routetables`, {
      routetables: [randomUUID()],
    });
    assert.equal(refused.status, 400, refused.raw);
    const all = mainOf(await page(jar, '/console/audit'));
    assert.ok(all.includes(`href="/console/endpoints/${A.endpoint}"`), 'an event links its endpoint');
    assert.ok(all.includes('CreateEndpoint'));
    const failures = mainOf(await page(jar, '/console/audit?outcome=failure'));
    assert.ok(failures.includes(String(refused.headers['x-request-id'])), 'the refusal is listed');
    assert.ok(failures.includes('EndPoint.1019'));
    assert.ok(!failures.includes('<td>200</td>'), 'no success among the failures');
    const hostile = '"><img src=x onerror=alert(1)>';
    const echoed = mainOf(await page(jar, `/console/audit?operation=${encodeURIComponent(hostile)}`));
    assert.ok(!echoed.includes('<img') && echoed.includes('&quot;&gt;&lt;img'), echoed.slice(0, 400));
    assert.match(echoed, /No event matches the filter/);
    // Cloud Trace's action: the VPCEP read-only role does not hold it, and the page says so.
    const readerJar = await signedIn(a, 'reader', reader.password);
    const denied = await readerJar.get('/console/audit');
    assert.equal(denied.status, 403);
    assert.ok(mainOf(denied.body).includes('EndPoint.0004'));
  });

  test('the endpoint list filters by VPC, service and status', async () => {
    const jar = await signedIn(a);
    const all = mainOf(await page(jar, '/console/endpoints'));
    assert.ok(all.includes(A.endpoint) && all.includes(A.interfaceEndpoint));
    const byStatus = mainOf(await page(jar, '/console/endpoints?status=pendingAcceptance'));
    assert.ok(byStatus.includes(A.interfaceEndpoint) && !byStatus.includes(`>${A.endpoint}<`));
    const byService = mainOf(await page(jar, `/console/endpoints?service_id=${A.gatewayService}`));
    assert.ok(byService.includes(`>${A.endpoint}<`) && !byService.includes(`>${A.interfaceEndpoint}<`));
    const otherVpc = (await createVpc(aw, '10.9.0.0/16', 'empty')).id;
    const byVpc = mainOf(await page(jar, `/console/endpoints?vpc_id=${otherVpc}`));
    assert.match(byVpc, /No endpoint matches the filter/);
  });
});

describe('the central action: route tables of a gateway endpoint', () => {
  test('saving the checklist reports each table bound, unbound or failed, and the routes move', async () => {
    const vpc = await createVpc(aw, '10.20.0.0/16', 'central');
    const [t1, t2, t3] = [
      await createTable(aw, vpc.id, [], 'rt-one'),
      await createTable(aw, vpc.id, [], 'rt-two'),
      await createTable(aw, vpc.id, [], 'rt-held'),
    ];
    const service = await gatewayService(aw);
    const holder = await createEndpoint(aw, service, vpc.id, [t3]);
    const ep = await createEndpoint(aw, service, vpc.id, [t1]);
    const jar = await signedIn(a);
    const before = mainOf(await page(jar, `/console/endpoints/${ep}`));
    assert.match(before, new RegExp(`name="routetable" value="${t1}"[^>]*checked`));
    assert.match(before, /<svg[^>]*role="img"/, 'the diagram');

    const res = await jar.post(
      `/console/endpoints/${ep}/routetables`,
      { routetable: [t2, t3] },
      { from: `/console/endpoints/${ep}` },
    );
    assert.equal(res.status, 200, res.body);
    const rows = mainOf(res.body).split('<tr>');
    const row = (t: string) =>
      rows.find((r) => r.includes(`href="/console/routetables/${t}"`) && r.includes('outcome-'))!;
    assert.match(row(t2), />bound</);
    assert.match(row(t1), />unbound</);
    assert.match(row(t3), />bind failed</);
    assert.match(row(t3), /<code>EndPoint\.2039<\/code>/);
    assert.match(row(t3), /another VPC endpoint/);

    assert.deepEqual(ok(await aw.api('GET', `/vpc-endpoints/${ep}`)).body.routetables, [t2]);
    assert.deepEqual(await egwRoutes(aw, t1), []);
    const moved = mainOf(await page(jar, `/console/routetables/${t2}`));
    assert.ok(moved.includes(`href="/console/endpoints/${ep}"`), 'the egw route moved to rt-two');
    const held = mainOf(await page(jar, `/console/routetables/${t3}`));
    assert.ok(
      held.includes(`href="/console/endpoints/${holder}"`) && !held.includes(`/console/endpoints/${ep}"`),
    );
  });

  test('a call the API refuses whole shows its code, and nothing changes', async () => {
    const jar = await signedIn(a);
    const res = await jar.post(`/console/endpoints/${A.endpoint}/routetables`, { routetable: [B.table] });
    assert.equal(res.status, 400);
    assert.match(mainOf(res.body), /EndPoint\.1019/);
    expectEpError(
      await aw.api('PUT', `/vpc-endpoints/${A.endpoint}/routetables`, { routetables: [B.table] }),
      400,
      'EndPoint.1019',
    );
  });
});

describe('lifecycle', () => {
  let lw: World;
  let lj: ConsoleJar;
  before(async () => {
    lw = await makeWorld({ provisioningDelayMs: 60_000 });
    lj = new ConsoleJar(injectTransport(lw.app));
    await lj.signIn({ account: 'vpcep', user: 'admin', password: PASSWORD });
  });
  after(() => lw.close());

  test('create an endpoint, watch its status until it is accepted, delete it', async () => {
    const vpc = await createVpc(lw, '10.0.0.0/16', 'life');
    const subnet = await createSubnet(lw, vpc.id);
    const service = await gatewayService(lw);
    const step2 = mainOf(await page(lj, `/console/endpoints/new?service=${service}&vpc=${vpc.id}`));
    assert.match(step2, new RegExp(`name="routetable" value="${vpc.defaultTable}" checked`));
    const made = await lj.post(
      '/console/endpoints',
      { service, vpc: vpc.id, routetable: [vpc.defaultTable], description: 'made by the console' },
      { from: '/console/endpoints/new' },
    );
    assert.equal(made.status, 303, made.body);
    const id = /^\/console\/endpoints\/([0-9a-f-]{36})$/.exec(made.location)?.[1];
    assert.ok(id, made.location);

    const creating = mainOf(await page(lj, made.location));
    assert.match(creating, /data-poll="\/console\/endpoints\/[^"]+\/status" data-status="creating"/);
    assert.match(creating, /made by the console/);
    assert.deepEqual(JSON.parse((await lj.get(`/console/endpoints/${id}/status`)).body), {
      status: 'creating',
    });
    lw.clock.advance(60_000);
    assert.deepEqual(JSON.parse((await lj.get(`/console/endpoints/${id}/status`)).body), {
      status: 'accepted',
    });
    const accepted = mainOf(await page(lj, made.location));
    assert.ok(!accepted.includes('data-poll'), 'no polling once settled');
    assert.match(accepted, /Save route tables/);
    const vpcPage = mainOf(await page(lj, `/console/vpcs/${vpc.id}`));
    assert.ok(vpcPage.includes(subnet));

    const confirm = mainOf(await page(lj, `/console/endpoints/${id}/delete`));
    assert.match(confirm, /Delete the endpoint/);
    const gone = await lj.post(
      `/console/endpoints/${id}/delete`,
      {},
      { from: `/console/endpoints/${id}/delete` },
    );
    assert.equal(gone.status, 303);
    const stays = gone.location === `/console/endpoints/${id}`;
    const after = ok(await lw.api('GET', `/vpc-endpoints/${id}`), stays ? 200 : 404);
    if (stays) assert.equal(after.body.status, 'deleting');
    else {
      assert.equal(gone.location, `/console/endpoints?deleted=${id}`);
      assert.match(
        mainOf(await page(lj, gone.location)),
        new RegExp(`Endpoint <code class="id">${id}</code> was deleted`),
      );
      assert.deepEqual(JSON.parse((await lj.get(`/console/endpoints/${id}/status`)).body), {
        status: 'gone',
      });
    }
  });
});

describe('a provider decides on connections', () => {
  test('accept one pending endpoint, reject another', async () => {
    const second = ok(
      await aw.api('POST', '/vpc-endpoints', {
        endpoint_service_id: A.ownService,
        vpc_id: A.vpc,
        subnet_id: A.subnet,
      }),
    ).body.id as string;
    const jar = await signedIn(a);
    const from = `/console/services/${A.ownService}`;
    const accepted = await jar.post(
      `/console/services/${A.ownService}/connections`,
      { endpoint: A.interfaceEndpoint, action: 'receive' },
      { from },
    );
    assert.equal(accepted.status, 200, accepted.body);
    assert.match(mainOf(accepted.body), /is now <span class="status status-ok">accepted<\/span>/);
    const rejected = await jar.post(
      `/console/services/${A.ownService}/connections`,
      { endpoint: second, action: 'reject' },
      { from },
    );
    assert.match(mainOf(rejected.body), /is now <span class="status status-bad">rejected<\/span>/);
    assert.equal(ok(await aw.api('GET', `/vpc-endpoints/${A.interfaceEndpoint}`)).body.status, 'accepted');
    assert.equal(ok(await aw.api('GET', `/vpc-endpoints/${second}`)).body.status, 'rejected');
  });
});

describe('escaping', () => {
  const SCRIPT = '<script>window.__xss=1</script>';
  const IMG = '"><img src=x onerror="window.__xss=2">';

  test('text from data and from the request is shown as text everywhere it appears', async () => {
    ok(
      await aw.api('POST', `/vpc-endpoint-services/${A.ownService}/permissions/batch-create`, {
        permissions: [{ permission: `iam:domain::${'e'.repeat(32)}`, description: `${SCRIPT} and ${IMG}` }],
      }),
    );
    const jar = await signedIn(a);
    const pages = [
      await page(jar, `/console/services/${A.ownService}`),
      await page(
        jar,
        `/console/endpoints?status=${encodeURIComponent(SCRIPT)}&vpc_id=${encodeURIComponent(IMG)}`,
      ),
      (await jar.post(`/console/endpoints/${A.endpoint}/routetables`, { routetable: [IMG] })).body,
      (await jar.get(`/console/endpoints/new?service=${encodeURIComponent(IMG)}&vpc=${A.vpc}`)).body,
    ];
    for (const body of pages) {
      assert.ok(body.includes('&lt;script&gt;') || body.includes('&quot;&gt;&lt;img'), body.slice(0, 3000));
      assert.ok(!body.includes('<script>window') && !body.includes('<img'), body);
    }
    const signIn = await jarOf().request('POST', '/console/sign-in', {
      form: { account: IMG, user: SCRIPT, password: 'x' },
    });
    assert.ok(signIn.body.includes('value="&quot;&gt;&lt;img src=x onerror=&quot;window.__xss=2&quot;&gt;"'));
    assert.ok(!signIn.body.includes('<script>window') && !signIn.body.includes('<img'));
  });
});

describe('routing', () => {
  test("the API's paths keep their 404 and 405; console paths answer HTML", async () => {
    expectGatewayError(await w.call('GET', '/v1/nothing/here'), 404, 'APIGW.0101');
    const notAllowed = await w.api('PATCH', '/vpcs');
    assert.equal(notAllowed.status, 405, notAllowed.raw);
    assert.equal(ok(await w.api('GET', '/vpcs')).headers['content-type'], 'application/json;charset=UTF-8');
    const missing = await jarOf().get('/console/no-such-page');
    assert.equal(missing.status, 404);
    assert.match(String(missing.headers['content-type']), /^text\/html/);
    assert.equal((await jarOf().get('/console')).location, '/console/endpoints');
    const css = await jarOf().get('/console/assets/console.css');
    assert.equal(css.status, 200);
    assert.match(String(css.headers['content-security-policy']), /script-src 'self'/);
  });

  test('with the console off there is no /console', async () => {
    const off = await makeWorld({ console: false });
    try {
      expectGatewayError(await off.call('GET', '/console/sign-in'), 404, 'APIGW.0101');
      expectGatewayError(await off.call('GET', '/console/endpoints/x'), 404, 'APIGW.0101');
    } finally {
      await off.close();
    }
  });
});
