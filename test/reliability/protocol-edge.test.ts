import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { exchange, type Exchange, type RawResponse } from '../helpers/raw-http.ts';
import { makeWorld, type World } from '../helpers/world.ts';

/**
 * The protocol edge (issue 8): what Node's HTTP parser and timers refuse — before any route — is
 * answered in the API's envelope with an X-Request-Id and `Connection: close`, over real sockets
 * against a listening server, and a keep-alive client is never left writing into a dead socket.
 */

const HEADERS_TIMEOUT_MS = 400;
const MAX_HEADER_BYTES = 8 * 1024;

let w: World;
let port: number;
let P: string;

before(async () => {
  w = await makeWorld({ headersTimeoutMs: HEADERS_TIMEOUT_MS, maxHeaderBytes: MAX_HEADER_BYTES });
  await w.app.listen({ host: '127.0.0.1', port: 0 });
  port = (w.app.server.address() as AddressInfo).port;
  P = w.projectId;
});
after(() => w.close());

/** The gateway envelope of a refusal, its request id equal to the header, and `Connection: close`. */
function assertRefused(res: RawResponse | undefined, status: number, code: string, why: string) {
  assert.ok(res, `${why}: no response`);
  assert.equal(res.status, status, `${why}: ${res.body}`);
  assert.equal(res.headers['content-type'], 'application/json;charset=UTF-8', why);
  assert.match(res.headers['x-request-id'] ?? '', /^[0-9a-f]{32}$/, why);
  assert.equal(res.headers.connection?.toLowerCase(), 'close', why);
  const body = JSON.parse(res.body);
  assert.equal(body.error.code, code, `${why}: ${res.body}`);
  assert.equal(typeof body.error.message, 'string', why);
  if (code.startsWith('APIGW.')) {
    assert.equal(body.error_code, code, why);
    assert.equal(body.error_msg, body.error.message, why);
    assert.equal(body.request_id, res.headers['x-request-id'], why);
  }
}

/** One refusal, nothing else, and the server closed the connection after it. */
function assertOnlyRefusal(x: Exchange, status: number, code: string, why: string) {
  assert.equal(
    x.responses.length,
    1,
    `${why}: ${x.responses.length} responses, rest ${JSON.stringify(x.rest)}`,
  );
  assertRefused(x.responses[0], status, code, why);
  assert.equal(x.rest, '', why);
  assert.ok(x.closed, `${why}: the connection stayed open`);
  assert.equal(x.error, undefined, `${why}: the client saw ${x.error}`);
}

const GET = (extra = '') => `GET /v1 HTTP/1.1\r\nHost: vpcep.test\r\n${extra}\r\n`;

describe('oversized headers', () => {
  test(`a header block past ${MAX_HEADER_BYTES} bytes → 431 APIGW.0201 "Request headers too large."`, async () => {
    for (const [why, request] of [
      ['one long header', GET(`X-Big: ${'a'.repeat(MAX_HEADER_BYTES)}\r\n`)],
      ['many headers', GET(Array.from({ length: 800 }, (_, i) => `X-H${i}: ${'b'.repeat(10)}\r\n`).join(''))],
      ['a long request line', `GET /v1/${'x'.repeat(MAX_HEADER_BYTES)} HTTP/1.1\r\nHost: h\r\n\r\n`],
      ['a long cookie, sent slowly', GET(`Cookie: ${'c'.repeat(MAX_HEADER_BYTES * 2)}\r\n`)],
    ] as const) {
      const x = await exchange(port, [request]);
      assertOnlyRefusal(x, 431, 'APIGW.0201', why);
      assert.match(JSON.parse(x.responses[0]!.body).error.message, /^Request headers too large\.$/);
    }
  });

  test('just under the limit is served', async () => {
    const x = await exchange(port, [
      GET(`X-Big: ${'a'.repeat(MAX_HEADER_BYTES - 200)}\r\nConnection: close\r\n`),
    ]);
    assert.equal(x.responses[0]?.status, 200, x.responses[0]?.body);
  });
});

describe('malformed framing and CRLF injection → 400 APIGW.0201 "API request error."', () => {
  const cases: [string, string][] = [
    ['a bare CR inside a header value', GET('X-A: a\rInjected: 1\r\n')],
    ['a bare LF ending a header', 'GET /v1 HTTP/1.1\r\nHost: h\nX-A: 1\r\n\r\n'],
    ['LF-only line endings', 'GET /v1 HTTP/1.1\nHost: h\n\n'],
    ['a NUL in a header value', GET('X-A: a\u0000b\r\n')],
    ['a control character in a header value', GET('X-A: a\u0001b\r\n')],
    ['a space before the colon', 'GET /v1 HTTP/1.1\r\nHost : h\r\n\r\n'],
    ['a header name with a slash', GET('X/A: 1\r\n')],
    ['a folded header (obs-fold)', GET('X-A: a\r\n b\r\n')],
    ['a space in the request target', 'GET /v1 /x HTTP/1.1\r\nHost: h\r\n\r\n'],
    ['an unknown HTTP version', 'GET /v1 HTTP/9.9\r\nHost: h\r\n\r\n'],
    ['not HTTP at all', 'HELLO WORLD\r\n\r\n'],
    ['binary garbage', '\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u0001\u00fc\u0003\u0003\r\n\r\n'],
    ['an invalid method token', 'G(T /v1 HTTP/1.1\r\nHost: h\r\n\r\n'],
  ];
  for (const [why, request] of cases) {
    test(why, async () => {
      assertOnlyRefusal(await exchange(port, [request]), 400, 'APIGW.0201', why);
    });
  }
});

test('CRLF percent-encoded into the path is an identifier like any other: no header is injected', async () => {
  const x = await exchange(port, [
    `GET /v1/${P}/vpcs/a%0d%0aX-Injected:%201 HTTP/1.1\r\nHost: h\r\nX-Auth-Token: ${w.token}\r\nConnection: close\r\n\r\n`,
  ]);
  assert.equal(x.responses.length, 1);
  const res = x.responses[0]!;
  assert.equal(res.status, 404, res.body);
  assert.equal(JSON.parse(res.body).error.code, 'VPC.0103');
  assert.equal(res.headers['x-injected'], undefined);
  assert.equal(x.rest, '');
});

describe('smuggling attempts are refused whole, never split into two requests', () => {
  const tokenLine = () => `X-Auth-Token: ${w.token}\r\n`;
  const smuggled = () => `GET /v1/${P}/vpcs HTTP/1.1\r\nHost: h\r\n${tokenLine()}\r\n`;
  const cases: [string, () => string][] = [
    [
      'Content-Length and Transfer-Encoding together (CL.TE)',
      () =>
        `POST /v1/${P}/vpcs HTTP/1.1\r\nHost: h\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${smuggled()}`,
    ],
    [
      'Transfer-Encoding: chunked, identity',
      () =>
        `POST /v1 HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n${smuggled()}`,
    ],
    [
      'Transfer-Encoding: xchunked',
      () => `POST /v1 HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n${smuggled()}`,
    ],
    [
      'two Content-Length headers that disagree',
      () => `POST /v1 HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\nContent-Length: 44\r\n\r\n${smuggled()}`,
    ],
    [
      'a Content-Length with a sign',
      () => `POST /v1 HTTP/1.1\r\nHost: h\r\nContent-Length: +0\r\n\r\n${smuggled()}`,
    ],
    [
      'a Content-Length that is not a number',
      () => `POST /v1 HTTP/1.1\r\nHost: h\r\nContent-Length: 0x10\r\n\r\n${smuggled()}`,
    ],
    [
      'a Transfer-Encoding header with a space before the colon',
      () => `POST /v1 HTTP/1.1\r\nHost: h\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n${smuggled()}`,
    ],
  ];
  for (const [why, request] of cases) {
    test(why, async () => {
      const x = await exchange(port, [request()]);
      assertOnlyRefusal(x, 400, 'APIGW.0201', why);
    });
  }

  test('a bad chunk in a body being read: the request itself is answered 400, then the connection closes', async () => {
    const x = await exchange(
      port,
      [
        `POST /v1/${P}/vpcs HTTP/1.1\r\nHost: h\r\n${tokenLine()}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`,
        `zz\r\n{}\r\n0\r\n\r\n${smuggled()}`,
      ],
      { gapMs: 20 },
    );
    assertOnlyRefusal(x, 400, 'APIGW.0201', 'bad chunk size');
    assert.match(JSON.parse(x.responses[0]!.body).error.message, /body is not well-formed HTTP/);
  });

  test('a bad chunk after an answer that did not wait for the body (406): that answer says close', async () => {
    const x = await exchange(port, [
      `POST /v1/${P}/vpcs HTTP/1.1\r\nHost: h\r\n${tokenLine()}Accept: text/html\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n${smuggled()}`,
    ]);
    assert.equal(x.responses.length, 1, JSON.stringify(x.responses));
    assert.equal(x.responses[0]!.status, 406);
    assert.equal(x.responses[0]!.headers.connection, 'close');
    assert.ok(x.closed);
    assert.ok(x.ms < 1000, `closed after ${x.ms} ms`);
  });

  test('a valid request, then a malformed one on the same connection: the first answered, then the refusal', async () => {
    const x = await exchange(port, [`${GET()}GARBAGE\r\n\r\n`]);
    assert.equal(x.responses.length, 2, JSON.stringify(x));
    assert.equal(x.responses[0]!.status, 200);
    assertRefused(x.responses[1], 400, 'APIGW.0201', 'after a valid request');
    assert.ok(x.closed);
  });
});

describe('slow headers', () => {
  test(`headers not complete within ${HEADERS_TIMEOUT_MS} ms → 408 EndPoint.0013, then the connection closes`, async () => {
    for (const [why, chunks, gapMs] of [
      ['a request line and no more', ['GET /v1 HTTP/1.1\r\nHost: h\r\n'], 0],
      ['a connection that sends nothing', [], 0],
      [
        'one byte every 50 ms (slowloris)',
        [...'GET /v1 HTTP/1.1\r\nHost: vpcep.test\r\nX-Slow: 1234567890\r\n\r\n'],
        50,
      ],
    ] as const) {
      const x = await exchange(port, [...chunks], { gapMs, waitMs: HEADERS_TIMEOUT_MS * 8 });
      assertOnlyRefusal(x, 408, 'EndPoint.0013', why);
      assert.ok(x.ms >= HEADERS_TIMEOUT_MS - 50, `${why}: refused after ${x.ms} ms`);
      assert.ok(x.ms < HEADERS_TIMEOUT_MS * 4, `${why}: refused only after ${x.ms} ms`);
    }
  });

  test('an idle keep-alive connection between requests is not cut by the headers timeout', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await get(agent, '/v1');
      await new Promise((r) => setTimeout(r, HEADERS_TIMEOUT_MS * 3));
      const second = await get(agent, '/v1');
      assert.equal(first.status, 200);
      assert.equal(second.status, 200);
      assert.equal(second.reused, true, 'the second request went on the same connection');
    } finally {
      agent.destroy();
    }
  });
});

/** A GET through a Node agent; `reused` says whether it went on a kept-alive connection. */
function get(agent: http.Agent, path: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string; reused: boolean }>(
    (resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path, agent, headers }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, reused: req.reusedSocket }),
        );
      });
      req.on('error', reject);
      req.end();
    },
  );
}

describe('a keep-alive client is never left with a dead socket', () => {
  test('after a 431 the next request on the same agent is answered, not ECONNRESET', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      for (let round = 0; round < 5; round++) {
        assert.equal((await get(agent, '/v1')).status, 200);
        const big = await get(agent, '/v1', { 'X-Big': 'a'.repeat(MAX_HEADER_BYTES) });
        assert.equal(big.status, 431);
        assert.equal(big.headers.connection, 'close');
        assert.match(String(big.headers['x-request-id']), /^[0-9a-f]{32}$/);
        assert.equal(JSON.parse(big.body).error_code, 'APIGW.0201');
        const next = await get(agent, '/v1');
        assert.equal(next.status, 200, `round ${round}`);
        assert.equal(next.reused, false, 'a new connection, since the last one said close');
      }
    } finally {
      agent.destroy();
    }
  });

  test('the same through fetch (undici)', async () => {
    for (let round = 0; round < 3; round++) {
      const big = await fetch(`http://127.0.0.1:${port}/v1`, {
        headers: { 'X-Big': 'a'.repeat(MAX_HEADER_BYTES) },
      });
      assert.equal(big.status, 431);
      assert.equal(big.headers.get('connection'), 'close');
      assert.equal(((await big.json()) as { error_code: string }).error_code, 'APIGW.0201');
      assert.equal((await fetch(`http://127.0.0.1:${port}/v1`)).status, 200);
    }
  });

  test('a body past the limit (413) leaves the connection usable, or says it will close', async () => {
    const body = 'x'.repeat(w.config.bodyLimit + 1);
    const x = await exchange(
      port,
      [
        `POST /v1/${P}/vpcs HTTP/1.1\r\nHost: h\r\nX-Auth-Token: ${w.token}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
        GET('Connection: close\r\n'),
      ],
      { gapMs: 50 },
    );
    assert.ok(x.responses.length >= 1, JSON.stringify(x).slice(0, 300));
    assertEnvelope413(x.responses[0]!);
    if (x.responses.length === 1) {
      assert.equal(x.responses[0]!.headers.connection?.toLowerCase(), 'close', 'a 413 that closes says so');
    } else assert.equal(x.responses[1]!.status, 200);
    assert.equal(x.error, undefined);
  });
});

function assertEnvelope413(res: RawResponse) {
  assert.equal(res.status, 413, res.body);
  assert.match(res.headers['x-request-id'] ?? '', /^[0-9a-f]{32}$/);
  assert.equal(JSON.parse(res.body).error_code, 'APIGW.0201');
}
