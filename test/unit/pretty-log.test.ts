import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger } from '../../src/http/logging.ts';
import { prettyLine } from '../../src/http/pretty-log.ts';

/** What the production logger writes in each format, captured. */
function logged(format: 'json' | 'pretty', write: (log: ReturnType<typeof createLogger>) => void) {
  let out = '';
  write(createLogger('info', format, { write: (line: string) => void (out += line) }));
  return out;
}

const TIME = Date.UTC(2026, 11, 1, 9, 30, 12, 345);

test('a request line starts with status, method, URL, duration and operation', () => {
  const line = prettyLine(
    JSON.stringify({
      level: 30,
      time: TIME,
      pid: 1,
      hostname: 'h',
      reqId: 'ab12',
      op: 'UpdateEndpointRoutetable',
      method: 'PUT',
      url: '/v1/p/vpc-endpoints/e/routetables',
      status: 400,
      ms: 3.1,
      project: 'p',
      user: 'admin',
      code: 'EndPoint.0002',
      reason: 'bad JSON at 3',
      msg: 'request completed',
    }),
  );
  assert.equal(
    line,
    '2026-12-01T09:30:12.345Z INFO  400 PUT /v1/p/vpc-endpoints/e/routetables 3.1ms UpdateEndpointRoutetable ' +
      'reqId=ab12 project=p user=admin code=EndPoint.0002 reason="bad JSON at 3"\n',
  );
});

test('another line: its message, its fields, and an error stack below it', () => {
  const line = prettyLine(
    JSON.stringify({
      level: 50,
      time: TIME,
      msg: 'unexpected error',
      n: 2,
      list: ['a'],
      err: { type: 'Error', message: 'boom', stack: 'Error: boom\n    at f (x.ts:1:1)' },
    }),
  );
  assert.equal(
    line,
    '2026-12-01T09:30:12.345Z ERROR unexpected error n=2 list=["a"]\n    Error: boom\n        at f (x.ts:1:1)\n',
  );
  assert.equal(prettyLine('not json'), 'not json\n');
});

test('both formats redact the credential headers before writing', () => {
  const headers = {
    'x-auth-token': 'TOKEN-1',
    authorization: 'SDK-HMAC-SHA256 Signature=abc',
    'x-security-token': 'ST-1',
  };
  for (const format of ['json', 'pretty'] as const) {
    const out = logged(format, (log) => log.info({ req: { headers }, res: { headers } }, 'with headers'));
    assert.match(out, /with headers/);
    for (const secret of ['TOKEN-1', 'Signature=abc', 'ST-1'])
      assert.ok(!out.includes(secret), `${format}: ${secret}`);
    assert.match(out, /\[redacted\]/);
  }
  assert.doesNotThrow(() => JSON.parse(logged('json', (log) => log.info('x'))));
});
