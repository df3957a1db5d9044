import { fetchAnswer, normalizeEndpoint, parseAnswer } from './http.ts';
import type { AccountList, AccountQuotasReply, CreatedAccount } from './types.ts';

export interface OperatorClientOptions {
  /** `http://127.0.0.1:8080`; trailing slashes are stripped. */
  endpoint: string;
  /** The operator key: `operator_key` of credentials.json, or the server's VPCEP_OPERATOR_KEY. */
  operatorKey: string;
  fetch?: typeof globalThis.fetch;
  /** Per request, default 30 s. */
  timeoutMs?: number;
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
  readonly #fetch: typeof globalThis.fetch;
  readonly #timeoutMs: number;

  constructor(options: OperatorClientOptions) {
    this.endpoint = normalizeEndpoint(options.endpoint);
    if (!options.operatorKey) throw new TypeError('operatorKey is required');
    this.#key = options.operatorKey;
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
  }

  readonly accounts = {
    /** A new account: its domain, its region project and its admin, whose password and SK are shown only here. */
    create: (name: string) => this.#call<CreatedAccount>('POST', '/vpcep/v1/accounts', { account: { name } }),
    /** Every account, without secrets. */
    list: () => this.#call<AccountList>('GET', '/vpcep/v1/accounts'),
    /** Refused (409) while the account still has resources. */
    delete: (domainId: string) => this.#call<void>('DELETE', `/vpcep/v1/accounts/${seg(domainId)}`),
    /** The account's quotas per project; a type left out keeps its value, null restores the default. */
    setQuotas: (domainId: string, quotas: { endpoint?: number | null; endpoint_service?: number | null }) =>
      this.#call<AccountQuotasReply>('PUT', `/vpcep/v1/accounts/${seg(domainId)}/quotas`, { quotas }),
  };

  async #call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const answer = await fetchAnswer(
      { fetch: this.#fetch, endpoint: this.endpoint, timeoutMs: this.#timeoutMs },
      method,
      new URL(this.endpoint + path),
      {
        authorization: `Bearer ${this.#key}`,
        'content-type': 'application/json',
        accept: 'application/json',
      },
      body === undefined ? undefined : Buffer.from(JSON.stringify(body)),
    );
    return parseAnswer<T>(answer);
  }
}
