import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { openStore, type Store } from '../../src/store/store.ts';
import { passwordLogin } from './auth.ts';
import { parseJson } from './json.ts';
import { until } from './wait.ts';

/**
 * A real `vpcep serve` in a child process, listening on 127.0.0.1: the compiled dist/main.js that
 * production runs (scripts/test.mjs builds it before the suites). Every child started here is
 * tracked: `stopAll()` (call it in `after`) and a process-exit hook kill the ones still running.
 */

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

export interface SpawnOptions {
  dataDir: string;
  /** Extra environment (VPCEP_* of the test process are not inherited). */
  env?: Record<string, string>;
  /** `--database-url`: serve from this PostgreSQL database instead of SQLite under dataDir. */
  databaseUrl?: string;
  /** More `serve` flags, after those above (`--metrics-port 9100`, `--log-format pretty`). */
  args?: string[];
  /** How long to wait for `GET /v1` to answer. */
  startTimeoutMs?: number;
}

export interface ServerProcess {
  url: string;
  port: number;
  child: ChildProcess;
  /** Everything the child wrote to stderr (and stdout) so far, for failure messages. */
  output(): string;
  /** Sends `signal` and waits (bounded) for the process to be gone; resolves with its exit code or signal. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | NodeJS.Signals>;
}

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of running) c.kill('SIGKILL');
});

/** A port nobody listens on right now (the OS picks it); the caller retries if it gets taken. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

function exited(child: ChildProcess): Promise<number | NodeJS.Signals> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  if (child.signalCode !== null) return Promise.resolve(child.signalCode);
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
}

/** The environment of a user who set nothing of vpcep's, plus `extra`. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  // Neither vpcep's variables nor the Huawei SDK's (design.md): a test sets what it means to.
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('VPCEP_') && !k.startsWith('HUAWEICLOUD_SDK_')) env[k] = v;
  }
  return { ...env, VPCEP_LOG_LEVEL: 'warn', ...extra };
}

async function startOnce(port: number, opts: SpawnOptions): Promise<ServerProcess | 'port-taken'> {
  const child = spawn(
    process.execPath,
    [
      'dist/main.js',
      'serve',
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--data-dir',
      opts.dataDir,
      ...(opts.databaseUrl ? ['--database-url', opts.databaseUrl] : []),
      ...(opts.args ?? []),
    ],
    { cwd: REPO_ROOT, env: cleanEnv(opts.env ?? {}), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  running.add(child);
  child.once('exit', () => running.delete(child));
  let output = '';
  child.stdout!.on('data', (d) => (output += String(d)));
  child.stderr!.on('data', (d) => (output += String(d)));
  const url = `http://127.0.0.1:${port}`;
  const server: ServerProcess = {
    url,
    port,
    child,
    output: () => output,
    async stop(signal = 'SIGKILL', timeoutMs = 10_000) {
      const done = exited(child);
      child.kill(signal);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), timeoutMs)));
      const result = await Promise.race([done, timeout]);
      clearTimeout(timer);
      if (result === 'timeout') {
        child.kill('SIGKILL');
        await done;
        throw new Error(`server on ${port} did not stop on ${signal} within ${timeoutMs} ms:\n${output}`);
      }
      return result;
    },
  };
  const timeoutMs = opts.startTimeoutMs ?? 30_000;
  const up = () =>
    fetch(`${url}/v1`, { signal: AbortSignal.timeout(2_000) }).then(
      (r) => r.status === 200,
      () => false,
    );
  try {
    return await until(`GET /v1 on ${port}`, async () => (await up()) && server, timeoutMs, {
      giveUp: () =>
        child.exitCode !== null || child.signalCode !== null
          ? `server exited (${child.exitCode ?? child.signalCode}) before answering`
          : undefined,
    });
  } catch (e) {
    if (/port \d+ is in use/.test(output)) return 'port-taken';
    await server.stop('SIGKILL').catch(() => undefined);
    throw new Error(`${(e as Error).message}:\n${output}`);
  }
}

/** Starts the compiled `node dist/main.js serve` on a free port; retries when the port gets taken. */
export async function spawnServer(opts: SpawnOptions): Promise<ServerProcess> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const started = await startOnce(await freePort(), opts);
    if (started !== 'port-taken') return started;
  }
  throw new Error('no free port after 5 attempts');
}

/** Kills every child still running (SIGKILL) and waits for them to be gone. */
export async function stopAll(): Promise<void> {
  await Promise.all(
    [...running].map((c) => {
      const done = exited(c);
      c.kill('SIGKILL');
      return done;
    }),
  );
}

export interface Session {
  token: string;
  projectId: string;
}

/** Password login over HTTP (POST /v3/auth/tokens), as world.ts `tokenFor` does through inject. */
export async function login(url: string, password: string, user = 'admin', project = 'cn-north-4') {
  const res = await fetch(`${url}/v3/auth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(passwordLogin({ user, password, project: { name: project } })),
    signal: AbortSignal.timeout(10_000),
  });
  const body = await res.text();
  return {
    status: res.status,
    token: res.headers.get('x-subject-token') ?? '',
    projectId: res.status === 201 ? (JSON.parse(body).token.project.id as string) : '',
    body,
  };
}

/** Password login that must succeed: the session, or a failure that shows the server's output. */
export async function sessionOn(server: ServerProcess, password: string): Promise<Session> {
  const res = await login(server.url, password);
  if (res.status !== 201) throw new Error(`login: ${res.status} ${res.body}\n${server.output()}`);
  return { token: res.token, projectId: res.projectId };
}

/**
 * `fn` on the store a spawned server serves from (its PostgreSQL database, or the SQLite file in its
 * data dir once the server has exited), opened in this process and closed afterwards: for what no
 * API shows, the audit log and the store's invariants.
 */
export async function onServerStore<T>(
  where: { databaseUrl: string } | { dataDir: string },
  fn: (store: Store) => Promise<T>,
): Promise<T> {
  const store = await openStore(
    'databaseUrl' in where
      ? { dataDir: '', databaseUrl: where.databaseUrl, lockTimeoutMs: 10_000 }
      : { dataDir: where.dataDir, databaseUrl: undefined, lockTimeoutMs: 10_000 },
  );
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

export interface HttpReply {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  raw: string;
  /** The `x-request-id` header ('' when absent): the request's id in the audit log. */
  requestId: string;
  headers: Headers;
}

/** A JSON client for one server and one session: `api('GET', '/vpcs')` calls `/v1/{project}/vpcs`. */
export function client(url: string, session: Session) {
  const call = async (method: string, p: string, body?: unknown): Promise<HttpReply> => {
    const res = await fetch(`${url}${p}`, {
      method,
      headers: { 'x-auth-token': session.token, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(15_000),
    });
    const raw = await res.text();
    const parsed = parseJson(raw);
    return {
      status: res.status,
      body: parsed,
      raw,
      requestId: res.headers.get('x-request-id') ?? '',
      headers: res.headers,
    };
  };
  return {
    call,
    api: (method: string, p: string, body?: unknown) => call(method, `/v1/${session.projectId}${p}`, body),
  };
}
