import { ApiError } from '../domain/errors.ts';
import { iamTime, newAccessKey } from '../domain/ids.ts';
import type { Tx } from '../store/store.ts';
import type { LockOption, Row } from '../store/queries.ts';
import { audit, type Caller, type Deps } from './context.ts';

/** Huawei IAM allows two access keys per user. */
export const MAX_KEYS_PER_USER = 2;

function keyView(k: Row<'access_keys'>) {
  return {
    user_id: k.user_id,
    access: k.access,
    status: k.status,
    create_time: iamTime(new Date(k.created_at)),
    description: k.description,
  };
}

/** Keys are managed by their own user, or by an admin of the account (issue 10). */
function mayManageKeysOf(caller: Caller, userId: string): void {
  if (userId !== caller.user_id && !caller.account_admin) {
    throw new ApiError('IAM.0403', "Only the key's own user or an account admin may manage it.");
  }
}

/**
 * AK/SK pairs (IAM `OS-CREDENTIAL`). A caller manages its own keys; an account admin, those of
 * every user of the account. The SK is
 * returned once, by create, and never again; it is never logged.
 */
export class AccessKeys {
  constructor(private readonly deps: Deps) {}

  async create(caller: Caller, input: { user_id: string; description?: string }) {
    const { ids, clock } = this.deps;
    const row: Row<'access_keys'> = {
      ...newAccessKey(ids),
      user_id: input.user_id,
      status: 'active',
      description: input.description ?? '',
      created_at: clock.now().toISOString(),
    };
    await this.deps.store.tx(async (r) => {
      // Locked: two keys created at once for one user must not both pass the count.
      await this.#userOfDomain(r, caller, input.user_id, { forUpdate: true });
      if ((await r.identity.accessKeysOfUser(input.user_id)).length >= MAX_KEYS_PER_USER)
        throw new ApiError('IAM.0409');
      await r.identity.insertAccessKey(row);
      await audit(r, this.deps, caller, 'create', 'access-key', row.access, { user_id: row.user_id });
    });
    return { ...keyView(row), secret: row.secret };
  }

  async list(caller: Caller, userId: string | undefined) {
    return this.deps.store.read(async (r) => {
      const user = await this.#userOfDomain(r, caller, userId ?? caller.user_id);
      return (await r.identity.accessKeysOfUser(user.id)).map(keyView);
    });
  }

  async get(caller: Caller, access: string) {
    return this.deps.store.read(async (r) => keyView(await this.#keyOfDomain(r, caller, access)));
  }

  async update(
    caller: Caller,
    access: string,
    patch: { status?: 'active' | 'inactive'; description?: string },
  ) {
    // Named fields only: the request may carry others (user_id, secret…), which must never reach the row.
    const change: { status?: 'active' | 'inactive'; description?: string } = {};
    if (patch.status !== undefined) change.status = patch.status;
    if (patch.description !== undefined) change.description = patch.description;
    return this.deps.store.tx(async (r) => {
      const key = await this.#keyOfDomain(r, caller, access);
      if (Object.keys(change).length > 0) await r.identity.updateAccessKey(access, change);
      await audit(r, this.deps, caller, 'update', 'access-key', access, change);
      return keyView({ ...key, ...change });
    });
  }

  async delete(caller: Caller, access: string) {
    await this.deps.store.tx(async (r) => {
      await this.#keyOfDomain(r, caller, access);
      await r.identity.deleteAccessKey(access);
      await audit(r, this.deps, caller, 'delete', 'access-key', access);
    });
  }

  /**
   * A user of the caller's domain. Another domain's user answers exactly as one that does not
   * exist, so nobody learns which ids exist elsewhere.
   */
  async #userOfDomain(r: Tx, caller: Caller, userId: string, lock?: LockOption) {
    const user = await r.identity.userById(userId, lock);
    if (!user || user.domain_id !== caller.domain_id) throw new ApiError('IAM.0404', `No user ${userId}.`);
    mayManageKeysOf(caller, user.id);
    return user;
  }

  /** A key of a user of the caller's domain; another domain's key answers as an unknown one. */
  async #keyOfDomain(r: Tx, caller: Caller, access: string) {
    const key = await r.identity.accessKey(access);
    // Looked up either way, so an unknown key costs the same work as a foreign one.
    const owner = await r.identity.userById(key?.user_id ?? '');
    if (!key || !owner || owner.domain_id !== caller.domain_id) {
      throw new ApiError('IAM.0404', `No access key ${access}.`);
    }
    mayManageKeysOf(caller, owner.id);
    return key;
  }
}
