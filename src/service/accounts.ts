import { createHash } from 'node:crypto';
import { ApiError } from '../domain/errors.ts';
import { newAccessKey } from '../domain/ids.ts';
import { ADMIN_GROUP, ALL_PROJECTS, ROLE_TENANT_ADMIN } from '../domain/roles.ts';
import { hashPassword, safeEqual } from '../domain/secrets.ts';
import type { Tx } from '../store/store.ts';
import type { Deps } from './context.ts';
import { effectiveQuotas } from './quotas.ts';

/** The user every account starts with; it is in the account's `admin` group. */
export const ACCOUNT_ADMIN = 'admin';

export interface NewAccount {
  name: string;
  /** Given by the configuration for the first account; generated otherwise. */
  projectId: string;
  password: string;
  passwordHash: string;
  key: { access: string; secret: string };
  /** The admin key's description: `bootstrap` for the first account's. */
  keyDescription: string;
}

/**
 * The rows of a new account, in the caller's transaction: its domain, one project named after the
 * region, the `admin` group with full access on every project, and the admin user in that group
 * with one access key. Bootstrap and the operator API make accounts the same way.
 */
export async function insertAccount(
  r: Tx,
  deps: Deps,
  a: NewAccount,
): Promise<{ domainId: string; userId: string }> {
  const { ids, clock, config } = deps;
  const now = clock.now().toISOString();
  const domainId = ids.hex(16);
  const userId = ids.hex(16);
  const groupId = ids.hex(16);
  await r.identity.insertDomain({ id: domainId, name: a.name, created_at: now });
  await r.identity.insertProject({
    id: a.projectId,
    name: config.region,
    domain_id: domainId,
    created_at: now,
  });
  await r.identity.insertUser({
    id: userId,
    name: ACCOUNT_ADMIN,
    domain_id: domainId,
    password_hash: a.passwordHash,
    created_at: now,
  });
  await r.identity.insertGroup({
    id: groupId,
    domain_id: domainId,
    name: ADMIN_GROUP,
    description: 'Account administrators',
    created_at: now,
  });
  await r.identity.grant(groupId, ALL_PROJECTS, ROLE_TENANT_ADMIN);
  await r.identity.addMember(groupId, userId);
  await r.identity.insertAccessKey({
    ...a.key,
    user_id: userId,
    status: 'active',
    description: a.keyDescription,
    created_at: now,
  });
  return { domainId, userId };
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * The operator's API (README, "Accounts, users and roles"): accounts are made here, as sign-up
 * makes them in the cloud. Its one credential is the operator key, as `Authorization: Bearer`;
 * the key is never a tenant credential and no tenant credential is accepted here.
 */
export class Accounts {
  constructor(private readonly deps: Deps) {}

  /** Refuses, with 401, anything but the operator key. */
  async authenticate(authorization: string | undefined): Promise<void> {
    const bearer = /^Bearer ([\x21-\x7e]{1,512})$/.exec(authorization ?? '')?.[1];
    if (bearer === undefined) throw new ApiError('VPCEP.0401');
    const configured = this.deps.config.operatorKey;
    const hash = sha256(bearer);
    const ok =
      configured !== undefined
        ? safeEqual(sha256(configured), hash)
        : (await this.deps.store.read((r) => r.identity.operatorKeys())).some((k) => safeEqual(k.hash, hash));
    if (!ok) throw new ApiError('VPCEP.0401');
  }

  async create(name: string) {
    const { ids } = this.deps;
    const password = ids.hex(12);
    const account: NewAccount = {
      name,
      projectId: ids.hex(16),
      password,
      passwordHash: await hashPassword(password),
      key: newAccessKey(ids),
      keyDescription: 'account admin',
    };
    const made = await this.deps.store.tx(async (r) => {
      // Accounts are made one at a time across replicas, so a name taken meanwhile is seen here.
      await r.lockSetup();
      if (await r.identity.domainByName(name)) throw new ApiError('VPCEP.1001', `"${name}" exists.`);
      return insertAccount(r, this.deps, account);
    });
    return {
      domain_id: made.domainId,
      domain_name: name,
      project_id: account.projectId,
      project_name: this.deps.config.region,
      quotas: effectiveQuotas(this.deps, undefined),
      admin: {
        user_id: made.userId,
        name: ACCOUNT_ADMIN,
        password,
        access_key: account.key.access,
        secret_key: account.key.secret,
      },
    };
  }

  async list() {
    return this.deps.store.read(async (r) => {
      const out = [];
      for (const d of await r.identity.domains()) {
        const projects = await r.identity.projectsOfDomain(d.id);
        out.push({
          domain_id: d.id,
          domain_name: d.name,
          created_at: d.created_at,
          quotas: effectiveQuotas(this.deps, d),
          projects: projects.map((p) => ({ id: p.id, name: p.name })),
        });
      }
      return out;
    });
  }

  /**
   * The account's own quotas, for every project of it (spec/quotas.md): a type given a number
   * takes it, null goes back to the configured default, a type left out keeps its value.
   */
  async setQuotas(domainId: string, q: { endpoint?: number | null; endpoint_service?: number | null }) {
    return this.deps.store.tx(async (r) => {
      const domain = await r.identity.domainById(domainId, { forUpdate: true });
      if (!domain) throw new ApiError('VPCEP.0404', `No account ${domainId.slice(0, 64)}.`);
      const patch = {
        ...(q.endpoint === undefined ? {} : { quota_endpoints: q.endpoint }),
        ...(q.endpoint_service === undefined ? {} : { quota_endpoint_services: q.endpoint_service }),
      };
      if (Object.keys(patch).length > 0) await r.identity.setQuotas(domainId, patch);
      return effectiveQuotas(this.deps, { ...domain, ...patch });
    });
  }

  async delete(domainId: string) {
    await this.deps.store.tx(async (r) => {
      const domain = await r.identity.domainById(domainId, { forUpdate: true });
      if (!domain) throw new ApiError('VPCEP.0404', `No account ${domainId.slice(0, 64)}.`);
      if (await r.identity.domainHasResources(domainId, this.deps.clock.now())) {
        throw new ApiError(
          'VPCEP.1002',
          `Account "${domain.name}" still has VPCs, endpoints or endpoint services.`,
        );
      }
      await r.identity.deleteDomain(domainId);
    });
  }
}

/** The stored form of an operator key: nobody who reads the store learns the key. */
export const operatorKeyHash = sha256;
