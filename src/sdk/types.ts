import type { Static } from 'typebox';
import type { CreateEndpointBody, EndpointSchema, RoutetableInfoResp } from '../http/routes/endpoints.ts';

/**
 * Request and response bodies as they travel: snake_case wire names, no mapping layer (design.md).
 * Where a route declares a response schema the type is derived from it; the others are written by
 * hand and checked against the service views at compile time (test/e2e/sdk.test.ts).
 */

// --- Identity (IAM) -------------------------------------------------------------------------------

export interface Links {
  self: string;
  previous: string | null;
  next: string | null;
}

export interface Project {
  id: string;
  name: string;
  domain_id: string;
  enabled: boolean;
  is_domain: boolean;
  parent_id: string;
  description: string;
}

export interface ProjectList {
  projects: Project[];
  links: Links;
}

export interface Domain {
  id: string;
  name: string;
  enabled: boolean;
  description: string;
}

export interface DomainList {
  domains: Domain[];
  links: Links;
}

export interface TokenBody {
  token: {
    expires_at: string;
    issued_at: string;
    methods: string[];
    project: { id: string; name: string; domain: { id: string; name: string } };
    user: { id: string; name: string; domain: { id: string; name: string }; password_expires_at: string };
    roles: { id: string; name: string }[];
    catalog: unknown[];
  };
}

export interface AccessKey {
  user_id: string;
  access: string;
  status: string;
  create_time: string;
  description: string;
}

/** Only the create call returns the secret key, once. */
export interface CreatedAccessKey extends AccessKey {
  secret: string;
}

export interface CreateAccessKeyRequest {
  credential: { user_id: string; description?: string };
}

export interface UpdateAccessKeyRequest {
  credential: { status?: 'active' | 'inactive'; description?: string };
}

// --- VPC ------------------------------------------------------------------------------------------

export interface Vpc {
  id: string;
  name: string;
  cidr: string;
  status: string;
  description: string;
  routes: unknown[];
  enterprise_project_id: string;
  tenant_id: string;
  created_at: string;
  updated_at: string;
}

export interface CreateVpcRequest {
  vpc: { name?: string; cidr?: string; description?: string };
}

export interface Subnet {
  id: string;
  name: string;
  description: string;
  cidr: string;
  gateway_ip: string;
  vpc_id: string;
  status: string;
  dhcp_enable: boolean;
  primary_dns: string;
  secondary_dns: string;
  neutron_network_id: string;
  neutron_subnet_id: string;
  tenant_id: string;
  created_at: string;
  updated_at: string;
}

export interface CreateSubnetRequest {
  subnet: { name: string; cidr: string; gateway_ip: string; vpc_id: string; description?: string };
}

export interface Route {
  type: string;
  destination: string;
  nexthop: string;
  description: string;
}

export interface RouteInput {
  type: string;
  destination: string;
  nexthop: string;
  description?: string;
}

/** A route table as lists show it. */
export interface RoutetableSummary {
  id: string;
  name: string;
  default: boolean;
  subnets: { id: string }[];
  tenant_id: string;
  vpc_id: string;
  description: string;
  created_at: string;
  updated_at: string;
}

/** A route table as show, create, update and associate answer it: with its routes. */
export interface Routetable extends RoutetableSummary {
  routes: Route[];
}

export interface ListRoutetablesQuery {
  limit?: number;
  marker?: string;
  id?: string;
  vpc_id?: string;
  subnet_id?: string;
}

export interface CreateRoutetableRequest {
  routetable: { vpc_id: string; name?: string; description?: string; routes?: RouteInput[] };
}

export interface UpdateRoutetableRequest {
  routetable: {
    name?: string;
    description?: string;
    routes?: { add?: RouteInput[]; mod?: RouteInput[]; del?: { destination: string }[] };
  };
}

export interface AssociateRoutetableRequest {
  routetable: { subnets: { associate?: string[]; disassociate?: string[] } };
}

// --- VPC Endpoint ---------------------------------------------------------------------------------

export interface PublicEndpointService {
  id: string;
  owner: string;
  service_name: string;
  service_type: string;
  created_at: string;
  is_charge: boolean;
  enable_policy: boolean;
}

export interface PublicEndpointServiceList {
  endpoint_services: PublicEndpointService[];
  total_count: number;
}

export interface DescribedEndpointService {
  id: string;
  service_name: string;
  service_type: string;
  created_at: string;
  is_charge: boolean;
  enable_policy: boolean;
  tcp_proxy: string;
  description: string;
}

export interface ListPublicServicesQuery {
  endpoint_service_name?: string;
  id?: string;
  limit?: number;
  offset?: number;
  sort_key?: string;
  sort_dir?: string;
}

export type DescribeServiceQuery = { endpoint_service_name: string; id?: string } | { id: string };

export type Endpoint = Static<typeof EndpointSchema>;

export interface EndpointList {
  endpoints: Endpoint[];
  total_count: number;
}

export interface ListEndpointsQuery {
  endpoint_service_name?: string;
  vpc_id?: string;
  id?: string;
  limit?: number;
  offset?: number;
  sort_key?: 'create_at' | 'update_at';
  sort_dir?: 'desc' | 'asc';
}

export type CreateEndpointRequest = Static<typeof CreateEndpointBody>;

export interface UpdateEndpointRoutetablesRequest {
  /** The complete desired set, 1 to 10 IDs. */
  routetables: string[];
}

/** The set actually bound, and per-table failures when some table failed (spec/routetables.md). */
export type UpdateEndpointRoutetablesResponse = Static<typeof RoutetableInfoResp>;

// --- vpcep's own ----------------------------------------------------------------------------------

export interface Fault {
  id: string;
  operation: string;
  routetable_id: string;
  /** Firings left; null: until deleted. */
  remaining: number | null;
  created_at: string;
}

export interface AddFaultRequest {
  fault: { operation: 'bind' | 'unbind'; routetable_id: string; times?: number };
}

export interface ApiVersions {
  versions: {
    id: string;
    version: string;
    min_version: string;
    status: string;
    updated: string;
    links: { href: string; rel: string }[];
  }[];
}
