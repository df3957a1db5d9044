import type { IncomingMessage } from 'node:http';
import {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
} from 'fastify';
import pino, { type Bindings, type ChildLoggerOptions, type Level, type Logger } from 'pino';
import type { LogFormat } from '../config.ts';
import { prettySink, type LineSink } from './pretty-log.ts';

/** Headers that carry secrets; never logged (design.md, "Secrets"). */
export const REDACTED_HEADERS = ['authorization', 'x-auth-token', 'x-subject-token', 'x-security-token'];

/**
 * The process's logger: JSON lines, or readable ones (`pretty`, pretty-log.ts) for a terminal, on
 * standard output unless `destination` says otherwise. Redaction runs before either format.
 */
export function createLogger(level: string, format: LogFormat = 'json', destination?: LineSink): Logger {
  const options = {
    level,
    redact: {
      paths: REDACTED_HEADERS.flatMap((h) => [`req.headers["${h}"]`, `res.headers["${h}"]`]),
      censor: '[redacted]',
    },
  };
  if (format === 'pretty') return pino(options, prettySink(destination ?? process.stdout));
  return destination ? pino(options, destination) : pino(options);
}

type LogArgs = [obj: unknown, msg?: string, ...args: unknown[]];

/**
 * `request.log`: the request's child logger (its `reqId` and `op` on every line), made the first
 * time something is logged through it. Most requests log nothing but their completion line, which
 * RequestLogController writes through the parent with the same fields, so they never pay for a
 * child (pino's `child` renders its bindings into a string at once).
 */
class RequestLog implements FastifyBaseLogger {
  #child: Logger | undefined;

  constructor(
    readonly parent: Logger,
    readonly reqId: string,
    readonly op: string | undefined,
  ) {}

  #logger(): Logger {
    this.#child ??= this.parent.child(
      this.op === undefined ? { reqId: this.reqId } : { reqId: this.reqId, op: this.op },
    );
    return this.#child;
  }

  #write(level: Level, args: LogArgs): void {
    // A level that is off writes nothing, and needs no child to write it.
    if (this.#child === undefined && !this.parent.isLevelEnabled(level)) return;
    (this.#logger()[level] as (...a: LogArgs) => void)(...args);
  }

  get level(): string {
    return this.#child?.level ?? this.parent.level;
  }

  set level(level: string) {
    this.#logger().level = level;
  }

  /** The request's completion line: through the child if there is one, else with its fields. */
  completed(request: FastifyRequest, reply: FastifyReply): void {
    if (this.#child) {
      this.#child.info(requestLine({}, request, reply), 'request completed');
      return;
    }
    const head = this.op === undefined ? { reqId: this.reqId } : { reqId: this.reqId, op: this.op };
    this.parent.info(requestLine(head, request, reply), 'request completed');
  }

  fatal(...args: LogArgs): void {
    this.#write('fatal', args);
  }
  error(...args: LogArgs): void {
    this.#write('error', args);
  }
  warn(...args: LogArgs): void {
    this.#write('warn', args);
  }
  info(...args: LogArgs): void {
    this.#write('info', args);
  }
  debug(...args: LogArgs): void {
    this.#write('debug', args);
  }
  trace(...args: LogArgs): void {
    this.#write('trace', args);
  }
  silent(): void {}

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.#logger().child(bindings, options);
  }
}

/** Fastify's factory of request loggers (its `childLoggerFactory`), labelling lines with `op`. */
function requestLoggers(op: string | undefined) {
  return (
    parent: FastifyBaseLogger,
    bindings: Bindings,
    options: ChildLoggerOptions,
    _raw: IncomingMessage,
  ) => {
    const log = parent as Logger;
    // A route with a log level or serializers of its own (none here) gets its child at once.
    if (Object.keys(options).length > 0) {
      return log.child(op === undefined ? bindings : { ...bindings, op }, options);
    }
    return new RequestLog(log, String(bindings.reqId), op);
  };
}

/**
 * One line per completed request (Fastify's own lines are off): its id, its operation's name in the
 * published API (`op`: `UpdateEndpointRoutetable`, …), method and URL, the caller (user, and the AK
 * when signed), project, status, duration in ms, and for a refusal its code and the reason the
 * client is not told. Written when the answer has been sent, after the onResponse hooks, without a
 * hook of its own.
 */
class RequestLogController extends LogController {
  constructor() {
    super({ disableRequestLogging: true });
  }

  override requestCompleted(_error: unknown, request: FastifyRequest, reply: FastifyReply): void {
    const log = request.log;
    if (log instanceof RequestLog) log.completed(request, reply);
    else log.info(requestLine({}, request, reply), 'request completed');
  }
}

/** The fields of a request's completion line, after `line`'s own (http/logging.ts's order). */
function requestLine(line: Record<string, unknown>, request: FastifyRequest, reply: FastifyReply) {
  line.method = request.method;
  line.url = request.url;
  line.status = reply.statusCode;
  line.ms = Math.round(reply.elapsedTime * 10) / 10;
  const caller = request.caller;
  if (caller) {
    line.project = caller.project_id;
    line.user = caller.user_name;
    line.domain = caller.domain_name;
  }
  if (request.accessKey !== undefined) line.access = request.accessKey;
  const outcome = request.outcome;
  if (outcome) {
    line.code = outcome.code;
    if (outcome.reason !== undefined) line.reason = outcome.reason;
  }
  return line;
}

/** Fastify's options for the request log: its one line per request, and `request.log`. */
export function requestLogOptions(): Pick<FastifyServerOptions, 'logController' | 'childLoggerFactory'> {
  return { logController: new RequestLogController(), childLoggerFactory: requestLoggers(undefined) };
}

/**
 * Every line a routed request logs carries its route's `op` (with requestLogOptions): its
 * `request.log` is made by a factory of the route's own.
 */
export function installRequestLog(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    const op = route.config?.operationId;
    if (op !== undefined) route.childLoggerFactory = requestLoggers(op);
  });
}
