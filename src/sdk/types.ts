import type { Static } from 'typebox';
import type * as accounts from '../wire/accounts.ts';
import type * as audit from '../wire/audit.ts';
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
export type ListProjectsQuery = Static<typeof iam.ListProjectsQuery>;
export type Links = ProjectList['links'];
export type Domain = Static<typeof iam.Domain>;
export type DomainList = Static<typeof iam.DomainList>;
export type TokenBody = Static<typeof iam.TokenBody>;
export type AccessKey = Static<typeof iam.AccessKey>;
export type AccessKeyList = Static<typeof iam.AccessKeyList>;
export type ListAccessKeysQuery = Static<typeof iam.ListAccessKeysQuery>;
/** Only the create call returns the secret key, once. */
export type CreatedAccessKey = Static<typeof iam.CreatedAccessKey>;
export type CreatedAccessKeyAnswer = Static<typeof iam.CreatedAccessKeyAnswer>;
export type AccessKeyAnswer = Static<typeof iam.AccessKeyAnswer>;
export type CreateAccessKeyRequest = Static<typeof iam.CreateAccessKeyBody>;
export type UpdateAccessKeyRequest = Static<typeof iam.UpdateAccessKeyBody>;
/** CreateTemporaryAccessKeyByToken: for the calling token, or the one in `token.id`. */
export type CreateTemporaryAccessKeyRequest = Static<typeof iam.SecurityTokenBody>;
/** A temporary AK/SK and the security token that must be sent (and signed) with it. */
export type TemporaryAccessKey = Static<typeof iam.SecurityTokenAnswer>;
export type User = Static<typeof iam.User>;
export type UserAnswer = Static<typeof iam.UserAnswer>;
export type UserList = Static<typeof iam.UserList>;
export type ListUsersQuery = Static<typeof iam.ListUsersQuery>;
export type CreateUserRequest = Static<typeof iam.CreateUserBody>;
export type UpdatePasswordRequest = Static<typeof iam.UpdatePasswordBody>;
export type CreateProjectRequest = Static<typeof iam.CreateProjectBody>;
export type ProjectAnswer = Static<typeof iam.ProjectAnswer>;
export type Group = Static<typeof iam.Group>;
export type GroupAnswer = Static<typeof iam.GroupAnswer>;
export type GroupList = Static<typeof iam.GroupList>;
export type ListGroupsQuery = Static<typeof iam.ListGroupsQuery>;
export type CreateGroupRequest = Static<typeof iam.CreateGroupBody>;
export type Role = Static<typeof iam.Role>;
export type RoleList = Static<typeof iam.RoleList>;
export type ListRolesQuery = Static<typeof iam.ListRolesQuery>;

// --- VPC ------------------------------------------------------------------------------------------

export type Vpc = Static<typeof vpc.Vpc>;
export type VpcAnswer = Static<typeof vpc.VpcAnswer>;
export type VpcList = Static<typeof vpc.VpcList>;
export type CreateVpcRequest = Static<typeof vpc.CreateVpcBody>;
export type Subnet = Static<typeof vpc.Subnet>;
export type SubnetAnswer = Static<typeof vpc.SubnetAnswer>;
export type SubnetList = Static<typeof vpc.SubnetList>;
export type ListSubnetsQuery = Static<typeof vpc.ListSubnetsQuery>;
export type CreateSubnetRequest = Static<typeof vpc.CreateSubnetBody>;
export type Route = Static<typeof vpc.Route>;
export type RouteInput = Static<typeof vpc.RouteInput>;
/** A route table as lists show it. */
export type RoutetableSummary = Static<typeof vpc.RoutetableSummary>;
/** A route table as show, create, update and associate answer it: with its routes. */
export type Routetable = Static<typeof vpc.Routetable>;
export type RoutetableAnswer = Static<typeof vpc.RoutetableAnswer>;
export type RoutetableList = Static<typeof vpc.RoutetableList>;
export type ListRoutetablesQuery = Partial<Static<typeof vpc.ListRoutetablesQuery>>;
export type CreateRoutetableRequest = Static<typeof vpc.CreateRoutetableBody>;
export type UpdateRoutetableRequest = Static<typeof vpc.UpdateRoutetableBody>;
export type AssociateRoutetableRequest = Static<typeof vpc.AssociateRoutetableBody>;
/** A port as CreatePort answers it (VPC API v1). */
export type Port = Static<typeof vpc.Port>;
export type PortAnswer = Static<typeof vpc.PortAnswer>;
/** A port as ListPorts shows it (VPC API v3). */
export type PortDetail = Static<typeof vpc.PortDetail>;
export type PortList = Static<typeof vpc.PortList>;
export type ListPortsQuery = Static<typeof vpc.ListPortsQuery>;
export type CreatePortRequest = Static<typeof vpc.CreatePortBody>;

// --- VPC Endpoint ---------------------------------------------------------------------------------

export type Tag = Static<typeof vpcep.Tag>;
export type PublicEndpointService = Static<typeof vpcep.PublicEndpointService>;
export type PublicEndpointServiceList = Static<typeof vpcep.PublicEndpointServiceList>;
export type DescribedEndpointService = Static<typeof vpcep.DescribedEndpointService>;
export type ListPublicServicesQuery = Partial<Static<typeof vpcep.ListPublicServicesQuery>>;
/** By name (and optionally id), or by id: the server answers 400 when neither is given. */
export type DescribeServiceQuery = { endpoint_service_name: string; id?: string } | { id: string };
/** A user's own endpoint service (the provider's side). */
export type EndpointService = Static<typeof vpcep.EndpointService>;
export type EndpointServiceList = Static<typeof vpcep.EndpointServiceList>;
export type ListServicesQuery = Partial<Static<typeof vpcep.ListServicesQuery>>;
export type CreateEndpointServiceRequest = Static<typeof vpcep.CreateServiceBody>;
export type UpdateEndpointServiceRequest = Static<typeof vpcep.UpdateServiceBody>;
export type RenameEndpointServiceRequest = Static<typeof vpcep.UpdateServiceNameBody>;
export type RenamedEndpointService = Static<typeof vpcep.ServiceNameAnswer>;
export type Permission = Static<typeof vpcep.Permission>;
export type PermissionList = Static<typeof vpcep.PermissionList>;
export type Permissions = Static<typeof vpcep.Permissions>;
export type ListPermissionsQuery = Partial<Static<typeof vpcep.ListPermissionsQuery>>;
export type AddOrRemovePermissionsRequest = Static<typeof vpcep.AddOrRemovePermissionsBody>;
export type PermissionEntries = Static<typeof vpcep.PermissionEntries>;
export type BatchAddPermissionsRequest = Static<typeof vpcep.BatchAddPermissionsBody>;
export type BatchRemovePermissionsRequest = Static<typeof vpcep.BatchRemovePermissionsBody>;
export type PermissionDescriptionRequest = Static<typeof vpcep.PermissionDescriptionBody>;
export type Connection = Static<typeof vpcep.Connection>;
export type ConnectionList = Static<typeof vpcep.ConnectionList>;
export type Connections = Static<typeof vpcep.Connections>;
export type ListConnectionsQuery = Partial<Static<typeof vpcep.ListConnectionsQuery>>;
/** `receive` or `reject` one endpoint's connection. */
export type AcceptOrRejectRequest = Static<typeof vpcep.AcceptOrRejectBody>;
export type ConnectionsDescriptionRequest = Static<typeof vpcep.ConnectionsDescriptionBody>;
export type Endpoint = Static<typeof vpcep.Endpoint>;
export type EndpointList = Static<typeof vpcep.EndpointList>;
export type ListEndpointsQuery = Partial<Static<typeof vpcep.ListEndpointsQuery>>;
export type CreateEndpointRequest = Static<typeof vpcep.CreateEndpointBody>;
/** The complete desired set, 1 to 10 IDs. */
export type UpdateEndpointRoutetablesRequest = Static<typeof vpcep.UpdateRoutetablesBody>;
/** The set actually bound, and per-table failures when some table failed (spec/routetables.md). */
export type UpdateEndpointRoutetablesResponse = Static<typeof vpcep.RoutetableInfoResp>;
export type UpdateEndpointWhitelistRequest = Static<typeof vpcep.UpdateWhitelistBody>;
/** `policy_statement` for a gateway endpoint, `policy_document` for an interface one. */
export type UpdateEndpointPolicyRequest = Static<typeof vpcep.UpdatePolicyBody>;
/** What tags are set on: `endpoint` or `endpoint_service`. */
export type ResourceType = Static<typeof vpcep.ResourceType>;
export type TagActionRequest = Static<typeof vpcep.TagActionBody>;
export type ProjectTags = Static<typeof vpcep.ProjectTags>;
export type ListResourceInstancesRequest = Static<typeof vpcep.ResourceInstancesBody>;
export type ResourceInstances = Static<typeof vpcep.ResourceInstances>;
export type ResourceInstance = NonNullable<ResourceInstances['resources']>[number];
/** The filters of ListResourceInstances without the action and the paging, for `listAllInstances`. */
export type ResourceInstancesFilter = Omit<ListResourceInstancesRequest, 'action' | 'offset'>;
export type ListQuotasQuery = Static<typeof vpcep.ListQuotasQuery>;
export type QuotaList = Static<typeof vpcep.QuotaList>;
export type ApiVersions = Static<typeof vpcep.Versions>;
export type ApiVersion = Static<typeof vpcep.Version>;

// --- vpcep's own ----------------------------------------------------------------------------------

export type AuditEvent = Static<typeof audit.AuditEvent>;
export type AuditEventList = Static<typeof audit.AuditEventList>;
export type ListAuditEventsQuery = Partial<Static<typeof audit.AuditEventsQuery>>;

export type Fault = Static<typeof faults.Fault>;
export type FaultAnswer = Static<typeof faults.FaultAnswer>;
export type FaultList = Static<typeof faults.FaultList>;
export type AddFaultRequest = Static<typeof faults.AddFaultBody>;

// --- Operator (vpcep's own) -----------------------------------------------------------------------

/** The answer of account creation: the admin's password and SK appear here only. */
export type CreatedAccount = Static<typeof accounts.CreatedAccount>;
export type AccountList = Static<typeof accounts.AccountList>;
export type AccountQuotasReply = Static<typeof accounts.AccountQuotasReply>;
export type UpdateAccountQuotasRequest = Static<typeof accounts.UpdateQuotasBody>;
