import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';

/**
 * The web console as a browser without a browser: a cookie jar over `inject` (one app) or `fetch`
 * (a listening server), which follows nothing by itself, so a test sees each redirect and cookie.
 * test/console/ drives the real Chromium; this is for what a browser would hide (headers, forged
 * posts, cookies of someone else).
 */

export interface ConsoleReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** `Location` of a redirect, '' otherwise. */
  location: string;
}

type Send = (
  method: 'GET' | 'POST',
  path: string,
  headers: Record<string, string>,
  body?: string,
) => Promise<ConsoleReply>;

export const injectTransport =
  (app: FastifyInstance): Send =>
  async (method, path, headers, body) => {
    const res = await app.inject({
      method,
      url: path,
      headers,
      ...(body === undefined ? {} : { payload: body }),
    });
    return {
      status: res.statusCode,
      headers: res.headers as ConsoleReply['headers'],
      body: res.body,
      location: String(res.headers.location ?? ''),
    };
  };

export const fetchTransport =
  (base: string): Send =>
  async (method, path, headers, body) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers,
      redirect: 'manual',
      signal: AbortSignal.timeout(15_000),
      ...(body === undefined ? {} : { body }),
    });
    const out: ConsoleReply['headers'] = {};
    res.headers.forEach((v, k) => (out[k] = v));
    out['set-cookie'] = res.headers.getSetCookie();
    return {
      status: res.status,
      headers: out,
      body: await res.text(),
      location: res.headers.get('location') ?? '',
    };
  };

/** Every `name="_csrf"` value of a page, the first one. */
export function csrfOf(page: string): string {
  const m = /name="_csrf" value="([^"]*)"/.exec(page);
  assert.ok(m, `no CSRF field in the page:\n${page.slice(0, 2000)}`);
  return m[1]!;
}

/** The text of `<main>`, for assertions that should not match the page's shell. */
export const mainOf = (page: string) => /<main[^>]*>([\s\S]*)<\/main>/.exec(page)?.[1] ?? '';

export class ConsoleJar {
  readonly cookies = new Map<string, string>();
  constructor(private readonly send: Send) {}

  /** The `Cookie` header the jar would send now. */
  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async request(
    method: 'GET' | 'POST',
    path: string,
    o: { form?: Record<string, string | string[]>; headers?: Record<string, string> } = {},
  ): Promise<ConsoleReply> {
    const headers: Record<string, string> = { accept: 'text/html', ...o.headers };
    if (this.cookies.size > 0) headers.cookie = this.cookieHeader();
    let body: string | undefined;
    if (o.form) {
      const f = new URLSearchParams();
      for (const [k, v] of Object.entries(o.form)) for (const one of [v].flat()) f.append(k, one);
      body = f.toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    }
    const res = await this.send(method, path, headers, body);
    for (const c of [res.headers['set-cookie'] ?? []].flat()) {
      const [pair] = c.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      if (/Max-Age=0\b/.test(c) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  get(path: string, headers?: Record<string, string>) {
    return this.request('GET', path, { headers });
  }

  /** A form post with the CSRF token of the page at `from` (or the one given; null: none at all). */
  async post(
    path: string,
    form: Record<string, string | string[]>,
    o: { from?: string; csrf?: string | null; headers?: Record<string, string> } = {},
  ) {
    let csrf = o.csrf;
    if (csrf === undefined) csrf = csrfOf((await this.get(o.from ?? '/console/endpoints')).body);
    return this.request('POST', path, {
      form: csrf === null ? form : { _csrf: csrf, ...form },
      headers: o.headers,
    });
  }

  /** Signs in; asserts it worked and that the session cookie came. */
  async signIn(o: {
    account: string;
    user: string;
    password: string;
    project?: string;
  }): Promise<ConsoleReply> {
    const form = await this.get('/console/sign-in');
    assert.equal(form.status, 200, form.body);
    const res = await this.post(
      '/console/sign-in',
      { account: o.account, user: o.user, password: o.password, project: o.project ?? '' },
      { csrf: csrfOf(form.body) },
    );
    assert.equal(res.status, 303, res.body);
    assert.ok(this.cookies.has('vpcep_console'), 'no session cookie after signing in');
    return res;
  }
}
