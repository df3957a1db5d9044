import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { REPO_ROOT, spawnServer, stopAll } from '../helpers/server.ts';

// The README's walk-through, pasted as a newcomer would, against a real listening server.

function walkThrough(): string {
  const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.split('## Five-minute walk-through')[1];
  const block = section?.match(/```sh\n([\s\S]*?)```/)?.[1];
  assert.ok(block, 'README has a walk-through shell block');
  return block;
}

let dir: string;
let url: string;

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vpcep-readme-'));
  // No VPCEP_ADMIN_PASSWORD / VPCEP_PROJECT_ID (spawnServer passes on no VPCEP_* of ours): the
  // server generates the account and writes data/credentials.json, which the walk-through reads.
  url = (await spawnServer({ dataDir: path.join(dir, 'data') })).url;
});

after(async () => {
  await stopAll();
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
