import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createEndpoint, createTable, createVpc, gatewayService } from '../helpers/fixtures.ts';
import { parseScrape, scrape, type Scrape } from '../helpers/prometheus.ts';
import { client } from '../helpers/server.ts';
import { until } from '../helpers/wait.ts';
import { makeWorld, type World } from '../helpers/world.ts';

/**
 * GET /metrics (README, "Metrics") over real HTTP, on a listening world of each store: off by
 * default (404 like any unknown path), on the API port with `metrics`, and what a known sequence of
 * calls leaves in it. Counts are compared before and after each step, so the tests stand alone.
 */

const PROVISIONING_MS = 60_000;

let w: World;
let base: string;
let real: ReturnType<typeof client>;
let service: string;
let vpc: { id: string; defaultTable: string };

before(async () => {
  w = await makeWorld({ metrics: true, provisioningDelayMs: PROVISIONING_MS });
  base = await w.app.listen({ port: 0, host: '127.0.0.1' });
  real = client(base, { token: w.token, projectId: w.projectId });
  service = await gatewayService(real);
  vpc = await createVpc(real);
});
after(() => w?.close());

const metrics = () => scrape(`${base}/metrics`);

/** A gateway endpoint past its provisioning delay (accepted), on `tables`. */
async function acceptedEndpoint(tables: string[]) {
  const ep = await createEndpoint(real, service, vpc.id, tables);
  w.clock.advance(PROVISIONING_MS);
  return ep;
}

const REQUESTS = 'vpcep_http_request_duration_seconds_count';
const BINDINGS = 'vpcep_routetable_bindings_total';
const TX = 'vpcep_store_transaction_duration_seconds_count';
const rebindSeries = { operationId: 'UpdateEndpointRoutetable', method: 'PUT', status: '200' };

/** What each named series grew by between two scrapes. */
function growth(before: Scrape, after: Scrape, series: [string, Record<string, string>][]) {
  return series.map(([name, labels]) => after.count(name, labels) - before.count(name, labels));
}

describe('metrics off (the default)', () => {
  /**
   * `/metrics` answered exactly as `/nothing`, another path of one segment that names nothing: 404
   * EndPoint.0005 (`GET /{version}` of an unknown version, versions.test.ts).
   */
  async function expectUnknownPath(url: string) {
    for (const headers of [{}, { 'x-auth-token': w.token }] as Record<string, string>[]) {
      const [metricsRes, unknownRes] = await Promise.all(
        ['/metrics', '/nothing'].map((p) => fetch(`${url}${p}`, { headers })),
      );
      assert.equal(metricsRes!.status, 404);
      assert.equal(unknownRes!.status, 404);
      const [m, u] = [await metricsRes!.text(), await unknownRes!.text()];
      assert.equal(m, u);
      assert.ok(!m.includes('vpcep_'), m);
    }
  }

  test('GET /metrics is 404, exactly like an unknown path, with or without a credential', async () => {
    const off = await makeWorld();
    try {
      assert.equal(off.config.metrics, false);
      await expectUnknownPath(await off.app.listen({ port: 0, host: '127.0.0.1' }));
    } finally {
      await off.close();
    }
  });

  test('with a metrics port of its own, GET /metrics is 404 on the API port', async () => {
    const own = await makeWorld({ metrics: true, metricsPort: 0 });
    try {
      await expectUnknownPath(await own.app.listen({ port: 0, host: '127.0.0.1' }));
    } finally {
      await own.close();
    }
  });
});

describe('GET /metrics on the API port', () => {
  test('answers Prometheus text without a credential, whatever Accept says; default metrics included', async () => {
    for (const accept of [undefined, 'text/plain', 'application/openmetrics-text;version=1.0.0,*/*;q=0.1']) {
      const s = await scrape(`${base}/metrics`, accept ? { accept } : {});
      assert.equal(s.types.get('vpcep_http_request_duration_seconds'), 'histogram');
      assert.equal(s.types.get('vpcep_routetable_bindings_total'), 'counter');
      assert.equal(s.types.get('vpcep_store_transaction_duration_seconds'), 'histogram');
      assert.equal(s.types.get('vpcep_store_lock_waits_total'), 'counter');
      assert.equal(s.types.get('vpcep_store_lock_timeouts_total'), 'counter');
      assert.equal(s.types.get('vpcep_endpoints'), 'gauge');
      assert.equal(s.types.get('vpcep_http_connections'), 'gauge');
      // collectDefaultMetrics: the process's own.
      assert.equal(s.types.get('process_cpu_user_seconds_total'), 'counter');
      assert.equal(s.types.get('nodejs_eventloop_lag_seconds'), 'gauge');
      assert.ok(s.count('process_resident_memory_bytes') > 0);
    }
  });

  test('the parser refuses what is not the text format', () => {
    assert.throws(() => parseScrape('vpcep_x 1\n'), /HELP and TYPE/);
    assert.throws(() => parseScrape('# HELP a b\n# TYPE a counter\na{l=1} 1\n'), /a sample line/);
    assert.throws(() => parseScrape('# HELP a b\n# TYPE a counter\na 1'), /ends with a line feed/);
  });

  test('a rebind is one UpdateEndpointRoutetable 200 in the histogram and one committed write', async () => {
    const [t1, t2] = [await createTable(real, vpc.id), await createTable(real, vpc.id)];
    const ep = await acceptedEndpoint([t1]);
    const before = await metrics();
    const res = await real.api('PUT', `/vpc-endpoints/${ep}/routetables`, { routetables: [t2] });
    assert.equal(res.status, 200, res.raw);
    const after = await metrics();
    assert.deepEqual(
      growth(before, after, [
        [REQUESTS, rebindSeries],
        [TX, { kind: 'write', outcome: 'ok' }],
        [BINDINGS, { operation: 'bind', outcome: 'ok' }],
        [BINDINGS, { operation: 'unbind', outcome: 'ok' }],
      ]),
      [1, 1, 1, 1],
    );
    // Bucketed by the route's operation, never the URL: no series names the endpoint.
    assert.ok(!after.text.includes(ep), 'no raw URL in a label');
  });

  test('a refused call: its status in the histogram, its rolled-back write as failed, its audit event as ok', async () => {
    const before = await metrics();
    const res = await real.api('PUT', `/vpc-endpoints/${crypto.randomUUID()}/routetables`, {
      routetables: [vpc.defaultTable],
    });
    assert.equal(res.status, 404, res.raw);
    const after = await metrics();
    assert.deepEqual(
      growth(before, after, [
        [REQUESTS, { ...rebindSeries, status: '404' }],
        [TX, { kind: 'write', outcome: 'failed' }],
        // The refusal's own audit event, written in a transaction of its own (http/audit.ts).
        [TX, { kind: 'write', outcome: 'ok' }],
      ]),
      [1, 1, 1],
    );
  });

  test('unknown paths and wrong methods share one label; /metrics counts as GetMetrics', async () => {
    const before = await metrics();
    for (const p of ['/nothing/here', '/no/such/path/at/all', `/v1/${w.projectId}/vpcs/a/b/c`]) {
      assert.equal((await fetch(`${base}${p}`)).status, 404);
    }
    assert.equal((await fetch(`${base}/v1/${w.projectId}/vpc-endpoints`, { method: 'PATCH' })).status, 405);
    const after = await metrics();
    assert.deepEqual(
      growth(before, after, [
        [REQUESTS, { operationId: 'unknown', method: 'GET', status: '404' }],
        [REQUESTS, { operationId: 'unknown', method: 'PATCH', status: '405' }],
        [REQUESTS, { operationId: 'GetMetrics', method: 'GET', status: '200' }],
      ]),
      [3, 1, 1],
    );
    const operations = new Set(
      after.series('vpcep_http_request_duration_seconds_count').map((s) => s.labels.operationId),
    );
    assert.ok(
      ![...operations].some((o) => o?.includes('/')),
      `operation labels: ${[...operations].join(', ')}`,
    );
  });

  test('bind and unbind failures of the route backend count by their error codes', async () => {
    const [t1, t2, t3, t4] = [
      await createTable(real, vpc.id),
      await createTable(real, vpc.id),
      await createTable(real, vpc.id),
      await createTable(real, vpc.id),
    ];
    const ep = await acceptedEndpoint([t1, t2]);
    const fault = async (operation: string, routetable_id: string) => {
      const res = await real.call('POST', `/vpcep/v1/${w.projectId}/faults`, {
        fault: { operation, routetable_id, times: 1 },
      });
      assert.equal(res.status, 201, res.raw);
    };
    await fault('bind', t4);
    await fault('unbind', t1);
    const before = await metrics();
    // Unbind t1 (refused) and t2, bind t3 and t4 (refused): one of each outcome.
    const res = await real.api('PUT', `/vpc-endpoints/${ep}/routetables`, { routetables: [t3, t4] });
    assert.equal(res.status, 200, res.raw);
    assert.deepEqual(res.body.routetables, [t1, t3].sort());
    assert.equal(res.body.error[0].bind_failed[0].id, t4);
    assert.equal(res.body.error[0].unbind_failed[0].id, t1);
    const after = await metrics();
    assert.deepEqual(
      growth(before, after, [
        [BINDINGS, { operation: 'bind', outcome: 'ok' }],
        [BINDINGS, { operation: 'bind', outcome: 'failed', code: 'EndPoint.4028' }],
        [BINDINGS, { operation: 'unbind', outcome: 'ok' }],
        [BINDINGS, { operation: 'unbind', outcome: 'failed', code: 'EndPoint.4029' }],
      ]),
      [1, 1, 1, 1],
    );
    // Every failure series names a code; no success series does.
    for (const s of after.series(BINDINGS)) {
      assert.equal(s.labels.code !== undefined, s.labels.outcome === 'failed', JSON.stringify(s));
    }
  });

  test('the endpoint gauge counts what the API lists, by status and service type', async () => {
    const gauge = (s: Scrape, status: string) =>
      s.value('vpcep_endpoints', { status, service_type: 'gateway' });
    const listed = async () => {
      const res = await real.api('GET', '/vpc-endpoints?limit=1000');
      assert.equal(res.status, 200, res.raw);
      const by: Record<string, number> = {};
      for (const e of res.body.endpoints as { status: string }[]) by[e.status] = (by[e.status] ?? 0) + 1;
      return by;
    };
    // Two new ones, still provisioning: `creating` until their delay has passed.
    const made = [
      await createEndpoint(real, service, vpc.id, [await createTable(real, vpc.id)]),
      await createEndpoint(real, service, vpc.id, [await createTable(real, vpc.id)]),
    ];
    let s = await metrics();
    let by = await listed();
    assert.equal(by.creating, 2);
    assert.equal(gauge(s, 'creating'), 2);
    assert.equal(gauge(s, 'accepted'), by.accepted);
    assert.equal(s.value('vpcep_endpoints', { status: 'accepted', service_type: 'interface' }), 0);
    w.clock.advance(PROVISIONING_MS);
    s = await metrics();
    by = await listed();
    assert.equal(by.creating, undefined);
    assert.equal(gauge(s, 'creating'), 0);
    assert.equal(gauge(s, 'accepted'), by.accepted);
    const total = s.series('vpcep_endpoints').reduce((n, x) => n + x.value, 0);
    const res = await real.api('GET', '/vpc-endpoints');
    assert.equal(total, res.body.total_count);
    // Deleted: gone from the gauge.
    const del = await real.api('DELETE', `/vpc-endpoints/${made[0]}`);
    assert.equal(del.status, 204, del.raw);
    assert.equal(gauge(await metrics(), 'accepted'), by.accepted! - 1);
  });

  test('open connections: three idle clients are three more, and none once they leave', async () => {
    const connections = async () => (await metrics()).value('vpcep_http_connections')!;
    const before = await connections();
    const port = Number(new URL(base).port);
    const sockets = await Promise.all(
      [1, 2, 3].map(
        () =>
          new Promise<net.Socket>((resolve, reject) => {
            const s = net.connect(port, '127.0.0.1', () => resolve(s));
            s.on('error', reject);
          }),
      ),
    );
    try {
      await until(
        'the server to see three more connections',
        async () => (await connections()) === before + 3,
      );
    } finally {
      for (const s of sockets) s.destroy();
    }
    await until('the three to be gone', async () => (await connections()) === before);
  });
});
