import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { spawnServer, stopAll, type ServerProcess } from '../helpers/server.ts';
import {
  core,
  ClientRequestException,
  vpc,
  iam,
  removeSdkHome,
  sdkPasswordLogin,
} from '../helpers/official-sdk.ts';

/**
 * Issue 10 end to end, as a tenant's own code does it: a compiled `vpcep serve` in a child process,
 * an account made through the operator API, then the official IAM SDK (unmodified, from npm) as that
 * account's admin and as one of its users, and the official VPC SDK with the temporary credentials
 * the IAM SDK obtained.
 */

let server: ServerProcess;
let dataDir: string;
let operatorKey: string;

before(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vpcep-iam-sdk-'));
  server = await spawnServer({ dataDir });
  // The key bootstrap generated, where the operator finds it.
  const creds = JSON.parse(fs.readFileSync(path.join(dataDir, 'credentials.json'), 'utf8'));
  operatorKey = creds.operator_key;
  assert.match(operatorKey, /^\S{16,}$/);
});

after(async () => {
  await stopAll();
  fs.rmSync(dataDir, { recursive: true, force: true });
  removeSdkHome();
});

/** A response model as it is at run time: the parsed JSON, snake_case names (official-sdk.test.ts). */
const wire = (model: object) => model as Record<string, unknown>;

async function expectClientError(
  call: Promise<unknown>,
): Promise<InstanceType<typeof ClientRequestException>> {
  try {
    await call;
  } catch (e) {
    assert.ok(e instanceof ClientRequestException, `a ClientRequestException, got ${String(e)}`);
    return e;
  }
  assert.fail('the call succeeded');
}

interface Account {
  domain_id: string;
  domain_name: string;
  project_id: string;
  project_name: string;
  admin: { user_id: string; name: string; password: string; access_key: string; secret_key: string };
}

describe('a tenant drives IAM with the official SDK, then VPC with temporary credentials', () => {
  let account: Account;
  let userId: string;
  let groupId: string;
  let roleId: string;
  let userKey: { ak: string; sk: string };
  let temporary: { ak: string; sk: string; securityToken: string };
  let vpcId: string;

  /** The IAM client of the account's admin: its AK/SK, global (domain-level) credentials. */
  const adminIam = () =>
    iam.IamClient.newBuilder()
      .withCredential(
        new core.GlobalCredentials()
          .withAk(account.admin.access_key)
          .withSk(account.admin.secret_key)
          .withDomainId(account.domain_id),
      )
      .withEndpoint(server.url)
      .build();

  const vpcClient = (c: InstanceType<typeof core.BasicCredentials>) =>
    vpc.VpcClient.newBuilder().withCredential(c).withEndpoint(server.url).build();

  test('the operator makes a second account (plain HTTP, Bearer operator key)', async () => {
    const res = await fetch(`${server.url}/vpcep/v1/accounts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${operatorKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ account: { name: 'tenant-b' } }),
    });
    const raw = await res.text();
    assert.equal(res.status, 201, raw);
    account = JSON.parse(raw).account;
    assert.equal(account.domain_name, 'tenant-b');
    assert.equal(account.project_name, 'cn-north-4');
  });

  test('the admin creates a user with keystoneCreateUser', async () => {
    const res = await adminIam().keystoneCreateUser(
      new iam.KeystoneCreateUserRequest().withBody(
        new iam.KeystoneCreateUserRequestBody().withUser(
          new iam.KeystoneCreateUserOption()
            .withName('reader')
            .withPassword('Reader-pass-1')
            .withDomainId(account.domain_id)
            .withDescription('reads route tables'),
        ),
      ),
    );
    assert.equal(res.httpStatusCode, 201);
    assert.equal(res.user?.name, 'reader');
    assert.equal(wire(res.user!).domain_id, account.domain_id);
    userId = res.user!.id!;
  });

  test('the admin creates a group and puts the user in it', async () => {
    const created = await adminIam().keystoneCreateGroup(
      new iam.KeystoneCreateGroupRequest().withBody(
        new iam.KeystoneCreateGroupRequestBody().withGroup(
          new iam.KeystoneCreateGroupOption()
            .withName('readers')
            .withDomainId(account.domain_id)
            .withDescription('read-only on the region project'),
        ),
      ),
    );
    assert.equal(created.httpStatusCode, 201);
    groupId = created.group!.id!;
    const added = await adminIam().keystoneAddUserToGroup(
      new iam.KeystoneAddUserToGroupRequest().withGroupId(groupId).withUserId(userId),
    );
    assert.equal(added.httpStatusCode, 204);
    const members = await adminIam().keystoneListUsersForGroupByAdmin(
      new iam.KeystoneListUsersForGroupByAdminRequest().withGroupId(groupId),
    );
    assert.deepEqual(
      members.users?.map((u) => u.id),
      [userId],
    );
  });

  test('keystoneListPermissions finds "VPCEP ReadOnlyAccess" by display name', async () => {
    const res = await adminIam().keystoneListPermissions(
      new iam.KeystoneListPermissionsRequest().withDisplayName('VPCEP ReadOnlyAccess'),
    );
    assert.equal(res.httpStatusCode, 200);
    assert.equal(res.roles?.length, 1, JSON.stringify(res.roles));
    assert.equal(wire(res.roles![0]!).display_name, 'VPCEP ReadOnlyAccess');
    roleId = res.roles![0]!.id!;
  });

  test('the admin grants the group read-only access on the project', async () => {
    // The request model has no project id: the SDK fills `{project_id}` of the path from project
    // credentials (BasicCredentials.withProjectId), as it does for every project-scoped call.
    const projectIam = iam.IamClient.newBuilder()
      .withCredential(
        new core.BasicCredentials()
          .withAk(account.admin.access_key)
          .withSk(account.admin.secret_key)
          .withProjectId(account.project_id),
      )
      .withEndpoint(server.url)
      .build();
    const res = await projectIam.keystoneAssociateGroupWithProjectPermission(
      new iam.KeystoneAssociateGroupWithProjectPermissionRequest().withGroupId(groupId).withRoleId(roleId),
    );
    assert.equal(res.httpStatusCode, 204);
    const grants = await projectIam.keystoneListProjectPermissionsForGroup(
      new iam.KeystoneListProjectPermissionsForGroupRequest().withGroupId(groupId),
    );
    assert.deepEqual(
      grants.roles?.map((r) => r.id),
      [roleId],
    );
  });

  test("the admin creates the user's access key with createPermanentAccessKey", async () => {
    const res = await adminIam().createPermanentAccessKey(
      new iam.CreatePermanentAccessKeyRequest().withBody(
        new iam.CreatePermanentAccessKeyRequestBody().withCredential(
          new iam.CreateCredentialOption().withUserId(userId).withDescription('for the reader'),
        ),
      ),
    );
    assert.equal(res.httpStatusCode, 201);
    const c = res.credential!;
    assert.equal(wire(c).user_id, userId);
    assert.equal(c.status, 'active');
    assert.match(c.access!, /^[0-9A-Z]{20}$/);
    assert.equal(c.secret?.length, 40);
    userKey = { ak: c.access!, sk: c.secret! };
  });

  /** The IAM client of the user: its own permanent AK/SK. */
  const userIam = () =>
    iam.IamClient.newBuilder()
      .withCredential(
        new core.GlobalCredentials().withAk(userKey.ak).withSk(userKey.sk).withDomainId(account.domain_id),
      )
      .withEndpoint(server.url)
      .build();

  const temporaryKeyRequest = (token: InstanceType<typeof iam.IdentityToken>) =>
    new iam.CreateTemporaryAccessKeyByTokenRequest().withBody(
      new iam.CreateTemporaryAccessKeyByTokenRequestBody().withAuth(
        new iam.TokenAuth().withIdentity(
          new iam.TokenAuthIdentity().withMethods([iam.TokenAuthIdentityMethodsEnum.TOKEN]).withToken(token),
        ),
      ),
    );

  test('the user gets temporary credentials with createTemporaryAccessKeyByToken', async () => {
    // The SDK signs this call with the client's AK/SK like every other one and sends no token
    // header; without a token in the body, the temporary key is the signer's own.
    const res = await userIam().createTemporaryAccessKeyByToken(
      temporaryKeyRequest(new iam.IdentityToken().withDurationSeconds(900)),
    );
    assert.equal(res.httpStatusCode, 201);
    const c = res.credential!;
    assert.match(c.access!, /^[0-9A-Z]{20}$/);
    assert.notEqual(c.access, userKey.ak);
    assert.equal(c.secret?.length, 40);
    assert.ok(c.securitytoken);
    const expiresAt = String(wire(c).expires_at);
    const lifetime = Date.parse(expiresAt) - Date.now();
    assert.ok(lifetime > 800_000 && lifetime <= 900_000, expiresAt);
    temporary = { ak: c.access!, sk: c.secret!, securityToken: c.securitytoken! };
  });

  test("with the user's token in the body (token.id), from keystoneCreateUserTokenByPassword", async () => {
    const login = await userIam().keystoneCreateUserTokenByPassword(
      sdkPasswordLogin({
        user: 'reader',
        password: 'Reader-pass-1',
        domain: account.domain_name,
        project: account.project_name,
      }),
    );
    assert.equal(login.httpStatusCode, 201);
    assert.equal(login.token?.user?.id, userId);
    const token = (login as unknown as Record<string, string>)['X-Subject-Token'];
    assert.ok(token, 'the SDK hands back X-Subject-Token');
    const res = await userIam().createTemporaryAccessKeyByToken(
      temporaryKeyRequest(new iam.IdentityToken().withId(token).withDurationSeconds(3600)),
    );
    assert.equal(res.httpStatusCode, 201);
    const expiresAt = String(wire(res.credential!).expires_at);
    const lifetime = Date.parse(expiresAt) - Date.now();
    assert.ok(lifetime > 3_500_000 && lifetime <= 3_600_000, expiresAt);
  });

  test('the read-only user cannot manage users: 403 from the IAM SDK', async () => {
    const e = await expectClientError(
      userIam().keystoneCreateUser(
        new iam.KeystoneCreateUserRequest().withBody(
          new iam.KeystoneCreateUserRequestBody().withUser(
            new iam.KeystoneCreateUserOption().withName('sneaky').withPassword('Sneaky-pass-1'),
          ),
        ),
      ),
    );
    assert.equal(e.httpStatusCode, 403);
  });

  test('the admin makes a VPC (its route table is what the user will read)', async () => {
    const res = await vpcClient(
      new core.BasicCredentials()
        .withAk(account.admin.access_key)
        .withSk(account.admin.secret_key)
        .withProjectId(account.project_id),
    ).createVpc(
      new vpc.CreateVpcRequest().withBody(
        new vpc.CreateVpcRequestBody().withVpc(
          new vpc.CreateVpcOption().withName('b-net').withCidr('10.8.0.0/16'),
        ),
      ),
    );
    assert.equal(res.httpStatusCode, 200);
    vpcId = res.vpc!.id!;
  });

  const temporaryCredentials = () =>
    new core.BasicCredentials()
      .withAk(temporary.ak)
      .withSk(temporary.sk)
      .withProjectId(account.project_id)
      .withSecurityToken(temporary.securityToken);

  test('the VPC SDK lists route tables with the temporary credentials (withSecurityToken)', async () => {
    const res = await vpcClient(temporaryCredentials()).listRouteTables(new vpc.ListRouteTablesRequest());
    assert.equal(res.httpStatusCode, 200);
    assert.deepEqual(
      res.routetables?.map((t) => wire(t).vpc_id),
      [vpcId],
    );
  });

  test('a write with the temporary credentials is refused with 403: the group is read-only', async () => {
    const e = await expectClientError(
      vpcClient(temporaryCredentials()).createVpc(
        new vpc.CreateVpcRequest().withBody(
          new vpc.CreateVpcRequestBody().withVpc(
            new vpc.CreateVpcOption().withName('not-allowed').withCidr('10.9.0.0/16'),
          ),
        ),
      ),
    );
    assert.equal(e.httpStatusCode, 403);
    assert.equal(e.errorCode, 'VPCEP.0403');
    assert.match(String(e.requestId), /^[0-9a-f]{32}$/);
  });

  test('without its security token the temporary key is refused with 401', async () => {
    const e = await expectClientError(
      vpcClient(
        new core.BasicCredentials()
          .withAk(temporary.ak)
          .withSk(temporary.sk)
          .withProjectId(account.project_id),
      ).listRouteTables(new vpc.ListRouteTablesRequest()),
    );
    assert.equal(e.httpStatusCode, 401);
    assert.equal(e.errorCode, 'APIGW.0301');
  });
});
