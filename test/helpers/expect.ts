import assert from 'node:assert/strict';
import type { Reply } from './world.ts';

/**
 * The assertions the suites share: a status, and each error envelope of spec/errors.md. One place
 * says what each envelope is, so every suite checks the same thing by the same name.
 */

/** A reply of either client: `inject` (world.ts) or a real socket (server.ts). */
interface AnyReply {
  status: number;
  raw: string;
}

/** The reply, after asserting its status (200 unless told). */
export function ok<R extends AnyReply>(res: R, status = 200): R {
  assert.equal(res.status, status, `${res.status} ${res.raw}`);
  return res;
}

/** A sorted copy, to compare sets of IDs whose order is not part of the contract. */
export const sorted = (xs: Iterable<string>) => [...xs].sort();

/** The content type of every JSON answer (errors.md). */
const JSON_TYPE = 'application/json;charset=UTF-8';

/** The exact JSON content type, and a body that parses. */
export function expectJson(res: Reply) {
  assert.equal(res.headers['content-type'], JSON_TYPE, res.raw);
  assert.doesNotThrow(() => JSON.parse(res.raw), res.raw);
}

/**
 * Status, code (or one of several), a JSON envelope with X-Request-Id (with the gateway fields for
 * APIGW.*), and optionally the message; `why` labels failures.
 */
export function expectError(
  res: Reply,
  status: number,
  code: string | readonly string[],
  message?: string | RegExp,
  why = '',
) {
  const codes = typeof code === 'string' ? [code] : code;
  const label = `${why ? `${why}: ` : ''}expected ${status} ${codes.join(' or ')}, got ${res.status} ${res.raw}`;
  assert.equal(res.status, status, label);
  assert.ok(codes.includes(res.body?.error?.code), label);
  assert.match(String(res.headers['content-type']), /^application\/json/, label);
  assert.ok(res.headers['x-request-id'], `${label}: X-Request-Id header`);
  if (res.body.error.code.startsWith('APIGW.')) {
    assert.equal(res.body.error_code, res.body.error.code, label);
    assert.equal(res.body.error_msg, res.body.error.message, label);
    assert.equal(res.body.request_id, res.headers['x-request-id'], label);
  }
  if (typeof message === 'string') assert.equal(res.body.error.message, message, label);
  else if (message) assert.match(res.body.error.message, message, label);
}

/** A VPC Endpoint error: exactly `{"error":{"code","message"}}`, JSON. */
export function expectEpError(res: Reply, status: number, code: string) {
  assert.equal(res.status, status, res.raw);
  expectJson(res);
  assert.deepEqual(Object.keys(res.body), ['error'], res.raw);
  assert.deepEqual(Object.keys(res.body.error).sort(), ['code', 'message']);
  assert.equal(res.body.error.code, code, res.raw);
  assert.equal(typeof res.body.error.message, 'string');
}

/** A VPC error: the VPC envelope with both readers' fields, agreeing with each other, JSON. */
export function expectVpcError(res: Reply, status: number, code: string) {
  assert.equal(res.status, status, res.raw);
  expectJson(res);
  assert.deepEqual(Object.keys(res.body).sort(), ['code', 'error', 'message']);
  assert.deepEqual(Object.keys(res.body.error).sort(), ['code', 'message']);
  assert.equal(res.body.error.code, code, res.raw);
  assert.equal(res.body.code, code);
  assert.equal(res.body.message, res.body.error.message);
  assert.equal(typeof res.body.message, 'string');
  assert.ok(res.body.message.length > 0);
}

/** The gateway envelope: the service fields and the gateway's own, the request id equal to the header. */
export function expectGatewayError(res: Reply, status: number, code: string) {
  assert.equal(res.status, status, res.raw);
  expectJson(res);
  assert.deepEqual(Object.keys(res.body).sort(), ['error', 'error_code', 'error_msg', 'request_id']);
  assert.equal(res.body.error.code, code);
  assert.equal(res.body.error_code, code);
  assert.equal(res.body.error_msg, res.body.error.message);
  assert.equal(res.body.request_id, res.headers['x-request-id']);
}

/** Keystone's error envelope, exactly (errors.md), and no token issued with it. */
export function expectKeystoneError(res: Reply, status: number, title: string) {
  assert.equal(res.status, status, res.raw);
  assert.deepEqual(Object.keys(res.body), ['error'], res.raw);
  assert.deepEqual(Object.keys(res.body.error).sort(), ['code', 'message', 'title'], res.raw);
  assert.equal(res.body.error.code, status);
  assert.equal(res.body.error.title, title);
  assert.equal(typeof res.body.error.message, 'string');
  assert.equal(res.headers['x-subject-token'], undefined);
}

/** The error `call` fails with, after asserting it is a `type`; the test fails if the call succeeds. */
export async function rejectsWith<E>(call: Promise<unknown>, type: new (...args: never[]) => E): Promise<E> {
  try {
    await call;
  } catch (e) {
    assert.ok(e instanceof type, `a ${type.name}, got ${String(e)}`);
    return e;
  }
  assert.fail(`the call succeeded; a ${type.name} was expected`);
}
