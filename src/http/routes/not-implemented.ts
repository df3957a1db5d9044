import { Type, type TSchema } from 'typebox';
import { ApiError } from '../../domain/errors.ts';
import { errorCode, Id64 } from '../../wire/common.ts';
import { VPCEP_OPERATIONS, type PublishedOperation } from '../../wire/vpcep-operations.ts';
import { route, type HandlerInput, type RouteDef, type RouteSchemas } from '../route.ts';

/**
 * The operations of the published VPC Endpoint API that no route serves (spec/operations.md): each
 * answers 501 VPCEP.0501 after authentication, authorization and path validation, so a client
 * learns "not served here" rather than "no such API" (errors.md, row 501). Nothing lists them: they
 * are the published operations (wire/vpcep-operations.ts) minus the routes served, so a route that
 * serves one, whatever it names its parameters, takes its place.
 */

/** A published path in the router's form: `{name}` → `:name`. */
export const routeUrl = (path: string) => path.replace(/\{([a-z_]+)\}/g, ':$1');

/** A method and path with the parameters unnamed: the router takes two routes of one shape as one. */
const shapeOf = (method: string, url: string) => `${method} ${url.replace(/:[a-z_]+/g, ':')}`;

/** The published rules of the path parameters; every other one is an id of 1 to 64 characters. */
const PARAMS: Record<string, TSchema> = {
  resource_type: Type.Enum(['endpoint_service', 'endpoint'], errorCode('EndPoint.3070')),
};

/** The published operations none of `served` serves. */
export function unservedOperations(
  served: readonly Pick<RouteDef, 'method' | 'url'>[],
): PublishedOperation[] {
  const shapes = new Set(served.map((r) => shapeOf(r.method, r.url)));
  return VPCEP_OPERATIONS.filter((op) => !shapes.has(shapeOf(op.method, routeUrl(op.path))));
}

/** One handler for every such route: `isNotImplemented` knows them by it. */
async function notServed({ request }: HandlerInput<RouteSchemas, true>): Promise<never> {
  throw new ApiError('VPCEP.0501', `${request.routeOptions.config.operationId} is not served by vpcep yet.`);
}

/** Whether a route is one of the 501 routes below. */
export const isNotImplemented = (def: RouteDef) => def.handler === (notServed as RouteDef['handler']);

/** A 501 route for each published operation `served` leaves out. */
export function notImplementedRoutes(served: readonly RouteDef[]): RouteDef[] {
  return unservedOperations(served).map((op) => {
    const url = routeUrl(op.path);
    const names = [...url.matchAll(/:([a-z_]+)/g)].map((m) => m[1]!);
    return route({
      method: op.method,
      url,
      api: 'endpoint',
      operationId: op.operationId,
      auth: true,
      schema: { params: Type.Object(Object.fromEntries(names.map((n) => [n, PARAMS[n] ?? Id64]))) },
      handler: notServed,
    });
  });
}
