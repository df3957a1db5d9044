import { randomBytes } from 'node:crypto';
import { ApiError } from '../domain/errors.ts';
import { endpointTime, iamTime } from '../domain/ids.ts';
import { ADMIN_GROUP, ALL_PROJECTS, systemRole } from '../domain/roles.ts';
import { unacceptableText } from '../domain/text.ts';
import { hashPassword, hmacSha256, safeEqual, verifyPassword } from '../domain/secrets.ts';
import {
  canonicalRequest,
  CLOCK_SKEW_MS,
  computeSignature,
  parseAuthorization,
  parseSdkDate,
  type RequestToVerify,
} from '../domain/signing.ts';
import type { GrantRow } from '../store/identity.ts';
import { audit, type Caller, type Deps } from './context.ts';
import { projectView } from './directory.ts';
import { LoginThrottle } from './login-throttle.ts';

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

/** What a security token carries: the temporary key's id, owner and lifetime. */
interface StsClaims {
  kid: string;
  ak: string;
  uid: string;
  did: string;
  iat: number;
  exp: number;
}

type CallerFacts = Pick<Caller, 'roles' | 'account_admin'>;

/** The key a signature is checked with, and whose it is. */
interface SigningKey {
  secret: string;
  status: string;
  user_id: string;
  user_name: string;
  domain_id: string;
  domain_name: string;
  /** When a temporary key was issued (a password change after it revokes it); 0 for permanent keys. */
  issued_at: number;
  temporary: boolean;
}

export interface PasswordLogin {
  user: string;
  password: string;
  domain: string;
  /** Project scope: by id, or by name within the user's domain. */
  project: { id?: string; name?: string };
  /** Where the request came from, for the limit on failed logins. */
  address: string;
}

export interface IssuedToken {
  token: string;
  body: unknown;
}

const b64 = (b: Buffer | string) => Buffer.from(b).toString('base64url');

const CLAIM_STRINGS = ['kid', 'uid', 'un', 'did', 'dn', 'pid', 'pn'] as const;

/** How many verified tokens Identity remembers (at most 2 KB each: longer ones are refused first). */
const VERIFIED_TOKENS = 1024;

/** Epoch milliseconds a Date can hold (ECMA-262: ±8.64e15). */
const isTime = (v: unknown) => Number.isSafeInteger(v) && Math.abs(v as number) <= 8.64e15;

/** Claims as login() writes them: every name a string, both times epoch milliseconds. */
function wellFormed(c: unknown): c is TokenClaims {
  if (typeof c !== 'object' || c === null) return false;
  const claims = c as Record<string, unknown>;
  return (
    CLAIM_STRINGS.every((k) => typeof claims[k] === 'string') && isTime(claims.iat) && isTime(claims.exp)
  );
}

function wellFormedSts(c: unknown): c is StsClaims {
  if (typeof c !== 'object' || c === null) return false;
  const claims = c as Record<string, unknown>;
  return (
    (['kid', 'ak', 'uid', 'did'] as const).every((k) => typeof claims[k] === 'string') &&
    isTime(claims.iat) &&
    isTime(claims.exp)
  );
}

/** The JSON a base64url payload holds, or undefined. */
function readPayload(payload: string): unknown {
  try {
    return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

/** A token's body, as login and validation answer it (api-surface.md §1). */
function tokenBody(claims: TokenClaims, roles: readonly string[]) {
  const domain = { id: claims.did, name: claims.dn };
  return {
    token: {
      expires_at: iamTime(new Date(claims.exp)),
      issued_at: iamTime(new Date(claims.iat)),
      methods: ['password'],
      project: { id: claims.pid, name: claims.pn, domain },
      user: { id: claims.uid, name: claims.un, domain, password_expires_at: '' },
      roles: roles.map((id) => ({ id, name: systemRole(id)?.name ?? id })),
      catalog: [],
    },
  };
}

const authFail = (detail: string) => new ApiError('APIGW.0301', detail);

/** Every signature failure answers the same (errors.md); only the log says which check failed. */
const signatureFail = (reason: string) =>
  new ApiError('APIGW.0301', 'verify aksk signature fail', { reason });

/**
 * Password login and token verification. Tokens are `<payload>.<mac>`: the payload names the
 * signing key, the user and the project scope; the MAC is HMAC-SHA256 with a server key kept in
 * the store and cached here, so every replica on one database accepts every replica's tokens.
 */
export class Identity {
  #keys = new Map<string, string>();
  /**
   * The claims of tokens verified lately, by the whole token: a token is an immutable string under
   * the server key's MAC, so its claims are checked once, not on every call (its MAC costs an HMAC
   * and its payload a base64 and JSON decoding). Expiry is still checked on every call, and what the
   * store says of the user (#facts) is read on every call. A token that is not here, forged ones
   * included, is verified in full, its MAC compared in constant time.
   */
  #verified = new Map<string, TokenClaims>();
  #currentKid = '';
  /** A hash no password matches, verified against when the user does not exist. */
  #unknownUserHash: Promise<string> | undefined;
  readonly #throttle: LoginThrottle;

  constructor(private readonly deps: Deps) {
    const { config } = deps;
    this.#throttle = new LoginThrottle(
      {
        perUser: config.loginFailuresPerUser,
        perAddress: config.loginFailuresPerAddress,
        windowMs: config.loginWindowMs,
      },
      deps.clock,
    );
  }

  /** Loads the server keys, creating the first one on a new store. */
  async init(): Promise<void> {
    let keys = await this.deps.store.read((r) => r.identity.serverKeys());
    if (keys.length === 0) {
      await this.deps.store.tx(async (r) => {
        // Replicas starting together take turns, so they all end up with the same first key.
        await r.lockSetup();
        if ((await r.identity.serverKeys()).length > 0) return;
        await r.identity.insertServerKey({
          id: this.deps.ids.hex(8),
          secret: this.deps.ids.hex(32),
          created_at: this.deps.clock.now().toISOString(),
        });
      });
      keys = await this.deps.store.read((r) => r.identity.serverKeys());
    }
    for (const k of keys) this.#keys.set(k.id, k.secret);
    const last = keys.at(-1);
    if (!last) throw new Error('no server key in the store');
    this.#currentKid = last.id;
  }

  async login(req: PasswordLogin): Promise<IssuedToken> {
    // Refused before the password is looked at, the same for a real user and an unknown one.
    const wait = this.#throttle.waitFor(req.domain, req.user, req.address);
    if (wait > 0) {
      throw new ApiError('APIGW.0308', 'Too many failed logins; retry later.', {
        headers: { 'Retry-After': String(Math.ceil(wait / 1000)) },
        reason: `failed logins of user ${JSON.stringify(req.user)} or from ${req.address} over the limit`,
      });
    }
    const now = this.deps.clock.now();
    const found = await this.deps.store.read(async (r) => {
      const domain = await r.identity.domainByName(req.domain);
      if (!domain) return undefined;
      const user = await r.identity.userByName(domain.id, req.user);
      if (!user) return undefined;
      const projects = await r.identity.projectsOfDomain(domain.id);
      return { domain, user, projects };
    });
    // The same answer, after the same work, for an unknown user and a wrong password: nothing to
    // learn from the difference, not even from the time it takes.
    // Made on the first login of an unknown user, not at start: scrypt is costly by design.
    const hash =
      found?.user.password_hash ??
      (await (this.#unknownUserHash ??= hashPassword(randomBytes(16).toString('hex'))));
    // A disabled user answers as a wrong password does.
    if (!(await verifyPassword(req.password, hash)) || !found || found.user.enabled === 0) {
      this.#throttle.failed(req.domain, req.user, req.address);
      throw new ApiError('IAM.0401');
    }
    this.#throttle.succeeded(req.domain, req.user);
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
    const token = this.#mint(claims);
    const roles = await this.deps.store.read((r) => r.identity.rolesOnProject(found.user.id, project.id));
    return { token, body: tokenBody(claims, roles) };
  }

  /**
   * KeystoneValidateToken: the subject token's body, as login gave it, while it still works; a
   * token of another account answers as an invalid one. A user validates its own tokens; only an
   * account admin those of the account's other users.
   */
  async validate(caller: Caller, subject: string | undefined): Promise<IssuedToken> {
    const invalid = () => new ApiError('IAM.0404', 'X-Subject-Token is invalid in the request');
    if (subject === undefined || subject.length > 2048) throw invalid();
    let claims: TokenClaims;
    let facts: CallerFacts;
    try {
      claims = this.#claims(subject);
      facts = await this.#facts(claims.uid, claims.pid, claims.iat);
    } catch (e) {
      if (e instanceof ApiError) throw invalid();
      throw e;
    }
    if (claims.did !== caller.domain_id) throw invalid();
    if (claims.uid !== caller.user_id && !caller.account_admin) {
      throw new ApiError('IAM.0403', "Only an account admin may validate another user's token.");
    }
    return { token: subject, body: tokenBody(claims, facts.roles) };
  }

  /**
   * CreateTemporaryAccessKeyByToken: an AK/SK pair and the security token that must go with it.
   * Nothing is stored: the security token carries the pair's owner and expiry under the server
   * key's MAC, and the secret is derived from it, so every replica verifies it alike.
   */
  async temporaryKey(caller: Caller, input: { token?: string; duration_seconds?: number }) {
    let owner = { uid: caller.user_id, did: caller.domain_id };
    if (input.token !== undefined) {
      const claims = this.#claims(input.token);
      await this.#facts(claims.uid, claims.pid, claims.iat);
      if (claims.did !== caller.domain_id) throw authFail('decrypt token fail');
      owner = { uid: claims.uid, did: claims.did };
    }
    const now = this.deps.clock.now().getTime();
    const sts: StsClaims = {
      kid: this.#currentKid,
      ak: this.deps.ids.hex(10).toUpperCase(),
      uid: owner.uid,
      did: owner.did,
      iat: now,
      exp: now + (input.duration_seconds ?? 900) * 1000,
    };
    const payload = b64(JSON.stringify(sts));
    const securitytoken = `${payload}.${b64(hmacSha256(this.#key(sts.kid), payload))}`;
    const expires_at = iamTime(new Date(sts.exp));
    // Nothing is stored but the event: who was given a key, whose, until when; never the secret.
    await this.deps.store.tx((r) =>
      audit(r, this.deps, caller, 'create', 'securitytoken', sts.ak, { user_id: owner.uid, expires_at }),
    );
    return { access: sts.ak, secret: this.#stsSecret(sts.kid, payload), securitytoken, expires_at };
  }

  /** The caller a token names, or 401 APIGW.0301 with the gateway's exact detail (errors.md). */
  async verify(token: string, requestId: string): Promise<Caller> {
    const claims = this.#claims(token);
    const facts = await this.#facts(claims.uid, claims.pid, claims.iat);
    return {
      user_id: claims.uid,
      user_name: claims.un,
      domain_id: claims.did,
      domain_name: claims.dn,
      project_id: claims.pid,
      project_name: claims.pn,
      request_id: requestId,
      ...facts,
    };
  }

  /** A token's claims, when this server minted it and it has not expired. */
  #claims(token: string): TokenClaims {
    const remembered = this.#verified.get(token);
    // Taken out, and put back at the end while it holds: the least recently used goes first.
    if (remembered !== undefined) this.#verified.delete(token);
    const claims = remembered ?? this.#readToken(token);
    if (this.deps.clock.now().getTime() >= claims.exp) {
      throw authFail(`token expires, expires_at: ${endpointTime(new Date(claims.exp))}`);
    }
    this.#verified.set(token, claims);
    if (this.#verified.size > VERIFIED_TOKENS) this.#verified.delete(this.#verified.keys().next().value!);
    return claims;
  }

  /** A token's claims, when this server minted it (whether it has expired is #claims' to say). */
  #readToken(token: string): TokenClaims {
    const dot = token.indexOf('.');
    if (dot <= 0) throw authFail('decrypt token fail');
    const payload = token.slice(0, dot);
    const claims = readPayload(payload);
    // Only this server mints tokens, but expiry still fails closed: claims of any other shape
    // (no `exp`, a string, a number that is no time) make the token unreadable.
    if (!wellFormed(claims)) throw authFail('decrypt token fail');
    const key = this.#keys.get(claims.kid);
    if (key === undefined || !safeEqual(token.slice(dot + 1), b64(hmacSha256(key, payload)))) {
      throw authFail('decrypt token fail');
    }
    return Object.freeze(claims);
  }

  /**
   * What the store says of a caller now: the user must still exist and its password must not have
   * changed since the credential was issued; then its roles on the project and whether it is an
   * account admin. One read per call, so a revoked grant or a deleted user stops at once, on
   * every replica.
   */
  async #facts(userId: string, projectId: string, issuedAt: number): Promise<CallerFacts> {
    const rows = await this.deps.store.readStatement((r) => r.identity.userWithGrants(userId));
    return this.#factsOf(rows, projectId, issuedAt);
  }

  /** #facts of the user's rows as userWithGrants reads them. */
  #factsOf(rows: readonly GrantRow[], projectId: string, issuedAt: number): CallerFacts {
    const user = rows[0];
    if (!user) throw authFail('the user of this credential no longer exists');
    if (user.enabled === 0) throw authFail('the user of this credential is disabled');
    const changed = user.password_changed_at === '' ? 0 : Date.parse(user.password_changed_at);
    if (issuedAt < changed) throw authFail('the credential was issued before the password changed');
    const roles = new Set<string>();
    for (const row of rows) {
      const onProject = row.grant_project === projectId || row.grant_project === ALL_PROJECTS;
      if (projectId !== '' && onProject && row.role_id !== null) roles.add(row.role_id);
    }
    return { roles: [...roles], account_admin: rows.some((row) => row.group_name === ADMIN_GROUP) };
  }

  #mint(claims: TokenClaims): string {
    const payload = b64(JSON.stringify(claims));
    return `${payload}.${b64(hmacSha256(this.#key(claims.kid), payload))}`;
  }

  #stsSecret(kid: string, payload: string): string {
    return b64(hmacSha256(this.#key(kid), `sts-secret.${payload}`)).slice(0, 40);
  }

  /** The owner of a temporary access key, from its security token (signing.md, "Temporary keys"). */
  #temporaryKey(access: string, securityToken: string) {
    const dot = securityToken.indexOf('.');
    const payload = dot > 0 ? securityToken.slice(0, dot) : '';
    const sts = readPayload(payload);
    if (!wellFormedSts(sts)) return { error: 'the security token is not one this server issued' };
    const key = this.#keys.get(sts.kid);
    if (key === undefined || !safeEqual(securityToken.slice(dot + 1), b64(hmacSha256(key, payload)))) {
      return { error: 'the security token was altered or is not one this server issued' };
    }
    if (sts.ak !== access) return { error: `the security token is not that of access key ${access}` };
    if (this.deps.clock.now().getTime() >= sts.exp) {
      return { error: `the security token expired at ${endpointTime(new Date(sts.exp))}`, expired: true };
    }
    return { sts, secret: this.#stsSecret(sts.kid, payload) };
  }

  /**
   * The caller an SDK-HMAC-SHA256 signature proves (signing.md, "Server rules"). The AK's owner
   * decides the project: `X-Project-Id`, or else the path's project, must be one of the owner's.
   */
  async verifySignature(
    req: RequestToVerify,
    pathProjectId: string | undefined,
    requestId: string,
  ): Promise<Caller> {
    const header = req.headers.authorization;
    const auth = typeof header === 'string' ? parseAuthorization(header) : undefined;
    if (!auth) throw signatureFail('malformed Authorization header');
    if (!auth.signedHeaders.includes('host') || !auth.signedHeaders.includes('x-sdk-date')) {
      throw signatureFail('host and x-sdk-date must be signed');
    }
    const sdkDate = req.headers['x-sdk-date'];
    const date = typeof sdkDate === 'string' ? parseSdkDate(sdkDate) : undefined;
    if (!date || typeof sdkDate !== 'string') throw signatureFail('X-Sdk-Date missing or malformed');
    if (Math.abs(date.getTime() - this.deps.clock.now().getTime()) > CLOCK_SKEW_MS) {
      throw signatureFail(`X-Sdk-Date ${sdkDate} is more than 15 minutes from the server clock`);
    }
    const securityToken = req.headers['x-security-token'];
    const projectHeader = req.headers['x-project-id'];
    const projectId =
      typeof projectHeader === 'string' && projectHeader !== '' ? projectHeader : pathProjectId;
    // Text no store holds names no project: answered like an unknown one, and never sent to the store.
    const projectToRead = projectId === undefined || unacceptableText(projectId) ? '' : projectId;
    let key: SigningKey;
    let project: { id: string; name: string; domain_id: string } | undefined;
    let grants: GrantRow[];
    if (typeof securityToken === 'string' && securityToken !== '') {
      // A temporary key: the security token must be signed too, or it could be swapped in transit.
      if (!auth.signedHeaders.includes('x-security-token')) {
        throw signatureFail('X-Security-Token must be among the signed headers');
      }
      const sts = this.#temporarySigner(auth.access, securityToken);
      let owner;
      [owner, project, grants] = await this.deps.store.readStatement((r) =>
        r.together(...r.identity.temporarySignedCallRead(sts.sts.uid, projectToRead)),
      );
      if (!owner || owner.domain_id !== sts.sts.did) {
        throw authFail('the user of this credential no longer exists');
      }
      key = { ...owner, secret: sts.secret, status: 'active', issued_at: sts.sts.iat, temporary: true };
    } else {
      let owner;
      [owner, project, grants] = await this.deps.store.readStatement((r) =>
        r.together(...r.identity.signedCallRead(auth.access, projectToRead)),
      );
      key = owner
        ? { ...owner, issued_at: 0, temporary: false }
        : {
            secret: '',
            status: 'unknown',
            user_id: '',
            user_name: '',
            domain_id: '',
            domain_name: '',
            issued_at: 0,
            temporary: false,
          };
    }
    // Computed even for an unknown key, so the answer takes as long either way.
    const expected = computeSignature(key.secret, sdkDate, canonicalRequest(req, auth.signedHeaders));
    const matches = safeEqual(expected, auth.signature);
    if (key.status === 'unknown') throw signatureFail(`unknown access key ${auth.access}`);
    if (!matches) throw signatureFail(`signature mismatch for access key ${auth.access}`);
    if (key.status !== 'active') throw signatureFail(`access key ${auth.access} is disabled`);

    const domainHeader = req.headers['x-domain-id'];
    if (typeof domainHeader === 'string' && domainHeader !== '' && domainHeader !== key.domain_id) {
      throw new ApiError(
        'APIGW.0302',
        `The access key has no access to domain ${domainHeader.slice(0, 64)}.`,
      );
    }
    if (
      projectId !== undefined &&
      (projectToRead === '' || !project || project.domain_id !== key.domain_id)
    ) {
      throw new ApiError('APIGW.0302', `The access key has no access to project ${projectId.slice(0, 64)}.`);
    }
    const facts = this.#factsOf(grants, project?.id ?? '', key.issued_at);
    return {
      user_id: key.user_id,
      user_name: key.user_name,
      domain_id: key.domain_id,
      domain_name: key.domain_name,
      project_id: project?.id ?? '',
      project_name: project?.name ?? '',
      request_id: requestId,
      ...facts,
      ...(key.temporary ? { temporary: true } : {}),
    };
  }

  /** What a security token vouches for; its failures answer 401 like any bad signature. */
  #temporarySigner(access: string, securityToken: string) {
    const found = this.#temporaryKey(access, securityToken.length > 4096 ? '' : securityToken);
    if ('error' in found) {
      throw found.expired
        ? authFail('the security token has expired')
        : signatureFail(found.error ?? 'bad security token');
    }
    return found;
  }

  /** The projects of the caller's domain, optionally by name: how the SDKs discover a project id. */
  async projects(caller: Caller, name?: string) {
    const rows = await this.deps.store.read((r) => r.identity.projectsOfDomain(caller.domain_id));
    return rows.filter((p) => name === undefined || p.name === name).map(projectView);
  }

  domains(caller: Caller) {
    return [{ id: caller.domain_id, name: caller.domain_name, enabled: true, description: '' }];
  }

  /**
   * A MAC of `data` under the current server key, as `<kid>.<mac>`, for a part of the server that
   * signs something of its own (the console's cookies, spec/console.md). The purpose goes into the
   * MAC with a `.` no token payload has, so no such MAC ever passes for a token's, or for another
   * purpose's.
   */
  macFor(purpose: string, data: string): string {
    return `${this.#currentKid}.${b64(hmacSha256(this.#key(this.#currentKid), `${purpose}.${data}`))}`;
  }

  /** Whether `mac` is macFor(purpose, data) under any server key of the store, checked in constant time. */
  checkMac(purpose: string, data: string, mac: string): boolean {
    const dot = mac.indexOf('.');
    const key = dot > 0 ? this.#keys.get(mac.slice(0, dot)) : undefined;
    if (key === undefined) return false;
    return safeEqual(mac.slice(dot + 1), b64(hmacSha256(key, `${purpose}.${data}`)));
  }

  #key(kid: string): string {
    const key = this.#keys.get(kid);
    if (key === undefined) throw new Error('unknown server key');
    return key;
  }
}
