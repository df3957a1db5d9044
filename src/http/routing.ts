import type { FastifyInstance } from 'fastify';
import { ApiError } from '../domain/errors.ts';
import { actionOf } from './authorize.ts';
import { JSON_TYPE } from './error-handler.ts';
import { requestSchemas, type RouteDef } from './route.ts';

const METHODS = ['DELETE', 'GET', 'PATCH', 'POST', 'PUT', 'OPTIONS'] as const;

/**
 * Registers every route from its definition: the handler maps the validated request to a service
 * call and sends what it returns with the route's success status. A known path with a wrong
 * method answers 405 with `Allow` (routetables.md, check 1).
 */
export function registerRoutes(app: FastifyInstance, routes: RouteDef[]): void {
  const methodsByUrl = new Map<string, Set<string>>();
  const apiByUrl = new Map<string, RouteDef['api']>();
  for (const def of routes) {
    methodsByUrl.set(def.url, (methodsByUrl.get(def.url) ?? new Set()).add(def.method));
    apiByUrl.set(def.url, def.api);
    app.route({
      method: def.method,
      url: def.url,
      schema: requestSchemas(def.schema),
      config: { api: def.api, auth: def.auth, operationId: def.operationId, action: actionOf(def) },
      handler: async (request, reply) => {
        const result = await def.handler({
          params: request.params,
          query: request.query,
          body: request.body,
          caller: request.caller,
          request,
          reply,
        } as never);
        reply.code(def.status ?? 200);
        if (result === undefined) return reply.send();
        return reply.type(JSON_TYPE).send(result);
      },
    });
  }

  for (const [url, methods] of methodsByUrl) {
    const allowed = [...methods, ...(methods.has('GET') ? ['HEAD'] : [])].sort().join(', ');
    const others = METHODS.filter((m) => !methods.has(m));
    app.route({
      method: others,
      url,
      config: { api: apiByUrl.get(url) ?? 'endpoint', auth: false },
      handler: async () => {
        throw new ApiError('VPCEP.0405', `Allowed: ${allowed}.`, { headers: { Allow: allowed } });
      },
    });
  }
}
