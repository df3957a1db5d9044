import type { FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
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

/**
 * One line per completed request (Fastify's own two are off): its id, its operation's name in the
 * published API (`op`: `UpdateEndpointRoutetable`, …), method and URL, the caller (user, and the AK
 * when signed), project, status, duration in ms, and for a refusal its code and the reason the
 * client is not told. Every other line a routed request logs carries `op` too.
 */
export function installRequestLog(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    const op = request.routeOptions.config.operationId;
    if (op === undefined) return;
    const child = request.log.child({ op });
    request.log = child;
    reply.log = child;
  });
  app.addHook('onResponse', async (request, reply) => {
    const caller = request.caller;
    request.log.info(
      {
        method: request.method,
        url: request.url,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
        ...(caller ? { project: caller.project_id, user: caller.user_name, domain: caller.domain_name } : {}),
        ...(request.accessKey !== undefined ? { access: request.accessKey } : {}),
        ...request.outcome,
      },
      'request completed',
    );
  });
}
