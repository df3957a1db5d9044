import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { setTimeout as pace } from 'node:timers/promises';
import { auditLog } from '../helpers/audit.ts';
import { ConsoleJar, fetchTransport } from '../helpers/console.ts';
import { sorted } from '../helpers/expect.ts';
import { createEndpoint, createTable, createVpc, gatewayService } from '../helpers/fixtures.ts';
import { prng } from '../helpers/random.ts';
import { TEST_DATABASE_URL } from '../helpers/pgdb.ts';
import { useScratch } from '../helpers/scratch.ts';
import { client, onServerStore, sessionOn, spawnServer } from '../helpers/server.ts';
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

const scratch = useScratch('vpcep-outage-');

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
    const db = await scratch.database('vpcep_out');
    const upstream = new URL(TEST_DATABASE_URL);
    const proxy = new CuttableProxy(upstream.hostname, Number(upstream.port || 5432));
    await proxy.open();
    scratch.defer(() => proxy.cut());
    const dataDir = scratch.dir();
    const server = await spawnServer({
      dataDir,
      databaseUrl: db.urlVia('127.0.0.1', proxy.port),
      env: { VPCEP_ADMIN_PASSWORD: PASSWORD, VPCEP_PROJECT_ID: PROJECT_ID },
    });
    const http = client(server.url, await sessionOn(server, PASSWORD));
    // A console session made before the outage (spec/console.md, "Sessions").
    const consoleJar = new ConsoleJar(fetchTransport(server.url));
    await consoleJar.signIn({ account: 'vpcep', user: 'admin', password: PASSWORD });
    const { call, api } = http;
    const probe = async (p: string) => (await call('GET', p)).status;

    // Each loop rebinds an endpoint of its own over tables of its own, so every call changes its set.
    const vpc = (await createVpc(http, '10.0.0.0/16', 'outage')).id;
    const service = await gatewayService(http);
    const loops: { endpoint: string; sets: string[][]; acked: string[] | undefined }[] = [];
    for (let l = 0; l < LOOPS; l++) {
      const tables: string[] = [];
      for (let i = 0; i < TABLES_PER_LOOP; i++) tables.push(await createTable(http, vpc, [], `l${l}t${i}`));
      const sets = subsetsInRandomOrder(tables, 77 + l);
      const first = sets.shift()!;
      const endpoint = await createEndpoint(http, service, vpc, first);
      loops.push({ endpoint, sets, acked: sorted(first) });
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
      const page = await consoleJar.get('/console/vpcs');
      assert.equal(page.status, 503, 'a console page answers 503 during the outage');
      assert.match(page.body, /VPCEP\.0503/);
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
      assert.equal(
        (await consoleJar.get('/console/vpcs')).status,
        200,
        'the console session outlived the outage',
      );
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
    const audit = await onServerStore({ databaseUrl: db.url }, (store) =>
      auditLog(store, PROJECT_ID, 'update-routetables'),
    );
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
