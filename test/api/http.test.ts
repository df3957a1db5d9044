import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { createTable, createVpc, gatewayService } from '../helpers/fixtures.ts';
import { makeWorld, type Reply, type World } from '../helpers/world.ts';
import { expectEpError, expectGatewayError, expectJson, expectVpcError } from '../helpers/expect.ts';

let w: World;
let vpcId: string;
before(async () => {
  w = await makeWorld();
  vpcId = (await createVpc(w)).id;
});
after(() => w.close());

const NO_SUCH = '00000000-0000-4000-8000-000000000000';

describe('every response', () => {
  test('carries X-Request-Id: 32 lower-case hex chars, distinct per request', async () => {
    const calls: [string, () => Promise<Reply>, number][] = [
      ['success', () => w.api('GET', '/vpc-endpoints'), 200],
      ['204', async () => w.api('DELETE', `/routetables/${await createTable(w, vpcId)}`), 204],
      ['400', () => w.api('GET', '/vpc-endpoints?limit=0'), 400],
      ['401', () => w.api('GET', '/vpc-endpoints', undefined, { 'x-auth-token': undefined }), 401],
      ['403', () => w.call('GET', `/v1/${'f'.repeat(32)}/vpc-endpoints`), 403],
      ['404 of an unknown path', () => w.call('GET', '/nothing/here'), 404],
      ['404 of a resource', () => w.api('GET', `/vpc-endpoints/${NO_SUCH}`), 404],
      ['405', () => w.api('PATCH', '/vpc-endpoints'), 405],
      ['406', () => w.api('GET', '/vpc-endpoints', undefined, { accept: 'text/html' }), 406],
      ['413', () => w.api('POST', '/vpcs', 'x'.repeat(1024 * 1024 + 1)), 413],
      ['no auth', () => w.call('GET', '/', undefined, { 'x-auth-token': undefined }), 200],
      ['login', () => w.call('POST', '/v3/auth/tokens', {}), 400],
    ];
    const seen = new Set<string>();
    for (const [why, call, status] of calls) {
      const res = await call();
      assert.equal(res.status, status, `${why}: ${res.raw}`);
      const id = res.headers['x-request-id'];
      assert.equal(typeof id, 'string', why);
      assert.match(id as string, /^[0-9a-f]{32}$/, why);
      assert.ok(!seen.has(id as string), `${why}: request id reused`);
      seen.add(id as string);
      if (res.raw !== '') expectJson(res);
    }
  });

  test('JSON success bodies have Content-Type application/json;charset=UTF-8', async () => {
    for (const res of [
      await w.api('GET', '/vpc-endpoints'),
      await w.api('GET', '/routetables'),
      await w.api('GET', '/vpcs'),
      await w.api('GET', '/vpc-endpoint-services/public'),
      await w.call('GET', '/v1', undefined, { 'x-auth-token': undefined }),
    ]) {
      assert.equal(res.status, 200, res.raw);
      expectJson(res);
    }
  });
});

describe('routing', () => {
  test('an unknown path → 404 APIGW.0101 in the gateway envelope, before authentication', async () => {
    const paths = ['/nothing', '/v2/x', `/v1/${w.projectId}/vpc-endpoint`, `/v1/${w.projectId}/vpcs/a/b/c`];
    for (const p of paths) {
      for (const headers of [{}, { 'x-auth-token': undefined }]) {
        expectGatewayError(await w.call('GET', p, undefined, headers), 404, 'APIGW.0101');
      }
    }
    expectGatewayError(await w.call('POST', '/nothing', { a: 1 }), 404, 'APIGW.0101');
  });

  test('a wrong method on a known path → 405 VPCEP.0405 with Allow, before authentication', async () => {
    const p = `/v1/${w.projectId}`;
    const cases: [string, string, string][] = [
      ['PATCH', `${p}/vpc-endpoints`, 'GET, HEAD, POST'],
      ['PUT', `${p}/vpc-endpoints`, 'GET, HEAD, POST'],
      ['POST', `${p}/vpc-endpoints/${NO_SUCH}`, 'DELETE, GET, HEAD, PUT'],
      ['GET', `${p}/vpc-endpoints/${NO_SUCH}/routetables`, 'PUT'],
      ['DELETE', `${p}/vpc-endpoint-services/public`, 'GET, HEAD'],
      ['POST', `${p}/routetables/${NO_SUCH}`, 'DELETE, GET, HEAD, PUT'],
      ['GET', `${p}/routetables/${NO_SUCH}/action`, 'POST'],
      ['PUT', '/v3/auth/tokens', 'GET, HEAD, POST'],
      ['DELETE', '/', 'GET, HEAD'],
      ['POST', '/v1', 'GET, HEAD'],
    ];
    for (const [method, url, allow] of cases) {
      for (const headers of [{}, { 'x-auth-token': undefined }]) {
        const res = await w.call(method, url, undefined, headers);
        // On VPC routes the shared codes carry the VPC service's top-level fields too.
        if (url.includes('/routetables/')) expectVpcError(res, 405, 'VPCEP.0405');
        else expectEpError(res, 405, 'VPCEP.0405');
        assert.equal(res.headers.allow, allow, `${method} ${url}`);
      }
    }
  });

  test('HEAD works wherever GET does', async () => {
    const res = await w.app.inject({
      method: 'HEAD',
      url: `/v1/${w.projectId}/vpc-endpoints`,
      headers: { 'x-auth-token': w.token },
    });
    assert.equal(res.statusCode, 200);
    assert.equal(res.body, '');
  });
});

describe('request bodies and content negotiation', () => {
  test('a body over 1 MiB → 413 APIGW.0201', async () => {
    const big = JSON.stringify({ vpc: { name: 'x', description: 'y'.repeat(1024 * 1024) } });
    expectGatewayError(await w.api('POST', '/vpcs', big), 413, 'APIGW.0201');
    expectGatewayError(
      await w.api('POST', '/vpc-endpoints', { vpc_id: 'x'.repeat(1024 * 1024) }),
      413,
      'APIGW.0201',
    );
    // Just under the limit is read (and then judged on its content).
    const near = JSON.stringify({ vpc: { name: 'x', description: 'y'.repeat(1024 * 1024 - 100) } });
    assert.ok(near.length < 1024 * 1024);
    expectVpcError(await w.api('POST', '/vpcs', near), 400, 'VPC.0101');
  });

  test('Accept that excludes JSON → 406 VPCEP.0406; JSON-compatible ranges are fine', async () => {
    const refused = [
      'text/html',
      'text/plain, text/html',
      'application/xml',
      'application/json;q=0',
      'image/*',
    ];
    for (const accept of refused) {
      expectEpError(await w.api('GET', '/vpc-endpoints', undefined, { accept }), 406, 'VPCEP.0406');
    }
    const fine = [
      undefined,
      '*/*',
      'application/json',
      'application/*',
      'APPLICATION/JSON',
      'application/json;charset=UTF-8',
      'text/html, application/json;q=0.9',
      'text/html,*/*;q=0.1',
    ];
    for (const accept of fine) {
      const res = await w.api('GET', '/vpc-endpoints', undefined, { accept });
      assert.equal(res.status, 200, `${accept}: ${res.raw}`);
      expectJson(res);
    }
  });

  const svcBody = async () => ({ endpoint_service_id: await gatewayService(w), vpc_id: vpcId });

  test('malformed JSON and wrong media types → 400 EndPoint.0002 (VPC.0101 on VPC routes)', async () => {
    const malformed = ['{', '{"vpc_id": }', "{'a': 1}", '[1,', 'nope'];
    for (const body of malformed) {
      expectEpError(await w.api('POST', '/vpc-endpoints', body), 400, 'EndPoint.0002');
      expectVpcError(await w.api('POST', '/vpcs', body), 400, 'VPC.0101');
      expectVpcError(await w.api('PUT', `/routetables/${NO_SUCH}`, body), 400, 'VPC.0101');
    }
    const good = JSON.stringify(await svcBody());
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml', 'text/json']) {
      expectEpError(
        await w.api('POST', '/vpc-endpoints', good, { 'content-type': type }),
        400,
        'EndPoint.0002',
      );
      expectVpcError(
        await w.api('POST', '/vpcs', JSON.stringify({ vpc: { cidr: '10.9.0.0/16' } }), {
          'content-type': type,
        }),
        400,
        'VPC.0101',
      );
    }
    // Parameters on the JSON media type are fine, and so is no Content-Type at all.
    for (const headers of [
      { 'content-type': 'application/json; charset=utf-8' },
      { 'content-type': undefined },
    ]) {
      const res = await w.api('POST', '/vpcs', JSON.stringify({ vpc: { cidr: '10.9.0.0/16' } }), headers);
      assert.equal(res.status, 200, res.raw);
    }
  });

  test('a missing body → the API "body is null" code', async () => {
    expectEpError(await w.api('POST', '/vpc-endpoints'), 400, 'EndPoint.0011');
    expectEpError(await w.api('POST', '/vpc-endpoints', 'null'), 400, 'EndPoint.0011');
    expectVpcError(await w.api('POST', '/vpcs'), 400, 'VPC.0102');
  });

  test('wrong types are rejected, never coerced: in bodies and in query strings', async () => {
    const base = await svcBody();
    for (const patch of [
      { enable_dns: 'true' },
      { routetables: 'x' },
      { vpc_id: ['x'] },
      { enable_dns: 0 },
    ]) {
      const res = await w.api('POST', '/vpc-endpoints', { ...base, ...patch });
      assert.equal(res.status, 400, res.raw);
      assert.match(res.body.error.code, /^EndPoint\.00(02|20)$/);
    }
    expectVpcError(await w.api('POST', '/vpcs', { vpc: { cidr: '10.9.0.0/16', name: 5 } }), 400, 'VPC.0101');
    expectVpcError(
      await w.api('POST', '/subnets', {
        subnet: { name: 'a', cidr: '10.0.1.0/24', gateway_ip: '10.0.1.1', vpc_id: vpcId, description: false },
      }),
      400,
      'VPC.0101',
    );
    // Query strings are text: a number that is one converts, anything else is refused.
    assert.equal((await w.api('GET', '/vpc-endpoints?limit=5')).status, 200);
    expectEpError(await w.api('GET', '/vpc-endpoints?limit=five'), 400, 'EndPoint.0006');
    expectEpError(await w.api('GET', '/vpc-endpoints?offset=true'), 400, 'EndPoint.0010');
    expectVpcError(await w.api('GET', '/routetables?limit=ten'), 400, 'VPC.0101');
    assert.equal((await w.api('GET', '/routetables?limit=10')).status, 200);
  });
});

describe('versions', () => {
  for (const url of ['/', '/v1']) {
    test(`GET ${url} lists the versions without authentication`, async () => {
      for (const headers of [{ 'x-auth-token': undefined }, { 'x-auth-token': 'garbage' }, {}]) {
        const res = await w.call('GET', url, undefined, headers);
        assert.equal(res.status, 200, res.raw);
        expectJson(res);
        assert.equal(res.body.versions.length, 1);
        const v = res.body.versions[0];
        assert.equal(v.id, 'v1');
        assert.equal(v.status, 'CURRENT');
        assert.equal(v.version, '1');
        assert.equal(v.min_version, '');
        assert.equal(typeof v.updated, 'string');
        assert.ok(Array.isArray(v.links) && v.links.length > 0);
        assert.match(v.links[0].href, /\/v1\/$/);
      }
    });
  }
});

describe('an unexpected fault', () => {
  test('→ 500 EndPoint.0001 with nothing internal in the body', async () => {
    const broken = await makeWorld();
    try {
      // Break the store under the running server: the next call that needs the table fails deep in SQL.
      await broken.store.read((r) => sql`alter table endpoint_services rename to gone`.execute(r.db));
      const res = await broken.api('GET', '/vpc-endpoint-services/public');
      assert.equal(res.status, 500, res.raw);
      expectJson(res);
      assert.deepEqual(res.body, {
        error: { code: 'EndPoint.0001', message: 'System error. Please retry.' },
      });
      assert.equal(res.raw, JSON.stringify(res.body));
      assert.match(String(res.headers['x-request-id']), /^[0-9a-f]{32}$/);

      // The same on a write path, and the server keeps serving afterwards.
      const create = await broken.api('POST', '/vpc-endpoints', {
        endpoint_service_id: NO_SUCH,
        vpc_id: NO_SUCH,
      });
      assert.equal(create.status, 500, create.raw);
      assert.deepEqual(create.body, {
        error: { code: 'EndPoint.0001', message: 'System error. Please retry.' },
      });
      assert.equal((await broken.api('GET', '/vpcs')).status, 200);

      // On a VPC route the same fault reads like the VPC service's errors (top-level code too).
      await broken.store.read((r) => sql`alter table routetables rename to gone_too`.execute(r.db));
      const vpcRoute = await broken.api('GET', '/routetables');
      assert.equal(vpcRoute.status, 500, vpcRoute.raw);
      assert.deepEqual(vpcRoute.body, {
        error: { code: 'EndPoint.0001', message: 'System error. Please retry.' },
        code: 'EndPoint.0001',
        message: 'System error. Please retry.',
      });
    } finally {
      await broken.close();
    }
  });
});

describe('edges a client can reach', () => {
  test('a malformed percent-escape or an over-long path segment → 400 EndPoint.0002 with a request id', async () => {
    for (const url of [
      `/v1/${w.projectId}/vpc-endpoints/%zz`,
      `/v1/${w.projectId}/vpc-endpoints/${'a'.repeat(600)}`,
    ]) {
      const res = await w.call('GET', url);
      expectEpError(res, 400, 'EndPoint.0002');
      assert.match(String(res.headers['x-request-id']), /^[0-9a-f]{32}$/);
      assert.ok(!res.raw.includes('%zz') && !res.raw.includes('aaaa'), 'the URL is not echoed');
    }
  });

  test('an offset past any table → 400 EndPoint.0010, not a 500', async () => {
    expectEpError(await w.api('GET', '/vpc-endpoints?offset=99999999999999999999'), 400, 'EndPoint.0010');
  });

  test('an enum names its allowed values', async () => {
    const res = await w.api('GET', '/vpc-endpoints?sort_key=name');
    expectEpError(res, 400, 'EndPoint.0017');
    assert.match(res.body.error.message, /sort_key must be one of create_at, update_at\./);
  });

  test('operations of the API reference vpcep does not serve → 501 VPCEP.0501 after authentication', async () => {
    for (const [method, url] of [['GET', '/quotas?type=endpoint']] as const) {
      expectEpError(await w.api(method, url, method === 'GET' ? undefined : {}), 501, 'VPCEP.0501');
      const anonymous = await w.api(method, url, undefined, { 'x-auth-token': undefined });
      assert.equal(anonymous.status, 401, `${method} ${url} authenticates first`);
    }
  });
});

test('a body that does not arrive within the body timeout → 408 EndPoint.0013, and the connection closes', async () => {
  const slow = await makeWorld({ bodyTimeoutMs: 300 });
  try {
    const url = new URL(await slow.app.listen({ port: 0, host: '127.0.0.1' }));
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(url.port), '127.0.0.1', () => {
        // Promises 100 bytes, sends 10, then waits.
        socket.write(
          `PUT /v1/${slow.projectId}/vpc-endpoints/${NO_SUCH}/routetables HTTP/1.1\r\nHost: ${url.host}\r\n` +
            `X-Auth-Token: ${slow.token}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"routetab`,
        );
      });
      let data = '';
      socket.setTimeout(10_000, () => reject(new Error('no answer within 10 s')));
      socket.on('data', (d) => (data += d));
      socket.on('close', () => resolve(data));
      socket.on('error', reject);
    });
    const [head = '', body = ''] = answer.split('\r\n\r\n');
    assert.match(head, /^HTTP\/1\.1 408 /);
    assert.match(head, /\r\nx-request-id: [0-9a-f]{32}\r\n/i);
    assert.match(head, /\r\nconnection: close\r\n/i);
    assert.deepEqual(JSON.parse(body), {
      error: {
        code: 'EndPoint.0013',
        message: 'The request timed out. The request body did not arrive in time.',
      },
    });
  } finally {
    await slow.close();
  }
});
