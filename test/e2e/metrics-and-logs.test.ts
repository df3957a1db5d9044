import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { scrape } from '../helpers/prometheus.ts';
import { useScratch } from '../helpers/scratch.ts';
import { sign } from '../helpers/sign.ts';
import {
  cleanEnv,
  client,
  freePort,
  REPO_ROOT,
  sessionOn,
  spawnServer,
  type ServerProcess,
} from '../helpers/server.ts';
import { until } from '../helpers/wait.ts';

/**
 * The compiled server as an operator runs it (README, "Metrics" and "Logging"): `--metrics-port`
 * and `--metrics` from the command line, what its log lines hold, that no credential ever reaches
 * them, and the readable format.
 */

const scratch = useScratch('vpcep-observability-');

const PASSWORD = 'Observe-Password-1';
const AK = 'AKOBSERVE00000000001';
const SK = 'observe-secret-key-0000000000000000000001';
const PROJECT = 'abcdef0123456789abcdef0123456789';
const ENV = {
  VPCEP_ADMIN_PASSWORD: PASSWORD,
  VPCEP_ADMIN_AK: AK,
  VPCEP_ADMIN_SK: SK,
  VPCEP_PROJECT_ID: PROJECT,
  VPCEP_LOG_LEVEL: 'info',
};

/** The JSON lines the server wrote so far (its generated-secrets notice aside: there is none here). */
function jsonLines(server: ServerProcess): Record<string, unknown>[] {
  return server
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('--metrics-port', () => {
  let server: ServerProcess;
  let metricsPort: number;

  before(async () => {
    metricsPort = await freePort();
    server = await spawnServer({
      dataDir: scratch.dir(),
      env: ENV,
      args: ['--metrics-port', String(metricsPort), '--log-format', 'json'],
    });
  });
  after(() => server?.stop());

  test('serves GET /metrics on its own port, and not on the API port', async () => {
    const session = await sessionOn(server, PASSWORD);
    const vpcs = await client(server.url, session).api('GET', '/vpcs');
    assert.equal(vpcs.status, 200, vpcs.raw);
    const s = await scrape(`http://127.0.0.1:${metricsPort}/metrics`);
    assert.equal(
      s.count('vpcep_http_request_duration_seconds_count', {
        operationId: 'ListVpcs',
        method: 'GET',
        status: '200',
      }),
      1,
    );
    assert.equal(
      s.count('vpcep_http_request_duration_seconds_count', {
        operationId: 'KeystoneCreateUserTokenByPassword',
        method: 'POST',
        status: '201',
      }),
      1,
    );
    const [onApi, unknown] = await Promise.all([
      fetch(`${server.url}/metrics`),
      fetch(`${server.url}/nothing`),
    ]);
    assert.equal(onApi.status, 404);
    assert.equal(await onApi.text(), await unknown.text());
    // The scrape port serves nothing else.
    assert.equal((await fetch(`http://127.0.0.1:${metricsPort}/v1`)).status, 404);
    const post = await fetch(`http://127.0.0.1:${metricsPort}/metrics`, { method: 'POST' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get('allow'), 'GET, HEAD');
    // The start-up line says where metrics are.
    const serving = jsonLines(server).find((l) => String(l.msg).startsWith('vpcep serving on'));
    assert.equal(serving?.metrics, `http://127.0.0.1:${metricsPort}/metrics`, server.output());
  });

  test('a taken metrics port stops the start in one line naming --metrics-port', async () => {
    const taken = net.createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const port = (taken.address() as net.AddressInfo).port;
    try {
      const run = spawnSync(
        process.execPath,
        ['bin/vpcep.js', 'serve', '--port', '0', '--metrics-port', String(port), '--data-dir', scratch.dir()],
        { cwd: REPO_ROOT, env: cleanEnv(ENV), encoding: 'utf8', timeout: 30_000 },
      );
      assert.equal(run.status, 1, run.stderr);
      assert.equal(
        run.stderr,
        `vpcep: port ${port} is in use (another process listens on 127.0.0.1:${port}); choose another with --metrics-port or VPCEP_METRICS_PORT\n`,
      );
    } finally {
      taken.close();
    }
  });
});

describe('request logs (--metrics, JSON lines)', () => {
  let server: ServerProcess;

  before(async () => {
    server = await spawnServer({
      dataDir: scratch.dir(),
      env: ENV,
      args: ['--metrics', '--log-format', 'json'],
    });
  });
  after(() => server?.stop());

  /** The request's completion line, found by the id its answer carried. */
  async function lineOf(requestId: string) {
    assert.match(requestId, /^[0-9a-f]{32}$/);
    return until(`the log line of request ${requestId}`, () =>
      jsonLines(server).find((l) => l.reqId === requestId && l.msg === 'request completed'),
    );
  }

  /** `fetch` signed with `ak`/`sk` by the official signer, with more headers signed too. */
  async function signedFetch(
    ak: string,
    sk: string,
    method: string,
    p: string,
    body?: unknown,
    headers = {},
  ) {
    const s = sign({
      ak,
      sk,
      method,
      url: p,
      host: new URL(server.url).host,
      date: new Date(),
      headers,
      body,
    });
    return fetch(`${server.url}${p}`, {
      method,
      headers: s.headers,
      ...(s.payload === undefined ? {} : { body: s.payload }),
    });
  }

  test('each line holds the request id, operation, project, caller, status, duration and error code; no credential', async () => {
    const session = await sessionOn(server, PASSWORD);
    const api = client(server.url, session);
    const secrets: [string, string][] = [
      ['the admin password', PASSWORD],
      ['the admin SK', SK],
      ['a token', session.token],
    ];

    // A token call.
    const listed = await api.api('GET', '/vpc-endpoints');
    assert.equal(listed.status, 200, listed.raw);
    const byToken = await lineOf(listed.requestId);
    assert.equal(byToken.op, 'ListEndpoints');
    assert.equal(byToken.project, PROJECT);
    assert.equal(byToken.user, 'admin');
    assert.equal(byToken.status, 200);
    assert.equal(typeof byToken.ms, 'number');
    assert.equal(byToken.method, 'GET');
    assert.equal(byToken.url, `/v1/${PROJECT}/vpc-endpoints`);
    assert.equal(byToken.access, undefined, 'no AK on a token call');
    assert.equal(byToken.code, undefined, 'no code on a success');

    // A refusal: its code.
    const missing = await api.api('GET', `/vpc-endpoints/${crypto.randomUUID()}`);
    assert.equal(missing.status, 404, missing.raw);
    const refused = await lineOf(missing.requestId);
    assert.equal(refused.code, 'EndPoint.2006');
    assert.equal(refused.op, 'ListEndpointInfoDetails');
    assert.equal(refused.status, 404);

    // A signed call: the caller's user and the AK; never the signature.
    const signedRes = await signedFetch(AK, SK, 'GET', `/v1/${PROJECT}/vpcs`);
    assert.equal(signedRes.status, 200, await signedRes.text());
    const signedLine = await lineOf(signedRes.headers.get('x-request-id')!);
    assert.equal(signedLine.access, AK);
    assert.equal(signedLine.user, 'admin');
    assert.equal(signedLine.op, 'ListVpcs');

    // Calls that carry or make secrets: a new user's password, a new key pair, a temporary key
    // with its security token, and a signed call with that token.
    const userPassword = 'Brand-New-Password-7';
    const user = await api.call('POST', '/v3/users', { user: { name: 'logged', password: userPassword } });
    assert.equal(user.status, 201, user.raw);
    secrets.push(['a new user password', userPassword]);
    const key = await api.call('POST', '/v3.0/OS-CREDENTIAL/credentials', {
      credential: { user_id: user.body.user.id },
    });
    assert.equal(key.status, 201, key.raw);
    secrets.push(['a new SK', key.body.credential.secret]);
    const temp = await api.call('POST', '/v3.0/OS-CREDENTIAL/securitytokens', {
      auth: { identity: { methods: ['token'], token: { duration_seconds: 900 } } },
    });
    assert.equal(temp.status, 201, temp.raw);
    const t = temp.body.credential;
    secrets.push(['a temporary SK', t.secret], ['a security token', t.securitytoken]);
    const withToken = await signedFetch(t.access, t.secret, 'GET', `/v1/${PROJECT}/vpcs`, undefined, {
      'X-Security-Token': t.securitytoken,
    });
    assert.equal(withToken.status, 200, await withToken.text());
    assert.equal((await lineOf(withToken.headers.get('x-request-id')!)).access, t.access);
    // A token validated by another: X-Subject-Token carries the token validated.
    const validated = await fetch(`${server.url}/v3/auth/tokens`, {
      headers: { 'x-auth-token': session.token, 'x-subject-token': session.token },
    });
    assert.equal(validated.status, 200, await validated.text());
    await lineOf(validated.headers.get('x-request-id')!);
    // Refused credentials are logged as refusals, and are not in the log either.
    const badSignature = await signedFetch(AK, `${SK.slice(0, -1)}x`, 'GET', `/v1/${PROJECT}/vpcs`);
    assert.equal(badSignature.status, 401);
    const badToken = await fetch(`${server.url}/v1/${PROJECT}/vpcs`, {
      headers: { 'x-auth-token': `${session.token}x` },
    });
    assert.equal(badToken.status, 401);
    assert.equal((await lineOf(badToken.headers.get('x-request-id')!)).code, 'APIGW.0301');

    const out = server.output();
    for (const [what, secret] of secrets) {
      assert.ok(secret.length >= 16 || what.includes('password'), what);
      assert.ok(!out.includes(secret), `${what} is not in the log`);
    }
    assert.doesNotMatch(out, /Signature=|SDK-HMAC-SHA256/, 'no Authorization header');
    assert.ok(!out.includes(`${session.token.slice(0, 64)}`), 'no part of a token');
    // Every line is one JSON object, and every request has exactly one completion line.
    const completed = jsonLines(server).filter((l) => l.msg === 'request completed');
    assert.equal(new Set(completed.map((l) => l.reqId)).size, completed.length);
  });

  test('--metrics from the command line serves GET /metrics on the API port', async () => {
    const s = await scrape(`${server.url}/metrics`);
    assert.ok(
      s.count('vpcep_http_request_duration_seconds_count', {
        operationId: 'ListVpcs',
        method: 'GET',
        status: '200',
      }) >= 1,
    );
  });
});

test('--log-format pretty: one readable line per request', async () => {
  const server = await spawnServer({ dataDir: scratch.dir(), env: ENV, args: ['--log-format', 'pretty'] });
  try {
    const session = await sessionOn(server, PASSWORD);
    const res = await client(server.url, session).api('GET', '/vpc-endpoints');
    assert.equal(res.status, 200, res.raw);
    const missing = await client(server.url, session).api('GET', `/vpc-endpoints/${crypto.randomUUID()}`);
    assert.equal(missing.status, 404);
    const line = await until('the pretty line of the request', () =>
      server
        .output()
        .split('\n')
        .find((l) => l.includes(`reqId=${res.requestId}`)),
    );
    assert.match(
      line,
      new RegExp(
        `^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z INFO  200 GET /v1/${PROJECT}/vpc-endpoints \\d+(\\.\\d)?ms ListEndpoints ` +
          `reqId=${res.requestId} project=${PROJECT} user=admin domain=vpcep$`,
      ),
    );
    const refused = await until('the pretty line of the refusal', () =>
      server
        .output()
        .split('\n')
        .find((l) => l.includes(`reqId=${missing.requestId}`)),
    );
    assert.match(refused, / INFO {2}404 GET \S+ \S+ms ListEndpointInfoDetails .*\bcode=EndPoint\.2006\b/);
    assert.ok(
      !server
        .output()
        .split('\n')
        .some((l) => l.startsWith('{')),
      'no JSON line',
    );
    assert.match(server.output(), / INFO {2}vpcep serving on http:\/\/127\.0\.0\.1:\d+ store=/);
  } finally {
    await server.stop();
  }
});

test('the README names every vpcep metric a scrape holds, and no other', async () => {
  const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.split('## Metrics')[1]?.split(/\n## /)[0] ?? '';
  const documented = new Set([...section.matchAll(/`(vpcep_[a-z_]+)`/g)].map((m) => m[1]!));
  const server = await spawnServer({ dataDir: scratch.dir(), env: ENV, args: ['--metrics'] });
  try {
    const exposed = new Set(
      [...(await scrape(`${server.url}/metrics`)).types.keys()].filter((n) => n.startsWith('vpcep_')),
    );
    assert.deepEqual([...documented].sort(), [...exposed].sort());
    // The section's sh block, as written, against this server: every gauge is 0 on a new server, so the
    // first line prints nothing (grep fails), the second counts the series the scrape above made.
    const block = section.match(/```sh\n([\s\S]*?)```/)?.[1];
    assert.ok(block, 'the Metrics section has a sh block');
    const [gauges, requests] = block.trim().split('\n');
    const env = { PATH: process.env.PATH ?? '', B: server.url };
    const run = (line: string) =>
      spawnSync('bash', ['-c', line!], { env, encoding: 'utf8', timeout: 30_000 });
    assert.equal(run(gauges!).stdout, '');
    assert.ok(Number(run(requests!).stdout.trim()) >= 1, run(requests!).stdout);
  } finally {
    await server.stop();
  }
});
