import { exchange, normalizeEndpoint, parseAnswer, type Transport } from './http.ts';
import { retryPolicy, type RetryOptions } from './retry.ts';
import type { AccountList, AccountQuotasReply, CreatedAccount, UpdateAccountQuotasRequest } from './types.ts';

export interface OperatorClientOptions {
  /** `http://127.0.0.1:8080`; trailing slashes are stripped. */
  endpoint: string;
  /** The operator key: `operator_key` of credentials.json, or the server's VPCEP_OPERATOR_KEY. */
  operatorKey: string;
  fetch?: typeof globalThis.fetch;
  /** Per attempt, default 30 s. */
  timeoutMs?: number;
  /** Retries of 409 VPCEP.0409, 429 and 503, as VpcepClient's (retry.ts); `false` turns them off. */
  retry?: RetryOptions | false;
}

const seg = encodeURIComponent;

/**
 * The client of the operator's API (`/vpcep/v1/accounts`): vpcep's own calls, outside Huawei's
 * paths, authenticated with `Authorization: Bearer <operator key>` and nothing else. Errors are
 * those of VpcepClient: VpcepError for a non-2xx answer, VpcepNetworkError for no answer; neither
 * carries the key.
 */
export class OperatorClient {
  readonly endpoint: string;
  readonly #key: string;
  readonly #transport: Transport;

  constructor(options: OperatorClientOptions) {
    this.endpoint = normalizeEndpoint(options.endpoint);
    if (!options.operatorKey) throw new TypeError('operatorKey is required');
    this.#key = options.operatorKey;
    this.#transport = {
      fetch: options.fetch ?? globalThis.fetch,
      endpoint: this.endpoint,
      timeoutMs: options.timeoutMs ?? 30_000,
      retry: retryPolicy(options.retry),
    };
  }

  readonly accounts = {
    /** A new account: its domain, its region project and its admin, whose password and SK are shown only here. */
    create: (name: string): Promise<CreatedAccount> =>
      this.#call('POST', '/vpcep/v1/accounts', { account: { name } }),
    /** Every account, without secrets. */
    list: (): Promise<AccountList> => this.#call('GET', '/vpcep/v1/accounts'),
    /** Refused (409) while the account still has resources. */
    delete: (domainId: string): Promise<void> => this.#call('DELETE', `/vpcep/v1/accounts/${seg(domainId)}`),
    /** The account's quotas per project; a type left out keeps its value, null restores the default. */
    setQuotas: (
      domainId: string,
      quotas: UpdateAccountQuotasRequest['quotas'],
    ): Promise<AccountQuotasReply> =>
      this.#call('PUT', `/vpcep/v1/accounts/${seg(domainId)}/quotas`, { quotas }),
  };

  async #call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const answer = await exchange(this.#transport, {
      method,
      url: new URL(this.endpoint + path),
      body: body === undefined ? undefined : Buffer.from(JSON.stringify(body)),
      headers: () => ({
        authorization: `Bearer ${this.#key}`,
        'content-type': 'application/json',
        accept: 'application/json',
      }),
    });
    return parseAnswer<T>(answer);
  }
}
