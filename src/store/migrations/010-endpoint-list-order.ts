import type { Kysely } from 'kysely';

/**
 * The orders the lists of endpoints take, as indexes, so that a page is read in its order and
 * nothing is sorted (issue 12).
 * - ListEndpoints (store/endpoints.ts LIST): a project's endpoints by creation or update time, ties
 *   broken by id. By update time there was no index: a page of a project of 100,000 endpoints
 *   sorted them all (about 55 ms a call on SQLite, where the indexed read takes 0.1 ms). The index
 *   by creation time gains its tie-break and replaces migration 001's.
 * - ListServiceConnections (CONNECTIONS): a service's endpoints by creation time, ties broken by id,
 *   replacing migration 003's index of the service alone. By update time the service's endpoints
 *   are sorted by the database: a third index written by every change of an endpoint was not worth
 *   the provider's second order.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex('endpoints_project_created')
    .on('endpoints')
    .columns(['project_id', 'created_at', 'id'])
    .execute();
  await db.schema
    .createIndex('endpoints_project_updated')
    .on('endpoints')
    .columns(['project_id', 'updated_at', 'id'])
    .execute();
  await db.schema.dropIndex('endpoints_project').execute();
  await db.schema
    .createIndex('endpoints_service_created')
    .on('endpoints')
    .columns(['endpoint_service_id', 'created_at', 'id'])
    .execute();
  await db.schema.dropIndex('endpoints_service').execute();
}
