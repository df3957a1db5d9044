import { ALL_PROJECTS } from '../domain/roles.ts';
import { present } from './lifecycle.ts';
import { prepare } from './prepared.ts';
import { Queries, type LockOption, type NewRow } from './queries.ts';

const PROJECT_BY_ID = prepare(({ db }, id: string) =>
  db.selectFrom('projects').selectAll().where('id', '=', id),
);
/** Who a credential speaks for: its user and the user's domain. */
const OWNER = [
  'users.id as user_id',
  'users.name as user_name',
  'domains.id as domain_id',
  'domains.name as domain_name',
] as const;
const ACCESS_KEY_OWNER = prepare(({ db }, access: string) =>
  db
    .selectFrom('access_keys')
    .innerJoin('users', 'users.id', 'access_keys.user_id')
    .innerJoin('domains', 'domains.id', 'users.domain_id')
    .select(['access_keys.access', 'access_keys.secret', 'access_keys.status', ...OWNER])
    .where('access_keys.access', '=', access),
);
/** A user's groups and their grants (see userWithGrants), the user named by its id or by an access key of its. */
const withGrants = (by: 'user' | 'access key') =>
  prepare(({ db }, key: string) => {
    const users =
      by === 'user'
        ? db.selectFrom('users').where('users.id', '=', key)
        : db
            .selectFrom('access_keys')
            .innerJoin('users', 'users.id', 'access_keys.user_id')
            .where('access_keys.access', '=', key);
    return users
      .leftJoin('group_members', 'group_members.user_id', 'users.id')
      .leftJoin('groups', 'groups.id', 'group_members.group_id')
      .leftJoin('group_grants', 'group_grants.group_id', 'groups.id')
      .select([
        'users.password_changed_at',
        'users.enabled',
        'groups.name as group_name',
        'group_grants.project_id as grant_project',
        'group_grants.role_id',
      ]);
  });
const USER_WITH_GRANTS = withGrants('user');
const KEY_OWNER_WITH_GRANTS = withGrants('access key');
const USER_WITH_DOMAIN = prepare(({ db }, userId: string) =>
  db
    .selectFrom('users')
    .innerJoin('domains', 'domains.id', 'users.domain_id')
    .select(OWNER)
    .where('users.id', '=', userId),
);

/** What userWithGrants answers: one row per (group, grant) of the user. */
export type GrantRow = Awaited<ReturnType<IdentityQueries['userWithGrants']>>[number];

const firstRow = <R>(rows: R[]) => rows[0];
const allRows = <R>(rows: R[]) => rows;

/** Domains, projects, users, groups and their grants, access keys, and the server's own keys. */
export class IdentityQueries extends Queries {
  domainByName(name: string, opts?: LockOption) {
    return this.locking(
      this.db.selectFrom('domains').selectAll().where('name', '=', name),
      opts,
    ).executeTakeFirst();
  }
  domainById(id: string, opts?: LockOption) {
    return this.locking(
      this.db.selectFrom('domains').selectAll().where('id', '=', id),
      opts,
    ).executeTakeFirst();
  }
  domains() {
    return this.db.selectFrom('domains').selectAll().orderBy('created_at').orderBy('name').execute();
  }
  async insertDomain(row: NewRow<'domains'>) {
    await this.db.insertInto('domains').values(row).execute();
  }
  /**
   * Locks the project's row until the transaction ends: creates counted against the project's
   * quotas take turns on it (spec/quotas.md). SQLite's writers take turns anyway.
   */
  async lockProject(id: string): Promise<void> {
    await this.locking(this.db.selectFrom('projects').select('id').where('id', '=', id), {
      forUpdate: true,
    }).execute();
  }
  /** The account's own quotas; a field left out keeps its value, null restores the default. */
  async setQuotas(
    domainId: string,
    q: { quota_endpoints?: number | null; quota_endpoint_services?: number | null },
  ) {
    await this.db.updateTable('domains').set(q).where('id', '=', domainId).execute();
  }
  projectById(id: string) {
    return this.first(PROJECT_BY_ID, id);
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
  /**
   * What verifying a signature reads, together (Tx.together): the access key with its user and
   * domain, the project the call names, and the key's user's grants (as userWithGrants).
   */
  signedCallRead(access: string, projectId: string) {
    return [
      this.reading(ACCESS_KEY_OWNER, [access], firstRow),
      this.reading(PROJECT_BY_ID, [projectId], firstRow),
      this.reading(KEY_OWNER_WITH_GRANTS, [access], allRows),
    ] as const;
  }
  /** The same for a temporary key, whose owner its security token names: the user with its domain's name. */
  temporarySignedCallRead(userId: string, projectId: string) {
    return [
      this.reading(USER_WITH_DOMAIN, [userId], firstRow),
      this.reading(PROJECT_BY_ID, [projectId], firstRow),
      this.reading(USER_WITH_GRANTS, [userId], allRows),
    ] as const;
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

  usersOfDomain(domainId: string) {
    return this.db
      .selectFrom('users')
      .selectAll()
      .where('domain_id', '=', domainId)
      .orderBy('created_at')
      .orderBy('name')
      .execute();
  }
  async setPassword(userId: string, passwordHash: string, changedAt: string) {
    await this.db
      .updateTable('users')
      .set({ password_hash: passwordHash, password_changed_at: changedAt })
      .where('id', '=', userId)
      .execute();
  }
  /** A user with its keys and group memberships. */
  async deleteUser(userId: string) {
    await this.db.deleteFrom('access_keys').where('user_id', '=', userId).execute();
    await this.db.deleteFrom('group_members').where('user_id', '=', userId).execute();
    await this.db.deleteFrom('users').where('id', '=', userId).execute();
  }

  groupById(id: string, opts?: LockOption) {
    return this.locking(
      this.db.selectFrom('groups').selectAll().where('id', '=', id),
      opts,
    ).executeTakeFirst();
  }
  groupByName(domainId: string, name: string) {
    return this.db
      .selectFrom('groups')
      .selectAll()
      .where('domain_id', '=', domainId)
      .where('name', '=', name)
      .executeTakeFirst();
  }
  groupsOfDomain(domainId: string) {
    return this.db
      .selectFrom('groups')
      .selectAll()
      .where('domain_id', '=', domainId)
      .orderBy('created_at')
      .orderBy('name')
      .execute();
  }
  async insertGroup(row: NewRow<'groups'>) {
    await this.db.insertInto('groups').values(row).execute();
  }
  /** A group with its memberships and grants. */
  async deleteGroup(groupId: string) {
    await this.db.deleteFrom('group_members').where('group_id', '=', groupId).execute();
    await this.db.deleteFrom('group_grants').where('group_id', '=', groupId).execute();
    await this.db.deleteFrom('groups').where('id', '=', groupId).execute();
  }
  membersOfGroup(groupId: string) {
    return this.db
      .selectFrom('group_members')
      .innerJoin('users', 'users.id', 'group_members.user_id')
      .selectAll('users')
      .where('group_members.group_id', '=', groupId)
      .orderBy('users.created_at')
      .orderBy('users.name')
      .execute();
  }
  async isMember(groupId: string, userId: string) {
    const row = await this.db
      .selectFrom('group_members')
      .select('user_id')
      .where('group_id', '=', groupId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row !== undefined;
  }
  async addMember(groupId: string, userId: string) {
    if (await this.isMember(groupId, userId)) return;
    await this.db.insertInto('group_members').values({ group_id: groupId, user_id: userId }).execute();
  }
  async removeMember(groupId: string, userId: string) {
    await this.db
      .deleteFrom('group_members')
      .where('group_id', '=', groupId)
      .where('user_id', '=', userId)
      .execute();
  }
  /**
   * A user with every group it is in and every grant of those groups, in one query: what each
   * call checks of its caller (service/identity.ts). One row per (group, grant); a user in no
   * group is one row with nulls.
   */
  userWithGrants(userId: string) {
    return this.all(USER_WITH_GRANTS, userId);
  }
  grantsOfGroup(groupId: string, projectId: string) {
    return this.db
      .selectFrom('group_grants')
      .select('role_id')
      .where('group_id', '=', groupId)
      .where('project_id', '=', projectId)
      .orderBy('role_id')
      .execute();
  }
  async grant(groupId: string, projectId: string, roleId: string) {
    const have = await this.db
      .selectFrom('group_grants')
      .select('role_id')
      .where('group_id', '=', groupId)
      .where('project_id', '=', projectId)
      .where('role_id', '=', roleId)
      .executeTakeFirst();
    if (have) return false;
    await this.db
      .insertInto('group_grants')
      .values({ group_id: groupId, project_id: projectId, role_id: roleId })
      .execute();
    return true;
  }
  /** Whether a grant was there to remove. */
  async revoke(groupId: string, projectId: string, roleId: string) {
    const result = await this.db
      .deleteFrom('group_grants')
      .where('group_id', '=', groupId)
      .where('project_id', '=', projectId)
      .where('role_id', '=', roleId)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
  /** The roles a user holds on a project through its groups, grants on every project included. */
  async rolesOnProject(userId: string, projectId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('group_grants')
      .innerJoin('group_members', 'group_members.group_id', 'group_grants.group_id')
      .select('group_grants.role_id')
      .distinct()
      .where('group_members.user_id', '=', userId)
      .where('group_grants.project_id', 'in', [projectId, ALL_PROJECTS])
      .execute();
    return rows.map((r) => r.role_id);
  }

  /**
   * Whether any project of the domain still holds a VPC, an endpoint or an endpoint service at
   * `now` (one whose deletion has ended is gone: store/lifecycle.ts).
   */
  async domainHasResources(domainId: string, now: Date) {
    const projects = (await this.projectsOfDomain(domainId)).map((p) => p.id);
    if (projects.length === 0) return false;
    const found = await Promise.all([
      this.db.selectFrom('vpcs').select('id').where('project_id', 'in', projects).limit(1).executeTakeFirst(),
      this.db
        .selectFrom('endpoints')
        .select('id')
        .where('project_id', 'in', projects)
        .where(present('endpoints', now))
        .limit(1)
        .executeTakeFirst(),
      this.db
        .selectFrom('endpoint_services')
        .select('id')
        .where('owner_project_id', 'in', projects)
        .where(present('endpoint_services', now))
        .limit(1)
        .executeTakeFirst(),
    ]);
    return found.some((row) => row !== undefined);
  }
  /** A domain and everything of IAM in it: users, keys, groups, grants, projects. */
  async deleteDomain(domainId: string) {
    const groups = (await this.groupsOfDomain(domainId)).map((g) => g.id);
    for (const g of groups) await this.deleteGroup(g);
    for (const u of await this.usersOfDomain(domainId)) await this.deleteUser(u.id);
    const projects = (await this.projectsOfDomain(domainId)).map((p) => p.id);
    if (projects.length > 0) await this.db.deleteFrom('faults').where('project_id', 'in', projects).execute();
    await this.db.deleteFrom('projects').where('domain_id', '=', domainId).execute();
    await this.db.deleteFrom('domains').where('id', '=', domainId).execute();
  }

  operatorKeys() {
    return this.db.selectFrom('operator_keys').selectAll().execute();
  }
  async insertOperatorKey(row: NewRow<'operator_keys'>) {
    await this.db.insertInto('operator_keys').values(row).execute();
  }
}
