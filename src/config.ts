import path from 'node:path';
import { parseCidr } from './domain/cidr.ts';

/** A gateway endpoint service offered by the operator (design.md, "Start-up contract"). */
export interface GatewayServiceConfig {
  /** Short name; the full service name is `<region>.<name>`. */
  name: string;
  /** Destinations of the `egw` routes that binding a route table programs. */
  cidrs: string[];
}

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  /** `postgres://...` selects PostgreSQL; undefined means SQLite under dataDir. */
  databaseUrl: string | undefined;
  region: string;
  /** Bootstrap values: undefined means "generate one". */
  projectId: string | undefined;
  adminPassword: string | undefined;
  adminAk: string | undefined;
  adminSk: string | undefined;
  /** The operator API's key (VPCEP_OPERATOR_KEY); generated at first start when unset. */
  operatorKey: string | undefined;
  gatewayServices: GatewayServiceConfig[];
  logLevel: string;
  /** `pretty`: one readable line per entry (a terminal); `json`: one JSON object per line. */
  logFormat: LogFormat;
  /** Whether `GET /metrics` (Prometheus) exists at all. */
  metrics: boolean;
  /** A port of its own for `/metrics`, on `host`; undefined: on the API port (when `metrics`). */
  metricsPort: number | undefined;
  bodyLimit: number;
  /** How long a call waits for its turn on an endpoint before 409 VPCEP.0409 (routetables.md). */
  lockTimeoutMs: number;
  /** Delay from create to `accepted` / `pendingAcceptance`; 0 mimics nothing, the cloud takes 1-2 minutes. */
  provisioningDelayMs: number;
  /** Delay from delete to gone, `deleting` meanwhile (spec/operations.md, "Lifecycle"); 0: gone at once. */
  deletionDelayMs: number;
  tokenTtlMs: number;
  /** How long a request body may take to arrive before 408 EndPoint.0013 (errors.md). */
  bodyTimeoutMs: number;
  /** The largest request line and header block; past it 431 APIGW.0201. */
  maxHeaderBytes: number;
  /** How long the request line and headers may take to arrive before 408 EndPoint.0013. */
  headersTimeoutMs: number;
  /** How long a keep-alive connection may sit idle between requests before it is closed. */
  keepAliveTimeoutMs: number;
  /** Failed password logins: at most this many per user name within the window... */
  loginFailuresPerUser: number;
  /** ...and this many per source address; past either, 429 APIGW.0308 until the window moves on. */
  loginFailuresPerAddress: number;
  loginWindowMs: number;
  /** Server-wide quotas per project (spec/quotas.md); the operator API sets an account's own. */
  quotaEndpoints: number;
  quotaEndpointServices: number;
  /** Whether the web console is served at /console (spec/console.md); on unless turned off. */
  console: boolean;
}

export type Env = Record<string, string | undefined>;

export type LogFormat = 'pretty' | 'json';

/** Flags given on the command line; they win over the environment. */
export interface Flags {
  host?: string;
  port?: string | number;
  dataDir?: string;
  databaseUrl?: string;
  region?: string;
  logLevel?: string;
  /** `--no-console` sets it false. */
  console?: boolean;
  logFormat?: string;
  metrics?: boolean;
  metricsPort?: string | number;
}

class ConfigError extends Error {}
export { ConfigError };

function int(
  name: string,
  raw: string | number | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (raw === undefined || raw === '') return fallback;
  // Decimal digits only: Number() would also take " ", "0x1F90" and "1e3".
  const n = typeof raw === 'number' ? raw : /^-?\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return n;
}

function gatewayServices(raw: string | undefined, region: string): GatewayServiceConfig[] {
  if (raw === undefined || raw === '') {
    // Huawei's object-storage gateway service; 100.125.0.0/16 is the documented OBS service range.
    return [{ name: 'com.myhuaweicloud.v4.obsv2', cidrs: ['100.125.0.0/16'] }];
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigError('VPCEP_GATEWAY_SERVICES must be JSON: [{"name": "...", "cidrs": ["a.b.c.d/n"]}]');
  }
  if (
    !Array.isArray(parsed) ||
    !parsed.every(
      (s) =>
        typeof s === 'object' &&
        s !== null &&
        typeof s.name === 'string' &&
        s.name.length > 0 &&
        Array.isArray(s.cidrs) &&
        s.cidrs.length > 0 &&
        s.cidrs.every((c: unknown) => typeof c === 'string' && parseCidr(c) !== undefined),
    )
  ) {
    throw new ConfigError(
      `VPCEP_GATEWAY_SERVICES must be a list of {"name", "cidrs"} for region ${region}, each with at least one valid CIDR (a.b.c.d/n)`,
    );
  }
  return parsed as GatewayServiceConfig[];
}

/** The largest quota the configuration or the operator API may set. */
export const MAX_QUOTA = 1_000_000;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function oneOf(name: string, raw: string, allowed: string[]): string {
  if (!allowed.includes(raw))
    throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, got "${raw}"`);
  return raw;
}

function bool(name: string, raw: string | undefined, fallback: boolean): boolean {
  if (raw === undefined || raw === '') return fallback;
  if (raw === '1' || raw === 'true') return true;
  if (raw === '0' || raw === 'false') return false;
  throw new ConfigError(`${name} must be 1, true, 0 or false, got "${raw}"`);
}

function matching(name: string, raw: string, pattern: RegExp, what: string): string {
  if (!pattern.test(raw)) throw new ConfigError(`${name} must be ${what}, got "${raw}"`);
  return raw;
}

function operatorKey(value: string | undefined): string | undefined {
  if (!value) return undefined;
  if (!/^[\x21-\x7e]{16,512}$/.test(value)) {
    throw new ConfigError('VPCEP_OPERATOR_KEY must be 16 to 512 printable ASCII characters, no spaces');
  }
  return value;
}

/**
 * The one place that reads the environment (design.md, "config.ts"). `tty`: whether standard output
 * is a terminal, which picks the default log format.
 */
export function loadConfig(
  env: Env = process.env,
  flags: Flags = {},
  cwd = process.cwd(),
  tty = process.stdout.isTTY === true,
): Readonly<Config> {
  // An empty variable means unset: `VPCEP_DATA_DIR=` must not put the data in the working directory.
  const region = matching(
    'the region (--region, VPCEP_REGION)',
    flags.region ?? (env.VPCEP_REGION || 'cn-north-4'),
    /^[a-z0-9]+(-[a-z0-9]+)*$/,
    'lower-case words joined by "-", like cn-north-4',
  );
  const projectId = env.VPCEP_PROJECT_ID || undefined;
  if (projectId !== undefined && !/^[0-9a-f]{32}$/.test(projectId)) {
    throw new ConfigError('VPCEP_PROJECT_ID must be 32 lower-case hex characters');
  }
  const databaseUrl = flags.databaseUrl ?? (env.VPCEP_DATABASE_URL || undefined);
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('the database URL must start with postgres:// or postgresql://');
  }
  const port = int('the port (--port, VPCEP_PORT)', flags.port ?? env.VPCEP_PORT, 8080, 0, 65535);
  const metricsPortRaw = flags.metricsPort ?? env.VPCEP_METRICS_PORT;
  const metricsPort =
    metricsPortRaw === undefined || metricsPortRaw === ''
      ? undefined
      : int('the metrics port (--metrics-port, VPCEP_METRICS_PORT)', metricsPortRaw, 0, 0, 65535);
  if (metricsPort !== undefined && metricsPort !== 0 && metricsPort === port) {
    throw new ConfigError(
      `the metrics port (--metrics-port, VPCEP_METRICS_PORT) must differ from the port (--port, VPCEP_PORT), got ${port} for both; omit it to serve /metrics on the API port`,
    );
  }
  const config: Config = {
    host: matching(
      'the host (--host, VPCEP_HOST)',
      flags.host ?? (env.VPCEP_HOST || '127.0.0.1'),
      /^[A-Za-z0-9.:-]{1,253}$/,
      'an IP address or a host name',
    ),
    port,
    dataDir: path.resolve(cwd, flags.dataDir ?? (env.VPCEP_DATA_DIR || 'data')),
    databaseUrl,
    region,
    projectId,
    adminPassword: env.VPCEP_ADMIN_PASSWORD || undefined,
    adminAk: env.VPCEP_ADMIN_AK || undefined,
    adminSk: env.VPCEP_ADMIN_SK || undefined,
    operatorKey: operatorKey(env.VPCEP_OPERATOR_KEY),
    gatewayServices: gatewayServices(env.VPCEP_GATEWAY_SERVICES, region),
    logLevel: oneOf(
      'the log level (--log-level, VPCEP_LOG_LEVEL)',
      flags.logLevel ?? (env.VPCEP_LOG_LEVEL || 'info'),
      LOG_LEVELS,
    ),
    logFormat: oneOf(
      'the log format (--log-format, VPCEP_LOG_FORMAT)',
      flags.logFormat ?? (env.VPCEP_LOG_FORMAT || (tty ? 'pretty' : 'json')),
      ['pretty', 'json'],
    ) as LogFormat,
    // A port of its own for /metrics turns metrics on by itself.
    metrics:
      (flags.metrics ?? bool('the metrics switch (--metrics, VPCEP_METRICS)', env.VPCEP_METRICS, false)) ||
      metricsPort !== undefined,
    metricsPort,
    bodyLimit: int('VPCEP_BODY_LIMIT', env.VPCEP_BODY_LIMIT, 1024 * 1024, 1024, 64 * 1024 * 1024),
    lockTimeoutMs: int('VPCEP_LOCK_TIMEOUT_MS', env.VPCEP_LOCK_TIMEOUT_MS, 10_000, 1, 600_000),
    provisioningDelayMs: int('VPCEP_PROVISIONING_DELAY_MS', env.VPCEP_PROVISIONING_DELAY_MS, 0, 0, 3_600_000),
    deletionDelayMs: int('VPCEP_DELETION_DELAY_MS', env.VPCEP_DELETION_DELAY_MS, 0, 0, 3_600_000),
    tokenTtlMs: 24 * 3600 * 1000,
    bodyTimeoutMs: int('VPCEP_BODY_TIMEOUT_MS', env.VPCEP_BODY_TIMEOUT_MS, 30_000, 100, 600_000),
    maxHeaderBytes: int('VPCEP_MAX_HEADER_BYTES', env.VPCEP_MAX_HEADER_BYTES, 16 * 1024, 1024, 1024 * 1024),
    headersTimeoutMs: int('VPCEP_HEADERS_TIMEOUT_MS', env.VPCEP_HEADERS_TIMEOUT_MS, 10_000, 100, 600_000),
    keepAliveTimeoutMs: int(
      'VPCEP_KEEP_ALIVE_TIMEOUT_MS',
      env.VPCEP_KEEP_ALIVE_TIMEOUT_MS,
      72_000,
      100,
      600_000,
    ),
    loginFailuresPerUser: int(
      'VPCEP_LOGIN_FAILURES_PER_USER',
      env.VPCEP_LOGIN_FAILURES_PER_USER,
      5,
      1,
      10_000,
    ),
    loginFailuresPerAddress: int(
      'VPCEP_LOGIN_FAILURES_PER_ADDRESS',
      env.VPCEP_LOGIN_FAILURES_PER_ADDRESS,
      20,
      1,
      100_000,
    ),
    loginWindowMs: int('VPCEP_LOGIN_WINDOW_MS', env.VPCEP_LOGIN_WINDOW_MS, 60_000, 1_000, 86_400_000),
    // The published ListQuotaDetails example's values: 150 endpoints, 100 endpoint services.
    quotaEndpoints: int('VPCEP_QUOTA_ENDPOINTS', env.VPCEP_QUOTA_ENDPOINTS, 150, 0, MAX_QUOTA),
    quotaEndpointServices: int(
      'VPCEP_QUOTA_ENDPOINT_SERVICES',
      env.VPCEP_QUOTA_ENDPOINT_SERVICES,
      100,
      0,
      MAX_QUOTA,
    ),
    console: flags.console ?? bool('the console (--no-console, VPCEP_CONSOLE)', env.VPCEP_CONSOLE, true),
  };
  return Object.freeze(config);
}

/** A config for tests and embedding: defaults, with overrides. Reads no environment. */
export function testConfig(overrides: Partial<Config> = {}): Readonly<Config> {
  return Object.freeze({ ...loadConfig({}, {}, process.cwd(), false), ...overrides });
}
