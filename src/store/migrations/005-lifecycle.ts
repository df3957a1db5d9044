import type { Kysely } from 'kysely';

/**
 * The lifecycle of endpoints and endpoint services (spec/operations.md, "Lifecycle"): why a
 * resource fails (`error_code`, `error_message`, '' while it has not), the target of provisioning
 * faults, and the indexes the sweep of finished deletions reads by. Text columns only.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  const text = (table: string, column: string) =>
    db.schema
      .alterTable(table)
      .addColumn(column, 'text', (c) => c.notNull().defaultTo(''))
      .execute();
  for (const table of ['endpoints', 'endpoint_services']) {
    await text(table, 'error_code');
    await text(table, 'error_message');
    await db.schema.createIndex(`${table}_transition`).on(table).columns(['status', 'ready_at']).execute();
  }
  await text('faults', 'endpoint_service_id');
}
