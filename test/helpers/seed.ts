import type { EndpointStatus } from '../../src/domain/endpoint-status.ts';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { ADMIN_GROUP, ALL_PROJECTS, ROLE_TENANT_ADMIN } from '../../src/domain/roles.ts';
import { hashPassword } from '../../src/domain/secrets.ts';
import type { NewRow } from '../../src/store/queries.ts';
import type { Store } from '../../src/store/store.ts';

/**
 * State the HTTP API has no call to make, written straight into the store: other domains, users and
 * projects; endpoint services of a project's own; endpoints in a status only the cloud's back end
 * sets (failed, rejected, …). Everything the API can make, a test makes through the API
 * (fixtures.ts): this file is the one place a test seeds through the store.
 */

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

export interface Account {
  domainId: string;
  domainName: string;
  projectId: string;
  projectName: string;
  userId: string;
  userName: string;
  password: string;
  ak: string;
  sk: string;
}

/**
 * Another account written straight into the store, quicker than the operator API and free to name
 * its user: a domain with one project, one user in the `admin` group, and one active access key.
 */
export async function addAccount(
  store: Store,
  o: { domain: string; project?: string; user?: string; password?: string } = { domain: 'other' },
): Promise<Account> {
  const now = new Date().toISOString();
  const a: Account = {
    domainId: hex(16),
    domainName: o.domain,
    projectId: hex(16),
    projectName: o.project ?? 'cn-north-4',
    userId: hex(16),
    userName: o.user ?? 'admin',
    password: o.password ?? 'other-password-1',
    ak: hex(10).toUpperCase(),
    sk: hex(20),
  };
  const passwordHash = await hashPassword(a.password);
  await store.tx(async (r) => {
    await r.identity.insertDomain({ id: a.domainId, name: a.domainName, created_at: now });
    await r.identity.insertProject({
      id: a.projectId,
      name: a.projectName,
      domain_id: a.domainId,
      created_at: now,
    });
    await r.identity.insertUser({
      id: a.userId,
      name: a.userName,
      domain_id: a.domainId,
      password_hash: passwordHash,
      created_at: now,
    });
    // Its user administers it, as an account's first user does (service/accounts.ts).
    const groupId = hex(16);
    await r.identity.insertGroup({
      id: groupId,
      domain_id: a.domainId,
      name: ADMIN_GROUP,
      description: '',
      created_at: now,
    });
    await r.identity.grant(groupId, ALL_PROJECTS, ROLE_TENANT_ADMIN);
    await r.identity.addMember(groupId, a.userId);
    await r.identity.insertAccessKey({
      access: a.ak,
      secret: a.sk,
      user_id: a.userId,
      status: 'active',
      description: '',
      created_at: now,
    });
  });
  return a;
}

/** A second project in an existing domain (by name: the bootstrapped one is `vpcep`). */
export async function addProject(store: Store, domainName: string, name: string): Promise<string> {
  const id = hex(16);
  await store.tx(async (r) => {
    const domain = await r.identity.domainByName(domainName);
    assert.ok(domain, `no domain ${domainName}`);
    await r.identity.insertProject({ id, name, domain_id: domain.id, created_at: new Date().toISOString() });
  });
  return id;
}

/**
 * An available endpoint service owned by `projectId` (the API cannot create one); its service name
 * is `cn-north-4.<label>.<id prefix>`. Returns its id.
 */
export async function addOwnService(
  store: Store,
  projectId: string,
  label: string,
  fields: Pick<NewRow<'endpoint_services'>, 'service_type' | 'server_type' | 'vpc_id' | 'port_id' | 'cidrs'>,
): Promise<string> {
  const now = new Date().toISOString();
  const id = randomUUID();
  await store.tx(async (r) => {
    const project = await r.identity.projectById(projectId);
    await r.services.insert({
      id,
      owner_project_id: projectId,
      owner_domain_id: project?.domain_id ?? '',
      owner: projectId,
      service_name: `cn-north-4.${label}.${id.slice(0, 8)}`,
      ...fields,
      approval_enabled: 0,
      status: 'available',
      is_charge: 0,
      enable_policy: 0,
      description: '',
      created_at: now,
      updated_at: now,
    });
  });
  return id;
}

/**
 * Puts an endpoint in a status at once, in a world whose delays would not give it there:
 * `deleting` (for a year), `failed` (as a provisioning fault fails one), `pendingAcceptance` or
 * `rejected`. A deleting or failed endpoint holds no table and no address (spec/operations.md,
 * "Lifecycle"), so those it held are let go, as the API lets them go.
 */
export async function setEndpointStatus(
  store: Store,
  endpointId: string,
  status: EndpointStatus,
): Promise<void> {
  const year = new Date(Date.now() + 366 * 24 * 3600 * 1000).toISOString();
  await store.tx(async (r) => {
    if (status === 'deleting' || status === 'failed') await r.endpoints.release([endpointId]);
    await r.endpoints.update(endpointId, {
      status,
      ...(status === 'deleting' ? { ready_at: year } : {}),
      ...(status === 'failed'
        ? { error_code: 'VPCEP.3001', error_message: 'Failed to create the VPC endpoint.' }
        : {}),
    });
  });
}
