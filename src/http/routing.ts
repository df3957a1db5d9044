import type { FastifyInstance } from 'fastify';
import { ApiError } from '../domain/errors.ts';
import { actionOf } from './authorize.ts';
import { JSON_TYPE } from './error-handler.ts';
import { requestSchemas, type RouteDef } from './route.ts';
import { keptItemsSerializer } from './schema-compilers.ts';
import type { TObject } from 'typebox';

const METHODS = ['DELETE', 'GET', 'PATCH', 'POST', 'PUT', 'OPTIONS'] as const;

/**
 * Registers every route from its definition: the handler maps the validated request to a service
 * call and sends what it returns with the route's success status. A known path with a wrong
 * method answers 405 with `Allow` (routetables.md, check 1).
 */
export function registerRoutes(app: FastifyInstance, routes: RouteDef[]): void {
  // By shape, not by URL: two routes on one path may name its parameters differently (a served
  // route beside the 501 of another method, routes/not-implemented.ts), and the router takes them
  // as one path, which must get its 405s once.
  const byShape = new Map<string, { url: string; api: RouteDef['api']; methods: Set<string> }>();
  for (const def of routes) {
    const shape = def.url.replace(/:[a-z_]+/g, ':');
    const path = byShape.get(shape) ?? { url: def.url, api: def.api, methods: new Set<string>() };
    byShape.set(shape, path);
    path.methods.add(def.method);
    const kept =
      def.keptItems === undefined
        ? undefined
        : keptItemsSerializer(def.schema.response![def.status ?? 200] as TObject, def.keptItems);
    app.route({
      method: def.method,
      url: def.url,
      schema: requestSchemas(def.schema),
      config: {
        api: def.api,
        auth: def.auth,
        operationId: def.operationId,
        action: actionOf(def),
        status: def.status ?? 200,
        produces: def.produces,
      },
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
        // Bytes go out as they are, with the type set here (Fastify serializes objects only).
        return reply.type(def.produces ?? JSON_TYPE).send(kept ? kept(result) : result);
      },
    });
  }

  for (const { url, api, methods } of byShape.values()) {
    const allowed = [...methods, ...(methods.has('GET') ? ['HEAD'] : [])].sort().join(', ');
    const others = METHODS.filter((m) => !methods.has(m));
    app.route({
      method: others,
      url,
      config: { api, auth: false },
      handler: async () => {
        throw new ApiError('VPCEP.0405', `Allowed: ${allowed}.`, { headers: { Allow: allowed } });
      },
    });
  }
}
