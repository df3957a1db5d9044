import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

/**
 * The official Huawei Cloud SDK packages from npm, unmodified (design.md, "Real parts"), loaded the
 * way every suite that drives them needs: the SDK writes $HOME/.huaweicloud/application_id and
 * reads HUAWEICLOUD_SDK_* from the environment, so before it loads it gets a home of its own and
 * none of those variables. It logs every failed call at ERROR on stdout, request headers and body
 * included (Authorization and passwords too); the refusals the suites provoke on purpose are not
 * printed.
 */

export const sdkHome = fs.mkdtempSync(path.join(os.tmpdir(), 'vpcep-sdk-home-'));
process.env.HOME = sdkHome;
for (const k of Object.keys(process.env)) if (k.startsWith('HUAWEICLOUD_SDK_')) delete process.env[k];

const require = createRequire(import.meta.url);
export const core =
  require('@huaweicloud/huaweicloud-sdk-core') as typeof import('@huaweicloud/huaweicloud-sdk-core');
export const { ClientRequestException } =
  require('@huaweicloud/huaweicloud-sdk-core/exception/ClientRequestException') as typeof import('@huaweicloud/huaweicloud-sdk-core/exception/ClientRequestException.js');
export const vpc =
  require('@huaweicloud/huaweicloud-sdk-vpc/v2/public-api') as typeof import('@huaweicloud/huaweicloud-sdk-vpc/v2/public-api.js');
export const iam =
  require('@huaweicloud/huaweicloud-sdk-iam/v3/public-api') as typeof import('@huaweicloud/huaweicloud-sdk-iam/v3/public-api.js');

(
  require('@huaweicloud/huaweicloud-sdk-core/logger/log4jLogger') as { Logger4jInstance: { level: string } }
).Logger4jInstance.level = 'off';

/** Removes the SDK's home; for the suite's `after`. */
export const removeSdkHome = () => fs.rmSync(sdkHome, { recursive: true, force: true });

/** The official IAM client's password-login request, scoped to a project by name. */
export function sdkPasswordLogin(o: { user: string; password: string; domain: string; project: string }) {
  return new iam.KeystoneCreateUserTokenByPasswordRequest().withBody(
    new iam.KeystoneCreateUserTokenByPasswordRequestBody().withAuth(
      new iam.PwdAuth()
        .withIdentity(
          new iam.PwdIdentity()
            .withMethods(['password'])
            .withPassword(
              new iam.PwdPassword().withUser(
                new iam.PwdPasswordUser()
                  .withName(o.user)
                  .withPassword(o.password)
                  .withDomain(new iam.PwdPasswordUserDomain().withName(o.domain)),
              ),
            ),
        )
        .withScope(new iam.AuthScope().withProject(new iam.AuthScopeProject().withName(o.project))),
    ),
  );
}
