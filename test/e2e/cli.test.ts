// The `vpcep` client commands, run as a user runs them (`node dist/main.js ...`, which bin/vpcep.js
// loads, from the repository root), against a listening server, with a credentials file written to
// a temp dir.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { VpcepClient } from '../../src/sdk/client.ts';
import { createEndpoint, createPort, createTable, createVpc, gatewayService } from '../helpers/fixtures.ts';
import {
  cleanEnv,
  freePort,
  REPO_ROOT,
  spawnServer,
  stopAll,
  type ServerProcess,
} from '../helpers/server.ts';
import { makeWorld, PASSWORD, PROJECT_ID, type World } from '../helpers/world.ts';

const AK = 'CLIADMINAK0000000000';
const SK = 'cliadminsk000000000000000000000000000000';

let w: World;
let url: string;
let tmp: string;
let adminFile: string;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the CLI as a child process; async, since the server answering it lives in this process.
 * Its stdout is a pipe, so the default format would be JSON: the tests of the tables ask for them
 * with VPCEP_OUTPUT=table (an `env` value of '' unsets a variable). HOME and XDG_CONFIG_HOME point
 * into the temp dir, so no profile of the machine's user is read.
 */
function vpcep(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const clean: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('VPCEP_')) clean[k] = v;
  Object.assign(clean, { HOME: tmp, XDG_CONFIG_HOME: path.join(tmp, 'config'), VPCEP_OUTPUT: 'table' }, env);
  for (const [k, v] of Object.entries(env)) if (v === '') delete clean[k];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['dist/main.js', ...args], {
      cwd: REPO_ROOT,
      env: clean,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += String(d)));
    child.stderr.on('data', (d) => (stderr += String(d)));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** `vpcep` with the admin credentials file. */
const admin = (...args: string[]) => vpcep([...args, '--credentials', adminFile]);

const show = (r: Run) => `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;

function writeCredentials(name: string, values: Record<string, string>): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, JSON.stringify(values, null, 2), { mode: 0o600 });
  return file;
}

before(async () => {
  w = await makeWorld({ adminAk: AK, adminSk: SK });
  await w.app.listen({ port: 0, host: '127.0.0.1' });
  url = `http://127.0.0.1:${(w.app.server.address() as AddressInfo).port}`;
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vpcep-cli-'));
  adminFile = writeCredentials('credentials.json', {
    endpoint: url,
    region: 'cn-north-4',
    domain: 'vpcep',
    user: 'admin',
    project_id: PROJECT_ID,
    password: PASSWORD,
    access_key: AK,
    secret_key: SK,
  });
});

after(async () => {
  await w.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('iam ak', () => {
  let created: { ak: string; sk: string };
  let keyFile: string;

  test('create prints the AK and the SK once, with a warning', async () => {
    const r = await admin('iam', 'ak', 'create', '--description', 'from the cli');
    assert.equal(r.code, 0, show(r));
    const ak = /^access key\s+([0-9A-Z]{20})$/m.exec(r.stdout)?.[1];
    const sk = /^secret key\s+(\S{40})$/m.exec(r.stdout)?.[1];
    assert.ok(ak && sk, show(r));
    assert.match(r.stderr, /secret key is shown only this once/);
    created = { ak, sk };
    keyFile = writeCredentials('new-key.json', {
      endpoint: url,
      project_id: PROJECT_ID,
      access_key: ak,
      secret_key: sk,
    });
    // The printed pair is a working key.
    const r2 = await vpcep(['routetables', 'list', '--credentials', keyFile]);
    assert.equal(r2.code, 0, show(r2));
  });

  test('list shows the keys and never an SK', async () => {
    const r = await admin('iam', 'ak', 'list');
    assert.equal(r.code, 0, show(r));
    assert.match(r.stdout, /^ACCESS KEY\s+STATUS\s+CREATED\s+DESCRIPTION$/m);
    assert.match(r.stdout, new RegExp(`^${AK}\\s+active\\s+\\S+\\s+bootstrap$`, 'm'));
    assert.match(r.stdout, new RegExp(`^${created.ak}\\s+active\\s+\\S+\\s+from the cli$`, 'm'));
    const json = await admin('iam', 'ak', 'list', '--json');
    assert.equal(json.code, 0, show(json));
    const body = JSON.parse(json.stdout) as { credentials: { access: string }[] };
    assert.ok(body.credentials.some((k) => k.access === created.ak));
    for (const out of [r.stdout, r.stderr, json.stdout]) {
      assert.ok(!out.includes(created.sk) && !out.includes(SK), out);
    }
  });

  test('disable makes the key fail; enable brings it back', async () => {
    const off = await admin('iam', 'ak', 'disable', created.ak);
    assert.equal(off.code, 0, show(off));
    assert.match(off.stdout, new RegExp(`access key ${created.ak} is inactive`));

    const refused = await vpcep(['endpoints', 'list', '--credentials', keyFile]);
    assert.equal(refused.code, 1, show(refused));
    assert.match(refused.stderr, /^error APIGW\.0301: .+ \(request \S+\)\n$/);
    assert.equal(refused.stdout, '');

    const on = await admin('iam', 'ak', 'enable', created.ak);
    assert.equal(on.code, 0, show(on));
    assert.match(on.stdout, /is active/);
    const again = await vpcep(['endpoints', 'list', '--credentials', keyFile]);
    assert.equal(again.code, 0, show(again));
  });

  test('disabling the key the CLI signs with says how to get back in', async () => {
    const r = await vpcep(['iam', 'ak', 'disable', created.ak, '--credentials', keyFile]);
    assert.equal(r.code, 0, show(r));
    assert.match(r.stderr, /--auth password/);
    const back = await admin('iam', 'ak', 'enable', created.ak);
    assert.equal(back.code, 0, show(back));
  });

  test('delete removes the key', async () => {
    const r = await admin('iam', 'ak', 'delete', created.ak);
    assert.equal(r.code, 0, show(r));
    assert.match(r.stdout, /deleted/);
    const list = await admin('iam', 'ak', 'list');
    assert.ok(!list.stdout.includes(created.ak), list.stdout);
    const gone = await admin('iam', 'ak', 'delete', created.ak);
    assert.equal(gone.code, 1, show(gone));
    assert.match(gone.stderr, /^error 404: /);
  });
});

describe('routetables and endpoints', () => {
  let vpc: { id: string; defaultTable: string };
  let rtA: string;
  let rtB: string;
  let endpointId: string;

  before(async () => {
    vpc = await createVpc(w, '10.20.0.0/16', 'cli');
    rtA = await createTable(w, vpc.id, [], 'rt-a');
    rtB = await createTable(w, vpc.id, [], 'rt-b');
    endpointId = await createEndpoint(w, await gatewayService(w), vpc.id, [rtA]);
  });

  test('routetables list and show', async () => {
    const list = await admin('routetables', 'list', '--vpc-id', vpc.id);
    assert.equal(list.code, 0, show(list));
    const rows = list.stdout.trim().split('\n').slice(1);
    assert.equal(rows.length, 3, list.stdout);
    assert.match(list.stdout, new RegExp(`^${vpc.defaultTable}\\s+rtb-cli\\s+${vpc.id}\\s+yes\\s+0$`, 'm'));
    assert.match(list.stdout, new RegExp(`^${rtA}\\s+rt-a\\s+${vpc.id}\\s+no\\s+0$`, 'm'));

    const one = await admin('routetables', 'show', rtA);
    assert.equal(one.code, 0, show(one));
    assert.match(one.stdout, new RegExp(`^id\\s+${rtA}$`, 'm'));
    assert.match(one.stdout, new RegExp(`^egw\\s+100\\.125\\.0\\.0/16\\s+${endpointId}`, 'm'));

    const json = await admin('routetables', 'show', rtA, '--json');
    assert.equal(JSON.parse(json.stdout).routetable.id, rtA);
  });

  test('endpoints list and show', async () => {
    const list = await admin('endpoints', 'list');
    assert.equal(list.code, 0, show(list));
    assert.match(
      list.stdout,
      new RegExp(`^${endpointId}\\s+gateway\\s+accepted\\s+\\S+obsv2\\s+${vpc.id}\\s+${rtA}$`, 'm'),
    );
    const one = await admin('endpoints', 'show', endpointId);
    assert.equal(one.code, 0, show(one));
    assert.match(one.stdout, new RegExp(`^route tables\\s+${rtA}$`, 'm'));
    const json = await admin('endpoints', 'show', endpointId, '--json');
    assert.deepEqual(JSON.parse(json.stdout), (await w.api('GET', `/vpc-endpoints/${endpointId}`)).body);
  });

  test('output: JSON when piped, --output yaml, --query picks a part for scripts', async () => {
    const piped = await vpcep(['endpoints', 'list', '--credentials', adminFile], { VPCEP_OUTPUT: '' });
    assert.equal(piped.code, 0, show(piped));
    const list = JSON.parse(piped.stdout) as { endpoints: { id: string }[] };
    assert.ok(
      list.endpoints.some((e) => e.id === endpointId),
      piped.stdout,
    );

    const yaml = await admin('endpoints', 'show', endpointId, '--output', 'yaml');
    assert.equal(yaml.code, 0, show(yaml));
    // A string that starts with a digit is quoted, so that no reader takes it for a number.
    assert.match(yaml.stdout, new RegExp(`^id: "?${endpointId}"?$`, 'm'));
    assert.match(yaml.stdout, /^status: accepted$/m);
    assert.match(yaml.stdout, new RegExp(`^routetables:\n- "?${rtA}"?$`, 'm'));
    assert.match(yaml.stdout, /^whitelist: \[\]$/m);
    assert.match(yaml.stdout, /^description: ""$/m);

    const ids = await admin('endpoints', 'list', '-o', 'json', '--query', 'endpoints[*].id');
    assert.equal(ids.code, 0, show(ids));
    assert.deepEqual(
      JSON.parse(ids.stdout),
      list.endpoints.map((e) => e.id),
    );
    const first = await admin('endpoints', 'list', '--query', '$.endpoints[0].id');
    assert.equal(first.stdout, `${list.endpoints[0]!.id}\n`, show(first));
    const last = await admin('endpoints', 'show', endpointId, '--json', '--query', 'routetables[-1]');
    assert.equal(JSON.parse(last.stdout), rtA, show(last));

    const bad = await admin('endpoints', 'list', '--query', 'endpoints[x]');
    assert.equal(bad.code, 1, show(bad));
    assert.match(bad.stderr, /^error: --query: cannot read "endpoints\[x\]"/);
    const badFormat = await admin('endpoints', 'list', '--output', 'xml');
    assert.equal(badFormat.code, 1, show(badFormat));
  });

  test('set-routetables prints the resulting set and exits 0', async () => {
    const r = await admin('endpoints', 'set-routetables', endpointId, rtA, rtB);
    assert.equal(r.code, 0, show(r));
    // The server answers the bound set sorted by id (domain/bindings.ts), whatever the order asked.
    const [first, second] = [rtA, rtB].sort();
    assert.equal(r.stdout, `endpoint ${endpointId} is bound to 2 route table(s):\n  ${first}\n  ${second}\n`);
    assert.equal(r.stderr, '');
    const ep = await w.api('GET', `/vpc-endpoints/${endpointId}`);
    assert.deepEqual([...ep.body.routetables].sort(), [rtA, rtB].sort());
  });

  test('set-routetables prints per-table failures on stderr and exits 3', async () => {
    const fault = await w.call('POST', `/vpcep/v1/${PROJECT_ID}/faults`, {
      fault: { operation: 'bind', routetable_id: vpc.defaultTable, times: 1 },
    });
    assert.equal(fault.status, 201, fault.raw);
    const r = await admin('endpoints', 'set-routetables', endpointId, rtB, vpc.defaultTable);
    assert.equal(r.code, 3, show(r));
    assert.match(r.stdout, new RegExp(`is bound to 1 route table\\(s\\):\\n  ${rtB}\\n$`));
    assert.match(
      r.stderr,
      new RegExp(`^bind failed for route table ${vpc.defaultTable}: EndPoint\\.4028: .+\\n$`),
    );

    await w.call('POST', `/vpcep/v1/${PROJECT_ID}/faults`, {
      fault: { operation: 'bind', routetable_id: vpc.defaultTable, times: 1 },
    });
    const json = await admin('endpoints', 'set-routetables', endpointId, rtB, vpc.defaultTable, '--json');
    assert.equal(json.code, 3, show(json));
    const body = JSON.parse(json.stdout);
    assert.deepEqual(body.routetables, [rtB]);
    assert.equal(body.error[0].bind_failed[0].id, vpc.defaultTable);
  });

  test('a bad endpoint id prints the API error and exits 1', async () => {
    const missing = '4189d3c2-8882-4871-a3c2-d380272eed83';
    for (const args of [
      ['endpoints', 'show', missing],
      ['endpoints', 'set-routetables', missing, rtA],
    ]) {
      const r = await admin(...args);
      assert.equal(r.code, 1, show(r));
      assert.match(
        r.stderr,
        /^error EndPoint\.2006: The requested endpoint does not exist\. \(request \S+\)\n$/,
      );
      assert.equal(r.stdout, '');
    }
    const table = await admin('endpoints', 'set-routetables', endpointId, 'no-such-table');
    assert.equal(table.code, 1, show(table));
    assert.match(table.stderr, /^error EndPoint\.1019: .*no-such-table/);
  });
});

describe('a command group per resource', () => {
  /** The command's JSON answer; fails the test on a non-zero exit. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the answers' shapes are what the assertions check
  async function json<T = any>(...args: string[]): Promise<T> {
    const r = await admin(...args, '-o', 'json');
    assert.equal(r.code, 0, show(r));
    return JSON.parse(r.stdout) as T;
  }
  /** `subnets create`; the subnet as answered. */
  const createSubnetViaCli = async (vpcId: string, name: string, cidr: string, gateway: string) =>
    (
      await json(
        'subnets',
        'create',
        '--vpc-id',
        vpcId,
        '--name',
        name,
        '--cidr',
        cidr,
        '--gateway-ip',
        gateway,
      )
    ).subnet;
  async function ok(...args: string[]): Promise<Run> {
    const r = await admin(...args);
    assert.equal(r.code, 0, show(r));
    return r;
  }

  test('vpcs, subnets, route-tables: create, list, show, delete', async () => {
    const vpc = (await json('vpcs', 'create', '--name', 'cli-net', '--cidr', '10.30.0.0/16')).vpc;
    assert.equal(vpc.cidr, '10.30.0.0/16');
    assert.match(
      (await ok('vpcs', 'list')).stdout,
      new RegExp(`^${vpc.id}\\s+cli-net\\s+10\\.30\\.0\\.0/16`, 'm'),
    );
    assert.equal((await json('vpcs', 'show', vpc.id)).vpc.name, 'cli-net');

    const subnet = await createSubnetViaCli(vpc.id, 'web', '10.30.1.0/24', '10.30.1.1');
    assert.deepEqual(await json('subnets', 'list', '--vpc-id', vpc.id, '--query', 'subnets[*].id'), [
      subnet.id,
    ]);
    assert.match(
      (await ok('subnets', 'show', subnet.id)).stdout,
      new RegExp(`^${subnet.id}\\s+web\\s+10\\.30\\.1\\.0/24`, 'm'),
    );

    const table = (await json('route-tables', 'create', '--vpc-id', vpc.id, '--name', 'private')).routetable;
    assert.match(
      (await ok('routetables', 'list', '--vpc-id', vpc.id)).stdout,
      new RegExp(`^${table.id}\\s+private\\s`, 'm'),
    );
    assert.equal((await ok('route-tables', 'delete', table.id)).stdout, `route table ${table.id} deleted\n`);
    const gone = await admin('route-tables', 'show', table.id);
    assert.equal(gone.code, 1, show(gone));

    const del = await admin('subnets', 'delete', vpc.id, subnet.id, '-o', 'json');
    assert.equal(del.code, 0, show(del));
    assert.equal(del.stdout, '', 'a 204 prints nothing in json');
    await ok('vpcs', 'delete', vpc.id);
    assert.equal((await admin('vpcs', 'show', vpc.id)).code, 1);
  });

  test('services, permissions, endpoints, connections, tags, whitelist, policy, audit', async () => {
    const vpc = (await json('vpcs', 'create', '--name', 'cli-svc', '--cidr', '10.40.0.0/16')).vpc;
    const subnet = await createSubnetViaCli(vpc.id, 'sn', '10.40.1.0/24', '10.40.1.1');
    const port = await createPort(w, subnet.id);

    const svc = await json(
      'services',
      'create',
      '--vpc-id',
      vpc.id,
      '--port-id',
      port.id,
      '--server-type',
      'VM',
      '--port',
      '80:8080',
      '--name',
      'clisvc',
      '--approval',
      'true',
    );
    assert.equal(svc.approval_enabled, true);
    assert.deepEqual(
      svc.ports.map((p: { client_port: number; server_port: number }) => [p.client_port, p.server_port]),
      [[80, 8080]],
    );
    assert.match(
      (await ok('services', 'list')).stdout,
      new RegExp(
        `^${svc.id}\\s+\\S*clisvc\\S*\\s+interface\\s+available\\s+yes\\s+${vpc.id}\\s+80:8080$`,
        'm',
      ),
    );
    const updated = await json('services', 'update', svc.id, '--description', 'from the cli');
    assert.equal(updated.description, 'from the cli');
    const renamed = await json('services', 'rename', svc.id, 'clisvc2');
    assert.match(renamed.endpoint_service_name, /clisvc2/);

    const added = await json('permissions', 'add', svc.id, 'iam:domain::0123456789abcdef0123456789abcdef');
    assert.deepEqual(added.permissions, ['iam:domain::0123456789abcdef0123456789abcdef']);
    assert.match(
      (await ok('permissions', 'list', svc.id)).stdout,
      /iam:domain::0123456789abcdef0123456789abcdef\s+domainId/,
    );
    await ok('permissions', 'remove', svc.id, 'iam:domain::0123456789abcdef0123456789abcdef');
    assert.deepEqual(await json('permissions', 'list', svc.id, '--query', 'permissions[*].permission'), []);

    const ep = await json(
      'endpoints',
      'create',
      '--service-id',
      svc.id,
      '--vpc-id',
      vpc.id,
      '--subnet-id',
      subnet.id,
      '--tag',
      'env=test',
      '--description',
      'cli endpoint',
    );
    // The answer of the create says creating; the next read, past the (zero) provisioning delay, waits for approval.
    assert.equal(ep.status, 'creating');
    assert.equal((await json('endpoints', 'show', ep.id)).status, 'pendingAcceptance');
    assert.deepEqual(ep.tags, [{ key: 'env', value: 'test' }]);
    assert.match(
      (await ok('connections', 'list', svc.id)).stdout,
      new RegExp(`^${ep.id}\\s+pendingAcceptance\\s`, 'm'),
    );
    assert.equal(
      (await ok('connections', 'accept', svc.id, ep.id)).stdout,
      `endpoint ${ep.id} is accepted\n`,
    );
    assert.equal((await json('endpoints', 'show', ep.id)).status, 'accepted');
    assert.equal(
      (await ok('connections', 'reject', svc.id, ep.id)).stdout,
      `endpoint ${ep.id} is rejected\n`,
    );

    const wl = await json('endpoints', 'whitelist', ep.id, '10.40.0.0/24', '192.168.0.7');
    assert.deepEqual([wl.enable_whitelist, wl.whitelist], [true, ['10.40.0.0/24', '192.168.0.7']]);
    assert.equal((await json('endpoints', 'whitelist', ep.id, '--disable')).enable_whitelist, false);

    await ok('endpoints', 'tags', 'add', ep.id, 'team=net');
    const keys = await json('endpoints', 'tags', 'list', '--query', 'tags[*].key');
    assert.deepEqual([...keys].sort(), ['env', 'team']);
    await ok('endpoints', 'tags', 'remove', ep.id, 'team');
    assert.deepEqual(await json('endpoints', 'show', ep.id, '--query', 'tags[*].key'), ['env']);

    const policyFile = path.join(tmp, 'policy.json');
    fs.writeFileSync(
      policyFile,
      JSON.stringify({
        policy_document: { Version: '5.0', Statement: [{ Effect: 'Allow', Action: ['*'], Resource: ['*'] }] },
      }),
    );
    const withPolicy = await json('endpoints', 'policy', 'set', ep.id, '--file', policyFile);
    assert.equal(withPolicy.policy_document?.Statement?.[0]?.Effect, 'Allow', JSON.stringify(withPolicy));
    await ok('endpoints', 'policy', 'delete', ep.id);

    const events = await json<{ audit_events: { operation: string; resource: { id: string } }[] }>(
      'audit',
      'list',
      '--resource-id',
      ep.id,
      '--operation',
      'CreateEndpoint',
    );
    assert.equal(events.audit_events.length, 1, JSON.stringify(events));
    assert.equal(events.audit_events[0]!.resource.id, ep.id);
    const limited = await json('audit', 'list', '--limit', '2');
    assert.equal(limited.audit_events.length, 2);
    assert.match(
      (await ok('audit', 'list', '--resource-id', ep.id, '--outcome', 'success')).stdout,
      /^TIME\s+OPERATION\s+OUTCOME/,
    );

    assert.equal((await ok('endpoints', 'delete', ep.id)).stdout, `endpoint ${ep.id} deleted\n`);
    await ok('services', 'delete', svc.id);
    assert.equal((await admin('services', 'show', svc.id)).code, 1);
  });

  test('faults: add, list, delete', async () => {
    const vpc = await createVpc(w, '10.50.0.0/16', 'cli-faults');
    const fault = (await json('faults', 'add', 'bind', vpc.defaultTable, '--times', '2')).fault;
    assert.equal(fault.remaining, 2);
    assert.match(
      (await ok('faults', 'list')).stdout,
      new RegExp(`^${fault.id}\\s+bind\\s+${vpc.defaultTable}\\s+2$`, 'm'),
    );
    await ok('faults', 'delete', fault.id);
    assert.deepEqual(await json('faults', 'list', '--query', 'faults[*].id'), []);
    const bad = await admin('faults', 'add', 'rebind', vpc.defaultTable);
    assert.equal(bad.code, 1, show(bad));
    // Provisioning faults: a service id or every service, and none for create-service.
    const ep = (await json('faults', 'add', 'create-endpoint', '--times', '1')).fault;
    assert.deepEqual([ep.operation, ep.routetable_id], ['create-endpoint', undefined]);
    const svc = (await json('faults', 'add', 'create-service')).fault;
    assert.match(
      (await ok('faults', 'list')).stdout,
      new RegExp(`^${svc.id}\\s+create-service\\s+\\*\\s+until deleted$`, 'm'),
    );
    for (const id of [ep.id, svc.id]) await ok('faults', 'delete', id);
    assert.equal((await admin('faults', 'add', 'bind')).code, 1, 'bind without a table');
    assert.equal(
      (await admin('faults', 'add', 'create-service', 'x')).code,
      1,
      'create-service with a target',
    );
  });
});

describe('--wait (against a spawned `vpcep serve` with a provisioning delay)', () => {
  let dataDir: string;
  let file: string;
  let vpcId: string;
  let tableId: string;
  let serviceId: string;
  let portId: string;

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vpcep-cli-wait-'));
    await spawnServer({ dataDir, env: { VPCEP_PROVISIONING_DELAY_MS: '3000' } });
    file = path.join(dataDir, 'credentials.json');
    const c = JSON.parse(fs.readFileSync(file, 'utf8'));
    const client = new VpcepClient({
      endpoint: c.endpoint,
      projectId: c.project_id,
      credentials: { ak: c.access_key, sk: c.secret_key },
    });
    const vpc = (await client.vpcs.create({ vpc: { name: 'wait', cidr: '10.60.0.0/16' } })).vpc;
    vpcId = vpc.id;
    tableId = (await client.routetables.list({ vpc_id: vpcId })).routetables[0]!.id;
    const subnet = await client.subnets.create({
      subnet: { name: 'sn', cidr: '10.60.1.0/24', gateway_ip: '10.60.1.1', vpc_id: vpcId },
    });
    portId = (await client.ports.create({ port: { network_id: subnet.subnet.id } })).port.id;
    const publics = await client.services.listPublic();
    serviceId = publics.endpoint_services.find((s) => s.service_name.endsWith('obsv2'))!.id;
  });

  after(async () => {
    await stopAll();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const run = (...args: string[]) => vpcep([...args, '--credentials', file]);
  /** `endpoints create --wait` of a gateway endpoint on the VPC's default table. */
  const createAndWait = (...args: string[]) =>
    run(
      'endpoints',
      'create',
      '--service-id',
      serviceId,
      '--vpc-id',
      vpcId,
      '--routetable',
      tableId,
      '--wait',
      ...args,
    );

  test('create --wait follows the endpoint from creating to accepted; delete --wait until it is gone', async () => {
    const r = await createAndWait('-o', 'json');
    assert.equal(r.code, 0, show(r));
    const ep = JSON.parse(r.stdout);
    assert.equal(ep.status, 'accepted');
    assert.match(r.stderr, new RegExp(`^endpoint ${ep.id}: creating \\(`, 'm'));
    assert.match(r.stderr, new RegExp(`^endpoint ${ep.id}: accepted \\(`, 'm'));

    const d = await run('endpoints', 'delete', ep.id, '--wait');
    assert.equal(d.code, 0, show(d));
    assert.equal(d.stdout, `endpoint ${ep.id} deleted\n`);
    assert.match(d.stderr, new RegExp(`^endpoint ${ep.id}: gone$`, 'm'));
  });

  test('services create --wait follows the service to available; delete --wait until it is gone', async () => {
    const r = await run(
      'services',
      'create',
      '--vpc-id',
      vpcId,
      '--port-id',
      portId,
      '--server-type',
      'VM',
      '--port',
      '80:8080',
      '--wait',
      '-o',
      'json',
    );
    assert.equal(r.code, 0, show(r));
    const svc = JSON.parse(r.stdout);
    assert.equal(svc.status, 'available');
    assert.match(r.stderr, new RegExp(`^endpoint service ${svc.id}: creating \\(`, 'm'));
    const d = await run('services', 'delete', svc.id, '--wait');
    assert.equal(d.code, 0, show(d));
    assert.match(d.stderr, new RegExp(`^endpoint service ${svc.id}: gone$`, 'm'));
  });

  test('--timeout: exit 4, saying the state it was still in', async () => {
    const r = await createAndWait('--timeout', '0.5');
    assert.equal(r.code, 4, show(r));
    assert.match(r.stderr, /^error: timed out after 0\.5s waiting for endpoint \S+; it is still creating$/m);
    const bad = await run('endpoints', 'delete', 'x', '--wait', '--timeout', 'soon');
    assert.equal(bad.code, 1, show(bad));
    assert.match(bad.stderr, /^error: --timeout must be a number of seconds, got "soon"$/m);
  });
});

describe('profiles', () => {
  const configFile = () => path.join(tmp, 'config', 'vpcep', 'config.json');

  test('profiles add writes a 0600 file; --profile and VPCEP_PROFILE use it; list shows no secret', async () => {
    const add = await vpcep([
      'profiles',
      'add',
      'dev',
      '--endpoint',
      url,
      '--project-id',
      PROJECT_ID,
      '--access-key',
      AK,
      '--secret-key',
      SK,
    ]);
    assert.equal(add.code, 0, show(add));
    assert.equal(fs.statSync(configFile()).mode & 0o777, 0o600);
    assert.deepEqual(JSON.parse(fs.readFileSync(configFile(), 'utf8')).profiles.dev, {
      endpoint: url,
      project_id: PROJECT_ID,
      access_key: AK,
      secret_key: SK,
    });
    const list = await vpcep(['profiles', 'list']);
    assert.equal(list.code, 0, show(list));
    assert.match(list.stdout, new RegExp(`^dev\\s+${url}\\s+${PROJECT_ID}\\s+aksk ${AK}`, 'm'));
    const listed = await vpcep(['profiles', 'list', '-o', 'json']);
    assert.ok(!listed.stdout.includes(SK) && !list.stdout.includes(SK), listed.stdout);

    // No credentials file is read: the profile stands alone.
    const viaFlag = await vpcep(['route-tables', 'list', '--profile', 'dev']);
    assert.equal(viaFlag.code, 0, show(viaFlag));
    const viaEnv = await vpcep(['endpoints', 'list', '-o', 'json'], { VPCEP_PROFILE: 'dev' });
    assert.equal(viaEnv.code, 0, show(viaEnv));
    assert.ok(Array.isArray(JSON.parse(viaEnv.stdout).endpoints));
  });

  test('precedence: flags > environment > profile > credentials file', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    // --endpoint beats the profile's endpoint.
    const flag = await vpcep(['endpoints', 'list', '--profile', 'dev', '--endpoint', closed]);
    assert.equal(flag.code, 1, show(flag));
    assert.match(flag.stderr, /cannot reach/);
    // A profile that points at a credentials file, with its own endpoint over the file's.
    await vpcep(['profiles', 'add', 'filed', '--credentials-file', adminFile, '--endpoint', closed]);
    const filed = await vpcep(['endpoints', 'list', '--profile', 'filed']);
    assert.equal(filed.code, 1, show(filed));
    assert.match(filed.stderr, /cannot reach/);
    // --credentials (or VPCEP_CREDENTIALS) given explicitly beats the profile.
    const explicit = await vpcep(['endpoints', 'list', '--profile', 'filed', '--credentials', adminFile]);
    assert.equal(explicit.code, 0, show(explicit));
    const env = await vpcep(['endpoints', 'list', '--profile', 'filed'], { VPCEP_CREDENTIALS: adminFile });
    assert.equal(env.code, 0, show(env));
    // The profile's password login, its file's user.
    await vpcep(['profiles', 'add', 'pw', '--credentials-file', adminFile]);
    const pw = await vpcep(['iam', 'ak', 'list', '--profile', 'pw', '--auth', 'password']);
    assert.equal(pw.code, 0, show(pw));

    const unknown = await vpcep(['endpoints', 'list', '--profile', 'nope']);
    assert.equal(unknown.code, 1, show(unknown));
    assert.match(
      unknown.stderr,
      /^error: no profile "nope" in .*config\.json \(profiles: dev, filed, pw\)$/m,
    );

    const removed = await vpcep(['profiles', 'remove', 'filed']);
    assert.equal(removed.code, 0, show(removed));
    assert.deepEqual(Object.keys(JSON.parse(fs.readFileSync(configFile(), 'utf8')).profiles), ['dev', 'pw']);
  });
});

describe('credentials and reachability', () => {
  test('VPCEP_CREDENTIALS names the file; --auth password logs in instead of signing', async () => {
    const viaEnv = await vpcep(['endpoints', 'list'], { VPCEP_CREDENTIALS: adminFile });
    assert.equal(viaEnv.code, 0, show(viaEnv));
    const passwordOnly = writeCredentials('password.json', {
      endpoint: url,
      domain: 'vpcep',
      user: 'admin',
      project_id: PROJECT_ID,
      password: PASSWORD,
    });
    const r = await vpcep(['iam', 'ak', 'list', '--credentials', passwordOnly]);
    assert.equal(r.code, 0, show(r));
    assert.match(r.stdout, new RegExp(`^${AK}\\s+active`, 'm'));
    const forced = await admin('routetables', 'list', '--auth', 'password');
    assert.equal(forced.code, 0, show(forced));
  });

  test('an unreachable endpoint prints a clear message and exits 1', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const r = await admin('endpoints', 'list', '--endpoint', `${closed}/`);
    assert.equal(r.code, 1, show(r));
    assert.match(r.stderr, new RegExp(`^error: cannot reach ${closed}: connection refused`));
  });

  test('a missing or broken credentials file is explained, without echoing its content', async () => {
    const missing = await vpcep(['endpoints', 'list', '--credentials', path.join(tmp, 'nope.json')]);
    assert.equal(missing.code, 1, show(missing));
    assert.match(missing.stderr, /^error: cannot read credentials file .*nope\.json \(ENOENT\)/);
    const broken = path.join(tmp, 'broken.json');
    fs.writeFileSync(broken, `{"secret_key": "${SK}",`);
    const r = await vpcep(['endpoints', 'list', '--credentials', broken]);
    assert.equal(r.code, 1, show(r));
    assert.match(r.stderr, /is not valid JSON/);
    assert.ok(!r.stderr.includes(SK));
  });

  test('the server saw the CLI sign its requests (the key works from the SDK too)', async () => {
    const c = new VpcepClient({ endpoint: url, projectId: PROJECT_ID, credentials: { ak: AK, sk: SK } });
    assert.ok((await c.endpoints.list()).total_count >= 1);
  });
});

describe('accounts (the operator API, against a spawned `vpcep serve`)', () => {
  let server: ServerProcess;
  let dataDir: string;
  /** The credentials.json that server wrote: its endpoint and its generated operator key. */
  let serverFile: string;
  let operatorKey: string;

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vpcep-cli-accounts-'));
    server = await spawnServer({ dataDir });
    serverFile = path.join(dataDir, 'credentials.json');
    operatorKey = JSON.parse(fs.readFileSync(serverFile, 'utf8')).operator_key;
    assert.ok(operatorKey, 'bootstrap wrote an operator key');
  });

  after(async () => {
    await stopAll();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  /** `vpcep accounts ...` with the server's own credentials file. */
  const accounts = (...args: string[]) => vpcep(['accounts', ...args, '--credentials', serverFile]);

  /** The `name  value` lines of `accounts create`. */
  const field = (out: string, name: string) =>
    new RegExp(`^${name}\\s{2,}(\\S+)$`, 'm').exec(out)?.[1] ?? assert.fail(`no "${name}" in:\n${out}`);

  test('create prints the new account and its secrets once; they work', async () => {
    const r = await accounts('create', 'globex');
    assert.equal(r.code, 0, show(r));
    assert.match(r.stdout, /^account globex created\n\n/);
    assert.equal(field(r.stdout, 'domain'), 'globex');
    assert.equal(field(r.stdout, 'project'), 'cn-north-4');
    assert.equal(field(r.stdout, 'admin user'), 'admin');
    const projectId = field(r.stdout, 'project id');
    const domainId = field(r.stdout, 'domain id');
    assert.match(domainId, /^[0-9a-f]{32}$/);
    const password = field(r.stdout, 'password');
    const ak = field(r.stdout, 'access key');
    const sk = field(r.stdout, 'secret key');
    assert.match(ak, /^[0-9A-Z]{20}$/);
    assert.equal(sk.length, 40);
    assert.match(r.stderr, /^warning: the admin's password and secret key are shown only this once/);

    // The printed values are the new admin's: its AK/SK signs, its password logs in.
    const signed = writeCredentials('globex-aksk.json', {
      endpoint: server.url,
      project_id: projectId,
      access_key: ak,
      secret_key: sk,
    });
    const tables = await vpcep(['routetables', 'list', '--credentials', signed]);
    assert.equal(tables.code, 0, show(tables));
    assert.equal(tables.stdout, 'no route tables\n');
    const withPassword = writeCredentials('globex-password.json', {
      endpoint: server.url,
      domain: 'globex',
      user: 'admin',
      project_id: projectId,
      password,
    });
    const keys = await vpcep(['iam', 'ak', 'list', '--credentials', withPassword]);
    assert.equal(keys.code, 0, show(keys));
    assert.match(keys.stdout, new RegExp(`^${ak}\\s+active\\s+\\S+\\s+account admin$`, 'm'));
  });

  test('create --json prints the API answer unchanged', async () => {
    const r = await accounts('create', 'json-co', '--json');
    assert.equal(r.code, 0, show(r));
    const body = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(body), ['account']);
    assert.equal(body.account.domain_name, 'json-co');
    assert.equal(body.account.admin.name, 'admin');
    assert.equal(body.account.admin.secret_key.length, 40);
    assert.match(r.stderr, /shown only this once/);
  });

  test('a taken name: exit 1, "is taken", nothing on stdout', async () => {
    for (const name of ['globex', 'vpcep']) {
      const r = await accounts('create', name);
      assert.equal(r.code, 1, show(r));
      assert.match(
        r.stderr,
        new RegExp(`^error VPCEP\\.1001: the account name "${name}" is taken \\(request [0-9a-f]{32}\\)\\n$`),
      );
      assert.equal(r.stdout, '');
    }
  });

  test('list shows every account with its projects and never a secret', async () => {
    const created = await accounts('create', 'lister', '--json');
    const secrets = JSON.parse(created.stdout).account.admin;
    const r = await accounts('list');
    assert.equal(r.code, 0, show(r));
    assert.match(r.stdout, /^DOMAIN ID\s+NAME\s+CREATED\s+PROJECTS$/m);
    for (const name of ['vpcep', 'globex', 'json-co', 'lister']) {
      assert.match(
        r.stdout,
        new RegExp(`^[0-9a-f]{32}\\s+${name}\\s+\\S+\\s+cn-north-4 \\([0-9a-f]{32}\\)$`, 'm'),
      );
    }
    const json = await accounts('list', '--json');
    assert.equal(json.code, 0, show(json));
    const listed = JSON.parse(json.stdout).accounts.find(
      (a: { domain_name: string }) => a.domain_name === 'lister',
    );
    assert.deepEqual(Object.keys(listed).sort(), [
      'created_at',
      'domain_id',
      'domain_name',
      'projects',
      'quotas',
    ]);
    assert.deepEqual(listed.quotas, { endpoint: 150, endpoint_service: 100 });
    for (const out of [r.stdout, r.stderr, json.stdout]) {
      assert.ok(!out.includes(secrets.secret_key) && !out.includes(secrets.password), out);
    }
  });

  test('delete is refused while the account has resources, then deletes it', async () => {
    const made = JSON.parse((await accounts('create', 'shortlived', '--json')).stdout).account;
    const tenant = new VpcepClient({
      endpoint: server.url,
      projectId: made.project_id,
      credentials: { ak: made.admin.access_key, sk: made.admin.secret_key },
    });
    const { vpc } = await tenant.vpcs.create({ vpc: { name: 'keeps-it', cidr: '10.0.0.0/16' } });

    const refused = await accounts('delete', made.domain_id);
    assert.equal(refused.code, 1, show(refused));
    assert.match(refused.stderr, /^error VPCEP\.1002: .*shortlived.* \(request [0-9a-f]{32}\)\n$/);
    assert.equal(refused.stdout, '');

    await tenant.vpcs.delete(vpc.id);
    const r = await accounts('delete', made.domain_id);
    assert.equal(r.code, 0, show(r));
    assert.equal(r.stdout, `account ${made.domain_id} deleted\n`);
    const list = await accounts('list');
    assert.ok(!list.stdout.includes('shortlived'), list.stdout);

    const again = await accounts('delete', made.domain_id, '--json');
    assert.equal(again.code, 1, show(again));
    assert.match(again.stderr, /^error VPCEP\.0404: /);
    assert.equal(again.stdout, '');
  });

  test('quotas sets the account’s quotas; "default" restores the server’s; bad values are refused', async () => {
    const made = JSON.parse((await accounts('create', 'quota-co', '--json')).stdout).account;
    const r = await accounts('quotas', made.domain_id, '--endpoints', '3', '--endpoint-services', '0');
    assert.equal(r.code, 0, show(r));
    assert.match(r.stdout, /^endpoints\s+3$/m);
    assert.match(r.stdout, /^endpoint services\s+0$/m);
    const back = await accounts('quotas', made.domain_id, '--endpoints', 'default', '--json');
    assert.equal(back.code, 0, show(back));
    assert.deepEqual(JSON.parse(back.stdout), { quotas: { endpoint: 150, endpoint_service: 0 } });
    for (const args of [['--endpoints', '-1'], ['--endpoints', 'many'], []]) {
      const bad = await accounts('quotas', made.domain_id, ...args);
      assert.equal(bad.code, 1, show(bad));
      assert.equal(bad.stdout, '');
    }
    const unknown = await accounts('quotas', '0'.repeat(32), '--endpoints', '1');
    assert.equal(unknown.code, 1, show(unknown));
    assert.match(unknown.stderr, /^error VPCEP\.0404: /);
  });

  test('delete --json prints nothing (the answer is an empty 204)', async () => {
    const made = JSON.parse((await accounts('create', 'quiet', '--json')).stdout).account;
    const r = await accounts('delete', made.domain_id, '--json');
    assert.equal(r.code, 0, show(r));
    assert.equal(r.stdout, '');
  });

  test('a refused operator key is named by where it came from', async () => {
    const wrong = 'not-the-operator-key-0000';
    const flag = await accounts('list', '--operator-key', wrong);
    assert.equal(flag.code, 1, show(flag));
    assert.match(
      flag.stderr,
      /^error VPCEP\.0401: the operator key was refused; it came from --operator-key \(request [0-9a-f]{32}\)\n$/,
    );
    const env = await vpcep(['accounts', 'create', 'nope', '--credentials', serverFile], {
      VPCEP_OPERATOR_KEY: wrong,
    });
    assert.equal(env.code, 1, show(env));
    assert.match(
      env.stderr,
      /^error VPCEP\.0401: the operator key was refused; it came from VPCEP_OPERATOR_KEY /,
    );
    // A tenant's credentials file has no operator key; its AK/SK are no substitute.
    const tenantFile = writeCredentials('tenant-with-fake-key.json', {
      endpoint: server.url,
      project_id: PROJECT_ID,
      operator_key: wrong,
    });
    const file = await vpcep(['accounts', 'list', '--credentials', tenantFile]);
    assert.equal(file.code, 1, show(file));
    assert.match(
      file.stderr,
      new RegExp(`it came from "operator_key" in ${tenantFile.replace(/[.\\]/g, '\\$&')} `),
    );
    for (const out of [flag.stderr, env.stderr, file.stderr]) assert.ok(!out.includes(wrong), out);
  });

  test('the key and the endpoint from the command line or the environment; the file only for what is missing', async () => {
    const missing = path.join(tmp, 'no-such-credentials.json');
    const flags = await vpcep([
      'accounts',
      'list',
      '--credentials',
      missing,
      '--endpoint',
      `${server.url}/`,
      '--operator-key',
      operatorKey,
    ]);
    assert.equal(flags.code, 0, show(flags));
    assert.match(flags.stdout, /\bglobex\b/);

    const endpointOnly = writeCredentials('endpoint-only.json', {
      endpoint: server.url,
      project_id: PROJECT_ID,
    });
    const viaEnv = await vpcep(['accounts', 'list', '--credentials', endpointOnly], {
      VPCEP_OPERATOR_KEY: operatorKey,
    });
    assert.equal(viaEnv.code, 0, show(viaEnv));
    assert.match(viaEnv.stdout, /\bglobex\b/);

    const noKey = await vpcep(['accounts', 'list', '--credentials', endpointOnly]);
    assert.equal(noKey.code, 1, show(noKey));
    assert.match(
      noKey.stderr,
      /^error: no operator key: .*endpoint-only\.json has no "operator_key".*--operator-key or set VPCEP_OPERATOR_KEY\n$/,
    );

    const unread = await vpcep(['accounts', 'list', '--credentials', missing]);
    assert.equal(unread.code, 1, show(unread));
    assert.match(
      unread.stderr,
      /^error: cannot read credentials file .*no-such-credentials\.json \(ENOENT\)/,
    );
  });

  test("the README's snippet writes a credentials file of the new account that the other commands take", () => {
    const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
    const section = readme.split('\n## CLI\n')[1]?.split(/\n## /)[0] ?? '';
    const block = [...section.matchAll(/```sh\n([\s\S]*?)```/g)]
      .map((m) => m[1]!)
      .find((b) => b.includes('accounts create'));
    assert.ok(block, 'the CLI section has the snippet');
    // A project folder of its own: bin/ of this one, and the server's credentials file in data/.
    const project = fs.mkdtempSync(path.join(tmp, 'readme-project-'));
    fs.symlinkSync(path.join(REPO_ROOT, 'bin'), path.join(project, 'bin'));
    fs.mkdirSync(path.join(project, 'data'));
    fs.copyFileSync(serverFile, path.join(project, 'data', 'credentials.json'));
    const run = spawnSync('bash', ['-euo', 'pipefail', '-c', block], {
      cwd: project,
      env: { ...cleanEnv(), HOME: tmp, XDG_CONFIG_HOME: path.join(tmp, 'config') },
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(run.status, 0, `snippet failed:\n${run.stdout}\n${run.stderr}`);
    // Piped, so JSON: the new account has no route tables yet.
    assert.deepEqual(JSON.parse(run.stdout), { routetables: [] });
    const file = path.join(project, 'acme.json');
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    const written = JSON.parse(fs.readFileSync(file, 'utf8'));
    assert.deepEqual(Object.keys(written).sort(), [
      'access_key',
      'domain',
      'endpoint',
      'password',
      'project_id',
      'secret_key',
      'user',
    ]);
    assert.equal(written.endpoint, server.url);
    assert.equal(written.domain, 'acme');
    // Its password works too: the file logs in as acme's admin.
    const login = spawnSync(
      process.execPath,
      ['dist/main.js', 'iam', 'ak', 'list', '--auth', 'password', '--credentials', file, '-o', 'table'],
      { cwd: REPO_ROOT, env: cleanEnv(), encoding: 'utf8', timeout: 30_000 },
    );
    assert.equal(login.status, 0, login.stderr);
    assert.match(login.stdout, new RegExp(`^${written.access_key}\\s+active`, 'm'));
  });

  test('an unreachable server is said so', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const r = await accounts('list', '--endpoint', closed);
    assert.equal(r.code, 1, show(r));
    assert.match(r.stderr, new RegExp(`^error: cannot reach ${closed}: connection refused`));
  });
});
