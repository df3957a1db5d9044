import type { Kysely } from 'kysely';

/**
 * The web console's sessions (spec/console.md, "Sessions"): in the store, so every replica on one
 * database knows them, they outlive a restart, and signing out ends one everywhere. A row holds a
 * hash of the session id, never the id, and the user's token sealed with a key only the id gives.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('console_sessions')
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('domain_id', 'text', (c) => c.notNull())
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('sealed_token', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('console_sessions_expiry')
    .on('console_sessions')
    .columns(['expires_at'])
    .execute();
}
