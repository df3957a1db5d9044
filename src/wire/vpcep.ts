import { Type } from 'typebox';
import { errorCode, Id64, IdQuery, Limit, Offset, ProjectParams, ServiceNameQuery } from './common.ts';

/** The VPC Endpoint API (api-surface.md §3, spec/routetables.md): requests and answers on the wire. */

export { ProjectParams };

export const RoutetableIds = Type.Array(Type.String({ minLength: 1, maxLength: 64 }), {
  minItems: 1,
  maxItems: 10,
});

export const Tag = Type.Object({
  key: Type.String({ minLength: 1, maxLength: 128 }),
  value: Type.Optional(Type.String({ maxLength: 255 })),
});

/**
 * A tag in a request: lengths, characters and counts are domain/tags.ts's to check, each with its
 * own code; the schema holds the types only (wrong ones are EndPoint.0002). A tag without a key is
 * an empty tag (EndPoint.3066), the domain's to say. The list's bound keeps a request small; the
 * rule of 20 per resource is the domain's too (EndPoint.3069).
 */
const TagInput = Type.Object({ key: Type.Optional(Type.String()), value: Type.Optional(Type.String()) });
export const TagInputs = Type.Array(TagInput, { maxItems: 1000 });

/** Why an endpoint failed (published `QueryError`); its `error` is a list of one. */
const QueryError = Type.Object({ error_code: Type.String(), error_message: Type.String() });

export const Endpoint = Type.Object({
  id: Type.String(),
  service_type: Type.String(),
  status: Type.String(),
  active_status: Type.Array(Type.String()),
  enable_status: Type.String(),
  specification_name: Type.String(),
  endpoint_service_id: Type.String(),
  endpoint_service_name: Type.String(),
  marker_id: Type.Integer(),
  vpc_id: Type.String(),
  subnet_id: Type.Optional(Type.String()),
  ip: Type.Optional(Type.String()),
  enable_dns: Type.Boolean(),
  dns_names: Type.Optional(Type.Array(Type.String())),
  routetables: Type.Array(Type.String()),
  whitelist: Type.Array(Type.String()),
  enable_whitelist: Type.Boolean(),
  description: Type.String(),
  policy_statement: Type.Array(Type.Unknown()),
  policy_document: Type.Optional(Type.Unknown()),
  project_id: Type.String(),
  tags: Type.Array(Tag),
  created_at: Type.String(),
  updated_at: Type.String(),
  /** Only while `failed` (spec/operations.md, "Lifecycle"). */
  error: Type.Optional(Type.Array(QueryError)),
});

/**
 * A gateway endpoint policy statement as published (PolicyStatement: Effect, Action and Resource
 * required). The condition is IAM's operator → key → value(s) map; its bounds are this server's.
 */
const PolicyText = Type.String({ minLength: 1, maxLength: 1024 });
const PolicyStatement = Type.Object({
  Effect: Type.Enum(['Allow', 'Deny']),
  Action: Type.Array(PolicyText, { maxItems: 100 }),
  Resource: Type.Array(PolicyText, { maxItems: 100 }),
  Condition: Type.Optional(
    Type.Record(
      Type.String({ maxLength: 128 }),
      Type.Record(
        Type.String({ maxLength: 128 }),
        Type.Union([PolicyText, Type.Array(PolicyText, { maxItems: 100 })]),
      ),
    ),
  ),
  Sid: Type.Optional(Type.String({ maxLength: 128 })),
});

/**
 * An interface endpoint's policy (IAM-style, `{"Version", "Statement": [...]}`): any JSON object,
 * stored and answered as given; its size is the service's to check (EndPoint.2048).
 */
const PolicyDocument = Type.Object({}, { additionalProperties: true, ...errorCode('EndPoint.2048') });

export const CreateEndpointBody = Type.Object({
  endpoint_service_id: Type.String({ minLength: 1, maxLength: 64 }),
  vpc_id: Type.String({ minLength: 1, maxLength: 64, ...errorCode('EndPoint.0020') }),
  subnet_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64, ...errorCode('EndPoint.0023') })),
  routetables: Type.Optional(RoutetableIds),
  description: Type.Optional(Type.String({ maxLength: 512, pattern: '^[^<>]*$' })),
  tags: Type.Optional(TagInputs),
  policy_statement: Type.Optional(Type.Array(PolicyStatement, { maxItems: 10 })),
  enable_dns: Type.Optional(Type.Boolean()),
  // The code on the items too: a bad entry is reported at its own path, not the array's.
  whitelist: Type.Optional(
    Type.Array(Type.String({ maxLength: 64, ...errorCode('EndPoint.2044') }), {
      maxItems: 1000,
      ...errorCode('EndPoint.2044'),
    }),
  ),
  enable_whitelist: Type.Optional(Type.Boolean()),
  port_ip: Type.Optional(Type.String({ minLength: 1, maxLength: 128, ...errorCode('EndPoint.2041') })),
  policy_document: Type.Optional(PolicyDocument),
});

const TableFailure = Type.Object({ id: Type.String(), error_message: Type.String() });

export const RoutetableInfoResp = Type.Object({
  routetables: Type.Array(Type.String()),
  error: Type.Optional(
    Type.Array(
      Type.Object({ bind_failed: Type.Array(TableFailure), unbind_failed: Type.Array(TableFailure) }),
    ),
  ),
});

export const EndpointParams = Type.Object({ project_id: Id64, vpc_endpoint_id: Id64 });

/** The sort of the VPC Endpoint lists, each with its published code. */
const SortKey = Type.Enum(['create_at', 'update_at'], {
  default: 'create_at',
  ...errorCode('EndPoint.0017'),
});
const SortDir = Type.Enum(['desc', 'asc'], { default: 'desc', ...errorCode('EndPoint.0018') });

export const ListEndpointsQuery = Type.Object({
  endpoint_service_name: ServiceNameQuery,
  vpc_id: IdQuery,
  id: IdQuery,
  limit: Limit,
  offset: Offset,
  sort_key: SortKey,
  sort_dir: SortDir,
});

export const EndpointList = Type.Object({ endpoints: Type.Array(Endpoint), total_count: Type.Integer() });

export const UpdateRoutetablesBody = Type.Object({ routetables: RoutetableIds });

export const ListPublicServicesQuery = Type.Object({
  endpoint_service_name: ServiceNameQuery,
  id: IdQuery,
  limit: Limit,
  offset: Offset,
  sort_key: Type.Optional(Type.String()),
  sort_dir: Type.Optional(Type.String()),
});

const serviceFields = {
  id: Type.String(),
  service_name: Type.String(),
  service_type: Type.Enum(['gateway', 'interface']),
  created_at: Type.String(),
  is_charge: Type.Boolean(),
  enable_policy: Type.Boolean(),
};

export const PublicEndpointService = Type.Object({ ...serviceFields, owner: Type.String() });

export const PublicEndpointServiceList = Type.Object({
  endpoint_services: Type.Array(PublicEndpointService),
  total_count: Type.Integer(),
});

export const DescribeServiceQuery = Type.Object({ endpoint_service_name: ServiceNameQuery, id: IdQuery });

/** ListServiceDescribeDetails: the consumer's summary, the published fields only (no owner). */
export const DescribedEndpointService = Type.Object(serviceFields);

/** One API version, as both version calls show it. */
const ApiVersion = Type.Object({
  id: Type.String(),
  version: Type.String(),
  min_version: Type.String(),
  status: Type.String(),
  updated: Type.String(),
  links: Type.Array(Type.Object({ href: Type.String(), type: Type.String(), rel: Type.String() })),
});

/** ListVersionDetails: every version. */
export const Versions = Type.Object({ versions: Type.Array(ApiVersion) });

/** ListSpecifiedVersionDetails: one version. */
export const Version = Type.Object({ version: ApiVersion });

export const VersionParams = Type.Object({ version: Type.String() });

// ---- endpoint services of users (the provider's side; spec/interface-services.md)

export const ServiceParams = Type.Object({ project_id: Id64, vpc_endpoint_service_id: Id64 });

/** One mapping of a service: what a client connects to, and where the backend listens. */
const ServicePort = Type.Object(
  {
    client_port: Type.Integer({ minimum: 1, maximum: 65535, ...errorCode('EndPoint.3043') }),
    server_port: Type.Integer({ minimum: 1, maximum: 65535, ...errorCode('EndPoint.3043') }),
    protocol: Type.Optional(Type.Enum(['TCP'], { default: 'TCP', ...errorCode('EndPoint.3075') })),
  },
  errorCode('EndPoint.3043'),
);
/** 1 to 200 mappings; the count is the service's to check (EndPoint.2028, EndPoint.3074). */
const ServicePorts = Type.Array(ServicePort, { maxItems: 1000 });

const SERVICE_NAME = '^[a-zA-Z0-9_-]*$';
export const TCP_PROXY = ['close', 'toa_open', 'proxy_open', 'open', 'proxy_vni'] as const;
const ServiceDescription = Type.String({ maxLength: 512, pattern: '^[^<>]*$' });

export const CreateServiceBody = Type.Object({
  port_id: Type.String({ minLength: 1, maxLength: 64 }),
  vpc_id: Type.String({ minLength: 1, maxLength: 64, ...errorCode('EndPoint.0020') }),
  server_type: Type.Enum(['VM', 'VIP', 'LB'], errorCode('EndPoint.3021')),
  ports: ServicePorts,
  service_name: Type.Optional(
    Type.String({ maxLength: 16, pattern: SERVICE_NAME, ...errorCode('EndPoint.3076') }),
  ),
  approval_enabled: Type.Optional(Type.Boolean()),
  service_type: Type.Optional(Type.Enum(['gateway', 'interface'])),
  tcp_proxy: Type.Optional(Type.Enum(TCP_PROXY)),
  description: Type.Optional(ServiceDescription),
  tags: Type.Optional(TagInputs),
});

const ServiceName1to16 = Type.String({
  minLength: 1,
  maxLength: 16,
  pattern: SERVICE_NAME,
  ...errorCode('EndPoint.3076'),
});

export const UpdateServiceBody = Type.Object({
  port_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  ports: Type.Optional(ServicePorts),
  service_name: Type.Optional(ServiceName1to16),
  approval_enabled: Type.Optional(Type.Boolean()),
  tcp_proxy: Type.Optional(Type.Enum(TCP_PROXY)),
  description: Type.Optional(ServiceDescription),
});

export const UpdateServiceNameBody = Type.Object({ endpoint_service_name: ServiceName1to16 });
export const ServiceNameAnswer = Type.Object({ endpoint_service_name: Type.String() });

export const ListServicesQuery = Type.Object({
  endpoint_service_name: ServiceNameQuery,
  id: IdQuery,
  status: Type.Optional(
    Type.Enum(['creating', 'available', 'failed', 'deleting'], errorCode('EndPoint.0019')),
  ),
  sort_key: SortKey,
  sort_dir: SortDir,
  limit: Limit,
  offset: Offset,
});

/** A user's endpoint service, as create, show, update and list answer it. */
export const EndpointService = Type.Object({
  id: Type.String(),
  port_id: Type.String(),
  vpc_id: Type.String(),
  service_name: Type.String(),
  service_type: Type.String(),
  server_type: Type.String(),
  approval_enabled: Type.Boolean(),
  status: Type.String(),
  ports: Type.Array(
    Type.Object({ client_port: Type.Integer(), server_port: Type.Integer(), protocol: Type.String() }),
  ),
  tcp_proxy: Type.String(),
  tags: Type.Array(Tag),
  description: Type.String(),
  enable_policy: Type.Boolean(),
  cidr_type: Type.String(),
  connection_count: Type.Integer(),
  project_id: Type.String(),
  domain_id: Type.String(),
  created_at: Type.String(),
  updated_at: Type.String(),
  /** Only while `failed`: the published service `Error`, `{code, message}`. */
  error: Type.Optional(Type.Array(Type.Object({ code: Type.String(), message: Type.String() }))),
});

export const EndpointServiceList = Type.Object({
  endpoint_services: Type.Array(EndpointService),
  total_count: Type.Integer(),
});

// ---- permissions of an endpoint service (spec/interface-services.md, "Permissions")

export const PermissionParams = Type.Object({
  project_id: Id64,
  vpc_endpoint_service_id: Id64,
  permission_id: Id64,
});

const PermissionType = Type.Optional(Type.Enum(['domainId', 'orgPath']));
const PermissionEntry = Type.String({ minLength: 1, maxLength: 1024, ...errorCode('EndPoint.3002') });

export const ListPermissionsQuery = Type.Object({
  permission: Type.Optional(Type.String({ minLength: 1, maxLength: 1000 })),
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 10, ...errorCode('EndPoint.0006') }),
  offset: Offset,
  sort_key: SortKey,
  sort_dir: SortDir,
});

export const Permission = Type.Object({
  id: Type.String(),
  permission: Type.String(),
  permission_type: Type.String(),
  description: Type.String(),
  created_at: Type.String(),
});

export const PermissionList = Type.Object({
  permissions: Type.Array(Permission),
  total_count: Type.Integer(),
});
export const Permissions = Type.Object({ permissions: Type.Array(Permission) });

export const AddOrRemovePermissionsBody = Type.Object({
  action: Type.Enum(['add', 'remove'], errorCode('EndPoint.3035')),
  permissions: Type.Array(PermissionEntry, { minItems: 1, maxItems: 50, ...errorCode('EndPoint.3036') }),
  permission_type: PermissionType,
});

export const PermissionEntries = Type.Object({
  permissions: Type.Array(Type.String()),
  permission_type: Type.String(),
});

/** At most 50 entries a batch, as AddOrRemoveServicePermissions publishes (EndPoint.0016 past it). */
const Batch = { maxItems: 50, ...errorCode('EndPoint.0016') };

export const BatchAddPermissionsBody = Type.Object({
  permissions: Type.Array(
    Type.Object({
      permission: Type.String({ maxLength: 1024, ...errorCode('EndPoint.3002') }),
      description: Type.String({ maxLength: 256 }),
    }),
    Batch,
  ),
  permission_type: PermissionType,
});

export const BatchRemovePermissionsBody = Type.Object({
  permissions: Type.Array(Type.Object({ id: Id64 }), Batch),
});

export const PermissionDescriptionBody = Type.Object({
  permission: Type.Object({ description: Type.String({ maxLength: 256 }) }),
});

// ---- connections of an endpoint service (spec/interface-services.md, "Connections")

export const ListConnectionsQuery = Type.Object({
  id: IdQuery,
  marker_id: Type.Optional(Type.String({ maxLength: 64 })),
  status: Type.Optional(
    Type.Enum(['pendingAcceptance', 'accepted', 'rejected', 'failed'], errorCode('EndPoint.0019')),
  ),
  sort_key: SortKey,
  sort_dir: SortDir,
  limit: Limit,
  offset: Offset,
});

export const Connection = Type.Object({
  id: Type.String(),
  marker_id: Type.Integer(),
  domain_id: Type.String(),
  status: Type.String(),
  description: Type.String(),
  created_at: Type.String(),
  updated_at: Type.String(),
  error: Type.Optional(Type.Array(QueryError)),
});

export const ConnectionList = Type.Object({
  connections: Type.Array(Connection),
  total_count: Type.Integer(),
});
export const Connections = Type.Object({ connections: Type.Array(Connection) });

export const AcceptOrRejectBody = Type.Object({
  action: Type.Enum(['receive', 'reject'], errorCode('EndPoint.0007')),
  endpoints: Type.Array(Id64, { minItems: 1, maxItems: 1, ...errorCode('EndPoint.2031') }),
});

export const ConnectionsDescriptionBody = Type.Object({
  connections: Type.Array(
    Type.Object({ id: Id64, description: Type.String({ maxLength: 512, pattern: '^[^<>]*$' }) }),
    { minItems: 1, maxItems: 100, ...errorCode('EndPoint.0016') },
  ),
});

// ---- an endpoint's whitelist and policy (spec/interface-services.md, "Interface endpoints")

export const UpdateWhitelistBody = Type.Object({
  whitelist: Type.Optional(
    Type.Array(Type.String({ maxLength: 32, ...errorCode('EndPoint.2044') }), {
      maxItems: 1000,
      ...errorCode('EndPoint.2044'),
    }),
  ),
  enable_whitelist: Type.Optional(Type.Boolean()),
});

export const UpdatePolicyBody = Type.Object({
  policy_statement: Type.Optional(
    Type.Array(PolicyStatement, { maxItems: 10, ...errorCode('EndPoint.2048') }),
  ),
  policy_document: Type.Optional(PolicyDocument),
});

// ---- tags (BatchAddOrRemoveResourceInstance, ListQueryProjectResourceTags, ListResourceInstances)

export const ResourceType = Type.Enum(['endpoint_service', 'endpoint'], errorCode('EndPoint.3070'));
export const ResourceTypeParams = Type.Object({ project_id: Id64, resource_type: ResourceType });
export const ResourceParams = Type.Object({
  project_id: Id64,
  resource_type: ResourceType,
  resource_id: Id64,
});

export const TagActionBody = Type.Object({
  action: Type.Enum(['create', 'delete'], errorCode('EndPoint.0007')),
  tags: Type.Optional(TagInputs),
});

export const ProjectTags = Type.Object({
  tags: Type.Array(Type.Object({ key: Type.String(), values: Type.Array(Type.String()) })),
});

/** A filter entry: a key and the values any of which matches (none: any value). */
const TagValuesInput = Type.Object({
  key: Type.Optional(Type.String()),
  values: Type.Array(Type.String(), { maxItems: 1000 }),
});
const TagFilter = Type.Optional(Type.Array(TagValuesInput, { maxItems: 10 }));

/** `limit` and `offset` are published as strings of digits. */
export const ResourceInstancesBody = Type.Object({
  action: Type.Enum(['filter', 'count'], errorCode('EndPoint.0007')),
  limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,4}$', ...errorCode('EndPoint.0006') })),
  offset: Type.Optional(Type.String({ pattern: '^[0-9]{1,10}$', ...errorCode('EndPoint.0010') })),
  tags: TagFilter,
  tags_any: TagFilter,
  not_tags: TagFilter,
  not_tags_any: TagFilter,
  matches: Type.Optional(
    Type.Array(
      Type.Object({
        key: Type.String({ minLength: 1, maxLength: 128 }),
        value: Type.String({ minLength: 1, maxLength: 255 }),
      }),
      { maxItems: 10 },
    ),
  ),
});

export const ResourceInstances = Type.Object({
  resources: Type.Optional(
    Type.Array(
      Type.Object({
        resource_id: Type.String(),
        resource_name: Type.String(),
        tags: Type.Array(Type.Object({ key: Type.String(), value: Type.String() })),
      }),
    ),
  ),
  total_count: Type.Integer(),
});

/** ListQuotaDetails (spec/quotas.md): `type` is one of the two published values, else EndPoint.0002. */
export const ListQuotasQuery = Type.Object({
  type: Type.Optional(Type.Enum(['endpoint', 'endpoint_service'])),
});

export const QuotaList = Type.Object({
  quotas: Type.Object({
    resources: Type.Array(Type.Object({ type: Type.String(), used: Type.Integer(), quota: Type.Integer() })),
  }),
});
