import { ALGORITHM, canonicalRequest, computeSignature, formatSdkDate } from '../domain/signing.ts';

/**
 * The client side of SDK-HMAC-SHA256 (spec/signing.md). The algorithm itself lives once, in
 * domain/signing.ts, and the server verifies with the same functions: this file only decides which
 * headers a request carries and signs.
 */

export interface RequestToSign {
  method: string;
  /** The full URL; what is signed is its path and query as `fetch` sends them. */
  url: string | URL;
  /** Headers the caller sends; all are signed except the ones in UNSIGNED_HEADERS. */
  headers?: Record<string, string>;
  /** The body bytes exactly as they will be sent. */
  body?: Uint8Array | string;
}

export interface SigningKey {
  ak: string;
  sk: string;
  /** Sent as `X-Project-Id` and signed (project-scoped credentials). */
  projectId?: string;
  /** When the request is signed; becomes `X-Sdk-Date`. */
  date: Date;
}

export interface SignedRequest {
  /** Every header to send, names in lower case: the caller's, host, x-sdk-date, x-project-id, authorization. */
  headers: Record<string, string>;
  signedHeaders: string[];
  /** The canonical request (no secret in it), for debugging a signature mismatch. */
  canonicalRequest: string;
  signature: string;
}

/** Headers the official SDK leaves unsigned: proxies and HTTP stacks may change them. */
export const UNSIGNED_HEADERS = new Set([
  'authorization',
  'user-agent',
  'accept',
  'accept-encoding',
  'content-length',
  'connection',
]);

export function signRequest(req: RequestToSign, key: SigningKey): SignedRequest {
  const url = typeof req.url === 'string' ? new URL(req.url) : req.url;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers ?? {})) headers[name.toLowerCase()] = value;
  headers.host = url.host;
  headers['x-sdk-date'] = formatSdkDate(key.date);
  if (key.projectId !== undefined) headers['x-project-id'] = key.projectId;
  delete headers.authorization;

  const signedHeaders = Object.keys(headers)
    .filter((name) => !UNSIGNED_HEADERS.has(name))
    .sort();
  const body = req.body === undefined ? Buffer.alloc(0) : Buffer.from(req.body);
  const canonical = canonicalRequest(
    { method: req.method, url: `${url.pathname}${url.search}`, headers, body },
    signedHeaders,
  );
  const signature = computeSignature(key.sk, headers['x-sdk-date'], canonical);
  headers.authorization = `${ALGORITHM} Access=${key.ak}, SignedHeaders=${signedHeaders.join(';')}, Signature=${signature}`;
  return { headers, signedHeaders, canonicalRequest: canonical, signature };
}
