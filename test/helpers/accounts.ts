import { randomBytes } from 'node:crypto';
import { hashPassword } from '../../src/domain/secrets.ts';
import type { Store } from '../../src/store/store.ts';

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
 * Another account written straight into the store (the API has no call that creates domains or
 * users): a domain with one project, one user and one active access key.
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

/** A second project in an existing domain. */
export async function addProject(store: Store, domainId: string, name: string): Promise<string> {
  const id = hex(16);
  await store.tx((r) =>
    r.identity.insertProject({ id, name, domain_id: domainId, created_at: new Date().toISOString() }),
  );
  return id;
}
