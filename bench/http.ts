// Throughput of the compiled server over real HTTP, driven by autocannon from this process while
// the server runs in its own (`node dist/main.js serve`), beside the ceiling: a bare node:http
// server answering the seed's 200 body. Prints figures; asserts nothing (issue 12).
//   npx tsx bench/http.ts [--seconds 8] [--connections 16] [--server dist/main.js]
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const SECONDS = Number(arg('seconds', '8'));
const CONNECTIONS = Number(arg('connections', '16'));
const SERVER = path.resolve(arg('server', 'dist/main.js'));
/** `--cpu-prof <dir>`: the server writes a V8 CPU profile there, and its top entries are printed. */
const PROFILE_DIR = process.argv.includes('--cpu-prof')
  ? path.resolve(arg('cpu-prof', 'bench/profiles'))
  : undefined;
const PASSWORD = 'bench-Password-1';

interface Result {
  label: string;
  rps: number;
  p50: number;
  p99: number;
  max: number;
  errors: number;
}

async function load(label: string, opts: autocannon.Options): Promise<Result> {
  const r = await autocannon({ duration: SECONDS, connections: CONNECTIONS, ...opts });
  const errors = r.errors + r.timeouts + r.non2xx;
  return {
    label,
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    max: r.latency.max,
    errors,
  };
}

/** The ceiling: node:http answering what a rebind answers, with nothing behind it. */
async function ceiling(): Promise<Result> {
  const body = JSON.stringify({ routetables: ['99477d3b-87f6-49d2-8f3b-2ffc72731a38'] });
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json;charset=UTF-8' });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  try {
    return await load('ceiling: node:http, the 200 body', {
      url: `http://127.0.0.1:${port}/`,
      method: 'PUT',
    });
  } finally {
    server.close();
  }
}

async function startServer(dir: string): Promise<{ url: string; child: ChildProcess }> {
  const profile = PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [];
  const child = spawn(process.execPath, [...profile, SERVER, 'serve', '--port', '0', '--data-dir', dir], {
    env: {
      ...process.env,
      VPCEP_ADMIN_PASSWORD: PASSWORD,
      VPCEP_LOG_LEVEL: process.env.VPCEP_LOG_LEVEL ?? 'info',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const file = path.join(dir, 'credentials.json');
  for (let i = 0; i < 200 && !fs.existsSync(file); i++) await new Promise((r) => setTimeout(r, 50));
  const { endpoint } = JSON.parse(fs.readFileSync(file, 'utf8')) as { endpoint: string };
  for (let i = 0; i < 200; i++) {
    const ok = await fetch(`${endpoint}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { url: endpoint, child };
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the server did not become ready');
}

async function json(url: string, method: string, token: string | undefined, body?: unknown) {
  const res = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { 'x-auth-token': token } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status >= 300) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers of several shapes
  return { body: (await res.json()) as Record<string, any>, headers: res.headers };
}

async function rebindScene(base: string, dir: string) {
  const creds = JSON.parse(fs.readFileSync(path.join(dir, 'credentials.json'), 'utf8'));
  const P = creds.project_id as string;
  const login = await fetch(`${base}/v3/auth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      auth: {
        identity: {
          methods: ['password'],
          password: { user: { name: 'admin', password: PASSWORD, domain: { name: 'vpcep' } } },
        },
        scope: { project: { id: P } },
      },
    }),
  });
  const token = login.headers.get('x-subject-token')!;
  const vpc = (
    await json(`${base}/v1/${P}/vpcs`, 'POST', token, { vpc: { name: 'bench', cidr: '10.0.0.0/16' } })
  ).body.vpc.id;
  const svc = (await json(`${base}/v1/${P}/vpc-endpoint-services/public`, 'GET', token)).body
    .endpoint_services[0].id;
  // One endpoint and two tables of its own per connection: connections never wait on each other's rows.
  const scenes: { ep: string; tables: [string, string] }[] = [];
  for (let i = 0; i < CONNECTIONS; i++) {
    const t = [];
    for (const n of ['a', 'b']) {
      t.push(
        (
          await json(`${base}/v1/${P}/routetables`, 'POST', token, {
            routetable: { vpc_id: vpc, name: `${n}${i}` },
          })
        ).body.routetable.id,
      );
    }
    const ep = (
      await json(`${base}/v1/${P}/vpc-endpoints`, 'POST', token, {
        endpoint_service_id: svc,
        vpc_id: vpc,
        routetables: [t[0]],
      })
    ).body.id;
    scenes.push({ ep, tables: [t[0], t[1]] });
  }
  return { P, token, scenes };
}

async function main() {
  const results: Result[] = [await ceiling()];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vpcep-bench-'));
  const { url, child } = await startServer(dir);
  try {
    const { P, token, scenes } = await rebindScene(url, dir);
    let next = 0;
    results.push(
      await load('rebind, token', {
        url,
        headers: { 'content-type': 'application/json', 'x-auth-token': token },
        requests: [
          {
            method: 'PUT',
            setupRequest: (req: autocannon.Request, ctx: object) => {
              const context = ctx as Record<string, number>;
              context.scene ??= next++ % scenes.length;
              context.flip = ((context.flip ?? 0) + 1) % 2;
              const s = scenes[context.scene]!;
              return {
                ...req,
                path: `/v1/${P}/vpc-endpoints/${s.ep}/routetables`,
                body: JSON.stringify({ routetables: [s.tables[context.flip]] }),
              };
            },
          },
        ],
      }),
    );
    results.push(
      await load('show endpoint', {
        url: `${url}/v1/${P}/vpc-endpoints/${scenes[0]!.ep}`,
        headers: { 'x-auth-token': token },
      }),
    );
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
  if (PROFILE_DIR) printProfile(PROFILE_DIR);
  const ceilingRps = results[0]!.rps;
  console.log(
    `\n${os.cpus().length} cores, node ${process.version}, ${SECONDS} s per row, ${CONNECTIONS} connections\n`,
  );
  console.log('| target | req/s | p50 ms | p99 ms | max ms | errors | of ceiling |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of results) {
    const share = ((100 * r.rps) / ceilingRps).toFixed(1);
    console.log(
      `| ${r.label} | ${Math.round(r.rps)} | ${r.p50} | ${r.p99} | ${r.max} | ${r.errors} | ${share} % |`,
    );
  }
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

/** The newest profile's top entries by self time, with their share of all samples. */
function printProfile(dir: string) {
  const newest = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => path.join(dir, f))
    .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)[0];
  if (!newest) return;
  const { nodes } = JSON.parse(fs.readFileSync(newest, 'utf8')) as { nodes: ProfileNode[] };
  const self = new Map<string, number>();
  let total = 0;
  for (const n of nodes) {
    const hits = n.hitCount ?? 0;
    total += hits;
    const f = n.callFrame;
    const where = f.url ? `${path.basename(f.url)}:${f.lineNumber + 1}` : '';
    const name = `${f.functionName || '(anonymous)'} ${where}`.trim();
    self.set(name, (self.get(name) ?? 0) + hits);
  }
  console.log(`\nprofile ${newest}: top self time`);
  for (const [name, hits] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25)) {
    console.log(`${((100 * hits) / total).toFixed(1).padStart(5)} %  ${name}`);
  }
}

await main();
