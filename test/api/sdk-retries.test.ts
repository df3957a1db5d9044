// The SDK's retries (src/sdk/retry.ts) against real server conditions, over real HTTP: a server
// still starting (503 before any handler, so even a create is sent again), the login throttle (429
// with Retry-After), and a row held by another connection past the lock timeout (409 VPCEP.0409,
// PostgreSQL only). The rules on their own are in test/unit/sdk-retry.test.ts.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { buildApp } from '../../src/app.ts';
import { randomIds } from '../../src/domain/ids.ts';
import { createListener, listen } from '../../src/http/listener.ts';
import { VpcepClient, type VpcepClientOptions } from '../../src/sdk/client.ts';
import { VpcepConflictError, VpcepThrottledError } from '../../src/sdk/errors.ts';
import { rejectsWith } from '../helpers/expect.ts';
import { createEndpoint, createTable, createVpc, gatewayService } from '../helpers/fixtures.ts';
import { holdRowLock, TEST_DATABASE_URL } from '../helpers/pgdb.ts';
import { makeWorld, PASSWORD, PROJECT_ID, testSchemaOf, type World } from '../helpers/world.ts';

const AK = 'APIRETRIESAK00000000';
const SK = 'apiretriessk000000000000000000000000000a';
const LOGIN_WINDOW_MS = 1000;
const LOCK_TIMEOUT_MS = 300;

let w: World;
let url: string;

before(async () => {
  w = await makeWorld({
    adminAk: AK,
    adminSk: SK,
    loginFailuresPerUser: 2,
    loginWindowMs: LOGIN_WINDOW_MS,
    lockTimeoutMs: LOCK_TIMEOUT_MS,
  });
  await w.app.listen({ port: 0, host: '127.0.0.1' });
  url = `http://127.0.0.1:${(w.app.server.address() as AddressInfo).port}`;
});
after(() => w.close());

/**
 * A client of `endpoint` whose answers' statuses are recorded in `statuses`; `onAnswer` sees each
 * answer before the client does (the test changes the server's condition there).
 */
function watched(
  options: Partial<VpcepClientOptions> & Pick<VpcepClientOptions, 'credentials'>,
  onAnswer: (res: Response) => Promise<void> | void = () => undefined,
) {
  const statuses: number[] = [];
  const client = new VpcepClient({
    endpoint: url,
    projectId: PROJECT_ID,
    clock: w.clock,
    fetch: async (input, init) => {
      const res = await fetch(input, init);
      statuses.push(res.status);
      await onAnswer(res);
      return res;
    },
    ...options,
  });
  return { client, statuses };
}

describe('503 while the server starts', () => {
  test('a create is sent again once the server serves, and made once', async () => {
    // What src/server.ts does: the port is bound first and answers 503 until the app is plugged in.
    const listener = createListener(() => randomIds.hex(16));
    await listen(listener.server, '127.0.0.1', 0);
    let app: FastifyInstance | undefined;
    try {
      const endpoint = `http://127.0.0.1:${(listener.server.address() as AddressInfo).port}`;
      const { client, statuses } = watched({ endpoint, credentials: { ak: AK, sk: SK } }, async (res) => {
        if (res.status !== 503 || app) return;
        const body = (await res.clone().json()) as { error: { code: string; message: string } };
        assert.equal(body.error.code, 'VPCEP.0503');
        assert.match(body.error.message, /The server is starting\.$/);
        assert.equal(res.headers.get('retry-after'), '1');
        // The server finishes starting: an app on the same store, plugged into the listener.
        app = await buildApp({
          config: w.config,
          store: w.store,
          clock: w.clock,
          logger: pino({ level: 'silent' }),
          listener,
        });
        await app.ready();
      });
      const { vpc } = await client.vpcs.create({ vpc: { name: 'made-at-start', cidr: '10.50.0.0/16' } });
      assert.deepEqual(statuses, [503, 200]);
      const listed = await w.api('GET', '/vpcs');
      assert.deepEqual(
        listed.body.vpcs
          .filter((v: { name: string }) => v.name === 'made-at-start')
          .map((v: { id: string }) => v.id),
        [vpc.id],
        'one VPC, made by the second attempt',
      );
    } finally {
      if (app) await app.close();
      else listener.server.close();
    }
  });
});

describe('429 of the login throttle', () => {
  /** Two failed logins of `admin`: the throttle refuses the next one until the window moves on. */
  async function throttleAdmin() {
    const wrong = new VpcepClient({
      endpoint: url,
      projectId: PROJECT_ID,
      credentials: { user: 'admin', password: 'not-the-password', domain: 'vpcep' },
      clock: w.clock,
      retry: false,
    });
    for (let i = 0; i < 2; i++) await assert.rejects(wrong.iam.login(), { status: 401 });
  }
  const admin = { user: 'admin', password: PASSWORD, domain: 'vpcep' };

  test('the login waits for Retry-After and is tried again, then the call goes on', async () => {
    await throttleAdmin();
    const { client, statuses } = watched({ credentials: admin }, (res) => {
      // The window moves on while the client waits for the second it was told.
      if (res.status === 429) w.clock.advance(LOGIN_WINDOW_MS);
    });
    const { vpcs } = await client.vpcs.list();
    assert.ok(Array.isArray(vpcs));
    assert.deepEqual(statuses, [429, 201, 200]);
  });

  test('with retries off, or a Retry-After past maxDelayMs, the VpcepThrottledError is thrown at once', async () => {
    for (const retry of [false, { maxDelayMs: LOGIN_WINDOW_MS - 1 }] as const) {
      await throttleAdmin();
      const { client, statuses } = watched({ credentials: admin, retry });
      const e = await rejectsWith(client.vpcs.list(), VpcepThrottledError);
      assert.deepEqual([e.status, e.code, e.retryAfterMs], [429, 'APIGW.0308', LOGIN_WINDOW_MS]);
      assert.deepEqual(statuses, [429], `one attempt with retry ${JSON.stringify(retry)}`);
      w.clock.advance(LOGIN_WINDOW_MS);
    }
  });
});

describe('409 VPCEP.0409 of a held row (PostgreSQL)', () => {
  test('a rebind that waited past the lock timeout is sent again once the row is free', async (t) => {
    if (!TEST_DATABASE_URL)
      return t.skip('on SQLite one process holds the database: no row locks to wait on');
    const vpc = await createVpc(w, '10.60.0.0/16');
    const [t1, t2] = [await createTable(w, vpc.id), await createTable(w, vpc.id)];
    const ep = await createEndpoint(w, await gatewayService(w), vpc.id, [t1]);
    const lock = await holdRowLock(testSchemaOf(w.store)!, 'endpoints', ep);
    try {
      // Without retries the 409 reaches the caller.
      const once = watched({ credentials: { ak: AK, sk: SK }, retry: false });
      const conflict = await rejectsWith(
        once.client.endpoints.updateRoutetables(ep, { routetables: [t2] }),
        VpcepConflictError,
      );
      assert.equal(conflict.code, 'VPCEP.0409');

      // With them, the other connection lets go after the first 409 and the second attempt binds.
      const { client, statuses } = watched({ credentials: { ak: AK, sk: SK } }, async (res) => {
        if (res.status === 409) await lock.release();
      });
      const moved = await client.endpoints.updateRoutetables(ep, { routetables: [t2] });
      assert.deepEqual(moved, { routetables: [t2] });
      assert.deepEqual(statuses, [409, 200]);
    } finally {
      await lock.release();
    }
  });
});
