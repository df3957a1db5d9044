import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { before, test } from 'node:test';
import { useScratch } from '../helpers/scratch.ts';
import { cleanEnv, REPO_ROOT, spawnServer, type ServerProcess } from '../helpers/server.ts';

// The README's walk-through, pasted as a newcomer would, against a real listening server.

/** The first code block of `lang` in the README section under `heading`. */
function readmeBlock(heading: string, lang: string): string {
  const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.split(`## ${heading}`)[1]?.split(/\n## /)[0];
  const block = section?.match(new RegExp('```' + lang + '\\n([\\s\\S]*?)```'))?.[1];
  assert.ok(block, `README section "${heading}" has a ${lang} block`);
  return block;
}

const scratch = useScratch('vpcep-readme-');
let dir: string;

let server: ServerProcess;

before(async () => {
  dir = scratch.dir();
  // No VPCEP_ADMIN_PASSWORD / VPCEP_PROJECT_ID (spawnServer passes on no VPCEP_* of ours): the
  // server generates the account and writes data/credentials.json, where the walk-through finds
  // the server's address and the secrets.
  server = await spawnServer({ dataDir: path.join(dir, 'data') });
});

function walkThrough(cwd: string) {
  return spawnSync('bash', ['-c', readmeBlock('Five-minute walk-through', 'sh')], {
    cwd,
    env: cleanEnv(),
    encoding: 'utf8',
    timeout: 60_000,
  });
}

test('the README walk-through runs as written and shows the egw route move', () => {
  const creds = JSON.parse(fs.readFileSync(path.join(dir, 'data', 'credentials.json'), 'utf8'));
  assert.equal(creds.endpoint, server.url, 'the file names the server');
  const run = walkThrough(dir);
  assert.equal(run.status, 0, `walk-through failed:\n${run.stdout}\n${run.stderr}`);
  assert.equal(run.stderr, '');
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

test("the walk-through stops at the first failing step and shows the server's answer", () => {
  // The same walk-through with a wrong password in credentials.json: the login is refused, the
  // first step fails on it, and nothing after it runs.
  const other = fs.mkdtempSync(path.join(dir, 'wrong-password-'));
  fs.mkdirSync(path.join(other, 'data'));
  const creds = JSON.parse(fs.readFileSync(path.join(dir, 'data', 'credentials.json'), 'utf8'));
  fs.writeFileSync(
    path.join(other, 'data', 'credentials.json'),
    JSON.stringify({ ...creds, password: 'not-the-password' }),
  );
  const run = walkThrough(other);
  assert.notEqual(run.status, 0);
  assert.match(run.stderr, /login failed:\n.*401/);
  assert.match(run.stderr, /POST \/v1\/[0-9a-f]+\/vpcs failed: HTTP 401 .*APIGW\.0301/);
  assert.equal(run.stdout, '', 'no step after the failing one ran');
});

/**
 * Saves a README snippet as `scratch/<name>` of a project folder, as the README says. The folder is
 * the walk-through's: its data/ is the server's, its dist/ links to this repository's build, and its
 * package.json says what this repository's says of its name, modules and exports, so that
 * `import ... from 'vpcep/sdk'` resolves there as in the project folder (a package imports itself).
 */
function saveInScratch(name: string, text: string): string {
  fs.mkdirSync(path.join(dir, 'scratch'), { recursive: true });
  if (!fs.existsSync(path.join(dir, 'dist'))) {
    fs.symlinkSync(path.join(REPO_ROOT, 'dist'), path.join(dir, 'dist'));
    const {
      name: pkg,
      type,
      exports,
    } = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: pkg, type, exports }));
  }
  const file = path.join('scratch', name);
  fs.writeFileSync(path.join(dir, file), text);
  return file;
}

/**
 * Runs `node <args>` from the project folder, with only the packages of this repository at hand,
 * in the machine's environment (a moved clock included) less vpcep's and the Huawei SDK's variables.
 */
function runNode(args: string[]) {
  const env: NodeJS.ProcessEnv = {
    ...cleanEnv(),
    // The official SDK writes $HOME/.huaweicloud (design.md): keep it in the temp dir.
    HOME: fs.mkdtempSync(path.join(dir, 'home-')),
    NODE_PATH: path.join(REPO_ROOT, 'node_modules'),
  };
  return spawnSync(process.execPath, args, { cwd: dir, env, encoding: 'utf8', timeout: 60_000 });
}

const WALKTHROUGH_TABLES = ['rt-a', 'rt-b', 'rtb-demo'];

test('the README snippet for the official SDK lists the route tables the walk-through made', () => {
  const file = saveInScratch('routetables.cjs', readmeBlock('Use it from the official SDKs', 'js'));
  const run = runNode([file]);
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stderr, '', 'no error printed');
  const tables = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as { name: string; vpc_id: string }[];
  assert.deepEqual(
    tables.map((t) => t.name).sort(),
    WALKTHROUGH_TABLES,
    'the default table of the demo VPC and the two the walk-through created',
  );
});

test('the README snippet for the typed SDK runs as written with tsx', () => {
  const file = saveInScratch('sdk-demo.ts', readmeBlock('Typed SDK', 'ts'));
  const run = runNode([
    '--import',
    path.join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'esm', 'index.mjs'),
    file,
  ]);
  assert.equal(run.status, 0, run.stderr);
  const lines = run.stdout.trim().split('\n');
  assert.match(lines[0]!, /^[0-9a-f-]{36} accepted /, "the walk-through's endpoint is listed");
  const line = (label: string) =>
    lines
      .find((l) => l.startsWith(label))
      ?.slice(label.length)
      .trim();
  assert.match(line('service:') ?? '', /^cn-north-4\.demo\.[0-9a-f-]{36}$/);
  assert.equal(line('permissions:'), '1');
  assert.equal(line('connections:'), '0');
  assert.equal(line('tagged:'), 'true');
  const quotas = JSON.parse(line('quotas:') ?? 'null') as { type: string; used: number }[];
  assert.deepEqual(quotas.map((q) => [q.type, q.used]).sort(), [
    ['endpoint', 1],
    ['endpoint_service', 1],
  ]);
  assert.match(lines.at(-1)!, /^404 EndPoint\.2006 .+ [0-9a-f]{32}$/, 'the typed error, with the request id');
});

test('the README section on accounts makes an account, a reader it refuses a write, and its temporary key', () => {
  const run = spawnSync('bash', ['-c', readmeBlock('Accounts, users and roles', 'sh')], {
    cwd: dir,
    env: cleanEnv(),
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(run.status, 0, `accounts snippet failed:\n${run.stdout}\n${run.stderr}`);
  assert.equal(run.stderr, '');
  const line = (label: string) => {
    const found = run.stdout.split('\n').find((l) => l.startsWith(label));
    assert.ok(found, `output has "${label}":\n${run.stdout}`);
    return found.slice(label.length).trim();
  };
  assert.equal(line('reader lists route tables:'), '200');
  const refused = line('reader creates a VPC:');
  assert.match(refused, /"code":"VPCEP\.0403".* 403$/);
  const temporary = JSON.parse(line('temporary:'));
  assert.match(temporary.access, /^[0-9A-Z]{20}$/);
  assert.ok(Date.parse(temporary.expires_at) > Date.now(), temporary.expires_at);
});

test('the README section on OpenAPI fetches the document and the reference page', () => {
  const run = spawnSync('bash', ['-c', readmeBlock('OpenAPI', 'sh')], {
    cwd: dir,
    env: cleanEnv(),
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(run.status, 0, `OpenAPI snippet failed:\n${run.stdout}\n${run.stderr}`);
  assert.equal(run.stderr, '');
  assert.deepEqual(run.stdout.trim().split('\n'), [
    '3.1.0',
    'UpdateEndpointRoutetable',
    'wrote vpcep-api.html',
  ]);
  const page = fs.readFileSync(path.join(dir, 'vpcep-api.html'), 'utf8');
  assert.match(page, /^<!doctype html>/);
  assert.ok(page.includes('id="op-UpdateEndpointRoutetable"'));
});

test("the README section on interface services publishes a service on a port of the provider's VPC", () => {
  // The section's first block uses the walk-through's `B`, `P`, `TOKEN` and `api`, as it says.
  const script = [
    readmeBlock('Five-minute walk-through', 'sh'),
    readmeBlock('Interface services', 'sh'),
    `echo "service: $(api GET "/v1/$P/vpc-endpoint-services/$SVC" | jq -c '{service_type, server_type, ports, port_id}')"`,
    `echo "port: $(api GET "/v3/$P/ports" | jq -c --arg id "$PORT" '[.ports[] | select(.id == $id) | .private_ips[0].ip_address]')"`,
  ].join('\n');
  const run = spawnSync('bash', ['-c', script], {
    cwd: dir,
    env: cleanEnv(),
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(run.status, 0, `interface services snippet failed:\n${run.stdout}\n${run.stderr}`);
  const line = (label: string) => {
    const found = run.stdout.split('\n').find((l) => l.startsWith(label));
    assert.ok(found, `output has "${label}":\n${run.stdout}`);
    return JSON.parse(found.slice(label.length).trim());
  };
  const service = line('service:');
  assert.equal(service.service_type, 'interface');
  assert.equal(service.server_type, 'VM');
  assert.deepEqual(
    service.ports.map((p: { client_port: number; server_port: number }) => [p.client_port, p.server_port]),
    [[80, 8080]],
  );
  // "the next free address of the subnet (10.0.1.2)", as the README says.
  assert.deepEqual(line('port:'), ['10.0.1.2']);
});

test('the README section on the audit trail reads the events of the walk-through', () => {
  const script = [readmeBlock('Five-minute walk-through', 'sh'), readmeBlock('Audit trail', 'sh')].join('\n');
  const run = spawnSync('bash', ['-c', script], {
    cwd: dir,
    env: cleanEnv(),
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(run.status, 0, `audit snippet failed:\n${run.stdout}\n${run.stderr}`);
  const lines = run.stdout.trim().split('\n');
  // The endpoint's own history, newest first: the walk-through's rebind after its create.
  const history = JSON.parse(lines.at(-1)!);
  assert.equal(history.at(-1), 'CreateEndpoint', lines.at(-1));
  assert.ok(history.includes('UpdateEndpointRoutetable'), lines.at(-1));
  const newest = lines
    .filter((l) => l.startsWith('["'))
    .slice(0, 5)
    .map((l) => JSON.parse(l));
  assert.equal(newest.length, 5, run.stdout);
  for (const [time, operation, outcome, status] of newest) {
    assert.ok(!Number.isNaN(Date.parse(time)) && typeof operation === 'string', JSON.stringify(newest));
    assert.ok(['success', 'failure'].includes(outcome) && Number.isInteger(status));
  }
});
