import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { setTimeout as pace } from 'node:timers/promises';
import { sorted } from '../helpers/expect.ts';
import { prng } from '../helpers/random.ts';
import { createTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../helpers/pgdb.ts';
import { client, login, spawnServer, stopAll, type ServerProcess } from '../helpers/server.ts';
import { until } from '../helpers/wait.ts';

/**
 * A database outage (issue 4): one `vpcep serve` reaches PostgreSQL through a TCP proxy in this
 * test. Cutting the proxy makes calls answer 503 VPCEP.0503 with Retry-After within seconds (never a
 * hang, never a 500), /readyz 503 while /healthz stays 200; restoring it brings 200s back without a
 * restart; and every change acknowledged before, during or after the outage is there at the end.
 */

const PASSWORD = 'outage-password-1';
const PROJECT_ID = 'fedcba9876543210fedcba9876543210';
const LOOPS = 4;
const TABLES_PER_LOOP = 10;
/** A call slower than this counts as a hang. */
const MAX_CALL_MS = 10_000;

/** The pause between one loop's calls: a pace, so the loops do not run through their sets, not a wait. */
const PACE_MS = 20;

/** A TCP proxy on 127.0.0.1 that can be cut (every socket destroyed, no new ones) and restored. */
class CuttableProxy {
  #server: net.Server | undefined;
  #sockets = new Set<net.Socket>();
  port = 0;
  accepted = 0;
  constructor(
    private readonly upstreamHost: string,
    private readonly upstreamPort: number,
  ) {}

  async open(): Promise<void> {
    const server = net.createServer((downstream) => {
      this.accepted++;
      const upstream = net.connect({ host: this.upstreamHost, port: this.upstreamPort });
      for (const s of [downstream, upstream]) {
        this.#sockets.add(s);
        s.on('close', () => this.#sockets.delete(s));
        s.on('error', () => undefined);
      }
      downstream.on('close', () => upstream.destroy());
      upstream.on('close', () => downstream.destroy());
      downstream.pipe(upstream).pipe(downstream);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as net.AddressInfo).port;
    this.#server = server;
  }

  /** Stops accepting and destroys every open socket, both ways. */
  async cut(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    const closed = server ? new Promise((r) => server.close(r)) : Promise.resolve();
    for (const s of this.#sockets) s.destroy();
    this.#sockets.clear();
    await closed;
  }
}

interface Answer {
  loop: number;
  requested: string[];
  status: number;
  code: string | undefined;
  retryAfter: string | null;
  requestId: string;
  routetables: string[] | undefined;
  raw: string;
  sentAt: number;
  ms: number;
}

const dirs: string[] = [];
let db: TestDatabase | undefined;
let proxy: CuttableProxy | undefined;
after(async () => {
  await stopAll();
  await proxy?.cut();
  await db?.drop();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** Every non-empty subset of `items`, in a seeded random order: each call asks for a new set. */
function subsetsInRandomOrder(items: string[], seed: number): string[][] {
  const random = prng(seed);
  const masks = Array.from({ length: 2 ** items.length - 1 }, (_, i) => i + 1);
  for (let i = masks.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [masks[i], masks[j]] = [masks[j]!, masks[i]!];
  }
  return masks.map((m) => items.filter((_, i) => m & (1 << i)));
}

test(
  'a database outage answers 503 with Retry-After, recovers without a restart, loses nothing',
  { timeout: 120_000 },
  async (t) => {
    if (!TEST_DATABASE_URL) return t.skip('VPCEP_TEST_DATABASE_URL is not set');
    db = await createTestDatabase('vpcep_out');
    const upstream = new URL(TEST_DATABASE_URL);
    proxy = new CuttableProxy(upstream.hostname, Number(upstream.port || 5432));
    await proxy.open();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vpcep-outage-'));
    dirs.push(dataDir);
    const server: ServerProcess = await spawnServer({
      dataDir,
      databaseUrl: db.urlVia('127.0.0.1', proxy.port),
      env: { VPCEP_ADMIN_PASSWORD: PASSWORD, VPCEP_PROJECT_ID: PROJECT_ID },
    });
    const session = await login(server.url, PASSWORD);
    assert.equal(session.status, 201, session.body);

    const { call } = client(server.url, { token: session.token, projectId: PROJECT_ID });
    const api = (method: string, p: string, body?: unknown) => call(method, `/v1/${PROJECT_ID}${p}`, body);
    const probe = async (p: string) => (await call('GET', p)).status;

    // Each loop rebinds an endpoint of its own over tables of its own, so every call changes its set.
    const vpc = (await api('POST', '/vpcs', { vpc: { name: 'outage', cidr: '10.0.0.0/16' } })).body.vpc.id;
    const service = (await api('GET', '/vpc-endpoint-services/public')).body.endpoint_services.find(
      (s: { service_type: string }) => s.service_type === 'gateway',
    ).id;
    const loops: { endpoint: string; sets: string[][]; acked: string[] | undefined }[] = [];
    for (let l = 0; l < LOOPS; l++) {
      const tables: string[] = [];
      for (let i = 0; i < TABLES_PER_LOOP; i++) {
        const res = await api('POST', '/routetables', { routetable: { vpc_id: vpc, name: `l${l}t${i}` } });
        assert.equal(res.status, 200, res.raw);
        tables.push(res.body.routetable.id);
      }
      const sets = subsetsInRandomOrder(tables, 77 + l);
      const first = sets.shift()!;
      const res = await api('POST', '/vpc-endpoints', {
        endpoint_service_id: service,
        vpc_id: vpc,
        routetables: first,
      });
      assert.equal(res.status, 200, res.raw);
      loops.push({ endpoint: res.body.id, sets, acked: sorted(first) });
    }

    const answers: Answer[] = [];
    const noAnswer: string[] = [];
    let stop = false;
    const t0 = performance.now();
    const running = loops.map(async (loop, l) => {
      while (!stop && loop.sets.length > 0) {
        const requested = loop.sets.shift()!;
        const sentAt = performance.now() - t0;
        try {
          const res = await api('PUT', `/vpc-endpoints/${loop.endpoint}/routetables`, {
            routetables: requested,
          });
          answers.push({
            loop: l,
            requested,
            status: res.status,
            code: res.body?.error?.code,
            retryAfter: res.headers.get('retry-after'),
            requestId: res.headers.get('x-request-id') ?? '',
            routetables: res.body?.routetables,
            raw: res.raw,
            sentAt,
            ms: performance.now() - t0 - sentAt,
          });
          if (res.status === 200) loop.acked = sorted(res.body.routetables);
        } catch (e) {
          noAnswer.push(`loop ${l} at ${Math.round(sentAt)} ms: ${(e as Error).message}`);
        }
        await pace(PACE_MS);
      }
    });
    const since = (from: number) => answers.filter((a) => a.sentAt >= from);
    /** Every loop has an answer sent since `from` that passes `f`. */
    const everyLoop = (from: number, f: (a: Answer) => boolean) =>
      loops.every((_, l) => since(from).some((a) => a.loop === l && f(a)));
    /** Waits for `cond`, failing at once if the server exits; gives the time it held. */
    const waitFor = (what: string, cond: () => boolean | Promise<boolean>, ms: number) =>
      until(what, async () => (await cond()) && performance.now(), ms, {
        everyMs: 25,
        giveUp: () => {
          const how = server.child.exitCode ?? server.child.signalCode;
          return how === null ? undefined : `the server exited (${how}):\n${server.output()}`;
        },
        detail: () => server.output(),
      });

    try {
      // Before: everything answers 200, once every loop has had a call through.
      await waitFor('a 200 in every loop', () => everyLoop(0, (a) => a.status === 200), 15_000);
      assert.equal(await probe('/readyz'), 200);
      const beforeCut = answers.length;
      assert.ok(beforeCut > 0, 'calls went through before the outage');

      // The outage.
      const cutAt = performance.now() - t0;
      await proxy.cut();
      const first503 = await waitFor(
        'a 503 after the cut',
        () => since(cutAt).some((a) => a.status === 503),
        10_000,
      );
      const readyDown = await waitFor(
        '/readyz 503 after the cut',
        async () => (await probe('/readyz')) === 503,
        10_000,
      );
      assert.equal(await probe('/healthz'), 200, '/healthz stays 200: the process is alive');
      const ready = await call('GET', '/readyz');
      assert.equal(ready.body?.error?.code, 'VPCEP.0503', ready.raw);
      assert.ok(ready.headers.get('retry-after'), '/readyz 503 carries Retry-After');
      await waitFor('a 503 in every loop', () => everyLoop(cutAt, (a) => a.status === 503), 10_000);
      assert.equal(server.child.exitCode, null, `the server survived the outage:\n${server.output()}`);
      const during = since(cutAt);
      assert.ok(
        during.filter((a) => a.status === 503).length >= LOOPS,
        `calls kept answering 503 during the outage: ${during.length}`,
      );

      // Restored, on the same port, without touching vpcep.
      const restoreAt = performance.now() - t0;
      await proxy.open();
      const first200 = await waitFor(
        'a 200 after the restore',
        () => since(restoreAt).some((a) => a.status === 200),
        15_000,
      );
      const readyUp = await waitFor(
        '/readyz 200 after the restore',
        async () => (await probe('/readyz')) === 200,
        15_000,
      );
      await waitFor('a 200 in every loop', () => everyLoop(restoreAt, (a) => a.status === 200), 15_000);
      stop = true;
      await Promise.all(running);

      const ms = (x: number) => Math.round(x - t0 - (x > t0 + restoreAt ? restoreAt : cutAt));
      const count = (f: (a: Answer) => boolean) => answers.filter(f).length;
      t.diagnostic(
        `${answers.length} calls: ${count((a) => a.status === 200)} × 200, ${count((a) => a.status === 503)} × 503; ` +
          `first 503 ${ms(first503)} ms after the cut, /readyz 503 after ${ms(readyDown)} ms; ` +
          `first 200 ${ms(first200)} ms after the restore, /readyz 200 after ${ms(readyUp)} ms; ` +
          `slowest call ${Math.round(Math.max(...answers.map((a) => a.ms)))} ms`,
      );

      // Every call answered, in time, with 200 or a documented 503 with Retry-After.
      assert.deepEqual(noAnswer.slice(0, 5), [], `${noAnswer.length} calls got no answer`);
      for (const a of answers) {
        assert.ok(a.ms < MAX_CALL_MS, `a call took ${Math.round(a.ms)} ms: ${a.raw}`);
        if (a.status === 200) continue;
        assert.equal(a.status, 503, `only 200 or 503: ${a.status} ${a.raw}`);
        assert.equal(a.code, 'VPCEP.0503', a.raw);
        assert.ok(a.retryAfter && /^\d+$/.test(a.retryAfter), `503 with Retry-After: ${a.raw}`);
        assert.doesNotMatch(a.raw, /ECONN|terminated|postgres|select/i, 'no driver text leaks');
      }
      assert.ok(
        answers.filter((a) => a.sentAt + a.ms < cutAt).every((a) => a.status === 200),
        'every call answered before the cut succeeded',
      );
      for (const [l] of loops.entries()) {
        const last = answers.filter((a) => a.loop === l).at(-1);
        assert.equal(last?.status, 200, `loop ${l} ends on a success: ${last?.raw}`);
      }
    } finally {
      stop = true;
      await Promise.all(running);
    }

    // Nothing acknowledged is lost: each acknowledged call committed (it has its audit record, as
    // every call here changes its endpoint's set), in the order answered, and the final set is the
    // last acknowledged one.
    const pgc = await db.connect();
    let audit: { resource_id: string; request_id: string; detail: string }[];
    try {
      audit = (
        await pgc.query(
          `select resource_id, request_id, detail from audit_log where action = 'update-routetables' order by seq`,
        )
      ).rows;
    } finally {
      await pgc.end();
    }
    const audited = new Map(audit.map((r) => [r.request_id, r]));
    for (const a of answers.filter((x) => x.status === 200)) {
      assert.deepEqual(
        a.routetables,
        sorted(a.requested),
        `an acknowledged call bound what it asked: ${a.raw}`,
      );
      const row = audited.get(a.requestId);
      assert.ok(row, `acknowledged call ${a.requestId} of loop ${a.loop} has no audit record: lost`);
      assert.equal(row.resource_id, loops[a.loop]!.endpoint);
    }
    const byRequest = new Map(answers.map((a) => [a.requestId, a]));
    const ambiguous = audit.filter((r) => byRequest.get(r.request_id)?.status === 503).length;
    for (const r of audit)
      assert.ok(byRequest.has(r.request_id), `audit record of an unknown call ${r.request_id}`);
    for (const [l, loop] of loops.entries()) {
      const shown = await api('GET', `/vpc-endpoints/${loop.endpoint}`);
      assert.equal(shown.status, 200, shown.raw);
      assert.deepEqual(
        sorted(shown.body.routetables),
        loop.acked,
        `loop ${l}: final set is the last acknowledged`,
      );
      const acked = answers.filter((a) => a.loop === l && a.status === 200).map((a) => a.requestId);
      const committed = audit.filter((r) => r.resource_id === loop.endpoint).map((r) => r.request_id);
      assert.deepEqual(
        committed.filter((id) => acked.includes(id)),
        acked,
        `loop ${l}: acknowledged calls committed in the order they were answered`,
      );
    }
    t.diagnostic(`${audit.length} committed changes; ${ambiguous} committed although answered 503`);
  },
);
