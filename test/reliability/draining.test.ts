import assert from 'node:assert/strict';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { parseResponses, type RawResponse } from '../helpers/raw-http.ts';
import { until } from '../helpers/wait.ts';
import { makeWorld } from '../helpers/world.ts';

/**
 * Draining (http/draining.ts), over real keep-alive connections of an app in this process: once
 * the drain has begun, the call in flight finishes with its answer and `Connection: close`, and a
 * call that arrives on a connection opened before is answered 503 VPCEP.0503 with `Connection:
 * close`, never dropped. (reliability/shutdown.test.ts has the same under load, on SIGTERM.)
 */

/** A connection whose answers are read as they come. */
function connect(port: number) {
  const socket = net.connect(port, '127.0.0.1');
  let received = Buffer.alloc(0);
  let closed = false;
  socket.on('data', (d) => (received = Buffer.concat([received, d])));
  socket.on('close', () => (closed = true));
  socket.on('error', () => undefined);
  return {
    write: (text: string) => socket.write(text),
    /** The `n`th final answer on this connection (1 for the first), once it has arrived whole. */
    answer: (n: number) =>
      until(`answer ${n}`, () => {
        const final = received.toString('latin1').replaceAll('HTTP/1.1 100 Continue\r\n\r\n', '');
        return parseResponses(Buffer.from(final, 'latin1')).responses[n - 1] as RawResponse | undefined;
      }),
    closed: () => until('the server to close the connection', () => closed),
    raw: () => received.toString('latin1'),
  };
}

test('a drain answers the call in flight and refuses a later one, each with Connection: close', async () => {
  const w = await makeWorld();
  try {
    await w.app.listen({ host: '127.0.0.1', port: 0 });
    const port = (w.app.server.address() as AddressInfo).port;
    const head = (method: string, path: string, extra = '') =>
      `${method} /v1/${w.projectId}${path} HTTP/1.1\r\nHost: vpcep.test\r\nX-Auth-Token: ${w.token}\r\n${extra}\r\n`;

    // A kept-alive connection, idle once its first call has been answered.
    const idle = connect(port);
    idle.write(head('GET', '/vpcs'));
    const first = await idle.answer(1);
    assert.equal(first.status, 200, first.body);
    assert.notEqual(first.headers.connection?.toLowerCase(), 'close');

    // A call in flight: its headers read by the server (100 Continue), half of its body sent.
    const body = JSON.stringify({ vpc: { name: 'drained', cidr: '10.0.0.0/16' } });
    const half = Math.floor(body.length / 2);
    const busy = connect(port);
    busy.write(
      head(
        'POST',
        '/vpcs',
        `Content-Type: application/json\r\nContent-Length: ${body.length}\r\nExpect: 100-continue\r\n`,
      ),
    );
    await until('100 Continue', () => busy.raw().startsWith('HTTP/1.1 100 Continue'));
    busy.write(body.slice(0, half));

    const closing = w.app.close();
    await until('the drain to begin', () => !w.app.server.listening);

    // On the idle connection: refused, not dropped, and told to go.
    idle.write(head('GET', '/vpcs'));
    const late = await idle.answer(2);
    assert.equal(late.status, 503, late.body);
    assert.equal(JSON.parse(late.body).error.code, 'VPCEP.0503');
    assert.equal(late.headers['retry-after'], '1');
    assert.equal(late.headers.connection?.toLowerCase(), 'close');
    await idle.closed();

    // The call in flight: answered in full, and told to go.
    busy.write(body.slice(half));
    const answered = await busy.answer(1);
    assert.equal(answered.status, 200, answered.body);
    assert.equal(JSON.parse(answered.body).vpc.name, 'drained');
    assert.equal(answered.headers.connection?.toLowerCase(), 'close');
    await busy.closed();
    await closing;
  } finally {
    await w.close();
  }
});
