import type http from 'node:http';
import net from 'node:net';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { Ajv, type Options as AjvOptions } from 'ajv';
import pino, { type Logger } from 'pino';
import type { Config } from './config.ts';
import { ApiError } from './domain/errors.ts';
import { randomIds, systemClock, type Clock, type Ids } from './domain/ids.ts';
import { frameworkError, installErrorHandler, JSON_TYPE } from './http/error-handler.ts';
import { installPipeline } from './http/pipeline.ts';
import { applyProtocolLimits, clientErrorHandler } from './http/protocol-edge.ts';
import { requestSchemas, type RouteDef } from './http/route.ts';
import { endpointServiceRoutes } from './http/routes/endpoint-services.ts';
import { endpointRoutes } from './http/routes/endpoints.ts';
import { faultRoutes } from './http/routes/faults.ts';
import { healthRoutes } from './http/routes/health.ts';
import { iamRoutes } from './http/routes/iam.ts';
import { metaRoutes } from './http/routes/meta.ts';
import { notImplementedRoutes } from './http/routes/not-implemented.ts';
import { vpcRoutes } from './http/routes/vpc.ts';
import { AccessKeys } from './service/access-keys.ts';
import type { Deps } from './service/context.ts';
import { EndpointServices } from './service/endpoint-services.ts';
import { Endpoints } from './service/endpoints.ts';
import { RouteFaults } from './service/faults.ts';
import { Identity } from './service/identity.ts';
import { Network } from './service/network.ts';
import { RouteTables } from './service/route-tables.ts';
import type { Store } from './store/store.ts';

export interface AppOptions {
  config: Readonly<Config>;
  store: Store;
  clock?: Clock;
  ids?: Ids;
  /** A pino logger; default: one at config.logLevel writing to stdout. */
  logger?: Logger;
}

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

// Explicit Ajv options (design.md): bodies and paths are never coerced, so `"80"` is not 80 and a
// wrong type reaches the client as the API's error code. Query strings are text on the wire, so
// only they convert ("10" → 10) — and a value that does not convert still fails.
const AJV_BASE: AjvOptions = {
  allErrors: false,
  // Only where a schema says `additionalProperties: false`, which route.ts requestSchemas() says
  // for every request object: unknown fields are dropped, never stored.
  removeAdditional: true,
  useDefaults: true,
  verbose: true,
  strict: false,
};
const strictAjv = new Ajv({ ...AJV_BASE, coerceTypes: false });
const queryAjv = new Ajv({ ...AJV_BASE, coerceTypes: true });

/** Every route of the API, as data. */
export function allRoutes(deps: Deps, identity: Identity, draining: () => boolean): RouteDef[] {
  return [
    ...metaRoutes(),
    ...healthRoutes(deps.store, draining),
    ...iamRoutes(identity, new AccessKeys(deps)),
    ...vpcRoutes(new Network(deps), new RouteTables(deps)),
    ...endpointServiceRoutes(new EndpointServices(deps)),
    ...endpointRoutes(new Endpoints(deps)),
    ...faultRoutes(new RouteFaults(deps)),
    ...notImplementedRoutes(),
  ];
}

const METHODS = ['DELETE', 'GET', 'PATCH', 'POST', 'PUT', 'OPTIONS'] as const;

/** How long a shutdown waits for open connections before cutting them. */
const DRAIN_LIMIT_MS = 20_000;

/**
 * Stops accepting at once (new connections are refused), then waits for the open connections to
 * end: what they carry is answered (503, `Connection: close`) and the calls in flight finish.
 * Connections left idle are closed, but only after a moment: Node's own `close()` drops idle
 * keep-alive connections immediately, including those whose next request is already on its way,
 * which the client would see as a reset instead of an answer.
 */
async function drainConnections(server: http.Server): Promise<void> {
  if (!server.listening) return;
  // net.Server's close: stop listening without http.Server's immediate sweep of idle connections.
  // Fastify's own close() afterwards finds the listener closed and goes on.
  const ended = new Promise<true>((resolve) => net.Server.prototype.close.call(server, () => resolve(true)));
  const deadline = Date.now() + DRAIN_LIMIT_MS;
  for (;;) {
    const done = await Promise.race([ended, new Promise<false>((r) => setTimeout(() => r(false), 100))]);
    if (done) return;
    if (Date.now() > deadline) {
      server.closeAllConnections();
      await ended;
      return;
    }
    server.closeIdleConnections();
  }
}

/** Wires plugins and routes; never listens, so tests can `inject` (design.md, "app.ts"). */
export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const { config, store } = opts;
  const log = opts.logger ?? createLogger(config.logLevel);
  const deps: Deps = { config, store, clock: opts.clock ?? systemClock, ids: opts.ids ?? randomIds, log };
  const identity = new Identity(deps);
  await identity.init();

  const fastifyOptions: FastifyServerOptions = {
    loggerInstance: log,
    bodyLimit: config.bodyLimit,
    genReqId: () => deps.ids.hex(16),
    requestIdHeader: false,
    // Draining is answered below in the API's own envelope.
    return503OnClosing: false,
    routerOptions: { ignoreTrailingSlash: false, maxParamLength: 512 },
    frameworkErrors: frameworkError,
    // What Node refuses before any route sees it is answered in the API's envelope too.
    clientErrorHandler: clientErrorHandler(deps.ids, log),
  };
  const app = Fastify(fastifyOptions) as unknown as FastifyInstance;
  applyProtocolLimits(app.server, config);

  // The SDKs send a `{}` body on some GETs and sign its hash (signing.md): GET bodies must reach
  // the signature check as bytes, so GET is a method with a body here.
  app.addHttpMethod('GET', { hasBody: true, overrideExisting: true });
  app.setValidatorCompiler(({ schema, httpPart }) =>
    (httpPart === 'querystring' ? queryAjv : strictAjv).compile(schema as object),
  );
  installErrorHandler(app);

  // On close (SIGTERM) the server stops accepting, answers what arrives on open connections with
  // 503 VPCEP.0503, and lets the calls in flight finish. Every answer from then on closes its
  // connection, so no client sends another request on a connection about to go away.
  let draining = false;
  app.addHook('preClose', async () => {
    draining = true;
    await drainConnections(app.server);
  });
  app.addHook('onSend', async (_request, reply) => {
    if (draining) reply.header('Connection', 'close');
  });
  // A call that arrives while draining is refused — once its body has arrived, before
  // authentication: answering while the client is still sending would close the connection on
  // unread bytes, and the client would see a reset instead of the 503. Calls that arrived earlier
  // are in flight and finish.
  const lateArrivals = new WeakSet<object>();
  app.addHook('onRequest', async (request) => {
    if (draining) lateArrivals.add(request);
  });
  app.addHook('preValidation', async (request) => {
    if (lateArrivals.has(request)) {
      throw new ApiError('VPCEP.0503', 'The server is shutting down.', {
        headers: { 'Retry-After': '1', Connection: 'close' },
      });
    }
  });

  installPipeline(app, identity, config.bodyTimeoutMs);

  const routes = allRoutes(deps, identity, () => draining);
  const methodsByUrl = new Map<string, Set<string>>();
  const apiByUrl = new Map<string, RouteDef['api']>();
  for (const def of routes) {
    methodsByUrl.set(def.url, (methodsByUrl.get(def.url) ?? new Set()).add(def.method));
    apiByUrl.set(def.url, def.api);
    app.route({
      method: def.method,
      url: def.url,
      schema: requestSchemas(def.schema),
      config: { api: def.api, auth: def.auth },
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

  // A known path with a wrong method answers 405 with `Allow` (routetables.md, check 1).
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
  return app;
}
