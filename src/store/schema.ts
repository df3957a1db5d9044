import type { Generated } from 'kysely';
import type { EndpointStatus, ServiceType } from '../domain/endpoint-status.ts';
import type { RouteType } from '../wire/vpc.ts';
import type { FaultOperation } from '../wire/faults.ts';

/**
 * Column names are the API's wire names wherever the wire has the field (design.md, "Rules of the
 * house"); `is_default` (wire `default`, a reserved word in SQL) and `project_id` (wire `tenant_id` in
 * the VPC API) are the two exceptions, mapped in their views.
 * Booleans are integers 0/1 and lists are JSON text, so one schema serves SQLite and PostgreSQL.
 */
export interface Database {
  domains: {
    id: string;
    name: string;
    created_at: string;
    /** The account's own quotas per project (spec/quotas.md); null: the configured default. */
    quota_endpoints: number | null;
    quota_endpoint_services: number | null;
  };
  projects: {
    id: string;
    name: string;
    domain_id: string;
    /** The region project a sub-project (`<region>_<name>`) belongs to; '' for a region project. */
    parent_id: Generated<string>;
    description: Generated<string>;
    created_at: string;
  };
  users: {
    id: string;
    name: string;
    domain_id: string;
    password_hash: string;
    /** When the password last changed; tokens issued before it no longer work. '' when never. */
    password_changed_at: Generated<string>;
    description: Generated<string>;
    enabled: Generated<number>;
    created_at: string;
  };
  groups: { id: string; domain_id: string; name: string; description: string; created_at: string };
  group_members: { group_id: string; user_id: string };
  /** A system role (domain/roles.ts) granted to a group on a project, or on every project (`*`). */
  group_grants: { group_id: string; project_id: string; role_id: string };
  /** SHA-256 of the operator's key; the key itself is shown once and never stored. */
  operator_keys: { hash: string; created_at: string };
  /** AK/SK pairs. The SK must stay readable to verify HMAC signatures; it is never logged. */
  access_keys: {
    access: string;
    secret: string;
    user_id: string;
    status: 'active' | 'inactive';
    description: string;
    created_at: string;
  };
  server_keys: { id: string; secret: string; created_at: string };
  vpcs: {
    id: string;
    project_id: string;
    name: string;
    cidr: string;
    description: string;
    created_at: string;
    updated_at: string;
  };
  subnets: {
    id: string;
    project_id: string;
    vpc_id: string;
    name: string;
    cidr: string;
    gateway_ip: string;
    /** null: the VPC's default route table. */
    routetable_id: string | null;
    created_at: string;
    updated_at: string;
  };
  routetables: {
    id: string;
    project_id: string;
    vpc_id: string;
    name: string;
    description: string;
    is_default: number;
    created_at: string;
    updated_at: string;
  };
  routes: {
    routetable_id: string;
    destination: string;
    type: RouteType;
    nexthop: string;
    description: string;
    /** Set on `egw` routes: the endpoint whose binding created the route. */
    endpoint_id: string | null;
  };
  endpoint_services: {
    id: string;
    /** null for the operator's public services. */
    owner_project_id: string | null;
    owner: string;
    service_name: string;
    service_type: ServiceType;
    server_type: string;
    vpc_id: string;
    port_id: string;
    approval_enabled: number;
    status: string;
    /** JSON list of CIDRs (gateway services). */
    cidrs: string;
    is_charge: number;
    enable_policy: number;
    description: string;
    created_at: string;
    updated_at: string;
    /** The domain of `owner_project_id`; '' for the operator's public services. */
    owner_domain_id: Generated<string>;
    /** JSON list of `{client_port, server_port, protocol}` (interface services). */
    ports: Generated<string>;
    tcp_proxy: Generated<string>;
    tags: Generated<string>;
    /**
     * When the service's transition ends (ISO time): a `creating` one is provisioned, a `deleting`
     * one is gone (spec/operations.md, "Lifecycle"); '' for services made available at once.
     */
    ready_at: Generated<string>;
    /** Why its provisioning fails; '' while it has not (published `error[]`: `code`, `message`). */
    error_code: Generated<string>;
    error_message: Generated<string>;
  };
  /** Who may see and connect to a user's endpoint service: `iam:domain::<domain id>` or `*`. */
  service_permissions: {
    id: string;
    endpoint_service_id: string;
    permission: string;
    description: string;
    created_at: string;
  };
  /** Network interfaces of the VPC API (CreatePort): the backends of interface services. */
  ports: {
    id: string;
    project_id: string;
    vpc_id: string;
    /** The subnet (`network_id` on the wire). */
    subnet_id: string;
    name: string;
    ip_address: string;
    mac_address: string;
    device_owner: string;
    admin_state_up: number;
    /** JSON list of security group ids, stored as given. */
    security_groups: string;
    created_at: string;
    updated_at: string;
  };
  /** Every address in use in a subnet, by a port or an interface endpoint: one holder per address. */
  ip_allocations: {
    subnet_id: string;
    ip_address: string;
    project_id: string;
    owner_type: 'port' | 'endpoint';
    owner_id: string;
  };
  endpoints: {
    id: string;
    project_id: string;
    endpoint_service_id: string;
    vpc_id: string;
    subnet_id: string;
    status: EndpointStatus;
    /**
     * When the endpoint's transition ends (ISO time): a `creating` one settles, a `deleting` one is
     * gone (spec/operations.md, "Lifecycle").
     */
    ready_at: string;
    marker_id: number;
    description: string;
    ip: string;
    enable_dns: number;
    whitelist: string;
    enable_whitelist: number;
    policy_statement: string;
    tags: string;
    created_at: string;
    updated_at: string;
    /** JSON of an interface endpoint's policy; '' when it has none. */
    policy_document: Generated<string>;
    /** The provider's description of this connection (UpdateEndpointConnectionsDesc). */
    connection_description: Generated<string>;
    /** Why its provisioning fails; '' while it has not (published `error[]`). */
    error_code: Generated<string>;
    error_message: Generated<string>;
    /** Raised by triggers at every change to the row or its bindings (migration 009). */
    version: Generated<number>;
  };
  /** One row per bound table; unique (routetable_id, endpoint_service_id): one endpoint of a service per table. */
  endpoint_routetables: { endpoint_id: string; routetable_id: string; endpoint_service_id: string };
  /** Injected faults (design.md: "can be told to fail on purpose"), README "Fault injection". */
  faults: {
    id: string;
    project_id: string;
    operation: FaultOperation;
    /** The table a `bind` or `unbind` fault fires on, or `*`; '' for the other operations. */
    routetable_id: string;
    /** The service a `create-endpoint` fault fires on, or `*`; '' for the other operations. */
    endpoint_service_id: Generated<string>;
    remaining: number | null;
    created_at: string;
  };
  audit_log: {
    seq: Generated<number>;
    at: string;
    project_id: string;
    actor: string;
    action: string;
    resource_type: string;
    resource_id: string;
    request_id: string;
    detail: string;
    /** The published operation (operationId), e.g. `UpdateEndpointRoutetable`. */
    operation: Generated<string>;
    outcome: Generated<'success' | 'failure'>;
    /** The answer's HTTP status; 0 on rows written before 006. */
    status: Generated<number>;
    /** The error code of a failure; empty on a success. */
    error_code: Generated<string>;
    user_id: Generated<string>;
    /** The AK of a signed call; empty for a token. */
    access_key: Generated<string>;
  };
  /** Sessions of the web console (spec/console.md, "Sessions"); the session id itself is never stored. */
  /** Endpoint rows per project, kept by triggers (migration 008). */
  endpoint_counts: {
    project_id: string;
    n: number;
  };
  console_sessions: {
    /** SHA-256 (hex) of the session id the cookie carries. */
    id_hash: string;
    user_id: string;
    domain_id: string;
    project_id: string;
    /** The user's token, sealed (AES-256-GCM) with a key derived from the session id. */
    sealed_token: string;
    created_at: string;
    expires_at: string;
  };
}
