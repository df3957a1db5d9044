import { sql, type Expression, type SqlBool } from 'kysely';
import type { Engine } from './engine.ts';
import type { EndpointQueries } from './endpoints.ts';
import { Queries, type LockOption } from './queries.ts';
import type { Database } from './schema.ts';
import type { ServiceQueries } from './services.ts';
import type { Transaction } from 'kysely';

/** The tables whose rows go through the lifecycle of spec/operations.md, "Lifecycle". */
type Transitioning = 'endpoints' | 'endpoint_services';

/**
 * The one rule every reader of endpoints and endpoint services applies: a row whose deletion has
 * run its course (`deleting`, its `ready_at` passed) is gone at `now`, whether or not a sweep has
 * removed it yet. ISO times in one format compare as text, on both engines.
 */
export function present(table: Transitioning, now: Date): Expression<SqlBool> {
  return presentAt(table, now.toISOString());
}

/** `present` at an ISO time, which a prepared query passes as its argument (store/prepared.ts). */
export function presentAt(table: Transitioning, iso: string): Expression<SqlBool> {
  return sql<SqlBool>`not (${sql.ref(`${table}.status`)} = 'deleting' and ${sql.ref(`${table}.ready_at`)} <= ${iso})`;
}

/** How many rows one statement of a purge names at most (bound parameters have limits). */
const BATCH = 500;

/** Which gone rows a purge removes: all of them, or the endpoints of one VPC or of one service. */
export type PurgeScope = { vpc_id?: string; endpoint_service_id?: string };

/**
 * The removal of what is gone (spec/operations.md, "Lifecycle"): rows past the end of their
 * deletion leave the store with everything they may still hold.
 */
export class LifecycleQueries extends Queries {
  constructor(
    db: Transaction<Database>,
    engine: Engine,
    private readonly endpoints: EndpointQueries,
    private readonly services: ServiceQueries,
  ) {
    super(db, engine);
  }

  /**
   * Removes the endpoints gone at `now` in `scope`, and when the scope is everything, the services
   * gone at `now` that no endpoint row names any more. Rows are locked as they are chosen;
   * `skipLocked` passes over those another transaction holds (the sweep: it never waits, so it
   * never deadlocks, and what it passes over is the other's to remove or its next run's). Without
   * it, the purge waits for them: a parent's deletion must see its gone children removed.
   */
  async purge(now: Date, scope: PurgeScope = {}, lock: Pick<LockOption, 'skipLocked'> = {}) {
    const iso = now.toISOString();
    const opts = { forUpdate: true, ...lock };
    let endpoints = 0;
    for (;;) {
      let q = this.db
        .selectFrom('endpoints')
        .select('id')
        .where('status', '=', 'deleting')
        .where('ready_at', '<=', iso);
      if (scope.vpc_id !== undefined) q = q.where('vpc_id', '=', scope.vpc_id);
      if (scope.endpoint_service_id !== undefined) {
        q = q.where('endpoint_service_id', '=', scope.endpoint_service_id);
      }
      const ids = (await this.locking(q.orderBy('id').limit(BATCH), opts).execute()).map((r) => r.id);
      await this.endpoints.remove(ids);
      endpoints += ids.length;
      if (ids.length < BATCH) break;
    }
    let services = 0;
    if (scope.vpc_id === undefined && scope.endpoint_service_id === undefined) {
      for (;;) {
        const q = this.db
          .selectFrom('endpoint_services')
          .select('id')
          .where('status', '=', 'deleting')
          .where('ready_at', '<=', iso)
          .where(({ not, exists, selectFrom }) =>
            not(
              exists(
                selectFrom('endpoints')
                  .select('endpoints.id')
                  .whereRef('endpoints.endpoint_service_id', '=', 'endpoint_services.id'),
              ),
            ),
          );
        const ids = (await this.locking(q.orderBy('id').limit(BATCH), opts).execute()).map((r) => r.id);
        await this.services.remove(ids);
        services += ids.length;
        if (ids.length < BATCH) break;
      }
    }
    return { endpoints, services };
  }
}
