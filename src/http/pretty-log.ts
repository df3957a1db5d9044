/** Where log lines go: anything with pino's `write(line)`. */
export interface LineSink {
  write(line: string): void;
}

const LEVELS: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};

/** Fields every line has, or that a reader at a terminal does not need. */
const SHOWN_APART = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'err']);
/** What a request line shows in front, in this order (http/logging.ts writes them). */
const REQUEST_FRONT = ['status', 'method', 'url', 'ms', 'op'];

function text(v: unknown): string {
  if (typeof v === 'string') return /[\s"=]/.test(v) || v === '' ? JSON.stringify(v) : v;
  return JSON.stringify(v) ?? String(v);
}

/**
 * One pino JSON line as a line for a person at a terminal: time, level, the message, then the other
 * fields as `key=value`; an error's stack on the lines below. A request line starts with what it is
 * about: `200 PUT /v1/…/routetables 3.2ms UpdateEndpointRoutetable user=admin …`.
 */
export function prettyLine(json: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.endsWith('\n') ? json : `${json}\n`;
  }
  const time = typeof entry.time === 'number' ? new Date(entry.time).toISOString() : '';
  const level = (LEVELS[entry.level as number] ?? String(entry.level)).padEnd(5);
  const isRequest = entry.msg === 'request completed' && entry.status !== undefined;
  const front = isRequest
    ? [
        String(entry.status),
        String(entry.method),
        String(entry.url),
        `${String(entry.ms)}ms`,
        ...(entry.op === undefined ? [] : [String(entry.op)]),
      ]
    : [String(entry.msg ?? '')];
  const skip = isRequest ? new Set([...SHOWN_APART, ...REQUEST_FRONT]) : SHOWN_APART;
  const fields = Object.entries(entry)
    .filter(([k, v]) => !skip.has(k) && v !== undefined)
    .map(([k, v]) => `${k}=${text(v)}`);
  const err = entry.err as { type?: string; message?: string; stack?: string } | undefined;
  const errText = err
    ? `\n    ${(err.stack ?? `${err.type ?? 'Error'}: ${err.message ?? ''}`).split('\n').join('\n    ')}`
    : '';
  return `${[time, level, ...front, ...fields].join(' ')}${errText}\n`;
}

/** A pino destination that writes each line through `prettyLine`. */
export function prettySink(out: LineSink): LineSink {
  return {
    write(line: string) {
      out.write(prettyLine(line));
    },
  };
}
