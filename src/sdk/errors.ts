/**
 * An answer other than 2xx, in whichever envelope the API family uses (spec/errors.md, "Envelopes").
 * Four answers a caller often handles on their own have a subclass each, chosen by HTTP status, so
 * that `catch (e) { if (e instanceof VpcepNotFoundError) … }` reads as what it means:
 *
 * | subclass              | status   | e.g.                                                        |
 * | --------------------- | -------- | ----------------------------------------------------------- |
 * | `VpcepAuthError`      | 401, 403 | a wrong signature or token (APIGW.0301), a denied action    |
 * | `VpcepNotFoundError`  | 404      | EndPoint.2006, VPC.0103, VPC.2808                           |
 * | `VpcepConflictError`  | 409      | VPCEP.0409 (another change held the resource), a taken name |
 * | `VpcepThrottledError` | 429      | APIGW.0308 (too many failed logins)                         |
 *
 * Every other status is a plain VpcepError. The published API answers some "does not exist" cases
 * with 400 (EndPoint.2003 for a service named in a create): those are not VpcepNotFoundError.
 */
export class VpcepError extends Error {
  override readonly name: string = 'VpcepError';
  readonly status: number;
  /** `EndPoint.2006`, `VPC.2808`, `APIGW.0301`; for IAM's Keystone envelope, the numeric code as text. */
  readonly code: string;
  /** The `X-Request-Id` header, '' when the answer had none. */
  readonly requestId: string;
  /** The parsed error body, or the raw text when it was not JSON. */
  readonly body: unknown;
  /** The answer's `Retry-After` in milliseconds, when it had one (429 and 503 do). */
  readonly retryAfterMs: number | undefined;

  constructor(
    status: number,
    code: string,
    message: string,
    requestId: string,
    body: unknown,
    retryAfterMs?: number,
  ) {
    super(message);
    this.status = status;
    this.code = code;
    this.requestId = requestId;
    this.body = body;
    this.retryAfterMs = retryAfterMs;
  }

  /**
   * Reads code and message as the official SDKs do: `error.code` then `error_code` then `code`;
   * the error is of the subclass of its status.
   */
  static fromResponse(
    status: number,
    statusText: string,
    raw: string,
    requestId: string,
    retryAfterMs?: number,
  ): VpcepError {
    let body: unknown = raw;
    try {
      body = JSON.parse(raw);
    } catch {
      // Not JSON: keep the text, the code falls back to the status.
    }
    const o = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    const inner = (typeof o.error === 'object' && o.error !== null ? o.error : {}) as Record<string, unknown>;
    const text = (...vs: unknown[]) =>
      vs.find((v): v is string | number => (typeof v === 'string' && v !== '') || typeof v === 'number');
    const code = text(inner.code, o.error_code, o.code) ?? status;
    const fallback = typeof body === 'string' && body.trim() !== '' ? body.trim().slice(0, 200) : statusText;
    const message = text(inner.message, o.error_msg, o.message) ?? (fallback || `HTTP ${status}`);
    const Kind = BY_STATUS[status] ?? VpcepError;
    return new Kind(status, String(code), String(message), requestId, body, retryAfterMs);
  }
}

/** 401: the credentials were not accepted; 403: they were, and the action is not allowed. */
export class VpcepAuthError extends VpcepError {
  override readonly name: string = 'VpcepAuthError';
}

/** 404: the resource (or the path) does not exist. */
export class VpcepNotFoundError extends VpcepError {
  override readonly name: string = 'VpcepNotFoundError';
}

/**
 * 409: the call conflicts with the resource's state (a taken name, a port in use), or, with code
 * VPCEP.0409, another change held the resource past the server's lock timeout; that one is retried
 * by the client (README, "Typed SDK") and reaches the caller only once the retries are spent.
 */
export class VpcepConflictError extends VpcepError {
  override readonly name: string = 'VpcepConflictError';
}

/** 429: too many calls; `retryAfterMs` says when to try again. */
export class VpcepThrottledError extends VpcepError {
  override readonly name: string = 'VpcepThrottledError';
}

const BY_STATUS: Record<number, typeof VpcepError> = {
  401: VpcepAuthError,
  403: VpcepAuthError,
  404: VpcepNotFoundError,
  409: VpcepConflictError,
  429: VpcepThrottledError,
};

/** The server could not be reached, or did not answer in time: nothing is known about the request. */
export class VpcepNetworkError extends Error {
  override readonly name = 'VpcepNetworkError';
  readonly endpoint: string;

  constructor(endpoint: string, reason: string, options?: { cause?: unknown }) {
    super(`cannot reach ${endpoint}: ${reason}`, options);
    this.endpoint = endpoint;
  }
}
