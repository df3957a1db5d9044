// Load: autocannon runs, the calls that prepare them, and the rebinds they drive. Every rebind moves
// an endpoint to the other of its two route tables, and no two calls in flight touch one endpoint.
import http from 'node:http';
import autocannon from 'autocannon';
import { signRequest } from '../../src/sdk/signer.ts';

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  max: number;
  /** Connection errors, timeouts and answers other than 2xx. */
  errors: number;
}

/** One closed-loop autocannon run; `urls` spreads the connections over several servers in turn. */
export async function load(
  urls: string | string[],
  seconds: number,
  connections: number,
  opts: Omit<autocannon.Options, 'url'>,
): Promise<LoadResult> {
  // autocannon takes a list of URLs (connection i goes to url i mod n); its types say one string.
  const r = await autocannon({ ...opts, url: urls as string, duration: seconds, connections });
  return {
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    max: r.latency.max,
    errors: r.errors + r.timeouts + r.non2xx,
  };
}

export interface Call {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers of several shapes
type Json = any;

/** One call over node:http (it sends `host` as given, which a signature covers); JSON answer. */
export function send(
  base: string,
  call: Call,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Json }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}${call.path}`, { method: call.method, headers: call.headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => {
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // not JSON: kept as text, for the error message
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
      });
    });
    req.on('error', reject);
    req.end(call.body);
  });
}

/** `send`, failing unless 2xx. */
export async function ok(base: string, call: Call) {
  const res = await send(base, call);
  if (res.status < 200 || res.status >= 300) {
    throw new Error(`${call.method} ${call.path}: ${res.status} ${JSON.stringify(res.body)}`);
  }
  return res;
}

/** A project-scoped token of user admin of domain vpcep. */
export async function login(base: string, projectId: string, password: string): Promise<string> {
  const res = await ok(base, {
    method: 'POST',
    path: '/v3/auth/tokens',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      auth: {
        identity: {
          methods: ['password'],
          password: { user: { name: 'admin', password, domain: { name: 'vpcep' } } },
        },
        scope: { project: { id: projectId } },
      },
    }),
  });
  return String(res.headers['x-subject-token']);
}

export type Auth = { token: string } | { ak: string; sk: string; projectId: string };

/** The headers of one call: the token, or a fresh SDK-HMAC-SHA256 signature by the SDK's own signer. */
export function authorize(auth: Auth, base: string, call: Omit<Call, 'headers'>): Record<string, string> {
  const headers = { 'content-type': 'application/json' };
  if ('token' in auth) return { ...headers, 'x-auth-token': auth.token };
  return signRequest(
    { method: call.method, url: `${base}${call.path}`, headers, ...(call.body ? { body: call.body } : {}) },
    { ak: auth.ak, sk: auth.sk, projectId: auth.projectId, date: new Date() },
  ).headers;
}

/** An endpoint and two route tables of its VPC, bound to one of them. */
export interface Scene {
  endpoint: string;
  tables: [string, string];
}

/** The rebinds of a set of scenes, remembering which table each endpoint is on. */
export class Rebinds {
  /** Index in `tables` of the table each scene's endpoint is bound to. */
  readonly #at: number[];

  constructor(
    readonly projectId: string,
    readonly scenes: Scene[],
  ) {
    this.#at = scenes.map(() => 0);
  }

  /** The next call on scene `i`: its endpoint to its other table. */
  call(i: number): Omit<Call, 'headers'> & { method: 'PUT'; target: string } {
    const s = this.scenes[i]!;
    const target = s.tables[(this.#at[i] = 1 - this.#at[i]!)]!;
    return {
      method: 'PUT',
      path: `/v1/${this.projectId}/vpc-endpoints/${s.endpoint}/routetables`,
      body: JSON.stringify({ routetables: [target] }),
      target,
    };
  }

  /** One rebind, checked: its answer must be 200 with the endpoint on its new table. */
  async check(base: string, auth: Auth): Promise<void> {
    const call = this.call(0);
    const res = await ok(base, { ...call, headers: authorize(auth, base, call) });
    if (JSON.stringify(res.body.routetables) !== JSON.stringify([call.target])) {
      throw new Error(`the rebind answered ${JSON.stringify(res.body)}, not the table ${call.target}`);
    }
  }

  /**
   * autocannon's request. Each call takes a scene nobody else is using and gives it back with its
   * answer, so two calls in flight never wait on one endpoint (with a single request, autocannon
   * resets a connection's context after every call, so a connection cannot keep one of its own).
   * A call whose answer never comes keeps its scene; once none is free, scenes are shared in turn.
   */
  requests(base: string, auth: Auth): autocannon.Request[] {
    const free = this.scenes.map((_, i) => i).reverse();
    let shared = 0;
    return [
      {
        setupRequest: (req, ctx) => {
          const context = ctx as { scene?: number };
          const i = (context.scene = free.pop() ?? shared++ % this.scenes.length);
          const { target: _, ...call } = this.call(i);
          return { ...req, ...call, headers: authorize(auth, base, call) };
        },
        onResponse: (_status, _body, ctx) => {
          const { scene } = ctx as { scene?: number };
          if (scene !== undefined && !free.includes(scene)) free.push(scene);
        },
      },
    ];
  }
}
