import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ROLE_TENANT_GUEST, ROLE_VPCEP_FULL, ROLE_VPCEP_READONLY } from '../../src/domain/roles.ts';
import { expectEpError, expectGatewayError, expectKeystoneError, expectVpcError } from '../helpers/expect.ts';
import { createVpc, gatewayService } from '../helpers/fixtures.ts';
import { sign } from '../helpers/sign.ts';
import {
  createAccount,
  iam,
  login,
  operator,
  send,
  userWithRole,
  type TenantAccount,
} from '../helpers/tenants.ts';
import { makeWorld, OPERATOR_KEY, type Reply, type World } from '../helpers/world.ts';

/**
 * Many accounts (issue 10): the operator API that makes them, the IAM calls of their admins, the
 * roles that decide each call, temporary credentials, and token validation. Every call goes over
 * the app's HTTP interface, on the suite's store.
 */

let w: World;
let acme: TenantAccount;

before(async () => {
  w = await makeWorld();
  acme = await createAccount(w, 'acme');
});
after(() => w.close());

const tablesOf = (token: string, projectId: string) =>
  send(w.app, 'GET', `/v1/${projectId}/routetables`, { 'x-auth-token': token });

describe('operator API', () => {
  test('a new account: its admin logs in, and its AK/SK signs calls in its project', async () => {
    const listed = await tablesOf(acme.token, acme.projectId);
    assert.equal(listed.status, 200, listed.raw);
    assert.deepEqual(listed.body.routetables, []);
    const s = sign({
      ak: acme.ak,
      sk: acme.sk,
      method: 'GET',
      url: `/v1/${acme.projectId}/vpcs`,
      host: 'vpcep.test',
      date: w.clock.now(),
    });
    const signed = await send(w.app, 'GET', `/v1/${acme.projectId}/vpcs`, {
      ...s.headers,
      host: 'vpcep.test',
    });
    assert.equal(signed.status, 200, signed.raw);
    assert.equal(acme.projectName, w.config.region);
    assert.match(acme.domainId, /^[0-9a-f]{32}$/);
  });

  test('a taken name answers 409; a malformed one 400', async () => {
    const again = await send(w.app, 'POST', '/vpcep/v1/accounts', operator(), { account: { name: 'acme' } });
    expectEpError(again, 409, 'VPCEP.1001');
    const bootstrapped = await send(w.app, 'POST', '/vpcep/v1/accounts', operator(), {
      account: { name: 'vpcep' },
    });
    expectEpError(bootstrapped, 409, 'VPCEP.1001');
    const bad = await send(w.app, 'POST', '/vpcep/v1/accounts', operator(), {
      account: { name: '1 bad name' },
    });
    expectEpError(bad, 400, 'EndPoint.0002');
  });

  test('the list names every account and no secret', async () => {
    const res = await send(w.app, 'GET', '/vpcep/v1/accounts', operator());
    assert.equal(res.status, 200, res.raw);
    const names = res.body.accounts.map((a: { domain_name: string }) => a.domain_name);
    assert.ok(names.includes('vpcep') && names.includes('acme'), res.raw);
    assert.doesNotMatch(res.raw, /password|secret|access_key/);
    assert.doesNotMatch(res.raw, new RegExp(acme.adminPassword));
  });

  test('only the operator key opens it, and it opens nothing else', async () => {
    for (const headers of [
      {},
      operator('wrong-operator-key-000000'),
      { authorization: OPERATOR_KEY },
      { 'x-auth-token': acme.token },
      { 'x-auth-token': OPERATOR_KEY },
    ]) {
      expectEpError(await send(w.app, 'GET', '/vpcep/v1/accounts', headers), 401, 'VPCEP.0401');
    }
    // A tenant route refuses the operator key however it comes.
    expectGatewayError(await tablesOf(OPERATOR_KEY, acme.projectId), 401, 'APIGW.0301');
    const bearer = await send(w.app, 'GET', `/v1/${acme.projectId}/routetables`, operator());
    expectGatewayError(bearer, 401, 'APIGW.0301');
  });

  test('an account with resources is not deleted; once they are gone it is, and its users with it', async () => {
    const gone = await createAccount(w, 'shortlived');
    const vpc = await send(
      w.app,
      'POST',
      `/v1/${gone.projectId}/vpcs`,
      { 'x-auth-token': gone.token },
      { vpc: { name: 'v', cidr: '10.0.0.0/16' } },
    );
    assert.equal(vpc.status, 200, vpc.raw);
    const refused = await send(w.app, 'DELETE', `/vpcep/v1/accounts/${gone.domainId}`, operator());
    expectEpError(refused, 409, 'VPCEP.1002');
    const del = await send(w.app, 'DELETE', `/v1/${gone.projectId}/vpcs/${vpc.body.vpc.id}`, {
      'x-auth-token': gone.token,
    });
    assert.equal(del.status, 204, del.raw);
    const ok = await send(w.app, 'DELETE', `/vpcep/v1/accounts/${gone.domainId}`, operator());
    assert.equal(ok.status, 204, ok.raw);
    expectEpError(
      await send(w.app, 'DELETE', `/vpcep/v1/accounts/${gone.domainId}`, operator()),
      404,
      'VPCEP.0404',
    );
    // Its token names a user that no longer exists.
    expectGatewayError(await tablesOf(gone.token, gone.projectId), 401, 'APIGW.0301');
    const relogin = await send(
      w.app,
      'POST',
      '/v3/auth/tokens',
      {},
      {
        auth: {
          identity: {
            methods: ['password'],
            password: {
              user: { name: 'admin', password: gone.adminPassword, domain: { name: 'shortlived' } },
            },
          },
          scope: { project: { name: gone.projectName } },
        },
      },
    );
    expectKeystoneError(relogin, 401, 'Unauthorized');
  });
});

describe('roles decide each call', () => {
  test('read-only: reads answer, writes are refused by each API in its own envelope', async () => {
    const ro = await userWithRole(w, acme, { name: 'reader', roleId: ROLE_VPCEP_READONLY });
    assert.equal((await tablesOf(ro.token, acme.projectId)).status, 200);
    const h = { 'x-auth-token': ro.token };
    const p = `/v1/${acme.projectId}`;
    expectVpcError(
      await send(w.app, 'POST', `${p}/vpcs`, h, { vpc: { name: 'v', cidr: '10.0.0.0/16' } }),
      403,
      'VPCEP.0403',
    );
    const ep = await send(w.app, 'POST', `${p}/vpc-endpoints`, h, { endpoint_service_id: 'x', vpc_id: 'y' });
    expectEpError(ep, 403, 'EndPoint.0004');
    assert.match(ep.body.error.message, /vpcep:endpoints:create/);
    const rebind = await send(
      w.app,
      'PUT',
      `${p}/vpc-endpoints/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}/routetables`,
      h,
      { routetables: [] },
    );
    expectEpError(rebind, 403, 'EndPoint.0004');
  });

  test('Tenant Guest reads VPC and VPCEP alike; VPCEP FullAccess writes endpoints but not VPCs', async () => {
    const guest = await userWithRole(w, acme, { name: 'guest', roleId: ROLE_TENANT_GUEST });
    assert.equal((await tablesOf(guest.token, acme.projectId)).status, 200);
    const full = await userWithRole(w, acme, { name: 'epadmin', roleId: ROLE_VPCEP_FULL });
    const h = { 'x-auth-token': full.token };
    expectVpcError(
      await send(w.app, 'POST', `/v1/${acme.projectId}/vpcs`, h, { vpc: { name: 'v', cidr: '10.0.0.0/16' } }),
      403,
      'VPCEP.0403',
    );
    // Allowed through to the service, which then finds no such service.
    const ep = await send(w.app, 'POST', `/v1/${acme.projectId}/vpc-endpoints`, h, {
      endpoint_service_id: '00000000-0000-4000-8000-000000000000',
      vpc_id: '00000000-0000-4000-8000-000000000000',
    });
    assert.notEqual(ep.status, 403, ep.raw);
  });

  test('no role on the project: every call there is refused by the gateway', async () => {
    const none = await userWithRole(w, acme, { name: 'nobody', roleId: undefined });
    expectGatewayError(await tablesOf(none.token, acme.projectId), 403, 'APIGW.0302');
    const post = await send(
      w.app,
      'POST',
      `/v1/${acme.projectId}/vpcs`,
      { 'x-auth-token': none.token },
      {
        vpc: { name: 'v', cidr: '10.0.0.0/16' },
      },
    );
    expectGatewayError(post, 403, 'APIGW.0302');
  });

  test('a grant on a sub-project opens that project only; revoking it closes it at once', async () => {
    const admin = iam(w, acme.token);
    const sub = await admin.project(acme.projectId, `${acme.projectName}_team`);
    const u = await userWithRole(w, acme, {
      name: 'teamer',
      roleId: ROLE_VPCEP_READONLY,
      projectId: sub,
      projectName: `${acme.projectName}_team`,
    });
    assert.equal((await tablesOf(u.token, sub)).status, 200);
    const regionToken = await login(w.app, {
      domain: 'acme',
      user: 'teamer',
      password: u.password,
      project: acme.projectName,
    });
    expectGatewayError(await tablesOf(regionToken, acme.projectId), 403, 'APIGW.0302');
    const groups = await admin.call('GET', '/v3/groups?name=teamer-group');
    const groupId = groups.body.groups[0].id;
    const roles = await admin.call('GET', `/v3/projects/${sub}/groups/${groupId}/roles`);
    assert.deepEqual(
      roles.body.roles.map((r: { id: string }) => r.id),
      [ROLE_VPCEP_READONLY],
    );
    const revoked = await admin.call(
      'DELETE',
      `/v3/projects/${sub}/groups/${groupId}/roles/${ROLE_VPCEP_READONLY}`,
    );
    assert.equal(revoked.status, 204, revoked.raw);
    expectGatewayError(await tablesOf(u.token, sub), 403, 'APIGW.0302');
  });

  test('the admin group holds full access on projects made later too', async () => {
    const admin = iam(w, acme.token);
    const later = await admin.project(acme.projectId, `${acme.projectName}_later`);
    const token = await login(w.app, {
      domain: 'acme',
      user: 'admin',
      password: acme.adminPassword,
      project: `${acme.projectName}_later`,
    });
    const vpc = await send(
      w.app,
      'POST',
      `/v1/${later}/vpcs`,
      { 'x-auth-token': token },
      {
        vpc: { name: 'v', cidr: '10.0.0.0/16' },
      },
    );
    assert.equal(vpc.status, 200, vpc.raw);
  });
});

describe('IAM of an account', () => {
  test('only admins manage users and groups; a user reads itself', async () => {
    const ro = await userWithRole(w, acme, { name: 'plain', roleId: ROLE_VPCEP_READONLY });
    const mine = iam(w, ro.token);
    expectKeystoneError(
      await mine.call('POST', '/v3/users', { user: { name: 'x', password: 'Passw0rd-x' } }),
      403,
      'Forbidden',
    );
    expectKeystoneError(await mine.call('GET', '/v3/users'), 403, 'Forbidden');
    expectKeystoneError(await mine.call('POST', '/v3/groups', { group: { name: 'g' } }), 403, 'Forbidden');
    const self = await mine.call('GET', `/v3/users/${ro.userId}`);
    assert.equal(self.status, 200, self.raw);
    assert.equal(self.body.user.name, 'plain');
    expectKeystoneError(await mine.call('GET', `/v3/users/${acme.adminId}`), 403, 'Forbidden');
  });

  test('user names are unique per account; the account admin cannot be deleted', async () => {
    const admin = iam(w, acme.token);
    await admin.user('twin', 'Twin-pass-1');
    expectKeystoneError(
      await admin.call('POST', '/v3/users', { user: { name: 'twin', password: 'Twin-pass-1' } }),
      400,
      'Bad Request',
    );
    expectKeystoneError(await admin.call('DELETE', `/v3/users/${acme.adminId}`), 400, 'Bad Request');
    expectKeystoneError(
      await admin.call('POST', '/v3/users', { user: { name: 'weak', password: 'aaaaaaaa' } }),
      400,
      'Bad Request',
    );
  });

  test("access keys: a user manages its own, an admin everyone's, nobody another account's", async () => {
    const admin = iam(w, acme.token);
    const a = await userWithRole(w, acme, { name: 'keyed-a', roleId: ROLE_VPCEP_READONLY });
    const b = await userWithRole(w, acme, { name: 'keyed-b', roleId: ROLE_VPCEP_READONLY });
    const own = await iam(w, a.token).accessKey(a.userId);
    expectKeystoneError(
      await iam(w, a.token).call('POST', '/v3.0/OS-CREDENTIAL/credentials', {
        credential: { user_id: b.userId },
      }),
      403,
      'Forbidden',
    );
    expectKeystoneError(
      await iam(w, b.token).call('GET', `/v3.0/OS-CREDENTIAL/credentials/${own.ak}`),
      403,
      'Forbidden',
    );
    expectKeystoneError(
      await iam(w, b.token).call('DELETE', `/v3.0/OS-CREDENTIAL/credentials/${own.ak}`),
      403,
      'Forbidden',
    );
    assert.equal((await admin.call('GET', `/v3.0/OS-CREDENTIAL/credentials/${own.ak}`)).status, 200);
    // Another account's admin: as if the key did not exist.
    const vp = iam(w, w.token);
    expectKeystoneError(await vp.call('GET', `/v3.0/OS-CREDENTIAL/credentials/${own.ak}`), 404, 'Not Found');
  });

  test('a password change ends every earlier token; the new password logs in', async () => {
    const u = await userWithRole(w, acme, { name: 'changer', roleId: ROLE_VPCEP_READONLY });
    const me = iam(w, u.token);
    const wrong = await me.call('POST', `/v3/users/${u.userId}/password`, {
      user: { original_password: 'not-it-1A', password: 'Brand-new-2' },
    });
    expectKeystoneError(wrong, 401, 'Unauthorized');
    const same = await me.call('POST', `/v3/users/${u.userId}/password`, {
      user: { original_password: u.password, password: u.password },
    });
    expectKeystoneError(same, 400, 'Bad Request');
    w.clock.advance(1000);
    const changed = await me.call('POST', `/v3/users/${u.userId}/password`, {
      user: { original_password: u.password, password: 'Brand-new-2' },
    });
    assert.equal(changed.status, 204, changed.raw);
    expectGatewayError(await tablesOf(u.token, acme.projectId), 401, 'APIGW.0301');
    const fresh = await login(w.app, {
      domain: 'acme',
      user: 'changer',
      password: 'Brand-new-2',
      project: acme.projectName,
    });
    assert.equal((await tablesOf(fresh, acme.projectId)).status, 200);
  });

  test("a deleted user's token and keys stop working", async () => {
    const u = await userWithRole(w, acme, { name: 'leaver', roleId: ROLE_VPCEP_READONLY });
    const del = await iam(w, acme.token).call('DELETE', `/v3/users/${u.userId}`);
    assert.equal(del.status, 204, del.raw);
    expectGatewayError(await tablesOf(u.token, acme.projectId), 401, 'APIGW.0301');
  });

  test('a user created disabled cannot log in', async () => {
    const admin = iam(w, acme.token);
    const made = await admin.call('POST', '/v3/users', {
      user: { name: 'dormant', password: 'Dormant-pass-1', enabled: false },
    });
    assert.equal(made.status, 201, made.raw);
    assert.equal(made.body.user.enabled, false);
    const res = await send(
      w.app,
      'POST',
      '/v3/auth/tokens',
      {},
      {
        auth: {
          identity: {
            methods: ['password'],
            password: { user: { name: 'dormant', password: 'Dormant-pass-1', domain: { name: 'acme' } } },
          },
          scope: { project: { name: acme.projectName } },
        },
      },
    );
    expectKeystoneError(res, 401, 'Unauthorized');
  });

  test('the system roles are listed with their policies', async () => {
    const res = await iam(w, acme.token).call('GET', '/v3/roles');
    assert.equal(res.status, 200, res.raw);
    const names = res.body.roles.map((r: { display_name: string }) => r.display_name);
    for (const n of ['Tenant Administrator', 'Tenant Guest', 'VPCEP FullAccess', 'VPCEP ReadOnlyAccess']) {
      assert.ok(names.includes(n), n);
    }
    const one = await iam(w, acme.token).call('GET', '/v3/roles?display_name=Tenant%20Guest');
    assert.deepEqual(
      one.body.roles.map((r: { id: string }) => r.id),
      [ROLE_TENANT_GUEST],
    );
  });
});

describe('temporary credentials', () => {
  const signedTables = (
    c: { ak: string; sk: string; securityToken?: string },
    o: { signToken?: boolean; projectId?: string } = {},
  ): Promise<Reply> => {
    const url = `/v1/${o.projectId ?? acme.projectId}/routetables`;
    const withToken = c.securityToken !== undefined && o.signToken !== false;
    const s = sign({
      ak: c.ak,
      sk: c.sk,
      method: 'GET',
      url,
      host: 'vpcep.test',
      date: w.clock.now(),
      headers: withToken ? { 'X-Security-Token': c.securityToken } : {},
    });
    const headers: Record<string, string> = { ...s.headers, host: 'vpcep.test' };
    if (c.securityToken !== undefined && o.signToken === false) headers['x-security-token'] = c.securityToken;
    return send(w.app, 'GET', url, headers);
  };

  test('a temporary key signs calls with its security token, with the roles of its user', async () => {
    const ro = await userWithRole(w, acme, { name: 'temp-user', roleId: ROLE_VPCEP_READONLY });
    const temp = await iam(w, ro.token).temporaryKey(900);
    assert.match(temp.ak, /^[0-9A-Z]{20}$/);
    assert.equal(temp.sk.length, 40);
    const res = await signedTables(temp);
    assert.equal(res.status, 200, res.raw);
    const expires = Date.parse(temp.expiresAt);
    assert.ok(Math.abs(expires - (w.clock.now().getTime() + 900_000)) < 2000, temp.expiresAt);
  });

  test('refused: expired, altered, missing, unsigned, or of a deleted user', async () => {
    const u = await userWithRole(w, acme, { name: 'temp-refused', roleId: ROLE_VPCEP_READONLY });
    const temp = await iam(w, u.token).temporaryKey(900);
    const flipped = temp.securityToken.slice(0, -2) + (temp.securityToken.endsWith('AA') ? 'BB' : 'AA');
    expectGatewayError(await signedTables({ ...temp, securityToken: flipped }), 401, 'APIGW.0301');
    expectGatewayError(await signedTables({ ak: temp.ak, sk: temp.sk }), 401, 'APIGW.0301');
    expectGatewayError(await signedTables(temp, { signToken: false }), 401, 'APIGW.0301');
    const other = await iam(w, u.token).temporaryKey(900);
    expectGatewayError(
      await signedTables({ ...temp, securityToken: other.securityToken }),
      401,
      'APIGW.0301',
    );
    w.clock.advance(901_000);
    expectGatewayError(await signedTables(temp), 401, 'APIGW.0301');
    const late = await iam(
      w,
      await login(w.app, {
        domain: 'acme',
        user: 'temp-refused',
        password: u.password,
        project: acme.projectName,
      }),
    ).temporaryKey(3600);
    assert.equal((await signedTables(late)).status, 200);
    await iam(w, acme.token).call('DELETE', `/v3/users/${u.userId}`);
    expectGatewayError(await signedTables(late), 401, 'APIGW.0301');
  });

  test('duration_seconds outside 900..86400 is refused', async () => {
    for (const d of [899, 86401]) {
      const res = await iam(w, acme.token).call('POST', '/v3.0/OS-CREDENTIAL/securitytokens', {
        auth: { identity: { methods: ['token'], token: { duration_seconds: d } } },
      });
      expectKeystoneError(res, 400, 'Bad Request');
    }
  });
});

describe('token validation', () => {
  test('a valid token of the account answers with its body; others as invalid', async () => {
    const res = await send(w.app, 'GET', '/v3/auth/tokens', {
      'x-auth-token': acme.token,
      'x-subject-token': acme.token,
    });
    assert.equal(res.status, 200, res.raw);
    assert.equal(res.headers['x-subject-token'], acme.token);
    assert.equal(res.body.token.user.name, 'admin');
    assert.equal(res.body.token.project.id, acme.projectId);
    assert.deepEqual(
      res.body.token.roles.map((r: { name: string }) => r.name),
      ['te_admin'],
    );
    for (const subject of [w.token, 'garbage', undefined]) {
      const bad = await send(w.app, 'GET', '/v3/auth/tokens', {
        'x-auth-token': acme.token,
        'x-subject-token': subject,
      });
      expectKeystoneError(bad, 404, 'Not Found');
    }
    // An admin validates any user's token of its account; a user only its own.
    const u = await userWithRole(w, acme, { name: 'validated', roleId: ROLE_VPCEP_READONLY });
    const byAdmin = await send(w.app, 'GET', '/v3/auth/tokens', {
      'x-auth-token': acme.token,
      'x-subject-token': u.token,
    });
    assert.equal(byAdmin.status, 200, byAdmin.raw);
    assert.equal(byAdmin.body.token.user.name, 'validated');
    const own = await send(w.app, 'GET', '/v3/auth/tokens', {
      'x-auth-token': u.token,
      'x-subject-token': u.token,
    });
    assert.equal(own.status, 200, own.raw);
    const other = await send(w.app, 'GET', '/v3/auth/tokens', {
      'x-auth-token': u.token,
      'x-subject-token': acme.token,
    });
    expectKeystoneError(other, 403, 'Forbidden');
  });
});

test('gateway endpoints work for a second account as for the first', async () => {
  const beta = await createAccount(w, 'beta');
  const bw: World = {
    ...w,
    projectId: beta.projectId,
    token: beta.token,
    call: (method, url, body, headers = {}) =>
      send(w.app, method, url, { 'x-auth-token': beta.token, ...headers }, body),
    api: (method, url, body, headers = {}) =>
      send(w.app, method, `/v1/${beta.projectId}${url}`, { 'x-auth-token': beta.token, ...headers }, body),
  };
  const vpc = await createVpc(bw);
  const service = await gatewayService(bw);
  const ep = await bw.api('POST', '/vpc-endpoints', { endpoint_service_id: service, vpc_id: vpc.id });
  assert.equal(ep.status, 200, ep.raw);
  assert.equal(ep.body.project_id, beta.projectId);
});
