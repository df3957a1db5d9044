import assert from 'node:assert/strict';
import { test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { createLogger, installRequestLog, requestLogOptions } from '../../src/http/logging.ts';

/**
 * The request log (http/logging.ts) on a bare Fastify app: one completion line per request, and
 * every other line a routed request writes labelled with its request id and operation, as the
 * README's "Logging" says, although no child logger is made for a request that logs nothing else.
 */
async function appLogging(level = 'info') {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger(level, 'json', { write: (line: string) => void lines.push(JSON.parse(line)) });
  let n = 0;
  // As app.ts does: the app typed with Fastify's base logger.
  const app = Fastify({
    loggerInstance: log,
    genReqId: () => `req${++n}`,
    ...requestLogOptions(),
  }) as unknown as FastifyInstance;
  installRequestLog(app);
  app.get('/quiet', { config: { operationId: 'Quiet' } }, async () => ({ ok: true }));
  app.get('/chatty', { config: { operationId: 'Chatty' } }, async (request) => {
    request.log.warn({ n: 1 }, 'something to say');
    request.log.child({ part: 'inner' }).info('from a child');
    request.log.debug('below the level');
    return { ok: true };
  });
  app.get('/unlabelled', async (request) => {
    request.log.error('no operation here');
    return { ok: true };
  });
  await app.ready();
  return { app, lines };
}

test('one completion line per request, with its id and operation, in the documented order', async () => {
  const { app, lines } = await appLogging();
  try {
    const res = await app.inject({ method: 'GET', url: '/quiet' });
    assert.equal(res.statusCode, 200);
    const missing = await app.inject({ method: 'GET', url: '/nowhere' });
    assert.equal(missing.statusCode, 404);
    assert.equal(lines.length, 2, JSON.stringify(lines));
    const [quiet, unknown] = lines;
    assert.deepEqual(Object.keys(quiet!), [
      'level',
      'time',
      'pid',
      'hostname',
      'reqId',
      'op',
      'method',
      'url',
      'status',
      'ms',
      'msg',
    ]);
    assert.equal(quiet!.reqId, 'req1');
    assert.equal(quiet!.op, 'Quiet');
    assert.equal(quiet!.msg, 'request completed');
    assert.equal(unknown!.reqId, 'req2');
    assert.equal(unknown!.op, undefined, 'no operation for an unknown path');
    assert.equal(unknown!.status, 404);
  } finally {
    await app.close();
  }
});

test('every other line a routed request writes carries its request id and operation', async () => {
  const { app, lines } = await appLogging();
  try {
    assert.equal((await app.inject({ method: 'GET', url: '/chatty' })).statusCode, 200);
    assert.equal((await app.inject({ method: 'GET', url: '/unlabelled' })).statusCode, 200);
    const [warned, fromChild, completed, unlabelled, unlabelledDone] = lines;
    assert.equal(lines.length, 5, JSON.stringify(lines));
    assert.equal(warned!.msg, 'something to say');
    assert.equal(warned!.level, 40);
    assert.deepEqual([warned!.reqId, warned!.op, warned!.n], ['req1', 'Chatty', 1]);
    assert.deepEqual([fromChild!.reqId, fromChild!.op, fromChild!.part], ['req1', 'Chatty', 'inner']);
    // The completion line of a request that logged through its child carries the fields once.
    assert.equal(completed!.msg, 'request completed');
    assert.deepEqual([completed!.reqId, completed!.op, completed!.status], ['req1', 'Chatty', 200]);
    assert.equal(unlabelled!.msg, 'no operation here');
    assert.equal(unlabelled!.reqId, 'req2');
    assert.equal('op' in unlabelled!, false);
    assert.equal(unlabelledDone!.reqId, 'req2');
  } finally {
    await app.close();
  }
});

test('a level that is off writes nothing: at warn, no completion lines', async () => {
  const { app, lines } = await appLogging('warn');
  try {
    assert.equal((await app.inject({ method: 'GET', url: '/chatty' })).statusCode, 200);
    assert.equal((await app.inject({ method: 'GET', url: '/quiet' })).statusCode, 200);
    assert.deepEqual(
      lines.map((l) => [l.msg, l.op]),
      [['something to say', 'Chatty']],
    );
  } finally {
    await app.close();
  }
});
