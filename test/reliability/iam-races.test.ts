import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { expectEpError, expectKeystoneError } from '../helpers/expect.ts';
import { createAccount, iam, operator, send, type TenantAccount } from '../helpers/tenants.ts';
import { makeWorld, type World } from '../helpers/world.ts';

/**
 * Names are unique per account and accounts unique by name, however many calls race for one
 * (spec/iam.md). On PostgreSQL the calls run on separate connections at once; the loser of each race
 * gets the API's own answer for a taken name, never a 409 retry or a 500.
 */

const RACERS = 6;
let w: World;
let acme: TenantAccount;

before(async () => {
  w = await makeWorld();
  acme = await createAccount(w, 'racers');
});
after(() => w.close());

const statuses = (rs: { status: number }[]) => rs.map((r) => r.status).sort();

test('accounts created at once under one name: one is made, the rest are told the name is taken', async () => {
  const rs = await Promise.all(
    Array.from({ length: RACERS }, () =>
      send(w.app, 'POST', '/vpcep/v1/accounts', operator(), { account: { name: 'same-name' } }),
    ),
  );
  assert.deepEqual(statuses(rs), [201, ...Array(RACERS - 1).fill(409)]);
  for (const r of rs.filter((x) => x.status === 409)) expectEpError(r, 409, 'VPCEP.1001');
  const list = await send(w.app, 'GET', '/vpcep/v1/accounts', operator());
  const named = list.body.accounts.filter((a: { domain_name: string }) => a.domain_name === 'same-name');
  assert.equal(named.length, 1);
});

test('users and groups created at once under one name: one each', async () => {
  const admin = iam(w, acme.token);
  const users = await Promise.all(
    Array.from({ length: RACERS }, () =>
      admin.call('POST', '/v3/users', { user: { name: 'twin', password: 'Twin-pass-1' } }),
    ),
  );
  assert.deepEqual(statuses(users), [201, ...Array(RACERS - 1).fill(400)]);
  for (const r of users.filter((x) => x.status === 400)) expectKeystoneError(r, 400, 'Bad Request');
  const groups = await Promise.all(
    Array.from({ length: RACERS }, () => admin.call('POST', '/v3/groups', { group: { name: 'g' } })),
  );
  assert.deepEqual(statuses(groups), [201, ...Array(RACERS - 1).fill(409)]);
  const listed = await admin.call('GET', '/v3/users?name=twin');
  assert.equal(listed.body.users.length, 1);
});
