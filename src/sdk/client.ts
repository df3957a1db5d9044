import { VpcepError } from './errors.ts';
import { fetchAnswer, normalizeEndpoint, parseAnswer, type RawAnswer } from './http.ts';
import { signRequest } from './signer.ts';
import type {
  AccessKey,
  AddFaultRequest,
  ApiVersions,
  AssociateRoutetableRequest,
  CreateAccessKeyRequest,
  CreatedAccessKey,
  CreateEndpointRequest,
  CreateRoutetableRequest,
  CreateSubnetRequest,
  CreateVpcRequest,
  DescribedEndpointService,
  DescribeServiceQuery,
  DomainList,
  Endpoint,
  EndpointList,
  Fault,
  ListEndpointsQuery,
  ListPublicServicesQuery,
  ListRoutetablesQuery,
  ProjectList,
  PublicEndpointServiceList,
  Routetable,
  RoutetableSummary,
  Subnet,
  TokenBody,
  UpdateAccessKeyRequest,
  UpdateEndpointRoutetablesRequest,
  UpdateEndpointRoutetablesResponse,
  UpdateRoutetableRequest,
  Vpc,
} from './types.ts';

/** AK/SK: every request is signed (spec/signing.md). */
export interface AkSkCredentials {
  ak: string;
  sk: string;
}

/** A token from `POST /v3/auth/tokens`, sent as `X-Auth-Token`. */
export interface TokenCredentials {
  token: string;
}

/** A password login scoped to the client's project; the token is cached until shortly before it expires. */
export interface PasswordCredentials {
  user: string;
  password: string;
  domain: string;
}

export type Credentials = AkSkCredentials | TokenCredentials | PasswordCredentials;

export interface VpcepClientOptions {
  /** `http://127.0.0.1:8080`; trailing slashes are stripped (the official SDK would sign `//v1/...`). */
  endpoint: string;
  projectId: string;
  credentials: Credentials;
  fetch?: typeof globalThis.fetch;
  /** Signing time and token expiry; defaults to the system clock. */
  clock?: { now(): Date };
  /** Per request, default 30 s. */
  timeoutMs?: number;
}

type Query = Record<string, string | number | boolean | undefined>;

interface Session {
  token: string;
  /** Epoch ms after which the token is not used any more. */
  renewAt: number;
  userId: string;
  body: TokenBody;
}

/** A token is renewed this long before it expires, so it never expires in flight. */
const RENEW_MARGIN_MS = 5 * 60 * 1000;

const isAkSk = (c: Credentials): c is AkSkCredentials => 'ak' in c;
const isPassword = (c: Credentials): c is PasswordCredentials => 'password' in c;
const seg = encodeURIComponent;

/**
 * The typed client of vpcep's API (and of the Huawei Cloud calls it serves). Methods take and
 * return the wire bodies unchanged; a non-2xx answer throws VpcepError, an unreachable server
 * VpcepNetworkError. Secrets never appear in an error or a log line.
 */
export class VpcepClient {
  readonly endpoint: string;
  readonly projectId: string;
  readonly #credentials: Credentials;
  readonly #fetch: typeof globalThis.fetch;
  readonly #clock: { now(): Date };
  readonly #timeoutMs: number;
  #session: Promise<Session> | undefined;

  constructor(options: VpcepClientOptions) {
    const endpoint = normalizeEndpoint(options.endpoint);
    if (!options.projectId) throw new TypeError('projectId is required');
    this.endpoint = endpoint;
    this.projectId = options.projectId;
    this.#credentials = options.credentials;
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#clock = options.clock ?? { now: () => new Date() };
    this.#timeoutMs = options.timeoutMs ?? 30_000;
  }

  /** `GET /`: the API versions; needs no credentials. */
  versions(): Promise<ApiVersions> {
    return this.#call('GET', '/', { auth: false });
  }

  readonly iam = {
    /** Logs in with the password credentials (done on demand anyway) and returns the token body. */
    login: async (): Promise<TokenBody> => (await this.#newSession()).body,
    /** `GET /v3/projects?name=`: how the official SDKs find a project id from a region. */
    listProjects: (query: { name?: string; domain_id?: string } = {}) =>
      this.#call<ProjectList>('GET', '/v3/projects', { query }),
    listAuthProjects: () => this.#call<ProjectList>('GET', '/v3/auth/projects'),
    listAuthDomains: () => this.#call<DomainList>('GET', '/v3/auth/domains'),
    /** The id of the user the credentials belong to. */
    currentUserId: async (): Promise<string> => {
      const creds = this.#credentials;
      if (isPassword(creds)) return (await this.#currentSession()).userId;
      const { credentials } = await this.accessKeys.list();
      const own = isAkSk(creds) ? credentials.find((k) => k.access === creds.ak) : credentials[0];
      if (!own) throw new Error('cannot tell the user id from these credentials; pass user_id');
      return own.user_id;
    },
  };

  /** IAM permanent access keys (`/v3.0/OS-CREDENTIAL/credentials`). The SK is returned by create only. */
  readonly accessKeys = {
    create: (body: CreateAccessKeyRequest) =>
      this.#call<{ credential: CreatedAccessKey }>('POST', '/v3.0/OS-CREDENTIAL/credentials', { body }),
    list: (query: { user_id?: string } = {}) =>
      this.#call<{ credentials: AccessKey[] }>('GET', '/v3.0/OS-CREDENTIAL/credentials', { query }),
    get: (access: string) =>
      this.#call<{ credential: AccessKey }>('GET', `/v3.0/OS-CREDENTIAL/credentials/${seg(access)}`),
    update: (access: string, body: UpdateAccessKeyRequest) =>
      this.#call<{ credential: AccessKey }>('PUT', `/v3.0/OS-CREDENTIAL/credentials/${seg(access)}`, {
        body,
      }),
    delete: (access: string) => this.#call<void>('DELETE', `/v3.0/OS-CREDENTIAL/credentials/${seg(access)}`),
  };

  readonly vpcs = {
    create: (body: CreateVpcRequest) => this.#call<{ vpc: Vpc }>('POST', this.#p('/vpcs'), { body }),
    list: () => this.#call<{ vpcs: Vpc[] }>('GET', this.#p('/vpcs')),
    get: (id: string) => this.#call<{ vpc: Vpc }>('GET', this.#p(`/vpcs/${seg(id)}`)),
    delete: (id: string) => this.#call<void>('DELETE', this.#p(`/vpcs/${seg(id)}`)),
  };

  readonly subnets = {
    create: (body: CreateSubnetRequest) =>
      this.#call<{ subnet: Subnet }>('POST', this.#p('/subnets'), { body }),
    list: (query: { vpc_id?: string } = {}) =>
      this.#call<{ subnets: Subnet[] }>('GET', this.#p('/subnets'), { query }),
    get: (id: string) => this.#call<{ subnet: Subnet }>('GET', this.#p(`/subnets/${seg(id)}`)),
    delete: (vpcId: string, id: string) =>
      this.#call<void>('DELETE', this.#p(`/vpcs/${seg(vpcId)}/subnets/${seg(id)}`)),
  };

  readonly routetables = {
    list: (query: ListRoutetablesQuery = {}) =>
      this.#call<{ routetables: RoutetableSummary[] }>('GET', this.#p('/routetables'), {
        query: { ...query },
      }),
    get: (id: string) => this.#call<{ routetable: Routetable }>('GET', this.#p(`/routetables/${seg(id)}`)),
    create: (body: CreateRoutetableRequest) =>
      this.#call<{ routetable: Routetable }>('POST', this.#p('/routetables'), { body }),
    update: (id: string, body: UpdateRoutetableRequest) =>
      this.#call<{ routetable: Routetable }>('PUT', this.#p(`/routetables/${seg(id)}`), { body }),
    delete: (id: string) => this.#call<void>('DELETE', this.#p(`/routetables/${seg(id)}`)),
    /** Associates or disassociates subnets (`POST .../routetables/{id}/action`). */
    associate: (id: string, body: AssociateRoutetableRequest) =>
      this.#call<{ routetable: Routetable }>('POST', this.#p(`/routetables/${seg(id)}/action`), { body }),
  };

  readonly endpointServices = {
    listPublic: (query: ListPublicServicesQuery = {}) =>
      this.#call<PublicEndpointServiceList>('GET', this.#p('/vpc-endpoint-services/public'), {
        query: { ...query },
      }),
    describe: (query: DescribeServiceQuery) =>
      this.#call<DescribedEndpointService>('GET', this.#p('/vpc-endpoint-services/describe'), {
        query: { ...query },
      }),
  };

  readonly endpoints = {
    create: (body: CreateEndpointRequest) =>
      this.#call<Endpoint>('POST', this.#p('/vpc-endpoints'), { body }),
    list: (query: ListEndpointsQuery = {}) =>
      this.#call<EndpointList>('GET', this.#p('/vpc-endpoints'), { query: { ...query } }),
    get: (id: string) => this.#call<Endpoint>('GET', this.#p(`/vpc-endpoints/${seg(id)}`)),
    delete: (id: string) => this.#call<void>('DELETE', this.#p(`/vpc-endpoints/${seg(id)}`)),
    /** UpdateEndpointRoutetable: `body.routetables` is the complete desired set. */
    updateRoutetables: (id: string, body: UpdateEndpointRoutetablesRequest) =>
      this.#call<UpdateEndpointRoutetablesResponse>('PUT', this.#p(`/vpc-endpoints/${seg(id)}/routetables`), {
        body,
      }),
  };

  /** vpcep's own fault injection (`/vpcep/v1/{project_id}/faults`). */
  readonly faults = {
    list: () => this.#call<{ faults: Fault[] }>('GET', `/vpcep/v1/${seg(this.projectId)}/faults`),
    add: (body: AddFaultRequest) =>
      this.#call<{ fault: Fault }>('POST', `/vpcep/v1/${seg(this.projectId)}/faults`, { body }),
    remove: (id: string) => this.#call<void>('DELETE', `/vpcep/v1/${seg(this.projectId)}/faults/${seg(id)}`),
  };

  #p(rest: string): string {
    return `/v1/${seg(this.projectId)}${rest}`;
  }

  async #call<T>(
    method: string,
    path: string,
    options: { query?: Query; body?: unknown; auth?: boolean } = {},
  ): Promise<T> {
    const url = new URL(this.endpoint + path);
    for (const [name, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) url.searchParams.append(name, String(value));
    }
    const body = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
    let answer = await this.#send(method, url, body, options.auth !== false);
    // A cached token may have been revoked or the server restarted with new keys: log in once more.
    if (answer.status === 401 && options.auth !== false && isPassword(this.#credentials)) {
      this.#session = undefined;
      answer = await this.#send(method, url, body, true);
    }
    return parseAnswer<T>(answer);
  }

  async #send(method: string, url: URL, body: Buffer | undefined, auth: boolean): Promise<RawAnswer> {
    // The official SDK sends Content-Type on every method and signs it (signing.md).
    let headers: Record<string, string> = { 'content-type': 'application/json' };
    const creds = this.#credentials;
    if (auth) {
      if (isAkSk(creds)) {
        headers = signRequest(
          { method, url, headers, ...(body ? { body } : {}) },
          { ak: creds.ak, sk: creds.sk, projectId: this.projectId, date: this.#clock.now() },
        ).headers;
      } else if (isPassword(creds)) {
        headers['x-auth-token'] = (await this.#currentSession()).token;
      } else {
        headers['x-auth-token'] = creds.token;
      }
    }
    headers.accept = 'application/json';
    return this.#fetchRaw(method, url, headers, body);
  }

  #fetchRaw(
    method: string,
    url: URL,
    headers: Record<string, string>,
    body: Buffer | undefined,
  ): Promise<RawAnswer> {
    return fetchAnswer(
      { fetch: this.#fetch, endpoint: this.endpoint, timeoutMs: this.#timeoutMs },
      method,
      url,
      headers,
      body,
    );
  }

  #currentSession(): Promise<Session> {
    const cached = this.#session;
    if (!cached) return this.#newSession();
    return cached.then((s) => (s.renewAt > this.#clock.now().getTime() ? s : this.#newSession()));
  }

  #newSession(): Promise<Session> {
    const session = this.#login();
    this.#session = session;
    // A failed login is not cached: the next call tries again.
    session.catch(() => {
      if (this.#session === session) this.#session = undefined;
    });
    return session;
  }

  async #login(): Promise<Session> {
    const creds = this.#credentials;
    if (!isPassword(creds)) throw new Error('login needs password credentials (user, password, domain)');
    const url = new URL(`${this.endpoint}/v3/auth/tokens`);
    const body = Buffer.from(
      JSON.stringify({
        auth: {
          identity: {
            methods: ['password'],
            password: {
              user: { name: creds.user, password: creds.password, domain: { name: creds.domain } },
            },
          },
          scope: { project: { id: this.projectId } },
        },
      }),
    );
    const answer = await this.#fetchRaw(
      'POST',
      url,
      { 'content-type': 'application/json', accept: 'application/json' },
      body,
    );
    const parsed = parseAnswer<TokenBody>(answer);
    if (!answer.subjectToken) {
      throw new VpcepError(
        answer.status,
        'InvalidResponse',
        'The login answer has no X-Subject-Token.',
        answer.requestId,
        undefined,
      );
    }
    const expires = Date.parse(parsed.token.expires_at);
    const renewAt = Number.isNaN(expires) ? Infinity : expires - RENEW_MARGIN_MS;
    return { token: answer.subjectToken, renewAt, userId: parsed.token.user.id, body: parsed };
  }
}
