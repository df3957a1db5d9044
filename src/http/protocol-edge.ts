import { STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import { ApiError } from '../domain/errors.ts';
import type { Ids } from '../domain/ids.ts';
import { errorBody, JSON_TYPE } from './error-handler.ts';

/** How long a rejected connection may stay open after its answer, for the peer to read it. */
const LINGER_MS = 2_000;

/** The API error for what Node's HTTP parser or its timers refused. */
function errorFor(code: string | undefined): ApiError {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return new ApiError('APIGW.0201', undefined, { status: 431 });
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new ApiError('EndPoint.0013', 'The request headers did not arrive in time.', { status: 408 });
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return new ApiError('APIGW.0201');
    default:
      return new ApiError('APIGW.0201', 'The request is not well-formed HTTP.', { status: 400 });
  }
}

const BROKEN = Symbol('vpcep.brokenFraming');
type Broken = IncomingMessage & { [BROKEN]?: ApiError };

/** Why the body of this request can never arrive whole, when Node's parser gave up on it. */
export function brokenFraming(req: IncomingMessage): ApiError | undefined {
  return (req as Broken)[BROKEN];
}

/** The response in flight on a socket, if any (Node keeps it there while it is being written). */
type InFlight = ServerResponse & { req?: IncomingMessage };

/**
 * Node's `clientError` (malformed framing, CRLF in a header, a header block past the size limit,
 * headers that do not arrive in time): answered in the API's envelope with an `X-Request-Id`, like
 * every other answer, and with `Connection: close`, because the connection cannot carry another
 * request — a keep-alive client then opens a new one instead of writing into a dead socket.
 */
export function clientErrorHandler(ids: Ids, log: Logger) {
  const answered = new WeakSet<Socket>();
  return (err: NodeJS.ErrnoException, socket: Socket): void => {
    // A reset connection has nobody to answer; the parser may report one socket more than once.
    if (err.code === 'ECONNRESET' || err.code === 'EPIPE' || socket.destroyed || answered.has(socket)) return;
    answered.add(socket);
    const e = errorFor(err.code);
    const requestId = ids.hex(16);
    log.info({ reqId: requestId, code: err.code, status: e.status }, 'client error');

    let sent = false;
    const answer = () => {
      if (sent) return;
      sent = true;
      if (!socket.writable) {
        socket.destroy();
        return;
      }
      const body = JSON.stringify(errorBody(e, e.family, requestId));
      const head = [
        `HTTP/1.1 ${e.status} ${STATUS_CODES[e.status] ?? 'Error'}`,
        `Content-Type: ${JSON_TYPE}`,
        `Content-Length: ${Buffer.byteLength(body)}`,
        `X-Request-Id: ${requestId}`,
        `Date: ${new Date().toUTCString()}`,
        'Connection: close',
      ];
      // end(), not destroy(): the answer must reach the peer before the connection goes. What the
      // peer still sends is read and dropped meanwhile, so closing does not reset the connection
      // under the answer; a peer that never closes is cut off after a moment.
      socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
      socket.resume();
      setTimeout(() => socket.destroy(), LINGER_MS).unref();
    };
    const inFlight = (socket as unknown as { _httpMessage?: InFlight | null })._httpMessage;
    if (!inFlight || inFlight.writableFinished) return answer();
    const req = inFlight.req;
    if (req && !req.complete && !inFlight.headersSent) {
      // The broken framing is in the body of the request being answered (a bad chunk): its body
      // fails (now, or when the app starts reading it), and the app answers that request itself —
      // its id, its route's envelope — with `Connection: close`, after which Node closes.
      sent = true;
      const failure = new ApiError(e.code, 'The request body is not well-formed HTTP.', {
        status: e.status,
        headers: { Connection: 'close' },
      });
      (req as Broken)[BROKEN] = failure;
      // Whatever answers it (the app may answer before reading the body: a 406, a 401), the
      // answer says `Connection: close` and Node closes after it.
      inFlight.shouldKeepAlive = false;
      if (req.listenerCount('error') > 0) req.emit('error', failure);
      inFlight.once('close', () => setTimeout(() => socket.destroy(), LINGER_MS).unref());
      return;
    }
    // A pipelined request that fails while the one before it is still being answered: its error
    // goes out after that answer, not in the middle of it.
    inFlight.once('finish', answer);
    inFlight.once('close', answer);
  };
}

/**
 * The limits of the HTTP server under the app (README, "Hostile input and limits"), set on the
 * server itself so they hold whoever created it. Node reads them per connection, and checks the
 * headers timeout on a period (default 30 s, far past the timeout) that is read when it listens.
 */
export function applyProtocolLimits(
  server: Server,
  config: Pick<Config, 'maxHeaderBytes' | 'headersTimeoutMs' | 'keepAliveTimeoutMs'>,
): void {
  // Constructor options in @types/node, but plain properties of the server that Node reads later.
  const settable = server as Server & { maxHeaderSize?: number; connectionsCheckingInterval?: number };
  settable.maxHeaderSize = config.maxHeaderBytes;
  settable.connectionsCheckingInterval = Math.max(
    25,
    Math.min(1000, Math.floor(config.headersTimeoutMs / 4)),
  );
  server.headersTimeout = config.headersTimeoutMs;
  server.keepAliveTimeout = config.keepAliveTimeoutMs;
}
