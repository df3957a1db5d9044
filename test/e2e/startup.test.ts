import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { describe, test } from 'node:test';
import pkg from '../../package.json' with { type: 'json' };
import { useScratch } from '../helpers/scratch.ts';
import { cleanEnv, freePort, REPO_ROOT, spawnServer } from '../helpers/server.ts';
import { until } from '../helpers/wait.ts';

// Start-up as a user meets it (issue 7): the compiled server, `npm start`, the port bound before
// anything is written, one process per SQLite data dir, and the friendly refusals.

const tmp = useScratch('vpcep-startup-').dir();

/** `vpcep <args>` (bin/vpcep.js, the installed command), to completion. */
function vpcep(args: string[], env = cleanEnv()) {
  const run = spawnSync(process.execPath, ['bin/vpcep.js', ...args], {
    cwd: REPO_ROOT,
    env,
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** Resolves once the server on `port` answers 200 (503 while it starts). */
const serving = (port: number) =>
  until('the server', async () => ((await answers(port)) === 200 ? 200 : undefined));

/** The status of `GET /`, or undefined when nothing answers. */
const answers = (port: number) =>
  fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2000) }).then(
    (r) => r.status,
    () => undefined,
  );

describe('the command line', () => {
  test('--version prints the package version', () => {
    const run = vpcep(['--version']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout.trim(), pkg.version);
  });

  test('a bad flag value is refused in one line naming the flag, before anything is created', () => {
    const dataDir = path.join(tmp, 'bad-flags');
    for (const [args, pattern] of [
      [
        ['--log-level', 'loud'],
        /^vpcep: the log level \(--log-level, VPCEP_LOG_LEVEL\) must be one of .*"loud"\n$/,
      ],
      [
        ['--port', 'http'],
        /^vpcep: the port \(--port, VPCEP_PORT\) must be an integer from 0 to 65535, got "http"\n$/,
      ],
      [['--region', 'North 4'], /^vpcep: the region \(--region, VPCEP_REGION\) must be .*"North 4"\n$/],
    ] as const) {
      const run = vpcep(['serve', '--data-dir', dataDir, ...args]);
      assert.equal(run.code, 1, run.stderr);
      assert.match(run.stderr, pattern);
      assert.equal(run.stdout, '');
    }
    assert.equal(fs.existsSync(dataDir), false, 'nothing was created');
  });
});

describe('the console flag', () => {
  /** What `GET /console/sign-in` answers: the console's page, or the API's 404 for an unknown path. */
  const consoleAt = async (url: string) => {
    const res = await fetch(`${url}/console/sign-in`);
    return `${res.status} ${res.headers.get('content-type')}`;
  };

  test('the console is served unless --no-console or VPCEP_CONSOLE=0 turns it off', async () => {
    const on = await spawnServer({ dataDir: path.join(tmp, 'console-on'), env: { VPCEP_CONSOLE: '1' } });
    assert.equal(await consoleAt(on.url), '200 text/html; charset=utf-8');
    await on.stop();
    const offByEnv = await spawnServer({
      dataDir: path.join(tmp, 'console-env'),
      env: { VPCEP_CONSOLE: '0' },
    });
    assert.equal(await consoleAt(offByEnv.url), '404 application/json;charset=UTF-8');
    await offByEnv.stop();
    const offByFlag = await spawnServer({ dataDir: path.join(tmp, 'console-flag'), args: ['--no-console'] });
    assert.equal(await consoleAt(offByFlag.url), '404 application/json;charset=UTF-8');
    await offByFlag.stop();
  });

  test('a bad VPCEP_CONSOLE is refused in one line', () => {
    const run = vpcep(
      ['serve', '--data-dir', path.join(tmp, 'console-bad')],
      cleanEnv({ VPCEP_CONSOLE: 'maybe' }),
    );
    assert.equal(run.code, 1, run.stderr);
    assert.equal(
      run.stderr,
      'vpcep: the console (--no-console, VPCEP_CONSOLE) must be 1, true, 0 or false, got "maybe"\n',
    );
  });
});

describe('the port is bound before anything is written', () => {
  test('a busy port: exit 1, the message, and no data dir', async () => {
    const busy = net.createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    const port = (busy.address() as net.AddressInfo).port;
    try {
      const dataDir = path.join(tmp, 'busy-port');
      const run = vpcep(['serve', '--port', String(port), '--data-dir', dataDir]);
      assert.equal(run.code, 1, run.stderr);
      assert.match(run.stderr, new RegExp(`^vpcep: port ${port} is in use \\(.*\\)`, 'm'));
      assert.doesNotMatch(run.stderr, /created account|password|secret/);
      assert.equal(fs.existsSync(dataDir), false, 'no data dir, no credentials.json');
    } finally {
      busy.close();
    }
  });

  test('with --port 0 the credentials file names the port the system chose', async () => {
    const dataDir = path.join(tmp, 'port-zero');
    const child = spawn(process.execPath, ['dist/main.js', 'serve', '--port', '0', '--data-dir', dataDir], {
      cwd: REPO_ROOT,
      env: cleanEnv(),
      stdio: 'ignore',
    });
    try {
      const file = path.join(dataDir, 'credentials.json');
      const endpoint = await until('credentials.json', async () =>
        fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')).endpoint as string) : undefined,
      );
      const port = Number(new URL(endpoint).port);
      assert.ok(port > 0, endpoint);
      await serving(port);
    } finally {
      child.kill('SIGKILL');
    }
  });
});

test('the bound server keeps idle keep-alive connections 72 s, as Fastify would', async () => {
  const server = await spawnServer({ dataDir: path.join(tmp, 'keep-alive') });
  const keepAlive = await new Promise<string | undefined>((resolve, reject) => {
    http
      .get(
        { host: '127.0.0.1', port: server.port, path: '/', headers: { connection: 'keep-alive' } },
        (res) => {
          res.resume();
          resolve(String(res.headers['keep-alive']));
        },
      )
      .on('error', reject);
  });
  assert.equal(keepAlive, 'timeout=72');
  await server.stop('SIGTERM');
});

test('the bound server refuses slow headers at its configured timeout, not at the 30 s check period of Node', async () => {
  const server = await spawnServer({
    dataDir: path.join(tmp, 'slow-headers'),
    env: { VPCEP_HEADERS_TIMEOUT_MS: '300' },
  });
  const answer = await new Promise<string>((resolve, reject) => {
    const socket = net.connect(server.port, '127.0.0.1', () => socket.write('GET / HTTP/1.1\r\nHost: x\r\n'));
    let got = '';
    socket.on('data', (d) => (got += String(d)));
    socket.on('close', () => resolve(got));
    socket.on('error', reject);
    // Far below Node's 30 s period, far above the configured 300 ms.
    socket.setTimeout(10_000, () => {
      socket.destroy();
      resolve(got);
    });
  });
  assert.match(answer, /^HTTP\/1\.1 408 /, answer || '(no answer within 10 s)');
  assert.match(answer, /X-Request-Id: [0-9a-f]{32}/i);
  assert.match(answer, /"code":"EndPoint\.0013"/);
  await server.stop('SIGTERM');
});

describe('one process per SQLite data dir', () => {
  test('a second server on the same dir is refused, naming the dir and the PID; a start after SIGKILL succeeds', async () => {
    const dataDir = path.join(tmp, 'shared');
    const first = await spawnServer({ dataDir });
    const before = fs.readFileSync(path.join(dataDir, 'credentials.json'), 'utf8');

    const second = vpcep(['serve', '--port', String(await freePort()), '--data-dir', dataDir]);
    assert.equal(second.code, 1, second.stderr);
    assert.match(second.stderr, /^vpcep: the data dir .* is in use by another vpcep process/m);
    assert.ok(second.stderr.includes(dataDir), second.stderr);
    assert.ok(second.stderr.includes(`PID ${first.child.pid}`), second.stderr);
    assert.equal(await answers(first.port), 200, 'the first server still serves');

    await first.stop('SIGKILL');
    const third = await spawnServer({ dataDir });
    assert.equal(await answers(third.port), 200);
    assert.equal(fs.readFileSync(path.join(dataDir, 'credentials.json'), 'utf8'), before, 'same account');
    await third.stop('SIGTERM');
  });
});

/** The PIDs of `pid`'s descendants, from /proc. */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue;
    }
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const c of children.get(p) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(pid);
  return out;
}

const argvOf = (pid: number) => {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return [];
  }
};

describe('npm start', { skip: process.platform !== 'linux' && 'reads /proc' }, () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    test(`is one Node process running dist/; ${signal} to its PID frees the port`, async () => {
      const port = await freePort();
      const dataDir = path.join(tmp, `npm-start-${signal}`);
      const npm = spawn('npm', ['start', '--silent'], {
        cwd: REPO_ROOT,
        env: cleanEnv({ VPCEP_PORT: String(port), VPCEP_DATA_DIR: dataDir }),
        stdio: 'ignore',
      });
      try {
        await serving(port);
        const servers = descendants(npm.pid!).map(argvOf);
        assert.equal(servers.length, 1, `one process under npm: ${JSON.stringify(servers)}`);
        const [exe, script, command] = servers[0]!;
        assert.equal(path.basename(exe!), 'node');
        assert.equal(script, 'dist/main.js');
        assert.equal(command, 'serve');

        const exited = new Promise((r) => npm.once('exit', r));
        npm.kill(signal);
        await exited;
        await until('the port to be free', async () =>
          (await answers(port)) === undefined ? true : undefined,
        );
      } finally {
        npm.kill('SIGKILL');
      }
    });
  }
});
