import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { passwordLogin } from '../helpers/auth.ts';
import { expectAccessible, launchBrowser, look, screenshot } from '../helpers/browser.ts';
import { ok } from '../helpers/expect.ts';
import {
  createEndpoint,
  createPort,
  createService,
  createSubnet,
  createTable,
  createVpc,
  gatewayService,
  type Api,
} from '../helpers/fixtures.ts';
import { client, sessionOn, spawnServer, stopAll, type ServerProcess } from '../helpers/server.ts';
import { until } from '../helpers/wait.ts';

/**
 * The web console in Debian's Chromium against a compiled `vpcep serve` (issue 14, "What the tests
 * must show"): sign in, create an endpoint and watch it come up, change its route tables — one of
 * them held by another endpoint of the same service — see the failure and the moved routes, sign
 * out; then a provider accepting a consumer's endpoint, with hostile text on the page. Every page
 * is saved under test-results/console/ and checked with axe-core.
 */

const PASSWORD = 'Console-admin-1';
/** Long enough that the page the create leads to shows `creating`, and follows it to `accepted`. */
const PROVISIONING_MS = 4000;

let server: ServerProcess;
let dataDir: string;
let browser: Browser;
let admin: Api;

before(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vpcep-console-e2e-'));
  server = await spawnServer({
    dataDir,
    env: {
      VPCEP_ADMIN_PASSWORD: PASSWORD,
      VPCEP_PROVISIONING_DELAY_MS: String(PROVISIONING_MS),
      VPCEP_LOG_LEVEL: 'info',
    },
  });
  admin = client(server.url, await sessionOn(server, PASSWORD));
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await stopAll();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function signIn(page: Page, account: string, user: string, password: string) {
  await page.goto(`${server.url}/console/`);
  assert.match(page.url(), /\/console\/sign-in\?next=/);
  await page.getByLabel('Account name').fill(account);
  await page.getByLabel('User name').fill(user);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/console\/endpoints$/);
}

/** A checkbox by its label: a route table's name. */
const box = (page: Page, name: string) => page.getByRole('checkbox', { name, exact: true });

/** The rows of the table that says what happened to each route table, as text. */
async function outcomes(page: Page) {
  const rows = page.locator('section[aria-labelledby="result-title"] tbody tr');
  return (await rows.allInnerTexts()).map((r) => r.replace(/\s+/g, ' ').trim());
}

/** The `egw` rows of a route table's page, and the endpoint each links to. */
async function egwLinks(page: Page) {
  const rows = page.locator('tbody tr', { hasText: 'egw' });
  const out: string[] = [];
  for (const row of await rows.all()) {
    assert.match(await row.innerText(), /System route/);
    out.push((await row.getByRole('link').getAttribute('href')) ?? '');
  }
  return out;
}

test('sign in, create an endpoint, change its route tables with one failing, see the routes move, sign out', async () => {
  // The world the story happens in: a VPC with three tables and a subnet on each, and another
  // endpoint of the same gateway service holding rt-b.
  const vpc = await createVpc(admin, '10.0.0.0/16', 'shop-vpc');
  const rtA = await createTable(admin, vpc.id, [], 'rt-a');
  const rtB = await createTable(admin, vpc.id, [], 'rt-b');
  for (const [cidr, name, table] of [
    ['10.0.1.0/24', 'web', rtA],
    ['10.0.2.0/24', 'db', rtB],
    ['10.0.3.0/24', 'ops', undefined],
  ] as const) {
    const subnet = await createSubnet(admin, vpc.id, cidr, name);
    if (table) {
      ok(
        await admin.api('POST', `/routetables/${table}/action`, {
          routetable: { subnets: { associate: [subnet] } },
        }),
      );
    }
  }
  const service = await gatewayService(admin);
  const holder = await createEndpoint(admin, service, vpc.id, [rtB]);
  const defaultName = ok(await admin.api('GET', `/routetables/${vpc.defaultTable}`)).body.routetable.name;

  const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  const page = await context.newPage();

  // 1. Sign in; the keyboard reaches the skip link first, and focus is visible.
  await page.goto(`${server.url}/console/sign-in`);
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate('document.activeElement.className'), 'skip');
  assert.notEqual(await page.evaluate('getComputedStyle(document.activeElement).outlineStyle'), 'none');
  await look(page, '01-sign-in');
  await signIn(page, 'vpcep', 'admin', PASSWORD);
  await look(page, '02-endpoints');
  assert.ok((await page.locator('main').innerText()).includes(holder));

  // 2. Create a gateway endpoint of the VPC; its page follows the status until it is accepted.
  await page.getByRole('link', { name: 'Create an endpoint' }).click();
  await page.getByLabel('Endpoint service').selectOption(service);
  await page.getByLabel('VPC').selectOption(vpc.id);
  await look(page, '03-create-step-1');
  await page.getByRole('button', { name: 'Next' }).click();
  assert.ok(await box(page, `${defaultName} (default)`).isChecked());
  await page.getByLabel('Description').fill('egress to object storage');
  await look(page, '04-create-step-2');
  await page.getByRole('button', { name: 'Create the endpoint' }).click();
  await page.waitForURL(/\/console\/endpoints\/[0-9a-f-]{36}$/);
  const endpoint = page.url().split('/').at(-1)!;
  const shown = (await page.locator('#endpoint-status').innerText()).trim();
  if (shown === 'creating') {
    assert.equal(await page.locator('#endpoint-status').getAttribute('data-status'), 'creating');
    await screenshot(page, '05-endpoint-creating');
  }
  // The page's own script reloads it when the status changes; the test never reloads.
  await page.locator('#endpoint-status', { hasText: 'accepted' }).waitFor({ timeout: 30_000 });
  await look(page, '06-endpoint-accepted');
  assert.ok(await box(page, defaultName).isChecked());

  // 3. The central action: rt-a and rt-b instead of the default table; rt-b is held by `holder`.
  await box(page, 'rt-a').check();
  await box(page, 'rt-b').check();
  await box(page, defaultName).uncheck();
  await page.getByRole('button', { name: 'Save route tables' }).click();
  await page.locator('#result-title').waitFor();

  // 4. The failure on the page, with its code and message; the others bound and unbound.
  const rows = await outcomes(page);
  assert.ok(
    rows.some((r) => r.startsWith('rt-a bound')),
    rows.join('\n'),
  );
  assert.ok(
    rows.some((r) => r.startsWith(`${defaultName} unbound`)),
    rows.join('\n'),
  );
  const failed = rows.find((r) => r.startsWith('rt-b bind failed'));
  assert.ok(failed, rows.join('\n'));
  assert.match(failed, /EndPoint\.2039/);
  assert.match(failed, /another VPC endpoint/);
  assert.match(await page.locator('#result-title').innerText(), /1 route table failed/);
  await look(page, '07-routetables-saved');
  assert.deepEqual(ok(await admin.api('GET', `/vpc-endpoints/${endpoint}`)).body.routetables, [rtA]);

  // ...and the routes moved: rt-a's egw route is the new endpoint's, the default table has none
  // of it, rt-b keeps the holder's.
  await page.locator('section[aria-labelledby="result-title"]').getByRole('link', { name: 'rt-a' }).click();
  await page.waitForURL(new RegExp(`/console/routetables/${rtA}$`));
  assert.deepEqual(await egwLinks(page), [`/console/endpoints/${endpoint}`]);
  await look(page, '08-routetable-rt-a');
  await page.goto(`${server.url}/console/routetables/${vpc.defaultTable}`);
  assert.deepEqual(await egwLinks(page), []);
  const local = page.locator('tbody tr', { hasText: 'local' });
  assert.match(await local.innerText(), /System route/);
  await page.goto(`${server.url}/console/routetables/${rtB}`);
  assert.deepEqual(await egwLinks(page), [`/console/endpoints/${holder}`]);
  await look(page, '09-routetable-rt-b');

  // The rest of the pages, each checked; and the endpoint's page on a 375-pixel screen.
  for (const [p, name] of [
    ['/console/vpcs', '10-vpcs'],
    [`/console/vpcs/${vpc.id}`, '11-vpc'],
    ['/console/services', '12-services'],
    [`/console/endpoints?vpc_id=${vpc.id}&status=accepted`, '13-endpoints-filtered'],
    [`/console/endpoints/${endpoint}/delete`, '14-delete-confirm'],
    ['/console/audit', '14-audit'],
  ]) {
    await page.goto(`${server.url}${p}`);
    await look(page, name!);
  }
  await page.setViewportSize({ width: 375, height: 812 });
  for (const [p, name] of [
    [`/console/endpoints/${endpoint}`, '15-endpoint-375px'],
    ['/console/endpoints', '16-endpoints-375px'],
    [`/console/routetables/${rtA}`, '17-routetable-375px'],
    ['/console/audit', '18-audit-375px'],
  ]) {
    await page.goto(`${server.url}${p}`);
    assert.ok(
      await page.evaluate('document.documentElement.scrollWidth <= document.documentElement.clientWidth'),
      `${p} is wider than the screen`,
    );
    await look(page, name!);
  }

  // 5. Sign out: the session is gone, in this browser and for anyone holding its cookie.
  const cookie = (await context.cookies()).find((c) => c.name === 'vpcep_console')!;
  assert.equal(cookie.httpOnly, true);
  assert.equal(cookie.sameSite, 'Strict');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByText('You have signed out.').waitFor();
  await look(page, '18-signed-out');
  await page.goto(`${server.url}/console/endpoints`);
  assert.match(page.url(), /\/console\/sign-in/);
  const replay = await fetch(`${server.url}/console/endpoints`, {
    headers: { cookie: `vpcep_console=${cookie.value}` },
    redirect: 'manual',
  });
  assert.equal(replay.status, 303);
  assert.match(replay.headers.get('location') ?? '', /^\/console\/sign-in/);

  // Neither the session cookie nor the password ever reaches the log.
  const secret = cookie.value.split('.')[0]!;
  assert.ok(!server.output().includes(secret), 'the session id is in the log');
  assert.ok(!server.output().includes(PASSWORD), 'the password is in the log');
  assert.match(server.output(), /request completed/, 'the log has the requests');
  await context.close();
});

test('a provider accepts a consumer’s endpoint; hostile text in a description stays text', async () => {
  const SCRIPT = '<script>window.__xss=1</script>';
  const IMG = '"><img src=x onerror="window.__xss=2">';

  // A consumer account, made with the operator key the server wrote.
  const operatorKey = JSON.parse(
    fs.readFileSync(path.join(dataDir, 'credentials.json'), 'utf8'),
  ).operator_key;
  const made = await fetch(`${server.url}/vpcep/v1/accounts`, {
    method: 'POST',
    headers: { authorization: `Bearer ${operatorKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ account: { name: 'consumer' } }),
  });
  assert.equal(made.status, 201);
  const consumerAccount = (
    (await made.json()) as { account: { domain_id: string; project_id: string; admin: { password: string } } }
  ).account;
  const login = await fetch(`${server.url}/v3/auth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(
      passwordLogin({ user: 'admin', password: consumerAccount.admin.password, domain: 'consumer' }),
    ),
  });
  assert.equal(login.status, 201);
  const consumer = client(server.url, {
    token: login.headers.get('x-subject-token')!,
    projectId: consumerAccount.project_id,
  });

  // The provider's interface service, shared with the consumer under a hostile description.
  const pVpc = await createVpc(admin, '10.1.0.0/16', 'provider-vpc');
  const port = await createPort(admin, await createSubnet(admin, pVpc.id, '10.1.1.0/24', 'backend'));
  const shop = await createService(admin, pVpc.id, port.id, { service_name: 'shop' });
  await until(
    'the service is available',
    async () => {
      const s = ok(await admin.api('GET', `/vpc-endpoint-services/${shop.id}`)).body;
      return s.status === 'available';
    },
    30_000,
  );
  ok(
    await admin.api('POST', `/vpc-endpoint-services/${shop.id}/permissions/batch-create`, {
      permissions: [
        { permission: `iam:domain::${consumerAccount.domain_id}`, description: `${SCRIPT} ${IMG}` },
      ],
    }),
  );
  const cVpc = await createVpc(consumer, '10.2.0.0/16', 'consumer-vpc');
  await createSubnet(consumer, cVpc.id, '10.2.1.0/24', 'apps');

  // The consumer makes an endpoint of it in the console, by the service's id.
  const consumerContext = await browser.newContext();
  const cPage = await consumerContext.newPage();
  await signIn(cPage, 'consumer', 'admin', consumerAccount.admin.password);
  await cPage.getByRole('link', { name: 'Create an endpoint' }).click();
  await cPage.getByLabel('Or the ID of a service another account shares with you').fill(shop.id);
  await cPage.getByLabel('VPC').selectOption(cVpc.id);
  await cPage.getByRole('button', { name: 'Next' }).click();
  await cPage.getByLabel('Subnet').selectOption({ label: 'apps (10.2.1.0/24)' });
  await look(cPage, '20-consumer-create');
  await cPage.getByRole('button', { name: 'Create the endpoint' }).click();
  await cPage.waitForURL(/\/console\/endpoints\/[0-9a-f-]{36}$/);
  const endpoint = cPage.url().split('/').at(-1)!;
  await cPage.locator('#endpoint-status', { hasText: 'pendingAcceptance' }).waitFor({ timeout: 30_000 });
  await look(cPage, '21-consumer-pending');

  // The provider sees the connection, and the hostile description as text, and accepts.
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, 'vpcep', 'admin', PASSWORD);
  await page.goto(`${server.url}/console/services/${shop.id}`);
  const description = page.locator('td', { hasText: SCRIPT });
  assert.equal(await description.count(), 1);
  assert.equal(await description.innerText(), `${SCRIPT} ${IMG}`);
  assert.equal(await page.locator('main img').count(), 0);
  assert.equal(await page.evaluate('window.__xss'), undefined);
  const row = page.locator('tbody tr', { hasText: endpoint });
  assert.match(await row.innerText(), /pendingAcceptance/);
  await look(page, '22-provider-service');
  await row.getByRole('button', { name: `Accept endpoint ${endpoint}` }).click();
  await page.getByText(`Endpoint ${endpoint} is now accepted.`).waitFor();
  await look(page, '23-provider-accepted');

  // The consumer's page, still open, follows the status to accepted by itself.
  await cPage.locator('#endpoint-status', { hasText: 'accepted' }).waitFor({ timeout: 30_000 });
  await look(cPage, '24-consumer-accepted');

  // Text from the request is text too: a filter, and a sign-in form sent back.
  await page.goto(
    `${server.url}/console/endpoints?status=${encodeURIComponent(SCRIPT)}&vpc_id=${encodeURIComponent(IMG)}`,
  );
  assert.match(
    await page.locator('main').innerText(),
    /with VPC "><img src=x onerror="window.__xss=2">, status <script>/,
  );
  assert.equal(await page.locator('main img').count(), 0);
  assert.equal(await page.evaluate('window.__xss'), undefined);
  await expectAccessible(page, 'filter with hostile text');
  await context.close();
  await consumerContext.close();
});
