import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { ConfigError, loadConfig, testConfig, type Env, type Flags } from '../../src/config.ts';

const CWD = path.resolve('/srv/vpcep');

function configError(env: Env, flags: Flags = {}): ConfigError {
  let caught: unknown;
  try {
    loadConfig(env, flags, CWD);
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof ConfigError, `expected a ConfigError, got ${String(caught)}`);
  return caught;
}

describe('loadConfig', () => {
  test('defaults', () => {
    const c = loadConfig({}, {}, CWD);
    assert.equal(c.host, '127.0.0.1');
    assert.equal(c.port, 8080);
    assert.equal(c.dataDir, path.join(CWD, 'data'));
    assert.equal(c.region, 'cn-north-4');
    assert.equal(c.databaseUrl, undefined);
    assert.equal(c.projectId, undefined);
    assert.equal(c.adminPassword, undefined);
    assert.equal(c.adminAk, undefined);
    assert.equal(c.adminSk, undefined);
    assert.equal(c.logLevel, 'info');
    assert.equal(c.bodyLimit, 1024 * 1024);
    assert.equal(c.lockTimeoutMs, 10_000);
    assert.equal(c.provisioningDelayMs, 0);
    assert.equal(c.deletionDelayMs, 0);
    assert.equal(c.tokenTtlMs, 24 * 3600 * 1000);
    assert.equal(c.quotaEndpoints, 150);
    assert.equal(c.quotaEndpointServices, 100);
    assert.deepEqual(c.gatewayServices, [{ name: 'com.myhuaweicloud.v4.obsv2', cidrs: ['100.125.0.0/16'] }]);
  });

  test('the environment sets every value', () => {
    const c = loadConfig(
      {
        VPCEP_HOST: '0.0.0.0',
        VPCEP_PORT: '9090',
        VPCEP_DATA_DIR: '/var/lib/vpcep',
        VPCEP_DATABASE_URL: 'postgres://db/vpcep',
        VPCEP_REGION: 'cn-south-1',
        VPCEP_PROJECT_ID: 'a'.repeat(32),
        VPCEP_ADMIN_PASSWORD: 'pw',
        VPCEP_ADMIN_AK: 'AK',
        VPCEP_ADMIN_SK: 'SK',
        VPCEP_LOG_LEVEL: 'debug',
        VPCEP_BODY_LIMIT: '2048',
        VPCEP_LOCK_TIMEOUT_MS: '500',
        VPCEP_PROVISIONING_DELAY_MS: '90000',
        VPCEP_DELETION_DELAY_MS: '45000',
        VPCEP_QUOTA_ENDPOINTS: '7',
        VPCEP_QUOTA_ENDPOINT_SERVICES: '0',
        VPCEP_GATEWAY_SERVICES: JSON.stringify([{ name: 'com.example.dns', cidrs: ['100.64.0.0/24'] }]),
      },
      {},
      CWD,
    );
    assert.equal(c.host, '0.0.0.0');
    assert.equal(c.port, 9090);
    assert.equal(c.dataDir, '/var/lib/vpcep');
    assert.equal(c.databaseUrl, 'postgres://db/vpcep');
    assert.equal(c.region, 'cn-south-1');
    assert.equal(c.projectId, 'a'.repeat(32));
    assert.equal(c.adminPassword, 'pw');
    assert.equal(c.adminAk, 'AK');
    assert.equal(c.adminSk, 'SK');
    assert.equal(c.logLevel, 'debug');
    assert.equal(c.bodyLimit, 2048);
    assert.equal(c.lockTimeoutMs, 500);
    assert.equal(c.provisioningDelayMs, 90_000);
    assert.equal(c.deletionDelayMs, 45_000);
    assert.equal(c.quotaEndpoints, 7);
    assert.equal(c.quotaEndpointServices, 0);
    assert.deepEqual(c.gatewayServices, [{ name: 'com.example.dns', cidrs: ['100.64.0.0/24'] }]);
  });

  test('flags win over the environment', () => {
    const env: Env = {
      VPCEP_HOST: '0.0.0.0',
      VPCEP_PORT: '9090',
      VPCEP_DATA_DIR: '/from/env',
      VPCEP_DATABASE_URL: 'postgres://env/db',
      VPCEP_REGION: 'cn-south-1',
      VPCEP_LOG_LEVEL: 'debug',
    };
    const cases: [keyof Flags, string | number, string, unknown][] = [
      ['host', '::1', 'host', '::1'],
      ['port', '7000', 'port', 7000],
      ['port', 7001, 'port', 7001],
      ['dataDir', 'relative', 'dataDir', path.join(CWD, 'relative')],
      ['dataDir', '/abs', 'dataDir', '/abs'],
      ['databaseUrl', 'postgres://flag/db', 'databaseUrl', 'postgres://flag/db'],
      ['region', 'ap-southeast-1', 'region', 'ap-southeast-1'],
      ['logLevel', 'warn', 'logLevel', 'warn'],
    ];
    for (const [flag, value, field, expected] of cases) {
      const c = loadConfig(env, { [flag]: value }, CWD);
      assert.equal(c[field as keyof typeof c], expected, `--${flag}`);
    }
    // A flag that is not given leaves the environment's value.
    assert.equal(loadConfig(env, { host: '::1' }, CWD).port, 9090);
  });

  test('the region does not change the gateway service short names', () => {
    const c = loadConfig({ VPCEP_REGION: 'cn-east-3' }, {}, CWD);
    assert.equal(c.region, 'cn-east-3');
    assert.deepEqual(
      c.gatewayServices.map((g) => g.name),
      ['com.myhuaweicloud.v4.obsv2'],
    );
  });

  test('an empty variable means unset', () => {
    const empty: Env = {
      VPCEP_HOST: '',
      VPCEP_PORT: '',
      VPCEP_DATA_DIR: '',
      VPCEP_REGION: '',
      VPCEP_LOG_LEVEL: '',
      VPCEP_PROJECT_ID: '',
      VPCEP_DATABASE_URL: '',
      VPCEP_GATEWAY_SERVICES: '',
    };
    assert.deepEqual(loadConfig(empty, {}, CWD), loadConfig({}, {}, CWD));
  });

  test('a bad port → ConfigError naming the port and the value', () => {
    const bad = ['abc', '-1', '65536', '80.5', '8080abc', ' ', '0x1F90', '1e3', '+80'];
    for (const port of bad) {
      for (const [env, flags] of [
        [{ VPCEP_PORT: port }, {}],
        [{}, { port }],
      ] as [Env, Flags][]) {
        const e = configError(env, flags);
        assert.match(e.message, /port/i, e.message);
        assert.ok(e.message.includes(`"${port}"`), e.message);
      }
    }
    for (const port of [-1, 65536, 80.5, Number.NaN]) {
      assert.match(configError({}, { port }).message, /port/i);
    }
    for (const port of ['0', '1', '65535'])
      assert.equal(loadConfig({ VPCEP_PORT: port }, {}, CWD).port, Number(port));
  });

  test('a bad log level, region or host → ConfigError naming the flag, the value and what is allowed', () => {
    const cases: [string, Env, Flags, RegExp][] = [
      [
        'loud',
        {},
        { logLevel: 'loud' },
        /--log-level.*fatal, error, warn, info, debug, trace, silent.*"loud"/,
      ],
      ['LOUD', { VPCEP_LOG_LEVEL: 'LOUD' }, {}, /VPCEP_LOG_LEVEL.*"LOUD"/],
      ['cn north', {}, { region: 'cn north' }, /--region.*"cn north"/],
      ['CN-NORTH-4', { VPCEP_REGION: 'CN-NORTH-4' }, {}, /VPCEP_REGION.*"CN-NORTH-4"/],
      ['a b', {}, { host: 'a b' }, /--host.*"a b"/],
    ];
    for (const [value, env, flags, pattern] of cases) {
      assert.match(configError(env, flags).message, pattern, value);
    }
    for (const level of ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']) {
      assert.equal(loadConfig({}, { logLevel: level }, CWD).logLevel, level);
    }
    assert.equal(loadConfig({}, { region: 'ap-southeast-1' }, CWD).region, 'ap-southeast-1');
    assert.equal(loadConfig({}, { host: '::1' }, CWD).host, '::1');
  });

  test('a bad VPCEP_PROJECT_ID → ConfigError', () => {
    const bad = [
      'A'.repeat(32),
      'a'.repeat(31),
      'a'.repeat(33),
      'g'.repeat(32),
      `${'a'.repeat(31)} `,
      'project',
    ];
    for (const id of bad) {
      const e = configError({ VPCEP_PROJECT_ID: id });
      assert.match(e.message, /VPCEP_PROJECT_ID/);
      assert.match(e.message, /32 lower-case hex/);
    }
    assert.equal(
      loadConfig({ VPCEP_PROJECT_ID: '0123456789abcdef'.repeat(2) }, {}, CWD).projectId,
      '0123456789abcdef'.repeat(2),
    );
  });

  test('a bad VPCEP_GATEWAY_SERVICES → ConfigError', () => {
    const bad: [string, string][] = [
      ['not JSON', '{name:'],
      ['an object', '{"name":"a","cidrs":["100.64.0.0/24"]}'],
      ['a string', '"svc"'],
      ['null', 'null'],
      ['no name', '[{"cidrs":["100.64.0.0/24"]}]'],
      ['empty name', '[{"name":"","cidrs":["100.64.0.0/24"]}]'],
      ['name a number', '[{"name":5,"cidrs":["100.64.0.0/24"]}]'],
      ['no cidrs', '[{"name":"a"}]'],
      ['empty cidrs', '[{"name":"a","cidrs":[]}]'],
      ['cidrs a string', '[{"name":"a","cidrs":"100.64.0.0/24"}]'],
      ['a cidr a number', '[{"name":"a","cidrs":[5]}]'],
      ['a cidr not a CIDR', '[{"name":"a","cidrs":["not-a-cidr"]}]'],
      ['a cidr with host bits', '[{"name":"a","cidrs":["100.64.0.1/24"]}]'],
      ['one bad entry of two', '[{"name":"a","cidrs":["100.64.0.0/24"]},{"name":"b"}]'],
    ];
    for (const [why, raw] of bad) {
      const e = configError({ VPCEP_GATEWAY_SERVICES: raw });
      assert.match(e.message, /VPCEP_GATEWAY_SERVICES/, `${why}: ${e.message}`);
    }
    const two = JSON.stringify([
      { name: 'a', cidrs: ['100.64.0.0/24'] },
      { name: 'b', cidrs: ['100.64.1.0/24', '100.64.2.0/24'] },
    ]);
    assert.deepEqual(loadConfig({ VPCEP_GATEWAY_SERVICES: two }, {}, CWD).gatewayServices, JSON.parse(two));
  });

  test('bad numeric limits → ConfigError naming the variable', () => {
    const cases: [string, string][] = [
      ['VPCEP_BODY_LIMIT', '10'],
      ['VPCEP_BODY_LIMIT', 'big'],
      ['VPCEP_LOCK_TIMEOUT_MS', '0'],
      ['VPCEP_PROVISIONING_DELAY_MS', '-5'],
      ['VPCEP_PROVISIONING_DELAY_MS', '3600001'],
      ['VPCEP_DELETION_DELAY_MS', '-1'],
      ['VPCEP_DELETION_DELAY_MS', '3600001'],
      ['VPCEP_QUOTA_ENDPOINTS', '-1'],
      ['VPCEP_QUOTA_ENDPOINTS', '1.5'],
      ['VPCEP_QUOTA_ENDPOINT_SERVICES', '1000001'],
      ['VPCEP_QUOTA_ENDPOINT_SERVICES', 'many'],
    ];
    for (const [name, value] of cases) {
      const e = configError({ [name]: value });
      assert.ok(e.message.includes(name), e.message);
    }
  });

  test('the console is on unless VPCEP_CONSOLE or --no-console turns it off', () => {
    assert.equal(loadConfig({}, {}, CWD).console, true);
    for (const [raw, on] of [
      ['0', false],
      ['false', false],
      ['1', true],
      ['true', true],
      ['', true],
    ] as const) {
      assert.equal(loadConfig({ VPCEP_CONSOLE: raw }, {}, CWD).console, on, raw);
    }
    assert.equal(loadConfig({ VPCEP_CONSOLE: '1' }, { console: false }, CWD).console, false);
    assert.equal(loadConfig({ VPCEP_CONSOLE: '0' }, { console: true }, CWD).console, true);
    for (const raw of ['no', 'off', '2', ' 1']) {
      assert.match(
        configError({ VPCEP_CONSOLE: raw }).message,
        /\(--no-console, VPCEP_CONSOLE\) must be 1, true, 0 or false, got "/,
      );
    }
  });

  test('ConfigError is an Error', () => {
    const e = configError({ VPCEP_PORT: 'x' });
    assert.ok(e instanceof Error);
  });

  test('the returned config is frozen', () => {
    for (const c of [loadConfig({}, {}, CWD), testConfig({ port: 1234 })]) {
      assert.ok(Object.isFrozen(c));
      assert.throws(() => {
        (c as { port: number }).port = 1;
      }, TypeError);
      assert.throws(() => {
        (c as unknown as Record<string, unknown>).extra = 1;
      }, TypeError);
      assert.notEqual(c.port, 1);
    }
  });

  test('metrics: off by default; --metrics or VPCEP_METRICS on the API port, --metrics-port on its own', () => {
    const off = loadConfig({}, {}, CWD);
    assert.equal(off.metrics, false);
    assert.equal(off.metricsPort, undefined);
    const cases: [string, Env, Flags, boolean, number | undefined][] = [
      ['VPCEP_METRICS=1', { VPCEP_METRICS: '1' }, {}, true, undefined],
      ['VPCEP_METRICS=true', { VPCEP_METRICS: 'true' }, {}, true, undefined],
      ['VPCEP_METRICS=0', { VPCEP_METRICS: '0' }, {}, false, undefined],
      ['VPCEP_METRICS=false', { VPCEP_METRICS: 'false' }, {}, false, undefined],
      ['VPCEP_METRICS empty', { VPCEP_METRICS: '' }, {}, false, undefined],
      ['--metrics', {}, { metrics: true }, true, undefined],
      ['--metrics over VPCEP_METRICS=0', { VPCEP_METRICS: '0' }, { metrics: true }, true, undefined],
      ['VPCEP_METRICS_PORT', { VPCEP_METRICS_PORT: '9100' }, {}, true, 9100],
      ['--metrics-port', {}, { metricsPort: '9101' }, true, 9101],
      ['--metrics-port over the variable', { VPCEP_METRICS_PORT: '9100' }, { metricsPort: 9102 }, true, 9102],
      [
        'a port of its own turns metrics on',
        { VPCEP_METRICS: '0', VPCEP_METRICS_PORT: '9100' },
        {},
        true,
        9100,
      ],
      ['VPCEP_METRICS_PORT empty', { VPCEP_METRICS: '1', VPCEP_METRICS_PORT: '' }, {}, true, undefined],
      ['port 0: the system chooses', {}, { metricsPort: '0' }, true, 0],
    ];
    for (const [why, env, flags, metrics, metricsPort] of cases) {
      const c = loadConfig(env, flags, CWD);
      assert.equal(c.metrics, metrics, why);
      assert.equal(c.metricsPort, metricsPort, why);
    }
  });

  test('bad metrics settings → ConfigError naming the flag, the variable and the value', () => {
    const cases: [Env, Flags, RegExp][] = [
      [{ VPCEP_METRICS: 'yes' }, {}, /--metrics, VPCEP_METRICS\) must be 1, true, 0 or false, got "yes"/],
      [{ VPCEP_METRICS: 'TRUE' }, {}, /VPCEP_METRICS.*"TRUE"/],
      [{ VPCEP_METRICS_PORT: 'http' }, {}, /--metrics-port, VPCEP_METRICS_PORT.*0 to 65535.*"http"/],
      [{}, { metricsPort: '65536' }, /--metrics-port, VPCEP_METRICS_PORT.*"65536"/],
      [{}, { metricsPort: '-1' }, /--metrics-port.*"-1"/],
      [
        { VPCEP_METRICS_PORT: '8080' },
        {},
        /metrics port.*must differ from the port \(--port, VPCEP_PORT\), got 8080/,
      ],
      [{ VPCEP_PORT: '9000' }, { metricsPort: '9000' }, /must differ.*got 9000/],
    ];
    for (const [env, flags, pattern] of cases) {
      const e = configError(env, flags);
      assert.match(e.message, pattern, e.message);
      assert.ok(!e.message.includes('\n'), 'one line');
    }
  });

  test('log format: pretty on a terminal, json otherwise; --log-format and VPCEP_LOG_FORMAT choose', () => {
    assert.equal(loadConfig({}, {}, CWD, true).logFormat, 'pretty');
    assert.equal(loadConfig({}, {}, CWD, false).logFormat, 'json');
    assert.equal(loadConfig({ VPCEP_LOG_FORMAT: 'json' }, {}, CWD, true).logFormat, 'json');
    assert.equal(loadConfig({ VPCEP_LOG_FORMAT: 'pretty' }, {}, CWD, false).logFormat, 'pretty');
    assert.equal(loadConfig({ VPCEP_LOG_FORMAT: '' }, {}, CWD, false).logFormat, 'json');
    assert.equal(
      loadConfig({ VPCEP_LOG_FORMAT: 'pretty' }, { logFormat: 'json' }, CWD, true).logFormat,
      'json',
    );
    assert.equal(loadConfig({}, { logFormat: 'pretty' }, CWD, false).logFormat, 'pretty');
    assert.match(
      configError({}, { logFormat: 'text' }).message,
      /the log format \(--log-format, VPCEP_LOG_FORMAT\) must be one of pretty, json, got "text"/,
    );
    assert.match(configError({ VPCEP_LOG_FORMAT: 'JSON' }).message, /VPCEP_LOG_FORMAT.*"JSON"/);
    assert.equal(testConfig().logFormat, 'json', 'tests log JSON whatever their terminal');
  });

  test('testConfig reads no environment and applies overrides', () => {
    const saved = process.env.VPCEP_PORT;
    process.env.VPCEP_PORT = '9999';
    try {
      const c = testConfig({ region: 'cn-east-3' });
      assert.equal(c.port, 8080);
      assert.equal(c.region, 'cn-east-3');
    } finally {
      if (saved === undefined) delete process.env.VPCEP_PORT;
      else process.env.VPCEP_PORT = saved;
    }
  });
});
