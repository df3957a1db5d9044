import pino from 'pino';
import { allRoutes } from '../../src/app.ts';
import { testConfig } from '../../src/config.ts';
import { randomIds, systemClock } from '../../src/domain/ids.ts';
import type { RouteDef } from '../../src/http/route.ts';
import { isNotImplemented } from '../../src/http/routes/not-implemented.ts';
import { Accounts } from '../../src/service/accounts.ts';
import type { Deps } from '../../src/service/context.ts';
import { Identity } from '../../src/service/identity.ts';
import type { Store } from '../../src/store/store.ts';

/** Every route as app.ts registers it; building them touches no store, so no world is needed. */
export function appRoutes(): RouteDef[] {
  const deps: Deps = {
    config: testConfig(),
    store: {} as Store,
    clock: systemClock,
    ids: randomIds,
    log: pino({ level: 'silent' }),
  };
  return allRoutes(deps, new Identity(deps), new Accounts(deps), () => false);
}

/** The routes that answer 501: the published operations no route serves (routes/not-implemented.ts). */
export const notServedRoutes = (): RouteDef[] => appRoutes().filter(isNotImplemented);
