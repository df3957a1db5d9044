import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import pino from 'pino';
import { testConfig } from '../../src/config.ts';
import { randomIds, systemClock } from '../../src/domain/ids.ts';
import { bootstrap } from '../../src/service/bootstrap.ts';
import { openSqliteStore } from '../../src/store/sqlite.ts';

async function boot(dataDir: string, overrides = {}) {
  const config = testConfig({ dataDir, logLevel: 'silent', ...overrides });
  const store = await openSqliteStore({ dataDir, lockTimeoutMs: 1000 });
  try {
    const result = await bootstrap({
      config,
      store,
      clock: systemClock,
      ids: randomIds,
      log: pino({ level: 'silent' }),
    });
    const keys = await store.read((r) => r.db.selectFrom('access_keys').selectAll().execute());
    return { result, keys };
  } finally {
    await store.close();
  }
}

test('a first start generates every secret, writes them once with mode 0600, and the store agrees', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vpcep-boot-'));
  const { result, keys } = await boot(dir);
  assert.equal(result.created, true);
  assert.deepEqual(Object.keys(result.generated).sort(), [
    'access_key',
    'operator_key',
    'password',
    'project_id',
    'secret_key',
  ]);
  const file = path.join(dir, 'credentials.json');
  assert.equal(result.credentialsFile, file);
  assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  const saved = JSON.parse(fs.readFileSync(file, 'utf8'));
  assert.equal(saved.project_id, result.project_id);
  assert.equal(saved.password, result.generated.password);
  assert.equal(saved.operator_key, result.generated.operator_key);
  assert.match(saved.operator_key, /^[0-9a-f]{64}$/);
  assert.match(saved.access_key, /^[0-9A-F]{20}$/);
  assert.equal(saved.secret_key.length, 40);
  assert.deepEqual(
    keys.map((k) => [k.access, k.secret]),
    [[saved.access_key, saved.secret_key]],
  );
  assert.deepEqual(
    fs.readdirSync(dir).filter((f) => f.endsWith('.tmp')),
    [],
    'no temporary file left',
  );
});

test('configured values are used as given and not reported as generated', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vpcep-boot-'));
  const { result, keys } = await boot(dir, {
    projectId: 'ab'.repeat(16),
    adminPassword: 'pw-from-env',
    adminAk: 'AKFROMENV0000000000A',
    adminSk: 'sk-from-env',
    operatorKey: 'operator-key-from-env',
  });
  assert.equal(result.project_id, 'ab'.repeat(16));
  assert.deepEqual(result.generated, {});
  assert.deepEqual(
    keys.map((k) => k.access),
    ['AKFROMENV0000000000A'],
  );
});

test('a credentials file left by an interrupted first start is what the account is made from', async () => {
  // The process died after writing the file and before the account committed.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vpcep-boot-'));
  const left = {
    project_id: 'cd'.repeat(16),
    password: 'password-in-file',
    access_key: 'AKINFILE000000000000',
    secret_key: 'sk-in-file',
  };
  const file = path.join(dir, 'credentials.json');
  fs.writeFileSync(file, JSON.stringify(left), { mode: 0o600 });
  const { result, keys } = await boot(dir);
  assert.equal(result.created, true);
  assert.equal(result.project_id, left.project_id);
  // The file predates the operator key: that one is new, shown once, and added to the file.
  assert.deepEqual(Object.keys(result.generated), ['operator_key']);
  assert.deepEqual(
    keys.map((k) => [k.access, k.secret]),
    [[left.access_key, left.secret_key]],
  );
  assert.deepEqual(
    JSON.parse(fs.readFileSync(file, 'utf8')),
    { ...left, operator_key: result.generated.operator_key },
    'the file keeps what it had and gains the operator key',
  );
});

test('the credentials file names an address to connect to, even for a wildcard listen address', async () => {
  for (const [host, endpoint] of [
    ['0.0.0.0', 'http://127.0.0.1:9999'],
    ['::', 'http://[::1]:9999'],
    ['::1', 'http://[::1]:9999'],
    ['localhost', 'http://localhost:9999'],
  ]) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vpcep-boot-'));
    await boot(dir, { host, port: 9999 });
    const saved = JSON.parse(fs.readFileSync(path.join(dir, 'credentials.json'), 'utf8'));
    assert.equal(saved.endpoint, endpoint, host);
    assert.doesNotThrow(() => new URL(saved.endpoint));
  }
});

test('only the server user can read the SQLite store: data dir 0700, database files 0600', async () => {
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'vpcep-boot-')), 'data');
  await boot(dir);
  assert.equal(fs.statSync(dir).mode & 0o777, 0o700);
  const files = fs.readdirSync(dir).filter((f) => f.startsWith('vpcep.db'));
  assert.ok(files.includes('vpcep.db'));
  for (const f of files) assert.equal(fs.statSync(path.join(dir, f)).mode & 0o777, 0o600, f);
});
