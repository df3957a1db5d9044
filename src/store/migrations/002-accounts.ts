import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { ADMIN_GROUP, ALL_PROJECTS, ROLE_TENANT_ADMIN } from '../../domain/roles.ts';

/**
 * Many accounts (issue 10): user groups, their grants per project, the operator's key, and what
 * IAM's users and projects carry besides a name. An existing store gains, in each domain, the
 * `admin` group holding full access on all projects, with the user `admin` in it: what a new
 * account gets, so nobody who could act before the upgrade loses the right to.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('users')
    .addColumn('password_changed_at', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  await db.schema
    .alterTable('users')
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  await db.schema
    .alterTable('users')
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema
    .alterTable('projects')
    .addColumn('parent_id', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  await db.schema
    .alterTable('projects')
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  await db.schema
    .createTable('groups')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('domain_id', 'text', (c) => c.notNull().references('domains.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('groups_domain_name', ['domain_id', 'name'])
    .execute();
  await db.schema
    .createTable('group_members')
    .addColumn('group_id', 'text', (c) => c.notNull().references('groups.id'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addPrimaryKeyConstraint('group_members_pk', ['group_id', 'user_id'])
    .execute();
  await db.schema.createIndex('group_members_user').on('group_members').columns(['user_id']).execute();
  await db.schema
    .createTable('group_grants')
    .addColumn('group_id', 'text', (c) => c.notNull().references('groups.id'))
    /** A project's id, or `*`: every project of the domain, those made later included. */
    .addColumn('project_id', 'text', (c) => c.notNull())
    .addColumn('role_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('group_grants_pk', ['group_id', 'project_id', 'role_id'])
    .execute();
  await db.schema
    .createTable('operator_keys')
    .addColumn('hash', 'text', (c) => c.primaryKey())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  const now = new Date().toISOString();
  const domains: { id: string }[] = await db.selectFrom('domains').select('id').execute();
  for (const d of domains) {
    const groupId = randomBytes(16).toString('hex');
    await db
      .insertInto('groups')
      .values({ id: groupId, domain_id: d.id, name: ADMIN_GROUP, description: '', created_at: now })
      .execute();
    await db
      .insertInto('group_grants')
      .values({ group_id: groupId, project_id: ALL_PROJECTS, role_id: ROLE_TENANT_ADMIN })
      .execute();
    const admin = await db
      .selectFrom('users')
      .select('id')
      .where('domain_id', '=', d.id)
      .where('name', '=', 'admin')
      .executeTakeFirst();
    if (admin)
      await db.insertInto('group_members').values({ group_id: groupId, user_id: admin.id }).execute();
  }
}
