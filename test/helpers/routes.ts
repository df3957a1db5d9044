import type { RouteDef } from '../../src/http/route.ts';
import { isNotImplemented } from '../../src/http/routes/not-implemented.ts';
import { routeCatalogue } from '../../src/route-catalogue.ts';

/** Every route as app.ts registers it; building them touches no store, so no world is needed. */
export const appRoutes = (): RouteDef[] => routeCatalogue();

/** The routes that answer 501: the published operations no route serves (routes/not-implemented.ts). */
export const notServedRoutes = (): RouteDef[] => appRoutes().filter(isNotImplemented);
