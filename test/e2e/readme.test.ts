import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

// The README's walk-through, pasted as a newcomer would, against a real listening server.

const root = path.resolve(import.meta.dirname, '../..');

function walkThrough(): string {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const section = readme.split('## Five-minute walk-through')[1];
  const block = section?.match(/```sh\n([\s\S]*?)```/)?.[1];
  assert.ok(block, 'README has a walk-through shell block');
  return block;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

let child: ChildProcess;
let dir: string;
let url: string;

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vpcep-readme-'));
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/main.ts', 'serve', '--port', String(port), '--data-dir', path.join(dir, 'data')],
    {
      cwd: root,
      env: { ...process.env, VPCEP_LOG_LEVEL: 'warn', VPCEP_ADMIN_PASSWORD: '', VPCEP_PROJECT_ID: '' },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  const deadline = Date.now() + 20_000;
  for (;;) {
    const ok = await fetch(`${url}/v1`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline || child.exitCode !== null) throw new Error('server did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
});

after(() => {
  child?.kill('SIGKILL');
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('the README walk-through runs as written and shows the egw route move', () => {
  const run = spawnSync('bash', ['-euo', 'pipefail', '-c', walkThrough()], {
    cwd: dir,
    env: { ...process.env, VPCEP_URL: url },
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(run.status, 0, `walk-through failed:\n${run.stdout}\n${run.stderr}`);
  const line = (label: string) => {
    const found = run.stdout.split('\n').find((l) => l.startsWith(label));
    assert.ok(found, `output has "${label}":\n${run.stdout}`);
    return JSON.parse(found.slice(label.length).trim());
  };
  const before = line('rt-a before:');
  const rebind = line('rebind:');
  const aAfter = line('rt-a after:');
  const bAfter = line('rt-b after:');
  const endpoint = line('endpoint:');

  assert.equal(before.length, 1);
  assert.equal(before[0].type, 'egw');
  assert.equal(rebind.routetables.length, 1);
  assert.equal(rebind.error, undefined);
  assert.deepEqual(aAfter, []);
  assert.equal(bAfter.length, 1);
  assert.equal(bAfter[0].nexthop, before[0].nexthop, 'the same endpoint is the next hop');
  assert.deepEqual(endpoint, { status: 'accepted', routetables: rebind.routetables });
});
