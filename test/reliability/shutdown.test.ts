import assert from 'node:assert/strict';
import http from 'node:http';
import { setTimeout as pace } from 'node:timers/promises';
import { test } from 'node:test';
import { auditLog } from '../helpers/audit.ts';
import { createEndpoint, createTable, createVpc, gatewayService } from '../helpers/fixtures.ts';
import { TEST_DATABASE_URL } from '../helpers/pgdb.ts';
import { useScratch } from '../helpers/scratch.ts';
import { client, onServerStore, sessionOn, spawnServer } from '../helpers/server.ts';
import { sorted } from '../helpers/expect.ts';
import { until } from '../helpers/wait.ts';

/**
 * Graceful shutdown of a real `vpcep serve` (app.ts, "draining"): on SIGTERM the calls in flight
 * finish with their answers, calls that arrive afterwards get 503 VPCEP.0503 or a refused
 * connection (never a connection cut in the middle of an answer, never a processed call without
 * its answer), and the process exits 0 in bounded time. SQLite on the SQLite pass; on the
 * PostgreSQL pass the same on a database of its own.
 */

const PASSWORD = 'shutdown-password-1';
const PROJECT_ID = '00112233445566778899aabbccddeeff';
/** Calls whose body is still arriving when SIGTERM comes: certainly in flight. */
const SLOW = 5;
/** Clients hammering the server across the SIGTERM. */
const WORKERS = 20;
const EXIT_WITHIN_MS = 10_000;

/** A worker's pause after a call that got no answer: a pace, so it does not spin on a closed port. */
const RETRY_PACE_MS = 5;

const scratch = useScratch('vpcep-shutdown-');

type Outcome =
  | { kind: 'answer'; status: number; code: string | undefined; retryAfter: string | null; requestId: string }
  /** No connection: refused, or reset before the server ever accepted it (left in the listen backlog). */
  | { kind: 'refused'; detail: string }
  /** A kept-alive connection closed under a request before any byte of an answer: never allowed. */
  | { kind: 'closed-before-answer'; detail: string }
  /** The answer started and then broke off: never allowed. */
  | { kind: 'cut-mid-answer'; detail: string };

/**
 * One PUT over a keep-alive agent, classified. node:http tells whether the request went out on a
 * reused connection (`reusedSocket`): a fresh connection reset before any answer was never accepted
 * by the server (it was still in the kernel's backlog when the listener closed), which is a refusal.
 */
function put(
  agent: http.Agent,
  url: string,
  headers: Record<string, string>,
  body: string,
): Promise<Outcome> {
  return new Promise((resolve) => {
    let answered = false;
    const req = http.request(url, {
      method: 'PUT',
      agent,
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      timeout: 10_000,
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('response', (res) => {
      answered = true;
      let raw = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (raw += d));
      res.on('error', (e) => resolve({ kind: 'cut-mid-answer', detail: String(e) }));
      res.on('aborted', () => resolve({ kind: 'cut-mid-answer', detail: 'aborted' }));
      res.on('end', () => {
        let code: string | undefined;
        try {
          code = JSON.parse(raw)?.error?.code;
        } catch {
          code = `unparsable: ${raw}`;
        }
        resolve({
          kind: 'answer',
          status: res.statusCode ?? 0,
          code,
          retryAfter: (res.headers['retry-after'] as string | undefined) ?? null,
          requestId: String(res.headers['x-request-id'] ?? ''),
        });
      });
    });
    req.on('error', (e: NodeJS.ErrnoException) => {
      if (answered) return resolve({ kind: 'cut-mid-answer', detail: String(e.code ?? e) });
      const detail = `${e.code ?? e.message} (${req.reusedSocket ? 'reused' : 'fresh'} connection)`;
      if (e.code === 'ECONNREFUSED' || !req.reusedSocket) return resolve({ kind: 'refused', detail });
      resolve({ kind: 'closed-before-answer', detail });
    });
    req.end(body);
  });
}

test(
  'SIGTERM drains: in-flight calls finish, later calls get 503 or a refused connection, exit 0',
  { timeout: 90_000 },
  async (t) => {
    const db = TEST_DATABASE_URL ? await scratch.database('vpcep_shut') : undefined;
    const dataDir = scratch.dir();
    const server = await spawnServer({
      dataDir,
      ...(db ? { databaseUrl: db.url } : {}),
      env: { VPCEP_ADMIN_PASSWORD: PASSWORD, VPCEP_PROJECT_ID: PROJECT_ID },
    });
    const session = await sessionOn(server, PASSWORD);
    const headers = { 'x-auth-token': session.token, 'content-type': 'application/json' };
    const api = client(server.url, session);

    // Endpoints with two tables each: the slow calls and the workers flip between [a] and [a, b].
    const vpc = (await createVpc(api, '10.0.0.0/16', 'drain')).id;
    const service = await gatewayService(api);
    const endpoints: { id: string; a: string; b: string }[] = [];
    for (let i = 0; i < SLOW + 5; i++) {
      const a = await createTable(api, vpc, [], `a${i}`);
      const b = await createTable(api, vpc, [], `b${i}`);
      endpoints.push({ id: await createEndpoint(api, service, vpc, [a]), a, b });
    }
    const slowEndpoints = endpoints.slice(0, SLOW);
    const busyEndpoints = endpoints.slice(SLOW);

    // The workers: PUTs over keep-alive connections, until the process is gone.
    let exited = false;
    const agent = new http.Agent({ keepAlive: true });
    const outcomes: { worker: number; sentAt: number; outcome: Outcome }[] = [];
    const t0 = performance.now();
    const workers = Array.from({ length: WORKERS }, async (_, w) => {
      const ep = busyEndpoints[w % busyEndpoints.length]!;
      const url = `${server.url}/v1/${PROJECT_ID}/vpc-endpoints/${ep.id}/routetables`;
      let refusedAfterExit = 0;
      for (let i = 0; refusedAfterExit < 1 && i < 10_000; i++) {
        const sentAt = performance.now() - t0;
        const routetables = i % 2 === 0 ? [ep.a, ep.b] : [ep.a];
        const outcome = await put(agent, url, headers, JSON.stringify({ routetables }));
        outcomes.push({ worker: w, sentAt, outcome });
        if (exited && outcome.kind === 'refused') refusedAfterExit++;
        if (outcome.kind !== 'answer') await pace(RETRY_PACE_MS);
      }
    });

    // The slow calls: headers and half of the body now, the rest after SIGTERM.
    const slow = slowEndpoints.map((ep) => {
      const body = JSON.stringify({ routetables: [ep.a, ep.b] });
      const half = Math.floor(body.length / 2);
      const req = http.request(`${server.url}/v1/${PROJECT_ID}/vpc-endpoints/${ep.id}/routetables`, {
        method: 'PUT',
        agent: false,
        // 100-continue: the server answers "100 Continue" once it has read the request's headers,
        // which tells this test the call is in flight on the server, not only on the client.
        headers: { ...headers, 'content-length': Buffer.byteLength(body), expect: '100-continue' },
      });
      const received = new Promise<void>((resolve) => req.once('continue', () => resolve()));
      const answer = new Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }>(
        (resolve, reject) => {
          req.on('response', (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (d) => (text += d));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, headers: res.headers }));
            res.on('error', reject);
          });
          req.on('error', reject);
        },
      );
      req.flushHeaders();
      const sent = received.then(() => void req.write(body.slice(0, half)));
      return { ep, req, rest: body.slice(half), answer, sent };
    });

    // Every slow call has been read by the server (its 100 Continue came back) and half its body
    // sent: in flight by the server's own account, however busy the machine.
    await Promise.all(slow.map((s) => s.sent));
    await until('an answer to every worker', () =>
      Array.from({ length: WORKERS }).every((_, w) =>
        outcomes.some((o) => o.worker === w && o.outcome.kind === 'answer'),
      ),
    );
    const before = outcomes.length;
    assert.ok(before > 0, 'the workers are running');
    const sigtermAt = performance.now() - t0;
    const stopped = server.stop('SIGTERM', EXIT_WITHIN_MS);
    // The rest of the slow bodies goes once the server is draining: it has turned a call away.
    await until('a call turned away after SIGTERM', () =>
      outcomes.some(
        ({ sentAt, outcome: o }) =>
          sentAt >= sigtermAt && (o.kind === 'refused' || (o.kind === 'answer' && o.status === 503)),
      ),
    );
    for (const s of slow) s.req.end(s.rest);
    const slowAnswers = await Promise.allSettled(slow.map((s) => s.answer));
    const exitCode = await stopped.finally(() => (exited = true));
    const exitMs = performance.now() - t0 - sigtermAt;
    await Promise.all(workers);
    agent.destroy();

    const after = outcomes.filter((o) => o.sentAt >= sigtermAt).map((o) => o.outcome);
    const tally = new Map<string, number>();
    for (const o of after) {
      const key =
        o.kind === 'answer' ? `${o.status}` : o.kind === 'refused' ? o.detail.split(' ')[0]! : o.kind;
      tally.set(key, (tally.get(key) ?? 0) + 1);
    }
    t.diagnostic(
      `${before} calls before SIGTERM; after it: ${[...tally].map(([k, n]) => `${n} × ${k}`).join(', ')}; ` +
        `exit ${String(exitCode)} ${Math.round(exitMs)} ms after SIGTERM`,
    );

    // The slow calls were in flight: each finished with its full answer.
    for (const [i, a] of slowAnswers.entries()) {
      assert.equal(a.status, 'fulfilled', `slow call ${i}: ${a.status === 'rejected' ? a.reason : ''}`);
      const v = (a as PromiseFulfilledResult<{ status: number; body: string }>).value;
      assert.equal(v.status, 200, `slow call ${i}: ${v.status} ${v.body}`);
      const ep = slow[i]!.ep;
      assert.deepEqual(JSON.parse(v.body), { routetables: sorted([ep.a, ep.b]) });
    }
    assert.equal(exitCode, 0, `exit code:\n${server.output()}`);
    assert.ok(exitMs < EXIT_WITHIN_MS, `exited ${exitMs} ms after SIGTERM`);

    // Every worker call: an answer (200, or 503 VPCEP.0503 with Retry-After) or no connection at all.
    for (const { outcome: o, sentAt } of outcomes) {
      assert.notEqual(
        o.kind,
        'cut-mid-answer',
        `an answer was cut off at ${sentAt} ms: ${JSON.stringify(o)}`,
      );
      // A request written to an open connection is answered: a connection dropped under it would
      // leave the client not knowing whether its change was made.
      assert.notEqual(
        o.kind,
        'closed-before-answer',
        `a call at ${sentAt} ms lost its connection: ${JSON.stringify(o)}`,
      );
      if (o.kind !== 'answer') continue;
      if (o.status === 200) continue;
      assert.equal(o.status, 503, JSON.stringify(o));
      assert.equal(o.code, 'VPCEP.0503', JSON.stringify(o));
      assert.ok(o.retryAfter, `503 with Retry-After: ${JSON.stringify(o)}`);
    }
    assert.ok(
      after.some((o) => o.kind === 'refused' || (o.kind === 'answer' && o.status === 503)),
      'calls after SIGTERM were turned away',
    );
    assert.ok(
      outcomes.filter((o) => o.sentAt < sigtermAt).every((o) => o.outcome.kind === 'answer'),
      'before SIGTERM every call was answered',
    );

    // No call was processed without its answer reaching the client: every change the store recorded
    // belongs to a call answered 200.
    const answered200 = new Set(
      outcomes.flatMap(({ outcome: o }) => (o.kind === 'answer' && o.status === 200 ? [o.requestId] : [])),
    );
    const slowIds = slowAnswers.map((a) =>
      a.status === 'fulfilled'
        ? String((a.value as { headers: http.IncomingHttpHeaders }).headers['x-request-id'])
        : '',
    );
    for (const id of slowIds) answered200.add(id);
    const busy = new Set(endpoints.map((e) => e.id));
    const audit = (
      await onServerStore(db ? { databaseUrl: db.url } : { dataDir }, (store) =>
        auditLog(store, PROJECT_ID, 'update-routetables'),
      )
    ).filter((r) => busy.has(r.resource_id));
    const unanswered = audit.filter((r) => !answered200.has(r.request_id));
    assert.deepEqual(unanswered, [], 'changes committed for calls that got no 200');
    for (const id of slowIds)
      assert.ok(
        audit.some((r) => r.request_id === id),
        `slow call ${id} committed`,
      );
  },
);
