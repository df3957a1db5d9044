import fs from 'node:fs';
import path from 'node:path';
import { hashPassword } from '../domain/secrets.ts';
import { parseCidr } from '../domain/cidr.ts';
import type { Deps } from './context.ts';

export const BOOTSTRAP_DOMAIN = 'vpcep';
export const BOOTSTRAP_USER = 'admin';

export interface BootstrapResult {
  /** True when this call created the account (and so may have generated secrets). */
  created: boolean;
  project_id: string;
  /** Values that were generated, to print once. Empty when nothing was generated. */
  generated: Record<string, string>;
  credentialsFile: string | undefined;
}

/**
 * The start-up contract of design.md: one account (domain `vpcep`, user `admin`, a project named
 * after the region) on an empty store, never touching an existing one; then the operator's
 * gateway services.
 */
export async function bootstrap(deps: Deps): Promise<BootstrapResult> {
  const { config, ids, clock } = deps;
  const now = clock.now().toISOString();
  const generated: Record<string, string> = {};
  const password = config.adminPassword ?? (generated.password = ids.hex(12));
  const projectId = config.projectId ?? (generated.project_id = ids.hex(16));
  // Huawei AKs are 20 upper-case alphanumerics, SKs 40 characters.
  const ak = config.adminAk ?? (generated.access_key = ids.hex(10).toUpperCase());
  const sk = config.adminSk ?? (generated.secret_key = ids.hex(20));
  const passwordHash = await hashPassword(password);

  const result = await deps.store.tx(async (r) => {
    const existing = await r.domainByName(BOOTSTRAP_DOMAIN);
    if (existing) {
      const projects = await r.projectsOfDomain(existing.id);
      const project = projects.find((p) => p.name === config.region) ?? projects[0];
      return { created: false, project_id: project?.id ?? '' };
    }
    const domainId = ids.hex(16);
    await r.insertDomain({ id: domainId, name: BOOTSTRAP_DOMAIN, created_at: now });
    await r.insertProject({ id: projectId, name: config.region, domain_id: domainId, created_at: now });
    const userId = ids.hex(16);
    await r.insertUser({
      id: userId,
      name: BOOTSTRAP_USER,
      domain_id: domainId,
      password_hash: passwordHash,
      created_at: now,
    });
    await r.insertAccessKey({
      access: ak,
      secret: sk,
      user_id: userId,
      status: 'active',
      description: 'bootstrap',
      created_at: now,
    });
    return { created: true, project_id: projectId };
  });

  await loadGatewayServices(deps);

  let credentialsFile: string | undefined;
  if (result.created && config.databaseUrl === undefined) {
    credentialsFile = writeCredentials(deps, {
      project_id: result.project_id,
      password,
      access_key: ak,
      secret_key: sk,
    });
  }
  return { ...result, generated: result.created ? generated : {}, credentialsFile };
}

/** Writes what the CLI needs to log in; mode 0600, and never over an existing file. */
function writeCredentials(
  deps: Deps,
  secrets: { project_id: string; password: string; access_key: string; secret_key: string },
): string | undefined {
  const file = path.join(deps.config.dataDir, 'credentials.json');
  const body = {
    endpoint: `http://${deps.config.host}:${deps.config.port}`,
    region: deps.config.region,
    domain: BOOTSTRAP_DOMAIN,
    user: BOOTSTRAP_USER,
    ...secrets,
  };
  fs.mkdirSync(deps.config.dataDir, { recursive: true });
  try {
    fs.writeFileSync(file, JSON.stringify(body, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
    throw e;
  }
  return file;
}

/** Adds configured gateway services that the store does not have yet. */
async function loadGatewayServices(deps: Deps): Promise<void> {
  const { config, ids, clock, log } = deps;
  for (const g of config.gatewayServices) {
    const bad = g.cidrs.filter((c) => parseCidr(c) === undefined);
    if (bad.length > 0) throw new Error(`gateway service ${g.name}: invalid CIDR ${bad.join(', ')}`);
    const name = `${config.region}.${g.name}`;
    const now = clock.now().toISOString();
    await deps.store.tx(async (r) => {
      const existing = await r.serviceByName(name);
      if (existing) {
        if (existing.cidrs !== JSON.stringify(g.cidrs)) {
          // Changing CIDRs under bound endpoints would orphan their routes; keep what is stored.
          log.warn(
            { service: name },
            'configured CIDRs differ from the stored ones; keeping the stored ones',
          );
        }
        return;
      }
      await r.insertService({
        id: ids.uuid(),
        owner_project_id: null,
        owner: 'vpcep',
        service_name: name,
        service_type: 'gateway',
        server_type: 'VIP',
        vpc_id: '',
        port_id: '',
        approval_enabled: 0,
        status: 'available',
        cidrs: JSON.stringify(g.cidrs),
        is_charge: 0,
        enable_policy: 1,
        description: '',
        created_at: now,
        updated_at: now,
      });
    });
  }
}
