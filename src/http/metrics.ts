import type http from 'node:http';
import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { RebindPlan } from '../domain/bindings.ts';
import { ENDPOINT_STATUSES, SERVICE_TYPES, statusAt } from '../domain/endpoint-status.ts';
import type { Clock } from '../domain/ids.ts';
import type { ServiceMetrics } from '../service/context.ts';
import type { Store, StoreObserver } from '../store/store.ts';

/** The label of a request no route matched (an unknown path, or a known one's other methods). */
export const UNKNOWN_OPERATION = 'unknown';

/** The operationId of `GET /metrics` itself, in its request's log line and histogram series. */
export const METRICS_OPERATION = 'GetMetrics';

/**
 * Prometheus metrics of one server (README, "Metrics"): a registry of its own, so several servers in
 * one process (tests) never count into each other. Made only when metrics are on; while they are
 * off nothing of this module is loaded and nothing is timed.
 */
export class Metrics implements ServiceMetrics, StoreObserver {
  readonly registry = new Registry();
  readonly #requests: Histogram<'operationId' | 'method' | 'status'>;
  readonly #bindings: Counter<'operation' | 'outcome' | 'code'>;
  readonly #transactions: Histogram<'kind' | 'outcome'>;
  readonly #lockWaits: Counter;
  readonly #lockTimeouts: Counter;

  constructor(store: Store, clock: Clock, server: http.Server) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.#requests = new Histogram({
      name: 'vpcep_http_request_duration_seconds',
      help: 'Time from a request arriving to its answer sent, by operationId (the route, never the raw URL), method and status.',
      labelNames: ['operationId', 'method', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.#bindings = new Counter({
      name: 'vpcep_routetable_bindings_total',
      help: 'Route tables bound and unbound by UpdateEndpointRoutetable calls that committed, by outcome and, for failures, error code.',
      labelNames: ['operation', 'outcome', 'code'],
      registers,
    });
    this.#transactions = new Histogram({
      name: 'vpcep_store_transaction_duration_seconds',
      help: 'Time a store transaction took, its wait for a turn and its commit included, by kind (read or write) and outcome.',
      labelNames: ['kind', 'outcome'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers,
    });
    this.#lockWaits = new Counter({
      name: 'vpcep_store_lock_waits_total',
      help: 'Writes that could not have their lock at once and waited for another call (PostgreSQL: a row lock; SQLite: the one writer connection).',
      registers,
    });
    this.#lockTimeouts = new Counter({
      name: 'vpcep_store_lock_timeouts_total',
      help: 'Writes that gave up after the lock timeout (answered 409 VPCEP.0409).',
      registers,
    });
    const endpoints: Gauge<'status' | 'service_type'> = new Gauge({
      name: 'vpcep_endpoints',
      help: 'Endpoints by status and service type, counted at scrape time in one aggregate query.',
      labelNames: ['status', 'service_type'],
      registers,
      collect: async () => {
        endpoints.reset();
        const now = clock.now();
        let groups;
        try {
          groups = await store.read((r) => r.endpoints.statusGroups(now));
        } catch {
          // A store that does not answer leaves the series out; the scrape still answers.
          return;
        }
        for (const status of ENDPOINT_STATUSES) {
          for (const service_type of SERVICE_TYPES) endpoints.set({ status, service_type }, 0);
        }
        for (const g of groups) {
          const status = statusAt(g, g.approval_enabled === 1, now);
          endpoints.inc({ status, service_type: g.service_type }, g.n);
        }
      },
    });
    const connections: Gauge = new Gauge({
      name: 'vpcep_http_connections',
      help: 'Open connections to the API port.',
      registers,
      collect: async () => {
        connections.set(await new Promise<number>((r) => server.getConnections((e, n) => r(e ? 0 : n))));
      },
    });
  }

  /** Counts every answer of `app` in the request histogram; with `route`, serves GET /metrics on it. */
  install(app: FastifyInstance, route: boolean): void {
    app.addHook('onResponse', (request, reply, done) => {
      this.#requests.observe(
        {
          operationId: request.routeOptions.config.operationId ?? UNKNOWN_OPERATION,
          method: request.method,
          status: reply.statusCode,
        },
        reply.elapsedTime / 1000,
      );
      done();
    });
    if (!route) return;
    app.route({
      method: 'GET',
      url: '/metrics',
      // Not an operation of the tenant API, nor in its OpenAPI document: no credential; it answers
      // text, which `Accept` must admit (Prometheus and curl send `*/*`).
      config: {
        api: 'meta',
        auth: false,
        operationId: METRICS_OPERATION,
        produces: this.registry.contentType,
      },
      handler: async (_request, reply) => reply.type(this.registry.contentType).send(await this.text()),
    });
  }

  /** GET /metrics on a port of its own (`--metrics-port`): nothing else is served there. */
  handler(): http.RequestListener {
    return (req, res) => {
      if (new URL(req.url ?? '/', 'http://x').pathname !== '/metrics') {
        res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found: GET /metrics\n');
        return;
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { Allow: 'GET, HEAD' }).end();
        return;
      }
      this.text().then(
        (text) => {
          res.writeHead(200, { 'Content-Type': this.registry.contentType });
          res.end(req.method === 'HEAD' ? undefined : text);
        },
        () => res.writeHead(500).end(),
      );
    };
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  rebound(plan: RebindPlan): void {
    if (plan.bind.length > 0) this.#bindings.inc({ operation: 'bind', outcome: 'ok' }, plan.bind.length);
    if (plan.unbind.length > 0)
      this.#bindings.inc({ operation: 'unbind', outcome: 'ok' }, plan.unbind.length);
    for (const f of plan.bindFailed)
      this.#bindings.inc({ operation: 'bind', outcome: 'failed', code: f.error.code });
    for (const f of plan.unbindFailed) {
      this.#bindings.inc({ operation: 'unbind', outcome: 'failed', code: f.error.code });
    }
  }

  transaction(kind: 'read' | 'write', seconds: number, ok: boolean): void {
    this.#transactions.observe({ kind, outcome: ok ? 'ok' : 'failed' }, seconds);
  }

  lockWait(): void {
    this.#lockWaits.inc();
  }

  lockTimeout(): void {
    this.#lockTimeouts.inc();
  }
}
