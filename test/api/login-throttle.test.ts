import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { LoginThrottle } from '../../src/service/login-throttle.ts';
import { addAccount, type Account } from '../helpers/seed.ts';
import { parseJson } from '../helpers/json.ts';
import { makeWorld, ManualClock, PASSWORD, type Reply, type World } from '../helpers/world.ts';

/**
 * Failed logins are limited per user and per source address over a window (issue 8): 288 wrong
 * passwords in 5 s were all answered 401 before. The clock is the world's: tests move it.
 */

const PER_USER = 3;
const PER_ADDRESS = 6;
const WINDOW_MS = 60_000;

let w: World;
let other: Account;

before(async () => {
  w = await makeWorld({
    loginFailuresPerUser: PER_USER,
    loginFailuresPerAddress: PER_ADDRESS,
    loginWindowMs: WINDOW_MS,
  });
  other = await addAccount(w.store, { domain: 'other', user: 'bob', password: 'bob-password-1' });
});
after(() => w.close());

/** Addresses the tests log in from; each test takes fresh ones, so their counts never mix. */
let lastAddress = 0;
const newAddress = () => `10.0.${Math.floor(++lastAddress / 250)}.${(lastAddress % 250) + 1}`;

async function login(
  address: string,
  o: { user?: string; password?: string; domain?: string } = {},
): Promise<Reply> {
  const res = await w.app.inject({
    method: 'POST',
    url: '/v3/auth/tokens',
    remoteAddress: address,
    payload: {
      auth: {
        identity: {
          methods: ['password'],
          password: {
            user: {
              name: o.user ?? 'admin',
              password: o.password ?? PASSWORD,
              domain: { name: o.domain ?? 'vpcep' },
            },
          },
        },
        scope: { project: { name: 'cn-north-4' } },
      },
    },
  });
  return { status: res.statusCode, headers: res.headers, body: parseJson(res.body), raw: res.body };
}

/** 429 APIGW.0308 in the gateway envelope with a Retry-After within the window. */
function assertThrottled(res: Reply, why = '') {
  assert.equal(res.status, 429, `${why}: ${res.raw}`);
  assert.equal(res.body.error_code, 'APIGW.0308');
  assert.equal(res.body.error.code, 'APIGW.0308');
  assert.match(res.body.error.message, /^The throttling threshold has been reached\./);
  assert.equal(res.body.request_id, res.headers['x-request-id']);
  const retry = Number(res.headers['retry-after']);
  assert.ok(Number.isInteger(retry) && retry >= 1 && retry <= WINDOW_MS / 1000, `Retry-After ${retry}`);
  assert.equal(res.headers['x-subject-token'], undefined);
}

const wrong = { password: 'wrong-password' };

describe('per user', () => {
  test('the limit is reached; then even the right password waits; after the window the user logs in', async () => {
    for (let i = 0; i < PER_USER; i++) {
      assert.equal((await login(newAddress(), wrong)).status, 401, `failure ${i + 1}`);
    }
    // From yet another address, and with the right password: the user name is what is limited.
    assertThrottled(await login(newAddress(), wrong), 'one more wrong password');
    assertThrottled(await login(newAddress()), 'the right password, during the lockout');
    w.clock.advance(WINDOW_MS / 2);
    assertThrottled(await login(newAddress()), 'half a window later');
    w.clock.advance(WINDOW_MS / 2);
    assert.equal((await login(newAddress())).status, 201, 'one window after the last counted failure');
  });

  test('refused attempts do not extend the lockout: an attacker cannot keep the user out', async () => {
    const attacker = newAddress();
    for (let i = 0; i < PER_USER; i++) await login(newAddress(), wrong);
    // The attacker keeps trying through the whole window; none of it is counted.
    for (let t = 0; t < 10; t++) {
      assertThrottled(await login(attacker, wrong), `attempt ${t}`);
      w.clock.advance(WINDOW_MS / 10 - 1);
    }
    w.clock.advance(10);
    assert.equal((await login(newAddress())).status, 201);
  });

  test('Retry-After counts down to when the oldest failure leaves the window', async () => {
    const start = w.clock.now().getTime();
    for (let i = 0; i < PER_USER; i++) {
      await login(newAddress(), wrong);
      w.clock.advance(10_000);
    }
    const res = await login(newAddress());
    assertThrottled(res);
    const expected = Math.ceil((start + WINDOW_MS - w.clock.now().getTime()) / 1000);
    assert.equal(Number(res.headers['retry-after']), expected);
    w.clock.advance(expected * 1000);
    // The oldest failure left; the two others still count, one below the limit.
    assert.equal((await login(newAddress())).status, 201);
    w.clock.advance(WINDOW_MS);
  });

  test('a successful login clears the user’s failures', async () => {
    for (let i = 0; i < PER_USER - 1; i++) await login(newAddress(), wrong);
    assert.equal((await login(newAddress())).status, 201);
    for (let i = 0; i < PER_USER - 1; i++) {
      assert.equal((await login(newAddress(), wrong)).status, 401);
    }
    assert.equal((await login(newAddress())).status, 201);
    w.clock.advance(WINDOW_MS);
  });

  test('other users are never affected, from any other address', async () => {
    for (let i = 0; i < PER_USER + 2; i++) await login(newAddress(), wrong);
    assertThrottled(await login(newAddress()));
    const bob = await login(newAddress(), { user: 'bob', password: other.password, domain: 'other' });
    assert.equal(bob.status, 201, bob.raw);
    // admin of another domain is another user too.
    const admin = await addAccount(w.store, { domain: 'third', user: 'admin', password: 'third-password-1' });
    const res = await login(newAddress(), { domain: 'third', password: admin.password });
    assert.equal(res.status, 201, res.raw);
    w.clock.advance(WINDOW_MS);
  });

  test('an unknown user is limited exactly like a real one: nothing to learn from the 429', async () => {
    for (const user of ['admin', 'nobody-here']) {
      const answers: number[] = [];
      for (let i = 0; i <= PER_USER; i++)
        answers.push((await login(newAddress(), { user, ...wrong })).status);
      assert.deepEqual(answers, [...Array(PER_USER).fill(401), 429], user);
    }
    w.clock.advance(WINDOW_MS);
  });
});

describe('per source address', () => {
  test('one address failing for many user names is limited; other addresses are not', async () => {
    const attacker = newAddress();
    for (let i = 0; i < PER_ADDRESS; i++) {
      assert.equal((await login(attacker, { user: `guess-${i}`, ...wrong })).status, 401);
    }
    assertThrottled(await login(attacker, { user: 'guess-new', ...wrong }));
    assertThrottled(await login(attacker), 'the right password from the limited address');
    assert.equal((await login(newAddress())).status, 201, 'the same user from elsewhere');
    w.clock.advance(WINDOW_MS);
    assert.equal((await login(attacker)).status, 201, 'the address after the window');
  });
});

describe('LoginThrottle', () => {
  test('remembers a bounded number of names and addresses', () => {
    const clock = new ManualClock();
    const throttle = new LoginThrottle({ perUser: 2, perAddress: 2, windowMs: 1000 }, clock, 100);
    for (let i = 0; i < 1000; i++) throttle.failed('d', `user-${i}`, `address-${i}`);
    assert.ok(throttle.size <= 100, `${throttle.size} keys`);
    // What is remembered still counts: the latest names are the ones kept.
    throttle.failed('d', 'user-999', 'elsewhere');
    assert.ok(throttle.waitFor('d', 'user-999', 'new') > 0);
    clock.advance(1000);
    assert.equal(throttle.waitFor('d', 'user-999', 'new'), 0);
  });
});
