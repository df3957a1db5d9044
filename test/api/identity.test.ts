import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { randomIds } from '../../src/domain/ids.ts';
import { bootstrap } from '../../src/service/bootstrap.ts';
import { makeWorld, PASSWORD, PROJECT_ID, type Reply, type World } from '../helpers/world.ts';
import { expectKeystoneError } from '../helpers/expect.ts';

let w: World;
before(async () => {
  w = await makeWorld();
});
after(() => w.close());

const IAM_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}000Z$/;
const DAY = 24 * 3600 * 1000;

interface LoginOpts {
  user?: string;
  password?: string;
  domain?: string;
  project?: { id?: string; name?: string };
  methods?: string[];
}

function loginBody(o: LoginOpts = {}) {
  return {
    auth: {
      identity: {
        methods: o.methods ?? ['password'],
        password: {
          user: {
            name: o.user ?? 'admin',
            password: o.password ?? PASSWORD,
            domain: { name: o.domain ?? 'vpcep' },
          },
        },
      },
      scope: { project: o.project ?? { name: 'cn-north-4' } },
    },
  };
}

const login = (world: World, body: unknown, url = '/v3/auth/tokens') =>
  world.call('POST', url, body, { 'x-auth-token': undefined });

/** 401 APIGW.0301 in the gateway envelope, with the detail clients match on. */
function assertAuthFail(res: Reply, detail: string | RegExp) {
  assert.equal(res.status, 401, res.raw);
  assert.equal(res.body.error.code, 'APIGW.0301');
  assert.equal(res.body.error_code, 'APIGW.0301');
  const prefix = 'Incorrect IAM authentication information: ';
  assert.ok(res.body.error.message.startsWith(prefix), res.raw);
  const rest = res.body.error.message.slice(prefix.length);
  if (typeof detail === 'string') assert.equal(rest, detail);
  else assert.match(rest, detail);
  assert.equal(res.body.error_msg, res.body.error.message);
}

const withToken = (world: World, token: string) =>
  world.api('GET', '/vpc-endpoints', undefined, { 'x-auth-token': token });

describe('POST /v3/auth/tokens', () => {
  test('201 with X-Subject-Token and the token body', async () => {
    const res = await login(w, loginBody());
    assert.equal(res.status, 201, res.raw);
    const token = res.headers['x-subject-token'];
    assert.equal(typeof token, 'string');
    assert.ok((token as string).length > 20 && (token as string).length <= 2048);
    assert.equal(res.headers['content-type'], 'application/json;charset=UTF-8');

    const t = res.body.token;
    assert.match(t.issued_at, IAM_TIME);
    assert.match(t.expires_at, IAM_TIME);
    assert.equal(Date.parse(t.issued_at), w.clock.now().getTime());
    assert.equal(Date.parse(t.expires_at) - Date.parse(t.issued_at), DAY);
    assert.deepEqual(t.methods, ['password']);
    assert.equal(t.project.id, PROJECT_ID);
    assert.equal(t.project.name, 'cn-north-4');
    assert.equal(t.project.domain.name, 'vpcep');
    assert.match(t.project.domain.id, /^[0-9a-f]{32}$/);
    assert.equal(t.user.name, 'admin');
    assert.equal(typeof t.user.id, 'string');
    assert.deepEqual(t.user.domain, t.project.domain);
    assert.ok(Array.isArray(t.roles));
    assert.ok(Array.isArray(t.catalog));

    // The token it handed out works.
    assert.equal((await withToken(w, token as string)).status, 200);
  });

  test('scope by project id and by name; ?nocatalog=true', async () => {
    for (const [project, url] of [
      [{ id: PROJECT_ID }, '/v3/auth/tokens'],
      [{ name: 'cn-north-4' }, '/v3/auth/tokens'],
      [{ id: PROJECT_ID }, '/v3/auth/tokens?nocatalog=true'],
    ] as const) {
      const res = await login(w, loginBody({ project }), url);
      assert.equal(res.status, 201, res.raw);
      assert.equal(res.body.token.project.id, PROJECT_ID);
      assert.equal(res.body.token.project.name, 'cn-north-4');
      assert.equal((await withToken(w, String(res.headers['x-subject-token']))).status, 200);
    }
  });

  test('wrong credentials or scope → 401 in the Keystone envelope', async () => {
    const cases: [string, LoginOpts][] = [
      ['wrong password', { password: 'wrong-password' }],
      ['password differing in case', { password: PASSWORD.toUpperCase() }],
      ['unknown user', { user: 'nobody' }],
      ['unknown domain', { domain: 'other' }],
      ['unknown project id', { project: { id: 'f'.repeat(32) } }],
      ['unknown project name', { project: { name: 'cn-south-1' } }],
    ];
    const messages = new Map<string, string>();
    for (const [why, opts] of cases) {
      const res = await login(w, loginBody(opts));
      assert.equal(res.status, 401, `${why}: ${res.raw}`);
      expectKeystoneError(res, 401, 'Unauthorized');
      messages.set(why, res.body.error.message);
    }
    // Nothing to learn about which of user and password was wrong.
    assert.equal(messages.get('wrong password'), messages.get('unknown user'));
  });

  test('a malformed login body → 400 in the Keystone envelope', async () => {
    const good = loginBody();
    const cases: [string, unknown][] = [
      ['empty object', {}],
      ['not JSON', '{"auth": '],
      ['an array', []],
      ['no scope', { auth: { identity: good.auth.identity } }],
      ['no identity', { auth: { scope: good.auth.scope } }],
      ['password a number', loginBody({ password: 12345 as unknown as string })],
      [
        'methods a string',
        { auth: { ...good.auth, identity: { ...good.auth.identity, methods: 'password' } } },
      ],
      ['methods empty', loginBody({ methods: [] })],
      ['only the token method', loginBody({ methods: ['token'] })],
      ['project with neither id nor name', loginBody({ project: {} })],
      ['empty user name', loginBody({ user: '' })],
    ];
    for (const [why, body] of cases) {
      const res = await login(w, body);
      assert.equal(res.status, 400, `${why}: ${res.raw}`);
      expectKeystoneError(res, 400, 'Bad Request');
    }
    expectKeystoneError(await login(w, undefined), 400, 'Bad Request');
  });
});

describe('tokens on API calls', () => {
  test('no token → 401 "x-auth-token not found"', async () => {
    assertAuthFail(
      await w.api('GET', '/vpc-endpoints', undefined, { 'x-auth-token': undefined }),
      'x-auth-token not found',
    );
    assertAuthFail(
      await w.api('GET', '/vpc-endpoints', undefined, { 'x-auth-token': '' }),
      'x-auth-token not found',
    );
  });

  test('a token with one byte changed → 401 "decrypt token fail"', async () => {
    const token = w.token;
    const dot = token.indexOf('.');
    assert.ok(dot > 0);
    const positions = [
      0,
      Math.floor(dot / 2),
      dot - 1,
      dot,
      dot + 1,
      Math.floor((dot + token.length) / 2),
      token.length - 1,
    ];
    for (const i of positions) {
      const c = token[i]!;
      const other = c === 'A' ? 'B' : 'A';
      const tampered = token.slice(0, i) + other + token.slice(i + 1);
      assert.notEqual(tampered, token);
      assertAuthFail(await withToken(w, tampered), 'decrypt token fail');
    }
    const mangled = [
      token.slice(0, -1),
      token + 'A',
      token.slice(0, dot),
      token.slice(dot),
      'not-a-token',
      '.',
      `${token}.${token}`,
      'x'.repeat(2049),
    ];
    for (const t of mangled) assertAuthFail(await withToken(w, t), 'decrypt token fail');
    // The original still works: nothing above poisoned it.
    assert.equal((await withToken(w, token)).status, 200);
  });

  test('a payload rewritten for a longer life, with the old signature → "decrypt token fail"', async () => {
    const [payload, mac] = w.token.split('.') as [string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    assert.equal(typeof claims.exp, 'number');
    const forged = Buffer.from(JSON.stringify({ ...claims, exp: claims.exp + 365 * DAY })).toString(
      'base64url',
    );
    assertAuthFail(await withToken(w, `${forged}.${mac}`), 'decrypt token fail');
  });

  test('a token without a valid expiry, even with the server key\'s MAC → "decrypt token fail"', async () => {
    const [payload] = w.token.split('.') as [string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    const [key] = await w.store.read((r) => r.identity.serverKeys());
    /** What only the holder of the server key can mint: these claims, correctly signed. */
    const mint = (c: unknown) => {
      const p = Buffer.from(JSON.stringify(c)).toString('base64url');
      return `${p}.${createHmac('sha256', key!.secret).update(p).digest('base64url')}`;
    };
    assert.equal((await withToken(w, mint(claims))).status, 200, 'control: the minted copy is accepted');
    const { exp: _exp, ...noExp } = claims;
    for (const [why, c] of [
      ['no exp', noExp],
      ['exp null', { ...claims, exp: null }],
      ['exp as a string', { ...claims, exp: String(claims.exp + DAY) }],
      ['exp a word', { ...claims, exp: 'never' }],
      ['exp in a list', { ...claims, exp: [claims.exp] }],
      ['exp a fraction', { ...claims, exp: claims.exp + 0.5 }],
      ['exp past what a date holds', { ...claims, exp: 1e300 }],
      ['exp far before 1970', { ...claims, exp: -9e15 }],
      ['iat missing', { ...claims, iat: undefined }],
      ['a user id that is a number', { ...claims, uid: 7 }],
      ['claims that are a list', [claims]],
      ['claims that are null', null],
    ] as const) {
      const res = await withToken(w, mint(c));
      assert.equal(res.status, 401, `${why}: ${res.raw}`);
      assertAuthFail(res, 'decrypt token fail');
    }
  });

  test('a token of another server (another data dir) → 401 "decrypt token fail"', async () => {
    const other = await makeWorld();
    try {
      // Same account names, project id and password: only the server keys differ.
      assert.equal((await withToken(other, other.token)).status, 200);
      assertAuthFail(await withToken(w, other.token), 'decrypt token fail');
      assertAuthFail(await withToken(other, w.token), 'decrypt token fail');
    } finally {
      await other.close();
    }
  });

  test('tokens live 24 hours; an expired one → 401 "token expires, expires_at: ..."', async () => {
    const t = await makeWorld();
    try {
      const res = await login(t, loginBody());
      assert.equal(res.status, 201, res.raw);
      const token = String(res.headers['x-subject-token']);
      const expiresAt = Date.parse(res.body.token.expires_at);

      t.clock.advance(DAY - 1);
      assert.equal((await withToken(t, token)).status, 200);
      t.clock.advance(1);
      const expired = await withToken(t, token);
      assertAuthFail(expired, /^token expires, expires_at: \S+$/);
      const stated = expired.body.error.message.split('expires_at: ')[1];
      assert.match(stated, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
      assert.equal(Date.parse(stated), expiresAt);

      // A fresh login works again.
      const again = await login(t, loginBody());
      assert.equal(again.status, 201, again.raw);
      assert.equal((await withToken(t, String(again.headers['x-subject-token']))).status, 200);
    } finally {
      await t.close();
    }
  });

  test('a token survives a restart on the same data dir', async () => {
    const dir = fs.mkdtempSync(path.join(w.dir, 'restart-'));
    const first = await makeWorld({}, dir);
    const token = first.token;
    await first.close();
    const second = await makeWorld({}, dir);
    try {
      assert.equal((await withToken(second, token)).status, 200);
    } finally {
      await second.close();
    }
  });
});

describe('bootstrap', () => {
  test('a second bootstrap on the same store changes neither the account nor credentials.json', async () => {
    const file = path.join(w.dir, 'credentials.json');
    const before = fs.readFileSync(file, 'utf8');
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    const creds = JSON.parse(before);
    assert.equal(creds.password, PASSWORD);
    assert.equal(creds.project_id, PROJECT_ID);
    assert.equal(creds.user, 'admin');
    assert.equal(creds.domain, 'vpcep');

    const result = await bootstrap({
      config: { ...w.config, adminPassword: 'another-password', projectId: 'e'.repeat(32) },
      store: w.store,
      clock: w.clock,
      ids: randomIds,
      log: pino({ level: 'silent' }),
    });
    assert.equal(result.created, false);
    assert.equal(result.project_id, PROJECT_ID);
    assert.deepEqual(result.generated, {});
    assert.equal(result.credentialsFile, undefined);

    assert.equal((await login(w, loginBody())).status, 201);
    expectKeystoneError(await login(w, loginBody({ password: 'another-password' })), 401, 'Unauthorized');
    expectKeystoneError(await login(w, loginBody({ project: { id: 'e'.repeat(32) } })), 401, 'Unauthorized');

    assert.equal(fs.readFileSync(file, 'utf8'), before);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);

    // The gateway services are not duplicated either.
    const services = await w.api('GET', '/vpc-endpoint-services/public');
    assert.equal(services.body.total_count, 1);
  });
});
