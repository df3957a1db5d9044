import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { DataDirError, privateDataDir } from '../../src/store/data-dir.ts';
import { openSqliteStore } from '../../src/store/sqlite.ts';
import { useScratch } from '../helpers/scratch.ts';

const scratch = useScratch('vpcep-datadir-');
const modeOf = (p: string) => fs.statSync(p).mode & 0o777;

test('an existing data dir that others may read is made 0700 when the store opens, every time', async () => {
  for (const mode of [0o755, 0o777, 0o750, 0o711, 0o701]) {
    const dir = scratch.dir();
    fs.chmodSync(dir, mode);
    const store = await openSqliteStore({ dataDir: dir, lockTimeoutMs: 1000 });
    await store.close();
    assert.equal(modeOf(dir), 0o700, mode.toString(8));
    // And again on the next start, after someone loosened it.
    fs.chmodSync(dir, mode);
    const again = await openSqliteStore({ dataDir: dir, lockTimeoutMs: 1000 });
    await again.close();
    assert.equal(modeOf(dir), 0o700, `${mode.toString(8)}, second start`);
  }
});

test('a new data dir, nested, is created 0700', () => {
  const dir = path.join(scratch.dir(), 'a', 'data');
  privateDataDir(dir);
  assert.equal(modeOf(dir), 0o700);
});

test('a data dir that cannot be made private is refused with a message that says what to do', () => {
  const dir = scratch.dir();
  fs.chmodSync(dir, 0o755);
  const eperm = () => {
    throw Object.assign(new Error('operation not permitted'), { code: 'EPERM' });
  };
  assert.throws(
    () => privateDataDir(dir, eperm),
    (e: unknown) =>
      e instanceof DataDirError &&
      e.message.includes(dir) &&
      e.message.includes('mode 0755') &&
      e.message.includes('EPERM') &&
      e.message.includes(`chmod 700 ${dir}`),
  );
  // A dir that is private already needs no change, so nothing can fail.
  fs.chmodSync(dir, 0o700);
  assert.doesNotThrow(() => privateDataDir(dir, eperm));
});
