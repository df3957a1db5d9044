// The SDK as a package (issue 13): `npm pack` makes the tarball a user would install; unpacked into
// the node_modules of a scratch project outside the repository, `import ... from 'vpcep/sdk'`
// resolves through package.json `exports`, both for Node (a .mjs run against a listening server)
// and for TypeScript (a .ts typechecked by tsc against the shipped declarations, then run).
//
// The tarball is unpacked as `npm install` would lay it out, without asking the registry for the
// server's own dependencies: the SDK needs none at run time, and its declarations only `typebox`,
// linked from this repository's node_modules as the registry would install it. (A registry install
// would make the test depend on the network and on npm's cache, and CI also runs e2e/ with the clock
// 400 days ahead, where TLS to a registry fails.)
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { before, test } from 'node:test';
import { useScratch } from '../helpers/scratch.ts';
import { cleanEnv, REPO_ROOT, spawnServer } from '../helpers/server.ts';

const scratch = useScratch('vpcep-sdk-package-');
let project: string;
let creds: { endpoint: string; project_id: string; access_key: string; secret_key: string };

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = cleanEnv()) {
  const out = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: 120_000 });
  assert.equal(out.status, 0, `${command} ${args.join(' ')}:\n${out.stdout}\n${out.stderr}`);
  return out.stdout;
}

const link = (target: string, at: string) => {
  fs.mkdirSync(path.dirname(at), { recursive: true });
  fs.symlinkSync(target, at);
};

before(async () => {
  const packed = scratch.dir();
  // --ignore-scripts: `prepare` would rebuild dist/ under the suites that run from it.
  const name = run(
    'npm',
    ['pack', '--ignore-scripts', '--silent', '--pack-destination', packed],
    REPO_ROOT,
  ).trim();
  project = scratch.dir();
  fs.writeFileSync(
    path.join(project, 'package.json'),
    JSON.stringify({ name: 'sdk-user', private: true, type: 'module' }),
  );
  const installed = path.join(project, 'node_modules', 'vpcep');
  fs.mkdirSync(installed, { recursive: true });
  run('tar', ['-xzf', path.join(packed, name), '-C', installed, '--strip-components=1'], project);
  link(path.join(REPO_ROOT, 'node_modules', 'typebox'), path.join(project, 'node_modules', 'typebox'));
  link(
    path.join(REPO_ROOT, 'node_modules', '@types', 'node'),
    path.join(project, 'node_modules', '@types', 'node'),
  );

  const dataDir = scratch.dir();
  // The server writes the address and the account's keys to credentials.json as it starts.
  await spawnServer({ dataDir });
  creds = JSON.parse(fs.readFileSync(path.join(dataDir, 'credentials.json'), 'utf8'));
});

/** The scratch project's scripts read the server and the account from here. */
const env = () =>
  cleanEnv({
    SDK_ENDPOINT: creds.endpoint,
    SDK_PROJECT: creds.project_id,
    SDK_AK: creds.access_key,
    SDK_SK: creds.secret_key,
  });

test('the tarball holds the CLI and the built SDK with its declarations, and no sources', () => {
  const files = fs.readdirSync(path.join(project, 'node_modules', 'vpcep'), { recursive: true }).map(String);
  for (const f of [
    'package.json',
    'bin/vpcep.js',
    'dist/main.js',
    'dist/sdk/index.js',
    'dist/types/sdk/index.d.ts',
  ]) {
    assert.ok(files.includes(f), `${f} is in the package`);
  }
  assert.ok(!files.some((f) => f.startsWith('src') || f.startsWith('test')), 'no sources or tests');
});

const MJS = `
import { VpcepClient, VpcepNotFoundError } from 'vpcep/sdk';

const client = new VpcepClient({
  endpoint: process.env.SDK_ENDPOINT,
  projectId: process.env.SDK_PROJECT,
  credentials: { ak: process.env.SDK_AK, sk: process.env.SDK_SK },
});
const { vpc } = await client.vpcs.create({ vpc: { name: 'from-mjs', cidr: '10.70.0.0/16' } });
const names = [];
for await (const table of client.routetables.listAll({ vpc_id: vpc.id, limit: 1 })) names.push(table.name);
console.log(JSON.stringify({ vpc: vpc.name, tables: names.length }));
try {
  await client.endpoints.get('4189d3c2-8882-4871-a3c2-d380272eed83');
} catch (e) {
  if (!(e instanceof VpcepNotFoundError)) throw e;
  console.log(JSON.stringify({ status: e.status, code: e.code }));
}
try {
  await import('vpcep/dist/sdk/index.js');
} catch (e) {
  console.log(JSON.stringify({ deep: e.code }));
}
`;

test('a .mjs imports vpcep/sdk and calls the server', () => {
  fs.writeFileSync(path.join(project, 'demo.mjs'), MJS);
  const lines = run(process.execPath, ['demo.mjs'], project, env())
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.deepEqual(lines, [
    { vpc: 'from-mjs', tables: 1 },
    { status: 404, code: 'EndPoint.2006' },
    // Only what `exports` names may be imported.
    { deep: 'ERR_PACKAGE_PATH_NOT_EXPORTED' },
  ]);
});

/** (The directive is split so that this repository's typecheck does not read it as its own.) */
const TS = `
import {
  VpcepClient,
  VpcepError,
  type Endpoint,
  type EndpointService,
  type RetryOptions,
} from 'vpcep/sdk';

const retry: RetryOptions = { attempts: 2 };
const client = new VpcepClient({
  endpoint: process.env.SDK_ENDPOINT ?? '',
  projectId: process.env.SDK_PROJECT ?? '',
  credentials: { ak: process.env.SDK_AK ?? '', sk: process.env.SDK_SK ?? '' },
  retry,
});

const endpoints: Endpoint[] = [];
for await (const ep of client.endpoints.listAll({ limit: 10 })) endpoints.push(ep);
const service: EndpointService | undefined = (await client.services.list()).endpoint_services[0];
const quotas = await client.quotas.list({ type: 'endpoint' });
const used: number | undefined = quotas.quotas.resources[0]?.used;
try {
  // @ts-${'expect-error'} a service needs its port, VPC, server type and ports: the types are the wire schema's
  await client.services.create({ vpc_id: 'x' });
} catch (e) {
  if (!(e instanceof VpcepError)) throw e;
  console.log(JSON.stringify({ endpoints: endpoints.length, service: service ?? null, used, refused: e.status }));
}
`;

test('a .ts typechecks against the shipped declarations, and runs', () => {
  fs.writeFileSync(path.join(project, 'demo.ts'), TS);
  fs.writeFileSync(
    path.join(project, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        lib: ['ES2023'],
        types: ['node'],
        strict: true,
        noEmit: true,
        // The declarations are still read: a type they could not resolve would be `any`, and the
        // expected error in demo.ts would then be missing, which is an error.
        skipLibCheck: true,
      },
      files: ['demo.ts'],
    }),
  );
  run(
    process.execPath,
    [path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'],
    project,
  );
  const tsx = path.join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'esm', 'index.mjs');
  const out = JSON.parse(run(process.execPath, ['--import', tsx, 'demo.ts'], project, env()).trim());
  assert.deepEqual(out, { endpoints: 0, service: null, used: 0, refused: 400 });
});
