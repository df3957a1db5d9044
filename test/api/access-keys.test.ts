import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { addAccount, type Account } from '../helpers/seed.ts';
import { injectSigned } from '../helpers/sign.ts';
import { makeWorld, type World } from '../helpers/world.ts';
import { expectKeystoneError } from '../helpers/expect.ts';

/** IAM-compatible permanent access keys: /v3.0/OS-CREDENTIAL/credentials (api-surface.md §1). */

const AK = 'ACCESSKEYSTEST000001';
const SK = 'access-keys-test-secret-0000000000000000';
const BASE = '/v3.0/OS-CREDENTIAL/credentials';
const IAM_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const SIGNATURE_FAIL = 'Incorrect IAM authentication information: verify aksk signature fail';

let w: World;
let adminId: string;
let other: Account;
let otherToken: string;

before(async () => {
  w = await makeWorld({ adminAk: AK, adminSk: SK });
  const login = await w.call('POST', '/v3/auth/tokens', loginBody('vpcep', 'test-password-1'), {
    'x-auth-token': undefined,
  });
  adminId = login.body.token.user.id;
  other = await addAccount(w.store, { domain: 'other', password: 'other-password-1' });
  const otherLogin = await w.call('POST', '/v3/auth/tokens', loginBody('other', other.password), {
    'x-auth-token': undefined,
  });
  assert.equal(otherLogin.status, 201, otherLogin.raw);
  otherToken = String(otherLogin.headers['x-subject-token']);
});
after(() => w.close());

function loginBody(domain: string, password: string) {
  return {
    auth: {
      identity: {
        methods: ['password'],
        password: { user: { name: 'admin', password, domain: { name: domain } } },
      },
      scope: { project: { name: 'cn-north-4' } },
    },
  };
}

const asOther = (method: string, url: string, body?: unknown) =>
  w.call(method, url, body, { 'x-auth-token': otherToken });

/** A signed GET of this project's route tables with the given key. */
const useKey = (ak: string, sk: string) =>
  injectSigned(w.app, { ak, sk, method: 'GET', url: `/v1/${w.projectId}/routetables` }, w.clock);

async function createKey(description?: string): Promise<{ access: string; secret: string }> {
  const res = await w.call('POST', BASE, {
    credential: { user_id: adminId, ...(description === undefined ? {} : { description }) },
  });
  assert.equal(res.status, 201, res.raw);
  return res.body.credential;
}

async function deleteKey(access: string) {
  const res = await w.call('DELETE', `${BASE}/${access}`);
  assert.equal(res.status, 204, res.raw);
}

describe('create', () => {
  test('201 with the AK, the SK (once), status active and create_time', async () => {
    const res = await w.call('POST', BASE, { credential: { user_id: adminId, description: 'ci key' } });
    assert.equal(res.status, 201, res.raw);
    const c = res.body.credential;
    try {
      assert.deepEqual(Object.keys(res.body), ['credential']);
      assert.deepEqual(Object.keys(c).sort(), [
        'access',
        'create_time',
        'description',
        'secret',
        'status',
        'user_id',
      ]);
      assert.match(c.access, /^[A-Z0-9]{20}$/);
      assert.match(c.secret, /^[A-Za-z0-9]{40}$/);
      assert.equal(c.status, 'active');
      assert.equal(c.user_id, adminId);
      assert.equal(c.description, 'ci key');
      assert.match(c.create_time, IAM_TIME);
      assert.equal(Date.parse(c.create_time), w.clock.now().getTime());
    } finally {
      await deleteKey(c.access);
    }
  });

  test('two keys get different AKs and SKs; the description defaults to ""', async () => {
    const a = await createKey();
    try {
      const list = await w.call('GET', `${BASE}?user_id=${adminId}`);
      const item = list.body.credentials.find((k: { access: string }) => k.access === a.access);
      assert.equal(item.description, '');
      assert.notEqual(a.access, AK);
      assert.notEqual(a.secret, SK);
    } finally {
      await deleteKey(a.access);
    }
  });

  test('a third key for a user → 409 in the Keystone envelope; deleting one frees the slot', async () => {
    const second = await createKey();
    const third = await w.call('POST', BASE, { credential: { user_id: adminId } });
    expectKeystoneError(third, 409, 'Conflict');
    const list = await w.call('GET', `${BASE}?user_id=${adminId}`);
    assert.equal(list.body.credentials.length, 2, 'the refused key was not stored');
    await deleteKey(second.access);
    const again = await createKey();
    await deleteKey(again.access);
  });

  test('an unknown user → 404; a body without user_id → 400', async () => {
    expectKeystoneError(
      await w.call('POST', BASE, { credential: { user_id: 'f'.repeat(32) } }),
      404,
      'Not Found',
    );
    expectKeystoneError(await w.call('POST', BASE, { credential: {} }), 400, 'Bad Request');
    expectKeystoneError(await w.call('POST', BASE, {}), 400, 'Bad Request');
  });

  test('without credentials → 401', async () => {
    const res = await w.call(
      'POST',
      BASE,
      { credential: { user_id: adminId } },
      { 'x-auth-token': undefined },
    );
    assert.equal(res.status, 401, res.raw);
    assert.equal(res.body.error_code, 'APIGW.0301');
  });
});

describe('list and show never return the SK', () => {
  test('GET ?user_id= lists both keys of the user, without secret', async () => {
    const created = await createKey('listed');
    try {
      const res = await w.call('GET', `${BASE}?user_id=${adminId}`);
      assert.equal(res.status, 200, res.raw);
      assert.deepEqual(
        res.body.credentials.map((k: { access: string }) => k.access).sort(),
        [AK, created.access].sort(),
      );
      for (const k of res.body.credentials) {
        assert.deepEqual(Object.keys(k).sort(), [
          'access',
          'create_time',
          'description',
          'status',
          'user_id',
        ]);
        assert.equal(k.user_id, adminId);
      }
      assert.ok(!res.raw.includes(created.secret) && !res.raw.includes(SK), 'no SK anywhere in the answer');
    } finally {
      await deleteKey(created.access);
    }
  });

  test("GET without user_id lists the caller's own keys", async () => {
    const res = await w.call('GET', BASE);
    assert.equal(res.status, 200, res.raw);
    assert.deepEqual(
      res.body.credentials.map((k: { access: string }) => k.access),
      [AK],
    );
  });

  test('GET one shows the key without secret; an unknown AK → 404', async () => {
    const created = await createKey('shown');
    try {
      const res = await w.call('GET', `${BASE}/${created.access}`);
      assert.equal(res.status, 200, res.raw);
      assert.deepEqual(res.body, {
        credential: {
          user_id: adminId,
          access: created.access,
          status: 'active',
          create_time: res.body.credential.create_time,
          description: 'shown',
        },
      });
      assert.ok(!res.raw.includes(created.secret));
      expectKeystoneError(await w.call('GET', `${BASE}/NOSUCHKEY00000000000`), 404, 'Not Found');
    } finally {
      await deleteKey(created.access);
    }
  });
});

describe('update', () => {
  test('PUT status inactive stops the key signing; active again restores it', async () => {
    const k = await createKey();
    try {
      assert.equal((await useKey(k.access, k.secret)).status, 200);
      const off = await w.call('PUT', `${BASE}/${k.access}`, { credential: { status: 'inactive' } });
      assert.equal(off.status, 200, off.raw);
      assert.equal(off.body.credential.status, 'inactive');
      assert.equal(off.body.credential.secret, undefined);
      assert.equal((await w.call('GET', `${BASE}/${k.access}`)).body.credential.status, 'inactive');
      const refused = await useKey(k.access, k.secret);
      assert.equal(refused.status, 401, refused.raw);
      assert.equal(refused.body.error_msg, SIGNATURE_FAIL);
      const on = await w.call('PUT', `${BASE}/${k.access}`, { credential: { status: 'active' } });
      assert.equal(on.body.credential.status, 'active');
      assert.equal((await useKey(k.access, k.secret)).status, 200);
    } finally {
      await deleteKey(k.access);
    }
  });

  test('PUT description; an invalid status → 400; an unknown AK → 404', async () => {
    const k = await createKey('before');
    try {
      const res = await w.call('PUT', `${BASE}/${k.access}`, { credential: { description: 'after' } });
      assert.equal(res.status, 200, res.raw);
      assert.equal(res.body.credential.description, 'after');
      assert.equal(res.body.credential.status, 'active');
      expectKeystoneError(
        await w.call('PUT', `${BASE}/${k.access}`, { credential: { status: 'disabled' } }),
        400,
        'Bad Request',
      );
      expectKeystoneError(
        await w.call('PUT', `${BASE}/NOSUCHKEY00000000000`, { credential: { status: 'inactive' } }),
        404,
        'Not Found',
      );
    } finally {
      await deleteKey(k.access);
    }
  });
});

describe('a new key signs requests; a deleted one no longer does', () => {
  test('the new AK/SK works for the API and for IAM calls', async () => {
    const k = await createKey();
    try {
      const api = await useKey(k.access, k.secret);
      assert.equal(api.status, 200, api.raw);
      const iam = await injectSigned(
        w.app,
        { ak: k.access, sk: k.secret, method: 'GET', url: BASE },
        w.clock,
      );
      assert.equal(iam.status, 200, iam.raw);
      assert.equal(iam.body.credentials.length, 2);
    } finally {
      await deleteKey(k.access);
    }
  });

  test('DELETE → 204 with no body; then GET, PUT and DELETE → 404 and the key signs nothing', async () => {
    const k = await createKey();
    const res = await w.call('DELETE', `${BASE}/${k.access}`);
    assert.equal(res.status, 204, res.raw);
    assert.equal(res.raw, '');
    expectKeystoneError(await w.call('GET', `${BASE}/${k.access}`), 404, 'Not Found');
    expectKeystoneError(
      await w.call('PUT', `${BASE}/${k.access}`, { credential: { status: 'active' } }),
      404,
      'Not Found',
    );
    expectKeystoneError(await w.call('DELETE', `${BASE}/${k.access}`), 404, 'Not Found');
    const refused = await useKey(k.access, k.secret);
    assert.equal(refused.status, 401, refused.raw);
    assert.equal(refused.body.error_code, 'APIGW.0301');
    assert.equal(refused.body.error_msg, SIGNATURE_FAIL);
  });

  test('a key can delete itself; the request that deletes it still succeeds', async () => {
    const k = await createKey();
    const res = await injectSigned(
      w.app,
      { ak: k.access, sk: k.secret, method: 'DELETE', url: `${BASE}/${k.access}` },
      w.clock,
    );
    assert.equal(res.status, 204, res.raw);
    assert.equal((await useKey(k.access, k.secret)).status, 401);
  });
});

describe("another domain's user cannot see or change these keys, nor learn they exist (404)", () => {
  test('list, show, update, delete and create for this user → 404, as for ids that do not exist', async () => {
    expectKeystoneError(await asOther('GET', `${BASE}?user_id=${adminId}`), 404, 'Not Found');
    const shown = await asOther('GET', `${BASE}/${AK}`);
    expectKeystoneError(shown, 404, 'Not Found');
    assert.ok(!shown.raw.includes(adminId), 'nothing about the key leaks');
    expectKeystoneError(
      await asOther('PUT', `${BASE}/${AK}`, { credential: { status: 'inactive' } }),
      404,
      'Not Found',
    );
    expectKeystoneError(await asOther('DELETE', `${BASE}/${AK}`), 404, 'Not Found');
    expectKeystoneError(await asOther('POST', BASE, { credential: { user_id: adminId } }), 404, 'Not Found');

    const mine = await w.call('GET', `${BASE}/${AK}`);
    assert.equal(mine.body.credential.status, 'active', 'the key was not changed');
    assert.equal(
      (await w.call('GET', `${BASE}?user_id=${adminId}`)).body.credentials.length,
      1,
      'no key added',
    );
    assert.equal((await useKey(AK, SK)).status, 200, 'the key still works');
  });

  test('the same, with the other domain signing by AK/SK', async () => {
    const as = { ak: other.ak, sk: other.sk };
    const list = await injectSigned(
      w.app,
      { ...as, method: 'GET', url: `${BASE}?user_id=${adminId}` },
      w.clock,
    );
    expectKeystoneError(list, 404, 'Not Found');
    const del = await injectSigned(w.app, { ...as, method: 'DELETE', url: `${BASE}/${AK}` }, w.clock);
    expectKeystoneError(del, 404, 'Not Found');
    assert.equal((await w.call('GET', `${BASE}/${AK}`)).status, 200, 'still there');
  });

  test('and the admin cannot manage the other domain’s keys either', async () => {
    expectKeystoneError(await w.call('GET', `${BASE}?user_id=${other.userId}`), 404, 'Not Found');
    expectKeystoneError(await w.call('GET', `${BASE}/${other.ak}`), 404, 'Not Found');
  });

  test("another domain's AK and a made-up AK answer alike, for every call on a key", async () => {
    const madeUp = 'MADEUPAK000000000000';
    for (const [method, body] of [
      ['GET', undefined],
      ['PUT', { credential: { status: 'inactive' } }],
      ['DELETE', undefined],
    ] as const) {
      const foreign = await w.call(method, `${BASE}/${other.ak}`, body);
      const unknown = await w.call(method, `${BASE}/${madeUp}`, body);
      assert.equal(foreign.status, unknown.status, method);
      assert.deepEqual(foreign.body, JSON.parse(unknown.raw.replaceAll(madeUp, other.ak)), method);
    }
    const foreignUser = await w.call('GET', `${BASE}?user_id=${other.userId}`);
    const unknownUser = await w.call('GET', `${BASE}?user_id=${'0'.repeat(32)}`);
    assert.deepEqual(foreignUser.body, JSON.parse(unknownUser.raw.replaceAll('0'.repeat(32), other.userId)));
    assert.equal((await useKey(other.ak, other.sk)).status, 403, 'the foreign key still exists, untouched');
  });

  test('the other domain manages its own keys', async () => {
    const res = await asOther('GET', BASE);
    assert.equal(res.status, 200, res.raw);
    assert.deepEqual(
      res.body.credentials.map((k: { access: string }) => k.access),
      [other.ak],
    );
  });
});

describe('an update changes only status and description', () => {
  test('user_id, secret or access in the body never move or rekey a key', async () => {
    const mine = await createKey('mine');
    try {
      const res = await w.call('PUT', `${BASE}/${mine.access}`, {
        credential: {
          status: 'active',
          user_id: other.userId,
          secret: 'chosen-secret',
          access: 'HIJACKED000000000000',
        },
      });
      assert.equal(res.status, 200, res.raw);
      assert.equal(res.body.credential.user_id, adminId);
      assert.equal(res.body.credential.access, mine.access);
      // The key still belongs to the admin and still signs with its own SK; the chosen one fails.
      assert.equal((await useKey(mine.access, mine.secret)).status, 200);
      assert.equal((await useKey(mine.access, 'chosen-secret')).status, 401);
      const asOtherProject = await injectSigned(
        w.app,
        { ak: mine.access, sk: mine.secret, method: 'GET', url: `/v1/${other.projectId}/routetables` },
        w.clock,
      );
      assert.equal(asOtherProject.status, 403, asOtherProject.raw);
      const listed = await asOther('GET', BASE);
      assert.ok(!listed.body.credentials.some((k: { access: string }) => k.access === mine.access));
      // An update naming nothing it may change is a no-op, not an error.
      const empty = await w.call('PUT', `${BASE}/${mine.access}`, { credential: { extra: 1 } });
      assert.equal(empty.status, 200, empty.raw);
    } finally {
      await deleteKey(mine.access);
    }
  });
});
