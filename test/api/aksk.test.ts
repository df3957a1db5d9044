import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { buildApp, createLogger } from '../../src/app.ts';
import { randomIds } from '../../src/domain/ids.ts';
import { canonicalRequest, computeSignature } from '../../src/domain/signing.ts';
import { bootstrap } from '../../src/service/bootstrap.ts';
import type { Store } from '../../src/store/store.ts';
import { addAccount, addProject, type Account } from '../helpers/seed.ts';
import { createTable, createVpc } from '../helpers/fixtures.ts';
import { authorizationParts, sdkDate, sign, type SignOptions } from '../helpers/sign.ts';
import {
  dropTestSchema,
  makeWorld,
  ManualClock,
  openTestStore,
  PASSWORD,
  tokenFor,
  type Reply,
  type World,
} from '../helpers/world.ts';
import { parseJson } from '../helpers/json.ts';

/** AK/SK request signing on the wire (spec/signing.md), driven by the official SDK's signer. */

const AK = 'AKSKTEST0000000000AA';
const SK = 'aksk-test-secret-key-000000000000000000x';
const HOST = 'vpcep.test:8080';
const MIN = 60_000;
const FAIL = 'Incorrect IAM authentication information: verify aksk signature fail';

let w: World;
let P: string;
let vpc: string;
let table: string;
let other: Account;
let sibling: string;

before(async () => {
  w = await makeWorld({ adminAk: AK, adminSk: SK });
  P = w.projectId;
  vpc = (await createVpc(w)).id;
  table = await createTable(w, vpc, [], 'rt-a');
  other = await addAccount(w.store, { domain: 'other' });
  sibling = await addProject(w.store, 'vpcep', 'cn-south-1');
});
after(() => w.close());

interface Wire {
  method: string;
  url: string;
  headers: Record<string, string>;
  payload: string | undefined;
}

/** A request as the official signer signs it; tests change it afterwards to tamper with it. */
function signed(o: Partial<SignOptions> & { method: string; url: string }): Wire {
  const s = sign({ ak: AK, sk: SK, host: HOST, date: w.clock.now(), ...o });
  return { method: o.method, url: o.url, headers: s.headers, payload: s.payload };
}

async function send(req: Wire, world: World = w): Promise<Reply> {
  const res = await world.app.inject({
    method: req.method as 'GET',
    url: req.url,
    headers: req.headers,
    ...(req.payload === undefined ? {} : { payload: req.payload }),
  });
  return { status: res.statusCode, headers: res.headers, body: parseJson(res.body), raw: res.body };
}

/** 401 APIGW.0301 "verify aksk signature fail" in the gateway envelope (errors.md). */
function assertSignatureFail(res: Reply, what = '') {
  assert.equal(res.status, 401, `${what}: ${res.raw}`);
  assert.deepEqual(
    res.body,
    {
      error: { code: 'APIGW.0301', message: FAIL },
      error_code: 'APIGW.0301',
      error_msg: FAIL,
      request_id: res.headers['x-request-id'],
    },
    what,
  );
  assert.match(String(res.headers['content-type']), /^application\/json/);
}

function assertForbidden(res: Reply, what = '') {
  assert.equal(res.status, 403, `${what}: ${res.raw}`);
  assert.equal(res.body.error.code, 'APIGW.0302', what);
  assert.equal(res.body.error_code, 'APIGW.0302', what);
  assert.equal(res.body.request_id, res.headers['x-request-id'], what);
  assert.ok(res.body.error.message.startsWith('The IAM user is forbidden'), res.raw);
}

const listUrl = () => `/v1/${P}/routetables?vpc_id=${vpc}&limit=10`;
const tableUrl = () => `/v1/${P}/routetables/${table}`;

async function tableName(): Promise<string> {
  const res = await w.api('GET', `/routetables/${table}`);
  assert.equal(res.status, 200, res.raw);
  return res.body.routetable.name;
}

/** Replaces one character of `text` at `at` (negative: from the end) with the next one in `alphabet`. */
function flip(text: string, at: number, alphabet = '0123456789abcdef'): string {
  const i = at < 0 ? text.length + at : at;
  const ch = text[i]!;
  const next = alphabet[(alphabet.indexOf(ch) + 1) % alphabet.length] ?? (ch === 'x' ? 'y' : 'x');
  return text.slice(0, i) + next + text.slice(i + 1);
}

describe('a request signed by the official signer', () => {
  test('GET with a query string and X-Project-Id is accepted', async () => {
    const res = await send(signed({ method: 'GET', url: listUrl(), headers: { 'X-Project-Id': P } }));
    assert.equal(res.status, 200, res.raw);
    assert.ok(res.body.routetables.some((t: { id: string }) => t.id === table));
  });

  test('PUT with a JSON body is accepted and applied', async () => {
    const res = await send(
      signed({
        method: 'PUT',
        url: tableUrl(),
        headers: { 'X-Project-Id': P },
        body: { routetable: { name: 'rt-signed', description: '签名 ✓' } },
      }),
    );
    assert.equal(res.status, 200, res.raw);
    assert.equal(res.body.routetable.name, 'rt-signed');
    assert.equal(res.body.routetable.description, '签名 ✓');
  });

  test('without X-Project-Id the path decides the project', async () => {
    const res = await send(signed({ method: 'GET', url: listUrl() }));
    assert.equal(res.status, 200, res.raw);
  });

  test('the signature covers exactly the headers of SignedHeaders: unsigned ones may change', async () => {
    const req = signed({ method: 'GET', url: listUrl(), headers: { 'X-Project-Id': P } });
    req.headers['user-agent'] = 'something else';
    req.headers.accept = 'application/json';
    assert.equal((await send(req)).status, 200);
  });

  test('the SDK discovery call: GET /v3/projects?name=<region>, signed, with a {} body', async () => {
    const res = await send(signed({ method: 'GET', url: '/v3/projects?name=cn-north-4', body: {} }));
    assert.equal(res.status, 200, res.raw);
    assert.equal(res.body.projects.length, 1);
    assert.equal(res.body.projects[0].id, P);
  });

  test('X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD is accepted; the body is then not covered', async () => {
    const req = signed({
      method: 'PUT',
      url: tableUrl(),
      headers: { 'X-Sdk-Content-Sha256': 'UNSIGNED-PAYLOAD' },
      body: { routetable: { name: 'rt-unsigned-1' } },
    });
    assert.match(authorizationParts(req.headers.Authorization!).signedHeaders, /x-sdk-content-sha256/);
    const res = await send(req);
    assert.equal(res.status, 200, res.raw);
    assert.equal(res.body.routetable.name, 'rt-unsigned-1');
    const res2 = await send({ ...req, payload: JSON.stringify({ routetable: { name: 'rt-unsigned-2' } }) });
    assert.equal(res2.status, 200, res2.raw);
    assert.equal(res2.body.routetable.name, 'rt-unsigned-2');
  });
});

describe('tampering with one signed part answers 401 "verify aksk signature fail"', () => {
  const body = () => ({ routetable: { name: 'rt-tampered' } });
  const put = () =>
    signed({
      method: 'PUT',
      url: tableUrl(),
      headers: { 'X-Project-Id': P, 'X-Client-Trace': 'trace-0001' },
      body: body(),
    });

  test('the untampered request works (control)', async () => {
    const before = await tableName();
    const get = await send(signed({ method: 'GET', url: tableUrl() }));
    assert.equal(get.status, 200, get.raw);
    assert.equal(get.body.routetable.name, before);
  });

  const cases: [string, (r: Wire) => Wire][] = [
    ['the method (signed PUT, sent as GET)', (r) => ({ ...r, method: 'GET', payload: undefined })],
    [
      'one byte of the path (a table id that does not exist: 401, not 404)',
      (r) => ({ ...r, url: flip(r.url, -1) }),
    ],
    [
      'one byte of the path (the project id)',
      (r) => ({ ...r, url: r.url.replace(`/${P}/`, `/${flip(P, 0)}/`) }),
    ],
    ['a query added to the path', (r) => ({ ...r, url: `${r.url}?x=1` })],
    ['one byte of the body', (r) => ({ ...r, payload: r.payload!.replace('rt-tampered', 'rt-tamperee') })],
    ['one byte of the body (whitespace)', (r) => ({ ...r, payload: r.payload!.replace(':{', ': {') })],
    [
      'one byte of X-Sdk-Date',
      (r) => ({ ...r, headers: { ...r.headers, 'X-Sdk-Date': flip(r.headers['X-Sdk-Date']!, -2) } }),
    ],
    [
      'one byte of the host header',
      (r) => ({ ...r, headers: { ...r.headers, host: flip(r.headers.host!, -1) } }),
    ],
    [
      'one byte of Content-Type (still JSON)',
      (r) => ({ ...r, headers: { ...r.headers, 'content-type': 'application/jsoN' } }),
    ],
    [
      'one byte of a custom signed header',
      (r) => ({ ...r, headers: { ...r.headers, 'X-Client-Trace': flip(r.headers['X-Client-Trace']!, -1) } }),
    ],
    ['a signed header left out', (r) => ({ ...r, headers: withoutHeader(r.headers, 'X-Client-Trace') })],
    [
      'one hex digit of the signature',
      (r) => ({
        ...r,
        headers: {
          ...r.headers,
          Authorization: r.headers.Authorization!.replace(/.$/, (c) => (c === '0' ? '1' : '0')),
        },
      }),
    ],
    [
      'SignedHeaders with one header more than was signed',
      (r) => ({
        ...r,
        headers: {
          ...r.headers,
          'user-agent': 'x',
          Authorization: r.headers.Authorization!.replace('SignedHeaders=', 'SignedHeaders=user-agent;'),
        },
      }),
    ],
  ];
  for (const [name, mutate] of cases) {
    test(name, async () => {
      const before = await tableName();
      assertSignatureFail(await send(mutate(put())), name);
      assert.equal(await tableName(), before, 'nothing was applied');
    });
  }

  test('one byte of the query string', async () => {
    const req = signed({ method: 'GET', url: listUrl() });
    assert.equal((await send(req)).status, 200);
    assertSignatureFail(await send({ ...req, url: req.url.replace('limit=10', 'limit=11') }));
    assertSignatureFail(await send({ ...req, url: req.url.replace('&limit=10', '') }), 'a parameter dropped');
    assertSignatureFail(await send({ ...req, url: `${req.url}&marker=${table}` }), 'a parameter added');
  });

  test('the same request with the query parameters in another order still verifies', async () => {
    const req = signed({ method: 'GET', url: listUrl() });
    const res = await send({ ...req, url: `/v1/${P}/routetables?limit=10&vpc_id=${vpc}` });
    assert.equal(res.status, 200, res.raw);
  });
});

function withoutHeader(headers: Record<string, string>, name: string) {
  const out = { ...headers };
  delete out[name];
  return out;
}

describe('X-Sdk-Date against the server clock (15 minutes)', () => {
  const at = (offsetMs: number) =>
    signed({ method: 'GET', url: tableUrl(), date: new Date(w.clock.now().getTime() + offsetMs) });

  test('14 minutes old or ahead: accepted', async () => {
    assert.equal((await send(at(-14 * MIN))).status, 200);
    assert.equal((await send(at(14 * MIN))).status, 200);
  });

  test('16 minutes old or ahead: 401', async () => {
    assertSignatureFail(await send(at(-16 * MIN)), 'old');
    assertSignatureFail(await send(at(16 * MIN)), 'ahead');
  });

  test('a request signed now is refused once the server clock has moved 16 minutes on', async () => {
    const req = signed({ method: 'GET', url: tableUrl() });
    w.clock.advance(14 * MIN);
    try {
      assert.equal((await send(req)).status, 200);
      w.clock.advance(2 * MIN);
      assertSignatureFail(await send(req));
    } finally {
      w.clock.advance(-16 * MIN);
    }
  });

  test('X-Sdk-Date missing: 401', async () => {
    const req = signed({ method: 'GET', url: tableUrl() });
    assertSignatureFail(await send({ ...req, headers: withoutHeader(req.headers, 'X-Sdk-Date') }));
  });
});

/**
 * The official signer always signs host and X-Sdk-Date, so these requests are signed here with the
 * algorithm of signing.md — correctly, over the headers they name, so only the rule can refuse them.
 */
function handSigned(signedHeaders: string[], overrides: { ak?: string; sk?: string } = {}): Wire {
  const headers: Record<string, string> = {
    host: HOST,
    'content-type': 'application/json',
    'x-sdk-date': sdkDate(w.clock.now()),
  };
  const url = tableUrl();
  const canonical = canonicalRequest({ method: 'GET', url, headers, body: Buffer.alloc(0) }, signedHeaders);
  const signature = computeSignature(overrides.sk ?? SK, headers['x-sdk-date']!, canonical);
  headers.authorization = `SDK-HMAC-SHA256 Access=${overrides.ak ?? AK}, SignedHeaders=${signedHeaders.join(';')}, Signature=${signature}`;
  return { method: 'GET', url, headers, payload: undefined };
}

describe('which headers must be signed', () => {
  test('control: host and x-sdk-date signed → accepted', async () => {
    assert.equal((await send(handSigned(['content-type', 'host', 'x-sdk-date']))).status, 200);
    assert.equal((await send(handSigned(['host', 'x-sdk-date']))).status, 200);
  });

  test('host not among SignedHeaders → 401', async () => {
    assertSignatureFail(await send(handSigned(['content-type', 'x-sdk-date'])));
  });

  test('x-sdk-date not among SignedHeaders → 401', async () => {
    assertSignatureFail(await send(handSigned(['content-type', 'host'])));
  });
});

describe('which keys are accepted', () => {
  test('an unknown AK → 401', async () => {
    assertSignatureFail(await send(signed({ method: 'GET', url: tableUrl(), ak: 'UNKNOWNAK00000000000' })));
  });

  test('the right AK with another SK → 401', async () => {
    assertSignatureFail(await send(signed({ method: 'GET', url: tableUrl(), sk: `${SK.slice(0, -1)}y` })));
  });

  test('a disabled AK → 401; enabled again → accepted', async () => {
    const setStatus = async (status: string) => {
      const res = await w.call('PUT', `/v3.0/OS-CREDENTIAL/credentials/${AK}`, { credential: { status } });
      assert.equal(res.status, 200, res.raw);
      assert.equal(res.body.credential.status, status);
    };
    await setStatus('inactive');
    try {
      assertSignatureFail(await send(signed({ method: 'GET', url: tableUrl() })));
    } finally {
      await setStatus('active');
    }
    assert.equal((await send(signed({ method: 'GET', url: tableUrl() }))).status, 200);
  });

  test('malformed Authorization headers → 401', async () => {
    const good = signed({ method: 'GET', url: tableUrl() });
    const auth = good.headers.Authorization!;
    for (const value of [
      'SDK-HMAC-SHA256',
      'SDK-HMAC-SHA256 garbage',
      auth.replace('SDK-HMAC-SHA256', 'SDK-HMAC-SHA1'),
      auth.replace(/Signature=\w+/, 'Signature=xyz'),
      auth.replace(/Access=\w+, /, ''),
      auth.replace(/SignedHeaders=[^,]+, /, ''),
      auth.replace('SignedHeaders=', 'SignedHeaders=Host;'),
      `Basic ${Buffer.from(`${AK}:${SK}`).toString('base64')}`,
      `Bearer ${w.token}`,
      '',
    ]) {
      assertSignatureFail(await send({ ...good, headers: { ...good.headers, Authorization: value } }), value);
    }
  });
});

describe('SignedHeaders naming members of Object.prototype', () => {
  // The issue 8 reproducer: before authentication, on every authenticated route, this was a 500.
  test('__proto__, constructor and friends → 401 "verify aksk signature fail", never a 500', async () => {
    const date = sdkDate(w.clock.now());
    for (const name of ['__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString', 'valueOf']) {
      for (const signedHeaders of [`${name};host;x-sdk-date`, `host;${name};x-sdk-date`]) {
        const res = await send({
          method: 'GET',
          url: `/v1/${P}/vpcs`,
          headers: {
            'X-Sdk-Date': date,
            Authorization: `SDK-HMAC-SHA256 Access=X, SignedHeaders=${signedHeaders}, Signature=${'a'.repeat(64)}`,
          },
          payload: undefined,
        });
        assertSignatureFail(res, signedHeaders);
      }
    }
  });

  test('a real key, signed over __proto__ as well, still verifies: the header signs as absent', async () => {
    const good = signed({ method: 'GET', url: `/v1/${P}/vpcs` });
    const parts = authorizationParts(good.headers.Authorization!);
    const names = ['__proto__', ...parts.signedHeaders.split(';')].sort();
    const canonical = canonicalRequest(
      { method: 'GET', url: `/v1/${P}/vpcs`, headers: lower(good.headers), body: Buffer.alloc(0) },
      names,
    );
    const signature = computeSignature(SK, good.headers['X-Sdk-Date']!, canonical);
    const res = await send({
      ...good,
      headers: {
        ...good.headers,
        Authorization: `SDK-HMAC-SHA256 Access=${AK}, SignedHeaders=${names.join(';')}, Signature=${signature}`,
      },
    });
    assert.equal(res.status, 200, res.raw);
  });
});

/** Header names in lower case, as Node gives them to the server. */
function lower(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

describe('the AK decides the project (403 APIGW.0302)', () => {
  const otherUrl = () => `/v1/${other.projectId}/routetables`;

  test("X-Project-Id of another domain's project, on that project's path", async () => {
    assertForbidden(
      await send(signed({ method: 'GET', url: otherUrl(), headers: { 'X-Project-Id': other.projectId } })),
    );
  });

  test("another domain's project on the path, no X-Project-Id", async () => {
    assertForbidden(await send(signed({ method: 'GET', url: otherUrl() })));
  });

  test("X-Project-Id of another domain's project, on this project's path", async () => {
    assertForbidden(
      await send(signed({ method: 'GET', url: tableUrl(), headers: { 'X-Project-Id': other.projectId } })),
    );
  });

  test("X-Project-Id of a project of the AK's own domain that differs from the path's", async () => {
    const ok = await send(
      signed({ method: 'GET', url: `/v1/${sibling}/routetables`, headers: { 'X-Project-Id': sibling } }),
    );
    assert.equal(ok.status, 200, ok.raw);
    assert.deepEqual(ok.body.routetables, []);
    assertForbidden(
      await send(signed({ method: 'GET', url: tableUrl(), headers: { 'X-Project-Id': sibling } })),
    );
  });

  test('X-Project-Id of a project that does not exist', async () => {
    assertForbidden(
      await send(signed({ method: 'GET', url: tableUrl(), headers: { 'X-Project-Id': 'f'.repeat(32) } })),
    );
  });

  test("a key of another domain's user, on this project's path", async () => {
    const as = { ak: other.ak, sk: other.sk };
    assertForbidden(await send(signed({ method: 'GET', url: tableUrl(), ...as })), 'no X-Project-Id');
    assertForbidden(
      await send(signed({ method: 'GET', url: tableUrl(), headers: { 'X-Project-Id': P }, ...as })),
      'X-Project-Id of this project',
    );
    const own = await send(
      signed({ method: 'GET', url: otherUrl(), headers: { 'X-Project-Id': other.projectId }, ...as }),
    );
    assert.equal(own.status, 200, own.raw);
    assert.deepEqual(own.body.routetables, [], 'its own project is empty');
  });

  test('X-Domain-Id of another domain (global credentials)', async () => {
    assertForbidden(
      await send(signed({ method: 'GET', url: '/v3/projects', headers: { 'X-Domain-Id': other.domainId } })),
    );
  });

  test('a signature failure is decided before the project: 401 even for a foreign project', async () => {
    const req = signed({ method: 'GET', url: otherUrl(), headers: { 'X-Project-Id': other.projectId } });
    assertSignatureFail(
      await send({ ...req, headers: { ...req.headers, 'X-Sdk-Date': flip(req.headers['X-Sdk-Date']!, -2) } }),
    );
  });
});

describe('logs', () => {
  test('name the AK but never the SK, a signature, a token or a new secret', async () => {
    let logged = '';
    // The production logger (its redaction included), writing to this string instead of stdout.
    const log = createLogger('debug', 'json', {
      write: (line: string) => {
        logged += line;
      },
    });
    const dir = w.dir;
    const store = await openTestStore(`${dir}/logs`, w.config.lockTimeoutMs);
    const config = { ...w.config, dataDir: `${dir}/logs` };
    const clock = new ManualClock(w.clock.now().getTime());
    await bootstrap({ config, store, clock, ids: randomIds, log: pino({ level: 'silent' }) });
    const app = await buildApp({ config, store, clock, logger: log });
    const world = { ...w, app } as World;
    try {
      const token = await tokenFor(app, 'admin', PASSWORD);
      const url = `/v1/${P}/routetables`;
      const good = signed({ method: 'GET', url, headers: { 'X-Project-Id': P } });
      const bad = signed({ method: 'GET', url, sk: `${SK.slice(0, -1)}y` });
      const stale = signed({ method: 'GET', url, date: new Date(clock.now().getTime() - 20 * MIN) });
      const created = signed({
        method: 'POST',
        url: '/v3.0/OS-CREDENTIAL/credentials',
        body: { credential: { user_id: await adminUserId(store) } },
      });
      assert.equal((await send(good, world)).status, 200);
      assertSignatureFail(await send(bad, world));
      assertSignatureFail(await send(stale, world));
      const key = await send(created, world);
      assert.equal(key.status, 201, key.raw);
      const byToken = await world.app.inject({ method: 'GET', url, headers: { 'x-auth-token': token } });
      assert.equal(byToken.statusCode, 200);
      const badToken = await world.app.inject({
        method: 'GET',
        url,
        headers: { 'x-auth-token': `${token}x` },
      });
      assert.equal(badToken.statusCode, 401);

      assert.ok(logged.length > 0, 'the logger captured something');
      assert.ok(logged.includes(AK), 'the AK is logged');
      assert.ok(logged.includes('signature mismatch'), 'the reason of a refusal is logged');
      assert.ok(logged.includes('more than 15 minutes'), 'a stale date is logged as such');
      const completed = logged
        .split('\n')
        .filter((l) => l.includes('request completed'))
        .map((l) => JSON.parse(l) as { op?: string });
      assert.ok(completed.length >= 5, 'every request logs its completion');
      assert.ok(!logged.includes('incoming request'), "one line per request: Fastify's own are off");
      const lines = logged
        .split('\n')
        .filter((l) => l.includes('request completed'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      for (const l of lines) {
        assert.equal(typeof l.status, 'number', JSON.stringify(l));
        assert.equal(typeof l.ms, 'number', JSON.stringify(l));
        assert.match(String(l.reqId), /^[0-9a-f]{32}$/);
      }
      const refused = lines.filter((l) => l.status === 401);
      assert.ok(refused.length >= 3, 'the refusals are logged');
      for (const l of refused) assert.equal(l.code, 'APIGW.0301', JSON.stringify(l));
      const signedOk = lines.find((l) => l.status === 200 && l.access === AK);
      assert.ok(signedOk, 'a signed call names its AK');
      assert.equal(signedOk.user, 'admin');
      assert.equal(signedOk.project, P);
      assert.ok(
        completed.some((l) => l.op === 'ListRouteTables') &&
          completed.some((l) => l.op === 'CreatePermanentAccessKey'),
        `completed requests are labelled with their operation: ${completed.map((l) => l.op).join(', ')}`,
      );
      const secrets: [string, string][] = [
        ['the SK', SK],
        ['the new SK', key.body.credential.secret],
        ['the token', token],
        ['the token (payload part)', token.split('.')[0]!],
        ['the token (MAC part)', token.split('.')[1]!],
        ...[good, bad, stale, created].map((r, i): [string, string] => [
          `signature ${i}`,
          authorizationParts(r.headers.Authorization!).signature,
        ]),
      ];
      for (const [what, secret] of secrets) assert.ok(!logged.includes(secret), `${what} is not in the log`);
      assert.ok(!logged.includes('Signature='), 'no Authorization header in the log');
    } finally {
      await app.close();
      await store.close();
      await dropTestSchema(store);
    }
  });
});

async function adminUserId(store: Store): Promise<string> {
  const user = await store.read(async (r) => {
    const domain = await r.identity.domainByName('vpcep');
    return domain && r.identity.userByName(domain.id, 'admin');
  });
  assert.ok(user);
  return user.id;
}
