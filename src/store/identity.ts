import { Queries, type LockOption, type NewRow } from './queries.ts';

/** Domains, projects, users, access keys and the token-signing keys. */
export class IdentityQueries extends Queries {
  domainByName(name: string) {
    return this.db.selectFrom('domains').selectAll().where('name', '=', name).executeTakeFirst();
  }
  async insertDomain(row: NewRow<'domains'>) {
    await this.db.insertInto('domains').values(row).execute();
  }
  projectById(id: string) {
    return this.db.selectFrom('projects').selectAll().where('id', '=', id).executeTakeFirst();
  }
  projectsOfDomain(domainId: string) {
    return this.db
      .selectFrom('projects')
      .selectAll()
      .where('domain_id', '=', domainId)
      .orderBy('name')
      .execute();
  }
  async insertProject(row: NewRow<'projects'>) {
    await this.db.insertInto('projects').values(row).execute();
  }
  userByName(domainId: string, name: string) {
    return this.db
      .selectFrom('users')
      .selectAll()
      .where('domain_id', '=', domainId)
      .where('name', '=', name)
      .executeTakeFirst();
  }
  async insertUser(row: NewRow<'users'>) {
    await this.db.insertInto('users').values(row).execute();
  }
  async insertAccessKey(row: NewRow<'access_keys'>) {
    await this.db.insertInto('access_keys').values(row).execute();
  }
  accessKey(access: string) {
    return this.db.selectFrom('access_keys').selectAll().where('access', '=', access).executeTakeFirst();
  }
  /** An access key with its user and domain, for verifying a signature. */
  accessKeyOwner(access: string) {
    return this.db
      .selectFrom('access_keys')
      .innerJoin('users', 'users.id', 'access_keys.user_id')
      .innerJoin('domains', 'domains.id', 'users.domain_id')
      .select([
        'access_keys.access',
        'access_keys.secret',
        'access_keys.status',
        'users.id as user_id',
        'users.name as user_name',
        'domains.id as domain_id',
        'domains.name as domain_name',
      ])
      .where('access_keys.access', '=', access)
      .executeTakeFirst();
  }
  accessKeysOfUser(userId: string) {
    return this.db
      .selectFrom('access_keys')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('created_at')
      .execute();
  }
  async updateAccessKey(access: string, patch: { status?: 'active' | 'inactive'; description?: string }) {
    await this.db.updateTable('access_keys').set(patch).where('access', '=', access).execute();
  }
  async deleteAccessKey(access: string) {
    await this.db.deleteFrom('access_keys').where('access', '=', access).execute();
  }
  userById(id: string, opts?: LockOption) {
    return this.locking(
      this.db.selectFrom('users').selectAll().where('id', '=', id),
      opts,
    ).executeTakeFirst();
  }
  serverKeys() {
    return this.db.selectFrom('server_keys').selectAll().orderBy('created_at').execute();
  }
  async insertServerKey(row: NewRow<'server_keys'>) {
    await this.db.insertInto('server_keys').values(row).execute();
  }
}
