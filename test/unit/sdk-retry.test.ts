// The SDK's retry rules (src/sdk/retry.ts): which answers are tried again for which calls, how
// Retry-After is read, and the bounds of the backoff. The retries themselves, against a real server,
// are in test/api/sdk-retries.test.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VpcepError } from '../../src/sdk/errors.ts';
import { DEFAULT_RETRY, isRetryable, parseRetryAfter, retryDelay, retryPolicy } from '../../src/sdk/retry.ts';

/** An error as VpcepError.fromResponse reads it from the server's envelope. */
const UNAVAILABLE = 'Service temporarily unavailable. Please retry.';
const answer = (status: number, code: string, message = 'x') =>
  VpcepError.fromResponse(status, '', JSON.stringify({ error: { code, message } }), 'id');

test('which answers are retried, for a repeatable call and for a create', () => {
  const cases: [VpcepError, boolean, boolean][] = [
    // [answer, retried when repeatable, retried for a create]
    [answer(409, 'VPCEP.0409'), true, true],
    [answer(409, 'VPCEP.1001'), false, false],
    [answer(409, 'VPCEP.2002'), false, false],
    [answer(429, 'APIGW.0308'), true, true],
    // vpcep's messages: the published text, then the detail (domain/errors.ts, ApiError).
    [answer(503, 'VPCEP.0503', `${UNAVAILABLE} The server is shutting down.`), true, true],
    [answer(503, 'VPCEP.0503', `${UNAVAILABLE} The server is starting.`), true, true],
    [answer(503, 'VPCEP.0503', `${UNAVAILABLE} The database is unreachable.`), true, false],
    [answer(503, 'VPCEP.0503', UNAVAILABLE), true, false],
    [answer(503, 'Other.503', 'The server is starting.'), true, false],
    [answer(500, 'EndPoint.0001'), false, false],
    [answer(502, 'VPCEP.0502'), false, false],
    [answer(504, 'EndPoint.0013'), false, false],
    [answer(400, 'EndPoint.0002'), false, false],
    [answer(404, 'EndPoint.2006'), false, false],
    [answer(401, 'APIGW.0301'), false, false],
  ];
  for (const [e, repeatable, create] of cases) {
    const label = `${e.status} ${e.code} ${e.message}`;
    assert.equal(isRetryable(e, true), repeatable, `repeatable: ${label}`);
    assert.equal(isRetryable(e, false), create, `create: ${label}`);
  }
});

test('Retry-After: delay-seconds, an HTTP date, and what is not one', () => {
  const now = Date.parse('2030-01-01T00:00:00Z');
  assert.equal(parseRetryAfter('1', now), 1000);
  assert.equal(parseRetryAfter(' 120 ', now), 120_000);
  assert.equal(parseRetryAfter('Tue, 01 Jan 2030 00:00:05 GMT', now), 5000);
  assert.equal(parseRetryAfter('Mon, 31 Dec 2029 23:59:00 GMT', now), 0, 'a date past is now');
  for (const bad of [null, undefined, '', '  ', '-1', '1.5', 'soon']) {
    assert.equal(parseRetryAfter(bad, now), undefined, String(bad));
  }
});

test('the backoff doubles within its bound, and adds to a Retry-After it may wait for', () => {
  const policy = { attempts: 5, baseDelayMs: 100, maxDelayMs: 1000 };
  const top = () => 1;
  assert.deepEqual(
    [1, 2, 3, 4, 5].map((n) => retryDelay(n, undefined, policy, top)),
    [100, 200, 400, 800, 1000],
  );
  assert.equal(
    retryDelay(3, undefined, policy, () => 0),
    0,
    'full jitter: anywhere from 0',
  );
  assert.equal(retryDelay(1, 1000, policy, top), 1100, 'Retry-After, then a jitter on top');
  assert.equal(
    retryDelay(1, 1000, policy, () => 0),
    1000,
    'never before Retry-After',
  );
  assert.equal(
    retryDelay(1, 1001, policy, () => 0),
    undefined,
    'a longer Retry-After is not waited for',
  );
});

test('the retry option: defaults, false for one attempt, and checked values', () => {
  assert.deepEqual(retryPolicy(undefined), DEFAULT_RETRY);
  assert.deepEqual(retryPolicy(false), { ...DEFAULT_RETRY, attempts: 1 });
  assert.deepEqual(retryPolicy({ attempts: 5 }), { ...DEFAULT_RETRY, attempts: 5 });
  for (const bad of [{ attempts: 0 }, { attempts: 1.5 }, { baseDelayMs: -1 }, { maxDelayMs: Number.NaN }]) {
    assert.throws(() => retryPolicy(bad), TypeError, JSON.stringify(bad));
  }
});
