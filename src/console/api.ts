import type { FastifyInstance } from 'fastify';

/**
 * The API as the console calls it: in process (`inject`), through the very routes a client calls,
 * with the signed-in user's token (spec/console.md, "One truth"). Authentication, authorization,
 * validation and isolation are the API's own, so a page shows exactly what the API shows the user,
 * and a write the user may not make is refused by the API's check, not by the console's.
 */

/** A refusal of the API: its status, code and message, as the page shows them. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export type Query = Record<string, string | number | undefined>;

/** One path segment, as the API's router reads it back. */
export const seg = (value: string) => encodeURIComponent(value);

/** The code and message of an error answer, whatever its envelope (spec/errors.md, "Envelopes"). */
function failureOf(status: number, raw: string): ApiFailure {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    body = undefined;
  }
  const error = (body as { error?: { code?: unknown; message?: unknown; title?: unknown } } | undefined)
    ?.error;
  const code = typeof error?.code === 'string' ? error.code : String(error?.title ?? status);
  const message = typeof error?.message === 'string' ? error.message : 'The API refused the call.';
  return new ApiFailure(status, code, message);
}

export class ApiClient {
  constructor(
    private readonly app: FastifyInstance,
    /** Headers every call carries: the user's token, and where the user's request came from. */
    private readonly token: string | undefined,
    private readonly remoteAddress: string,
    readonly projectId: string,
  ) {}

  /** One call to an API path; a non-2xx answer throws ApiFailure. */
  async call<T>(method: string, url: string, body?: unknown, query?: Query): Promise<T> {
    const answer = await this.answer(method, url, body, query);
    if (answer.status < 200 || answer.status > 299) throw failureOf(answer.status, answer.raw);
    return (answer.raw === '' ? undefined : JSON.parse(answer.raw)) as T;
  }

  /** One call, its answer as it came: status, headers and body text. */
  async answer(method: string, url: string, body?: unknown, query?: Query) {
    const search = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {}))
      if (v !== undefined && v !== '') search.set(k, String(v));
    const qs = search.toString();
    const res = await this.app.inject({
      method: method as 'GET',
      url: qs ? `${url}?${qs}` : url,
      remoteAddress: this.remoteAddress,
      headers: {
        accept: 'application/json',
        ...(this.token === undefined ? {} : { 'x-auth-token': this.token }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });
    return { status: res.statusCode, headers: res.headers, raw: res.body };
  }

  /** A call under the user's project: `project('GET', '/vpcs')` calls `/v1/{project_id}/vpcs`. */
  project<T>(method: string, path: string, body?: unknown, query?: Query): Promise<T> {
    return this.call<T>(method, `/v1/${seg(this.projectId)}${path}`, body, query);
  }

  /** Every item of a paged VPC Endpoint list (limit/offset; most lists take 1000 a page). */
  async all<T>(path: string, key: string, query: Query = {}, pageSize = 1000): Promise<T[]> {
    const items: T[] = [];
    for (;;) {
      const page = await this.project<Record<string, unknown>>('GET', path, undefined, {
        ...query,
        limit: pageSize,
        offset: items.length,
      });
      const got = (page[key] as T[] | undefined) ?? [];
      items.push(...got);
      const total = typeof page.total_count === 'number' ? page.total_count : items.length;
      if (got.length === 0 || items.length >= total) return items;
    }
  }
}
