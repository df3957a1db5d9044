import { injectSigned } from './sign.ts';
import { send } from './tenants.ts';
import type { Reply, World } from './world.ts';

/**
 * One credential, however a client proves it: a token (`X-Auth-Token`), or an AK/SK pair that
 * signs the request, with the security token of a temporary pair among the signed headers.
 */
export type Credential = { token: string } | { ak: string; sk: string; securityToken?: string };

/** One request as a test states it; `callAs` adds the credential. */
export interface Call {
  method: string;
  /** Path and query, as sent. */
  url: string;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Sends `c` through `w.app.inject` as the holder of `cred`, signed at the world's clock. */
export function callAs(w: World, cred: Credential, c: Call): Promise<Reply> {
  if ('token' in cred) {
    return send(w.app, c.method, c.url, { ...c.headers, 'x-auth-token': cred.token }, c.body);
  }
  const headers: Record<string, string> = { ...c.headers };
  if (cred.securityToken !== undefined) headers['X-Security-Token'] = cred.securityToken;
  return injectSigned(
    w.app,
    { ak: cred.ak, sk: cred.sk, method: c.method, url: c.url, body: c.body, headers },
    w.clock,
  );
}
