import net from 'node:net';

/** One HTTP/1.1 response as read off a socket. */
export interface RawResponse {
  status: number;
  /** Header names in lower case; the last value wins. */
  headers: Record<string, string>;
  body: string;
}

export interface Exchange {
  responses: RawResponse[];
  /** Whether the server closed the connection before `waitMs`. */
  closed: boolean;
  /** A socket error the client saw (ECONNRESET...), if any. */
  error: string | undefined;
  /** Bytes the client could not parse as responses (none when all is well). */
  rest: string;
  ms: number;
}

/** Splits what a server sent into responses (Content-Length framed, as this server answers). */
export function parseResponses(raw: Buffer): { responses: RawResponse[]; rest: string } {
  const responses: RawResponse[] = [];
  let at = 0;
  for (;;) {
    const end = raw.indexOf('\r\n\r\n', at);
    if (end < 0) break;
    const [statusLine = '', ...lines] = raw.subarray(at, end).toString('latin1').split('\r\n');
    const m = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
    if (!m) break;
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const length = Number(headers['content-length'] ?? 0);
    if (raw.length < end + 4 + length) break;
    responses.push({
      status: Number(m[1]),
      headers,
      body: raw.subarray(end + 4, end + 4 + length).toString('utf8'),
    });
    at = end + 4 + length;
  }
  return { responses, rest: raw.subarray(at).toString('latin1') };
}

/**
 * Writes `chunks` to a new connection (waiting `gapMs` between them) and reads until the server
 * closes it or `waitMs` passes.
 */
export function exchange(
  port: number,
  chunks: (string | Buffer)[],
  opts: { gapMs?: number; waitMs?: number } = {},
): Promise<Exchange> {
  const started = Date.now();
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    let error: string | undefined;
    let closed = false;
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      const { responses, rest } = parseResponses(Buffer.concat(received));
      resolve({ responses, closed, error, rest, ms: Date.now() - started });
    };
    const timer = setTimeout(finish, opts.waitMs ?? 3000);
    socket.on('data', (d) => received.push(d));
    socket.on('error', (e: NodeJS.ErrnoException) => (error = e.code ?? e.message));
    socket.on('close', () => {
      closed = true;
      finish();
    });
    socket.on('connect', async () => {
      for (const chunk of chunks) {
        if (socket.destroyed) return;
        socket.write(chunk);
        if (opts.gapMs) await new Promise((r) => setTimeout(r, opts.gapMs));
      }
    });
  });
}
