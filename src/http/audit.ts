import type { FastifyInstance, onSendHookHandler } from 'fastify';
import type { AuditTrail } from '../service/audit-trail.ts';

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Whether a call of this route may change state: any method but a read's, unless its IAM action is
 * a read (a query sent as POST, such as ListResourceInstances, is `…:list`).
 */
export function changesState(method: string, action: string | undefined): boolean {
  return !READS.has(method) && !/:(get|list)[A-Za-z]*$/.test(action ?? '');
}

/**
 * What a call was about, from its route: the last path parameter names the resource (its value the
 * id, the segment before it the type, made singular: `/vpc-endpoints/:id/routetables` is a
 * `vpc-endpoint`); a path without one is a create of its last segment's type, not known yet.
 */
export function resourceOf(url: string, params: unknown): { type: string; id: string } {
  const segments = url.split('/').filter(Boolean);
  const values = (params ?? {}) as Record<string, string | undefined>;
  const singular = (s: string | undefined) => (s ?? '').replace(/s$/, '');
  for (let i = segments.length - 1; i > 0; i--) {
    const s = segments[i]!;
    if (s.startsWith(':') && s !== ':project_id') {
      return { type: singular(segments[i - 1]), id: values[s.slice(1)] ?? '' };
    }
  }
  return { type: singular(segments.filter((s) => !s.startsWith(':') && s !== 'action').at(-1)), id: '' };
}

/**
 * Every state-changing call a known caller makes and the API refuses with a 4xx gets one audit event,
 * written before the answer leaves, so a client that reads the trail after an error finds it. A
 * call without a proven caller (401) has no project to record it in; its log line has it. 5xx
 * answers are the server's, often the store's, and are in the log only.
 *
 * The hook goes only on the routes it can apply to: a tenant's (only they have a caller) whose
 * method and action may change state. Reads never run it.
 */
export function installFailureAudit(app: FastifyInstance, trail: AuditTrail): void {
  const hook: onSendHookHandler = function (request, reply, payload, done) {
    const caller = request.caller;
    const status = reply.statusCode;
    const { action } = request.routeOptions.config;
    if (caller === undefined || !changesState(request.method, action) || status < 400 || status >= 500) {
      return done(null, payload);
    }
    trail
      .recordFailure(caller, {
        status,
        code: request.outcome?.code ?? '',
        resource: resourceOf(request.routeOptions.url ?? '', request.params),
      })
      .catch((err: unknown) => {
        request.log.warn({ err }, 'the audit event of a failed call could not be written');
      })
      .then(() => done(null, payload));
  };
  app.addHook('onRoute', (route) => {
    const action = route.config?.action;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (route.config?.auth !== true || !methods.some((m) => changesState(m, action))) return;
    route.onSend = [...(route.onSend === undefined ? [] : [route.onSend].flat()), hook];
  });
}
