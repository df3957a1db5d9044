import http from 'node:http';
import type { Socket } from 'node:net';
import { ApiError } from '../domain/errors.ts';
import { errorBody, JSON_TYPE } from './error-handler.ts';

/**
 * The HTTP server under the app. A process binds it before anything else (design.md, "Start-up
 * contract": nothing is written before the port is ours) and plugs the app in once the app is
 * ready; until then every request is answered 503 VPCEP.0503 with Retry-After, never left hanging.
 */
export interface Listener {
  readonly server: http.Server;
  /** From now on requests go to `handler`. */
  serve(handler: http.RequestListener): void;
  /** The open connections, from the first: a shutdown reaches the answers in flight on them. */
  readonly connections: ReadonlySet<Socket>;
}

export function createListener(newRequestId: () => string): Listener {
  let target: http.RequestListener | undefined;
  const server = http.createServer((req, res) => {
    if (target) return target(req, res);
    const id = newRequestId();
    const e = new ApiError('VPCEP.0503', 'The server is starting.');
    res.writeHead(e.status, { 'Content-Type': JSON_TYPE, 'Retry-After': '1', 'X-Request-Id': id });
    res.end(JSON.stringify(errorBody(e, e.family, id)));
  });
  // The timeouts Fastify gives a server of its own making, which this one replaces: idle keep-alive
  // connections live 72 s (Node's own 5 s closes connections clients are about to reuse), and no
  // overall request timeout (the pipeline bounds how long a body may take).
  server.keepAliveTimeout = 72_000;
  server.requestTimeout = 0;
  const connections = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    connections.add(socket);
    socket.once('close', () => connections.delete(socket));
  });
  return {
    server,
    connections,
    serve(handler) {
      target = handler;
    },
  };
}

/** Why a listener could not be bound, in words for the person who started the server. */
export class ListenError extends Error {}

/** `which`: the flag and variable that choose the port, named when it is taken. */
export function listen(
  server: http.Server,
  host: string,
  port: number,
  which = '--port or VPCEP_PORT',
): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
      const why: Record<string, string> = {
        EADDRINUSE: `port ${port} is in use (another process listens on ${where}); choose another with ${which}`,
        EACCES: `cannot listen on ${where}: permission denied (ports below 1024 need privileges)`,
        EADDRNOTAVAIL: `cannot listen on ${where}: the address is not one of this machine's`,
      };
      reject(new ListenError(why[e.code ?? ''] ?? `cannot listen on ${where}: ${e.message}`));
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ host, port });
  });
}
