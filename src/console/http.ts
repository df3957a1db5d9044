import type { FastifyRequest } from 'fastify';

/** What the console reads from a browser's request and writes back: cookies, forms, origins. */

/** The cookies of a request, by name (the first of a repeated name). */
export function cookiesOf(request: FastifyRequest): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (!out.has(name)) out.set(name, part.slice(eq + 1).trim());
  }
  return out;
}

/**
 * A Set-Cookie value: HttpOnly and SameSite=Strict always, Secure when the request came over TLS
 * (spec/console.md, "Sessions").
 */
export function cookie(
  request: FastifyRequest,
  name: string,
  value: string,
  o: { path: string; maxAgeMs: number },
): string {
  const secure = request.protocol === 'https' ? '; Secure' : '';
  const maxAge = Math.max(0, Math.floor(o.maxAgeMs / 1000));
  return `${name}=${value}; Path=${o.path}; Max-Age=${maxAge}; HttpOnly; SameSite=Strict${secure}`;
}

/**
 * Whether a POST comes from the console's own pages: a browser names the page's origin in `Origin`
 * and sends `Sec-Fetch-Site: same-origin`; either naming another site refuses it. The host is
 * compared, not the scheme: behind a TLS proxy the page is https while this server sees http.
 */
export function sameOrigin(request: FastifyRequest): boolean {
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return false;
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === request.host;
  } catch {
    return false;
  }
}

/** A POST's form fields (application/x-www-form-urlencoded); none for any other body. */
export function formOf(request: FastifyRequest): URLSearchParams {
  const body = request.body;
  const type = String(request.headers['content-type'] ?? '')
    .split(';')[0]!
    .trim()
    .toLowerCase();
  if (!Buffer.isBuffer(body) || type !== 'application/x-www-form-urlencoded') return new URLSearchParams();
  return new URLSearchParams(body.toString('utf8'));
}

/** The query, one value per name (the first when repeated). */
export function queryOf(request: FastifyRequest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries((request.query ?? {}) as Record<string, unknown>)) {
    const first = Array.isArray(v) ? v[0] : v;
    if (typeof first === 'string') out[k] = first;
  }
  return out;
}
