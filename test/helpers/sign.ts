import { createRequire } from 'node:module';
import type { FastifyInstance } from 'fastify';
import { replyOf, type Reply } from './world.ts';

/**
 * Requests signed by the OFFICIAL signer of `@huaweicloud/huaweicloud-sdk-core` (a dev dependency),
 * so the tests check the server's verifier against the reference implementation, not against itself.
 */

const require = createRequire(import.meta.url);

interface SignerRequest {
  /** Scheme, host and path: the signer takes the path from `url.parse(endpoint).pathname`. */
  endpoint: string;
  method: string;
  headers: Record<string, string>;
  queryParams: Record<string, string | string[]>;
  /** Hashed as `JSON.stringify(data)`. */
  data?: unknown;
}

interface OfficialSigner {
  sign(request: SignerRequest, credential: { getAk(): string; getSk(): string }): Record<string, string>;
}

// Only the signer module: it writes nothing under $HOME (the SDK clients do, see official-sdk.test.ts).
export const AKSKSigner = (
  require('@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner') as { AKSKSigner: OfficialSigner }
).AKSKSigner;

/** `YYYYMMDDTHHmmssZ`, written here rather than taken from the code under test. */
export const sdkDate = (d: Date) => d.toISOString().replace(/[-:]|\.\d{3}/g, '');

export interface SignOptions {
  ak: string;
  sk: string;
  method: string;
  /** Path and query as they go on the wire, e.g. `/v1/p/routetables?vpc_id=x&limit=10`. */
  url: string;
  /** The `host` header as sent (inject: whatever the test passes; fetch: `127.0.0.1:<port>`). */
  host: string;
  /** When the request claims to be signed (`X-Sdk-Date`). */
  date: Date;
  /**
   * Headers to sign besides `host` and `X-Sdk-Date`, over `content-type: application/json` (the SDK
   * sends it on every method); `undefined` drops one.
   */
  headers?: Record<string, string | undefined>;
  /** A JSON body: the signer hashes `JSON.stringify(body)`, and that is what `payload` holds. */
  body?: unknown;
}

export interface Signed {
  /** Every header to send, `Authorization` included. */
  headers: Record<string, string>;
  payload: string | undefined;
}

/** Signs like the SDK does: the query goes to the signer as decoded parameters, repeated keys as lists. */
export function sign(o: SignOptions): Signed {
  const q = o.url.indexOf('?');
  const path = q < 0 ? o.url : o.url.slice(0, q);
  const queryParams: Record<string, string | string[]> = {};
  if (q >= 0) {
    for (const [k, v] of new URLSearchParams(o.url.slice(q + 1))) {
      const prev = queryParams[k];
      queryParams[k] = prev === undefined ? v : [...[prev].flat(), v];
    }
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries({ 'content-type': 'application/json', ...o.headers })) {
    if (v !== undefined) headers[k] = v;
  }
  headers['X-Sdk-Date'] = sdkDate(o.date);
  const signed = AKSKSigner.sign(
    { endpoint: `http://${o.host}${path}`, method: o.method, headers, queryParams, data: o.body },
    { getAk: () => o.ak, getSk: () => o.sk },
  );
  return { headers: signed, payload: o.body === undefined ? undefined : JSON.stringify(o.body) };
}

/** The parts of an `Authorization: SDK-HMAC-SHA256 ...` header, for tests that take one apart. */
export function authorizationParts(header: string) {
  const m = /^SDK-HMAC-SHA256 Access=([^,]+), SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(header);
  if (!m) throw new Error(`not an SDK-HMAC-SHA256 header: ${header}`);
  return { access: m[1]!, signedHeaders: m[2]!, signature: m[3]! };
}

/** Signs `o` and sends it through `app.inject`; `host` defaults to what tests use, `date` to `clock`. */
export async function injectSigned(
  app: FastifyInstance,
  o: Omit<SignOptions, 'host' | 'date'> & { host?: string; date?: Date },
  clock: { now(): Date },
): Promise<Reply> {
  const s = sign({ host: 'vpcep.test:8080', date: clock.now(), ...o });
  const res = await app.inject({
    method: o.method as 'GET',
    url: o.url,
    headers: s.headers,
    ...(s.payload === undefined ? {} : { payload: s.payload }),
  });
  return replyOf(res);
}
