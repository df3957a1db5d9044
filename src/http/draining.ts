import type http from 'node:http';
import net, { type Socket } from 'node:net';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../domain/errors.ts';
import type { Listener } from './listener.ts';

/** How long a shutdown waits for open connections before cutting them. */
const DRAIN_LIMIT_MS = 20_000;

/**
 * How long a connection idle at the start of a shutdown stays open. A client may be writing its
 * next request on it at any moment, and closing under that request loses it; during this grace a
 * request that arrives is answered (503, `Connection: close`) instead. Only then are idle
 * connections closed, when a client has had a second to use them or drop them.
 */
const IDLE_GRACE_MS = 1_000;

/**
 * Stops accepting at once (new connections are refused), then waits for the open connections to
 * end: what they carry is answered (503, `Connection: close`) and the calls in flight finish.
 * Connections left idle are closed, but only after a grace (IDLE_GRACE_MS): Node's own `close()`
 * drops idle keep-alive connections immediately, including those whose next request is already
 * on its way, which the client would see as a reset instead of an answer.
 */
async function drainConnections(server: http.Server): Promise<void> {
  if (!server.listening) return;
  // net.Server's close: stop listening without http.Server's immediate sweep of idle connections.
  // Fastify's own close() afterwards finds the listener closed and goes on.
  const ended = new Promise<true>((resolve) => net.Server.prototype.close.call(server, () => resolve(true)));
  const started = Date.now();
  for (;;) {
    const done = await Promise.race([ended, new Promise<false>((r) => setTimeout(() => r(false), 100))]);
    if (done) return;
    if (Date.now() > started + DRAIN_LIMIT_MS) {
      server.closeAllConnections();
      await ended;
      return;
    }
    if (Date.now() > started + IDLE_GRACE_MS) server.closeIdleConnections();
  }
}

/** Marks a request that arrived once the server had begun to drain. */
const LATE = Symbol('vpcep.arrivedWhileDraining');
type Arrival = http.IncomingMessage & { [LATE]?: true };

/** The response a connection is answering now (Node keeps it there while it is being written). */
type WithResponse = Socket & { _httpMessage?: http.ServerResponse | null };

export interface Draining {
  /** Whether the app is draining (readiness answers 503 then). */
  active(): boolean;
  /**
   * A call that arrived while draining is refused (503 VPCEP.0503, `Connection: close`) — once its
   * body has arrived, before authentication: answering while the client is still sending would close
   * the connection on unread bytes, and the client would see a reset instead of the 503. Calls that
   * arrived earlier are in flight and finish. Run first in the pipeline's preValidation.
   */
  refuseLate(request: FastifyRequest): void;
}

/**
 * On close (SIGTERM) the server stops accepting, answers what arrives on open connections with
 * 503 VPCEP.0503, and lets the calls in flight finish. Every answer from then on closes its
 * connection, so no client sends another request on a connection about to go away.
 *
 * Nothing of it runs per request until then: when the drain starts, the answers in flight on the
 * open connections are told to close theirs, and a listener ahead of the app's marks every request
 * that arrives afterwards, whose answer closes its connection too.
 */
export function installDraining(app: FastifyInstance, listener: Listener): Draining {
  let draining = false;
  app.addHook('preClose', async () => {
    draining = true;
    for (const socket of listener.connections) {
      const answer = (socket as WithResponse)._httpMessage;
      if (answer && !answer.headersSent) answer.shouldKeepAlive = false;
    }
    app.server.prependListener('request', (req: Arrival, res: http.ServerResponse) => {
      req[LATE] = true;
      res.shouldKeepAlive = false;
    });
    await drainConnections(app.server);
  });
  return {
    active: () => draining,
    refuseLate(request) {
      if ((request.raw as Arrival)[LATE]) {
        throw new ApiError('VPCEP.0503', 'The server is shutting down.', {
          headers: { 'Retry-After': '1', Connection: 'close' },
        });
      }
    },
  };
}
