// The SDK's signer against the test vectors of spec/signing.md (captured from the official SDK), and
// against the official signer itself (`@huaweicloud/huaweicloud-sdk-core`, AKSKSigner) on more shapes.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { AKSKSigner } from '@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner.js';
import { canonicalRequest, computeSignature } from '../../src/domain/signing.ts';
import { signRequest } from '../../src/sdk/signer.ts';
import { GET_VECTOR, PUT_VECTOR, VECTOR } from '../helpers/signing-vectors.ts';

const { ak: AK, sk: SK, project: PROJECT, date: DATE } = VECTOR;
const BASE = `http://${VECTOR.host}`;
const sha256 = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');
const key = { ak: AK, sk: SK, projectId: PROJECT, date: DATE };

test('vector 1: PUT UpdateEndpointRoutetable with a body', () => {
  const signed = signRequest(
    {
      method: 'PUT',
      url: `${BASE}${PUT_VECTOR.url}`,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(PUT_VECTOR.body),
    },
    key,
  );
  assert.deepEqual(signed.signedHeaders, ['content-type', 'host', 'x-project-id', 'x-sdk-date']);
  assert.equal(signed.canonicalRequest.split('\n').at(-1), PUT_VECTOR.payloadSha256);
  assert.equal(sha256(signed.canonicalRequest), PUT_VECTOR.canonicalSha256);
  assert.equal(signed.signature, PUT_VECTOR.signature);
  assert.deepEqual(signed.headers, {
    'content-type': 'application/json',
    host: '127.0.0.1:18080',
    'x-sdk-date': '20261127T223700Z',
    'x-project-id': PROJECT,
    authorization:
      `SDK-HMAC-SHA256 Access=${AK}, SignedHeaders=content-type;host;x-project-id;x-sdk-date, ` +
      `Signature=${PUT_VECTOR.signature}`,
  });
});

test('vector 2: GET ListEndpoints with an unsorted query and no body', () => {
  const signed = signRequest(
    {
      method: 'GET',
      url: `${BASE}${GET_VECTOR.url}`,
      headers: { 'content-type': 'application/json' },
    },
    key,
  );
  const lines = signed.canonicalRequest.split('\n');
  assert.equal(lines[1], `/v1/${PROJECT}/vpc-endpoints/`);
  assert.equal(lines[2], GET_VECTOR.canonicalQuery);
  assert.equal(lines.at(-1), VECTOR.emptySha256);
  assert.equal(sha256(signed.canonicalRequest), GET_VECTOR.canonicalSha256);
  assert.equal(signed.signature, GET_VECTOR.signature);
});

test('transport headers stay unsigned; a stale Authorization is replaced; any change breaks the signature', () => {
  const req = {
    method: 'POST',
    url: `${BASE}/v1/${PROJECT}/vpcs`,
    headers: {
      'Content-Type': 'application/json',
      'User-Agent': 'vpcep-test',
      Accept: 'application/json',
      Authorization: 'SDK-HMAC-SHA256 Access=OLD, SignedHeaders=host, Signature=00',
      'X-Trace': 'abc',
    },
    body: '{"vpc":{"name":"a"}}',
  };
  const signed = signRequest(req, key);
  assert.deepEqual(signed.signedHeaders, ['content-type', 'host', 'x-project-id', 'x-sdk-date', 'x-trace']);
  assert.match(signed.headers.authorization!, new RegExp(`^SDK-HMAC-SHA256 Access=${AK}, `));
  assert.equal(signed.headers['user-agent'], 'vpcep-test');

  // What the server recomputes from the request it receives (service/identity.ts does exactly this).
  const recomputed = (body: string, url = '/v1/' + PROJECT + '/vpcs') =>
    computeSignature(
      SK,
      signed.headers['x-sdk-date']!,
      canonicalRequest(
        { method: 'POST', url, headers: signed.headers, body: Buffer.from(body) },
        signed.signedHeaders,
      ),
    );
  assert.equal(recomputed(req.body), signed.signature);
  assert.notEqual(recomputed('{"vpc":{"name":"b"}}'), signed.signature);
  assert.notEqual(recomputed(req.body, `/v1/${PROJECT}/vpcs/x`), signed.signature);
  assert.notEqual(
    signRequest(req, { ...key, date: new Date(DATE.getTime() + 1000) }).signature,
    signed.signature,
  );
  assert.notEqual(signRequest(req, { ...key, sk: `${SK}x` }).signature, signed.signature);
});

test('without a project id no X-Project-Id is sent or signed (global credentials)', () => {
  const signed = signRequest(
    { method: 'GET', url: `${BASE}/v3/auth/domains` },
    { ak: AK, sk: SK, date: DATE },
  );
  assert.deepEqual(signed.signedHeaders, ['host', 'x-sdk-date']);
  assert.equal(signed.headers['x-project-id'], undefined);
});

test('the same signature as the official SDK signer on paths, queries and bodies', () => {
  const credential = { getAk: () => AK, getSk: () => SK };
  const cases: { method: string; path: string; query?: Record<string, string>; data?: unknown }[] = [
    { method: 'GET', path: `/v1/${PROJECT}/routetables`, query: { vpc_id: 'a b', limit: '5' } },
    {
      method: 'GET',
      path: `/v1/${PROJECT}/vpc-endpoint-services/describe`,
      query: { endpoint_service_name: 'x.y~z*' },
    },
    { method: 'DELETE', path: `/v1/${PROJECT}/vpc-endpoints/4189d3c2-8882-4871-a3c2-d380272eed83` },
    {
      method: 'POST',
      path: '/v3.0/OS-CREDENTIAL/credentials',
      data: { credential: { user_id: 'u', description: 'ü & "q"' } },
    },
    { method: 'GET', path: '/v3/projects', query: { name: 'cn-north-4' }, data: {} },
  ];
  for (const c of cases) {
    const url = new URL(BASE + c.path);
    for (const [k, v] of Object.entries(c.query ?? {})) url.searchParams.append(k, v);
    const body = c.data === undefined ? undefined : JSON.stringify(c.data);
    const ours = signRequest(
      { method: c.method, url, headers: { 'content-type': 'application/json' }, ...(body ? { body } : {}) },
      key,
    );
    const official = AKSKSigner.sign(
      {
        method: c.method,
        endpoint: BASE + c.path,
        queryParams: c.query ?? {},
        headers: {
          'content-type': 'application/json',
          'X-Project-Id': PROJECT,
          'X-Sdk-Date': '20261127T223700Z',
        },
        data: c.data,
      } as never,
      credential as never,
    ) as Record<string, string>;
    assert.equal(
      ours.headers.authorization,
      official.Authorization,
      `${c.method} ${url.pathname}${url.search}`,
    );
  }
});
