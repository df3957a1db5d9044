import type http from 'node:http';
import type { FastifyInstance } from 'fastify';
import { buildApp, createLogger } from './app.ts';
import type { Config } from './config.ts';
import { randomIds, systemClock } from './domain/ids.ts';
import { createListener, listen, ListenError, type Listener } from './http/listener.ts';
import { applyProtocolLimits } from './http/protocol-edge.ts';
import { bootstrap, connectUrl } from './service/bootstrap.ts';
import { Sweeper } from './service/lifecycle.ts';
import { DataDirError } from './store/data-dir.ts';
import { DataDirBusyError, openStore, type Store } from './store/store.ts';

export interface RunningServer {
  app: FastifyInstance;
  store: Store;
  url: string;
  close(): Promise<void>;
}

/**
 * listen → store → bootstrap → app (design.md, "main.ts"). The port is bound first: a server that
 * cannot have its port stops before it has created, written or locked anything.
 */
export async function startServer(given: Readonly<Config>): Promise<RunningServer> {
  const log = createLogger(given.logLevel, given.logFormat);
  const listener = createListener(() => randomIds.hex(16));
  // Before listening: Node reads the headers-timeout check period when it starts to listen.
  applyProtocolLimits(listener.server, given);
  await listen(listener.server, given.host, given.port);
  // GET /metrics on a port of its own, bound as early: a taken port stops the start just the same.
  let metricsListener: Listener | undefined;
  if (given.metricsPort !== undefined) {
    metricsListener = createListener(() => randomIds.hex(16));
    try {
      await listen(
        metricsListener.server,
        given.host,
        given.metricsPort,
        '--metrics-port or VPCEP_METRICS_PORT',
      );
    } catch (e) {
      listener.server.close();
      throw e;
    }
  }
  // With --port 0 the system chose one; credentials.json and the log name the real one.
  const config = Object.freeze({
    ...given,
    port: boundPort(listener.server) ?? given.port,
    metricsPort: metricsListener ? boundPort(metricsListener.server) : undefined,
  });
  let store: Store | undefined;
  let sweeper: Sweeper | undefined;
  try {
    store = await openStore(config, (err) => log.warn({ err: err.message }, 'database connection lost'));
    const deps = { config, store, clock: systemClock, ids: randomIds, log };
    // Side by side: bootstrap's password hashing runs on the thread pool while the app is built.
    // Both settle before anything is closed, so neither is left running on a closed store.
    const [booted, built] = await Promise.allSettled([
      bootstrap(deps),
      buildApp({ config, store, logger: log, listener, metricsListener }),
    ]);
    if (booted.status === 'rejected' || built.status === 'rejected') {
      if (built.status === 'fulfilled') await built.value.close();
      throw booted.status === 'rejected' ? booted.reason : (built as PromiseRejectedResult).reason;
    }
    const [boot, app] = [booted.value, built.value];
    if (Object.keys(boot.generated).length > 0) {
      // Printed once, on the console and not in the log stream; the file keeps them for the CLI.
      const lines = Object.entries(boot.generated).map(([k, v]) => `  ${k}: ${v}`);
      const made = boot.created
        ? `created account domain "vpcep", user "admin", project ${boot.project_id} (${config.region}).`
        : 'made the operator key this store did not have yet.';
      process.stderr.write(
        `vpcep: ${made}\n` +
          `Generated (shown once${boot.credentialsFile ? `; also in ${boot.credentialsFile}` : ''}):\n${lines.join('\n')}\n`,
      );
    }
    // What is gone is swept away before the first request, then every few seconds.
    sweeper = new Sweeper(deps);
    await sweeper.start();
    await app.ready();
    const url = connectUrl(config.host, config.port);
    const metricsUrl = config.metrics
      ? `${config.metricsPort === undefined ? url : connectUrl(config.host, config.metricsPort)}/metrics`
      : undefined;
    log.info(
      { store: store.location, project_id: boot.project_id, ...(metricsUrl && { metrics: metricsUrl }) },
      `vpcep serving on ${url}`,
    );
    const opened = store;
    const sweeping = sweeper;
    return {
      app,
      store: opened,
      url,
      async close() {
        metricsListener?.server.close();
        metricsListener?.server.closeAllConnections();
        await sweeping.stop();
        await app.close();
        await opened.close();
      },
    };
  } catch (e) {
    listener.server.close();
    metricsListener?.server.close();
    await sweeper?.stop();
    await store?.close();
    throw e;
  }
}

function boundPort(server: http.Server): number | undefined {
  const address = server.address();
  return typeof address === 'object' && address ? address.port : undefined;
}

/** Failures of start-up that the person starting the server can act on (told in one line, no stack). */
export function isStartupProblem(e: unknown): e is Error {
  return e instanceof ListenError || e instanceof DataDirBusyError || e instanceof DataDirError;
}
