import type { Kysely } from 'kysely';

/**
 * The audit trail as something to read (spec/audit.md): each event names the published operation,
 * whether it succeeded, its status and error code, and the caller's user id and access key. Earlier
 * rows were all committed changes: they read as successes of an operation named by their action.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  const add = (column: string, type: 'text' | 'integer', fallback: string | number) =>
    db.schema
      .alterTable('audit_log')
      .addColumn(column, type, (c) => c.notNull().defaultTo(fallback))
      .execute();
  await add('operation', 'text', '');
  await add('outcome', 'text', 'success');
  await add('status', 'integer', 0);
  await add('error_code', 'text', '');
  await add('user_id', 'text', '');
  await add('access_key', 'text', '');
  await db
    .updateTable('audit_log')
    .set((eb) => ({ operation: eb.ref('action') }))
    .execute();
  await db.schema
    .createIndex('audit_log_project_seq')
    .on('audit_log')
    .columns(['project_id', 'seq'])
    .execute();
}
