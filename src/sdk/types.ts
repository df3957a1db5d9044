import type { Static } from 'typebox';
import type * as accounts from '../wire/accounts.ts';
import type * as iam from '../wire/iam.ts';
import type * as faults from '../wire/faults.ts';
import type * as vpc from '../wire/vpc.ts';
import type * as vpcep from '../wire/vpcep.ts';

/**
 * Request and response bodies as they travel: snake_case wire names, no mapping layer (design.md).
 * Every type is the `Static<>` of the schema in src/wire that the server validates or serializes
 * the same body with, so the SDK and the server cannot disagree about a field. Queries are
 * `Partial<>`: their defaults are the server's.
 */

// --- Identity (IAM) -------------------------------------------------------------------------------

export type Project = Static<typeof iam.Project>;
export type ProjectList = Static<typeof iam.ProjectList>;
export type Links = ProjectList['links'];
export type Domain = Static<typeof iam.Domain>;
export type DomainList = Static<typeof iam.DomainList>;
export type TokenBody = Static<typeof iam.TokenBody>;
export type AccessKey = Static<typeof iam.AccessKey>;
/** Only the create call returns the secret key, once. */
export type CreatedAccessKey = Static<typeof iam.CreatedAccessKey>;
export type CreateAccessKeyRequest = Static<typeof iam.CreateAccessKeyBody>;
export type UpdateAccessKeyRequest = Static<typeof iam.UpdateAccessKeyBody>;

// --- VPC ------------------------------------------------------------------------------------------

export type Vpc = Static<typeof vpc.Vpc>;
export type CreateVpcRequest = Static<typeof vpc.CreateVpcBody>;
export type Subnet = Static<typeof vpc.Subnet>;
export type CreateSubnetRequest = Static<typeof vpc.CreateSubnetBody>;
export type Route = Static<typeof vpc.Route>;
export type RouteInput = Static<typeof vpc.RouteInput>;
/** A route table as lists show it. */
export type RoutetableSummary = Static<typeof vpc.RoutetableSummary>;
/** A route table as show, create, update and associate answer it: with its routes. */
export type Routetable = Static<typeof vpc.Routetable>;
export type ListRoutetablesQuery = Partial<Static<typeof vpc.ListRoutetablesQuery>>;
export type CreateRoutetableRequest = Static<typeof vpc.CreateRoutetableBody>;
export type UpdateRoutetableRequest = Static<typeof vpc.UpdateRoutetableBody>;
export type AssociateRoutetableRequest = Static<typeof vpc.AssociateRoutetableBody>;

// --- VPC Endpoint ---------------------------------------------------------------------------------

export type PublicEndpointService = Static<typeof vpcep.PublicEndpointService>;
export type PublicEndpointServiceList = Static<typeof vpcep.PublicEndpointServiceList>;
export type DescribedEndpointService = Static<typeof vpcep.DescribedEndpointService>;
export type ListPublicServicesQuery = Partial<Static<typeof vpcep.ListPublicServicesQuery>>;
/** By name (and optionally id), or by id: the server answers 400 when neither is given. */
export type DescribeServiceQuery = { endpoint_service_name: string; id?: string } | { id: string };
export type Endpoint = Static<typeof vpcep.Endpoint>;
export type EndpointList = Static<typeof vpcep.EndpointList>;
export type ListEndpointsQuery = Partial<Static<typeof vpcep.ListEndpointsQuery>>;
export type CreateEndpointRequest = Static<typeof vpcep.CreateEndpointBody>;
/** The complete desired set, 1 to 10 IDs. */
export type UpdateEndpointRoutetablesRequest = Static<typeof vpcep.UpdateRoutetablesBody>;
/** The set actually bound, and per-table failures when some table failed (spec/routetables.md). */
export type UpdateEndpointRoutetablesResponse = Static<typeof vpcep.RoutetableInfoResp>;
export type ApiVersions = Static<typeof vpcep.Versions>;

// --- vpcep's own ----------------------------------------------------------------------------------

export type Fault = Static<typeof faults.Fault>;
export type AddFaultRequest = Static<typeof faults.AddFaultBody>;

// --- Operator (vpcep's own) -----------------------------------------------------------------------

/** The answer of account creation: the admin's password and SK appear here only. */
export type CreatedAccount = Static<typeof accounts.CreatedAccount>;
export type AccountList = Static<typeof accounts.AccountList>;
export type AccountQuotasReply = Static<typeof accounts.AccountQuotasReply>;
