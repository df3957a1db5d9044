import type { VpcepError } from './errors.ts';

/**
 * When the clients try a call again (README, "Typed SDK"). A call is retried only when the
 * server says it changed nothing, or when doing it twice changes nothing more than doing it once:
 *
 * - 409 `VPCEP.0409`: another change held the resource past the lock timeout; the call's
 *   transaction was rolled back. Any method.
 * - 429: refused before it ran (APIGW.0308). Any method.
 * - 503: any method whose repetition is harmless (GET, PUT, DELETE, and the POSTs that only read or
 *   log in). A POST that makes something (a create, an added permission) only when the 503 is one
 *   vpcep gives before any handler runs, while it starts or shuts down: another 503 (the database
 *   lost) may come after a commit, and repeating the POST would make the thing twice.
 *
 * Nothing else is retried: not another 409 (a taken name stays taken), not a 5xx other than 503,
 * and not a VpcepNetworkError, after which nothing is known about the call.
 */
export interface RetryOptions {
  /** Tries in all, the first one included: 1 turns retries off. Default 3. */
  attempts?: number;
  /** The bound of the first backoff; it doubles with each retry, and the wait is a random part of it. Default 100 ms. */
  baseDelayMs?: number;
  /** No backoff is longer; a Retry-After longer than this is not waited for: the error is thrown. Default 20 s. */
  maxDelayMs?: number;
}

export type RetryPolicy = Required<RetryOptions>;

export const DEFAULT_RETRY: RetryPolicy = { attempts: 3, baseDelayMs: 100, maxDelayMs: 20_000 };

/** The policy of a client's `retry` option: `false` is one attempt. */
export function retryPolicy(option: RetryOptions | false | undefined): RetryPolicy {
  if (option === false) return { ...DEFAULT_RETRY, attempts: 1 };
  const policy = { ...DEFAULT_RETRY, ...option };
  for (const [name, value] of Object.entries(policy)) {
    if (!Number.isFinite(value) || value < 0) throw new TypeError(`retry.${name} must be a number >= 0`);
  }
  if (!Number.isInteger(policy.attempts) || policy.attempts < 1) {
    throw new TypeError('retry.attempts must be an integer >= 1');
  }
  return policy;
}

/**
 * The details of vpcep's 503 answers given before the call reached its handler (src/http/listener.ts
 * while the server starts, src/http/draining.ts while it shuts down): nothing was done. The message
 * is the published text, then the detail.
 */
const NOT_STARTED = ['The server is starting.', 'The server is shutting down.'];

/** Whether the failed call may be sent again; `repeatable`: doing it twice does no more than once. */
export function isRetryable(e: VpcepError, repeatable: boolean): boolean {
  switch (e.status) {
    case 409:
      return e.code === 'VPCEP.0409';
    case 429:
      return true;
    case 503:
      return repeatable || (e.code === 'VPCEP.0503' && NOT_STARTED.some((m) => e.message.endsWith(m)));
    default:
      return false;
  }
}

/**
 * `Retry-After` in milliseconds from now: delay-seconds or an HTTP date (RFC 9110 §10.2.3).
 * undefined when absent or unreadable; a date in the past is 0.
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // Each of HTTP's date formats starts with the day's name (`Tue, 01 Jan 2030 …`); Date.parse alone
  // would read `-1` or `1.5` as years.
  if (!/^[A-Za-z]{3}\b/.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * How long to wait before retry number `retry` (1 for the first): exponential backoff with full
 * jitter, added to the server's Retry-After when it gave one, so clients told the same second do
 * not all come back at once. undefined: the server asks for a longer wait than the policy allows.
 */
export function retryDelay(
  retry: number,
  retryAfterMs: number | undefined,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number | undefined {
  const backoff = random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  if (retryAfterMs === undefined) return backoff;
  if (retryAfterMs > policy.maxDelayMs) return undefined;
  return retryAfterMs + backoff;
}
