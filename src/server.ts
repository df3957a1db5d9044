import type { FastifyInstance } from 'fastify';
import { buildApp, createLogger } from './app.ts';
import type { Config } from './config.ts';
import { bootstrap } from './service/bootstrap.ts';
import { randomIds, systemClock } from './domain/ids.ts';
import { openStore, type Store } from './store/store.ts';

export interface RunningServer {
  app: FastifyInstance;
  store: Store;
  url: string;
  close(): Promise<void>;
}

/** config → store → bootstrap → app → listen (design.md, "main.ts"). */
export async function startServer(config: Readonly<Config>): Promise<RunningServer> {
  const log = createLogger(config.logLevel);
  const store = await openStore(config, (err) => log.warn({ err: err.message }, 'database connection lost'));
  const deps = { config, store, clock: systemClock, ids: randomIds, log };
  const boot = await bootstrap(deps);
  if (boot.created && Object.keys(boot.generated).length > 0) {
    // Printed once, on the console and not in the log stream; the file keeps them for the CLI.
    const lines = Object.entries(boot.generated).map(([k, v]) => `  ${k}: ${v}`);
    process.stderr.write(
      `vpcep: created account domain "vpcep", user "admin", project ${boot.project_id} (${config.region}).\n` +
        `Generated (shown once${boot.credentialsFile ? `; also in ${boot.credentialsFile}` : ''}):\n${lines.join('\n')}\n`,
    );
  }
  const app = await buildApp({ config, store, logger: log });
  const address = await app.listen({ host: config.host, port: config.port });
  log.info({ store: store.location, project_id: boot.project_id }, `vpcep serving on ${address}`);
  return {
    app,
    store,
    url: address,
    async close() {
      await app.close();
      await store.close();
    },
  };
}
