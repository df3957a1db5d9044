import type { FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';

/** Headers that carry secrets; never logged (design.md, "Secrets"). */
export const REDACTED_HEADERS = ['authorization', 'x-auth-token', 'x-subject-token', 'x-security-token'];

export function createLogger(level: string): Logger {
  return pino({
    level,
    redact: {
      paths: REDACTED_HEADERS.flatMap((h) => [`req.headers["${h}"]`, `res.headers["${h}"]`]),
      censor: '[redacted]',
    },
  });
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
