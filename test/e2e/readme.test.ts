import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { REPO_ROOT, spawnServer, stopAll } from '../helpers/server.ts';

// The README's walk-through, pasted as a newcomer would, against a real listening server.

/** The first code block of `lang` in the README section under `heading`. */
function readmeBlock(heading: string, lang: string): string {
  const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.split(`## ${heading}`)[1]?.split(/\n## /)[0];
  const block = section?.match(new RegExp('```' + lang + '\\n([\\s\\S]*?)```'))?.[1];
  assert.ok(block, `README section "${heading}" has a ${lang} block`);
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
  const run = spawnSync('bash', ['-euo', 'pipefail', '-c', readmeBlock('Five-minute walk-through', 'sh')], {
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

test('the README snippet for the official SDK lists the route tables the walk-through made', () => {
  // Saved next to data/ as the README says; the SDK packages come from this repository's node_modules.
  fs.writeFileSync(path.join(dir, 'routetables.cjs'), readmeBlock('Use it from the official SDKs', 'js'));
  const home = fs.mkdtempSync(path.join(dir, 'home-'));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    VPCEP_URL: url,
    NODE_PATH: path.join(REPO_ROOT, 'node_modules'),
  };
  const run = spawnSync(process.execPath, ['routetables.cjs'], {
    cwd: dir,
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stderr, '', 'no error printed');
  const tables = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as { name: string; vpc_id: string }[];
  assert.deepEqual(
    tables.map((t) => t.name).sort(),
    ['rt-a', 'rt-b', 'rtb-demo'],
    'the default table of the demo VPC and the two the walk-through created',
  );
});
