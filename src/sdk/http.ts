import { setTimeout as sleep } from 'node:timers/promises';
import { VpcepError, VpcepNetworkError } from './errors.ts';
import { isRetryable, parseRetryAfter, retryDelay, type RetryPolicy } from './retry.ts';

/** What the clients keep of an answer before reading it. */
export interface RawAnswer {
  status: number;
  statusText: string;
  requestId: string;
  subjectToken: string | null;
  retryAfter: string | null;
  raw: string;
}

/** How a client reaches its server. */
export interface Transport {
  fetch: typeof globalThis.fetch;
  endpoint: string;
  /** Per attempt. */
  timeoutMs: number;
  retry: RetryPolicy;
}

/** One call, as `exchange` sends it (each attempt gets fresh headers: a signature has a date). */
export interface Exchange {
  method: string;
  url: URL;
  body: Buffer | undefined;
  headers: () => Promise<Record<string, string>> | Record<string, string>;
  /** Sending it twice does no more than once (retry.ts); default: every method but POST. */
  repeatable?: boolean;
}

/** The endpoint without trailing slashes (the official SDK would sign `//v1/...`), checked to be a URL. */
export function normalizeEndpoint(endpoint: string): string {
  const trimmed = endpoint.trim().replace(/\/+$/, '');
  let parsed: URL;
  try {
    parsed = new URL(trimmed);
  } catch {
    throw new TypeError(`endpoint "${trimmed}" is not a URL (expected e.g. http://127.0.0.1:8080)`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new TypeError(`endpoint "${trimmed}" must be http:// or https://`);
  }
  return trimmed;
}

function networkReason(e: unknown, timeoutMs: number): string {
  const err = e as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err?.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  const code = err?.cause?.code;
  if (code === 'ECONNREFUSED') return 'connection refused (is the server running?)';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `host not found (${code})`;
  return err?.cause?.message ?? err?.message ?? String(e);
}

/** One request; a failure to get any answer is VpcepNetworkError, naming the endpoint only. */
export async function fetchAnswer(
  transport: Pick<Transport, 'fetch' | 'endpoint' | 'timeoutMs'>,
  method: string,
  url: URL,
  headers: Record<string, string>,
  body: Buffer | undefined,
): Promise<RawAnswer> {
  try {
    const res = await transport.fetch(url, {
      method,
      headers,
      ...(body ? { body } : {}),
      // A redirect would be followed with a signature for another URL; the API never redirects.
      redirect: 'manual',
      signal: AbortSignal.timeout(transport.timeoutMs),
    });
    return {
      status: res.status,
      statusText: res.statusText,
      requestId: res.headers.get('x-request-id') ?? '',
      subjectToken: res.headers.get('x-subject-token'),
      retryAfter: res.headers.get('retry-after'),
      raw: await res.text(),
    };
  } catch (e) {
    throw new VpcepNetworkError(transport.endpoint, networkReason(e, transport.timeoutMs), { cause: e });
  }
}

const isSuccess = (status: number) => status >= 200 && status <= 299;

function errorOf(answer: RawAnswer): VpcepError {
  return VpcepError.fromResponse(
    answer.status,
    answer.statusText,
    answer.raw,
    answer.requestId,
    parseRetryAfter(answer.retryAfter, Date.now()),
  );
}

/**
 * Sends the call, and again after a backoff while the answer is one retry.ts retries and attempts
 * are left; resolves with the last answer, 2xx or not.
 */
export async function exchange(transport: Transport, call: Exchange): Promise<RawAnswer> {
  const repeatable = call.repeatable ?? call.method !== 'POST';
  for (let attempt = 1; ; attempt++) {
    const answer = await fetchAnswer(transport, call.method, call.url, await call.headers(), call.body);
    if (isSuccess(answer.status) || attempt >= transport.retry.attempts) return answer;
    const error = errorOf(answer);
    if (!isRetryable(error, repeatable)) return answer;
    const wait = retryDelay(attempt, error.retryAfterMs, transport.retry);
    if (wait === undefined) return answer;
    await sleep(wait);
  }
}

/** The JSON of a 2xx answer (undefined when empty); anything else throws VpcepError. */
export function parseAnswer<T>(answer: RawAnswer): T {
  if (!isSuccess(answer.status)) throw errorOf(answer);
  if (answer.raw === '') return undefined as T;
  try {
    return JSON.parse(answer.raw) as T;
  } catch {
    throw new VpcepError(
      answer.status,
      'InvalidResponse',
      'The server answered with a body that is not JSON.',
      answer.requestId,
      answer.raw.slice(0, 200),
    );
  }
}
