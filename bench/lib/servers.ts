// The servers a bench drives: the compiled vpcep server in a process of its own, as `npm start`
// runs it; the ceiling, a bare node:http server in a process of its own too; and the bare front,
// the rebind's service behind such a server.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type net from 'node:net';
import path from 'node:path';
import { MAX_QUOTA } from '../../src/config.ts';
import { firstOk, freePort, rssMb, spawnChild, stop, tempDir } from './processes.ts';

/** What every server of one bench run is given, so that nothing is generated and printed. */
export const ACCOUNT = {
  projectId: randomBytes(16).toString('hex'),
  password: `bench-${randomBytes(8).toString('hex')}`,
  ak: randomBytes(10).toString('hex').toUpperCase(),
  sk: randomBytes(20).toString('hex'),
};

/** The body a rebind answers: what the ceiling answers too. */
export const REBIND_BODY = JSON.stringify({ routetables: ['99477d3b-87f6-49d2-8f3b-2ffc72731a38'] });

export interface Server {
  url: string;
  pid: number;
  /** Spawn → first 200 on `GET /`. */
  startupMs: number;
  /** The resident set one second after the first 200. */
  idleRssMb: number;
  rssMb(): number;
  stop(): Promise<void>;
}

export interface ServerOptions {
  /** Compiled entry point, `dist/main.js`. */
  entry: string;
  /** SQLite's data dir; a fresh temporary one when omitted. */
  dataDir?: string;
  databaseUrl?: string;
  /** Node flags (`--cpu-prof`). */
  nodeFlags?: string[];
  /** More options of `serve` (`--metrics`). */
  args?: string[];
}

/**
 * The environment without the caller's own VPCEP_* settings (a VPCEP_DATABASE_URL would turn a
 * SQLite row into a PostgreSQL one), but for the log level, which defaults to info as `npm start`.
 */
function serverEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VPCEP_')));
  return {
    ...env,
    VPCEP_LOG_LEVEL: process.env.VPCEP_LOG_LEVEL || 'info',
    VPCEP_PROJECT_ID: ACCOUNT.projectId,
    VPCEP_ADMIN_PASSWORD: ACCOUNT.password,
    VPCEP_ADMIN_AK: ACCOUNT.ak,
    VPCEP_ADMIN_SK: ACCOUNT.sk,
    VPCEP_OPERATOR_KEY: `bench-operator-${ACCOUNT.sk}`,
    // The growth rows hold up to 100,000 endpoints in one project: the quota is the documented switch.
    VPCEP_QUOTA_ENDPOINTS: String(MAX_QUOTA),
    ...extra,
  };
}

/** Starts `node dist/main.js serve` on a free loopback port; resolves at its first 200. */
export async function startVpcep(opts: ServerOptions): Promise<Server> {
  const port = await freePort();
  const dataDir = opts.dataDir ?? tempDir('vpcep-bench-');
  const env = serverEnv(opts.databaseUrl ? { VPCEP_DATABASE_URL: opts.databaseUrl } : {});
  const t0 = performance.now();
  const child = spawnChild(
    process.execPath,
    [
      ...(opts.nodeFlags ?? []),
      path.resolve(opts.entry),
      'serve',
      '--port',
      String(port),
      '--data-dir',
      dataDir,
      ...(opts.args ?? []),
    ],
    env,
  );
  return ready(child, port, t0);
}

/** The ceiling: node:http answering every request with the rebind's 200 body, nothing behind it. */
export async function startCeiling(): Promise<Server> {
  const port = await freePort();
  const script = `require('node:http').createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json;charset=UTF-8' });
    res.end(process.env.BODY);
  }).listen(Number(process.env.PORT), '127.0.0.1');`;
  const t0 = performance.now();
  const child = spawnChild(process.execPath, ['-e', script], {
    ...process.env,
    PORT: String(port),
    BODY: REBIND_BODY,
  });
  return ready(child, port, t0, 0);
}

/**
 * The bare front (bench/lib/front-server.ts): the rebind's service on the SQLite store in `dataDir`
 * behind a bare node:http server, in a process of its own. No authentication, no Fastify, no log:
 * what a rebind over HTTP costs when the HTTP side is as cheap as the ceiling's.
 */
export async function startBareFront(dataDir: string, projectId: string): Promise<Server> {
  const port = await freePort();
  const entry = path.join(import.meta.dirname, 'front-server.ts');
  const t0 = performance.now();
  const child = spawnChild(
    process.execPath,
    ['--import', 'tsx', entry, dataDir, String(port), projectId],
    process.env,
  );
  return ready(child, port, t0, 0);
}

async function ready(
  child: ReturnType<typeof spawnChild>,
  port: number,
  t0: number,
  idleMs = 1000,
): Promise<Server> {
  try {
    const startupMs = await firstOk(child, port, t0);
    await new Promise((r) => setTimeout(r, idleMs));
    const pid = child.pid!;
    return {
      url: `http://127.0.0.1:${port}`,
      pid,
      startupMs,
      idleRssMb: rssMb(pid),
      rssMb: () => rssMb(pid),
      stop: () => stop(child),
    };
  } catch (e) {
    await stop(child);
    throw e;
  }
}

/**
 * The ceiling as issue 12 first measured it: node:http inside the load generator's own process, so
 * that the two share one thread. Kept as a reference row beside the ceiling of its own process.
 */
export async function inProcessCeiling(): Promise<{ url: string; close(): void }> {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json;charset=UTF-8' });
    res.end(REBIND_BODY);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => server.close() };
}
