import { ApiError } from '../domain/errors.ts';
import { ADMIN_GROUP, SYSTEM_ROLES, systemRole } from '../domain/roles.ts';
import { hashPassword, verifyPassword } from '../domain/secrets.ts';
import type { Row } from '../store/queries.ts';
import type { Tx } from '../store/store.ts';
import { ACCOUNT_ADMIN } from './accounts.ts';
import { audit, type Caller, type Deps } from './context.ts';

/** Where an answer's `links.self` points: the server's own address and the resource's path. */
export type SelfLink = (path: string) => { self: string };

const notFound = (what: string, id: string) =>
  new ApiError('IAM.0404', `Could not find ${what}: ${id.slice(0, 64)}.`);

/** Huawei IAM: at least two kinds of character among lower case, upper case, digits and others. */
function assertStrongPassword(password: string): void {
  const kinds = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^a-zA-Z0-9]/].filter((k) => k.test(password)).length;
  if (kinds < 2) {
    throw new ApiError(
      'IAM.0400',
      'The password must mix at least two of: lower case, upper case, digits, other characters.',
    );
  }
}

function userView(u: Row<'users'>, link: SelfLink) {
  return {
    id: u.id,
    name: u.name,
    domain_id: u.domain_id,
    enabled: u.enabled === 1,
    description: u.description,
    password_expires_at: null,
    pwd_status: true,
    links: link(`/v3/users/${u.id}`),
  };
}

function groupView(g: Row<'groups'>, link: SelfLink) {
  return {
    id: g.id,
    name: g.name,
    domain_id: g.domain_id,
    description: g.description,
    create_time: Date.parse(g.created_at),
    links: link(`/v3/groups/${g.id}`),
  };
}

export function projectView(p: Row<'projects'>) {
  return {
    id: p.id,
    name: p.name,
    domain_id: p.domain_id,
    enabled: true,
    is_domain: false,
    // A region project's parent is its domain (Keystone); a sub-project's is its region project.
    parent_id: p.parent_id === '' ? p.domain_id : p.parent_id,
    description: p.description,
  };
}

function roleView(id: string, link: SelfLink) {
  const role = systemRole(id);
  if (!role) throw notFound('role', id);
  return { ...role, domain_id: null, links: link(`/v3/roles/${role.id}`) };
}

/**
 * What an account's admin manages in IAM: users, projects, user groups and the roles granted to
 * groups per project. Only members of the account's `admin` group may change any of it; a user may
 * read itself and change its own password. Another account's ids answer as unknown ones.
 */
export class Directory {
  constructor(private readonly deps: Deps) {}

  // ---- users

  async createUser(
    caller: Caller,
    input: { name: string; domain_id?: string; password?: string; enabled?: boolean; description?: string },
    link: SelfLink,
  ) {
    this.#requireAdmin(caller, input.domain_id);
    if (input.password !== undefined) assertStrongPassword(input.password);
    const now = this.deps.clock.now().toISOString();
    const row: Row<'users'> = {
      id: this.deps.ids.hex(16),
      name: input.name,
      domain_id: caller.domain_id,
      // Without a password the user cannot log in; it may still be given access keys.
      password_hash: input.password === undefined ? '!' : await hashPassword(input.password),
      password_changed_at: '',
      description: input.description ?? '',
      enabled: input.enabled === false ? 0 : 1,
      created_at: now,
    };
    await this.deps.store.tx(async (r) => {
      await this.#lockDomain(r, caller);
      if (await r.identity.userByName(caller.domain_id, input.name)) throw new ApiError('IAM.1109');
      await r.identity.insertUser(row);
      await audit(r, this.deps, caller, 'create', 'user', row.id, { name: row.name });
    });
    return userView(row, link);
  }

  async listUsers(
    caller: Caller,
    query: { domain_id?: string; name?: string; enabled?: boolean },
    link: SelfLink,
  ) {
    this.#requireAdmin(caller, query.domain_id);
    const users = await this.deps.store.read((r) => r.identity.usersOfDomain(caller.domain_id));
    return users
      .filter((u) => query.name === undefined || u.name === query.name)
      .filter((u) => query.enabled === undefined || (u.enabled === 1) === query.enabled)
      .map((u) => userView(u, link));
  }

  async showUser(caller: Caller, userId: string, link: SelfLink) {
    const user = await this.deps.store.read((r) => this.#userOfDomain(r, caller, userId));
    if (user.id !== caller.user_id) this.#requireAdmin(caller);
    return userView(user, link);
  }

  async deleteUser(caller: Caller, userId: string) {
    await this.deps.store.tx(async (r) => {
      const user = await this.#userOfDomain(r, caller, userId);
      this.#requireAdmin(caller);
      if (user.name === ACCOUNT_ADMIN) throw new ApiError('IAM.1107');
      await r.identity.deleteUser(user.id);
      await audit(r, this.deps, caller, 'delete', 'user', user.id, { name: user.name });
    });
  }

  /** A user's own call: the original password proves it; every token issued before stops working. */
  async changePassword(
    caller: Caller,
    userId: string,
    input: { original_password: string; password: string },
  ) {
    const user = await this.deps.store.read((r) => this.#userOfDomain(r, caller, userId));
    if (user.id !== caller.user_id)
      throw new ApiError('IAM.0403', 'Only the user may change its own password.');
    if (!(await verifyPassword(input.original_password, user.password_hash))) {
      throw new ApiError('IAM.0401', 'The original password is wrong.');
    }
    if (input.password === input.original_password) throw new ApiError('IAM.1108');
    assertStrongPassword(input.password);
    const hash = await hashPassword(input.password);
    await this.deps.store.tx(async (r) => {
      await r.identity.userById(user.id, { forUpdate: true });
      await r.identity.setPassword(user.id, hash, this.deps.clock.now().toISOString());
      await audit(r, this.deps, caller, 'update', 'user-password', user.id);
    });
  }

  // ---- projects

  async createProject(
    caller: Caller,
    input: { name: string; parent_id: string; domain_id?: string; description?: string },
    link: SelfLink,
  ) {
    this.#requireAdmin(caller, input.domain_id);
    const row: Row<'projects'> = {
      id: this.deps.ids.hex(16),
      name: input.name,
      domain_id: caller.domain_id,
      parent_id: input.parent_id,
      description: input.description ?? '',
      created_at: this.deps.clock.now().toISOString(),
    };
    await this.deps.store.tx(async (r) => {
      await this.#lockDomain(r, caller);
      const parent = await r.identity.projectById(input.parent_id);
      if (!parent || parent.domain_id !== caller.domain_id) throw notFound('project', input.parent_id);
      if (parent.parent_id !== '') throw new ApiError('IAM.0400', 'parent_id must name a region project.');
      // Huawei IAM: a sub-project is named `<region>_<name>`, after its region project.
      if (!input.name.startsWith(`${parent.name}_`) || input.name.length === parent.name.length + 1) {
        throw new ApiError('IAM.0400', `The project name must be "${parent.name}_" followed by a name.`);
      }
      const taken = (await r.identity.projectsOfDomain(caller.domain_id)).some((p) => p.name === input.name);
      if (taken) throw new ApiError('IAM.1409', `A project named "${input.name}" exists.`);
      await r.identity.insertProject(row);
      await audit(r, this.deps, caller, 'create', 'project', row.id, { name: row.name });
    });
    return { ...projectView(row), links: link(`/v3/projects/${row.id}`) };
  }

  async showProject(caller: Caller, projectId: string, link: SelfLink) {
    const project = await this.deps.store.read((r) => this.#projectOfDomain(r, caller, projectId));
    return { ...projectView(project), links: link(`/v3/projects/${project.id}`) };
  }

  // ---- groups

  async createGroup(
    caller: Caller,
    input: { name: string; domain_id?: string; description?: string },
    link: SelfLink,
  ) {
    this.#requireAdmin(caller, input.domain_id);
    const row: Row<'groups'> = {
      id: this.deps.ids.hex(16),
      name: input.name,
      domain_id: caller.domain_id,
      description: input.description ?? '',
      created_at: this.deps.clock.now().toISOString(),
    };
    await this.deps.store.tx(async (r) => {
      await this.#lockDomain(r, caller);
      if (await r.identity.groupByName(caller.domain_id, input.name)) {
        throw new ApiError('IAM.1409', `A group named "${input.name}" exists.`);
      }
      await r.identity.insertGroup(row);
      await audit(r, this.deps, caller, 'create', 'group', row.id, { name: row.name });
    });
    return groupView(row, link);
  }

  async listGroups(caller: Caller, query: { domain_id?: string; name?: string }, link: SelfLink) {
    this.#requireAdmin(caller, query.domain_id);
    const groups = await this.deps.store.read((r) => r.identity.groupsOfDomain(caller.domain_id));
    return groups
      .filter((g) => query.name === undefined || g.name === query.name)
      .map((g) => groupView(g, link));
  }

  async deleteGroup(caller: Caller, groupId: string) {
    await this.deps.store.tx(async (r) => {
      const group = await this.#groupOfDomain(r, caller, groupId);
      this.#requireAdmin(caller);
      if (group.name === ADMIN_GROUP) throw new ApiError('IAM.0403', 'The admin group cannot be deleted.');
      await r.identity.deleteGroup(group.id);
      await audit(r, this.deps, caller, 'delete', 'group', group.id, { name: group.name });
    });
  }

  async addUserToGroup(caller: Caller, groupId: string, userId: string) {
    await this.deps.store.tx(async (r) => {
      const group = await this.#groupOfDomain(r, caller, groupId);
      const user = await this.#userOfDomain(r, caller, userId);
      this.#requireAdmin(caller);
      await r.identity.addMember(group.id, user.id);
      await audit(r, this.deps, caller, 'add-member', 'group', group.id, { user_id: user.id });
    });
  }

  async removeUserFromGroup(caller: Caller, groupId: string, userId: string) {
    await this.deps.store.tx(async (r) => {
      const group = await this.#groupOfDomain(r, caller, groupId);
      const user = await this.#userOfDomain(r, caller, userId);
      this.#requireAdmin(caller);
      if (!(await r.identity.isMember(group.id, user.id)))
        throw notFound('membership', `${group.id}/${user.id}`);
      if (group.name === ADMIN_GROUP && user.name === ACCOUNT_ADMIN) {
        throw new ApiError('IAM.0403', 'The account administrator stays in the admin group.');
      }
      await r.identity.removeMember(group.id, user.id);
      await audit(r, this.deps, caller, 'remove-member', 'group', group.id, { user_id: user.id });
    });
  }

  async usersOfGroup(caller: Caller, groupId: string, link: SelfLink) {
    const users = await this.deps.store.read(async (r) => {
      const group = await this.#groupOfDomain(r, caller, groupId);
      this.#requireAdmin(caller);
      return r.identity.membersOfGroup(group.id);
    });
    return users.map((u) => userView(u, link));
  }

  // ---- roles and grants

  /** KeystoneListPermissions: an admin's call in Huawei IAM, as the grants it serves are. */
  listRoles(
    caller: Caller,
    query: {
      domain_id?: string;
      name?: string;
      display_name?: string;
      catalog?: string;
      type?: string;
      page?: number;
      per_page?: number;
    },
    link: SelfLink,
  ) {
    this.#requireAdmin(caller, query.domain_id);
    const all = SYSTEM_ROLES.filter(
      (r) =>
        (query.name === undefined || r.name === query.name) &&
        (query.display_name === undefined || r.display_name === query.display_name) &&
        (query.catalog === undefined || r.catalog === query.catalog) &&
        // `domain` roles are those grantable on the domain (AA); every role is grantable on a project.
        (query.type === undefined ||
          query.type === 'project' ||
          r.type === query.type ||
          (query.type === 'domain' && r.type === 'AA')),
    );
    const perPage = query.per_page ?? all.length;
    const from = ((query.page ?? 1) - 1) * perPage;
    return all.slice(from, from + perPage).map((r) => roleView(r.id, link));
  }

  async grant(caller: Caller, projectId: string, groupId: string, roleId: string) {
    await this.deps.store.tx(async (r) => {
      const { project, group } = await this.#grantTarget(r, caller, projectId, groupId, roleId);
      await r.identity.grant(group.id, project.id, roleId);
      await audit(r, this.deps, caller, 'grant', 'group', group.id, {
        project_id: project.id,
        role_id: roleId,
      });
    });
  }

  async revoke(caller: Caller, projectId: string, groupId: string, roleId: string) {
    await this.deps.store.tx(async (r) => {
      const { project, group } = await this.#grantTarget(r, caller, projectId, groupId, roleId);
      if (!(await r.identity.revoke(group.id, project.id, roleId))) {
        throw notFound('grant', `${project.id}/${group.id}/${roleId}`);
      }
      await audit(r, this.deps, caller, 'revoke', 'group', group.id, {
        project_id: project.id,
        role_id: roleId,
      });
    });
  }

  async grantsOf(caller: Caller, projectId: string, groupId: string, link: SelfLink) {
    const rows = await this.deps.store.read(async (r) => {
      const project = await this.#projectOfDomain(r, caller, projectId);
      const group = await this.#groupOfDomain(r, caller, groupId);
      this.#requireAdmin(caller);
      return r.identity.grantsOfGroup(group.id, project.id);
    });
    return rows.map((g) => roleView(g.role_id, link));
  }

  // ---- helpers

  async #grantTarget(r: Tx, caller: Caller, projectId: string, groupId: string, roleId: string) {
    const project = await this.#projectOfDomain(r, caller, projectId);
    const group = await this.#groupOfDomain(r, caller, groupId, true);
    if (!systemRole(roleId)) throw notFound('role', roleId);
    this.#requireAdmin(caller);
    return { project, group };
  }

  /**
   * Refuses a caller outside the account's admin group, and a request naming another domain
   * (the body's or query's `domain_id`): an admin administers its own account only.
   */
  #requireAdmin(caller: Caller, domainId?: string): void {
    if (!caller.account_admin) {
      throw new ApiError('IAM.0403', 'Only members of the admin group may manage this account.');
    }
    if (domainId !== undefined && domainId !== '' && domainId !== caller.domain_id) {
      throw new ApiError('IAM.0403', `The caller has no access to domain ${domainId.slice(0, 64)}.`);
    }
  }

  /** Names are unique per account: concurrent creates in one account take turns here. */
  async #lockDomain(r: Tx, caller: Caller) {
    await r.identity.domainById(caller.domain_id, { forUpdate: true });
  }

  async #userOfDomain(r: Tx, caller: Caller, userId: string) {
    const user = await r.identity.userById(userId);
    if (!user || user.domain_id !== caller.domain_id) throw notFound('user', userId);
    return user;
  }

  async #groupOfDomain(r: Tx, caller: Caller, groupId: string, lock = false) {
    const group = await r.identity.groupById(groupId, lock ? { forUpdate: true } : undefined);
    if (!group || group.domain_id !== caller.domain_id) throw notFound('group', groupId);
    return group;
  }

  async #projectOfDomain(r: Tx, caller: Caller, projectId: string) {
    const project = await r.identity.projectById(projectId);
    if (!project || project.domain_id !== caller.domain_id) throw notFound('project', projectId);
    return project;
  }
}
