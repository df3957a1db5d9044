import { ApiError } from '../domain/errors.ts';
import { endpointTime, iamTime } from '../domain/ids.ts';
import { hmacSha256, safeEqual, verifyPassword } from '../domain/secrets.ts';
import type { Caller, Deps } from './context.ts';

/** What a token carries; verifying it needs no database round trip (issue 2, "Identity"). */
interface TokenClaims {
  kid: string;
  uid: string;
  un: string;
  did: string;
  dn: string;
  pid: string;
  pn: string;
  iat: number;
  exp: number;
}

export interface PasswordLogin {
  user: string;
  password: string;
  domain: string;
  /** Project scope: by id, or by name within the user's domain. */
  project: { id?: string; name?: string };
}

export interface IssuedToken {
  token: string;
  body: unknown;
}

const b64 = (b: Buffer | string) => Buffer.from(b).toString('base64url');

const authFail = (detail: string) => new ApiError('APIGW.0301', detail);

/**
 * Password login and token verification. Tokens are `<payload>.<mac>`: the payload names the
 * signing key, the user and the project scope; the MAC is HMAC-SHA256 with a server key kept in
 * the store and cached here, so every replica on one database accepts every replica's tokens.
 */
export class Identity {
  #keys = new Map<string, string>();
  #currentKid = '';

  constructor(private readonly deps: Deps) {}

  /** Loads the server keys, creating the first one on a new store. */
  async init(): Promise<void> {
    let keys = await this.deps.store.read((r) => r.serverKeys());
    if (keys.length === 0) {
      await this.deps.store
        .tx(async (r) => {
          if ((await r.serverKeys()).length > 0) return;
          await r.insertServerKey({
            id: this.deps.ids.hex(8),
            secret: this.deps.ids.hex(32),
            created_at: this.deps.clock.now().toISOString(),
          });
        })
        // Another replica may have created it first; reading again settles it.
        .catch(() => undefined);
      keys = await this.deps.store.read((r) => r.serverKeys());
    }
    for (const k of keys) this.#keys.set(k.id, k.secret);
    const last = keys.at(-1);
    if (!last) throw new Error('no server key in the store');
    this.#currentKid = last.id;
  }

  async login(req: PasswordLogin): Promise<IssuedToken> {
    const now = this.deps.clock.now();
    const found = await this.deps.store.read(async (r) => {
      const domain = await r.domainByName(req.domain);
      if (!domain) return undefined;
      const user = await r.userByName(domain.id, req.user);
      if (!user) return undefined;
      const projects = await r.projectsOfDomain(domain.id);
      return { domain, user, projects };
    });
    // The same answer for an unknown user and a wrong password: nothing to learn from the difference.
    if (!found || !(await verifyPassword(req.password, found.user.password_hash))) {
      throw new ApiError('IAM.0401');
    }
    const project = found.projects.find((p) =>
      req.project.id !== undefined ? p.id === req.project.id : p.name === req.project.name,
    );
    if (!project) throw new ApiError('IAM.0401', 'The user has no access to the requested project.');
    const iat = now.getTime();
    const claims: TokenClaims = {
      kid: this.#currentKid,
      uid: found.user.id,
      un: found.user.name,
      did: found.domain.id,
      dn: found.domain.name,
      pid: project.id,
      pn: project.name,
      iat,
      exp: iat + this.deps.config.tokenTtlMs,
    };
    const payload = b64(JSON.stringify(claims));
    const token = `${payload}.${b64(hmacSha256(this.#key(claims.kid), payload))}`;
    const domain = { id: found.domain.id, name: found.domain.name };
    return {
      token,
      body: {
        token: {
          expires_at: iamTime(new Date(claims.exp)),
          issued_at: iamTime(now),
          methods: ['password'],
          project: { id: project.id, name: project.name, domain },
          user: { id: found.user.id, name: found.user.name, domain, password_expires_at: '' },
          roles: [{ id: '0', name: 'op_service' }],
          catalog: [],
        },
      },
    };
  }

  /** The caller a token names, or 401 APIGW.0301 with the gateway's exact detail (errors.md). */
  verify(token: string, requestId: string): Caller {
    const dot = token.indexOf('.');
    if (dot <= 0) throw authFail('decrypt token fail');
    const payload = token.slice(0, dot);
    let claims: TokenClaims;
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as TokenClaims;
    } catch {
      throw authFail('decrypt token fail');
    }
    const key = typeof claims?.kid === 'string' ? this.#keys.get(claims.kid) : undefined;
    if (key === undefined || !safeEqual(token.slice(dot + 1), b64(hmacSha256(key, payload)))) {
      throw authFail('decrypt token fail');
    }
    if (this.deps.clock.now().getTime() >= claims.exp) {
      throw authFail(`token expires, expires_at: ${endpointTime(new Date(claims.exp))}`);
    }
    return {
      user_id: claims.uid,
      user_name: claims.un,
      domain_id: claims.did,
      domain_name: claims.dn,
      project_id: claims.pid,
      project_name: claims.pn,
      request_id: requestId,
    };
  }

  #key(kid: string): string {
    const key = this.#keys.get(kid);
    if (key === undefined) throw new Error('unknown server key');
    return key;
  }
}
