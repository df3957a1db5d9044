import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiError, isErrorCode } from '../../src/domain/errors.ts';
import { appRoutes } from '../helpers/routes.ts';

/** Every `x-error-code` in a schema, with the path it sits at. */
function errorCodes(schema: unknown, at: string, out: [string, unknown][] = []): [string, unknown][] {
  if (Array.isArray(schema)) schema.forEach((s, i) => errorCodes(s, `${at}[${i}]`, out));
  else if (typeof schema === 'object' && schema !== null) {
    for (const [k, v] of Object.entries(schema)) {
      if (k === 'x-error-code') out.push([at, v]);
      else errorCodes(v, `${at}.${k}`, out);
    }
  }
  return out;
}

test('every x-error-code of every route schema names an entry of the catalogue', () => {
  const defs = appRoutes();
  assert.ok(defs.length >= 50, `only ${defs.length} routes`);
  const found = defs.flatMap((d) => errorCodes(d.schema, `${d.method} ${d.url}`));
  // The schemas do name codes: an enumeration that finds none proves nothing.
  assert.ok(found.length >= 7, JSON.stringify(found));
  for (const [where, code] of found) {
    assert.ok(isErrorCode(code), `${where}: ${String(code)} is not in the catalogue`);
    assert.doesNotThrow(() => new ApiError(code as never), where);
  }
});

test('isErrorCode: catalogue entries only, never an inherited name', () => {
  assert.equal(isErrorCode('EndPoint.2044'), true);
  assert.equal(isErrorCode('EndPoint.9999'), false);
  for (const name of ['__proto__', 'constructor', 'toString', '', undefined, 2044]) {
    assert.equal(isErrorCode(name), false, String(name));
  }
});
