/**
 * The package's `vpcep/sdk` export (package.json `exports`): the typed clients, their errors, the
 * signer, and the wire types. Built to dist/sdk/index.js with declarations (scripts/build.mjs).
 */
export { VpcepClient } from './client.ts';
export type {
  AkSkCredentials,
  Credentials,
  PasswordCredentials,
  TokenCredentials,
  VpcepClientOptions,
} from './client.ts';
export {
  VpcepAuthError,
  VpcepConflictError,
  VpcepError,
  VpcepNetworkError,
  VpcepNotFoundError,
  VpcepThrottledError,
} from './errors.ts';
export { OperatorClient } from './operator.ts';
export type { OperatorClientOptions } from './operator.ts';
export { DEFAULT_RETRY } from './retry.ts';
export type { RetryOptions } from './retry.ts';
export { signRequest, UNSIGNED_HEADERS } from './signer.ts';
export type { RequestToSign, SignedRequest, SigningKey } from './signer.ts';
export type * from './types.ts';
