import { VpcepError } from './errors.ts';
import { exchange, normalizeEndpoint, parseAnswer, type RawAnswer, type Transport } from './http.ts';
import { everyItem, markerPaged, offsetPaged } from './pages.ts';
import { retryPolicy, type RetryOptions } from './retry.ts';
import { signRequest } from './signer.ts';
import type * as T from './types.ts';

/** AK/SK: every request is signed (spec/signing.md). */
export interface AkSkCredentials {
  ak: string;
  sk: string;
  /** With a temporary key (`accessKeys.createTemporary`): sent as `X-Security-Token`, and signed. */
  securityToken?: string;
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
  /** Per attempt, default 30 s. */
  timeoutMs?: number;
  /** Retries of 409 VPCEP.0409, 429 and 503 (retry.ts); `false` turns them off. */
  retry?: RetryOptions | false;
}

type Query = Record<string, string | number | boolean | readonly string[] | undefined>;

interface CallOptions {
  query?: Query | undefined;
  body?: unknown;
  /** false: no credentials are sent (the version calls). */
  auth?: boolean;
  headers?: Record<string, string>;
  /** Sending it twice does no more than once; default: every method but POST (retry.ts). */
  repeatable?: boolean;
}

interface Session {
  token: string;
  /** Epoch ms after which the token is not used any more. */
  renewAt: number;
  userId: string;
  body: T.TokenBody;
}

/** A token is renewed this long before it expires, so it never expires in flight. */
const RENEW_MARGIN_MS = 5 * 60 * 1000;

/** The largest page each list serves (spec/published): listAll asks for pages this big unless told. */
const MAX_LIMIT = 1000;
const MAX_PERMISSIONS_LIMIT = 500;
const MAX_ROUTETABLES_LIMIT = 2000;
const MAX_ROLES_PER_PAGE = 300;

const isAkSk = (c: Credentials): c is AkSkCredentials => 'ak' in c;
const isPassword = (c: Credentials): c is PasswordCredentials => 'password' in c;
const seg = encodeURIComponent;

/**
 * The typed client of vpcep's API (and of the Huawei Cloud calls it serves): one method per
 * operation the server serves, in groups. Methods take and return the wire bodies unchanged;
 * `listAll` methods are async iterables over every page. A non-2xx answer throws VpcepError (or
 * its subclass for 401/403, 404, 409 and 429), an unreachable server VpcepNetworkError. Secrets
 * never appear in an error or a log line.
 */
export class VpcepClient {
  readonly endpoint: string;
  readonly projectId: string;
  readonly #credentials: Credentials;
  readonly #transport: Transport;
  readonly #clock: { now(): Date };
  #session: Promise<Session> | undefined;

  constructor(options: VpcepClientOptions) {
    const endpoint = normalizeEndpoint(options.endpoint);
    if (!options.projectId) throw new TypeError('projectId is required');
    this.endpoint = endpoint;
    this.projectId = options.projectId;
    this.#credentials = options.credentials;
    this.#clock = options.clock ?? { now: () => new Date() };
    this.#transport = {
      fetch: options.fetch ?? globalThis.fetch,
      endpoint,
      timeoutMs: options.timeoutMs ?? 30_000,
      retry: retryPolicy(options.retry),
    };
  }

  /** ListVersionDetails, `GET /`: the API versions; needs no credentials. */
  versions(): Promise<T.ApiVersions> {
    return this.#call('GET', '/', { auth: false });
  }

  /** ListSpecifiedVersionDetails, `GET /{version}`: one version; needs no credentials. */
  version(version = 'v1'): Promise<T.ApiVersion> {
    return this.#call('GET', `/${seg(version)}`, { auth: false });
  }

  // --- Identity (IAM) -----------------------------------------------------------------------------

  readonly iam = {
    /** Logs in with the password credentials (done on demand anyway) and returns the token body. */
    login: async (): Promise<T.TokenBody> => (await this.#newSession()).body,
    /** `GET /v3/projects?name=`: how the official SDKs find a project id from a region. */
    listProjects: (query: T.ListProjectsQuery = {}): Promise<T.ProjectList> =>
      this.#call('GET', '/v3/projects', { query }),
    listAuthProjects: (): Promise<T.ProjectList> => this.#call('GET', '/v3/auth/projects'),
    listAuthDomains: (): Promise<T.DomainList> => this.#call('GET', '/v3/auth/domains'),
    /** KeystoneValidateToken: the body of `subjectToken` (an admin may validate its users' tokens). */
    validateToken: (subjectToken: string): Promise<T.TokenBody> =>
      this.#call('GET', '/v3/auth/tokens', { headers: { 'x-subject-token': subjectToken } }),
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
    create: (body: T.CreateAccessKeyRequest): Promise<T.CreatedAccessKeyAnswer> =>
      this.#call('POST', '/v3.0/OS-CREDENTIAL/credentials', { body }),
    list: (query: T.ListAccessKeysQuery = {}): Promise<T.AccessKeyList> =>
      this.#call('GET', '/v3.0/OS-CREDENTIAL/credentials', { query }),
    get: (access: string): Promise<T.AccessKeyAnswer> =>
      this.#call('GET', `/v3.0/OS-CREDENTIAL/credentials/${seg(access)}`),
    update: (access: string, body: T.UpdateAccessKeyRequest): Promise<T.AccessKeyAnswer> =>
      this.#call('PUT', `/v3.0/OS-CREDENTIAL/credentials/${seg(access)}`, {
        body,
      }),
    delete: (access: string): Promise<void> =>
      this.#call('DELETE', `/v3.0/OS-CREDENTIAL/credentials/${seg(access)}`),
    /**
     * CreateTemporaryAccessKeyByToken: a temporary AK/SK with its security token, for the token the
     * client calls with, or the one in `auth.identity.token.id`. Use it as
     * `{ ak: access, sk: secret, securityToken: securitytoken }`.
     */
    createTemporary: (
      body: T.CreateTemporaryAccessKeyRequest = { auth: { identity: { methods: ['token'] } } },
    ): Promise<T.TemporaryAccessKey> => this.#call('POST', '/v3.0/OS-CREDENTIAL/securitytokens', { body }),
  };

  /** IAM users of the caller's account (`/v3/users`). */
  readonly users = {
    create: (body: T.CreateUserRequest): Promise<T.UserAnswer> => this.#call('POST', '/v3/users', { body }),
    list: (query: T.ListUsersQuery = {}): Promise<T.UserList> => this.#call('GET', '/v3/users', { query }),
    get: (userId: string): Promise<T.UserAnswer> => this.#call('GET', `/v3/users/${seg(userId)}`),
    delete: (userId: string): Promise<void> => this.#call('DELETE', `/v3/users/${seg(userId)}`),
    /** KeystoneUpdateUserPassword: a user changes its own password, giving the original. */
    changePassword: (userId: string, body: T.UpdatePasswordRequest): Promise<void> =>
      this.#call('POST', `/v3/users/${seg(userId)}/password`, { body }),
  };

  /** IAM projects (`/v3/projects`); `iam.listProjects` is the same list. */
  readonly projects = {
    create: (body: T.CreateProjectRequest): Promise<T.ProjectAnswer> =>
      this.#call('POST', '/v3/projects', { body }),
    list: (query: T.ListProjectsQuery = {}): Promise<T.ProjectList> => this.iam.listProjects(query),
    get: (projectId: string): Promise<T.ProjectAnswer> => this.#call('GET', `/v3/projects/${seg(projectId)}`),
  };

  /** IAM user groups, their members, and the roles they are granted on projects. */
  readonly groups = {
    create: (body: T.CreateGroupRequest): Promise<T.GroupAnswer> =>
      this.#call('POST', '/v3/groups', { body }),
    list: (query: T.ListGroupsQuery = {}): Promise<T.GroupList> => this.#call('GET', '/v3/groups', { query }),
    delete: (groupId: string): Promise<void> => this.#call('DELETE', `/v3/groups/${seg(groupId)}`),
    listUsers: (groupId: string): Promise<T.UserList> =>
      this.#call('GET', `/v3/groups/${seg(groupId)}/users`),
    addUser: (groupId: string, userId: string): Promise<void> =>
      this.#call('PUT', `/v3/groups/${seg(groupId)}/users/${seg(userId)}`),
    removeUser: (groupId: string, userId: string): Promise<void> =>
      this.#call('DELETE', `/v3/groups/${seg(groupId)}/users/${seg(userId)}`),
    /** The roles the group holds on a project. */
    listRoles: (projectId: string, groupId: string): Promise<T.RoleList> =>
      this.#call('GET', this.#grantPath(projectId, groupId)),
    grantRole: (projectId: string, groupId: string, roleId: string): Promise<void> =>
      this.#call('PUT', `${this.#grantPath(projectId, groupId)}/${seg(roleId)}`),
    revokeRole: (projectId: string, groupId: string, roleId: string): Promise<void> =>
      this.#call('DELETE', `${this.#grantPath(projectId, groupId)}/${seg(roleId)}`),
  };

  /** The system roles (KeystoneListPermissions), paged with `page` and `per_page`. */
  readonly roles = {
    list: (query: T.ListRolesQuery = {}): Promise<T.RoleList> => this.#call('GET', '/v3/roles', { query }),
    listAll: (query: Omit<T.ListRolesQuery, 'page'> = {}): AsyncGenerator<T.Role, void, undefined> =>
      offsetPaged({ limit: query.per_page }, MAX_ROLES_PER_PAGE, async (offset, limit) => ({
        items: (await this.roles.list({ ...query, per_page: limit, page: offset / limit + 1 })).roles,
      })),
  };

  // --- VPC ----------------------------------------------------------------------------------------

  readonly vpcs = {
    create: (body: T.CreateVpcRequest): Promise<T.VpcAnswer> =>
      this.#call('POST', this.#p('/vpcs'), { body }),
    list: (): Promise<T.VpcList> => this.#call('GET', this.#p('/vpcs')),
    get: (id: string): Promise<T.VpcAnswer> => this.#call('GET', this.#p(`/vpcs/${seg(id)}`)),
    delete: (id: string): Promise<void> => this.#call('DELETE', this.#p(`/vpcs/${seg(id)}`)),
  };

  readonly subnets = {
    create: (body: T.CreateSubnetRequest): Promise<T.SubnetAnswer> =>
      this.#call('POST', this.#p('/subnets'), { body }),
    list: (query: T.ListSubnetsQuery = {}): Promise<T.SubnetList> =>
      this.#call('GET', this.#p('/subnets'), { query }),
    get: (id: string): Promise<T.SubnetAnswer> => this.#call('GET', this.#p(`/subnets/${seg(id)}`)),
    delete: (vpcId: string, id: string): Promise<void> =>
      this.#call('DELETE', this.#p(`/vpcs/${seg(vpcId)}/subnets/${seg(id)}`)),
  };

  readonly routetables = {
    list: (query: T.ListRoutetablesQuery = {}): Promise<T.RoutetableList> =>
      this.#call('GET', this.#p('/routetables'), { query: { ...query } }),
    /** Every route table, page by page (`marker` is the last id of the page before). */
    listAll: (query: T.ListRoutetablesQuery = {}): AsyncGenerator<T.RoutetableSummary, void, undefined> =>
      markerPaged(query, MAX_ROUTETABLES_LIMIT, async (marker, limit) => {
        const items = (await this.routetables.list({ ...query, marker, limit })).routetables;
        // The VPC API gives no next marker: a full page may be followed by another.
        return { items, next: items.length === limit ? items.at(-1)?.id : undefined };
      }),
    get: (id: string): Promise<T.RoutetableAnswer> => this.#call('GET', this.#p(`/routetables/${seg(id)}`)),
    create: (body: T.CreateRoutetableRequest): Promise<T.RoutetableAnswer> =>
      this.#call('POST', this.#p('/routetables'), { body }),
    update: (id: string, body: T.UpdateRoutetableRequest): Promise<T.RoutetableAnswer> =>
      this.#call('PUT', this.#p(`/routetables/${seg(id)}`), { body }),
    delete: (id: string): Promise<void> => this.#call('DELETE', this.#p(`/routetables/${seg(id)}`)),
    /** Associates or disassociates subnets (`POST .../routetables/{id}/action`). */
    associate: (id: string, body: T.AssociateRoutetableRequest): Promise<T.RoutetableAnswer> =>
      this.#call('POST', this.#p(`/routetables/${seg(id)}/action`), { body }),
  };

  /** Ports: the backends of interface endpoint services (CreatePort and DeletePort v1, ListPorts v3). */
  readonly ports = {
    create: (body: T.CreatePortRequest): Promise<T.PortAnswer> =>
      this.#call('POST', this.#p('/ports'), { body }),
    list: (query: T.ListPortsQuery = {}): Promise<T.PortList> =>
      this.#call('GET', `/v3/${seg(this.projectId)}/ports`, { query }),
    delete: (id: string): Promise<void> => this.#call('DELETE', this.#p(`/ports/${seg(id)}`)),
  };

  // --- VPC Endpoint -------------------------------------------------------------------------------

  /**
   * Endpoint services: the provider's own (create … delete), and the ones a consumer may connect
   * to (listPublic, describe). `endpointServices` is the same group.
   */
  readonly services = {
    create: (body: T.CreateEndpointServiceRequest): Promise<T.EndpointService> =>
      this.#call('POST', this.#p('/vpc-endpoint-services'), { body }),
    list: (query: T.ListServicesQuery = {}): Promise<T.EndpointServiceList> =>
      this.#call('GET', this.#p('/vpc-endpoint-services'), { query: { ...query } }),
    listAll: (query: T.ListServicesQuery = {}): AsyncGenerator<T.EndpointService, void, undefined> =>
      everyItem(query, MAX_LIMIT, this.services.list, (page) => page.endpoint_services),
    get: (id: string): Promise<T.EndpointService> => this.#call('GET', this.#service(id)),
    update: (id: string, body: T.UpdateEndpointServiceRequest): Promise<T.EndpointService> =>
      this.#call('PUT', this.#service(id), { body }),
    /** UpdateEndpointServiceName: the short name; the service's full name becomes `<region>.<name>.<id>`. */
    rename: (id: string, body: T.RenameEndpointServiceRequest): Promise<T.RenamedEndpointService> =>
      this.#call('PUT', `${this.#service(id)}/name`, { body }),
    /** Refused while endpoints are connected to it. */
    delete: (id: string): Promise<void> => this.#call('DELETE', this.#service(id)),
    /** The services the caller may connect to: gateway services and those whose permissions let it in. */
    listPublic: (query: T.ListPublicServicesQuery = {}): Promise<T.PublicEndpointServiceList> =>
      this.#call('GET', this.#p('/vpc-endpoint-services/public'), {
        query: { ...query },
      }),
    listAllPublic: (
      query: T.ListPublicServicesQuery = {},
    ): AsyncGenerator<T.PublicEndpointService, void, undefined> =>
      everyItem(query, MAX_LIMIT, this.services.listPublic, (page) => page.endpoint_services),
    describe: (query: T.DescribeServiceQuery): Promise<T.DescribedEndpointService> =>
      this.#call('GET', this.#p('/vpc-endpoint-services/describe'), {
        query: { ...query },
      }),
  };

  /** The same group as `services` (its first name). */
  readonly endpointServices = this.services;

  /** Who may connect to a service: `iam:domain::<domain id>` entries, or `*`. */
  readonly permissions = {
    list: (serviceId: string, query: T.ListPermissionsQuery = {}): Promise<T.PermissionList> =>
      this.#call('GET', `${this.#service(serviceId)}/permissions`, { query: { ...query } }),
    listAll: (
      serviceId: string,
      query: T.ListPermissionsQuery = {},
    ): AsyncGenerator<T.Permission, void, undefined> =>
      everyItem(
        query,
        MAX_PERMISSIONS_LIMIT,
        (q) => this.permissions.list(serviceId, q),
        (page) => page.permissions,
      ),
    /** AddOrRemoveServicePermissions: `action` `add` or `remove`, up to 50 entries. */
    addOrRemove: (serviceId: string, body: T.AddOrRemovePermissionsRequest): Promise<T.PermissionEntries> =>
      this.#call('POST', `${this.#service(serviceId)}/permissions/action`, { body }),
    batchAdd: (serviceId: string, body: T.BatchAddPermissionsRequest): Promise<T.Permissions> =>
      this.#call('POST', `${this.#service(serviceId)}/permissions/batch-create`, { body }),
    batchRemove: (serviceId: string, body: T.BatchRemovePermissionsRequest): Promise<T.Permissions> =>
      this.#call('POST', `${this.#service(serviceId)}/permissions/batch-delete`, { body }),
    updateDescription: (
      serviceId: string,
      permissionId: string,
      body: T.PermissionDescriptionRequest,
    ): Promise<T.Permissions> =>
      this.#call('PUT', `${this.#service(serviceId)}/permissions/${seg(permissionId)}`, {
        body,
      }),
  };

  /** The endpoints connected to a provider's service, and the provider's decisions on them. */
  readonly connections = {
    list: (serviceId: string, query: T.ListConnectionsQuery = {}): Promise<T.ConnectionList> =>
      this.#call('GET', `${this.#service(serviceId)}/connections`, { query: { ...query } }),
    listAll: (
      serviceId: string,
      query: T.ListConnectionsQuery = {},
    ): AsyncGenerator<T.Connection, void, undefined> =>
      everyItem(
        query,
        MAX_LIMIT,
        (q) => this.connections.list(serviceId, q),
        (page) => page.connections,
      ),
    /** AcceptOrRejectEndpoint: `{ action: 'receive' | 'reject', endpoints: [id] }`. */
    acceptOrReject: (serviceId: string, body: T.AcceptOrRejectRequest): Promise<T.Connections> =>
      this.#call('POST', `${this.#service(serviceId)}/connections/action`, { body }),
    updateDescriptions: (serviceId: string, body: T.ConnectionsDescriptionRequest): Promise<T.Connections> =>
      this.#call('PUT', `${this.#service(serviceId)}/connections/description`, { body }),
  };

  readonly endpoints = {
    create: (body: T.CreateEndpointRequest): Promise<T.Endpoint> =>
      this.#call('POST', this.#p('/vpc-endpoints'), { body }),
    list: (query: T.ListEndpointsQuery = {}): Promise<T.EndpointList> =>
      this.#call('GET', this.#p('/vpc-endpoints'), { query: { ...query } }),
    listAll: (query: T.ListEndpointsQuery = {}): AsyncGenerator<T.Endpoint, void, undefined> =>
      everyItem(query, MAX_LIMIT, this.endpoints.list, (page) => page.endpoints),
    get: (id: string): Promise<T.Endpoint> => this.#call('GET', this.#endpoint(id)),
    delete: (id: string): Promise<void> => this.#call('DELETE', this.#endpoint(id)),
    /** UpdateEndpointRoutetable: `body.routetables` is the complete desired set. */
    updateRoutetables: (
      id: string,
      body: T.UpdateEndpointRoutetablesRequest,
    ): Promise<T.UpdateEndpointRoutetablesResponse> =>
      this.#call('PUT', `${this.#endpoint(id)}/routetables`, { body }),
    /** UpdateEndpointWhite: the IPv4 addresses and CIDRs that may use an interface endpoint. */
    updateWhitelist: (id: string, body: T.UpdateEndpointWhitelistRequest): Promise<T.Endpoint> =>
      this.#call('PUT', this.#endpoint(id), { body }),
    updatePolicy: (id: string, body: T.UpdateEndpointPolicyRequest): Promise<T.Endpoint> =>
      this.#call('PUT', `${this.#endpoint(id)}/policy`, { body }),
    deletePolicy: (id: string): Promise<T.Endpoint> => this.#call('DELETE', `${this.#endpoint(id)}/policy`),
  };

  /** Tags of endpoints and endpoint services (`resourceType` `endpoint` or `endpoint_service`). */
  readonly tags = {
    /** BatchAddOrRemoveResourceInstance: `{ action: 'create' | 'delete', tags }` on one resource. */
    addOrRemove: (
      resourceType: T.ResourceType,
      resourceId: string,
      body: T.TagActionRequest,
    ): Promise<void> =>
      this.#call('POST', this.#p(`/${seg(resourceType)}/${seg(resourceId)}/tags/action`), { body }),
    /** ListQueryProjectResourceTags: every key in the project, with the values it has. */
    listProjectTags: (resourceType: T.ResourceType): Promise<T.ProjectTags> =>
      this.#call('GET', this.#p(`/${seg(resourceType)}/tags`)),
    /** ListResourceInstances: `action` `filter` (a page of resources) or `count` (the total only). */
    listInstances: (
      resourceType: T.ResourceType,
      body: T.ListResourceInstancesRequest,
    ): Promise<T.ResourceInstances> =>
      this.#call('POST', this.#p(`/${seg(resourceType)}/resource_instances/action`), {
        body,
        // A read, though a POST.
        repeatable: true,
      }),
    /** Every resource the filter matches, page by page (`limit` as a string of digits, as published). */
    listAllInstances: (
      resourceType: T.ResourceType,
      filter: T.ResourceInstancesFilter = {},
    ): AsyncGenerator<T.ResourceInstance, void, undefined> =>
      offsetPaged(
        { limit: filter.limit === undefined ? undefined : Number(filter.limit) },
        MAX_LIMIT,
        async (offset, limit) => {
          const page = await this.tags.listInstances(resourceType, {
            ...filter,
            action: 'filter',
            offset: String(offset),
            limit: String(limit),
          });
          return { items: page.resources ?? [], total: page.total_count };
        },
      ),
  };

  readonly quotas = {
    /** ListQuotaDetails: used and allowed, per resource type (`type` narrows it to one). */
    list: (query: T.ListQuotasQuery = {}): Promise<T.QuotaList> =>
      this.#call('GET', this.#p('/quotas'), { query }),
  };

  /** The project's audit trail (spec/audit.md), newest first; `marker` pages on. */
  readonly audit = {
    list: (query: T.ListAuditEventsQuery = {}): Promise<T.AuditEventList> =>
      this.#call('GET', this.#p('/audit-events'), { query: { ...query } }),
    listAll: (query: T.ListAuditEventsQuery = {}): AsyncGenerator<T.AuditEvent, void, undefined> =>
      markerPaged(query, MAX_LIMIT, async (marker, limit) => {
        const page = await this.audit.list({ ...query, marker, limit });
        return { items: page.audit_events, next: page.page_info.next_marker };
      }),
  };

  /** vpcep's own fault injection (`/vpcep/v1/{project_id}/faults`). */
  readonly faults = {
    list: (): Promise<T.FaultList> => this.#call('GET', `/vpcep/v1/${seg(this.projectId)}/faults`),
    add: (body: T.AddFaultRequest): Promise<T.FaultAnswer> =>
      this.#call('POST', `/vpcep/v1/${seg(this.projectId)}/faults`, { body }),
    remove: (id: string): Promise<void> =>
      this.#call('DELETE', `/vpcep/v1/${seg(this.projectId)}/faults/${seg(id)}`),
  };

  #p(rest: string): string {
    return `/v1/${seg(this.projectId)}${rest}`;
  }

  #service(id: string): string {
    return this.#p(`/vpc-endpoint-services/${seg(id)}`);
  }

  #endpoint(id: string): string {
    return this.#p(`/vpc-endpoints/${seg(id)}`);
  }

  #grantPath(projectId: string, groupId: string): string {
    return `/v3/projects/${seg(projectId)}/groups/${seg(groupId)}/roles`;
  }

  async #call<R>(method: string, path: string, options: CallOptions = {}): Promise<R> {
    const url = new URL(this.endpoint + path);
    for (const [name, value] of Object.entries(options.query ?? {})) {
      if (value === undefined) continue;
      // A repeated filter (ListPorts' `id=a&id=b`).
      for (const one of Array.isArray(value) ? value : [value]) url.searchParams.append(name, String(one));
    }
    const body = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
    const auth = options.auth !== false;
    const send = () =>
      exchange(this.#transport, {
        method,
        url,
        body,
        headers: () => this.#headers(method, url, body, auth, options.headers),
        ...(options.repeatable !== undefined ? { repeatable: options.repeatable } : {}),
      });
    let answer = await send();
    // A cached token may have been revoked or the server restarted with new keys: log in once more.
    if (answer.status === 401 && auth && isPassword(this.#credentials)) {
      this.#session = undefined;
      answer = await send();
    }
    return parseAnswer<R>(answer);
  }

  async #headers(
    method: string,
    url: URL,
    body: Buffer | undefined,
    auth: boolean,
    extra: Record<string, string> = {},
  ): Promise<Record<string, string>> {
    // The official SDK sends Content-Type on every method and signs it (signing.md).
    let headers: Record<string, string> = { 'content-type': 'application/json', ...extra };
    const creds = this.#credentials;
    if (auth) {
      if (isAkSk(creds)) {
        if (creds.securityToken !== undefined) headers['x-security-token'] = creds.securityToken;
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
    return headers;
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
    const answer: RawAnswer = await exchange(this.#transport, {
      method: 'POST',
      url: new URL(`${this.endpoint}/v3/auth/tokens`),
      body,
      headers: () => ({ 'content-type': 'application/json', accept: 'application/json' }),
      // Another login makes another token, nothing more.
      repeatable: true,
    });
    const parsed = parseAnswer<T.TokenBody>(answer);
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
