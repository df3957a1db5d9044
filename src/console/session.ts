import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';
import { hmacSha256, safeEqual } from '../domain/secrets.ts';
import type { Deps } from '../service/context.ts';
import type { Identity } from '../service/identity.ts';

/**
 * The console's sessions (spec/console.md, "Sessions"). The cookie carries a random session id
 * with a MAC under a server key; the store keeps only the id's hash, the user's token sealed with a
 * key derived from the id, and the expiry. So the store alone opens no session, every replica on
 * the database opens every session, and signing out (deleting the row) ends it everywhere.
 */

/** The session cookie. */
export const SESSION_COOKIE = 'vpcep_console';
/** The sign-in form's own cookie: its CSRF secret before any session exists. */
export const SIGN_IN_COOKIE = 'vpcep_console_sign_in';
/** How long a session lasts from sign-in, at most; never past the token's own expiry. */
export const SESSION_TTL_MS = 8 * 3600 * 1000;
/** How long the sign-in form's cookie lasts. */
export const SIGN_IN_TTL_MS = 3600 * 1000;

const b64 = (b: Buffer) => b.toString('base64url');
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** What a cookie value must look like before any MAC is checked: `<secret>.<kid>.<mac>`. */
const SIGNED = /^([0-9a-f]{64})\.([0-9a-f]{1,64}\.[A-Za-z0-9_-]{43})$/;

/** The user's token, sealed with AES-256-GCM under a key only the session id gives. */
function seal(sessionId: string, token: string, iv: Buffer): string {
  const cipher = createCipheriv('aes-256-gcm', hmacSha256(sessionId, 'console token key'), iv);
  const body = Buffer.concat([cipher.update(token, 'utf8'), cipher.final()]);
  return `${b64(iv)}.${b64(body)}.${b64(cipher.getAuthTag())}`;
}

function unseal(sessionId: string, sealed: string): string | undefined {
  const [iv, body, tag] = sealed.split('.').map((p) => Buffer.from(p, 'base64url'));
  if (!iv || !body || !tag) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', hmacSha256(sessionId, 'console token key'), iv);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}

/** A session as a request opens it. */
export interface OpenSession {
  idHash: string;
  token: string;
  /** The form token every POST of this session must carry. */
  csrf: string;
  expiresAt: Date;
}

export class Sessions {
  constructor(
    private readonly deps: Deps,
    private readonly identity: Identity,
  ) {}

  /** A cookie value: a secret with its MAC, for `purpose` (the session, or the sign-in form). */
  signed(purpose: string, secret: string): string {
    return `${secret}.${this.identity.macFor(purpose, secret)}`;
  }

  /** The secret of a cookie value `signed` made for `purpose`; undefined for anything else. */
  secretOf(purpose: string, value: string | undefined): string | undefined {
    const m = value === undefined ? null : SIGNED.exec(value);
    if (!m || !this.identity.checkMac(purpose, m[1]!, m[2]!)) return undefined;
    return m[1];
  }

  /** A new random secret: a session id, or the sign-in form's. */
  newSecret(): string {
    return this.deps.ids.hex(32);
  }

  /** The form token of a secret: anyone who can read the page has it, nobody can derive the secret. */
  csrfOf(secret: string): string {
    return b64(hmacSha256(secret, 'console csrf'));
  }

  /** Whether a form's token is the expected one, compared in constant time. */
  csrfMatches(expected: string, given: string | undefined): boolean {
    return given !== undefined && safeEqual(given, expected);
  }

  /** Stores a new session for a token; returns its cookie value and expiry. */
  async create(
    token: string,
    who: { user_id: string; domain_id: string; project_id: string; token_expires_at: Date },
  ): Promise<{ cookie: string; maxAgeMs: number }> {
    const now = this.deps.clock.now();
    const id = this.newSecret();
    const expiresAt = new Date(Math.min(now.getTime() + SESSION_TTL_MS, who.token_expires_at.getTime()));
    const iv = Buffer.from(this.deps.ids.hex(12), 'hex');
    await this.deps.store.tx(async (r) => {
      // Sessions nobody signed out of would stay forever otherwise; each sign-in sweeps them.
      await r.consoleSessions.deleteExpired(now.toISOString());
      await r.consoleSessions.insert({
        id_hash: sha256(id),
        user_id: who.user_id,
        domain_id: who.domain_id,
        project_id: who.project_id,
        sealed_token: seal(id, token, iv),
        created_at: now.toISOString(),
        expires_at: expiresAt.toISOString(),
      });
    });
    return { cookie: this.signed('console-session', id), maxAgeMs: expiresAt.getTime() - now.getTime() };
  }

  /** The session a cookie names, while it lasts; an expired one is removed. */
  async open(cookie: string | undefined): Promise<OpenSession | undefined> {
    const id = this.secretOf('console-session', cookie);
    if (id === undefined) return undefined;
    const idHash = sha256(id);
    const row = await this.deps.store.read((r) => r.consoleSessions.byHash(idHash));
    if (!row) return undefined;
    const expiresAt = new Date(row.expires_at);
    if (expiresAt.getTime() <= this.deps.clock.now().getTime()) {
      await this.end(idHash);
      return undefined;
    }
    const token = unseal(id, row.sealed_token);
    if (token === undefined) return undefined;
    return { idHash, token, csrf: this.csrfOf(id), expiresAt };
  }

  /** Ends a session: its row goes, and with it the only copy of its token. */
  async end(idHash: string): Promise<void> {
    await this.deps.store.tx((r) => r.consoleSessions.delete(idHash));
  }
}
