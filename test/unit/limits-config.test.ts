import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.ts';

/** The limits of the protocol edge (README, "Hostile input and limits"): defaults, env, bounds. */

test('header size, headers timeout and keep-alive idle timeout: defaults', () => {
  const c = loadConfig({}, {}, '/');
  assert.equal(c.maxHeaderBytes, 16 * 1024);
  assert.equal(c.headersTimeoutMs, 10_000);
  assert.equal(c.keepAliveTimeoutMs, 72_000);
});

test('... set from the environment, and refused out of bounds', () => {
  const c = loadConfig(
    { VPCEP_MAX_HEADER_BYTES: '4096', VPCEP_HEADERS_TIMEOUT_MS: '500', VPCEP_KEEP_ALIVE_TIMEOUT_MS: '1000' },
    {},
    '/',
  );
  assert.deepEqual([c.maxHeaderBytes, c.headersTimeoutMs, c.keepAliveTimeoutMs], [4096, 500, 1000]);
  for (const env of [
    { VPCEP_MAX_HEADER_BYTES: '100' },
    { VPCEP_MAX_HEADER_BYTES: '16k' },
    { VPCEP_HEADERS_TIMEOUT_MS: '0' },
    { VPCEP_KEEP_ALIVE_TIMEOUT_MS: '-1' },
  ]) {
    assert.throws(() => loadConfig(env, {}, '/'), ConfigError, JSON.stringify(env));
  }
});
