import pino from 'pino';
import { allRoutes } from './app.ts';
import { loadConfig } from './config.ts';
import { randomIds, systemClock } from './domain/ids.ts';
import type { RouteDef } from './http/route.ts';
import { Accounts } from './service/accounts.ts';
import type { Deps } from './service/context.ts';
import { Identity } from './service/identity.ts';
import type { Store } from './store/store.ts';

/**
 * Every route as app.ts registers it, made without a server: building the routes touches no store
 * (their handlers would), so `npm run openapi` and the tests that read the routes need none.
 */
export function routeCatalogue(): RouteDef[] {
  const deps: Deps = {
    config: loadConfig({}, {}),
    store: {} as Store,
    clock: systemClock,
    ids: randomIds,
    log: pino({ level: 'silent' }),
  };
  return allRoutes(deps, new Identity(deps), new Accounts(deps), () => false);
}
