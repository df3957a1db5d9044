import fs from 'node:fs';
import path from 'node:path';
import { hashPassword } from '../domain/secrets.ts';
import { newAccessKey } from '../domain/ids.ts';
import { ACCOUNT_ADMIN, insertAccount, operatorKeyHash } from './accounts.ts';
import type { Deps } from './context.ts';

export const BOOTSTRAP_DOMAIN = 'vpcep';
export const BOOTSTRAP_USER = ACCOUNT_ADMIN;

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
  const { config, ids } = deps;
  const file = config.databaseUrl === undefined ? path.join(config.dataDir, 'credentials.json') : undefined;
  const existing = await deps.store.read(async (r) => {
    const domain = await r.identity.domainByName(BOOTSTRAP_DOMAIN);
    if (!domain) return undefined;
    const projects = await r.identity.projectsOfDomain(domain.id);
    return projects.find((p) => p.name === config.region) ?? projects[0];
  });
  if (existing) {
    const generated = await ensureOperatorKey(deps, file);
    await loadGatewayServices(deps);
    return {
      created: false,
      project_id: existing.id,
      generated,
      credentialsFile: Object.keys(generated).length > 0 ? file : undefined,
    };
  }

  // The file is written before the account commits: a crash in between leaves a file whose values
  // the next start reuses, so the file never names secrets of an account that was never made.
  // (A file the user edits by hand is theirs; nothing here checks it against the store.)
  const saved = file ? readCredentials(file) : {};
  const generated: Record<string, string> = {};
  const value = (name: keyof Credentials, configured: string | undefined, make: () => string) =>
    configured ?? saved[name] ?? (generated[name] = make());
  const key = newAccessKey(ids);
  const secrets: Credentials = {
    project_id: value('project_id', config.projectId, () => ids.hex(16)),
    password: value('password', config.adminPassword, () => ids.hex(12)),
    access_key: value('access_key', config.adminAk, () => key.access),
    secret_key: value('secret_key', config.adminSk, () => key.secret),
  };
  // A configured operator key stays in the environment; only a generated one is kept.
  if (config.operatorKey === undefined)
    secrets.operator_key = value('operator_key', undefined, () => ids.hex(32));
  const passwordHash = await hashPassword(secrets.password);
  let credentialsFile = file ? writeCredentials(deps, file, secrets) : undefined;
  if (file && !credentialsFile && generated.operator_key !== undefined) {
    // The file an interrupted start left predates the operator key: it gains it.
    addToCredentials(file, { operator_key: generated.operator_key });
    credentialsFile = file;
  }

  const created = await deps.store.tx(async (r) => {
    // Replicas starting together take turns here; another may have bootstrapped meanwhile.
    await r.lockSetup();
    if (await r.identity.domainByName(BOOTSTRAP_DOMAIN)) return false;
    await insertAccount(r, deps, {
      name: BOOTSTRAP_DOMAIN,
      projectId: secrets.project_id,
      password: secrets.password,
      passwordHash,
      key: { access: secrets.access_key, secret: secrets.secret_key },
      keyDescription: 'bootstrap',
    });
    if (secrets.operator_key !== undefined && (await r.identity.operatorKeys()).length === 0) {
      await r.identity.insertOperatorKey({
        hash: operatorKeyHash(secrets.operator_key),
        created_at: deps.clock.now().toISOString(),
      });
    }
    return true;
  });
  await loadGatewayServices(deps);
  if (!created) return bootstrap(deps);
  return { created, project_id: secrets.project_id, generated, credentialsFile };
}

/**
 * A store made before the operator API existed has no operator key: one is made now, kept as a
 * hash, shown once, and added to the credentials file when there is one.
 */
async function ensureOperatorKey(deps: Deps, file: string | undefined): Promise<Record<string, string>> {
  if (deps.config.operatorKey !== undefined) return {};
  const saved = file ? readCredentials(file) : {};
  const key = saved.operator_key ?? deps.ids.hex(32);
  const made = await deps.store.tx(async (r) => {
    if ((await r.identity.operatorKeys()).length > 0) return false;
    await r.lockSetup();
    if ((await r.identity.operatorKeys()).length > 0) return false;
    await r.identity.insertOperatorKey({
      hash: operatorKeyHash(key),
      created_at: deps.clock.now().toISOString(),
    });
    return true;
  });
  if (!made) return {};
  if (file && saved.operator_key === undefined) addToCredentials(file, { operator_key: key });
  return saved.operator_key === undefined ? { operator_key: key } : {};
}

interface Credentials {
  project_id: string;
  password: string;
  access_key: string;
  secret_key: string;
  operator_key?: string;
}

/** The secrets a credentials file left by an earlier, interrupted bootstrap holds. */
function readCredentials(file: string): Partial<Credentials> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return {};
  }
  const out: Partial<Credentials> = {};
  for (const key of ['project_id', 'password', 'access_key', 'secret_key', 'operator_key'] as const) {
    const v = (parsed as Record<string, unknown> | null)?.[key];
    if (typeof v === 'string' && v !== '') out[key] = v;
  }
  return out;
}

/** Writes what the CLI needs to log in: mode 0600, never over an existing file. */
function writeCredentials(deps: Deps, file: string, secrets: Credentials): string | undefined {
  const body = {
    endpoint: connectUrl(deps.config.host, deps.config.port),
    region: deps.config.region,
    domain: BOOTSTRAP_DOMAIN,
    user: BOOTSTRAP_USER,
    ...secrets,
  };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  // Written whole to a temporary file, then linked into place: a crash never leaves half a file,
  // and link() refuses to replace one that exists.
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(tmp, 'w', 0o600);
  try {
    fs.writeSync(fd, JSON.stringify(body, null, 2) + '\n');
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.linkSync(tmp, file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
    throw e;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  return file;
}

/** Adds fields to an existing credentials file, replacing it whole (temporary file, then rename). */
function addToCredentials(file: string, fields: Record<string, string>): void {
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return; // No file, or one the user made unreadable: the key was shown on the console.
  }
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(tmp, 'w', 0o600);
  try {
    fs.writeSync(fd, JSON.stringify({ ...body, ...fields }, null, 2) + '\n');
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}

/**
 * Adds configured gateway services that the store does not have yet, all in one transaction: a
 * start pays one commit however many services are configured.
 */
async function loadGatewayServices(deps: Deps): Promise<void> {
  const { config, ids, clock, log } = deps;
  const now = clock.now().toISOString();
  await deps.store.tx(async (r) => {
    await r.lockSetup();
    for (const g of config.gatewayServices) {
      const name = `${config.region}.${g.name}`;
      const existing = await r.services.byName(name, clock.now());
      if (existing) {
        if (existing.cidrs !== JSON.stringify(g.cidrs)) {
          // Changing CIDRs under bound endpoints would orphan their routes; keep what is stored.
          log.warn(
            { service: name },
            'configured CIDRs differ from the stored ones; keeping the stored ones',
          );
        }
        continue;
      }
      await r.services.insert({
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
    }
  });
}

/** An address to connect to: a wildcard listen address means this machine; IPv6 goes in brackets. */
export function connectUrl(host: string, port: number): string {
  const h = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${h.includes(':') ? `[${h}]` : h}:${port}`;
}
