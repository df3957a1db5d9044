export { VpcepClient } from './client.ts';
export type {
  AkSkCredentials,
  Credentials,
  PasswordCredentials,
  TokenCredentials,
  VpcepClientOptions,
} from './client.ts';
export { VpcepError, VpcepNetworkError } from './errors.ts';
export { OperatorClient } from './operator.ts';
export type { OperatorClientOptions } from './operator.ts';
export { signRequest, UNSIGNED_HEADERS } from './signer.ts';
export type { RequestToSign, SignedRequest, SigningKey } from './signer.ts';
export type * from './types.ts';
