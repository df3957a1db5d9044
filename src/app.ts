import type http from 'node:http';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import { registerConsole } from './console/plugin.ts';
import { randomIds, systemClock, type Clock, type Ids } from './domain/ids.ts';
import { installFailureAudit } from './http/audit.ts';
import { installDraining } from './http/draining.ts';
import { frameworkError, installErrorHandler } from './http/error-handler.ts';
import { createListener, type Listener } from './http/listener.ts';
import { createLogger, installRequestLog, requestLogOptions } from './http/logging.ts';
import { installPipeline } from './http/pipeline.ts';
import { applyProtocolLimits, clientErrorHandler } from './http/protocol-edge.ts';
import { installSchemaCompilers } from './http/schema-compilers.ts';
import type { RouteDef } from './http/route.ts';
import { registerRoutes } from './http/routing.ts';
import { accountRoutes } from './http/routes/accounts.ts';
import { auditRoutes } from './http/routes/audit.ts';
import { endpointServiceRoutes } from './http/routes/endpoint-services.ts';
import { endpointRoutes } from './http/routes/endpoints.ts';
import { faultRoutes } from './http/routes/faults.ts';
import { healthRoutes } from './http/routes/health.ts';
import { iamRoutes } from './http/routes/iam.ts';
import { metaRoutes } from './http/routes/meta.ts';
import { notImplementedRoutes } from './http/routes/not-implemented.ts';
import { tagRoutes } from './http/routes/tags.ts';
import { quotaRoutes } from './http/routes/quotas.ts';
import { referenceRoutes } from './http/routes/reference.ts';
import { vpcRoutes } from './http/routes/vpc.ts';
import { AccessKeys } from './service/access-keys.ts';
import { AuditTrail } from './service/audit-trail.ts';
import { Connections } from './service/connections.ts';
import { Accounts } from './service/accounts.ts';
import { Directory } from './service/directory.ts';
import type { Deps } from './service/context.ts';
import { EndpointServices } from './service/endpoint-services.ts';
import { Endpoints } from './service/endpoints.ts';
import { Faults } from './service/faults.ts';
import { Identity } from './service/identity.ts';
import { InterfaceServices } from './service/interface-services.ts';
import { Network } from './service/network.ts';
import { Ports } from './service/ports.ts';
import { Quotas } from './service/quotas.ts';
import { RouteTables } from './service/route-tables.ts';
import { ServicePermissions } from './service/service-permissions.ts';
import { Tags } from './service/tags.ts';
import type { Store } from './store/store.ts';

export { createLogger } from './http/logging.ts';

export interface AppOptions {
  config: Readonly<Config>;
  store: Store;
  clock?: Clock;
  ids?: Ids;
  /** A pino logger; default: one at config.logLevel writing to stdout. */
  logger?: Logger;
  /** An HTTP server bound already (src/server.ts binds before it bootstraps); default: a new one. */
  listener?: Listener;
  /**
   * With `config.metricsPort`: the server bound to that port, which answers GET /metrics once the
   * app is ready. Without it, metrics are counted but served nowhere (the caller binds no port).
   */
  metricsListener?: Listener;
}

/** Every route of the API, as data: those served, then the published operations not served. */
export function allRoutes(
  deps: Deps,
  identity: Identity,
  accounts: Accounts,
  draining: () => boolean,
): RouteDef[] {
  // One fault store for the routes that manage faults and the calls they fire in.
  const faults = new Faults(deps);
  const served = [
    ...metaRoutes(),
    ...healthRoutes(deps.store, draining),
    // The OpenAPI document and its page describe every route, themselves included.
    ...referenceRoutes((): RouteDef[] => routes),
    ...iamRoutes(identity, new AccessKeys(deps), new Directory(deps)),
    ...accountRoutes(accounts),
    ...vpcRoutes(new Network(deps), new RouteTables(deps), new Ports(deps)),
    ...endpointServiceRoutes(
      new EndpointServices(deps),
      new InterfaceServices(deps, faults),
      new ServicePermissions(deps),
      new Connections(deps),
    ),
    ...endpointRoutes(new Endpoints(deps, faults)),
    ...tagRoutes(new Tags(deps)),
    ...quotaRoutes(new Quotas(deps)),
    ...faultRoutes(faults),
    ...auditRoutes(new AuditTrail(deps)),
  ];
  // Every published operation no route above serves answers 501 (http/routes/not-implemented.ts).
  const routes: RouteDef[] = [...served, ...notImplementedRoutes(served)];
  return routes;
}

/** Wires plugins and routes; never listens, so tests can `inject` (design.md, "app.ts"). */
export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const { config, store } = opts;
  const log = opts.logger ?? createLogger(config.logLevel, config.logFormat);
  const clock = opts.clock ?? systemClock;
  const ids = opts.ids ?? randomIds;
  const listener = opts.listener ?? createListener(() => ids.hex(16));
  // Loaded only when on: a server without metrics neither loads prom-client nor times anything.
  const metrics = config.metrics
    ? new (await import('./http/metrics.ts')).Metrics(store, clock, listener.server)
    : undefined;
  const deps: Deps = { config, store, clock, ids, log, ...(metrics && { metrics }) };
  const identity = new Identity(deps);
  await identity.init();

  let handler: http.RequestListener | undefined;
  const fastifyOptions: FastifyServerOptions = {
    // The app runs on a server of its own making (http/listener.ts), which may be listening
    // already; requests reach the app once it is ready.
    serverFactory: (h) => {
      handler = h as http.RequestListener;
      return listener.server;
    },
    loggerInstance: log,
    bodyLimit: config.bodyLimit,
    genReqId: () => deps.ids.hex(16),
    // One line per request, written by http/logging.ts, instead of Fastify's two.
    ...requestLogOptions(),
    requestIdHeader: false,
    // Draining is answered in the API's own envelope (http/draining.ts).
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
  app.addHook('onReady', async () => {
    if (handler) listener.serve(handler);
  });
  installSchemaCompilers(app);
  installErrorHandler(app);

  const draining = installDraining(app, listener);
  installRequestLog(app);
  const accounts = new Accounts(deps);
  installPipeline(app, identity, accounts, config.bodyTimeoutMs, draining);
  installFailureAudit(app, new AuditTrail(deps));
  if (metrics) {
    metrics.install(app, config.metricsPort === undefined);
    store.observe(metrics);
    app.addHook('onClose', async () => store.observe(undefined));
    const own = opts.metricsListener;
    if (own) app.addHook('onReady', async () => own.serve(metrics.handler()));
  }

  const routes = allRoutes(deps, identity, accounts, draining.active);
  registerRoutes(app, routes);
  // The web console (spec/console.md): pages at /console that call the routes above in process.
  if (config.console) await registerConsole(app, { deps, identity, routes });
  return app;
}
