// The processes and temporary things a bench makes, and their clean-up on every way out: a normal
// end, a failure, Ctrl-C or SIGTERM. Also the pieces that time a server's start (bench/startup.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const children = new Set<ChildProcess>();
const dirs = new Set<string>();
/** Asynchronous clean-ups (dropping a database), newest first. */
const finalizers: (() => Promise<void>)[] = [];

/** A temporary directory, removed at the end. */
export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.add(dir);
  return dir;
}

/** Runs `fn` at clean-up (before the directories go). */
export function onCleanup(fn: () => Promise<void>): void {
  finalizers.unshift(fn);
}

let cleaning: Promise<void> | undefined;

/**
 * Stops every child still running, runs the clean-ups, removes the directories. One clean-up for
 * all callers: an interrupted run's failing rows and its signal handler await the same one.
 */
export function cleanup(): Promise<void> {
  return (cleaning ??= (async () => {
    await Promise.all([...children].map((c) => stop(c)));
    for (const fn of finalizers.splice(0)) await fn().catch((e: unknown) => console.error(`clean-up: ${e}`));
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
    dirs.clear();
  })());
}

/** Whether Ctrl-C or SIGTERM stopped the run (its rows then fail as their servers go). */
export let interrupted = false;

// The last resort when the process leaves without `cleanup` (an uncaught error): nothing survives it.
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    interrupted = true;
    process.stderr.write(`\n${signal}: stopping the servers and removing what the bench made\n`);
    void cleanup().finally(() => process.exit(130));
  });
}

/** Spawns a child that `cleanup` will stop; its stderr is kept, to tell why it failed. */
export function spawnChild(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): ChildProcess & { stderrText(): string } {
  const child = spawn(cmd, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  children.add(child);
  child.once('exit', () => children.delete(child));
  return Object.assign(child, { stderrText: () => stderr });
}

/** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
export async function stop(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** The status of `GET /` on the port, or undefined when nothing answers. */
export function status(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('error', () => resolve(undefined));
  });
}

/** Polls `GET /` until it answers 200; the milliseconds from `t0`. Throws when the child exits first. */
export async function firstOk(
  child: ChildProcess & { stderrText(): string },
  port: number,
  t0: number,
  timeoutMs = 60_000,
): Promise<number> {
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`the server exited with ${child.exitCode}: ${child.stderrText()}`);
    if ((await status(port)) === 200) return performance.now() - t0;
    if (performance.now() - t0 > timeoutMs) throw new Error(`no 200 on port ${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** The resident set of a process, in MB. */
export const rssMb = (pid: number) =>
  Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

/**
 * The server process under `pid`: itself, or the node process below it (the node child of `npm
 * start`), passing over children that are not node (the esbuild service tsx starts for the bare front).
 */
export function serverPid(pid: number): number {
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) !== pid) continue;
      const found = serverPid(Number(name));
      const own = fs.readFileSync(`/proc/${found}/stat`, 'utf8');
      if (own.slice(own.indexOf('(') + 1, own.lastIndexOf(')')) === 'node') return found;
    } catch {
      // gone meanwhile
    }
  }
  return pid;
}

/** Seconds of CPU (user, system) a process has used, from /proc. */
export function cpuOf(pid: number): { user: number; system: number } {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const tick = 100;
  return { user: Number(f[11]) / tick, system: Number(f[12]) / tick };
}

/** Seconds of CPU every `postgres` process has used (PostgreSQL's backends, its writer, its WAL). */
export function postgresCpu(): number {
  let total = 0;
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (!fs.readFileSync(`/proc/${name}/stat`, 'utf8').includes('(postgres)')) continue;
      const { user, system } = cpuOf(Number(name));
      total += user + system;
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

/** µs of CPU a call over a stretch of calls, from /proc (see cpuMeter). */
export interface CallCpu {
  /** The measured processes together, and of that the kernel's. */
  servers: number;
  system: number;
  /** Every `postgres` process, when asked for; else 0. */
  postgres: number;
  /** This process: the load generator, where autocannon runs in it. */
  generator: number;
}

/**
 * Starts measuring the CPU of `pids`, of PostgreSQL when `postgres`, and of this process; the
 * function it returns gives the CPU a call since then, for the `calls` made meanwhile.
 */
export function cpuMeter(pids: number[], postgres: boolean): (calls: number) => CallCpu {
  const used = () =>
    pids.map(cpuOf).reduce((a, c) => ({ user: a.user + c.user, system: a.system + c.system }), {
      user: 0,
      system: 0,
    });
  const pg = () => (postgres ? postgresCpu() : 0);
  const before = { used: used(), postgres: pg(), self: process.cpuUsage() };
  return (calls) => {
    const self = process.cpuUsage(before.self);
    const now = used();
    const perCall = (seconds: number) => (1e6 * seconds) / Math.max(1, calls);
    return {
      servers: perCall(now.user + now.system - before.used.user - before.used.system),
      system: perCall(now.system - before.used.system),
      postgres: perCall(pg() - before.postgres),
      generator: perCall((self.user + self.system) / 1e6),
    };
  };
}
