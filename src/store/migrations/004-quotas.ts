import type { Kysely } from 'kysely';

/**
 * Quotas (spec/quotas.md): an account's own quotas of endpoints and endpoint services per project,
 * set by the operator API; null keeps the server-wide default of the configuration.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('domains').addColumn('quota_endpoints', 'integer').execute();
  await db.schema.alterTable('domains').addColumn('quota_endpoint_services', 'integer').execute();
}
