import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { buildApp } from '../../src/app.ts';
import { testConfig } from '../../src/config.ts';
import { randomIds, systemClock } from '../../src/domain/ids.ts';
import { bootstrap } from '../../src/service/bootstrap.ts';
import type { Store } from '../../src/store/store.ts';
import { rejectsWith } from '../helpers/expect.ts';
import { freePort } from '../helpers/server.ts';
import { sign } from '../helpers/sign.ts';
import { openTestStore, PASSWORD, PROJECT_ID } from '../helpers/world.ts';
import { GW_CIDR } from '../helpers/fixtures.ts';
import {
  core,
  ClientRequestException,
  vpc,
  iam,
  removeSdkHome,
  sdkPasswordLogin,
} from '../helpers/official-sdk.ts';

/**
 * A listening vpcep driven by the official Huawei Cloud SDK packages from npm, unmodified
 * (design.md, "Real parts"): the core signer, the VPC client (route tables) and the IAM client.
 */

const AK = 'OFFICIALSDKTEST00001';
const SK = 'official-sdk-test-secret-000000000000000';
const REGION = 'cn-north-4';

/** What the server saw of each request, to check what the SDK really sent. */
interface Seen {
  method: string;
  url: string;
  status: number;
  requestId: string;
  signed: boolean;
  token: boolean;
  projectHeader: string | undefined;
  body: string;
}

let app: FastifyInstance;
let store: Store;
let dataDir: string;
/** `http://127.0.0.1:<port>`, no trailing slash (signing.md: the SDK would sign `//v1/...`). */
let url: string;
let host: string;
let domainId: string;
const seen: Seen[] = [];

before(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vpcep-sdk-'));
  const config = testConfig({
    dataDir,
    region: REGION,
    projectId: PROJECT_ID,
    adminPassword: PASSWORD,
    adminAk: AK,
    adminSk: SK,
    logLevel: 'silent',
  });
  store = await openTestStore(dataDir);
  const log = pino({ level: 'silent' });
  // The real clock: the SDK stamps X-Sdk-Date with the time of day.
  await bootstrap({ config, store, clock: systemClock, ids: randomIds, log });
  domainId = (await store.read((r) => r.identity.domainByName('vpcep')))!.id;
  app = await buildApp({ config, store, clock: systemClock, logger: log });
  app.addHook('onResponse', async (request, reply) => {
    seen.push({
      method: request.method,
      url: request.url,
      status: reply.statusCode,
      requestId: String(reply.getHeader('x-request-id')),
      signed: typeof request.headers.authorization === 'string',
      token: request.headers['x-auth-token'] !== undefined,
      projectHeader: request.headers['x-project-id'] as string | undefined,
      body: request.rawBody?.toString('utf8') ?? '',
    });
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  assert.ok(address && typeof address === 'object');
  host = `127.0.0.1:${address.port}`;
  url = `http://${host}`;
});

after(async () => {
  await app.close();
  await store.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
  removeSdkHome();
});

/** A response model as it really is at run time: the parsed JSON, whatever the model's types say. */
const wire = (model: object) => model as Record<string, unknown>;

/** The requests the server saw since `mark`. */
const since = (mark: number) => seen.slice(mark);

const credentials = () => new core.BasicCredentials().withAk(AK).withSk(SK).withProjectId(PROJECT_ID);
const vpcClient = () => vpc.VpcClient.newBuilder().withCredential(credentials()).withEndpoint(url).build();

/** A raw request signed by the official signer, sent with fetch. */
async function signedFetch(method: string, p: string, body?: unknown, headers: Record<string, string> = {}) {
  const s = sign({
    ak: AK,
    sk: SK,
    method,
    url: p,
    host,
    date: new Date(),
    headers: { 'X-Project-Id': PROJECT_ID, ...headers },
    body,
  });
  const res = await fetch(`${url}${p}`, {
    method,
    headers: s.headers,
    ...(s.payload === undefined ? {} : { body: s.payload }),
    signal: AbortSignal.timeout(10_000),
  });
  const raw = await res.text();
  return {
    status: res.status,
    raw,
    body: raw ? JSON.parse(raw) : undefined,
    requestId: res.headers.get('x-request-id'),
  };
}

const expectClientError = (call: Promise<unknown>) => rejectsWith(call, ClientRequestException);

let vpcId: string;

describe('raw requests signed by the official signer, over HTTP', () => {
  test('POST with a UTF-8 body creates a VPC', async () => {
    const res = await signedFetch('POST', `/v1/${PROJECT_ID}/vpcs`, {
      vpc: { name: '网络-sdk', cidr: '10.10.0.0/16', description: 'für die Tests — 测试 ✓' },
    });
    assert.equal(res.status, 200, res.raw);
    assert.equal(res.body.vpc.name, '网络-sdk');
    assert.equal(res.body.vpc.description, 'für die Tests — 测试 ✓');
    vpcId = res.body.vpc.id;
  });

  test('GET with a query string', async () => {
    const res = await signedFetch('GET', `/v1/${PROJECT_ID}/routetables?vpc_id=${vpcId}&limit=5`);
    assert.equal(res.status, 200, res.raw);
    assert.equal(res.body.routetables.length, 1);
    assert.equal(res.body.routetables[0].default, true);
    const services = await signedFetch(
      'GET',
      `/v1/${PROJECT_ID}/vpc-endpoint-services/public?service_type=gateway&limit=10&offset=0`,
    );
    assert.equal(services.status, 200, services.raw);
    // Reserved and non-ASCII characters in the query: space, "+", "&", "=", Chinese.
    const name = encodeURIComponent('obs 对象+&=x');
    const fuzzy = await signedFetch(
      'GET',
      `/v1/${PROJECT_ID}/vpc-endpoints?endpoint_service_name=${name}&limit=5`,
    );
    assert.equal(fuzzy.status, 200, fuzzy.raw);
    assert.deepEqual(fuzzy.body.endpoints, []);
    const spaces = await signedFetch(
      'GET',
      `/v1/${PROJECT_ID}/vpc-endpoints?endpoint_service_name=a+b&limit=5`,
    );
    assert.equal(spaces.status, 200, spaces.raw);
  });

  test('PUT with a UTF-8 body, then DELETE', async () => {
    const created = await signedFetch('POST', `/v1/${PROJECT_ID}/routetables`, {
      routetable: { vpc_id: vpcId, name: '临时表', description: 'raw ünïcödé' },
    });
    assert.equal(created.status, 200, created.raw);
    const id = created.body.routetable.id;
    const updated = await signedFetch('PUT', `/v1/${PROJECT_ID}/routetables/${id}`, {
      routetable: { name: '路由表.改', description: '描述 «quoted» & more' },
    });
    assert.equal(updated.status, 200, updated.raw);
    assert.equal(updated.body.routetable.name, '路由表.改');
    assert.equal(updated.body.routetable.description, '描述 «quoted» & more');
    const deleted = await signedFetch('DELETE', `/v1/${PROJECT_ID}/routetables/${id}`);
    assert.equal(deleted.status, 204, deleted.raw);
    assert.equal((await signedFetch('GET', `/v1/${PROJECT_ID}/routetables/${id}`)).status, 404);
  });
});

describe('the official VPC client (v2 namespace) on route tables', () => {
  let tableId: string;

  test('createRouteTable with non-ASCII name and description', async () => {
    const mark = seen.length;
    const res = await vpcClient().createRouteTable(
      new vpc.CreateRouteTableRequest().withBody(
        new vpc.CreateRoutetableReqBody().withRoutetable(
          new vpc.CreateRouteTableReq()
            .withVpcId(vpcId)
            .withName('路由表-sdk')
            .withDescription('créé par le SDK 官方')
            .withRoutes([
              new vpc.RouteTableRoute()
                .withType('peering')
                .withDestination('192.168.0.0/24')
                .withNexthop('peer-1'),
            ]),
        ),
      ),
    );
    assert.equal(res.httpStatusCode, 200);
    const table = res.routetable!;
    assert.equal(table.name, '路由表-sdk');
    assert.equal(table.description, 'créé par le SDK 官方');
    assert.equal(wire(table).default, false);
    tableId = table.id!;
    const [req] = since(mark);
    assert.ok(req?.signed && !req.token, 'the SDK signed the request with AK/SK');
    assert.equal(req.projectHeader, PROJECT_ID);
  });

  test('listRouteTables (query string) finds it', async () => {
    const res = await vpcClient().listRouteTables(
      new vpc.ListRouteTablesRequest().withVpcId(vpcId).withLimit(100),
    );
    const ids = res.routetables!.map((t) => t.id);
    assert.ok(ids.includes(tableId), JSON.stringify(res.routetables));
    assert.equal(res.routetables!.length, 2, 'the default table and this one');
  });

  test('showRouteTable has its routes', async () => {
    const res = await vpcClient().showRouteTable(new vpc.ShowRouteTableRequest().withRoutetableId(tableId));
    const t = res.routetable!;
    assert.equal(t.id, tableId);
    // 2xx bodies reach the caller as parsed JSON: snake_case names, not the models' camelCase getters.
    assert.equal(wire(t).vpc_id, vpcId);
    assert.equal(wire(t).vpcId, undefined);
    assert.deepEqual(
      t.routes!.map((r) => ({ type: r.type, destination: r.destination, nexthop: r.nexthop })),
      [{ type: 'peering', destination: '192.168.0.0/24', nexthop: 'peer-1' }],
    );
  });

  test('updateRouteTable adds a route and renames', async () => {
    const res = await vpcClient().updateRouteTable(
      new vpc.UpdateRouteTableRequest()
        .withRoutetableId(tableId)
        .withBody(
          new vpc.UpdateRoutetableReqBody().withRoutetable(
            new vpc.UpdateRouteTableReq()
              .withName('路由表-sdk-2')
              .withRoutes(
                new vpc.RouteTableRouteAction().withAdd([
                  new vpc.AddRouteTableRoute()
                    .withType('vpn')
                    .withDestination('172.16.0.0/24')
                    .withNexthop('vpn-1')
                    .withDescription('über VPN'),
                ]),
              ),
          ),
        ),
    );
    assert.equal(res.routetable!.name, '路由表-sdk-2');
    const shown = await vpcClient().showRouteTable(new vpc.ShowRouteTableRequest().withRoutetableId(tableId));
    const added = shown.routetable!.routes!.find((r) => r.destination === '172.16.0.0/24');
    assert.deepEqual(
      { type: added?.type, nexthop: added?.nexthop, description: added?.description },
      { type: 'vpn', nexthop: 'vpn-1', description: 'über VPN' },
    );
  });

  let endpointId: string;

  test('showRouteTable shows the egw route that binding an endpoint programmed', async () => {
    const services = await signedFetch('GET', `/v1/${PROJECT_ID}/vpc-endpoint-services/public`);
    const gateway = services.body.endpoint_services.find(
      (s: { service_type: string }) => s.service_type === 'gateway',
    );
    const created = await signedFetch('POST', `/v1/${PROJECT_ID}/vpc-endpoints`, {
      endpoint_service_id: gateway.id,
      vpc_id: vpcId,
      routetables: [tableId],
    });
    assert.equal(created.status, 200, created.raw);
    endpointId = created.body.id;
    const shown = await vpcClient().showRouteTable(new vpc.ShowRouteTableRequest().withRoutetableId(tableId));
    const egw = shown.routetable!.routes!.filter((r) => r.type === 'egw');
    assert.deepEqual(
      egw.map((r) => ({ type: r.type, destination: r.destination, nexthop: r.nexthop })),
      [{ type: 'egw', destination: GW_CIDR, nexthop: endpointId }],
    );
  });

  test('a 4xx surfaces as ClientRequestException with the error code, message and X-Request-Id', async () => {
    const mark = seen.length;
    const e = await expectClientError(
      vpcClient().deleteRouteTable(new vpc.DeleteRouteTableRequest().withRoutetableId(tableId)),
    );
    const [req] = since(mark);
    assert.ok(req);
    assert.equal(e.httpStatusCode, 400);
    assert.equal(req.status, 400);
    assert.match(String(e.errorCode), /^VPC\.\d{4}$/);
    assert.match(String(e.errorMsg), new RegExp(endpointId), 'the message names the bound endpoint');
    assert.equal(e.requestId, req.requestId);
    assert.match(e.requestId ?? '', /^[0-9a-f]{32}$/);
  });

  test('deleteRouteTable once the endpoint is gone; then showRouteTable → 404 ClientRequestException', async () => {
    const gone = await signedFetch('DELETE', `/v1/${PROJECT_ID}/vpc-endpoints/${endpointId}`);
    assert.equal(gone.status, 204, gone.raw);
    const res = await vpcClient().deleteRouteTable(
      new vpc.DeleteRouteTableRequest().withRoutetableId(tableId),
    );
    assert.equal(res.httpStatusCode, 204);
    const mark = seen.length;
    const e = await expectClientError(
      vpcClient().showRouteTable(new vpc.ShowRouteTableRequest().withRoutetableId(tableId)),
    );
    assert.equal(e.httpStatusCode, 404);
    assert.equal(e.errorCode, 'VPC.2808');
    assert.equal(e.requestId, since(mark)[0]?.requestId);
  });

  test('a wrong SK surfaces as ClientRequestException 401 APIGW.0301', async () => {
    const client = vpc.VpcClient.newBuilder()
      .withCredential(
        new core.BasicCredentials()
          .withAk(AK)
          .withSk(`${SK.slice(0, -1)}y`)
          .withProjectId(PROJECT_ID),
      )
      .withEndpoint(url)
      .build();
    const mark = seen.length;
    const e = await expectClientError(client.listRouteTables(new vpc.ListRouteTablesRequest()));
    assert.equal(e.httpStatusCode, 401);
    assert.equal(e.errorCode, 'APIGW.0301');
    assert.equal(e.errorMsg, 'Incorrect IAM authentication information: verify aksk signature fail');
    assert.equal(e.requestId, since(mark)[0]?.requestId);
  });

  test('another project id surfaces as ClientRequestException 403 APIGW.0302', async () => {
    const client = vpc.VpcClient.newBuilder()
      .withCredential(new core.BasicCredentials().withAk(AK).withSk(SK).withProjectId('f'.repeat(32)))
      .withEndpoint(url)
      .build();
    const e = await expectClientError(client.listRouteTables(new vpc.ListRouteTablesRequest()));
    assert.equal(e.httpStatusCode, 403);
    assert.equal(e.errorCode, 'APIGW.0302');
  });
});

describe('the official IAM client', () => {
  const passwordLogin = () =>
    sdkPasswordLogin({ user: 'admin', password: PASSWORD, domain: 'vpcep', project: REGION });

  for (const withDomain of [false, true]) {
    test(`keystoneCreateUserTokenByPassword (GlobalCredentials${withDomain ? ' with domain id' : ''}) gives a token vpcep accepts`, async () => {
      const cred = new core.GlobalCredentials().withAk(AK).withSk(SK);
      if (withDomain) cred.withDomainId(domainId);
      const client = iam.IamClient.newBuilder().withCredential(cred).withEndpoint(url).build();
      const res = await client.keystoneCreateUserTokenByPassword(passwordLogin());
      assert.equal(res.httpStatusCode, 201);
      assert.equal(res.token?.project?.id, PROJECT_ID);
      const token = (res as unknown as Record<string, string>)['X-Subject-Token'];
      assert.ok(token, 'the SDK hands back X-Subject-Token');

      const mark = seen.length;
      const call = await fetch(`${url}/v1/${PROJECT_ID}/routetables?vpc_id=${vpcId}`, {
        headers: { 'X-Auth-Token': token },
      });
      assert.equal(call.status, 200, await call.text());
      assert.ok(since(mark)[0]?.token);
    });
  }

  test('a wrong password surfaces as ClientRequestException 401', async () => {
    const req = passwordLogin();
    req.body!.auth!.identity!.password!.user!.password = 'wrong';
    const client = iam.IamClient.newBuilder()
      .withCredential(new core.GlobalCredentials().withAk(AK).withSk(SK))
      .withEndpoint(url)
      .build();
    const e = await expectClientError(client.keystoneCreateUserTokenByPassword(req));
    assert.equal(e.httpStatusCode, 401);
    assert.equal(e.errorCode, 401, 'Keystone errors carry the numeric status as the code');
  });
});

describe('a client built with a region and no project id', () => {
  test('discovers the project with a signed GET /v3/projects?name=<region> and works', async () => {
    const mark = seen.length;
    const client = vpc.VpcClient.newBuilder()
      .withCredential(new core.BasicCredentials().withAk(AK).withSk(SK).withIamEndpoint(url))
      .withRegion(new core.Region(REGION, url))
      .build();
    const res = await client.listRouteTables(new vpc.ListRouteTablesRequest().withVpcId(vpcId));
    assert.equal(res.httpStatusCode, 200);
    assert.equal(res.routetables!.length, 1);

    const [discovery, call] = since(mark);
    assert.deepEqual(
      discovery && {
        method: discovery.method,
        url: discovery.url,
        status: discovery.status,
        body: discovery.body,
      },
      { method: 'GET', url: `/v3/projects?name=${REGION}`, status: 200, body: '{}' },
    );
    assert.ok(discovery?.signed);
    assert.equal(call?.url, `/v1/${PROJECT_ID}/routetables?vpc_id=${vpcId}`);
    assert.equal(call?.projectHeader, PROJECT_ID);
  });
});

describe('endpoint configuration (client-side facts of signing.md)', () => {
  test("an endpoint ending in '/' signs //v1/... but sends /v1/...: refused with 401", async () => {
    const client = vpc.VpcClient.newBuilder().withCredential(credentials()).withEndpoint(`${url}/`).build();
    const mark = seen.length;
    const e = await expectClientError(client.listRouteTables(new vpc.ListRouteTablesRequest()));
    assert.equal(e.httpStatusCode, 401);
    assert.equal(e.errorCode, 'APIGW.0301');
    assert.equal(since(mark)[0]?.url, `/v1/${PROJECT_ID}/routetables`, 'sent without the double slash');
  });

  test('with a dead first endpoint the SDK retries on the second, signed again for its host', async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    const client = vpc.VpcClient.newBuilder().withCredential(credentials()).withEndpoint([dead, url]).build();
    const mark = seen.length;
    const res = await client.listRouteTables(new vpc.ListRouteTablesRequest().withVpcId(vpcId));
    assert.equal(res.httpStatusCode, 200);
    assert.equal(res.routetables!.length, 1);
    assert.equal(since(mark).length, 1);
    assert.ok(since(mark)[0]?.signed);
  });
});
