/** An answer other than 2xx, in whichever envelope the API family uses (spec/errors.md, "Envelopes"). */
export class VpcepError extends Error {
  override readonly name = 'VpcepError';
  readonly status: number;
  /** `EndPoint.2006`, `VPC.2808`, `APIGW.0301`; for IAM's Keystone envelope, the numeric code as text. */
  readonly code: string;
  /** The `X-Request-Id` header, '' when the answer had none. */
  readonly requestId: string;
  /** The parsed error body, or the raw text when it was not JSON. */
  readonly body: unknown;

  constructor(status: number, code: string, message: string, requestId: string, body: unknown) {
    super(message);
    this.status = status;
    this.code = code;
    this.requestId = requestId;
    this.body = body;
  }

  /** Reads code and message as the official SDKs do: `error.code` then `error_code` then `code`. */
  static fromResponse(status: number, statusText: string, raw: string, requestId: string): VpcepError {
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
    return new VpcepError(status, String(code), String(message), requestId, body);
  }
}

/** The server could not be reached, or did not answer in time: nothing is known about the request. */
export class VpcepNetworkError extends Error {
  override readonly name = 'VpcepNetworkError';
  readonly endpoint: string;

  constructor(endpoint: string, reason: string, options?: { cause?: unknown }) {
    super(`cannot reach ${endpoint}: ${reason}`, options);
    this.endpoint = endpoint;
  }
}
