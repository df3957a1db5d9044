import { Type } from 'typebox';
import { ApiError, isApiError } from '../../domain/errors.ts';
import type { Store } from '../../store/store.ts';
import { route } from '../route.ts';

const Status = Type.Object({ status: Type.String() });

/** Liveness and readiness for load balancers and orchestrators; no authentication. */
export function healthRoutes(store: Store, draining: () => boolean) {
  return [
    route({
      method: 'GET',
      url: '/healthz',
      api: 'meta',
      operationId: 'Healthz',
      auth: false,
      schema: { response: { 200: Status } },
      handler: async () => ({ status: 'ok' }),
    }),
    route({
      method: 'GET',
      url: '/readyz',
      api: 'meta',
      operationId: 'Readyz',
      auth: false,
      schema: { response: { 200: Status } },
      handler: async () => {
        if (draining())
          throw new ApiError('VPCEP.0503', 'The server is shutting down.', {
            headers: { 'Retry-After': '1' },
          });
        try {
          await store.ping();
        } catch (e) {
          if (isApiError(e)) throw e;
          throw new ApiError('VPCEP.0503', 'The store is not ready.', {
            headers: { 'Retry-After': '1' },
            reason: e instanceof Error ? e.message : String(e),
          });
        }
        return { status: 'ready' };
      },
    }),
  ];
}
