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
 * Every line a request logs once routed carries its operation's name in the published API
 * (`op`: `UpdateEndpointRoutetable`, …), so a log reads by operation, not by URL pattern.
 */
export function labelRequestLogs(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    const op = request.routeOptions.config.operationId;
    if (op === undefined) return;
    const child = request.log.child({ op });
    request.log = child;
    reply.log = child;
  });
}
